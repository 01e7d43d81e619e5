//! Layer 7, phase 3: how the states of a synapse are stored and advanced (their [`Role`]s), and
//! the storage classes a synapse group supports.

use super::{rule_reads, rules, Role, Storage};
use crate::ir::{Builtin, Expr, Sym};
use crate::model::{Model, Rule, RuleTarget};
use crate::parse::Kind;
use crate::symbolic::{self, deriv, first_outside, inline, state_dependent_branch};

/// The role of every state (see [`Role`]), and for the event-driven ones the `a` and `b` of
/// their ODE `x' = a·x + b`.
pub(super) fn classify_states(
    m: &Model,
    derived: &[Expr],
) -> (Vec<Role>, Vec<(usize, Expr, Expr)>) {
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

/// Storage classes of a synapse, most compact first (see ARCHITECTURE.md, "Storage").
pub(super) fn storage_classes(
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
    let odes_read_synapses = m
        .states
        .iter()
        .enumerate()
        .filter(|(i, _)| clock(*i))
        .any(|(_, s)| s.ode.as_ref().is_some_and(reads_per_synapse));
    let outputs_read_synapses = m.outputs.iter().any(|o| reads_per_synapse(&o.value));
    let clock_reads_synapses = odes_read_synapses || outputs_read_synapses;
    // Kept per presynaptic neuron, the outputs are still pushed per synapse: they may read a
    // per-synapse value (`w * s`, a weight times the presynaptic gating) directly, but not
    // through a derived expression, which is computed once per presynaptic neuron.
    let derived_read_synapses = derived.iter().any(reads_per_synapse);
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
        && !odes_read_synapses
        && !derived_read_synapses
        && !rule_targets_clock
        && !events_read_synapses
    {
        out.push(Storage::PerPre);
    }
    out.push(Storage::PerSynapse);
    out
}
