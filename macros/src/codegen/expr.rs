//! Expressions of the IR as Rust tokens, with the divisions by run constants of a loop body
//! hoisted out of the loop.
//!
//! The user's names (states, parameters, derived expressions, built-ins) are locals of the
//! generated code, so equations are emitted as written. Inside a loop body, `x / tau` with a
//! divisor built from parameters and `dt` becomes `x * __r0`, with `let __r0 = 1.0 / tau;`
//! computed once before the loop: a vector division costs several multiplications, and the
//! result differs in the last bit at most.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

use crate::ir::{BinOp, Expr, ExprKind, Func, Sym};
use crate::model::Model;
use crate::symbolic::{first_outside, is_constant_sym};

/// An `f64` literal with its sign outside (`(-1.5f64)`), so it composes with any operator.
pub fn f64_lit(x: f64) -> TokenStream {
    let lit = Literal::f64_suffixed(x.abs());
    if x.is_sign_negative() {
        quote!((-#lit))
    } else {
        quote!(#lit)
    }
}

/// A reciprocal computed before a loop: its local and its value.
pub struct Hoisted {
    divisor: Expr,
    pub local: Ident,
    pub value: TokenStream,
}

/// Emits expressions of one model; collects the reciprocals of a loop body when hoisting.
pub struct Emit<'m> {
    m: &'m Model,
    /// `Some` while a loop body is emitted.
    hoisted: Option<Vec<Hoisted>>,
}

impl<'m> Emit<'m> {
    /// Emits without hoisting (code that runs once).
    pub fn plain(m: &'m Model) -> Self {
        Emit { m, hoisted: None }
    }

    /// Emits a loop body: reciprocals of run constants are hoisted, see [`Emit::finish`].
    pub fn hoisting(m: &'m Model) -> Self {
        Emit {
            m,
            hoisted: Some(Vec::new()),
        }
    }

    /// The reciprocals hoisted so far, in the order of their locals `__r0`, `__r1`, ...
    pub fn finish(self) -> Vec<Hoisted> {
        self.hoisted.unwrap_or_default()
    }

    /// The local a symbol is read from.
    pub fn name(&self, sym: Sym, span: Span) -> Ident {
        Ident::new(&self.m.sym_name(sym), span)
    }

    /// `e` in a numeric context (booleans count 1 or 0).
    pub fn num(&mut self, e: &Expr) -> TokenStream {
        if e.is_bool() {
            let b = self.boolean(e);
            return quote!((if #b { 1.0f64 } else { 0.0f64 }));
        }
        match &e.kind {
            ExprKind::Num(x) | ExprKind::Quantity(x, _) => f64_lit(*x),
            ExprKind::Var(s) => {
                let id = self.name(*s, e.span.start);
                quote!(#id)
            }
            ExprKind::Neg(a) => {
                let a = self.num(a);
                quote!((-#a))
            }
            ExprKind::Bin(BinOp::Div, a, b)
                if self.hoisted.is_some()
                    && b.as_num().is_none()
                    && first_outside(b, &is_constant_sym).is_none() =>
            {
                let numerator = self.num(a);
                let value = self.num(b);
                let r = self.reciprocal(b, value);
                // `±1 · r` is `±r` exactly.
                match a.as_num() {
                    Some(1.0) => quote!(#r),
                    Some(-1.0) => quote!((-#r)),
                    _ => quote!((#numerator * #r)),
                }
            }
            ExprKind::Bin(op, a, b) => {
                let (a, b) = (self.num(a), self.num(b));
                match op {
                    BinOp::Add => quote!((#a + #b)),
                    BinOp::Sub => quote!((#a - #b)),
                    BinOp::Mul => quote!((#a * #b)),
                    _ => quote!((#a / #b)),
                }
            }
            ExprKind::Call(f, args) => {
                let a: Vec<TokenStream> = args.iter().map(|x| self.num(x)).collect();
                let a0 = &a[0];
                match f {
                    Func::Exp => quote!(f64::exp(#a0)),
                    Func::Expm1 => quote!(f64::exp_m1(#a0)),
                    Func::Log1p => quote!(f64::ln_1p(#a0)),
                    // (e^x − 1)/x: exp_m1 keeps it accurate near 0, where it is 1.
                    Func::Exprel => quote!({
                        let __x: f64 = #a0;
                        if __x == 0.0f64 { 1.0f64 } else { f64::exp_m1(__x) / __x }
                    }),
                    // ((x − 1)·exprel(x) + 1)/x, its series 1/2 + x/3 + x²/8 near 0 (within
                    // 1e-12 on either side of |x| = 2e-4).
                    Func::ExprelPrime => quote!({
                        let __x: f64 = #a0;
                        if __x.abs() < 2e-4f64 {
                            0.5f64 + __x * (1.0f64 / 3.0f64 + __x * 0.125f64)
                        } else {
                            ((__x - 1.0f64) * (f64::exp_m1(__x) / __x) + 1.0f64) / __x
                        }
                    }),
                    Func::Ln => quote!(f64::ln(#a0)),
                    Func::Sqrt => quote!(f64::sqrt(#a0)),
                    Func::Abs => quote!(f64::abs(#a0)),
                    Func::Tanh => quote!(f64::tanh(#a0)),
                    Func::Sin => quote!(f64::sin(#a0)),
                    Func::Cos => quote!(f64::cos(#a0)),
                    Func::Powi(n) => quote!(f64::powi(#a0, #n)),
                    Func::Powf => {
                        let a1 = &a[1];
                        quote!(f64::powf(#a0, #a1))
                    }
                    Func::Min => {
                        let a1 = &a[1];
                        quote!(f64::min(#a0, #a1))
                    }
                    Func::Max => {
                        let a1 = &a[1];
                        quote!(f64::max(#a0, #a1))
                    }
                }
            }
            ExprKind::If(c, a, b) => {
                let (c, a, b) = (self.boolean(c), self.num(a), self.num(b));
                quote!((if #c { #a } else { #b }))
            }
            ExprKind::Bool(_) | ExprKind::Not(_) => unreachable!("handled as boolean"),
        }
    }

    /// The local holding `1 / divisor` (emitted as `value`), hoisted once per distinct divisor.
    fn reciprocal(&mut self, divisor: &Expr, value: TokenStream) -> Ident {
        let known = self
            .hoisted
            .as_ref()
            .and_then(|list| list.iter().find(|h| h.divisor.same(divisor)))
            .map(|h| h.local.clone());
        if let Some(local) = known {
            return local;
        }
        let list = self.hoisted.get_or_insert_with(Vec::new);
        let local = format_ident!("__r{}", list.len());
        list.push(Hoisted {
            divisor: divisor.clone(),
            local: local.clone(),
            value: quote!(1.0f64 / #value),
        });
        local
    }

    /// `e` in a boolean context (a number is true when non-zero).
    pub fn boolean(&mut self, e: &Expr) -> TokenStream {
        if !e.is_bool() {
            let x = self.num(e);
            return quote!((#x != 0.0f64));
        }
        match &e.kind {
            ExprKind::Bool(b) => quote!(#b),
            ExprKind::Var(s) => {
                let id = self.name(*s, e.span.start);
                quote!(#id)
            }
            ExprKind::Not(a) => {
                let a = self.boolean(a);
                quote!((!#a))
            }
            ExprKind::Bin(op, a, b) if op.is_logic() => {
                let (a, b) = (self.boolean(a), self.boolean(b));
                if *op == BinOp::And {
                    quote!((#a && #b))
                } else {
                    quote!((#a || #b))
                }
            }
            ExprKind::Bin(op, a, b) => {
                let (a, b) = (self.num(a), self.num(b));
                match op {
                    BinOp::Lt => quote!((#a < #b)),
                    BinOp::Le => quote!((#a <= #b)),
                    BinOp::Gt => quote!((#a > #b)),
                    BinOp::Ge => quote!((#a >= #b)),
                    BinOp::Eq => quote!((#a == #b)),
                    _ => quote!((#a != #b)),
                }
            }
            ExprKind::If(c, a, b) => {
                let (c, a, b) = (self.boolean(c), self.boolean(a), self.boolean(b));
                quote!((if #c { #a } else { #b }))
            }
            _ => unreachable!("not boolean"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Builtin, Expr};

    fn model() -> Model {
        let item: syn::ItemStruct = syn::parse_quote! {
            pub struct M {
                #[param(default = 2.0)] pub tau: f64,
                #[state(init = 0.0, ode = -s / tau, on_pre_after += 1.0)] pub s: f64,
            }
        };
        let mut errors = crate::errors::Errors::default();
        let raw = crate::parse::parse(
            crate::parse::Kind::Synapse,
            TokenStream::new(),
            quote!(#item),
            &mut errors,
        )
        .expect("parses");
        crate::model::resolve(raw, &mut errors)
    }

    #[test]
    fn divisions_by_run_constants_are_hoisted_once() {
        let m = model();
        let at = Span::call_site();
        let s = Expr::var(Sym::State(0), at);
        let tau = Expr::var(Sym::Param(0), at);
        let dt = Expr::var(Sym::Builtin(Builtin::Dt), at);
        let div = |a: &Expr, b: &Expr| {
            Expr::new(
                ExprKind::Bin(BinOp::Div, Box::new(a.clone()), Box::new(b.clone())),
                at,
            )
        };
        let mut emit = Emit::hoisting(&m);
        let a = emit.num(&div(&s, &tau)).to_string();
        let b = emit.num(&div(&dt, &tau)).to_string();
        // A divisor that depends on the state stays a division.
        let c = emit.num(&div(&tau, &s)).to_string();
        let hoisted = emit.finish();
        assert_eq!(a, "(s * __r0)");
        assert_eq!(b, "(dt * __r0)");
        assert_eq!(c, "(tau / s)");
        assert_eq!(hoisted.len(), 1);
        assert_eq!(hoisted[0].value.to_string(), "1.0f64 / tau");
        // Without hoisting, divisions stay as written.
        assert_eq!(Emit::plain(&m).num(&div(&s, &tau)).to_string(), "(s / tau)");
    }
}
