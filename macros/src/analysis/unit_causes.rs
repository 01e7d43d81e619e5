//! Layer 7, phase 3: the declarations behind a unit error. An equation whose unit is not the one
//! expected (``the right-hand side of `dw/dt` has unit `nS`, expected `pA/ms` ``) is followed by
//! the declarations that made its unit what it is, each at its `unit = "..."` literal:
//!
//! - each declaration that alone explains the error, if there is one: a parameter, state or
//!   derived expression of the equation which, declared in another unit, would leave the model
//!   this unit error fewer and no other more (`` `tau_w` declared here with unit `mV` ``, and a
//!   `help:` with the unit that would do);
//! - else every declaration the equation reads (through the derived expressions that declare no
//!   unit) whose unit is not dimensionless.
//!
//! On stable Rust a procedural macro has no notes: each declaration is an error of its own,
//! emitted right after the one it explains.

use proc_macro2::Span;

use super::unit_checks::{declared, unit_report, Mismatch, Report};
use crate::ir::{Expr, Sym};
use crate::model::Model;
use crate::unit::{parse_unit, Unit};

/// The errors of `report`, each mismatch combined with the declarations behind it.
pub(super) fn explain(m: &Model, order: &[usize], report: Report<'_>) -> Vec<syn::Error> {
    let Report {
        mut errors,
        mismatches,
    } = report;
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for mismatch in &mismatches {
        for note in notes(m, order, mismatch, &messages) {
            errors[mismatch.error].combine(note);
        }
    }
    errors
}

/// The declarations behind `mismatch`, as diagnostics at their unit literals; `messages` are the
/// model's unit errors as written.
fn notes(
    m: &Model,
    order: &[usize],
    mismatch: &Mismatch<'_>,
    messages: &[String],
) -> Vec<syn::Error> {
    let mut syms = Vec::new();
    declarations(m, mismatch.expr, &mut syms);
    let syms: Vec<(Sym, Unit, Span)> = syms
        .into_iter()
        .filter_map(|s| Some((s, declared(m, s, None)?, unit_span(m, s)?)))
        .collect();
    let fixes: Vec<(Sym, Unit, Span, Unit)> = syms
        .iter()
        .filter_map(|&(s, u, span)| Some((s, u, span, fix(m, order, mismatch, messages, s, u)?)))
        .collect();
    let declared_here =
        |s: Sym, u: Unit| format!("`{}` declared here with unit `{u}`", m.sym_name(s));
    if !fixes.is_empty() {
        return fixes
            .into_iter()
            .map(|(s, u, span, to)| {
                let mut msg = declared_here(s, u);
                // Only a unit that reads back as itself is shown as text to write.
                let text = to.to_string();
                if parse_unit(&text, span).ok() == Some(to) {
                    msg.push_str(&format!(
                        "\nhelp: with `unit = \"{text}\"`, {} has the expected unit",
                        mismatch.what
                    ));
                }
                syn::Error::new(span, msg)
            })
            .collect();
    }
    syms.into_iter()
        .filter(|(_, u, _)| !u.is_dimensionless())
        .map(|(s, u, span)| syn::Error::new(span, declared_here(s, u)))
        .collect()
}

/// The parameters, states and derived expressions with a declared unit that `e` reads, directly
/// or through derived expressions without one, in the order first read.
fn declarations(m: &Model, e: &Expr, out: &mut Vec<Sym>) {
    for s in e.symbols() {
        match s {
            // Evaluation order was checked acyclic before any unit check.
            Sym::Derived(d) if m.derived[d].unit.is_none() && !out.contains(&s) => {
                out.push(s);
                declarations(m, &m.derived[d].value, out);
            }
            Sym::Param(_) | Sym::State(_) | Sym::Derived(_) if !out.contains(&s) => out.push(s),
            _ => {}
        }
    }
}

/// Where the unit of `s` was declared.
fn unit_span(m: &Model, s: Sym) -> Option<Span> {
    match s {
        Sym::Param(i) => m.params[i].unit_span,
        Sym::State(i) => m.states[i].unit_span,
        Sym::Derived(i) => m.derived[i].unit_span,
        Sym::Builtin(_) => None,
    }
}

/// The unit that, declared for `s` (now `unit`) instead, removes `mismatch` from the model's unit
/// errors and adds none: the unit that scales the equation's by the factor it is off, for `s`
/// read to the power 1, −1, 2 or −2.
fn fix(
    m: &Model,
    order: &[usize],
    mismatch: &Mismatch<'_>,
    messages: &[String],
    s: Sym,
    unit: Unit,
) -> Option<Unit> {
    // The equation's unit is `off` times the one expected. If it reads `s` to the power `k`,
    // declaring `s` in `unit·f` multiplies the equation's unit by `f^k`, which must be `1/off`:
    // `f = off^(-1/k)`.
    let off = mismatch.got.div(mismatch.expected);
    let factors = [
        Some(off.powi(-1)),
        Some(off),
        off.powi(-1).sqrt(),
        off.sqrt(),
    ];
    let own = &messages[mismatch.error];
    factors.into_iter().flatten().find_map(|f| {
        let to = unit.mul(f);
        if to == unit {
            return None;
        }
        let after = unit_report(m, order, Some((s, to))).errors;
        let mut before: Vec<&String> = messages.iter().collect();
        let fewer = after.iter().all(|e| {
            let msg = e.to_string();
            match before.iter().position(|b| **b == msg) {
                Some(k) => {
                    before.swap_remove(k);
                    true
                }
                None => false,
            }
        });
        (fewer && before.contains(&own)).then_some(to)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::Errors;
    use crate::parse::Kind;
    use proc_macro2::TokenStream;
    use quote::quote;

    /// The unit errors of a neuron, each with its notes, joined by ` | `.
    fn unit_errors(item: TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        let raw = crate::parse::parse(Kind::Neuron, TokenStream::new(), item, &mut errors)
            .expect("parses");
        let mut m = crate::model::resolve(raw, &mut errors);
        assert!(errors.is_empty(), "{}", errors.to_compile_errors());
        super::super::convert_scales(&mut m);
        let (order, _) = super::super::checks::evaluation_order(&m, &mut errors);
        explain(&m, &order, unit_report(&m, &order, None))
            .into_iter()
            .map(|e| {
                e.into_iter()
                    .map(|x| x.to_string().replace('\n', " | "))
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect()
    }

    #[test]
    fn names_the_one_declaration_that_explains_the_error() {
        let errors = unit_errors(quote! {
            #[threshold(V >= V_th)]
            #[reset(V = E_L, w += b)]
            pub struct Adaptive {
                #[param(default = 200.0, unit = "pF")] pub C: f64,
                #[param(default = 10.0, unit = "nS")] pub g_L: f64,
                #[param(default = -70.0, unit = "mV")] pub E_L: f64,
                #[param(default = -50.0, unit = "mV")] pub V_th: f64,
                #[param(default = 2.0, unit = "nS")] pub a: f64,
                #[param(default = 30.0, unit = "mV")] pub tau_w: f64,
                #[param(default = 50.0, unit = "pA")] pub b: f64,
                #[state(init = -70.0, unit = "mV", ode = (-g_L * (V - E_L) - w + I) / C, membrane)]
                pub V: f64,
                #[state(init = 0.0, unit = "pA", ode = (a * (V - E_L) - w) / tau_w)]
                pub w: f64,
                #[input(unit = "pA")] pub I: f64,
            }
        });
        assert_eq!(
            errors,
            [
                "the right-hand side of `dw/dt` has unit `nS`, expected `pA/ms` | `tau_w` declared \
                 here with unit `mV` | help: with `unit = \"ms\"`, the right-hand side of `dw/dt` \
                 has the expected unit"
            ]
        );
    }

    #[test]
    fn else_names_every_declaration_with_a_unit() {
        // `k`, `tau` and `V_th` are read elsewhere too, so no one declaration explains the
        // error: every dimensioned one of the term is named, through the derived expression
        // `t_r` (no unit of its own), and the dimensionless `k` is not.
        let errors = unit_errors(quote! {
            #[threshold(V >= V_th)]
            #[reset(V = V_reset)]
            #[refractory(t_r)]
            pub struct Cell {
                #[param(default = -70.0, unit = "mV")] pub V_reset: f64,
                #[param(default = -50.0, unit = "mV")] pub V_th: f64,
                #[param(default = 10.0, unit = "ms")] pub tau: f64,
                #[param(default = 2.0, unit = "1")] pub k: f64,
                #[param(default = 10.0, unit = "MOhm")] pub R: f64,
                #[state(init = -70.0, unit = "mV", ode = (-V + k * R * I) / tau, membrane)]
                pub V: f64,
                #[expr(k * V_th / tau)] pub t_r: f64,
                #[input(unit = "nA")] pub I: f64,
            }
        });
        assert_eq!(
            errors,
            [
                "the refractory period has unit `mV/ms`, expected `ms` | `V_th` declared here \
                 with unit `mV` | `tau` declared here with unit `ms`"
            ]
        );
    }
}
