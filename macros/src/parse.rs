//! Layer 5, phase 1: the annotated struct → [`RawModel`] (syntax only; expressions stay
//! `syn::Expr`).

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitStr};

use crate::args::{parse_args, Arg, Op};
use crate::errors::Errors;

/// The words of the DSL: attributes and their keys, in one place.
pub mod kw {
    /// `#[synapse]`, `#[neuron]` and their arguments.
    pub const SYNAPSE: &str = "synapse";
    pub const NEURON: &str = "neuron";
    pub const METHOD: &str = "method";
    pub const CRATE: &str = "crate";
    /// `substeps = n` (neurons): each step integrated as `n` steps of `dt / n`.
    pub const SUBSTEPS: &str = "substeps";
    pub const MACRO_KEYS: [&str; 3] = [METHOD, CRATE, SUBSTEPS];

    /// Struct attributes.
    pub const OUTPUT: &str = "output";
    pub const THRESHOLD: &str = "threshold";
    pub const RESET: &str = "reset";
    pub const REFRACTORY: &str = "refractory";
    pub const ON_PRE_RULES: &str = "on_pre";
    pub const ON_POST_RULES: &str = "on_post";
    pub const STRUCT_ATTRS: [&str; 6] = [
        OUTPUT,
        THRESHOLD,
        RESET,
        REFRACTORY,
        ON_PRE_RULES,
        ON_POST_RULES,
    ];

    /// Field attributes: the role of a field.
    pub const PARAM: &str = "param";
    pub const STATE: &str = "state";
    pub const EXPR: &str = "expr";
    pub const INPUT: &str = "input";
    pub const FIELD_ATTRS: [&str; 4] = [PARAM, STATE, EXPR, INPUT];

    /// Keys of `#[param]`, `#[state]`, `#[expr]` and `#[input]`.
    pub const DEFAULT: &str = "default";
    pub const UNIT: &str = "unit";
    pub const INIT: &str = "init";
    pub const ODE: &str = "ode";
    pub const ON_PRE: &str = "on_pre";
    pub const ON_PRE_AFTER: &str = "on_pre_after";
    pub const MEMBRANE: &str = "membrane";
    pub const CLOCK_DRIVEN: &str = "clock_driven";
    /// `unless_refractory`: held while the neuron is refractory (the others keep integrating).
    pub const UNLESS_REFRACTORY: &str = "unless_refractory";
    /// `#[threshold(cond, rising, dead_time = d)]`: a spike only where the condition becomes
    /// true, and none within `d` of the last.
    pub const RISING: &str = "rising";
    pub const DEAD_TIME: &str = "dead_time";
    /// `#[threshold(cond, within_step)]`: reset at the crossing inside the step.
    pub const WITHIN_STEP: &str = "within_step";
    pub const PARAM_KEYS: [&str; 5] = [DEFAULT, UNIT, DOMAIN, PER_SYNAPSE, PER_NEURON];
    /// `domain = positive | non_negative | flag | range(lo, hi)`.
    pub const DOMAIN: &str = "domain";
    /// `per_synapse` / `per_neuron`: one value per element, the field's value the default.
    pub const PER_SYNAPSE: &str = "per_synapse";
    pub const PER_NEURON: &str = "per_neuron";
    pub const STATE_KEYS: [&str; 8] = [
        INIT,
        UNIT,
        ODE,
        ON_PRE,
        ON_PRE_AFTER,
        MEMBRANE,
        CLOCK_DRIVEN,
        UNLESS_REFRACTORY,
    ];
    pub const EXPR_KEYS: [&str; 1] = [UNIT];
    pub const INPUT_KEYS: [&str; 1] = [UNIT];

    /// Keys of `#[output]`.
    pub const CURRENT: &str = "current";
    pub const CONDUCTANCE: &str = "conductance";
    pub const VOLTAGE: &str = "voltage";
    pub const REVERSAL: &str = "reversal";
    pub const DELAY: &str = "delay";
    pub const TARGET: &str = "target";
    pub const PRE: &str = "pre";
    pub const POST: &str = "post";
    pub const OUTPUT_KEYS: [&str; 6] = [CURRENT, CONDUCTANCE, VOLTAGE, REVERSAL, DELAY, TARGET];
}

/// Which macro is expanding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `#[neuron]`
    Neuron,
    /// `#[synapse]`
    Synapse,
}

impl Kind {
    /// The attribute's name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Neuron => kw::NEURON,
            Kind::Synapse => kw::SYNAPSE,
        }
    }
}

/// Integration methods named in the DSL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Euler,
    Rk2,
    Rk4,
    ExpEuler,
    Exact,
}

impl Method {
    pub const ALL: [(&'static str, Method); 5] = [
        ("euler", Method::Euler),
        ("rk2", Method::Rk2),
        ("rk4", Method::Rk4),
        ("exp_euler", Method::ExpEuler),
        ("exact", Method::Exact),
    ];

    pub fn name(self) -> &'static str {
        Method::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("?", |(n, _)| n)
    }
}

/// When a spike-triggered update acts within the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// `on_pre`: before integration.
    Before,
    /// `on_pre_after`: after integration.
    After,
}

/// A spike-triggered update of a state: `on_pre = value` / `on_pre += value`.
pub struct RawEvent {
    pub timing: Timing,
    pub op: Op,
    pub value: Expr,
    pub span: Span,
}

/// `#[param(default = .., unit = "..")]`
pub struct RawParam {
    pub ident: Ident,
    pub default: Option<Expr>,
    /// `domain = ...`, as written.
    pub domain: Option<Expr>,
    pub unit: Option<LitStr>,
    pub doc: String,
    /// `per_synapse` / `per_neuron`, with the flag (for diagnostics).
    pub per_element: Option<Ident>,
}

/// `#[state(init = .., unit = "..", ode = .., on_pre = .., membrane)]`
pub struct RawState {
    pub ident: Ident,
    pub init: Option<Expr>,
    pub unit: Option<LitStr>,
    pub ode: Option<Expr>,
    pub events: Vec<RawEvent>,
    pub membrane: bool,
    /// `clock_driven`: integrated every step even where it could be advanced at events.
    pub clock_driven: bool,
    /// `unless_refractory`, with the flag (for diagnostics).
    pub unless_refractory: Option<Ident>,
    pub doc: String,
}

/// `#[expr(value, unit = "..")]`
pub struct RawDerived {
    pub ident: Ident,
    pub value: Expr,
    pub unit: Option<LitStr>,
    pub doc: String,
}

/// `#[input(unit = "nA")]`
pub struct RawInput {
    pub ident: Ident,
    pub unit: Option<LitStr>,
}

/// Output kinds as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    Current,
    Conductance,
    Voltage,
}

/// `#[output(current = .. | conductance = .., reversal = .. | voltage = .., delay = .., target = pre|post)]`
pub struct RawOutput {
    pub kind: OutputKind,
    pub value: Expr,
    pub reversal: Option<Expr>,
    pub delay: Option<Expr>,
    pub to_pre: bool,
}

/// Which spike a rule block answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `#[on_pre(...)]`: a presynaptic spike.
    Pre,
    /// `#[on_post(...)]`: a postsynaptic spike.
    Post,
}

impl Event {
    /// The attribute's name.
    pub fn name(self) -> &'static str {
        match self {
            Event::Pre => kw::ON_PRE_RULES,
            Event::Post => kw::ON_POST_RULES,
        }
    }
}

/// One statement of a rule block: `target op value`.
pub struct RawStmt {
    pub target: Ident,
    pub op: Op,
    pub value: Expr,
    /// The whole statement, for diagnostics.
    pub whole: Expr,
}

/// A reset statement `state = value` / `state += value`.
pub struct RawAssign {
    pub target: Ident,
    pub op: Op,
    pub value: Expr,
}

/// The whole model as written.
pub struct RawModel {
    pub kind: Kind,
    pub item: syn::ItemStruct,
    pub method: Option<(Method, Span)>,
    /// `crate = path`: the crate whose `__private` module generated code uses.
    pub krate: Option<syn::Path>,
    /// `substeps = n`.
    pub substeps: Option<u32>,
    pub params: Vec<RawParam>,
    pub states: Vec<RawState>,
    pub derived: Vec<RawDerived>,
    pub input: Option<RawInput>,
    pub outputs: Vec<RawOutput>,
    pub threshold: Option<Expr>,
    /// `rising` in `#[threshold(...)]`.
    pub rising: bool,
    /// `dead_time = ...` in `#[threshold(...)]`.
    pub dead_time: Option<Expr>,
    /// `within_step` in `#[threshold(...)]`, and whether the crossing is found by
    /// integrating (`within_step = integrated`) rather than on the step's segment.
    pub within_step: Option<bool>,
    pub reset: Vec<RawAssign>,
    pub refractory: Option<Expr>,
    /// `#[on_pre(...)]` and `#[on_post(...)]`: the attribute and its statements, in order.
    pub rules: Vec<(Event, Attribute, Vec<RawStmt>)>,
    /// A rule block or statement was rejected (what it changes is unknown).
    pub rules_incomplete: bool,
    pub doc: String,
    /// Fields whose attribute was malformed: later phases report nothing more about them.
    pub quiet: Vec<String>,
    /// Names of extra `#[input]` fields (an error): they still resolve, to avoid follow-on errors.
    pub input_aliases: Vec<Ident>,
    /// A `#[threshold]` attribute was written (even if malformed).
    pub threshold_attr: bool,
}

/// Doc comment text of `attrs`, lines joined with `\n`.
pub fn doc_of(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for a in attrs {
        if let syn::Meta::NameValue(nv) = &a.meta {
            if nv.path.is_ident("doc") {
                if let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    lines.push(s.value().trim().to_string());
                }
            }
        }
    }
    lines.join("\n").trim().to_string()
}

fn attr_args(attr: &Attribute, errors: &mut Errors) -> Vec<Arg> {
    let tokens = match &attr.meta {
        syn::Meta::List(l) => l.tokens.clone(),
        syn::Meta::Path(_) => TokenStream::new(),
        syn::Meta::NameValue(nv) => {
            errors.spanned(
                nv,
                "expected a parenthesised argument list, as in `#[state(init = 0.0)]`",
            );
            return Vec::new();
        }
    };
    match parse_args(tokens) {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    }
}

fn lit_str(value: Expr, key: &Ident, errors: &mut Errors) -> Option<LitStr> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s),
        other => {
            errors.spanned(
                &other,
                format!("`{key}` takes a string literal, as in `{key} = \"mV\"`"),
            );
            None
        }
    }
}

fn unknown_key(errors: &mut Errors, key: &Ident, attr: &str, known: &[&str]) {
    let mut msg = format!(
        "unknown key `{key}` in `#[{attr}]`; expected one of: {}",
        known.join(", ")
    );
    if let Some(s) = crate::errors::suggest(&key.to_string(), known.iter().copied()) {
        msg = format!("unknown key `{key}` in `#[{attr}]`\nhelp: did you mean `{s}`?");
    }
    errors.at(key.span(), msg);
}

fn expect_assign(errors: &mut Errors, key: &Ident, op: Op) {
    if op != Op::Assign {
        errors.at(
            key.span(),
            format!("`{key}` is set with `=`, not `{}`", op.text()),
        );
    }
}

/// Parses the macro's own arguments and the struct.
pub fn parse(
    kind: Kind,
    args: TokenStream,
    item: TokenStream,
    errors: &mut Errors,
) -> Option<RawModel> {
    let item: syn::ItemStruct = match syn::parse2(item.clone()) {
        Ok(i) => i,
        Err(_) => {
            let span = syn::parse2::<syn::Item>(item)
                .map(|i| item_keyword_span(&i))
                .unwrap_or_else(|_| Span::call_site());
            errors.at(
                span,
                format!("`#[{}]` applies to a struct with named fields", kind.name()),
            );
            return None;
        }
    };
    if !matches!(item.fields, syn::Fields::Named(_)) {
        errors.at(
            item.struct_token.span,
            format!("`#[{}]` applies to a struct with named fields", kind.name()),
        );
        return None;
    }
    if !item.generics.params.is_empty() {
        errors.spanned(
            &item.generics,
            "a model cannot be generic: parameters are `f64` fields",
        );
    }
    let mut raw = RawModel {
        kind,
        doc: doc_of(&item.attrs),
        item: item.clone(),
        method: None,
        krate: None,
        substeps: None,
        params: Vec::new(),
        states: Vec::new(),
        derived: Vec::new(),
        input: None,
        outputs: Vec::new(),
        threshold: None,
        rising: false,
        dead_time: None,
        within_step: None,
        reset: Vec::new(),
        refractory: None,
        rules: Vec::new(),
        rules_incomplete: false,
        quiet: Vec::new(),
        input_aliases: Vec::new(),
        threshold_attr: false,
    };
    match parse_args(args) {
        Ok(list) => {
            for arg in list {
                match arg {
                    Arg::Keyed { key, op, value } if key == kw::METHOD => {
                        expect_assign(errors, &key, op);
                        raw.method = parse_method(&value, errors).map(|m| (m, value.span()));
                    }
                    Arg::Keyed { key, op, value }
                        if key == kw::SUBSTEPS && kind == Kind::Neuron =>
                    {
                        expect_assign(errors, &key, op);
                        match &value {
                            Expr::Lit(syn::ExprLit {
                                lit: syn::Lit::Int(n),
                                ..
                            }) if n.base10_parse::<u32>().is_ok_and(|n| (1..=1000).contains(&n)) => {
                                raw.substeps = n.base10_parse().ok();
                            }
                            other => errors.spanned(
                                other,
                                "`substeps` is a whole number of integration steps per step, 1 to 1000",
                            ),
                        }
                    }
                    Arg::Keyed { key, op, value } if key == kw::CRATE => {
                        expect_assign(errors, &key, op);
                        match value {
                            Expr::Path(p) if p.qself.is_none() => raw.krate = Some(p.path),
                            other => errors.spanned(
                                &other,
                                "`crate` names the crate neurode is reached through, as in `crate = ::neurode`",
                            ),
                        }
                    }
                    Arg::Flag(key) if Method::ALL.iter().any(|(n, _)| key == n) => {
                        errors.at(key.span(), format!("write `method = {key}`"));
                    }
                    Arg::Keyed { key, .. } | Arg::Flag(key) => {
                        unknown_key(errors, &key, kind.name(), &kw::MACRO_KEYS)
                    }
                    Arg::Positional(e) => errors.spanned(
                        &e,
                        format!("expected `method = ...` in `#[{}(...)]`", kind.name()),
                    ),
                }
            }
        }
        Err(e) => errors.push(e),
    }
    for attr in &item.attrs {
        let Some(name) = attr.path().get_ident().map(Ident::to_string) else {
            continue;
        };
        match (kind, name.as_str()) {
            (Kind::Synapse, kw::OUTPUT) => parse_output(attr, &mut raw, errors),
            (Kind::Neuron, kw::THRESHOLD) => {
                raw.threshold_attr = true;
                parse_threshold(attr, &mut raw, errors);
            }
            (Kind::Neuron, kw::REFRACTORY) => {
                raw.refractory = single_expr(attr, kw::REFRACTORY, errors);
            }
            (Kind::Neuron, kw::RESET) => parse_reset(attr, &mut raw, errors),
            (Kind::Synapse, kw::ON_PRE_RULES) => parse_rules(Event::Pre, attr, &mut raw, errors),
            (Kind::Synapse, kw::ON_POST_RULES) => {
                parse_rules(Event::Post, attr, &mut raw, errors);
            }
            (Kind::Neuron, kw::ON_PRE_RULES | kw::ON_POST_RULES) => errors.spanned(
                attr,
                format!("`#[{name}]` rules belong to synapses; a neuron's spike triggers `#[reset(...)]`"),
            ),
            (Kind::Neuron, kw::OUTPUT) => errors.spanned(attr, "`#[output]` belongs to synapses; a neuron receives input through its `#[input]` field"),
            (Kind::Synapse, kw::THRESHOLD | kw::RESET | kw::REFRACTORY) => {
                errors.spanned(attr, format!("`#[{name}]` belongs to neurons"));
            }
            _ => {}
        }
    }
    if let syn::Fields::Named(fields) = &item.fields {
        for field in &fields.named {
            parse_field(field, &mut raw, errors);
        }
    }
    Some(raw)
}

fn parse_reset(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
    for arg in attr_args(attr, errors) {
        match arg {
            Arg::Keyed { key, op, value } => raw.reset.push(RawAssign {
                target: key,
                op,
                value,
            }),
            other => errors.push(
                other.error("expected `state = value` or `state += value` in `#[reset(...)]`"),
            ),
        }
    }
}

/// `#[on_pre(target op value; ...)]`: statements separated by `;`, each `x = ...`, `x += ...`,
/// `x -= ...` or `x *= ...`.
fn parse_rules(event: Event, attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
    let name = event.name();
    if raw.rules.iter().any(|(e, _, _)| *e == event) {
        raw.rules_incomplete = true;
        errors.spanned(
            attr,
            format!(
                "a synapse has one `#[{name}(...)]` block: write every statement in it, in order"
            ),
        );
        return;
    }
    let tokens = match &attr.meta {
        syn::Meta::List(l) => l.tokens.clone(),
        _ => {
            raw.rules_incomplete = true;
            errors.spanned(
                attr,
                format!("expected statements, as in `#[{name}(w += 1.0; x = 0.0)]`"),
            );
            return;
        }
    };
    let parser = syn::punctuated::Punctuated::<Expr, syn::Token![;]>::parse_terminated;
    let list = match syn::parse::Parser::parse2(parser, tokens) {
        Ok(l) => l,
        Err(e) => {
            raw.rules_incomplete = true;
            errors.push(e);
            return;
        }
    };
    let mut stmts = Vec::new();
    for whole in list {
        let parts = match &whole {
            Expr::Assign(a) => Some((&*a.left, Op::Assign, (*a.right).clone())),
            Expr::Binary(b) => match b.op {
                syn::BinOp::AddAssign(_) => Some((&*b.left, Op::AddAssign, (*b.right).clone())),
                syn::BinOp::SubAssign(_) => Some((&*b.left, Op::SubAssign, (*b.right).clone())),
                syn::BinOp::MulAssign(_) => Some((&*b.left, Op::MulAssign, (*b.right).clone())),
                _ => None,
            },
            _ => None,
        };
        let Some((left, op, value)) = parts else {
            raw.rules_incomplete = true;
            errors.spanned(
                &whole,
                "a spike rule is `x = ...`, `x += ...`, `x -= ...` or `x *= ...`",
            );
            continue;
        };
        let target = match left {
            Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
            _ => None,
        };
        let Some(target) = target else {
            raw.rules_incomplete = true;
            errors.spanned(left, "a spike rule changes a variable: write its name here");
            continue;
        };
        stmts.push(RawStmt {
            target,
            op,
            value,
            whole: whole.clone(),
        });
    }
    if stmts.is_empty() && errors.is_empty() {
        errors.spanned(
            attr,
            format!("`#[{name}(...)]` needs at least one statement"),
        );
    }
    raw.rules.push((event, attr.clone(), stmts));
}

fn item_keyword_span(item: &syn::Item) -> Span {
    match item {
        syn::Item::Enum(e) => e.enum_token.span,
        syn::Item::Fn(f) => f.sig.fn_token.span,
        syn::Item::Union(u) => u.union_token.span,
        syn::Item::Struct(s) => s.struct_token.span,
        other => other.span(),
    }
}

fn parse_method(value: &Expr, errors: &mut Errors) -> Option<Method> {
    let name = match value {
        Expr::Path(p) => p.path.get_ident().map(Ident::to_string),
        _ => None,
    };
    let names: Vec<&str> = Method::ALL.iter().map(|(n, _)| *n).collect();
    match name
        .as_deref()
        .and_then(|n| Method::ALL.iter().find(|(m, _)| *m == n))
    {
        Some((_, m)) => Some(*m),
        None => {
            let written = name.as_deref().map_or_else(
                || quote::ToTokens::to_token_stream(value).to_string(),
                str::to_string,
            );
            let mut msg = format!(
                "unknown integration method `{written}`; expected one of: {}",
                names.join(", ")
            );
            if let Some(s) = name
                .as_deref()
                .and_then(|n| crate::errors::suggest(n, names.iter().copied()))
            {
                msg = format!(
                    "unknown integration method `{}`\nhelp: did you mean `{s}`?",
                    name.unwrap_or_default()
                );
            }
            errors.spanned(value, msg);
            None
        }
    }
}

fn single_expr(attr: &Attribute, name: &str, errors: &mut Errors) -> Option<Expr> {
    let mut args = attr_args(attr, errors).into_iter();
    let first = args.next();
    if let Some(extra) = args.next() {
        errors.push(extra.error(format!("`#[{name}(...)]` takes one expression")));
    }
    match first.map(Arg::into_expr) {
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => {
            errors.spanned(attr, format!("`#[{name}(...)]` needs an expression"));
            None
        }
    }
}

/// `#[threshold(cond)]`, optionally followed by `rising` and `dead_time = d`.
fn parse_threshold(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
    let mut args = attr_args(attr, errors).into_iter();
    match args.next().map(Arg::into_expr) {
        Some(Ok(e)) => raw.threshold = Some(e),
        Some(Err(e)) => errors.push(e),
        None => errors.spanned(
            attr,
            "`#[threshold(...)]` needs a condition, such as `V >= V_th`",
        ),
    }
    for arg in args {
        match arg {
            Arg::Flag(key) if key == kw::RISING => raw.rising = true,
            Arg::Flag(key) if key == kw::WITHIN_STEP => raw.within_step = Some(false),
            Arg::Keyed {
                key,
                op: Op::Assign,
                value: syn::Expr::Path(p),
            } if key == kw::WITHIN_STEP
                && (p.path.is_ident("integrated") || p.path.is_ident("linear")) =>
            {
                raw.within_step = Some(p.path.is_ident("integrated"));
            }
            Arg::Keyed {
                key,
                op: Op::Assign,
                value,
            } if key == kw::DEAD_TIME => raw.dead_time = Some(value),
            other => errors.push(other.error(
                "after the condition, `#[threshold(...)]` takes `rising`, `within_step` (or \
                 `within_step = integrated`) and `dead_time = ...`",
            )),
        }
    }
}

fn parse_output(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
    let before = errors.len();
    let mut kind = None;
    let mut reversal = None;
    let mut delay = None;
    let mut to_pre = false;
    for arg in attr_args(attr, errors) {
        let Arg::Keyed { key, op, value } = arg else {
            errors.push(arg.error(
                "expected `current = ...`, `conductance = ..., reversal = ...` or `voltage = ...`",
            ));
            continue;
        };
        expect_assign(errors, &key, op);
        let k = key.to_string();
        match k.as_str() {
            kw::CURRENT | kw::CONDUCTANCE | kw::VOLTAGE => {
                if kind.is_some() {
                    errors.at(
                        key.span(),
                        "one `#[output]` pushes one quantity: write a second `#[output(...)]`",
                    );
                }
                let ok = match k.as_str() {
                    kw::CURRENT => OutputKind::Current,
                    kw::CONDUCTANCE => OutputKind::Conductance,
                    _ => OutputKind::Voltage,
                };
                kind = Some((ok, value));
            }
            kw::REVERSAL => reversal = Some(value),
            kw::DELAY => delay = Some(value),
            kw::TARGET => match &value {
                Expr::Path(p) if p.path.is_ident(kw::PRE) => to_pre = true,
                Expr::Path(p) if p.path.is_ident(kw::POST) => to_pre = false,
                other => errors.spanned(other, "`target` is `pre` or `post`"),
            },
            _ => unknown_key(errors, &key, kw::OUTPUT, &kw::OUTPUT_KEYS),
        }
    }
    let Some((kind, value)) = kind else {
        if errors.len() > before {
            return;
        }
        errors.spanned(
            attr,
            "`#[output]` needs one of `current = ...`, `conductance = ...` or `voltage = ...`",
        );
        return;
    };
    match (kind, &reversal) {
        (OutputKind::Conductance, None) => {
            errors.spanned(attr, "a conductance output needs `reversal = ...` (mV)")
        }
        (OutputKind::Current | OutputKind::Voltage, Some(r)) => {
            errors.spanned(r, "`reversal` belongs to conductance outputs")
        }
        _ => {}
    }
    raw.outputs.push(RawOutput {
        kind,
        value,
        reversal,
        delay,
        to_pre,
    });
}

/// The attributes of `field` that give it a role (`#[param]`, `#[state]`, ...).
fn roles(field: &syn::Field) -> Vec<&Attribute> {
    field
        .attrs
        .iter()
        .filter(|a| {
            a.path()
                .get_ident()
                .is_some_and(|i| kw::FIELD_ATTRS.contains(&i.to_string().as_str()))
        })
        .collect()
}

fn parse_field(field: &syn::Field, raw: &mut RawModel, errors: &mut Errors) {
    let Some(ident) = field.ident.clone() else {
        return;
    };
    let doc = doc_of(&field.attrs);
    let ours = roles(field);
    let Some(attr) = ours.first().copied() else {
        errors.at(
            ident.span(),
            format!("field `{ident}` needs one of `#[param(...)]`, `#[state(...)]`, `#[expr(...)]` or `#[input(...)]`"),
        );
        // Kept as a parameter so that equations naming it resolve.
        raw.quiet.push(ident.to_string());
        raw.params.push(RawParam {
            ident,
            default: Some(syn::parse_quote!(0.0)),
            domain: None,
            unit: None,
            per_element: None,
            doc,
        });
        return;
    };
    let before = errors.len();
    for extra in &ours[1..] {
        errors.spanned(*extra, format!("field `{ident}` has more than one role"));
    }
    if !is_f64(&field.ty) {
        errors.spanned(&field.ty, format!("field `{ident}` must have type `f64`"));
    }
    let role = attr
        .path()
        .get_ident()
        .map(Ident::to_string)
        .unwrap_or_default();
    let field = Field {
        attr,
        ident: ident.clone(),
        doc,
        before,
    };
    let args = attr_args(attr, errors);
    match role.as_str() {
        kw::PARAM => parse_param(field, args, raw, errors),
        kw::STATE => parse_state(field, args, raw, errors),
        kw::EXPR => parse_expr(field, args, raw, errors),
        _ => parse_input(field, args, raw, errors),
    }
    if errors.len() > before {
        raw.quiet.push(ident.to_string());
    }
}

/// A field being parsed: its role attribute, name, doc, and how many errors there were before.
struct Field<'a> {
    attr: &'a Attribute,
    ident: Ident,
    doc: String,
    before: usize,
}

/// `#[param(default = .., unit = "..")]`
fn parse_param(f: Field<'_>, args: Vec<Arg>, raw: &mut RawModel, errors: &mut Errors) {
    let mut p = RawParam {
        ident: f.ident,
        default: None,
        domain: None,
        unit: None,
        doc: f.doc,
        per_element: None,
    };
    for arg in args {
        match arg {
            Arg::Keyed { key, op, value } => {
                expect_assign(errors, &key, op);
                match key.to_string().as_str() {
                    kw::DEFAULT => p.default = Some(value),
                    kw::DOMAIN => p.domain = Some(value),
                    kw::UNIT => p.unit = lit_str(value, &key, errors),
                    _ => unknown_key(errors, &key, kw::PARAM, &kw::PARAM_KEYS),
                }
            }
            Arg::Flag(key) => match (key.to_string().as_str(), raw.kind) {
                (kw::PER_SYNAPSE, Kind::Synapse) | (kw::PER_NEURON, Kind::Neuron) => {
                    p.per_element = Some(key);
                }
                (kw::PER_SYNAPSE, Kind::Neuron) => errors.at(
                    key.span(),
                    "a neuron's parameter is `per_neuron`; `per_synapse` belongs to synapses",
                ),
                (kw::PER_NEURON, Kind::Synapse) => errors.at(
                    key.span(),
                    "a synapse's parameter is `per_synapse`; `per_neuron` belongs to neurons",
                ),
                _ => unknown_key(errors, &key, kw::PARAM, &kw::PARAM_KEYS),
            },
            Arg::Positional(e) => {
                errors.spanned(&e, "expected `default = ...` or `unit = \"...\"`")
            }
        }
    }
    if p.default.is_none() {
        if errors.len() == f.before {
            errors.spanned(
                f.attr,
                format!("parameter `{}` needs `default = ...`", p.ident),
            );
        }
        p.default = Some(syn::parse_quote!(0.0));
    }
    raw.params.push(p);
}

/// `#[state(init = .., unit = "..", ode = .., on_pre = .., on_pre_after += .., membrane)]`
fn parse_state(f: Field<'_>, args: Vec<Arg>, raw: &mut RawModel, errors: &mut Errors) {
    let mut s = RawState {
        ident: f.ident,
        init: None,
        unit: None,
        ode: None,
        events: Vec::new(),
        membrane: false,
        clock_driven: false,
        unless_refractory: None,
        doc: f.doc,
    };
    for arg in args {
        match arg {
            Arg::Keyed { key, op, value } => match key.to_string().as_str() {
                kw::INIT => {
                    expect_assign(errors, &key, op);
                    s.init = Some(value);
                }
                kw::UNIT => {
                    expect_assign(errors, &key, op);
                    s.unit = lit_str(value, &key, errors);
                }
                kw::ODE => {
                    expect_assign(errors, &key, op);
                    s.ode = Some(value);
                }
                k @ (kw::ON_PRE | kw::ON_PRE_AFTER) => {
                    let timing = if k == kw::ON_PRE {
                        Timing::Before
                    } else {
                        Timing::After
                    };
                    let span = key.span().join(value.span()).unwrap_or(key.span());
                    s.events.push(RawEvent {
                        timing,
                        op,
                        value,
                        span,
                    });
                }
                _ => unknown_key(errors, &key, kw::STATE, &kw::STATE_KEYS),
            },
            Arg::Flag(key) if key == kw::MEMBRANE => s.membrane = true,
            Arg::Flag(key) if key == kw::CLOCK_DRIVEN => s.clock_driven = true,
            Arg::Flag(key) if key == kw::UNLESS_REFRACTORY => s.unless_refractory = Some(key),
            Arg::Flag(key) => unknown_key(errors, &key, kw::STATE, &kw::STATE_KEYS),
            Arg::Positional(e) => errors.spanned(
                &e,
                "expected `init = ...`, `unit = \"...\"`, `ode = ...` or `on_pre = ...`",
            ),
        }
    }
    raw.states.push(s);
}

/// `#[expr(value, unit = "..")]`
fn parse_expr(f: Field<'_>, args: Vec<Arg>, raw: &mut RawModel, errors: &mut Errors) {
    let mut value = None;
    let mut unit = None;
    for arg in args {
        match arg {
            Arg::Keyed { key, op, value: v } if key == kw::UNIT => {
                expect_assign(errors, &key, op);
                unit = lit_str(v, &key, errors);
            }
            Arg::Keyed { key, .. } => unknown_key(errors, &key, kw::EXPR, &kw::EXPR_KEYS),
            other => {
                if value.is_some() {
                    errors.push(other.error("`#[expr(...)]` takes one expression"));
                }
                match other.into_expr() {
                    Ok(e) => value = Some(e),
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    if value.is_none() && errors.len() == f.before {
        errors.spanned(
            f.attr,
            format!("`#[expr(...)]` on `{}` needs an expression", f.ident),
        );
    }
    let value = value.unwrap_or_else(|| syn::parse_quote!(0.0));
    raw.derived.push(RawDerived {
        ident: f.ident,
        value,
        unit,
        doc: f.doc,
    });
}

/// `#[input(unit = "nA")]`
fn parse_input(f: Field<'_>, args: Vec<Arg>, raw: &mut RawModel, errors: &mut Errors) {
    if raw.kind == Kind::Synapse {
        errors.spanned(f.attr, "`#[input]` belongs to neurons: a synapse writes into the postsynaptic input through `#[output]`");
    }
    let mut unit = None;
    for arg in args {
        match arg {
            Arg::Keyed { key, op, value } if key == kw::UNIT => {
                expect_assign(errors, &key, op);
                unit = lit_str(value, &key, errors);
            }
            Arg::Keyed { key, .. } | Arg::Flag(key) => {
                unknown_key(errors, &key, kw::INPUT, &kw::INPUT_KEYS)
            }
            Arg::Positional(e) => errors.spanned(&e, "expected `unit = \"nA\"`"),
        }
    }
    if raw.input.is_some() {
        errors.at(f.ident.span(), "a neuron has one `#[input]` field");
        raw.input_aliases.push(f.ident);
    } else {
        raw.input = Some(RawInput {
            ident: f.ident,
            unit,
        });
    }
}

fn is_f64(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("f64"))
}

/// Removes neurode's helper attributes from struct and fields, and every non-parameter field.
pub fn strip(item: &mut syn::ItemStruct, param_names: &[String]) {
    item.attrs.retain(|a| {
        !a.path()
            .get_ident()
            .is_some_and(|i| kw::STRUCT_ATTRS.contains(&i.to_string().as_str()))
    });
    if let syn::Fields::Named(fields) = &mut item.fields {
        let kept: syn::punctuated::Punctuated<syn::Field, syn::Token![,]> = fields
            .named
            .iter()
            .filter(|f| {
                f.ident
                    .as_ref()
                    .is_some_and(|i| param_names.contains(&i.to_string()))
            })
            .cloned()
            .map(|mut f| {
                f.attrs.retain(|a| {
                    !a.path()
                        .get_ident()
                        .is_some_and(|i| kw::FIELD_ATTRS.contains(&i.to_string().as_str()))
                });
                f
            })
            .collect();
        fields.named = kept;
    }
}
