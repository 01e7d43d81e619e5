//! Layer 7, phase 3: checks and decisions on the resolved [`Model`]: units, evaluation order of
//! derived expressions, the ODE system's linearity, the integration method, the storage classes.
//! Produces a [`Plan`]; never builds tokens.
//!
//! - [`checks`]: the evaluation order of derived expressions, and the checks that are not about
//!   units (what updates a state, what may read what, where noise and draws may appear);
//! - [`unit_checks`]: the unit of every equation, and the folding of power-of-ten factors
//!   between scales;
//! - [`storage`]: the role of every state of a synapse and the storage classes the group
//!   supports.

mod checks;
mod storage;
mod unit_causes;
mod unit_checks;

pub use unit_checks::convert_scales;

use checks::{check_noise, check_roles, check_update_order, evaluation_order};
use storage::{classify_states, storage_classes};
use unit_checks::{check_units, post_writes, summed_units};

use crate::args::Op;
use crate::errors::Errors;
use crate::ir::{Builtin, Expr, ExprKind, Sym};
use crate::model::{Model, Rule, RuleTarget};
use crate::parse::{Kind, Method, OutputKind};
use crate::spans::Spans;
use crate::symbolic::{deriv, first_outside, inline, is_constant_sym, state_dependent_branch};
use crate::unit::Unit;

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
    /// Per output: the unit of a summed output's value (`None` for the other kinds).
    pub summed_units: Vec<Option<Unit>>,
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
            summed_units: vec![None; m.outputs.len()],
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
    let summed_units = summed_units(m, &derived_order);

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
                    OutputKind::Voltage | OutputKind::Summed => false,
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
        summed_units,
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
