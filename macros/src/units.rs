//! Layer 5, the unit pass: infers the unit of every equation so that `mV + nA` or `exp(V)` is
//! rejected at the offending term, and inserts the exact power-of-ten factors where two scales of
//! one dimension meet (`pA + nA`). The checker never converts silently across dimensions.

use crate::ir::{BinOp, Builtin, Expr, ExprKind, Func, Sym};
use crate::spans::Spans;
use crate::unit::Unit;

/// The inferred type of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inferred {
    /// A number of this unit.
    Num(Unit),
    /// A number that is 0 whatever its unit (the literal `0`, `0 * x`): matches every unit.
    AnyUnit,
    /// A boolean (comparison, `&&`, `||`, `!`, flag); counts as dimensionless 1/0 in arithmetic.
    Bool,
}

use Inferred::{AnyUnit, Bool, Num};

impl Inferred {
    /// The unit as a number: `Bool` counts as dimensionless, `AnyUnit` has none (`None`).
    fn num(self) -> Option<Unit> {
        match self {
            Num(u) => Some(u),
            Bool => Some(Unit::ONE),
            AnyUnit => None,
        }
    }

    /// As an arithmetic operand: `Bool` becomes dimensionless.
    fn arith(self) -> Inferred {
        self.num().map_or(AnyUnit, Num)
    }

    fn describe(self) -> String {
        match self {
            Num(u) => format!("a number in `{u}`"),
            AnyUnit => "the number 0".into(),
            Bool => "a boolean".into(),
        }
    }
}

/// Where two units must agree, for the wording of the error.
#[derive(Clone, Copy)]
enum Ctx {
    Bin(BinOp),
    If,
    Call(Func),
}

fn op_str(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::And => "&&",
        BinOp::Or => "||",
    }
}

/// The integer value of a literal such as `2.0` or `-1.0`, for `powf`.
fn int_literal(e: &Expr) -> Option<i32> {
    let x = match &e.kind {
        ExprKind::Neg(a) => -a.as_num()?,
        _ => e.as_num()?,
    };
    (x.fract() == 0.0 && x.abs() <= 64.0).then_some(x as i32)
}

/// The fixed unit of a numeric built-in: `t`, `dt` in ms, potentials in mV, the input in nA.
fn builtin_unit(s: Sym) -> Option<Unit> {
    match s {
        Sym::Builtin(Builtin::T | Builtin::Dt) => Some(Unit::MS),
        Sym::Builtin(Builtin::VPre | Builtin::VPost) => Some(Unit::MV),
        Sym::Builtin(Builtin::Input) => Some(Unit::NA),
        Sym::Builtin(Builtin::Xi) => Some(Unit::PER_SQRT_MS),
        _ => None,
    }
}

/// Infers the unit of `expr`, pushing every independent unit error into `errors`.
///
/// `env` gives each symbol's unit (`None`: unknown, and errors involving it are suppressed;
/// numeric built-ins the environment does not know get their fixed units). Returns `None` when
/// the unit is unknown or an error was reported inside, so parents never report the same fault.
pub fn infer(
    expr: &Expr,
    env: &dyn Fn(Sym) -> Option<Unit>,
    errors: &mut Vec<syn::Error>,
) -> Option<Inferred> {
    Infer { env, errors }.go(expr)
}

struct Infer<'a> {
    env: &'a dyn Fn(Sym) -> Option<Unit>,
    errors: &'a mut Vec<syn::Error>,
}

impl Infer<'_> {
    fn fail(&mut self, span: Spans, msg: String) -> Option<Inferred> {
        self.errors.push(span.error(msg));
        None
    }

    /// `x`, unless an error was reported since `before`: a boolean or an `if` has a known type
    /// even when an operand's unit is unknown, but never after an error inside.
    fn clean(&self, before: usize, x: Option<Inferred>) -> Option<Inferred> {
        x.filter(|_| self.errors.len() == before)
    }

    fn go(&mut self, e: &Expr) -> Option<Inferred> {
        let before = self.errors.len();
        match &e.kind {
            ExprKind::Num(x) => Some(if *x == 0.0 { AnyUnit } else { Num(Unit::ONE) }),
            ExprKind::Quantity(_, u) => Some(Num(*u)),
            ExprKind::Bool(_) => Some(Bool),
            ExprKind::Var(Sym::Builtin(b)) if b.is_bool() => Some(Bool),
            ExprKind::Var(s) => (self.env)(*s).or_else(|| builtin_unit(*s)).map(Num),
            ExprKind::Neg(a) => self.go(a).map(Inferred::arith),
            ExprKind::Not(a) => {
                let x = self.go(a);
                self.want_bool(x, a, "the operand of `!`");
                self.clean(before, Some(Bool))
            }
            ExprKind::Bin(op, a, b) => {
                let (l, r) = (self.go(a), self.go(b));
                if op.is_logic() {
                    let what = format!("an operand of `{}`", op_str(*op));
                    self.want_bool(l, a, &what);
                    self.want_bool(r, b, &what);
                    return self.clean(before, Some(Bool));
                }
                if op.is_comparison() {
                    if let (Some(l), Some(r)) = (l, r) {
                        let _ = self.unify(l, r, Ctx::Bin(*op), e.span);
                    }
                    return self.clean(before, Some(Bool));
                }
                let (l, r) = (l?, r?);
                match (op, l.num(), r.num()) {
                    (BinOp::Mul, Some(x), Some(y)) => Some(Num(x.mul(y))),
                    (BinOp::Div, Some(x), Some(y)) => Some(Num(x.div(y))),
                    (BinOp::Mul | BinOp::Div, ..) => Some(AnyUnit),
                    _ => self.unify(l.arith(), r.arith(), Ctx::Bin(*op), e.span),
                }
            }
            ExprKind::Call(f, args) => {
                let got: Vec<_> = args.iter().map(|a| self.go(a)).collect();
                if args.len() == f.arity() {
                    self.call(*f, args, &got, e.span)
                } else {
                    let (name, n) = (f.name(), f.arity());
                    self.fail(
                        e.span,
                        format!("`{name}` takes {n} argument(s), found {}", args.len()),
                    )
                }
            }
            ExprKind::If(c, a, b) => {
                let cond = self.go(c);
                self.want_bool(cond, c, "the condition of `if`");
                let (l, r) = (self.go(a), self.go(b));
                let out = self.unify(l?, r?, Ctx::If, e.span);
                self.clean(before, out)
            }
        }
    }

    /// Reports `x` unless it is a boolean (an unknown operand stays silent).
    fn want_bool(&mut self, x: Option<Inferred>, e: &Expr, what: &str) {
        if let Some(x) = x.filter(|x| *x != Bool) {
            self.fail(
                e.span,
                format!("{what} must be a boolean, found {}", x.describe()),
            );
        }
    }

    /// Reports a non-dimensionless `x`, the argument of `f` written at `arg`.
    fn dimensionless(&mut self, x: Inferred, arg: &Expr, f: Func, what: &str) -> Option<()> {
        match x.num() {
            Some(u) if !u.is_dimensionless() => {
                let hint = if u.same_dimension(&Unit::ONE) {
                    format!(
                        " (a pure number scaled by 1e{}: convert the units)",
                        u.scale
                    )
                } else {
                    String::new()
                };
                let name = f.name();
                self.fail(
                    arg.span,
                    format!("{what} of `{name}` must be dimensionless, found `{u}`{hint}"),
                );
                None
            }
            _ => Some(()),
        }
    }

    fn call(
        &mut self,
        f: Func,
        args: &[Expr],
        got: &[Option<Inferred>],
        span: Spans,
    ) -> Option<Inferred> {
        let x = got[0]?;
        match f {
            Func::Exp
            | Func::Expm1
            | Func::Log1p
            | Func::Exprel
            | Func::ExprelPrime
            | Func::Ln
            | Func::Tanh
            | Func::Sin
            | Func::Cos => {
                self.dimensionless(x, &args[0], f, "argument")?;
                Some(Num(Unit::ONE))
            }
            Func::Abs => Some(x.arith()),
            Func::Sqrt => match x.num().map(|u| (u, u.sqrt())) {
                None => Some(AnyUnit),
                Some((_, Some(root))) => Some(Num(root)),
                Some((u, None)) => self.fail(
                    args[0].span,
                    format!(
                        "`sqrt` of `{u}` has no exact unit: a half power of a half, or of an odd \
                         power of ten"
                    ),
                ),
            },
            Func::Powi(0) => Some(Num(Unit::ONE)),
            Func::Powi(n) => Some(x.num().map_or(AnyUnit, |u| Num(u.powi(n)))),
            Func::Powf => {
                self.dimensionless(got[1]?, &args[1], f, "exponent")?;
                match (x.num(), int_literal(&args[1])) {
                    (None, _) => Some(AnyUnit),
                    (Some(u), Some(p)) => Some(Num(u.powi(p))),
                    (Some(_), None) => {
                        let what = "base (the exponent is not an integer literal)";
                        self.dimensionless(x, &args[0], f, what)?;
                        Some(Num(Unit::ONE))
                    }
                }
            }
            Func::Min | Func::Max => self.unify(x.arith(), got[1]?.arith(), Ctx::Call(f), span),
        }
    }

    /// Two operands that must share one unit (dimension and scale); two booleans stay `Bool`.
    fn unify(&mut self, l: Inferred, r: Inferred, ctx: Ctx, span: Spans) -> Option<Inferred> {
        let (a, b) = match (l, l.num(), r.num()) {
            _ if l == Bool && r == Bool => return Some(Bool),
            (_, None, None) => return Some(AnyUnit),
            (_, Some(a), None) | (_, None, Some(a)) => return Some(Num(a)),
            (_, Some(a), Some(b)) if a == b => return Some(Num(a)),
            (_, Some(a), Some(b)) => (a, b),
        };
        let msg = if a.same_dimension(&b) {
            let verb = match ctx {
                Ctx::Bin(BinOp::Add) => "add".into(),
                Ctx::Bin(BinOp::Sub) => "subtract".into(),
                Ctx::Bin(_) => "compare".into(),
                Ctx::If => "choose between".into(),
                Ctx::Call(f) => format!("take the {} of", f.name()),
            };
            let factor = a.scale.abs_diff(b.scale);
            format!(
                "cannot {verb} `{a}` and `{b}` (they differ by a factor 1e{factor}): \
                 convert one side"
            )
        } else {
            let (what, note) = match ctx {
                Ctx::Bin(op) => (
                    format!("`{a}` {0} `{b}`", op_str(op)),
                    format!("both sides of `{}`", op_str(op)),
                ),
                Ctx::If => (
                    format!("`if` branches `{a}` and `{b}`"),
                    "both branches".into(),
                ),
                Ctx::Call(f) => (
                    format!("`{}` of `{a}` and `{b}`", f.name()),
                    "both arguments".into(),
                ),
            };
            let mut msg = format!("mismatched units: {what} ({note} must have the same unit)");
            if a.is_dimensionless() || b.is_dimensionless() {
                let other = if a.is_dimensionless() { b } else { a };
                msg.push_str(&format!(
                    "\nhelp: a number with a unit is written with the unit in brackets, e.g. \
                     `40.0[{other}]`"
                ));
            }
            msg
        };
        self.fail(span, msg)
    }
}

/// `e` (of unit `from`) times the factor that expresses it in `to`, a unit of the same
/// dimension: `e * 10^(from.scale − to.scale)`, the factor a [`ExprKind::Quantity`] whose
/// unit makes the product's unit `to`.
fn rescale(e: Expr, from: Unit, to: Unit) -> Expr {
    let k = from.scale - to.scale;
    let span = e.span;
    let factor = Expr::new(
        ExprKind::Quantity(10f64.powi(k), Unit::power_of_ten(-k)),
        span,
    );
    Expr::new(
        ExprKind::Bin(BinOp::Mul, Box::new(e), Box::new(factor)),
        span,
    )
}

/// Where two scales of one dimension meet in `e` (`pA + nA`, `exp(x)` of a number scaled by
/// 1e-3), inserts the power-of-ten factor that converts the right operand (or the argument)
/// exactly; returns the converted expression and its unit (`None`: unknown, or a dimension
/// error that [`infer`] reports). Nothing else changes.
pub fn convert(e: &Expr, env: &dyn Fn(Sym) -> Option<Unit>) -> (Expr, Option<Inferred>) {
    let unit = |x: &Expr| infer(x, env, &mut Vec::new());
    let span = e.span;
    let same_dim = |l: Option<Inferred>, r: Option<Inferred>| match (l, r) {
        (Some(Num(a)), Some(Num(b))) if a != b && a.same_dimension(&b) => Some((a, b)),
        _ => None,
    };
    let kind = match &e.kind {
        ExprKind::Num(_) | ExprKind::Quantity(..) | ExprKind::Bool(_) | ExprKind::Var(_) => {
            return (e.clone(), unit(e));
        }
        ExprKind::Neg(a) => ExprKind::Neg(Box::new(convert(a, env).0)),
        ExprKind::Not(a) => ExprKind::Not(Box::new(convert(a, env).0)),
        ExprKind::Bin(op, a, b) => {
            let ((a, ua), (b, ub)) = (convert(a, env), convert(b, env));
            let b = match same_dim(ua, ub) {
                Some((to, from)) if !matches!(op, BinOp::Mul | BinOp::Div) && !op.is_logic() => {
                    rescale(b, from, to)
                }
                _ => b,
            };
            ExprKind::Bin(*op, Box::new(a), Box::new(b))
        }
        ExprKind::Call(f, args) => {
            let mut args: Vec<(Expr, Option<Inferred>)> =
                args.iter().map(|a| convert(a, env)).collect();
            match f {
                Func::Min | Func::Max if args.len() == 2 => {
                    if let Some((to, from)) = same_dim(args[0].1, args[1].1) {
                        let b = args.pop().map(|x| x.0).unwrap_or_else(|| e.clone());
                        args.push((rescale(b, from, to), Some(Num(to))));
                    }
                }
                Func::Exp
                | Func::Expm1
                | Func::Log1p
                | Func::Exprel
                | Func::ExprelPrime
                | Func::Ln
                | Func::Tanh
                | Func::Sin
                | Func::Cos
                | Func::Powf => {
                    // A dimensionless argument (or base) scaled by 10^k becomes a pure number.
                    if let Some((a, Some(Num(u)))) = args.first_mut() {
                        if u.same_dimension(&Unit::ONE) && u.scale != 0 {
                            *a = rescale(a.clone(), *u, Unit::ONE);
                        }
                    }
                }
                _ => {}
            }
            ExprKind::Call(*f, args.into_iter().map(|x| x.0).collect())
        }
        ExprKind::If(c, a, b) => {
            let c = convert(c, env).0;
            let ((a, ua), (b, ub)) = (convert(a, env), convert(b, env));
            let b = match same_dim(ua, ub) {
                Some((to, from)) => rescale(b, from, to),
                None => b,
            };
            ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
        }
    };
    let out = Expr::new(kind, span);
    let u = unit(&out);
    (out, u)
}

/// [`convert`], then the whole expressed in `expected` if it has `expected`'s dimension in
/// another scale (an equation's right-hand side, an update, an output).
pub fn convert_to(e: &Expr, expected: Unit, env: &dyn Fn(Sym) -> Option<Unit>) -> Expr {
    match convert(e, env) {
        (x, Some(Num(u))) if u != expected && u.same_dimension(&expected) => {
            rescale(x, u, expected)
        }
        (x, _) => x,
    }
}

/// Checks an inferred unit against the one expected, e.g. for `what` = "the right-hand side of
/// `ds/dt`": ``the right-hand side of `ds/dt` has unit `mV`, expected `1/ms` ``. `AnyUnit`
/// matches everything and `Bool` matches a dimensionless expectation (a spike count).
pub fn check(expected: Unit, got: &Inferred, span: Spans, what: &str) -> Option<syn::Error> {
    let msg = match *got {
        AnyUnit => return None,
        Bool if expected.is_dimensionless() => return None,
        Num(u) if u == expected => return None,
        Bool => format!("{what} is a boolean, expected `{expected}`"),
        Num(u) if u.same_dimension(&expected) => {
            let factor = u.scale.abs_diff(expected.scale);
            format!(
                "{what} has unit `{u}`, expected `{expected}` \
                 (they differ by a factor 1e{factor}): convert it"
            )
        }
        Num(u) => format!("{what} has unit `{u}`, expected `{expected}`"),
    };
    Some(span.error(msg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::tests::{table, u};
    use proc_macro2::Span;
    use quote::ToTokens;

    fn sp() -> Span {
        Span::call_site()
    }
    /// Lowers Rust source to IR: built-in names are built-ins, any other name is `Param(i)`, its
    /// index in `names`.
    fn lower(e: &syn::Expr, names: &[&str]) -> Expr {
        let go = |e: &syn::Expr| Box::new(lower(e, names));
        let last = |b: &syn::Block| match b.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => lower(e, names),
            _ => panic!("block without a value"),
        };
        let kind = match e {
            syn::Expr::Paren(p) => return lower(&p.expr, names),
            syn::Expr::Block(b) => return last(&b.block),
            syn::Expr::Lit(l) => match &l.lit {
                syn::Lit::Float(x) => ExprKind::Num(x.base10_parse().unwrap()),
                syn::Lit::Int(x) => ExprKind::Num(x.base10_parse().unwrap()),
                syn::Lit::Bool(b) => ExprKind::Bool(b.value),
                _ => panic!("literal"),
            },
            syn::Expr::Path(p) => {
                let name = p.path.get_ident().unwrap().to_string();
                ExprKind::Var(match Builtin::SYNAPSE.iter().find(|(n, _)| *n == name) {
                    Some((_, b)) => Sym::Builtin(*b),
                    None => Sym::Param(names.iter().position(|n| *n == name).expect(&name)),
                })
            }
            syn::Expr::Unary(x) => match x.op {
                syn::UnOp::Neg(_) => ExprKind::Neg(go(&x.expr)),
                _ => ExprKind::Not(go(&x.expr)),
            },
            syn::Expr::Binary(x) => {
                use BinOp::*;
                let ops = [Add, Sub, Mul, Div, Lt, Le, Gt, Ge, Eq, Ne, And, Or];
                let op = x.op.to_token_stream().to_string();
                let op = ops.into_iter().find(|o| op_str(*o) == op).unwrap();
                ExprKind::Bin(op, go(&x.left), go(&x.right))
            }
            syn::Expr::Call(c) => {
                use Func::*;
                let name = c.func.to_token_stream().to_string();
                let mut args: Vec<Expr> = c.args.iter().map(|a| lower(a, names)).collect();
                let f = [Exp, Ln, Sqrt, Abs, Tanh, Sin, Cos, Powf, Min, Max].into_iter();
                let f = match f.into_iter().find(|f| f.name() == name) {
                    Some(f) => f,
                    None => Powi(args.pop().and_then(|n| n.as_num()).unwrap() as i32),
                };
                ExprKind::Call(f, args)
            }
            syn::Expr::Index(x) => match lower(&x.expr, names).kind {
                ExprKind::Num(v) => {
                    ExprKind::Quantity(v, u(&x.index.to_token_stream().to_string()))
                }
                _ => panic!("a unit literal needs a number"),
            },
            syn::Expr::If(x) => {
                let other = &x.else_branch.as_ref().unwrap().1;
                ExprKind::If(go(&x.cond), Box::new(last(&x.then_branch)), go(other))
            }
            _ => panic!("unsupported {}", e.to_token_stream()),
        };
        Expr::new(kind, sp())
    }

    /// The unit of `src` as text (`any`, `bool`, `unknown`), or its errors joined by ` | `; `env`
    /// is `name=unit` pairs, `?` for an unknown unit.
    fn ty(src: &str, env: &str) -> String {
        let pairs: Vec<(&str, &str)> = env
            .split_whitespace()
            .map(|p| p.split_once('=').unwrap())
            .collect();
        let names: Vec<&str> = pairs.iter().map(|p| p.0).collect();
        let units: Vec<Option<Unit>> = pairs.iter().map(|p| (p.1 != "?").then(|| u(p.1))).collect();
        let env = |s: Sym| match s {
            Sym::Param(i) => units[i],
            _ => None,
        };
        let expr = lower(&syn::parse_str(src).unwrap(), &names);
        let mut errors = Vec::new();
        let got = infer(&expr, &env, &mut errors);
        if !errors.is_empty() {
            assert_eq!(got, None, "{src}: an error must not leave a unit");
            return errors
                .iter()
                .map(|e| e.to_string().replace('\n', " | "))
                .collect::<Vec<_>>()
                .join(" | ");
        }
        match got {
            Some(Num(u)) => u.to_string(),
            Some(AnyUnit) => "any".into(),
            Some(Bool) => "bool".into(),
            None => "unknown".into(),
        }
    }

    /// The value of `e` with `values[i]` for `Param(i)` (arithmetic, `exp`, `min` only).
    fn value(e: &Expr, values: &[f64]) -> f64 {
        match &e.kind {
            ExprKind::Num(x) | ExprKind::Quantity(x, _) => *x,
            ExprKind::Var(Sym::Param(i)) => values[*i],
            ExprKind::Neg(a) => -value(a, values),
            ExprKind::Bin(op, a, b) => {
                let (a, b) = (value(a, values), value(b, values));
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    _ => unreachable!(),
                }
            }
            ExprKind::Call(Func::Exp, a) => value(&a[0], values).exp(),
            ExprKind::Call(Func::Min, a) => value(&a[0], values).min(value(&a[1], values)),
            _ => unreachable!(),
        }
    }

    #[test]
    fn conversion_folds_the_factor_between_scales() {
        // name=unit value: c = 2 mM, d = 500 µM, g = 10 nS, I = 0.1 nA, V = 20 mV, W = 0.02 V,
        // C = 200 pF.
        let names = ["c", "d", "g", "I", "V", "W", "C"];
        let units = ["mM", "uM", "nS", "nA", "mV", "V", "pF"].map(u);
        let values = [2.0, 500.0, 10.0, 0.1, 20.0, 0.02, 200.0];
        let env = |s: Sym| match s {
            Sym::Param(i) => Some(units[i]),
            _ => None,
        };
        for (src, unit, expected) in [
            // The right operand is expressed in the left one's unit.
            ("c - d", "mM", 1.5),
            ("d - c", "uM", -1500.0),
            ("min(c, d)", "mM", 0.5),
            ("V + W", "mV", 40.0),
            // g·V is in pA; I in nA is converted.
            ("g * V - I", "pA", 100.0),
            // A pure number scaled by 1e3 inside `exp` becomes a pure number.
            ("exp(W / V)", "1", 1f64.exp()),
            ("(g * V - I) / C", "mV/ms", 0.5),
            ("V + 5.0[mV]", "mV", 25.0),
        ] {
            let expr = lower(&syn::parse_str(src).unwrap(), &names);
            let (out, got) = convert(&expr, &env);
            let mut errors = Vec::new();
            assert_eq!(infer(&out, &env, &mut errors), got, "{src}");
            assert!(errors.is_empty(), "{src}: {errors:?}");
            assert_eq!(got, Some(Num(u(unit))), "{src}");
            let v = value(&out, &values);
            assert!(
                (v - expected).abs() <= 1e-12 * expected.abs(),
                "{src}: {v} vs {expected}"
            );
        }
        // `convert_to` expresses the whole in the unit asked for.
        let expr = lower(&syn::parse_str("g * V").unwrap(), &names);
        let out = convert_to(&expr, Unit::NA, &env);
        assert!((value(&out, &values) - 0.2).abs() < 1e-15);
        // A dimension mismatch is left for `infer` to report.
        let expr = lower(&syn::parse_str("V + I").unwrap(), &names);
        assert_eq!(convert(&expr, &env).1, None);
    }

    fn run_table(cases: &str) {
        let env = "alpha=1/(mM*ms) T=mM s=1 beta=1/ms a=1/mV V=mV b=mM c=mM d=uM V_rest=mV \
                   R=MOhm I=nA tau=ms g=nS E=mV T_max=mM x=1 W=V q=mV^2 y=uM z=mV/uM^3 u=?";
        table(cases, |src| ty(src, env));
    }

    #[test]
    fn infers_units() {
        run_table(
            "
alpha*T*(1.0 - s) - beta*s
    1/ms
1.0/(1.0 + exp(-a*V)*c/b)
    1
(-(V - V_rest) + R*I)/tau
    mV/ms
g*(v_post - E)
    pA
if V > E { T_max } else { 0.0 }
    mM
x + spike_pre
    1
spike_pre == true && !(V < E)
    bool
0.0 * V
    any
sqrt(q) + powi(y, 3) * z
    mV
powf(V, 2.0) + powf(x, 0.5) * q * powf(V, -2.0) * q
    mV^2
max(I, 0.0) + min(I, abs(I))
    nA
V + u
    unknown
if V > u && !(u < V) { V } else { 0.0 }
    mV
",
        );
    }

    #[test]
    fn error_messages() {
        run_table(
            "
V + I
    mismatched units: `mV` + `nA` (both sides of `+` must have the same unit)
c - d
    cannot subtract `mM` and `uM` (they differ by a factor 1e3): convert one side
V < t
    mismatched units: `mV` < `ms` (both sides of `<` must have the same unit)
exp(V)
    argument of `exp` must be dimensionless, found `mV`
ln(V/W)
    argument of `ln` must be dimensionless, found `1e-3` (a pure number scaled by 1e-3: \
    convert the units)
sqrt(g)
    `sqrt` of `nS` has no exact unit: a half power of a half, or of an odd power of ten
powf(V, x)
    base (the exponent is not an integer literal) of `powf` must be dimensionless, \
    found `mV`
powf(x, t)
    exponent of `powf` must be dimensionless, found `ms`
min(V, I)
    mismatched units: `min` of `mV` and `nA` (both arguments must have the same unit)
max(c, d)
    cannot take the max of `mM` and `uM` (they differ by a factor 1e3): convert one side
min(V)
    `min` takes 2 argument(s), found 1
if x > 0.0 { V } else { I }
    mismatched units: `if` branches `mV` and `nA` (both branches must have the same unit)
if V { x } else { x }
    the condition of `if` must be a boolean, found a number in `mV`
spike_pre && V
    an operand of `&&` must be a boolean, found a number in `mV`
!x
    the operand of `!` must be a boolean, found a number in `1`
((V + I) * g + x) - t
    mismatched units: `mV` + `nA` (both sides of `+` must have the same unit)
exp(V) + (c - d)
    argument of `exp` must be dimensionless, found `mV`
    cannot subtract `mM` and `uM` (they differ by a factor 1e3): convert one side
if V { V } else { x }
    the condition of `if` must be a boolean, found a number in `mV`
    mismatched units: `if` branches `mV` and `1` (both branches must have the same unit)
    help: a number with a unit is written with the unit in brackets, e.g. `40.0[mV]`
",
        );
    }

    #[test]
    fn check_wording() {
        let what = "the right-hand side of `ds/dt`";
        let msg = |got: Inferred| check(u("1/ms"), &got, sp().into(), what).map(|e| e.to_string());
        let rhs = "the right-hand side of `ds/dt`";
        assert_eq!(
            msg(Num(Unit::MV)).unwrap(),
            format!("{rhs} has unit `mV`, expected `1/ms`")
        );
        let hz = format!(
            "{rhs} has unit `Hz`, expected `1/ms` (they differ by a factor 1e3): convert it"
        );
        assert_eq!(msg(Num(u("Hz"))).unwrap(), hz);
        assert_eq!(
            msg(Bool).unwrap(),
            format!("{rhs} is a boolean, expected `1/ms`")
        );
        assert_eq!((msg(AnyUnit), msg(Num(u("1/ms")))), (None, None));
        assert!(check(Unit::ONE, &Bool, sp().into(), what).is_none());
    }
}
