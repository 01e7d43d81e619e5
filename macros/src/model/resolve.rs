//! Layer 6, phase 2: the fields and attributes of a [`RawModel`] resolved into a [`Model`]:
//! units and domains parsed, names looked up, derived expressions marked boolean.

use std::collections::HashMap;

use syn::spanned::Spanned;
use syn::Ident;

use crate::errors::{suggest, Errors};
use crate::ir::{BinOp, Builtin, Expr, ExprKind, Sym};
use crate::parse::{Count, Hold, Kind, RawModel, Timing};
use crate::spans::Spans;
use crate::unit::{parse_unit, Unit};

use super::lower::Lowerer;
use super::{
    literal_value, text_of, Assign, Derived, Domain, Event, Model, Output, Param, Rule, RuleTarget,
    State,
};

/// `positive`, `non_negative`, `flag` or `range(lo, hi)` (number literals, `lo <= hi`).
fn parse_domain(e: &syn::Expr, errors: &mut Errors) -> Option<Domain> {
    let expected = "a domain is `positive`, `non_negative`, `flag` or `range(lo, hi)`";
    match e {
        syn::Expr::Path(p) => match p.path.get_ident().map(Ident::to_string).as_deref() {
            Some("positive") => Some(Domain::Positive),
            Some("non_negative") => Some(Domain::NonNegative),
            Some("flag") => Some(Domain::Flag),
            _ => {
                errors.push(Spans::of(e).error(expected));
                None
            }
        },
        syn::Expr::Call(c) if matches!(&*c.func, syn::Expr::Path(p) if p.path.is_ident("range")) => {
            let bounds: Vec<Option<f64>> = c.args.iter().map(literal_value).collect();
            match bounds.as_slice() {
                [Some(lo), Some(hi)] if lo <= hi => Some(Domain::Range(*lo, *hi)),
                _ => {
                    errors.push(
                        Spans::of(e)
                            .error("`range(lo, hi)` takes two number literals with `lo <= hi`"),
                    );
                    None
                }
            }
        }
        _ => {
            errors.push(Spans::of(e).error(expected));
            None
        }
    }
}

fn unit_of(
    lit: &Option<syn::LitStr>,
    what: &str,
    name: &Ident,
    quiet: bool,
    errors: &mut Errors,
) -> (Option<Unit>, String) {
    match lit {
        Some(l) => match parse_unit(&l.value(), l.span()) {
            Ok(u) => (Some(u), l.value()),
            Err(e) => {
                errors.push(e);
                (None, l.value())
            }
        },
        None if quiet => (None, String::new()),
        None => {
            errors.at(
                name.span(),
                format!("{what} `{name}` needs a unit: add `unit = \"...\"` (`\"1\"` for a dimensionless quantity)\nnote: a model declares units on every field or on none (then nothing is checked)"),
            );
            (None, String::new())
        }
    }
}

/// Resolves every name and lowers every expression.
pub fn resolve(raw: RawModel, errors: &mut Errors) -> Model {
    let mut scope: HashMap<String, Sym> = HashMap::new();
    let builtins: &[(&str, Builtin)] = match raw.kind {
        Kind::Synapse => &Builtin::SYNAPSE,
        Kind::Neuron => &Builtin::NEURON,
    };
    for (name, b) in builtins {
        scope.insert((*name).to_string(), Sym::Builtin(*b));
    }
    let mut declare = |ident: &Ident, sym: Sym, errors: &mut Errors| {
        let name = ident.to_string();
        match scope.get(&name) {
            Some(Sym::Builtin(_)) => errors.at(
                ident.span(),
                format!("`{name}` is a built-in name of neurode; choose another name"),
            ),
            Some(_) => errors.at(ident.span(), format!("the name `{name}` is declared twice")),
            None => {
                scope.insert(name, sym);
            }
        }
    };
    // A per-element parameter is read through a state of its own, after the declared ones.
    let mut n_fixed = 0;
    for (i, p) in raw.params.iter().enumerate() {
        if p.per_element.is_some() {
            declare(&p.ident, Sym::State(raw.states.len() + n_fixed), errors);
            n_fixed += 1;
        } else {
            declare(&p.ident, Sym::Param(i), errors);
        }
    }
    for (i, s) in raw.states.iter().enumerate() {
        declare(&s.ident, Sym::State(i), errors);
    }
    for (i, d) in raw.derived.iter().enumerate() {
        declare(&d.ident, Sym::Derived(i), errors);
    }
    if let Some(input) = &raw.input {
        declare(&input.ident, Sym::Builtin(Builtin::Input), errors);
    }
    for alias in &raw.input_aliases {
        scope
            .entry(alias.to_string())
            .or_insert(Sym::Builtin(Builtin::Input));
    }
    let lw = Lowerer {
        scope: &scope,
        draws: std::cell::Cell::new(0),
    };
    // Units are declared on every field or on none: a model without any is not checked.
    let unitless = raw.params.iter().all(|p| p.unit.is_none())
        && raw.states.iter().all(|s| s.unit.is_none())
        && raw.derived.iter().all(|d| d.unit.is_none())
        && raw.input.as_ref().is_none_or(|i| i.unit.is_none());
    let quiet = |name: &Ident| unitless || raw.quiet.contains(&name.to_string());

    let params = raw
        .params
        .iter()
        .map(|p| {
            let (unit, unit_text) =
                unit_of(&p.unit, "parameter", &p.ident, quiet(&p.ident), errors);
            let default = p.default.as_ref().and_then(|d| match literal_value(d) {
                Some(x) => Some(x),
                None => {
                    errors.at(
                        d.span(),
                        "a default is a number literal, such as `0.5` or `-1e7`",
                    );
                    None
                }
            });
            let domain = p
                .domain
                .as_ref()
                .and_then(|d| parse_domain(d, errors))
                .unwrap_or(Domain::Any);
            if let (Some(x), Some(d)) = (default, p.default.as_ref()) {
                if !domain.contains(x) {
                    errors.push(Spans::of(d).error(format!(
                        "the default {x} of `{}` is outside its domain: it must be {}",
                        p.ident,
                        domain.text()
                    )));
                }
            }
            Param {
                ident: p.ident.clone(),
                default: default.unwrap_or(0.0),
                unit,
                unit_text,
                unit_span: p.unit.as_ref().map(|l| l.span()),
                doc: p.doc.clone(),
                per_element: p.per_element.is_some(),
                domain,
            }
        })
        .collect::<Vec<Param>>();

    let mut membrane = None;
    let mut states = Vec::new();
    for (i, s) in raw.states.iter().enumerate() {
        let (unit, unit_text) = unit_of(&s.unit, "state", &s.ident, quiet(&s.ident), errors);
        if s.membrane {
            if raw.kind == Kind::Synapse {
                errors.at(
                    s.ident.span(),
                    "`membrane` marks a neuron's membrane potential",
                );
            } else if membrane.replace(i).is_some() {
                errors.at(
                    s.ident.span(),
                    "only one state can be the `membrane` potential",
                );
            }
        }
        let events = s
            .events
            .iter()
            .filter_map(|e| {
                if raw.kind == Kind::Neuron {
                    let key = if e.timing == Timing::Before { "on_pre" } else { "on_pre_after" };
                    errors.at(e.span, format!("`{key}` updates belong to synapses; a neuron's spike triggers `#[reset(...)]`"));
                    return None;
                }
                Some(Event { timing: e.timing, op: e.op, value: lw.lower(&e.value, errors)?, text: text_of(&e.value) })
            })
            .collect();
        states.push(State {
            ident: s.ident.clone(),
            init: s.init.as_ref().and_then(|e| lw.lower(e, errors)),
            init_text: s.init.as_ref().map_or_else(|| "0.0".into(), text_of),
            unit,
            unit_text,
            unit_span: s.unit.as_ref().map(|l| l.span()),
            ode: s.ode.as_ref().and_then(|e| lw.lower(e, errors)),
            ode_text: s.ode.as_ref().map(text_of),
            events,
            declared_updates: s.ode.is_some() || !s.events.is_empty(),
            clock_driven: s.clock_driven,
            fixed: None,
            unless_refractory: s.unless_refractory.is_some(),
            summed: s.summed.is_some(),
            doc: s.doc.clone(),
        });
    }
    for (i, p) in params.iter().enumerate().filter(|(_, p)| p.per_element) {
        let span = Spans::of(&p.ident);
        states.push(State {
            ident: p.ident.clone(),
            init: Some(Expr::var_at(Sym::Param(i), span)),
            init_text: p.ident.to_string(),
            unit: p.unit,
            unit_text: p.unit_text.clone(),
            unit_span: p.unit_span,
            ode: None,
            ode_text: None,
            events: Vec::new(),
            declared_updates: true,
            clock_driven: false,
            fixed: Some(i),
            unless_refractory: false,
            summed: false,
            doc: p.doc.clone(),
        });
    }
    if let (Some((key, _)), Some(_)) = (&raw.count, raw.within_step) {
        errors.at(
            key.span(),
            "`count` counts the refractory steps on the grid; with `within_step` the period ends \
             inside a step, at t_last_spike + t_ref",
        );
    }
    if let Some((key, _)) = &raw.hold {
        if let Some(s) = raw.states.iter().find(|s| s.unless_refractory.is_some()) {
            errors.at(
                key.span(),
                format!(
                    "`hold` and `unless_refractory` (on `{}`) both say which states the \
                     refractory period holds: keep one",
                    s.ident
                ),
            );
        }
    }
    for s in &raw.states {
        let Some(flag) = &s.summed else { continue };
        if raw.kind == Kind::Synapse {
            errors.at(flag.span(), "`summed` marks a neuron's variable that synapses sum into; a synapse writes one with `#[summed(x_post = ...)]`");
        } else if s.ode.is_some() || s.membrane {
            let what = if s.membrane {
                "the membrane potential"
            } else {
                "a state with an `ode`"
            };
            errors.at(flag.span(), format!("a summed variable is assigned by synapses every step, so it cannot be {what}: declare `{}` without `ode` and keep it out of the membrane", s.ident));
        } else if raw.reset.iter().any(|a| a.target == s.ident) {
            errors.at(flag.span(), format!("a summed variable is assigned by synapses every step; the reset of `{}` would be overwritten", s.ident));
        }
    }
    for s in &raw.states {
        if let Some(flag) = &s.unless_refractory {
            if raw.kind == Kind::Synapse {
                errors.at(flag.span(), "`unless_refractory` marks a neuron's state held while the neuron is refractory; synapses have no refractory period");
            } else if raw.refractory.is_none() {
                errors.at(flag.span(), "`unless_refractory` holds the state during the refractory period, which this neuron does not have: add `#[refractory(...)]`");
            }
        }
    }
    if raw.kind == Kind::Neuron && membrane.is_none() {
        membrane = raw
            .states
            .iter()
            .position(|s| s.ident == "V" || s.ident == "v");
        if membrane.is_none() {
            errors.at(raw.item.ident.span(), "a neuron needs a membrane potential: mark one state with `membrane` (or name it `V`)");
        }
    }

    // Every derived expression keeps its place, also one whose lowering failed (its error is
    // reported; it stands as 0 so that names referring to it by index still resolve).
    let derived = raw
        .derived
        .iter()
        .map(|d| {
            let (unit, unit_text) = match &d.unit {
                Some(_) => {
                    let (u, t) = unit_of(&d.unit, "expression", &d.ident, quiet(&d.ident), errors);
                    (u, Some(t))
                }
                None => (None, None),
            };
            Derived {
                ident: d.ident.clone(),
                value: lw
                    .lower(&d.value, errors)
                    .unwrap_or_else(|| Expr::num(0.0, Spans::of(&d.value))),
                text: text_of(&d.value),
                unit,
                unit_text,
                unit_span: d.unit.as_ref().map(|l| l.span()),
                doc: d.doc.clone(),
            }
        })
        .collect();

    let outputs = raw
        .outputs
        .iter()
        .filter_map(|o| {
            Some(Output {
                kind: o.kind,
                value: lw.lower(&o.value, errors)?,
                value_text: text_of(&o.value),
                reversal: o.reversal.as_ref().and_then(|e| lw.lower(e, errors)),
                reversal_text: o.reversal.as_ref().map(text_of),
                delay: o.delay.as_ref().and_then(|e| lw.lower(e, errors)),
                delay_text: o.delay.as_ref().map(text_of),
                to_pre: o.to_pre,
                variable: o.variable.as_ref().map(Ident::to_string),
            })
        })
        .collect();

    let reset = raw
        .reset
        .iter()
        .filter_map(|a| {
            let state = match scope.get(&a.target.to_string()) {
                Some(Sym::State(i)) => *i,
                _ => {
                    errors.at(
                        a.target.span(),
                        format!(
                            "`#[reset]` assigns states; `{}` is not a state of this neuron",
                            a.target
                        ),
                    );
                    return None;
                }
            };
            let op = a.op.text();
            Some(Assign {
                state,
                op: a.op,
                value: lw.lower(&a.value, errors)?,
                text: format!("{} {op} {}", a.target, text_of(&a.value)),
            })
        })
        .collect();

    let fixed: Vec<usize> = (raw.states.len()..states.len()).collect();
    let mut rules_pre = None;
    let mut rules_post = None;
    let mut unresolved = raw.rules_incomplete;
    for (event, attr, stmts) in &raw.rules {
        let rules: Vec<Rule> = stmts
            .iter()
            .filter_map(|st| resolve_rule(st, &scope, &fixed, &lw, errors))
            .collect();
        unresolved |= rules.len() < stmts.len();
        if *event == crate::parse::Event::Pre {
            if let Some(s) = states.iter().find(|s| !s.events.is_empty()) {
                errors.spanned(
                    attr,
                    format!(
                        "`{}` has a spike update on its field and the synapse an `#[on_pre(...)]` block: write every presynaptic update in the block, in the order it should run",
                        s.ident
                    ),
                );
            }
            rules_pre = Some(rules);
        } else {
            rules_post = Some(rules);
        }
    }
    // A state a rule block changes has its updates there. After a statement in error, which
    // states it meant to change is unknown: none is reported as never changing.
    for rule in rules_pre.iter().chain(rules_post.iter()).flatten() {
        if let RuleTarget::State(i) = rule.target {
            states[i].declared_updates = true;
        }
    }
    if unresolved {
        for s in &mut states {
            s.declared_updates = true;
        }
    }

    let threshold = raw
        .threshold
        .as_ref()
        .and_then(|e| Some((lw.lower(e, errors)?, text_of(e))));
    let dead_time = raw
        .dead_time
        .as_ref()
        .and_then(|e| Some((lw.lower(e, errors)?, text_of(e))));
    let refractory = raw
        .refractory
        .as_ref()
        .and_then(|e| Some((lw.lower(e, errors)?, text_of(e))));
    if raw.kind == Kind::Neuron && !raw.threshold_attr {
        errors.at(
            raw.item.ident.span(),
            "a neuron needs a spike condition: add `#[threshold(V >= V_th)]`",
        );
    }
    let input = raw.input.as_ref().map(|i| {
        let (u, _) = unit_of(&i.unit, "input", &i.ident, quiet(&i.ident), errors);
        (i.ident.clone(), u)
    });

    let stored: Vec<_> = states
        .iter()
        .map(|s| (s.ident.to_string(), s.unit, s.unit_text.clone()))
        .collect();
    let requires =
        super::require::resolve_requires(&raw.requires, &scope, &params, &stored, errors);
    let mut model = Model {
        kind: raw.kind,
        doc: raw.doc,
        method: raw.method,
        krate: raw.krate,
        substeps: raw.substeps,
        item: raw.item,
        params,
        states,
        derived,
        input,
        outputs,
        threshold,
        rising: raw.rising,
        within_step: raw.within_step,
        dead_time,
        reset,
        refractory,
        hold: raw.hold.as_ref().map_or(Hold::Reset, |&(_, h)| h),
        count: raw.count.as_ref().map_or(Count::WithSpike, |&(_, c)| c),
        membrane,
        rules_pre,
        rules_post,
        unitless,
        requires,
    };
    mark_boolean_derived(&mut model);
    model
}

/// Resolves one statement of a rule block.
fn resolve_rule(
    st: &crate::parse::RawStmt,
    scope: &HashMap<String, Sym>,
    fixed: &[usize],
    lw: &Lowerer<'_>,
    errors: &mut Errors,
) -> Option<Rule> {
    let name = st.target.to_string();
    let span = Spans::of(&st.whole);
    let target = match scope.get(&name) {
        Some(Sym::State(i)) if fixed.contains(i) => {
            errors.at(
                st.target.span(),
                format!("`{name}` is a parameter (one value per synapse), fixed for a run\nhelp: make it a `#[state(...)]` to change it in a spike rule"),
            );
            return None;
        }
        Some(Sym::State(i)) => RuleTarget::State(*i),
        Some(Sym::Param(_)) => {
            errors.at(
                st.target.span(),
                format!("`{name}` is a parameter, fixed for a run\nhelp: make it a `#[state(...)]` to change it in a spike rule"),
            );
            return None;
        }
        Some(Sym::Derived(_)) => {
            errors.at(
                st.target.span(),
                format!("`{name}` is an `#[expr]`, recomputed every step: a spike rule changes a `#[state]`"),
            );
            return None;
        }
        Some(Sym::Builtin(_)) if !name.ends_with("_post") => {
            errors.at(
                st.target.span(),
                format!("`{name}` is a built-in name of neurode, read-only"),
            );
            return None;
        }
        _ => match name.strip_suffix("_post").filter(|stem| !stem.is_empty()) {
            Some(stem) => RuleTarget::Post(stem.to_string()),
            None => {
                let mut msg = format!("cannot find `{name}` in this model");
                if let Some(s) = suggest(&name, scope.keys().map(String::as_str)) {
                    msg.push_str(&format!("\nhelp: did you mean `{s}`?"));
                }
                errors.at(st.target.span(), msg);
                return None;
            }
        },
    };
    if matches!(target, RuleTarget::Post(_)) && !st.op.is_additive() {
        errors.push(span.error(format!(
            "a spike rule adds to a postsynaptic variable (`{name} += ...` or `-=`): the other synapses onto the neuron write it too, and `{}` would overwrite what they added",
            st.op.text()
        )));
        return None;
    }
    let value = lw.lower(&st.value, errors)?;
    Some(Rule {
        target,
        op: st.op,
        value,
        text: format!("{name} {} {}", st.op.text(), text_of(&st.value)),
        span,
    })
}

/// A derived expression whose value is a condition (`v_post > V_half`) is stored as 1.0 or 0.0;
/// every use of it reads `name != 0`, so it is a condition where one is needed (an `if`, `&&`)
/// and counts 1 or 0 in arithmetic, like the built-in flags.
fn mark_boolean_derived(m: &mut Model) {
    let mut boolean = vec![false; m.derived.len()];
    let as_condition = |e: &Expr, boolean: &[bool]| {
        crate::symbolic::map_vars(e, &|sym, span| match sym {
            Sym::Derived(j) if boolean[j] => Some(Expr::new(
                ExprKind::Bin(
                    BinOp::Ne,
                    Box::new(Expr::var_at(sym, span)),
                    Box::new(Expr::num(0.0, span)),
                ),
                span,
            )),
            _ => None,
        })
    };
    // To a fixed point: a derived expression can be a condition through another one.
    loop {
        let mut changed = false;
        for i in 0..m.derived.len() {
            if boolean[i] {
                continue;
            }
            let value = as_condition(&m.derived[i].value, &boolean);
            if value.is_bool() {
                boolean[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if !boolean.contains(&true) {
        return;
    }
    let rewrite = |e: &mut Expr| *e = as_condition(e, &boolean);
    for d in &mut m.derived {
        rewrite(&mut d.value);
    }
    for s in &mut m.states {
        s.ode.iter_mut().chain(s.init.iter_mut()).for_each(rewrite);
        s.events.iter_mut().for_each(|e| rewrite(&mut e.value));
    }
    for r in m
        .rules_pre
        .iter_mut()
        .chain(m.rules_post.iter_mut())
        .flatten()
    {
        rewrite(&mut r.value);
    }
    for o in &mut m.outputs {
        rewrite(&mut o.value);
        o.reversal
            .iter_mut()
            .chain(o.delay.iter_mut())
            .for_each(rewrite);
    }
    m.reset.iter_mut().for_each(|a| rewrite(&mut a.value));
    m.threshold
        .iter_mut()
        .chain(m.refractory.iter_mut())
        .chain(m.dead_time.iter_mut())
        .for_each(|(e, _)| rewrite(e));
}
