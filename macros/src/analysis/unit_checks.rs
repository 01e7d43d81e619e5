//! Layer 7, phase 3: the units of every equation (one pass, all errors), the units the spike
//! rules add to postsynaptic variables, and the folding of power-of-ten factors where two scales
//! of one dimension meet.

use super::checks::evaluation_order;
use super::rules;
use crate::args::Op;
use crate::errors::Errors;
use crate::ir::{Builtin, Expr, Sym};
use crate::model::{Model, RuleTarget};
use crate::parse::{Kind, OutputKind, Timing};
use crate::unit::Unit;
use crate::units::{self, Inferred};

/// The postsynaptic variables the rules add to, with the unit of what they add (one unit per
/// variable).
pub(super) fn post_writes(
    m: &Model,
    order: &[usize],
    errors: &mut Errors,
) -> Vec<(String, Option<Unit>)> {
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

/// The unit of each output's value for the summed outputs (`None` for the other kinds, and in
/// a model declared `unitless`).
pub(super) fn summed_units(m: &Model, order: &[usize]) -> Vec<Option<Unit>> {
    let env = unit_env(m, order);
    m.outputs
        .iter()
        .map(|o| match o.kind {
            OutputKind::Summed if !m.unitless => {
                match units::infer(&o.value, &env, &mut Vec::new()) {
                    Some(Inferred::Num(u)) => Some(u),
                    Some(Inferred::Bool) => Some(Unit::ONE),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// One declared unit replaced by another, to ask what the checks would say had it been declared
/// so (see `unit_causes`); `None` is the model as written.
pub(super) type Override = Option<(Sym, Unit)>;

/// The declared unit of a parameter, state or derived expression, with `over` in place.
pub(super) fn declared(m: &Model, s: Sym, over: Override) -> Option<Unit> {
    match (over, s) {
        (Some((o, u)), _) if o == s => Some(u),
        (_, Sym::Param(i)) => m.params[i].unit,
        (_, Sym::State(i)) => m.states[i].unit,
        (_, Sym::Derived(i)) => m.derived[i].unit,
        (_, Sym::Builtin(_)) => None,
    }
}

/// An equation whose unit is not the one its declarations ask for: the error at
/// [`Report::errors`]`[error]`, the equation, and the two units.
pub(super) struct Mismatch<'m> {
    pub error: usize,
    pub expr: &'m Expr,
    pub got: Unit,
    pub expected: Unit,
    /// What the equation is, as the error names it (``the right-hand side of `dw/dt` ``).
    pub what: String,
}

/// The unit errors of a model, in the order found, and which of them are [`Mismatch`]es.
#[derive(Default)]
pub(super) struct Report<'m> {
    pub errors: Vec<syn::Error>,
    pub mismatches: Vec<Mismatch<'m>>,
}

impl<'m> Report<'m> {
    /// Checks `got`, inferred for `e`, against `expected` (see [`units::check`]).
    fn check(&mut self, e: &'m Expr, expected: Unit, got: &Inferred, what: String) {
        if let Some(error) = units::check(expected, got, e.span, &what) {
            if let Inferred::Num(got) = *got {
                self.mismatches.push(Mismatch {
                    error: self.errors.len(),
                    expr: e,
                    got,
                    expected,
                    what,
                });
            }
            self.errors.push(error);
        }
    }
}

/// The unit of every symbol, given the units of the derived expressions (and `over`).
fn env_for<'m>(
    m: &'m Model,
    derived_units: &[Option<Unit>],
    over: Override,
) -> impl Fn(Sym) -> Option<Unit> + 'm {
    let derived_units = derived_units.to_vec();
    move |s: Sym| -> Option<Unit> {
        match s {
            Sym::Param(_) | Sym::State(_) => declared(m, s, over),
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
/// diagnostics of the inference go to `report`.
fn derived_units<'m>(
    m: &'m Model,
    order: &[usize],
    report: &mut Report<'m>,
    over: Override,
) -> Vec<Option<Unit>> {
    let mut derived_units: Vec<Option<Unit>> = (0..m.derived.len())
        .map(|d| declared(m, Sym::Derived(d), over))
        .collect();
    for &d in order {
        let env = env_for(m, &derived_units, over);
        let got = units::infer(&m.derived[d].value, &env, &mut report.errors);
        match (declared(m, Sym::Derived(d), over), got) {
            (Some(u), Some(g)) => report.check(
                &m.derived[d].value,
                u,
                &g,
                format!("`{}`", m.derived[d].ident),
            ),
            (None, Some(Inferred::Num(u))) => derived_units[d] = Some(u),
            (None, Some(Inferred::Bool)) => derived_units[d] = Some(Unit::ONE),
            _ => {}
        }
    }
    derived_units
}

/// The unit of every symbol, without reporting anything (the checks report).
fn unit_env<'m>(m: &'m Model, order: &[usize]) -> impl Fn(Sym) -> Option<Unit> + 'm {
    let units = derived_units(m, order, &mut Report::default(), None);
    env_for(m, &units, None)
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
                    OutputKind::Current => Some(Unit::NA),
                    OutputKind::Conductance => Some(Unit::US),
                    OutputKind::Voltage => Some(Unit::MV),
                    // In the unit the expression has; converted into the neuron's at binding.
                    OutputKind::Summed => None,
                };
                (
                    to(&o.value, unit),
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

/// Unit checks of every equation; one pass, all errors. An equation whose unit is not the one
/// declared comes with the declarations that made its unit what it is (`unit_causes`).
pub(super) fn check_units(m: &Model, order: &[usize], errors: &mut Errors) {
    let report = unit_report(m, order, None);
    errors.extend(super::unit_causes::explain(m, order, report));
}

/// The unit errors of every equation with `over` in place.
pub(super) fn unit_report<'m>(m: &'m Model, order: &[usize], over: Override) -> Report<'m> {
    let mut list = Report::default();
    let derived_units = derived_units(m, order, &mut list, over);
    let env = env_for(m, &derived_units, over);
    let expect = |e: &'m Expr, unit: Option<Unit>, what: String, list: &mut Report<'m>| {
        if let (Some(u), Some(g)) = (unit, units::infer(e, &env, &mut list.errors)) {
            list.check(e, u, &g, what);
        }
    };
    let state_unit = |i: usize| declared(m, Sym::State(i), over);
    for (i, s) in m.states.iter().enumerate() {
        let name = &s.ident;
        if let Some(ode) = &s.ode {
            expect(
                ode,
                state_unit(i).map(|u| u.div(Unit::MS)),
                format!("the right-hand side of `d{name}/dt`"),
                &mut list,
            );
        }
        if let Some(init) = &s.init {
            if init.as_num().is_none() {
                expect(
                    init,
                    state_unit(i),
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
                state_unit(i),
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
                    state_unit(i),
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
            state_unit(a.state),
            format!("the reset `{} {op} ...`", s.ident),
            &mut list,
        );
    }
    if let Some((th, _)) = &m.threshold {
        if let Some(g) = units::infer(th, &env, &mut list.errors) {
            if !matches!(g, Inferred::Bool) {
                list.errors.push(
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
            list.errors.push(syn::Error::new(
                ident.span(),
                format!(
                    "the input `{ident}` is the current synapses write into (nA, pA, ...); \
                     found `{u}`"
                ),
            ));
        }
    }
    if let Some(i) = m.membrane {
        if let Some(u) = state_unit(i) {
            if u != Unit::MV {
                list.errors.push(syn::Error::new(
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
            OutputKind::Current => (Some(Unit::NA), "a current output"),
            OutputKind::Conductance => (Some(Unit::US), "a conductance output"),
            OutputKind::Voltage => (Some(Unit::MV), "a voltage output"),
            // Any unit of its own (inferred, so that its terms are checked against each
            // other); the neuron's variable is matched when the synapses are bound.
            OutputKind::Summed => {
                units::infer(&o.value, &env, &mut list.errors);
                (None, "a summed variable")
            }
        };
        expect(&o.value, unit, what.into(), &mut list);
        if let Some(r) = &o.reversal {
            expect(r, Some(Unit::MV), "a reversal potential".into(), &mut list);
        }
        if let Some(d) = &o.delay {
            expect(d, Some(Unit::MS), "a delay".into(), &mut list);
        }
    }
    list
}
