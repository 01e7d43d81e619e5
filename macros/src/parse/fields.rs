//! Layer 5, phase 1: the attributes of the fields: parameters, states, derived expressions and
//! the input.

use syn::spanned::Spanned;
use syn::{Attribute, Ident};

use super::{
    attr_args, doc_of, expect_assign, kw, lit_str, unknown_key, Kind, RawDerived, RawEvent,
    RawInput, RawModel, RawParam, RawState, Timing,
};
use crate::args::Arg;
use crate::errors::Errors;

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

pub(super) fn parse_field(field: &syn::Field, raw: &mut RawModel, errors: &mut Errors) {
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

/// `#[state(init = .., unit = "..", ode = .., on_pre = .., on_pre_after += .., membrane, summed)]`
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
        summed: None,
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
            Arg::Flag(key) if key == kw::SUMMED => s.summed = Some(key),
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
