//! Layer 6, phase 2: `syn` expressions lowered to the IR ([`Expr`]), each node with the span of
//! the term it came from.

use std::collections::HashMap;

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::Ident;

use crate::errors::{suggest, Errors};
use crate::ir::{BinOp, Builtin, Expr, ExprKind, Func, Sym};
use crate::spans::Spans;

use super::literal_value;

pub(super) struct Lowerer<'a> {
    pub(super) scope: &'a HashMap<String, Sym>,
    /// Calls of `rand()` and `randn()` lowered so far (each its own draw).
    pub(super) draws: std::cell::Cell<u8>,
}

impl Lowerer<'_> {
    pub(super) fn lower(&self, e: &syn::Expr, errors: &mut Errors) -> Option<Expr> {
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
            "expm1" => Func::Expm1,
            "log1p" => Func::Log1p,
            "exprel" => Func::Exprel,
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
                const FUNCS: [&str; 15] = [
                    "exp", "expm1", "exprel", "ln", "log1p", "sqrt", "abs", "tanh", "sin", "cos",
                    "powi", "powf", "min", "max", "clip",
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
