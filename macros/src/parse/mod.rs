//! Layer 5, phase 1: the annotated struct → [`RawModel`] (syntax only; expressions stay
//! `syn::Expr`).
//!
//! - [`attrs`]: the struct's attributes (`#[output]`, `#[threshold]`, `#[reset]`, rule blocks,
//!   `method = ...`);
//! - [`fields`]: the fields' attributes (`#[param]`, `#[state]`, `#[expr]`, `#[input]`).

mod attrs;
mod fields;

use attrs::{
    item_keyword_span, parse_method, parse_output, parse_refractory, parse_reset, parse_rules,
    parse_summed, parse_threshold,
};
use fields::parse_field;

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
    pub const REQUIRE: &str = "require";
    /// `#[summed(x_post = expr)]` (synapses), and the `summed` flag of a neuron's `#[state]`.
    pub const SUMMED: &str = "summed";
    pub const STRUCT_ATTRS: [&str; 8] = [
        REQUIRE,
        OUTPUT,
        SUMMED,
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
    /// `#[refractory(t_ref, hold = all | none)]`: which integrated states the period holds.
    pub const HOLD: &str = "hold";
    /// `#[refractory(t_ref, count = after_spike)]`: the period's steps after the spike's.
    pub const COUNT: &str = "count";
    /// `#[threshold(cond, within_step)]`: reset at the crossing inside the step.
    pub const WITHIN_STEP: &str = "within_step";
    pub const PARAM_KEYS: [&str; 5] = [DEFAULT, UNIT, DOMAIN, PER_SYNAPSE, PER_NEURON];
    /// `domain = positive | non_negative | flag | range(lo, hi)`.
    pub const DOMAIN: &str = "domain";
    /// `per_synapse` / `per_neuron`: one value per element, the field's value the default.
    pub const PER_SYNAPSE: &str = "per_synapse";
    pub const PER_NEURON: &str = "per_neuron";
    pub const STATE_KEYS: [&str; 9] = [
        INIT,
        UNIT,
        ODE,
        ON_PRE,
        ON_PRE_AFTER,
        MEMBRANE,
        CLOCK_DRIVEN,
        UNLESS_REFRACTORY,
        SUMMED,
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

/// Which integrated states a refractory period holds, when no state is marked
/// `unless_refractory`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// The default: the states `#[reset]` assigns with `=` (clamped there, as NEST clamps V).
    Reset,
    /// `hold = all`: every integrated state.
    All,
    /// `hold = none`: none (the period only blocks spikes).
    Nothing,
}

/// How the steps of a refractory period are counted on the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// The default, Brian2's: the spike's step is the first of the n.
    WithSpike,
    /// `count = after_spike`, NEST's (and BrainPy's `t − t_last_spike ≤ t_ref`): n steps after
    /// the spike's.
    AfterSpike,
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
    /// `summed`, with the flag (for diagnostics).
    pub summed: Option<Ident>,
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
    /// `#[summed(x_post = ...)]`: assigned to the neuron's variable `x` as the sum over synapses.
    Summed,
}

/// `#[output(current = .. | conductance = .., reversal = .. | voltage = .., delay = .., target = pre|post)]`
pub struct RawOutput {
    pub kind: OutputKind,
    pub value: Expr,
    pub reversal: Option<Expr>,
    pub delay: Option<Expr>,
    pub to_pre: bool,
    /// The neuron variable a summed output assigns (`x` of `x_post`), as written.
    pub variable: Option<Ident>,
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
    /// `hold = ...` in `#[refractory(...)]`, with its key (for diagnostics).
    pub hold: Option<(Ident, Hold)>,
    /// `count = ...` in `#[refractory(...)]`, with its key (for diagnostics).
    pub count: Option<(Ident, Count)>,
    /// The relations of `#[require(...)]` attributes, in order.
    pub requires: Vec<Expr>,
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
        hold: None,
        count: None,
        requires: Vec::new(),
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
            (Kind::Synapse, kw::SUMMED) => parse_summed(attr, &mut raw, errors),
            (Kind::Neuron, kw::SUMMED) => errors.spanned(
                attr,
                "`#[summed(...)]` belongs to synapses; a neuron declares the variable they sum \
                 into as `#[state(summed, unit = \"...\")]`",
            ),
            (_, kw::REQUIRE) => {
                for arg in attr_args(attr, errors) {
                    match arg {
                        Arg::Positional(e) => raw.requires.push(e),
                        other => errors.push(other.error(
                            "a requirement is a comparison such as `V_peak > V_r` or `w <= w_max`",
                        )),
                    }
                }
            }
            (Kind::Neuron, kw::THRESHOLD) => {
                raw.threshold_attr = true;
                parse_threshold(attr, &mut raw, errors);
            }
            (Kind::Neuron, kw::REFRACTORY) => {
                parse_refractory(attr, &mut raw, errors);
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
