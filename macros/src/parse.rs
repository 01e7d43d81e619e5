//! Phase 1: the annotated struct → [`RawModel`] (syntax only; expressions stay `syn::Expr`).

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitStr};

use crate::args::{parse_args, Arg, Op};
use crate::errors::Errors;

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
            Kind::Neuron => "neuron",
            Kind::Synapse => "synapse",
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
    pub unit: Option<LitStr>,
    pub doc: String,
}

/// `#[state(init = .., unit = "..", ode = .., on_pre = .., membrane)]`
pub struct RawState {
    pub ident: Ident,
    pub init: Option<Expr>,
    pub unit: Option<LitStr>,
    pub ode: Option<Expr>,
    pub events: Vec<RawEvent>,
    pub membrane: bool,
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
    pub params: Vec<RawParam>,
    pub states: Vec<RawState>,
    pub derived: Vec<RawDerived>,
    pub input: Option<RawInput>,
    pub outputs: Vec<RawOutput>,
    pub threshold: Option<Expr>,
    pub reset: Vec<RawAssign>,
    pub refractory: Option<Expr>,
    pub doc: String,
    /// Fields whose attribute was malformed: later phases report nothing more about them.
    pub quiet: Vec<String>,
    /// Names of extra `#[input]` fields (an error): they still resolve, to avoid follow-on errors.
    pub input_aliases: Vec<Ident>,
    /// A `#[threshold]` attribute was written (even if malformed).
    pub threshold_attr: bool,
}

const FIELD_ATTRS: [&str; 4] = ["param", "state", "expr", "input"];

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
    if op == Op::AddAssign {
        errors.at(key.span(), format!("`{key}` is set with `=`, not `+=`"));
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
        params: Vec::new(),
        states: Vec::new(),
        derived: Vec::new(),
        input: None,
        outputs: Vec::new(),
        threshold: None,
        reset: Vec::new(),
        refractory: None,
        quiet: Vec::new(),
        input_aliases: Vec::new(),
        threshold_attr: false,
    };
    match parse_args(args) {
        Ok(list) => {
            for arg in list {
                match arg {
                    Arg::Keyed { key, op, value } if key == "method" => {
                        expect_assign(errors, &key, op);
                        raw.method = parse_method(&value, errors).map(|m| (m, value.span()));
                    }
                    Arg::Keyed { key, op, value } if key == "crate" => {
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
                        unknown_key(errors, &key, kind.name(), &["method", "crate"])
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
            (Kind::Synapse, "output") => parse_output(attr, &mut raw, errors),
            (Kind::Neuron, "threshold") => {
                raw.threshold_attr = true;
                raw.threshold = single_expr(attr, "threshold", errors);
            }
            (Kind::Neuron, "refractory") => raw.refractory = single_expr(attr, "refractory", errors),
            (Kind::Neuron, "reset") => {
                for arg in attr_args(attr, errors) {
                    match arg {
                        Arg::Keyed { key, op, value } => raw.reset.push(RawAssign { target: key, op, value }),
                        other => errors.push(other.error("expected `state = value` or `state += value` in `#[reset(...)]`")),
                    }
                }
            }
            (Kind::Neuron, "output") => errors.spanned(attr, "`#[output]` belongs to synapses; a neuron receives input through its `#[input]` field"),
            (Kind::Synapse, "threshold" | "reset" | "refractory") => errors.spanned(attr, format!("`#[{name}]` belongs to neurons")),
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

fn parse_output(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
    let before = errors.len();
    let mut kind = None;
    let mut reversal = None;
    let mut delay = None;
    let mut to_pre = false;
    const KEYS: [&str; 6] = [
        "current",
        "conductance",
        "voltage",
        "reversal",
        "delay",
        "target",
    ];
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
            "current" | "conductance" | "voltage" => {
                if kind.is_some() {
                    errors.at(
                        key.span(),
                        "one `#[output]` pushes one quantity: write a second `#[output(...)]`",
                    );
                }
                let ok = match k.as_str() {
                    "current" => OutputKind::Current,
                    "conductance" => OutputKind::Conductance,
                    _ => OutputKind::Voltage,
                };
                kind = Some((ok, value));
            }
            "reversal" => reversal = Some(value),
            "delay" => delay = Some(value),
            "target" => match &value {
                Expr::Path(p) if p.path.is_ident("pre") => to_pre = true,
                Expr::Path(p) if p.path.is_ident("post") => to_pre = false,
                other => errors.spanned(other, "`target` is `pre` or `post`"),
            },
            _ => unknown_key(errors, &key, "output", &KEYS),
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

fn parse_field(field: &syn::Field, raw: &mut RawModel, errors: &mut Errors) {
    let Some(ident) = field.ident.clone() else {
        return;
    };
    let doc = doc_of(&field.attrs);
    let ours: Vec<&Attribute> = field
        .attrs
        .iter()
        .filter(|a| {
            a.path()
                .get_ident()
                .is_some_and(|i| FIELD_ATTRS.contains(&i.to_string().as_str()))
        })
        .collect();
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
            unit: None,
            doc,
        });
        return;
    };
    let before = errors.len();
    parse_role(field, attr, ident.clone(), doc, raw, errors, before);
    if errors.len() > before {
        raw.quiet.push(ident.to_string());
    }
}

#[allow(clippy::too_many_arguments)]
fn parse_role(
    field: &syn::Field,
    attr: &Attribute,
    ident: Ident,
    doc: String,
    raw: &mut RawModel,
    errors: &mut Errors,
    before: usize,
) {
    let ours: Vec<&Attribute> = field
        .attrs
        .iter()
        .filter(|a| {
            a.path()
                .get_ident()
                .is_some_and(|i| FIELD_ATTRS.contains(&i.to_string().as_str()))
        })
        .collect();
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
    let args = attr_args(attr, errors);
    match role.as_str() {
        "param" => {
            let mut p = RawParam {
                ident,
                default: None,
                unit: None,
                doc,
            };
            for arg in args {
                match arg {
                    Arg::Keyed { key, op, value } => {
                        expect_assign(errors, &key, op);
                        match key.to_string().as_str() {
                            "default" => p.default = Some(value),
                            "unit" => p.unit = lit_str(value, &key, errors),
                            _ => unknown_key(errors, &key, "param", &["default", "unit"]),
                        }
                    }
                    Arg::Flag(key) => unknown_key(errors, &key, "param", &["default", "unit"]),
                    Arg::Positional(e) => {
                        errors.spanned(&e, "expected `default = ...` or `unit = \"...\"`")
                    }
                }
            }
            if p.default.is_none() {
                if errors.len() == before {
                    errors.spanned(
                        attr,
                        format!("parameter `{}` needs `default = ...`", p.ident),
                    );
                }
                p.default = Some(syn::parse_quote!(0.0));
            }
            raw.params.push(p);
        }
        "state" => {
            const KEYS: [&str; 6] = ["init", "unit", "ode", "on_pre", "on_pre_after", "membrane"];
            let mut s = RawState {
                ident,
                init: None,
                unit: None,
                ode: None,
                events: Vec::new(),
                membrane: false,
                doc,
            };
            for arg in args {
                match arg {
                    Arg::Keyed { key, op, value } => match key.to_string().as_str() {
                        "init" => {
                            expect_assign(errors, &key, op);
                            s.init = Some(value);
                        }
                        "unit" => {
                            expect_assign(errors, &key, op);
                            s.unit = lit_str(value, &key, errors);
                        }
                        "ode" => {
                            expect_assign(errors, &key, op);
                            s.ode = Some(value);
                        }
                        k @ ("on_pre" | "on_pre_after") => {
                            let timing = if k == "on_pre" {
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
                        _ => unknown_key(errors, &key, "state", &KEYS),
                    },
                    Arg::Flag(key) if key == "membrane" => s.membrane = true,
                    Arg::Flag(key) => unknown_key(errors, &key, "state", &KEYS),
                    Arg::Positional(e) => errors.spanned(
                        &e,
                        "expected `init = ...`, `unit = \"...\"`, `ode = ...` or `on_pre = ...`",
                    ),
                }
            }
            raw.states.push(s);
        }
        "expr" => {
            let mut value = None;
            let mut unit = None;
            for arg in args {
                match arg {
                    Arg::Keyed { key, op, value: v } if key == "unit" => {
                        expect_assign(errors, &key, op);
                        unit = lit_str(v, &key, errors);
                    }
                    Arg::Keyed { key, .. } => unknown_key(errors, &key, "expr", &["unit"]),
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
            if value.is_none() && errors.len() == before {
                errors.spanned(
                    attr,
                    format!("`#[expr(...)]` on `{ident}` needs an expression"),
                );
            }
            let value = value.unwrap_or_else(|| syn::parse_quote!(0.0));
            raw.derived.push(RawDerived {
                ident,
                value,
                unit,
                doc,
            });
        }
        _ => {
            if raw.kind == Kind::Synapse {
                errors.spanned(attr, "`#[input]` belongs to neurons: a synapse writes into the postsynaptic input through `#[output]`");
            }
            let mut unit = None;
            for arg in args {
                match arg {
                    Arg::Keyed { key, op, value } if key == "unit" => {
                        expect_assign(errors, &key, op);
                        unit = lit_str(value, &key, errors);
                    }
                    Arg::Keyed { key, .. } | Arg::Flag(key) => {
                        unknown_key(errors, &key, "input", &["unit"])
                    }
                    Arg::Positional(e) => errors.spanned(&e, "expected `unit = \"nA\"`"),
                }
            }
            if raw.input.is_some() {
                errors.at(ident.span(), "a neuron has one `#[input]` field");
                raw.input_aliases.push(ident);
            } else {
                raw.input = Some(RawInput { ident, unit });
            }
        }
    }
}

fn is_f64(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("f64"))
}

/// Removes neurode's helper attributes from struct and fields, and every non-parameter field.
pub fn strip(item: &mut syn::ItemStruct, param_names: &[String]) {
    const STRUCT_ATTRS: [&str; 4] = ["output", "threshold", "reset", "refractory"];
    item.attrs.retain(|a| {
        !a.path()
            .get_ident()
            .is_some_and(|i| STRUCT_ATTRS.contains(&i.to_string().as_str()))
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
                        .is_some_and(|i| FIELD_ATTRS.contains(&i.to_string().as_str()))
                });
                f
            })
            .collect();
        fields.named = kept;
    }
}
