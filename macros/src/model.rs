//! Layer 6, phase 2: [`RawModel`] → [`Model`]: names resolved, expressions lowered to
//! [`ir::Expr`] with their spans, units parsed.

use std::collections::HashMap;

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::Ident;

use crate::args::Op;
use crate::errors::{suggest, Errors};
use crate::ir::{BinOp, Builtin, Expr, ExprKind, Func, Sym};
use crate::parse::{Kind, Method, OutputKind, RawModel, Timing};
use crate::spans::Spans;
use crate::unit::{parse_unit, Unit};

/// A parameter.
pub struct Param {
    pub ident: Ident,
    pub default: f64,
    pub unit: Option<Unit>,
    pub unit_text: String,
    pub doc: String,
    /// `per_synapse` / `per_neuron`: the equations read the state [`State::fixed`] of this
    /// parameter, one value per element; the field is its default.
    pub per_element: bool,
    /// `domain = ...`: the values accepted.
    pub domain: Domain,
}

/// The values a parameter accepts (the runtime's `Domain`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    Any,
    Positive,
    NonNegative,
    Flag,
    Range(f64, f64),
}

impl Domain {
    /// Whether `x` is in the domain.
    pub fn contains(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Domain::Any => true,
                Domain::Positive => x > 0.0,
                Domain::NonNegative => x >= 0.0,
                Domain::Flag => x == 0.0 || x == 1.0,
                Domain::Range(lo, hi) => (lo..=hi).contains(&x),
            }
    }

    /// As the runtime's messages say it.
    pub fn text(self) -> String {
        match self {
            Domain::Any => "finite".into(),
            Domain::Positive => "positive".into(),
            Domain::NonNegative => "non-negative".into(),
            Domain::Flag => "0 or 1".into(),
            Domain::Range(lo, hi) => format!("in [{lo}, {hi}]"),
        }
    }
}

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

/// A spike-triggered update.
pub struct Event {
    pub timing: Timing,
    pub op: Op,
    pub value: Expr,
    pub text: String,
}

/// A state variable.
pub struct State {
    pub ident: Ident,
    pub init: Option<Expr>,
    pub init_text: String,
    pub unit: Option<Unit>,
    pub unit_text: String,
    pub ode: Option<Expr>,
    pub ode_text: Option<String>,
    pub events: Vec<Event>,
    /// An ODE or a spike update was written (even if it failed to resolve).
    pub declared_updates: bool,
    /// `clock_driven`: never advanced lazily at events.
    pub clock_driven: bool,
    /// The per-element parameter this state stores (never changed during a run).
    pub fixed: Option<usize>,
    /// `unless_refractory`: held while the neuron is refractory.
    pub unless_refractory: bool,
    pub doc: String,
}

/// What a rule statement changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleTarget {
    /// A state of the synapse.
    State(usize),
    /// A state of the postsynaptic neuron, by name (`ge_post` is `ge`).
    Post(String),
}

/// A statement of a rule block.
pub struct Rule {
    pub target: RuleTarget,
    pub op: Op,
    pub value: Expr,
    /// `target op value`, as written.
    pub text: String,
    /// The whole statement.
    pub span: Spans,
}

/// A derived expression.
pub struct Derived {
    pub ident: Ident,
    pub value: Expr,
    pub text: String,
    pub unit: Option<Unit>,
    pub unit_text: Option<String>,
    pub doc: String,
}

/// A synapse output.
pub struct Output {
    pub kind: OutputKind,
    pub value: Expr,
    pub value_text: String,
    pub reversal: Option<Expr>,
    pub reversal_text: Option<String>,
    pub delay: Option<Expr>,
    pub delay_text: Option<String>,
    pub to_pre: bool,
}

/// A reset statement.
pub struct Assign {
    pub state: usize,
    pub op: Op,
    pub value: Expr,
    pub text: String,
}

/// The resolved model.
pub struct Model {
    pub kind: Kind,
    pub item: syn::ItemStruct,
    pub doc: String,
    pub method: Option<(Method, Span)>,
    /// The crate whose `__private` module generated code uses (`::neurode` if `None`).
    pub krate: Option<syn::Path>,
    /// `substeps = n`: each step of a neuron integrated as `n` steps of `dt / n`.
    pub substeps: Option<u32>,
    pub params: Vec<Param>,
    pub states: Vec<State>,
    pub derived: Vec<Derived>,
    pub input: Option<(Ident, Option<Unit>)>,
    pub outputs: Vec<Output>,
    pub threshold: Option<(Expr, String)>,
    /// `rising`: a spike only at the step where the threshold becomes true.
    pub rising: bool,
    /// `dead_time = ...`: no spike within this time (ms) of the last.
    pub dead_time: Option<(Expr, String)>,
    /// `within_step`: the reset at the crossing inside the step, the rest of the step
    /// integrated from the reset state; refractoriness ends inside a step too. `Some(true)`:
    /// the crossing found by integrating from the part's start (`within_step = integrated`),
    /// `Some(false)`: on the straight segment between the part's two ends.
    pub within_step: Option<bool>,
    pub reset: Vec<Assign>,
    pub refractory: Option<(Expr, String)>,
    pub membrane: Option<usize>,
    /// `#[on_pre(...)]`: statements in order (`None` without the block).
    pub rules_pre: Option<Vec<Rule>>,
    /// `#[on_post(...)]`: statements in order (`None` without the block).
    pub rules_post: Option<Vec<Rule>>,
    /// No field declares a unit: units are not checked.
    pub unitless: bool,
}

impl Model {
    /// The name of a symbol as the user wrote it.
    pub fn sym_name(&self, sym: Sym) -> String {
        match sym {
            Sym::Param(i) => self.params[i].ident.to_string(),
            Sym::State(i) => self.states[i].ident.to_string(),
            Sym::Derived(i) => self.derived[i].ident.to_string(),
            Sym::Builtin(Builtin::Input) => self
                .input
                .as_ref()
                .map_or("input".into(), |(i, _)| i.to_string()),
            Sym::Builtin(Builtin::Rand(k)) => format!("__rand{k}"),
            Sym::Builtin(Builtin::Randn(k)) => format!("__randn{k}"),
            Sym::Builtin(b) => Builtin::SYNAPSE
                .iter()
                .chain(Builtin::NEURON.iter())
                .find(|(_, x)| *x == b)
                .map_or("?", |(n, _)| n)
                .to_string(),
        }
    }
}

/// Text of an expression as a person writes it (for docs and `neurode describe`): binary
/// operators spaced, unary operators, calls and method calls tight, parentheses as written.
pub fn text_of(e: &syn::Expr) -> String {
    let list = |args: &mut dyn Iterator<Item = &syn::Expr>| {
        args.map(text_of).collect::<Vec<_>>().join(", ")
    };
    match e {
        syn::Expr::Binary(b) => format!(
            "{} {} {}",
            text_of(&b.left),
            b.op.to_token_stream(),
            text_of(&b.right)
        ),
        syn::Expr::Unary(u) => format!("{}{}", u.op.to_token_stream(), text_of(&u.expr)),
        syn::Expr::Paren(p) => format!("({})", text_of(&p.expr)),
        syn::Expr::Group(g) => text_of(&g.expr),
        syn::Expr::Call(c) => format!("{}({})", text_of(&c.func), list(&mut c.args.iter())),
        syn::Expr::MethodCall(m) => format!(
            "{}.{}({})",
            text_of(&m.receiver),
            m.method,
            list(&mut m.args.iter())
        ),
        syn::Expr::If(i) => {
            let branch = |b: &syn::Block| match b.stmts.as_slice() {
                [syn::Stmt::Expr(e, None)] => text_of(e),
                _ => b.to_token_stream().to_string(),
            };
            let otherwise = i
                .else_branch
                .as_ref()
                .map_or(String::new(), |(_, e)| match &**e {
                    syn::Expr::Block(b) => format!(" else {{ {} }}", branch(&b.block)),
                    other => format!(" else {}", text_of(other)),
                });
            format!(
                "if {} {{ {} }}{otherwise}",
                text_of(&i.cond),
                branch(&i.then_branch)
            )
        }
        syn::Expr::Cast(c) => format!("{} as {}", text_of(&c.expr), c.ty.to_token_stream()),
        syn::Expr::Path(p) => p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::"),
        other => other.to_token_stream().to_string(),
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
            ode: s.ode.as_ref().and_then(|e| lw.lower(e, errors)),
            ode_text: s.ode.as_ref().map(text_of),
            events,
            declared_updates: s.ode.is_some() || !s.events.is_empty(),
            clock_driven: s.clock_driven,
            fixed: None,
            unless_refractory: s.unless_refractory.is_some(),
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
            ode: None,
            ode_text: None,
            events: Vec::new(),
            declared_updates: true,
            clock_driven: false,
            fixed: Some(i),
            unless_refractory: false,
            doc: p.doc.clone(),
        });
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
    if raw.kind == Kind::Neuron && raw.input.is_none() {
        errors.at(
            raw.item.ident.span(),
            "a neuron needs an input current field: add `#[input(unit = \"nA\")] pub I: f64`",
        );
    }

    let derived = raw
        .derived
        .iter()
        .filter_map(|d| {
            let (unit, unit_text) = match &d.unit {
                Some(_) => {
                    let (u, t) = unit_of(&d.unit, "expression", &d.ident, quiet(&d.ident), errors);
                    (u, Some(t))
                }
                None => (None, None),
            };
            Some(Derived {
                ident: d.ident.clone(),
                value: lw.lower(&d.value, errors)?,
                text: text_of(&d.value),
                unit,
                unit_text,
                doc: d.doc.clone(),
            })
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
        membrane,
        rules_pre,
        rules_post,
        unitless,
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

/// The value of a numeric literal, possibly negated.
fn literal_value(e: &syn::Expr) -> Option<f64> {
    match e {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Float(f) => f.base10_parse().ok(),
            syn::Lit::Int(i) => i.base10_parse::<i64>().ok().map(|x| x as f64),
            _ => None,
        },
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            literal_value(&u.expr).map(|x| -x)
        }
        syn::Expr::Paren(p) => literal_value(&p.expr),
        syn::Expr::Group(g) => literal_value(&g.expr),
        _ => None,
    }
}

struct Lowerer<'a> {
    scope: &'a HashMap<String, Sym>,
    /// Calls of `rand()` and `randn()` lowered so far (each its own draw).
    draws: std::cell::Cell<u8>,
}

impl Lowerer<'_> {
    fn lower(&self, e: &syn::Expr, errors: &mut Errors) -> Option<Expr> {
        let span = Spans::of(e);
        let kind = match e {
            syn::Expr::Lit(l) => match &l.lit {
                syn::Lit::Bool(b) => ExprKind::Bool(b.value),
                _ => match literal_value(e) {
                    Some(x) => ExprKind::Num(x),
                    None => {
                        errors.push(span.error("expected a number"));
                        return None;
                    }
                },
            },
            syn::Expr::Path(p) => {
                let Some(ident) = p.path.get_ident() else {
                    errors.push(
                        span.error("expected a name of this model or a built-in (`t`, `dt`, ...)"),
                    );
                    return None;
                };
                let name = ident.to_string();
                match self.scope.get(&name) {
                    Some(sym) => ExprKind::Var(*sym),
                    None => {
                        let mut msg = format!("cannot find `{name}` in this model");
                        if name == "xi" {
                            msg.push_str(
                                "\nhelp: white noise `xi` is a built-in of neuron models, in their ODEs",
                            );
                        } else if let Some(s) =
                            suggest(&name, self.scope.keys().map(String::as_str))
                        {
                            msg.push_str(&format!("\nhelp: did you mean `{s}`?"));
                        }
                        errors.at(ident.span(), msg);
                        return None;
                    }
                }
            }
            syn::Expr::Index(ix) => {
                // A unit literal: `40.0[mV]`, `0.1[mS/cm^2]`.
                let Some(x) = literal_value(&ix.expr) else {
                    errors.push(Spans::of(&ix.expr).error(
                        "a unit in brackets follows a number, as in `40.0[mV]`\nhelp: to give \
                         a value a unit, multiply it by a unit literal such as `1.0[mV]`",
                    ));
                    return None;
                };
                let text = ix.index.to_token_stream().to_string();
                match crate::unit::parse_unit(&text, ix.index.span()) {
                    Ok(unit) => ExprKind::Quantity(x, unit),
                    Err(e) => {
                        errors.push(e);
                        return None;
                    }
                }
            }
            syn::Expr::Paren(p) => return self.lower(&p.expr, errors).map(|x| Expr { span, ..x }),
            syn::Expr::Group(g) => return self.lower(&g.expr, errors),
            syn::Expr::Unary(u) => {
                let inner = self.lower(&u.expr, errors);
                match u.op {
                    syn::UnOp::Neg(_) => match inner?.kind {
                        ExprKind::Num(x) => ExprKind::Num(-x),
                        ExprKind::Quantity(x, unit) => ExprKind::Quantity(-x, unit),
                        other => ExprKind::Neg(Box::new(Expr::new(other, Spans::of(&u.expr)))),
                    },
                    syn::UnOp::Not(_) => ExprKind::Not(Box::new(inner?)),
                    _ => {
                        errors.push(span.error("unsupported operator in an equation"));
                        return None;
                    }
                }
            }
            syn::Expr::Binary(b) => {
                use syn::BinOp as B;
                let op = match b.op {
                    B::Add(_) => BinOp::Add,
                    B::Sub(_) => BinOp::Sub,
                    B::Mul(_) => BinOp::Mul,
                    B::Div(_) => BinOp::Div,
                    B::Lt(_) => BinOp::Lt,
                    B::Le(_) => BinOp::Le,
                    B::Gt(_) => BinOp::Gt,
                    B::Ge(_) => BinOp::Ge,
                    B::Eq(_) => BinOp::Eq,
                    B::Ne(_) => BinOp::Ne,
                    B::And(_) => BinOp::And,
                    B::Or(_) => BinOp::Or,
                    B::BitXor(_) => {
                        errors.push(span.error("`^` is not a power in Rust\nhelp: write `x.powi(2)` for an integer power, `x.powf(p)` otherwise"));
                        return None;
                    }
                    _ => {
                        errors.push(span.error(
                            "unsupported operator in an equation (use + - * / comparisons && || !)",
                        ));
                        return None;
                    }
                };
                let l = self.lower(&b.left, errors);
                let r = self.lower(&b.right, errors);
                ExprKind::Bin(op, Box::new(l?), Box::new(r?))
            }
            syn::Expr::Call(c) => {
                // `exp(x)`, or `f64::exp(x)` as Rust code would write it.
                let name = match &*c.func {
                    syn::Expr::Path(p)
                        if p.path.segments.len() == 2 && p.path.segments[0].ident == "f64" =>
                    {
                        Some(p.path.segments[1].ident.to_string())
                    }
                    syn::Expr::Path(p) => p.path.get_ident().map(Ident::to_string),
                    _ => None,
                };
                let args: Vec<&syn::Expr> = c.args.iter().collect();
                let Some(name) = name else {
                    errors.push(Spans::of(&c.func).error("expected a function name such as `exp`"));
                    return None;
                };
                return self.call(&name, c.func.span(), &args, span, errors);
            }
            syn::Expr::MethodCall(m) => {
                let mut args = vec![&*m.receiver];
                args.extend(m.args.iter());
                return self.call(&m.method.to_string(), m.method.span(), &args, span, errors);
            }
            syn::Expr::If(i) => {
                let c = self.lower(&i.cond, errors);
                let a = self.block(&i.then_branch, errors);
                let Some((_, else_branch)) = &i.else_branch else {
                    errors.push(span.error("an `if` in an equation needs an `else` branch"));
                    return None;
                };
                let b = self.lower(else_branch, errors);
                ExprKind::If(Box::new(c?), Box::new(a?), Box::new(b?))
            }
            syn::Expr::Block(b) => return self.block(&b.block, errors),
            syn::Expr::Cast(c) => {
                // `spike_pre as f64` is a number already; any other cast would change the value.
                if !matches!(&*c.ty, syn::Type::Path(p) if p.path.is_ident("f64")) {
                    errors
                        .push(Spans::of(&c.ty).error(
                            "equations compute in `f64`; the only cast allowed is `as f64`",
                        ));
                    return None;
                }
                return self.lower(&c.expr, errors);
            }
            _ => {
                errors.push(span.error("unsupported expression in an equation: use numbers, names, arithmetic, comparisons, `if`/`else` and functions such as `exp`"));
                return None;
            }
        };
        Some(Expr::new(kind, span))
    }

    fn block(&self, b: &syn::Block, errors: &mut Errors) -> Option<Expr> {
        match b.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => self.lower(e, errors),
            _ => {
                errors.at(b.span(), "a branch of an equation holds one expression");
                None
            }
        }
    }

    /// `clip(x, lo, hi)`: `min(max(x, lo), hi)`, the three of one unit.
    fn clip(
        &self,
        name_span: Span,
        args: &[&syn::Expr],
        span: Spans,
        errors: &mut Errors,
    ) -> Option<Expr> {
        if args.len() != 3 {
            errors.push(span.error(format!(
                "`clip` takes 3 arguments (x, lo, hi; a method call's receiver counts), found {}",
                args.len()
            )));
            return None;
        }
        let _ = name_span;
        let lowered: Vec<Option<Expr>> = args.iter().map(|a| self.lower(a, errors)).collect();
        let [x, lo, hi]: [Option<Expr>; 3] = lowered.try_into().ok()?;
        let max = Expr::new(ExprKind::Call(Func::Max, vec![x?, lo?]), span);
        Some(Expr::new(ExprKind::Call(Func::Min, vec![max, hi?]), span))
    }

    fn call(
        &self,
        name: &str,
        name_span: Span,
        args: &[&syn::Expr],
        span: Spans,
        errors: &mut Errors,
    ) -> Option<Expr> {
        if name == "clip" {
            return self.clip(name_span, args, span, errors);
        }
        if name == "rand" || name == "randn" {
            if let Some(extra) = args.first() {
                errors.push(Spans::of(*extra).error(format!("`{name}()` takes no argument")));
                return None;
            }
            let k = self.draws.get();
            if k == u8::MAX {
                errors
                    .push(span.error("a model may call `rand()` and `randn()` 255 times at most"));
                return None;
            }
            self.draws.set(k + 1);
            let b = if name == "rand" {
                Builtin::Rand(k)
            } else {
                Builtin::Randn(k)
            };
            return Some(Expr::new(ExprKind::Var(Sym::Builtin(b)), span));
        }
        let func = match name {
            "exp" => Func::Exp,
            "ln" | "log" => Func::Ln,
            "sqrt" => Func::Sqrt,
            "abs" => Func::Abs,
            "tanh" => Func::Tanh,
            "sin" => Func::Sin,
            "cos" => Func::Cos,
            "powf" | "pow" => Func::Powf,
            "min" => Func::Min,
            "max" => Func::Max,
            "powi" => {
                let n = args
                    .get(1)
                    .and_then(|a| literal_value(a))
                    .filter(|x| x.fract() == 0.0 && x.abs() < 64.0);
                match n {
                    Some(n) => Func::Powi(n as i32),
                    None => {
                        errors.push(
                            args.get(1)
                                .map_or(span, |a| Spans::of(*a))
                                .error("`powi` takes an integer literal exponent"),
                        );
                        return None;
                    }
                }
            }
            _ => {
                const FUNCS: [&str; 12] = [
                    "exp", "ln", "sqrt", "abs", "tanh", "sin", "cos", "powi", "powf", "min", "max",
                    "clip",
                ];
                let mut msg = format!(
                    "unknown function `{name}`; equations may call: {}",
                    FUNCS.join(", ")
                );
                if let Some(s) = suggest(name, FUNCS) {
                    msg = format!("unknown function `{name}`\nhelp: did you mean `{s}`?");
                }
                errors.at(name_span, msg);
                return None;
            }
        };
        let arity = if matches!(func, Func::Powi(_)) {
            2
        } else {
            func.arity()
        };
        if args.len() != arity {
            let plural = if arity == 1 { "" } else { "s" };
            errors.push(span.error(format!("`{name}` takes {arity} argument{plural} (a method call's receiver counts), found {}", args.len())));
            return None;
        }
        let lowered: Vec<Option<Expr>> = match func {
            Func::Powi(_) => vec![self.lower(args[0], errors)],
            _ => args.iter().map(|a| self.lower(a, errors)).collect(),
        };
        let lowered: Option<Vec<Expr>> = lowered.into_iter().collect();
        Some(Expr::new(ExprKind::Call(func, lowered?), span))
    }
}
