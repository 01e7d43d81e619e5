//! Layer 6, phase 2: `#[require(...)]` resolved: each relation split at `&&` into comparisons
//! of two operands (a parameter or stored variable, or a number literal), their names looked
//! up, their units compared, and the defaults checked against them.

use std::collections::HashMap;

use crate::errors::{suggest, Errors};
use crate::ir::Sym;
use crate::spans::Spans;
use crate::unit::Unit;

use super::{literal_value, Param};

/// The comparison of a requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Lt,
    Le,
    Gt,
    Ge,
    Ne,
}

impl Compare {
    /// Whether `a op b`.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Compare::Lt => a < b,
            Compare::Le => a <= b,
            Compare::Gt => a > b,
            Compare::Ge => a >= b,
            Compare::Ne => a != b,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Compare::Lt => "<",
            Compare::Le => "<=",
            Compare::Gt => ">",
            Compare::Ge => ">=",
            Compare::Ne => "!=",
        }
    }

    /// The runtime's name of the comparison.
    pub fn variant(self) -> &'static str {
        match self {
            Compare::Lt => "Lt",
            Compare::Le => "Le",
            Compare::Gt => "Gt",
            Compare::Ge => "Ge",
            Compare::Ne => "Ne",
        }
    }
}

/// An operand of a requirement.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A parameter or stored variable, by name, with its default when it has one (a
    /// parameter, per element or not).
    Name(String, Option<f64>),
    /// A number literal.
    Number(f64),
}

/// One comparison of `#[require(...)]`.
#[derive(Clone, Debug)]
pub struct Requirement {
    pub lhs: Operand,
    pub op: Compare,
    pub rhs: Operand,
}

impl Requirement {
    /// The requirement as the runtime prints it: `V_peak > V_r`.
    pub fn text(&self) -> String {
        let side = |o: &Operand| match o {
            Operand::Name(n, _) => n.clone(),
            Operand::Number(x) => format!("{x}"),
        };
        let (lhs, op, rhs) = (side(&self.lhs), self.op.symbol(), side(&self.rhs));
        format!("{lhs} {op} {rhs}")
    }
}

/// What a name of the model is, for a requirement: its default (parameters) and unit.
struct Known {
    default: Option<f64>,
    unit: Option<Unit>,
    unit_text: String,
}

/// Resolves the expressions of `#[require(...)]`: comparisons (`<`, `<=`, `>`, `>=`, `!=`)
/// joined by `&&`, each between a parameter or stored variable and a number or another of
/// them (in the same unit), at most one of the two a stored variable (a state or a
/// per-element parameter). A comparison of parameters only must hold for the defaults.
pub fn resolve_requires(
    exprs: &[syn::Expr],
    scope: &HashMap<String, Sym>,
    params: &[Param],
    states: &[(String, Option<Unit>, String)],
    errors: &mut Errors,
) -> Vec<Requirement> {
    let known = |name: &str| -> Option<(Known, bool)> {
        match scope.get(name)? {
            Sym::Param(i) => {
                let p = &params[*i];
                Some((
                    Known {
                        default: Some(p.default),
                        unit: p.unit,
                        unit_text: p.unit_text.clone(),
                    },
                    false,
                ))
            }
            Sym::State(i) => {
                let (_, unit, unit_text) = states.get(*i)?;
                let default = params
                    .iter()
                    .find(|p| p.per_element && p.ident == name)
                    .map(|p| p.default);
                Some((
                    Known {
                        default,
                        unit: *unit,
                        unit_text: unit_text.clone(),
                    },
                    true,
                ))
            }
            _ => None,
        }
    };
    let mut out = Vec::new();
    let mut atoms = Vec::new();
    for e in exprs {
        split_and(e, &mut atoms);
    }
    for atom in atoms {
        let syn::Expr::Binary(b) = atom else {
            errors.push(Spans::of(atom).error(
                "a requirement is a comparison such as `V_peak > V_r` or `w <= w_max` (join several with `&&` or commas)",
            ));
            continue;
        };
        let op = match b.op {
            syn::BinOp::Lt(_) => Compare::Lt,
            syn::BinOp::Le(_) => Compare::Le,
            syn::BinOp::Gt(_) => Compare::Gt,
            syn::BinOp::Ge(_) => Compare::Ge,
            syn::BinOp::Ne(_) => Compare::Ne,
            _ => {
                errors.push(Spans::of(atom).error(
                    "a requirement compares with `<`, `<=`, `>`, `>=` or `!=` (`==` between two numbers is never robust: give the value once)",
                ));
                continue;
            }
        };
        let mut side = |e: &syn::Expr| -> Option<(Operand, Option<Known>, bool)> {
            if let Some(x) = literal_value(e) {
                return Some((Operand::Number(x), None, false));
            }
            let ident = match e {
                syn::Expr::Path(p) => p.path.get_ident(),
                _ => None,
            };
            let Some(ident) = ident else {
                errors.push(Spans::of(e).error(
                    "a requirement's operand is a parameter, a stored variable or a number literal",
                ));
                return None;
            };
            let name = ident.to_string();
            match known(&name) {
                Some((k, stored)) => Some((Operand::Name(name, k.default), Some(k), stored)),
                None => {
                    let mut msg = if scope.contains_key(&name) {
                        format!("`{name}` is not a parameter or stored variable: a requirement compares values that are set, not computed")
                    } else {
                        format!("unknown name `{name}` in a requirement")
                    };
                    let candidates = scope
                        .iter()
                        .filter(|(_, s)| matches!(s, Sym::Param(_) | Sym::State(_)))
                        .map(|(n, _)| n.as_str());
                    if let Some(s) = suggest(&name, candidates) {
                        msg.push_str(&format!("\nhelp: did you mean `{s}`?"));
                    }
                    errors.at(ident.span(), msg);
                    None
                }
            }
        };
        let (Some((lhs, lk, ls)), Some((rhs, rk, rs))) = (side(&b.left), side(&b.right)) else {
            continue;
        };
        if ls && rs {
            errors.push(Spans::of(atom).error(
                "a requirement names at most one stored variable (checked element by element against parameters and numbers)",
            ));
            continue;
        }
        match (&lk, &rk) {
            (None, None) => {
                errors.push(Spans::of(atom).error(
                    "this requirement compares two numbers: it names no parameter or variable",
                ));
                continue;
            }
            (Some(a), Some(c)) if a.unit.is_some() && c.unit.is_some() && a.unit != c.unit => {
                errors.push(Spans::of(atom).error(format!(
                    "a requirement compares values of one unit: `{}` is in `{}`, `{}` in `{}`",
                    text(&b.left),
                    a.unit_text,
                    text(&b.right),
                    c.unit_text
                )));
                continue;
            }
            _ => {}
        }
        let value = |o: &Operand| match o {
            Operand::Number(x) => Some(*x),
            Operand::Name(_, d) => *d,
        };
        if let (Some(a), Some(c)) = (value(&lhs), value(&rhs)) {
            if !op.holds(a, c) {
                errors.push(Spans::of(atom).error(format!(
                    "the defaults do not satisfy `{}`: {}",
                    text(atom),
                    defaults(&[&lhs, &rhs])
                )));
            }
        }
        out.push(Requirement { lhs, op, rhs });
    }
    out
}

/// The comparisons of `e`, split at `&&` (and parentheses around them).
fn split_and<'a>(e: &'a syn::Expr, out: &mut Vec<&'a syn::Expr>) {
    match e {
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            split_and(&b.left, out);
            split_and(&b.right, out);
        }
        syn::Expr::Paren(p) => split_and(&p.expr, out),
        other => out.push(other),
    }
}

fn text(e: &syn::Expr) -> String {
    super::text_of(e)
}

/// `V_peak = -100, V_r = -58`: the defaults of the named operands.
fn defaults(ops: &[&Operand]) -> String {
    ops.iter()
        .filter_map(|o| match o {
            Operand::Name(n, Some(d)) => Some(format!("`{n}` defaults to {d}")),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}
