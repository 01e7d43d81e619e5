//! Layer 7, phase 3: checks and decisions on the resolved [`Model`]: units, evaluation order of
//! derived expressions, the ODE system's linearity, the integration method, the storage classes.
//! Produces a [`Plan`]; never builds tokens.

use crate::args::Op;
use crate::errors::Errors;
use crate::ir::{Builtin, Expr, ExprKind, Sym};
use crate::model::{Model, Rule, RuleTarget};
use crate::parse::{Kind, Method, OutputKind, Timing};
use crate::spans::Spans;
use crate::symbolic::{
    self, deriv, first_outside, inline, is_constant_sym, state_dependent_branch,
};
use crate::unit::Unit;
use crate::units::{self, Inferred};

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
    /// An ODE reads white noise `xi` (drawn per neuron and step; Euler–Maruyama only).
    pub noise: bool,
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
    /// How each state is stored and advanced.
    pub roles: Vec<Role>,
    /// The event-driven states: each with `a` and `b` of its ODE `x' = a·x + b` (constants of a
    /// run), advanced exactly from the synapse's last event at each event.
    pub event_driven: Vec<(usize, Expr, Expr)>,
    /// The postsynaptic variables the rules add to, with the unit of what they add.
    pub post_writes: Vec<(String, Option<Unit>)>,
    /// Whether the per-postsynaptic kernel and walk are generated (the group can keep its
    /// state per postsynaptic neuron); [`Plan::tile`] says whether they also run in tiles.
    pub kernel: bool,
    /// The stored columns in order: the states that follow the group's storage, the derived
    /// expressions, then the states stored per synapse.
    pub columns: Vec<Col>,
}

/// A stored column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    State(usize),
    Derived(usize),
}

impl Plan {
    /// Whether state `i` is stored per synapse whatever the group's storage.
    pub fn per_synapse(&self, i: usize) -> bool {
        self.roles.get(i).is_some_and(|r| *r != Role::Clock)
    }

    /// Number of columns that follow the group's storage.
    pub fn clock_width(&self) -> usize {
        self.columns
            .iter()
            .filter(|c| !matches!(c, Col::State(i) if self.per_synapse(*i)))
            .count()
    }
}

/// The column order of [`Plan::columns`].
fn column_order(m: &Model, roles: &[Role]) -> Vec<Col> {
    let clock = (0..m.states.len()).filter(|&i| roles[i] == Role::Clock);
    let synapse = (0..m.states.len()).filter(|&i| roles[i] != Role::Clock);
    clock
        .map(Col::State)
        .chain((0..m.derived.len()).map(Col::Derived))
        .chain(synapse.map(Col::State))
        .collect()
}

/// How a state of a synapse is stored and advanced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Integrated every step, in the group's storage (per synapse, presynaptic or
    /// postsynaptic neuron).
    Clock,
    /// Changed by spike rules only (a weight): one value per synapse.
    Event,
    /// Changed by spike rules and a linear ODE, read only by the rules (a trace): one value per
    /// synapse, advanced exactly from the synapse's last event when an event reads it.
    EventDriven,
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
            noise: false,
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
            roles: vec![Role::Clock; m.states.len()],
            event_driven: Vec::new(),
            post_writes: Vec::new(),
            kernel: false,
            columns: column_order(m, &vec![Role::Clock; m.states.len()]),
        };
    }
    if !m.unitless {
        check_units(m, &derived_order, errors);
    }
    check_noise(m, errors);
    check_roles(m, errors);
    check_update_order(m, errors);
    let (roles, event_driven) = classify_states(m, &derived_exprs);
    let post_writes = post_writes(m, &derived_order, errors);

    let ode_states: Vec<usize> = (0..m.states.len())
        .filter(|&i| m.states[i].ode.is_some() && roles[i] == Role::Clock)
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

    // White noise: Euler–Maruyama, and nothing else.
    let noisy = full
        .iter()
        .any(|f| f.symbols().contains(&Sym::Builtin(Builtin::Xi)));
    let mut methods = vec![Method::Euler, Method::Rk2, Method::Rk4, Method::ExpEuler];
    if exact.is_some() {
        methods.push(Method::Exact);
    }
    if noisy {
        methods = vec![Method::Euler];
        if let Some((method, span)) = m.method.filter(|(x, _)| *x != Method::Euler) {
            errors.at(
                span,
                format!(
                    "white noise `xi` is integrated by Euler–Maruyama, not `{}`\nhelp: write \
                     `method = euler` or leave `method` out",
                    method.name()
                ),
            );
        }
        if let Some(n) = m.substeps.filter(|&n| n > 1) {
            errors.at(
                m.item.ident.span(),
                format!("`substeps = {n}` cannot divide white noise `xi`: leave it out"),
            );
        }
    }
    let auto = if noisy {
        Method::Euler
    } else if exact.is_some() {
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
    let mut storages = if m.kind == Kind::Synapse {
        storage_classes(m, &roles, &ode_states, exact.is_some(), &derived_exprs)
    } else {
        Vec::new()
    };
    let reads = builtins_read(m);
    let kernel = m.kind == Kind::Synapse
        && storages.contains(&Storage::PerPost)
        && (ode_states.is_empty() || exact.as_ref().is_some_and(|a| !a.is_empty()))
        && !reads.contains(&Builtin::VPre)
        && !reads.contains(&Builtin::RefractoryPre);
    if !kernel {
        storages.retain(|&s| s != Storage::PerPost);
    }
    // Rules run on one thread (they write per-synapse values and other groups' variables).
    let has_rules = m.rules_pre.is_some() || m.rules_post.is_some();
    let tile = kernel
        && !has_rules
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
        noise: noisy,
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
        event_driven,
        post_writes,
        kernel,
        columns: column_order(m, &roles),
        roles,
    }
}

/// Every statement of both rule blocks.
fn rules(m: &Model) -> impl Iterator<Item = &Rule> {
    m.rules_pre.iter().chain(m.rules_post.iter()).flatten()
}

/// The symbols a rule reads: its value's, and its target's unless it sets it.
fn rule_reads(r: &Rule) -> Vec<Sym> {
    let mut syms = r.value.symbols();
    if let (RuleTarget::State(i), false) = (&r.target, r.op == Op::Assign) {
        syms.push(Sym::State(*i));
    }
    syms
}

/// The role of every state (see [`Role`]), and for the event-driven ones the `a` and `b` of
/// their ODE `x' = a·x + b`.
fn classify_states(m: &Model, derived: &[Expr]) -> (Vec<Role>, Vec<(usize, Expr, Expr)>) {
    let written: Vec<usize> = rules(m)
        .filter_map(|r| match r.target {
            RuleTarget::State(i) => Some(i),
            RuleTarget::Post(_) => None,
        })
        .collect();
    // What reads a state besides the rules: ODEs, derived expressions, outputs, initial values.
    let read_elsewhere = |i: usize, own: bool| {
        let sym = Sym::State(i);
        let inlined = |e: &Expr| inline(e, derived, &|_| true).symbols().contains(&sym);
        m.states
            .iter()
            .enumerate()
            .any(|(j, s)| (j != i || own) && s.ode.as_ref().is_some_and(inlined))
            || m.outputs.iter().any(|o| inlined(&o.value))
            || m.derived.iter().any(|d| inlined(&d.value))
            || m.states
                .iter()
                .any(|s| s.events.iter().any(|e| inlined(&e.value)))
    };
    let mut roles = vec![Role::Clock; m.states.len()];
    let mut event_driven = Vec::new();
    for (i, s) in m.states.iter().enumerate() {
        if s.fixed.is_some() && m.kind == Kind::Synapse {
            roles[i] = Role::Event;
            continue;
        }
        if !written.contains(&i) || !s.events.is_empty() {
            continue;
        }
        let Some(f) = &s.ode else {
            roles[i] = Role::Event;
            continue;
        };
        if s.clock_driven || read_elsewhere(i, false) {
            continue;
        }
        // Linear in itself, with coefficients built from parameters: x' = a·x + b.
        let x = Sym::State(i);
        let full = inline(f, derived, &|_| true);
        let a = symbolic::fold(&deriv(&full, x));
        let b = symbolic::fold(&symbolic::map_vars(&full, &|sym, span| {
            (sym == x).then(|| Expr::num(0.0, span))
        }));
        let constant = |e: &Expr| {
            first_outside(
                e,
                &|s| matches!(s, Sym::Param(k) if !m.params[k].per_element),
            )
            .is_none()
        };
        if constant(&a) && constant(&b) && state_dependent_branch(&full, &|s| s == x).is_none() {
            roles[i] = Role::EventDriven;
            event_driven.push((i, a, b));
        }
    }
    (roles, event_driven)
}

/// Spike updates written on fields run in declaration order: two that read each other's
/// variable would compute another model if the fields were swapped, which nobody can see. That
/// is an error; a rule block states the order.
fn check_update_order(m: &Model, errors: &mut Errors) {
    for timing in [Timing::Before, Timing::After] {
        let updates: Vec<(usize, &crate::model::Event)> = m
            .states
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                s.events
                    .iter()
                    .filter(move |e| e.timing == timing)
                    .map(move |e| (i, e))
            })
            .collect();
        for (k, &(b, eb)) in updates.iter().enumerate() {
            for &(a, ea) in &updates[..k] {
                if a == b {
                    continue;
                }
                let reads =
                    |e: &crate::model::Event, i: usize| e.value.symbols().contains(&Sym::State(i));
                if reads(eb, a) || reads(ea, b) {
                    let key = if timing == Timing::Before {
                        "on_pre"
                    } else {
                        "on_pre_after"
                    };
                    let (na, nb) = (&m.states[a].ident, &m.states[b].ident);
                    errors.push(eb.value.span.error(format!(
                        "the `{key}` updates of `{na}` and `{nb}` read each other's variables, so the order they run in changes the model\nhelp: write them, in the order they should run, in one block: `#[on_pre({na} ...; {nb} ...)]`"
                    )));
                    return;
                }
            }
        }
    }
}

/// The postsynaptic variables the rules add to, with the unit of what they add (one unit per
/// variable).
fn post_writes(m: &Model, order: &[usize], errors: &mut Errors) -> Vec<(String, Option<Unit>)> {
    let mut out: Vec<(String, Option<Unit>)> = Vec::new();
    let env = unit_env(m, order);
    for r in rules(m) {
        let RuleTarget::Post(name) = &r.target else {
            continue;
        };
        let mut list = Vec::new();
        let unit = if m.unitless {
            None
        } else {
            match units::infer(&r.value, &env, &mut list) {
                Some(Inferred::Num(u)) => Some(u),
                Some(Inferred::Bool) => Some(Unit::ONE),
                _ => None,
            }
        };
        match out.iter().find(|(n, _)| n == name) {
            Some((_, Some(known))) if unit.is_some_and(|u| u != *known) => {
                errors.push(r.span.error(format!(
                    "`{name}_post` receives `{}` here and `{known}` in another rule: one unit per postsynaptic variable",
                    unit.map_or(String::new(), |u| u.to_string())
                )));
            }
            Some(_) => {}
            None => out.push((name.clone(), unit)),
        }
    }
    out
}

/// Whether rule `r` reads a state integrated every step (itself or through a derived
/// expression), other than the one it adds to.
fn rule_reads_clock(r: &Rule, derived: &[Expr], clock: &dyn Fn(usize) -> bool) -> bool {
    rule_reads(r).iter().any(|s| match s {
        Sym::State(i) => {
            clock(*i) && !matches!(r.target, RuleTarget::State(t) if t == *i && r.op.is_additive())
        }
        Sym::Derived(d) => inline(&derived[*d], derived, &|_| true)
            .symbols()
            .iter()
            .any(|s| matches!(s, Sym::State(i) if clock(*i))),
        _ => false,
    })
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
    exprs.extend(rules(m).map(|r| &r.value));
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
                    "add `ode = ...`, a spike update on the field (`on_pre += ...`), or a statement in an `#[on_pre(...)]` / `#[on_post(...)]` block"
                }
                Kind::Neuron => "add `ode = ...`, or update it in `#[reset(...)]`",
            };
            errors.at(s.ident.span(), format!("state `{}` has neither an ODE nor a spike update\nhelp: {how}; a value that never changes is a `#[param]`", s.ident));
        }
        if let Some(init) = &s.init {
            // Parameters, and the draws of `rand()` / `randn()`.
            let allowed = |s: Sym| {
                matches!(
                    s,
                    Sym::Param(_) | Sym::Builtin(Builtin::Rand(_) | Builtin::Randn(_))
                )
            };
            if let Some(term) = first_outside(init, &allowed) {
                if let ExprKind::Var(sym) = term.kind {
                    let per_element = matches!(sym, Sym::State(i) if m.states[i].fixed.is_some());
                    let why = if per_element {
                        "has one value per element"
                    } else {
                        "is not a parameter"
                    };
                    errors.push(term.span.error(format!(
                        "the initial value of `{}` is fixed for a run and may use parameters of the whole group, `rand()` and `randn()` only; `{}` {why}",
                        s.ident,
                        m.sym_name(sym)
                    )));
                }
            }
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
    if let Some((d, _)) = &m.dead_time {
        params_only(m, d, "the dead time", errors);
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
            let per_element = matches!(s, Sym::State(i) if m.states[i].fixed.is_some());
            let why = match (per_element, what.contains("delay")) {
                (true, true) => {
                    "has one value per element; per-synapse delays are set with `Network::set_delays`"
                }
                (true, false) => "has one value per element",
                (false, _) => "is not a parameter",
            };
            errors.push(term.span.error(format!(
                "{what} is fixed for a run and may use parameters of the whole group only; `{}` {why}",
                m.sym_name(s)
            )));
        }
    }
}

/// Unit checks of every equation; one pass, all errors.
/// The unit of every symbol, given the units of the derived expressions.
fn env_for<'m>(m: &'m Model, derived_units: &[Option<Unit>]) -> impl Fn(Sym) -> Option<Unit> + 'm {
    let derived_units = derived_units.to_vec();
    move |s: Sym| -> Option<Unit> {
        match s {
            Sym::Param(i) => m.params[i].unit,
            Sym::State(i) => m.states[i].unit,
            Sym::Derived(i) => derived_units[i],
            Sym::Builtin(Builtin::T | Builtin::Dt) => Some(Unit::MS),
            Sym::Builtin(Builtin::VPre | Builtin::VPost) => Some(Unit::MV),
            Sym::Builtin(Builtin::Input) => m.input.as_ref().and_then(|(_, u)| *u),
            Sym::Builtin(Builtin::Xi) => Some(Unit::PER_SQRT_MS),
            Sym::Builtin(_) => Some(Unit::ONE),
        }
    }
}

/// The units of the derived expressions (declared, or inferred in evaluation order); the
/// diagnostics of the inference go to `list`.
fn derived_units(m: &Model, order: &[usize], list: &mut Vec<syn::Error>) -> Vec<Option<Unit>> {
    let mut derived_units: Vec<Option<Unit>> = m.derived.iter().map(|d| d.unit).collect();
    for &d in order {
        let env = env_for(m, &derived_units);
        let got = units::infer(&m.derived[d].value, &env, list);
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
    derived_units
}

/// The unit of every symbol, without reporting anything (the checks report).
fn unit_env<'m>(m: &'m Model, order: &[usize]) -> impl Fn(Sym) -> Option<Unit> + 'm {
    let units = derived_units(m, order, &mut Vec::new());
    env_for(m, &units)
}

/// White noise `xi` belongs in ODEs (and the derived expressions they read): anywhere else
/// (a threshold, a reset, an initial value, an output) is an error at the term.
fn check_noise(m: &Model, errors: &mut Errors) {
    let derived: Vec<Expr> = m.derived.iter().map(|d| d.value.clone()).collect();
    let mut places: Vec<(&Expr, &str)> = Vec::new();
    if let Some((e, _)) = &m.threshold {
        places.push((e, "the threshold"));
    }
    if let Some((e, _)) = &m.refractory {
        places.push((e, "the refractory period"));
    }
    if let Some((e, _)) = &m.dead_time {
        places.push((e, "the dead time"));
    }
    for a in &m.reset {
        places.push((&a.value, "a reset"));
    }
    for s in &m.states {
        if let Some(init) = &s.init {
            places.push((init, "an initial value"));
        }
        for e in &s.events {
            places.push((&e.value, "a spike update"));
        }
    }
    for o in &m.outputs {
        places.push((&o.value, "an output"));
    }
    // `rand()` and `randn()` draw initial values: anywhere else is an error.
    let mut elsewhere: Vec<(&Expr, &str)> = places
        .iter()
        .filter(|(_, what)| *what != "an initial value")
        .copied()
        .collect();
    for s in &m.states {
        if let Some(ode) = &s.ode {
            elsewhere.push((ode, "an ODE"));
        }
    }
    for d in &m.derived {
        elsewhere.push((&d.value, "a derived expression"));
    }
    for r in m.rules_pre.iter().chain(&m.rules_post).flatten() {
        elsewhere.push((&r.value, "a spike rule"));
    }
    for (e, what) in elsewhere {
        let draw = |s: Sym| matches!(s, Sym::Builtin(Builtin::Rand(_) | Builtin::Randn(_)));
        if let Some(term) = first_outside(e, &|s| !draw(s)) {
            errors.push(term.span.error(format!(
                "`rand()` and `randn()` draw initial values (`init = ...`), not {what}\nhelp: \
                 for noise in an ODE use `xi`; for values drawn per element use \
                 `Network::set_values`"
            )));
        }
    }
    for (e, what) in places {
        let full = inline(e, &derived, &|_| true);
        if full.symbols().contains(&Sym::Builtin(Builtin::Xi)) {
            // The `xi` itself where it is written here, else the term (it comes through a
            // derived expression).
            let at =
                first_outside(e, &|s| s != Sym::Builtin(Builtin::Xi)).map_or(e.span, |x| x.span);
            errors.push(at.error(format!(
                "white noise `xi` may appear only in the ODEs (integrated by Euler–Maruyama), not in {what}"
            )));
        }
    }
}

/// Folds the power-of-ten factors between scales of one dimension into the equations (`pF`,
/// `nS` and `pA` meeting in one equation, an `ode` in `pA/ms` for a state in `nA`), so that
/// [`check_units`] then sees one scale wherever two met; dimension errors are left for it.
/// Generated code multiplies by the factors as numbers (the compiler folds them with the
/// constants around them).
pub fn convert_scales(m: &mut Model) {
    if m.unitless {
        return;
    }
    let (order, acyclic) = evaluation_order(m, &mut Errors::default());
    if !acyclic {
        return;
    }
    for &d in &order {
        let value = {
            let env = unit_env(m, &order);
            let value = &m.derived[d].value;
            match m.derived[d].unit {
                Some(u) => units::convert_to(value, u, &env),
                None => units::convert(value, &env).0,
            }
        };
        m.derived[d].value = value;
    }
    let (states, pre, post, reset, threshold, (refractory, dead_time), outputs) = {
        let env = unit_env(m, &order);
        let to = |e: &Expr, u: Option<Unit>| match u {
            Some(u) => units::convert_to(e, u, &env),
            None => units::convert(e, &env).0,
        };
        let states: Vec<_> = m
            .states
            .iter()
            .map(|s| {
                (
                    s.ode
                        .as_ref()
                        .map(|e| to(e, s.unit.map(|u| u.div(Unit::MS)))),
                    s.init.as_ref().map(|e| to(e, s.unit)),
                    s.events
                        .iter()
                        .map(|e| to(&e.value, s.unit))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        let convert_rules = |rules: &Option<Vec<crate::model::Rule>>| -> Vec<Expr> {
            rules
                .iter()
                .flatten()
                .map(|r| {
                    let unit = match r.target {
                        RuleTarget::State(_) if r.op == Op::MulAssign => Some(Unit::ONE),
                        RuleTarget::State(i) => m.states[i].unit,
                        RuleTarget::Post(_) => None,
                    };
                    to(&r.value, unit)
                })
                .collect()
        };
        let (pre, post) = (convert_rules(&m.rules_pre), convert_rules(&m.rules_post));
        let reset: Vec<Expr> = m
            .reset
            .iter()
            .map(|a| to(&a.value, m.states[a.state].unit))
            .collect();
        let threshold = m.threshold.as_ref().map(|(e, _)| to(e, None));
        let refractory = m.refractory.as_ref().map(|(e, _)| to(e, Some(Unit::MS)));
        let dead_time = m.dead_time.as_ref().map(|(e, _)| to(e, Some(Unit::MS)));
        let outputs: Vec<_> = m
            .outputs
            .iter()
            .map(|o| {
                let unit = match o.kind {
                    OutputKind::Current => Unit::NA,
                    OutputKind::Conductance => Unit::US,
                    OutputKind::Voltage => Unit::MV,
                };
                (
                    to(&o.value, Some(unit)),
                    o.reversal.as_ref().map(|r| to(r, Some(Unit::MV))),
                    o.delay.as_ref().map(|d| to(d, Some(Unit::MS))),
                )
            })
            .collect();
        (
            states,
            pre,
            post,
            reset,
            threshold,
            (refractory, dead_time),
            outputs,
        )
    };
    for (s, (ode, init, events)) in m.states.iter_mut().zip(states) {
        s.ode = ode;
        s.init = init;
        for (e, v) in s.events.iter_mut().zip(events) {
            e.value = v;
        }
    }
    for (r, v) in m.rules_pre.iter_mut().flatten().zip(pre) {
        r.value = v;
    }
    for (r, v) in m.rules_post.iter_mut().flatten().zip(post) {
        r.value = v;
    }
    for (a, v) in m.reset.iter_mut().zip(reset) {
        a.value = v;
    }
    if let (Some((e, _)), Some(v)) = (&mut m.threshold, threshold) {
        *e = v;
    }
    if let (Some((e, _)), Some(v)) = (&mut m.refractory, refractory) {
        *e = v;
    }
    if let (Some((e, _)), Some(v)) = (&mut m.dead_time, dead_time) {
        *e = v;
    }
    for (o, (value, reversal, delay)) in m.outputs.iter_mut().zip(outputs) {
        o.value = value;
        o.reversal = reversal;
        o.delay = delay;
    }
}

fn check_units(m: &Model, order: &[usize], errors: &mut Errors) {
    let mut list = Vec::new();
    let derived_units = derived_units(m, order, &mut list);
    let env = env_for(m, &derived_units);
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
    for (block, rules) in [("on_pre", &m.rules_pre), ("on_post", &m.rules_post)] {
        for r in rules.iter().flatten() {
            let RuleTarget::State(i) = r.target else {
                continue;
            };
            let s = &m.states[i];
            let (unit, what) = if r.op == Op::MulAssign {
                (
                    Some(Unit::ONE),
                    format!("the factor of `{} *= ...` in `#[{block}]`", s.ident),
                )
            } else {
                (
                    s.unit,
                    format!(
                        "the value of `{} {} ...` in `#[{block}]`",
                        s.ident,
                        r.op.text()
                    ),
                )
            };
            expect(&r.value, unit, what, &mut list);
        }
    }
    for a in &m.reset {
        let s = &m.states[a.state];
        let op = a.op.text();
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
    if let Some((d, _)) = &m.dead_time {
        expect(d, Some(Unit::MS), "the dead time".into(), &mut list);
    }
    if let Some((r, _)) = &m.refractory {
        expect(r, Some(Unit::MS), "the refractory period".into(), &mut list);
    }
    if let (Some((ident, Some(u))), Kind::Neuron) = (&m.input, m.kind) {
        if !u.same_dimension(&Unit::NA) {
            list.push(syn::Error::new(
                ident.span(),
                format!(
                    "the input `{ident}` is the current synapses write into (nA, pA, ...); \
                     found `{u}`"
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
    roles: &[Role],
    ode_states: &[usize],
    linear_constant: bool,
    derived: &[Expr],
) -> Vec<Storage> {
    let clock = |i: usize| roles[i] == Role::Clock;
    // What the clock-driven part reads of the per-synapse states makes it per synapse.
    let reads_per_synapse = |e: &Expr| {
        inline(e, derived, &|_| true)
            .symbols()
            .iter()
            .any(|s| matches!(s, Sym::State(i) if !clock(*i)))
    };
    let clock_reads_synapses = m
        .states
        .iter()
        .enumerate()
        .filter(|(i, _)| clock(*i))
        .any(|(_, s)| s.ode.as_ref().is_some_and(reads_per_synapse))
        || m.outputs.iter().any(|o| reads_per_synapse(&o.value));
    let rule_targets_clock = rules(m).any(|r| matches!(r.target, RuleTarget::State(i) if clock(i)));
    // Rules that add to the clock-driven state (`g += w`) keep it summable per postsynaptic
    // neuron if they read none of it.
    let rules_keep_sums = rules(m).all(|r| match r.target {
        RuleTarget::State(i) if clock(i) => {
            r.op.is_additive()
                && !rule_reads_clock(r, derived, &clock)
                && m.rules_post.iter().flatten().all(|p| !std::ptr::eq(p, r))
        }
        _ => !rule_reads_clock(r, derived, &clock),
    });
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
    let homogeneous = m
        .states
        .iter()
        .enumerate()
        .filter(|(i, _)| clock(*i))
        .all(|(_, s)| {
            s.ode
                .as_ref()
                .is_some_and(|f| zero_states(f).as_num() == Some(0.0))
        });
    // A per-synapse value (a weight) may scale what a spike adds; the group's own state may not.
    let is_clock_state = |s: Sym| match s {
        Sym::State(i) => clock(i),
        Sym::Derived(_) => true,
        _ => false,
    };
    let additive = m.states.iter().all(|s| {
        s.events.iter().all(|e| {
            e.op.is_additive() && first_outside(&e.value, &|s| !is_clock_state(s)).is_none()
        })
    });
    let events_read_synapses = m
        .states
        .iter()
        .flat_map(|s| &s.events)
        .any(|e| reads_per_synapse(&e.value));
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
    let has_rules = m.rules_pre.is_some() || m.rules_post.is_some();
    if m.derived.is_empty()
        && linear_constant
        && homogeneous
        && additive
        && outputs_linear
        && to_post
        && (!ode_states.is_empty() || has_rules)
        && !clock_reads_synapses
        && rules_keep_sums
    {
        out.push(Storage::PerPost);
    }
    // Per presynaptic neuron: nothing the state does depends on the postsynaptic side.
    if !all_state_exprs().any(post_side)
        && !clock_reads_synapses
        && !rule_targets_clock
        && !events_read_synapses
    {
        out.push(Storage::PerPre);
    }
    out.push(Storage::PerSynapse);
    out
}
