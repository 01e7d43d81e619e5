//! Layer 7, phase 3: the evaluation order of derived expressions, and the checks that are not
//! about units: every state has an update, run constants read parameters only, field updates do
//! not read each other, white noise and draws appear only where they may.

use crate::errors::Errors;
use crate::ir::{Builtin, Expr, ExprKind, Sym};
use crate::model::Model;
use crate::parse::{Kind, Timing};
use crate::symbolic::{first_outside, inline};

/// Spike updates written on fields run in declaration order: two that read each other's
/// variable would compute another model if the fields were swapped, which nobody can see. That
/// is an error; a rule block states the order.
pub(super) fn check_update_order(m: &Model, errors: &mut Errors) {
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

/// Derived expressions in dependency order, and whether there was no cycle (a cycle is an error
/// at the first expression found in it).
pub(super) fn evaluation_order(m: &Model, errors: &mut Errors) -> (Vec<usize>, bool) {
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
pub(super) fn check_roles(m: &Model, errors: &mut Errors) {
    for (i, s) in m.states.iter().enumerate() {
        let reset = m.reset.iter().any(|a| a.state == i);
        if !s.declared_updates && !reset && !s.summed {
            let how = match m.kind {
                Kind::Synapse => {
                    "add `ode = ...`, a spike update on the field (`on_pre += ...`), or a statement in an `#[on_pre(...)]` / `#[on_post(...)]` block"
                }
                Kind::Neuron => "add `ode = ...`, update it in `#[reset(...)]`, or mark it `summed` for synapses to assign",
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

/// White noise `xi` belongs in ODEs (and the derived expressions they read): anywhere else
/// (a threshold, a reset, an initial value, an output) is an error at the term.
pub(super) fn check_noise(m: &Model, errors: &mut Errors) {
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
                 `Network::set`"
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
