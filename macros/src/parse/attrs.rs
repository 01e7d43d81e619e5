//! Layer 5, phase 1: the attributes of the struct: outputs, threshold, refractory period, reset,
//! spike rule blocks, and the integration method.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident};

use super::{
    attr_args, expect_assign, kw, unknown_key, Count, Event, Hold, Method, OutputKind, RawAssign,
    RawModel, RawOutput, RawStmt,
};
use crate::args::{Arg, Op};
use crate::errors::Errors;

pub(super) fn parse_reset(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
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
pub(super) fn parse_rules(event: Event, attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
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

pub(super) fn item_keyword_span(item: &syn::Item) -> Span {
    match item {
        syn::Item::Enum(e) => e.enum_token.span,
        syn::Item::Fn(f) => f.sig.fn_token.span,
        syn::Item::Union(u) => u.union_token.span,
        syn::Item::Struct(s) => s.struct_token.span,
        other => other.span(),
    }
}

pub(super) fn parse_method(value: &Expr, errors: &mut Errors) -> Option<Method> {
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

/// `#[refractory(t_ref)]`, optionally followed by `hold = all | none` and
/// `count = after_spike | with_spike`.
pub(super) fn parse_refractory(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
    let mut args = attr_args(attr, errors).into_iter();
    match args.next().map(Arg::into_expr) {
        Some(Ok(e)) => raw.refractory = Some(e),
        Some(Err(e)) => errors.push(e),
        None => errors.spanned(
            attr,
            format!("`#[{}(...)]` needs an expression", kw::REFRACTORY),
        ),
    }
    for arg in args {
        match arg {
            Arg::Keyed {
                key,
                op: Op::Assign,
                value: syn::Expr::Path(p),
            } if key == kw::HOLD && (p.path.is_ident("all") || p.path.is_ident("none")) => {
                if raw.hold.is_some() {
                    errors.at(key.span(), "`hold` is given twice");
                }
                let hold = if p.path.is_ident("all") {
                    Hold::All
                } else {
                    Hold::Nothing
                };
                raw.hold = Some((key, hold));
            }
            Arg::Keyed {
                key,
                op: Op::Assign,
                value: syn::Expr::Path(p),
            } if key == kw::COUNT
                && (p.path.is_ident("after_spike") || p.path.is_ident("with_spike")) =>
            {
                if raw.count.is_some() {
                    errors.at(key.span(), "`count` is given twice");
                }
                let count = if p.path.is_ident("after_spike") {
                    Count::AfterSpike
                } else {
                    Count::WithSpike
                };
                raw.count = Some((key, count));
            }
            Arg::Keyed { ref key, .. } if key == kw::COUNT => errors.push(arg.error(
                "`count` is `with_spike` (the default, Brian2's: the spike's step is the first of \
                 the round(t_ref/dt) refractory steps) or `after_spike` (NEST's: that many steps \
                 after the spike's)",
            )),
            Arg::Keyed { ref key, .. } if key == kw::HOLD => errors.push(arg.error(
                "`hold` is `all` (every integrated state held while refractory) or `none` (no \
                 state held); without it, the states `#[reset]` assigns with `=` are held",
            )),
            other => errors.push(other.error(
                "after the period, `#[refractory(...)]` takes `hold = all | none` and \
                 `count = with_spike | after_spike`",
            )),
        }
    }
}

/// `#[threshold(cond)]`, optionally followed by `rising` and `dead_time = d`.
pub(super) fn parse_threshold(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
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

pub(super) fn parse_output(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
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
        variable: None,
    });
}

/// `#[summed(x_post = expr, ...)]`: each entry a summed output onto the postsynaptic variable
/// `x`.
pub(super) fn parse_summed(attr: &Attribute, raw: &mut RawModel, errors: &mut Errors) {
    let before = errors.len();
    let mut any = false;
    for arg in attr_args(attr, errors) {
        let Arg::Keyed { key, op, value } = arg else {
            errors.push(arg.error(
                "expected `x_post = <expr>`: the postsynaptic variable and the per-synapse value \
                 summed into it",
            ));
            continue;
        };
        any = true;
        if op != Op::Assign {
            errors.at(
                key.span(),
                format!("a summed variable is assigned the sum over synapses: write `{key} = ...`"),
            );
            continue;
        }
        let name = key.to_string();
        let Some(variable) = name.strip_suffix("_post").filter(|v| !v.is_empty()) else {
            errors.at(
                key.span(),
                format!(
                    "a summed variable is a variable of the postsynaptic neuron: write \
                     `{name}_post = ...`"
                ),
            );
            continue;
        };
        if raw
            .outputs
            .iter()
            .any(|o| o.variable.as_ref().is_some_and(|v| v == variable))
        {
            errors.at(
                key.span(),
                format!("`{name}` is summed twice: write one expression (a sum of terms)"),
            );
            continue;
        }
        raw.outputs.push(RawOutput {
            kind: OutputKind::Summed,
            value,
            reversal: None,
            delay: None,
            to_pre: false,
            variable: Some(Ident::new(variable, key.span())),
        });
    }
    if !any && errors.len() == before {
        errors.spanned(attr, "`#[summed]` needs `x_post = <expr>`");
    }
}
