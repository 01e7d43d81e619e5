//! Phase 3: checks and decisions on the resolved [`Model`]: units, evaluation order of derived
//! expressions, the ODE system's linearity, the integration method, the storage classes.
//! Produces a [`Plan`]; never builds tokens.

use crate::args::Op;
use crate::errors::Errors;
use crate::ir::{Builtin, Expr, ExprKind, Spans, Sym};
use crate::model::Model;
use crate::parse::{Kind, Method, OutputKind, Timing};
use crate::symbolic::{
    self, deriv, first_outside, inline, is_constant_sym, state_dependent_branch,
};
use crate::units::{self, Inferred, Unit};

/// Where a synapse group can keep its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(
    clippy::enum_variant_names,
    reason = "mirrors neurode_runtime::Storage, which users read"
)]
pub enum Storage {
    PerSynapse,
    PerPre,
    PerPost,
}

/// What codegen needs, decided once.
pub struct Plan {
    /// Default method, and whether the macro chose it.
    pub method: Method,
    pub method_auto: bool,
    /// Methods the generated code supports.
    pub methods: Vec<Method>,
    /// Indices of states with an ODE, in declaration order (the integrated vector `y`).
    pub ode_states: Vec<usize>,
    /// `f_i(y)` for each integrated state: derived expressions that depend on `y` inlined,
    /// the others left as names (they are held over the step).
    pub rhs: Vec<Expr>,
    /// Derived expressions independent of `y`, in evaluation order: computed once before integrating.
    pub held: Vec<usize>,
    /// Every derived expression in evaluation order.
    pub derived_order: Vec<usize>,
    /// `∂f_i/∂y_i` (exponential Euler) and whether it is constant for a run (hoisted).
    pub diag: Vec<(Expr, bool)>,
    /// Row-major `A` of `y' = A·y + r` when the system is linear with constant coefficients.
    pub exact: Option<Vec<Expr>>,
    /// Storage classes the synapse supports, most compact first.
    pub storages: Vec<Storage>,
    /// Derived expressions that depend on the postsynaptic side (in evaluation order): with
    /// per-presynaptic storage they are computed per synapse when pushed, and not stored.
    pub post_derived: Vec<usize>,
    /// Whether per-postsynaptic element kernels are generated (`ModelInfo::tile`): a synapse
    /// whose state can live per postsynaptic neuron, reads nothing presynaptic but the spike,
    /// and pushes only currents and conductances onto the postsynaptic group.
    pub tile: bool,
    /// The built-in names the equations read (postsynaptic potential, flags, ...).
    pub reads: Vec<Builtin>,
}

/// Runs every check and decision; diagnostics go to `errors`.
pub fn analyse(m: &Model, errors: &mut Errors) -> Plan {
    let derived_exprs: Vec<Expr> = m.derived.iter().map(|d| d.value.clone()).collect();
    let (derived_order, acyclic) = evaluation_order(m, errors);
    if !acyclic {
        // Inlining would not terminate; the cycle is reported and nothing else can be decided.
        return Plan {
            method: Method::Euler,
            method_auto: false,
            methods: Vec::new(),
            ode_states: Vec::new(),
            rhs: Vec::new(),
            held: Vec::new(),
            derived_order,
            diag: Vec::new(),
            exact: None,
            storages: Vec::new(),
            post_derived: Vec::new(),
            tile: false,
            reads: Vec::new(),
        };
    }
    if !m.unitless {
        check_units(m, &derived_order, errors);
    }
    check_roles(m, errors);

    let ode_states: Vec<usize> = (0..m.states.len())
        .filter(|&i| m.states[i].ode.is_some())
        .collect();
    let is_y = |s: Sym| matches!(s, Sym::State(i) if ode_states.contains(&i));
    // A derived expression is "stage" when it depends on y (directly or through another).
    let mut depends_on_y = vec![false; m.derived.len()];
    for &d in &derived_order {
        depends_on_y[d] = m.derived[d].value.symbols().into_iter().any(|s| match s {
            Sym::Derived(j) => depends_on_y[j],
            other => is_y(other),
        });
    }
    let held: Vec<usize> = derived_order
        .iter()
        .copied()
        .filter(|&d| !depends_on_y[d])
        .collect();
    let rhs: Vec<Expr> = ode_states
        .iter()
        .map(|&i| {
            inline(
                m.states[i].ode.as_ref().expect("ode state"),
                &derived_exprs,
                &|d| depends_on_y[d],
            )
        })
        .collect();
    let full: Vec<Expr> = rhs
        .iter()
        .map(|f| inline(f, &derived_exprs, &|_| true))
        .collect();
    let ys: Vec<Sym> = ode_states.iter().map(|&i| Sym::State(i)).collect();

    // Linearity with constant coefficients: ∂f_i/∂y_j built from parameters and dt only.
    let mut nonlinear: Option<(Spans, String)> = None;
    let mut a = Vec::new();
    for (i, f) in full.iter().enumerate() {
        if let Some(span) = state_dependent_branch(f, &is_y) {
            nonlinear.get_or_insert((
                span,
                format!(
                    "`d{}/dt` switches branch with the state",
                    m.states[ode_states[i]].ident
                ),
            ));
        }
        for (j, y) in ys.iter().enumerate() {
            let c = deriv(f, *y);
            if let Some(term) = first_outside(&c, &is_constant_sym) {
                let ExprKind::Var(s) = term.kind else {
                    unreachable!("first_outside returns a name")
                };
                nonlinear.get_or_insert((
                    term.span,
                    format!(
                        "the coefficient of `{}` in `d{}/dt` depends on `{}`",
                        m.states[ode_states[j]].ident,
                        m.states[ode_states[i]].ident,
                        m.sym_name(s)
                    ),
                ));
            }
            a.push(c);
        }
    }
    let exact = if nonlinear.is_none() { Some(a) } else { None };
    let diag: Vec<(Expr, bool)> = rhs
        .iter()
        .zip(&ys)
        .map(|(f, y)| {
            let d = deriv(f, *y);
            let constant = first_outside(&d, &is_constant_sym).is_none();
            (d, constant)
        })
        .collect();
    let own_linear = full.iter().zip(&ys).all(|(f, y)| {
        let d = deriv(f, *y);
        !d.symbols().contains(y) && state_dependent_branch(f, &|s| s == *y).is_none()
    });

    let mut methods = vec![Method::Euler, Method::Rk2, Method::Rk4, Method::ExpEuler];
    if exact.is_some() {
        methods.push(Method::Exact);
    }
    let auto = if exact.is_some() {
        Method::Exact
    } else if own_linear {
        Method::ExpEuler
    } else {
        Method::Rk4
    };
    let (method, method_auto) = match m.method {
        Some((Method::Exact, span)) if exact.is_none() => {
            let (term, why) = nonlinear.clone().unwrap_or((span.into(), String::new()));
            errors.push(term.error(format!(
                "`method = exact` needs a linear system with constant coefficients, but {why}\nhelp: use `exp_euler` or `rk4`, or leave `method` out to let neurode choose"
            )));
            (auto, false)
        }
        Some((method, _)) => (method, false),
        None => (auto, true),
    };

    let mut post_dep = vec![false; m.derived.len()];
    for &d in &derived_order {
        post_dep[d] = m.derived[d].value.symbols().into_iter().any(|s| match s {
            Sym::Derived(j) => post_dep[j],
            other => matches!(
                other,
                Sym::Builtin(Builtin::VPost | Builtin::RefractoryPost)
            ),
        });
    }
    let post_derived: Vec<usize> = derived_order
        .iter()
        .copied()
        .filter(|&d| post_dep[d])
        .collect();
    let storages = if m.kind == Kind::Synapse {
        storage_classes(m, &ode_states, exact.is_some(), &derived_exprs)
    } else {
        Vec::new()
    };
    let reads = builtins_read(m);
    let tile = m.kind == Kind::Synapse
        && storages.contains(&Storage::PerPost)
        && exact.as_ref().is_some_and(|a| !a.is_empty())
        && !reads.contains(&Builtin::VPre)
        && !reads.contains(&Builtin::RefractoryPre)
        && m.outputs.iter().all(|o| {
            !o.to_pre
                && match o.kind {
                    OutputKind::Current => true,
                    OutputKind::Conductance => o.reversal.is_some(),
                    OutputKind::Voltage => false,
                }
        });
    Plan {
        method,
        method_auto,
        methods,
        ode_states,
        rhs,
        held,
        derived_order,
        diag,
        exact,
        storages,
        post_derived,
        tile,
        reads,
    }
}

/// Every built-in name an equation, spike update, derived expression or output reads.
fn builtins_read(m: &Model) -> Vec<Builtin> {
    let mut exprs: Vec<&Expr> = Vec::new();
    for s in &m.states {
        exprs.extend(s.ode.iter());
        exprs.extend(s.events.iter().map(|e| &e.value));
    }
    exprs.extend(m.derived.iter().map(|d| &d.value));
    exprs.extend(m.outputs.iter().map(|o| &o.value));
    let mut reads = Vec::new();
    for e in exprs {
        for s in e.symbols() {
            if let Sym::Builtin(b) = s {
                if !reads.contains(&b) {
                    reads.push(b);
                }
            }
        }
    }
    reads
}

/// Derived expressions in dependency order, and whether there was no cycle (a cycle is an error
/// at the first expression found in it).
fn evaluation_order(m: &Model, errors: &mut Errors) -> (Vec<usize>, bool) {
    let n = m.derived.len();
    let deps: Vec<Vec<usize>> = m
        .derived
        .iter()
        .map(|d| {
            d.value
                .symbols()
                .into_iter()
                .filter_map(|s| {
                    if let Sym::Derived(j) = s {
                        Some(j)
                    } else {
                        None
                    }
                })
                .collect()
        })
        .collect();
    let mut order = Vec::new();
    let mut state = vec![0u8; n]; // 0 new, 1 visiting, 2 done
    fn visit(i: usize, deps: &[Vec<usize>], state: &mut [u8], order: &mut Vec<usize>) -> bool {
        match state[i] {
            2 => return true,
            1 => return false,
            _ => {}
        }
        state[i] = 1;
        for &j in &deps[i] {
            if !visit(j, deps, state, order) {
                return false;
            }
        }
        state[i] = 2;
        order.push(i);
        true
    }
    let mut acyclic = true;
    for i in 0..n {
        if !visit(i, &deps, &mut state, &mut order) {
            acyclic = false;
            errors.at(
                m.derived[i].ident.span(),
                format!(
                    "`{}` depends on itself through other `#[expr]` fields",
                    m.derived[i].ident
                ),
            );
            state.iter_mut().for_each(|s| {
                if *s == 1 {
                    *s = 2
                }
            });
        }
    }
    (order, acyclic)
}

/// States that nothing updates, and expressions that may only use parameters.
fn check_roles(m: &Model, errors: &mut Errors) {
    for (i, s) in m.states.iter().enumerate() {
        let reset = m.reset.iter().any(|a| a.state == i);
        if !s.declared_updates && !reset {
            let how = match m.kind {
                Kind::Synapse => {
                    "add `ode = ...`, or a spike update `on_pre = ...` / `on_pre_after += ...`"
                }
                Kind::Neuron => "add `ode = ...`, or update it in `#[reset(...)]`",
            };
            errors.at(s.ident.span(), format!("state `{}` has neither an ODE nor a spike update\nhelp: {how}; a value that never changes is a `#[param]`", s.ident));
        }
        if let Some(init) = &s.init {
            params_only(
                m,
                init,
                &format!("the initial value of `{}`", s.ident),
                errors,
            );
        }
    }
    for o in &m.outputs {
        if let Some(r) = &o.reversal {
            params_only(m, r, "a reversal potential", errors);
        }
        if let Some(d) = &o.delay {
            params_only(m, d, "a delay", errors);
        }
    }
    if let Some((r, _)) = &m.refractory {
        params_only(m, r, "the refractory period", errors);
    }
    // With units, inference reports this (and more); without, the shape of the expression does.
    if let (Some((th, _)), true) = (&m.threshold, m.unitless) {
        if !th.is_bool() {
            errors.push(
                th.span
                    .error("the threshold is a condition, such as `V >= V_th`"),
            );
        }
    }
}

fn params_only(m: &Model, e: &Expr, what: &str, errors: &mut Errors) {
    if let Some(term) = first_outside(e, &|s| matches!(s, Sym::Param(_))) {
        if let ExprKind::Var(s) = term.kind {
            errors.push(term.span.error(format!(
                "{what} is fixed for a run and may use parameters only; `{}` is not a parameter",
                m.sym_name(s)
            )));
        }
    }
}

/// Unit checks of every equation; one pass, all errors.
fn check_units(m: &Model, order: &[usize], errors: &mut Errors) {
    let mut derived_units: Vec<Option<Unit>> = m.derived.iter().map(|d| d.unit).collect();
    let mut list = Vec::new();
    let env_for = |derived_units: &[Option<Unit>]| {
        let derived_units = derived_units.to_vec();
        move |s: Sym| -> Option<Unit> {
            match s {
                Sym::Param(i) => m.params[i].unit,
                Sym::State(i) => m.states[i].unit,
                Sym::Derived(i) => derived_units[i],
                Sym::Builtin(Builtin::T | Builtin::Dt) => Some(Unit::MS),
                Sym::Builtin(Builtin::VPre | Builtin::VPost) => Some(Unit::MV),
                Sym::Builtin(Builtin::Input) => m.input.as_ref().and_then(|(_, u)| *u),
                Sym::Builtin(_) => Some(Unit::ONE),
            }
        }
    };
    for &d in order {
        let env = env_for(&derived_units);
        let got = units::infer(&m.derived[d].value, &env, &mut list);
        match (m.derived[d].unit, got) {
            (Some(u), Some(g)) => list.extend(units::check(
                u,
                &g,
                m.derived[d].value.span,
                &format!("`{}`", m.derived[d].ident),
            )),
            (None, Some(Inferred::Num(u))) => derived_units[d] = Some(u),
            (None, Some(Inferred::Bool)) => derived_units[d] = Some(Unit::ONE),
            _ => {}
        }
    }
    let env = env_for(&derived_units);
    let expect = |e: &Expr, unit: Option<Unit>, what: String, list: &mut Vec<syn::Error>| {
        if let (Some(u), Some(g)) = (unit, units::infer(e, &env, list)) {
            list.extend(units::check(u, &g, e.span, &what));
        }
    };
    for s in &m.states {
        let name = &s.ident;
        if let Some(ode) = &s.ode {
            expect(
                ode,
                s.unit.map(|u| u.div(Unit::MS)),
                format!("the right-hand side of `d{name}/dt`"),
                &mut list,
            );
        }
        if let Some(init) = &s.init {
            if init.as_num().is_none() {
                expect(
                    init,
                    s.unit,
                    format!("the initial value of `{name}`"),
                    &mut list,
                );
            }
        }
        for e in &s.events {
            let when = if e.timing == Timing::Before {
                "on_pre"
            } else {
                "on_pre_after"
            };
            expect(
                &e.value,
                s.unit,
                format!("the `{when}` update of `{name}`"),
                &mut list,
            );
        }
    }
    for a in &m.reset {
        let s = &m.states[a.state];
        let op = if a.op == Op::AddAssign { "+=" } else { "=" };
        expect(
            &a.value,
            s.unit,
            format!("the reset `{} {op} ...`", s.ident),
            &mut list,
        );
    }
    if let Some((th, _)) = &m.threshold {
        if let Some(g) = units::infer(th, &env, &mut list) {
            if !matches!(g, Inferred::Bool) {
                list.push(
                    th.span
                        .error("the threshold is a condition, such as `V >= V_th`"),
                );
            }
        }
    }
    if let Some((r, _)) = &m.refractory {
        expect(r, Some(Unit::MS), "the refractory period".into(), &mut list);
    }
    if let (Some((ident, Some(u))), Kind::Neuron) = (&m.input, m.kind) {
        if *u != Unit::NA {
            list.push(syn::Error::new(
                ident.span(),
                format!(
                    "the input `{ident}` is the current synapses write into, in nA; found `{u}`"
                ),
            ));
        }
    }
    if let Some(i) = m.membrane {
        if let Some(u) = m.states[i].unit {
            if u != Unit::MV {
                list.push(syn::Error::new(
                    m.states[i].ident.span(),
                    format!(
                        "the membrane potential `{}` has unit `{u}`, expected `mV`",
                        m.states[i].ident
                    ),
                ));
            }
        }
    }
    for o in &m.outputs {
        let (unit, what) = match o.kind {
            OutputKind::Current => (Unit::NA, "a current output"),
            OutputKind::Conductance => (Unit::US, "a conductance output"),
            OutputKind::Voltage => (Unit::MV, "a voltage output"),
        };
        expect(&o.value, Some(unit), what.into(), &mut list);
        if let Some(r) = &o.reversal {
            expect(r, Some(Unit::MV), "a reversal potential".into(), &mut list);
        }
        if let Some(d) = &o.delay {
            expect(d, Some(Unit::MS), "a delay".into(), &mut list);
        }
    }
    errors.extend(list);
}

/// Storage classes of a synapse, most compact first (see ARCHITECTURE.md, "Storage").
fn storage_classes(
    m: &Model,
    ode_states: &[usize],
    linear_constant: bool,
    derived: &[Expr],
) -> Vec<Storage> {
    // Whether the state's evolution reads the postsynaptic side (derived expressions inlined;
    // a derived expression read only by outputs does not count).
    let post_side = |e: &Expr| {
        inline(e, derived, &|_| true)
            .symbols()
            .into_iter()
            .any(|s| matches!(s, Sym::Builtin(Builtin::VPost | Builtin::RefractoryPost)))
    };
    let all_state_exprs = || {
        m.states
            .iter()
            .flat_map(|s| s.ode.iter().chain(s.events.iter().map(|e| &e.value)))
    };
    let mut out = Vec::new();
    // Per postsynaptic neuron: linear constant-coefficient homogeneous dynamics, every state has
    // an ODE, spikes only add amounts independent of the state, outputs linear in the state with
    // coefficients that do not vary from synapse to synapse.
    let is_state = |s: Sym| matches!(s, Sym::State(_) | Sym::Derived(_));
    let zero_states = |f: &Expr| {
        symbolic::fold(&symbolic::map_vars(f, &|sym, span| {
            matches!(sym, Sym::State(_)).then(|| Expr::num(0.0, span))
        }))
    };
    let homogeneous = m.states.iter().all(|s| {
        s.ode
            .as_ref()
            .is_some_and(|f| zero_states(f).as_num() == Some(0.0))
    });
    let additive = m.states.iter().all(|s| {
        s.events
            .iter()
            .all(|e| e.op == Op::AddAssign && first_outside(&e.value, &|s| !is_state(s)).is_none())
    });
    let pre_side = |s: Sym| {
        matches!(
            s,
            Sym::Builtin(Builtin::VPre | Builtin::SpikePre | Builtin::RefractoryPre)
        )
    };
    let outputs_linear = m.outputs.iter().all(|o| {
        zero_states(&o.value).as_num() == Some(0.0)
            && ode_states.iter().all(|&y| {
                first_outside(&deriv(&o.value, Sym::State(y)), &|s| {
                    !is_state(s) && !pre_side(s)
                })
                .is_none()
            })
    });
    let to_post = m.outputs.iter().all(|o| !o.to_pre);
    if m.derived.is_empty()
        && linear_constant
        && homogeneous
        && additive
        && outputs_linear
        && to_post
        && !ode_states.is_empty()
    {
        out.push(Storage::PerPost);
    }
    // Per presynaptic neuron: nothing the state does depends on the postsynaptic side.
    if !all_state_exprs().any(post_side) {
        out.push(Storage::PerPre);
    }
    out.push(Storage::PerSynapse);
    out
}
