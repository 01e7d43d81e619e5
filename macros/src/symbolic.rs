//! Layer 5, a pass over the IR: symbolic algebra on [`Expr`]: inlining of derived expressions,
//! differentiation and substitution, with constant folding of 0 and 1 so derivatives stay
//! readable. Every built node takes the span of the term it was derived from.

use crate::ir::{BinOp, Builtin, Expr, ExprKind, Func, Sym};
use crate::spans::Spans;

fn is_num(e: &Expr, v: f64) -> bool {
    e.as_num() == Some(v)
}

fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    let span = a.span;
    Expr::new(ExprKind::Bin(op, Box::new(a), Box::new(b)), span)
}

/// `a + b`, folded.
pub fn add(a: Expr, b: Expr) -> Expr {
    match (a.as_num(), b.as_num()) {
        (Some(x), Some(y)) => Expr::num(x + y, a.span),
        (Some(0.0), _) => b,
        (_, Some(0.0)) => a,
        _ => bin(BinOp::Add, a, b),
    }
}

/// `a - b`, folded.
pub fn sub(a: Expr, b: Expr) -> Expr {
    match (a.as_num(), b.as_num()) {
        (Some(x), Some(y)) => Expr::num(x - y, a.span),
        (_, Some(0.0)) => a,
        (Some(0.0), _) => neg(b),
        _ => bin(BinOp::Sub, a, b),
    }
}

/// `a * b`, folded.
pub fn mul(a: Expr, b: Expr) -> Expr {
    match (a.as_num(), b.as_num()) {
        (Some(x), Some(y)) => Expr::num(x * y, a.span),
        (Some(x), _) | (_, Some(x)) if x == 0.0 => Expr::num(0.0, a.span),
        (Some(1.0), _) => b,
        (_, Some(1.0)) => a,
        // Exact: multiplying by −1 and negating give the same bits.
        (Some(-1.0), _) => neg(b),
        (_, Some(-1.0)) => neg(a),
        _ => bin(BinOp::Mul, a, b),
    }
}

/// `a / b`, folded.
pub fn div(a: Expr, b: Expr) -> Expr {
    if is_num(&a, 0.0) {
        return a;
    }
    if is_num(&b, 1.0) {
        return a;
    }
    bin(BinOp::Div, a, b)
}

/// `-a`, folded.
pub fn neg(a: Expr) -> Expr {
    match &a.kind {
        ExprKind::Num(x) => Expr::num(-x, a.span),
        ExprKind::Quantity(x, u) => Expr::new(ExprKind::Quantity(-x, *u), a.span),
        ExprKind::Neg(inner) => (**inner).clone(),
        _ => {
            let span = a.span;
            Expr::new(ExprKind::Neg(Box::new(a)), span)
        }
    }
}

fn call(f: Func, args: Vec<Expr>, span: Spans) -> Expr {
    Expr::new(ExprKind::Call(f, args), span)
}

/// Replaces every `Var(Derived(i))` with `select(i)` true by its (recursively inlined) expression.
pub fn inline(e: &Expr, derived: &[Expr], select: &dyn Fn(usize) -> bool) -> Expr {
    map_vars(e, &|sym, span| match sym {
        Sym::Derived(i) if select(i) => {
            Some(inline(&derived[i], derived, select)).map(|x| Expr { span, ..x })
        }
        _ => None,
    })
}

/// Replaces each symbol for which `f` gives an expression.
pub fn map_vars(e: &Expr, f: &dyn Fn(Sym, Spans) -> Option<Expr>) -> Expr {
    let span = e.span;
    let kind = match &e.kind {
        ExprKind::Var(s) => return f(*s, span).unwrap_or_else(|| e.clone()),
        ExprKind::Num(_) | ExprKind::Quantity(..) | ExprKind::Bool(_) => return e.clone(),
        ExprKind::Neg(a) => ExprKind::Neg(Box::new(map_vars(a, f))),
        ExprKind::Not(a) => ExprKind::Not(Box::new(map_vars(a, f))),
        ExprKind::Bin(op, a, b) => {
            ExprKind::Bin(*op, Box::new(map_vars(a, f)), Box::new(map_vars(b, f)))
        }
        ExprKind::Call(func, args) => {
            ExprKind::Call(*func, args.iter().map(|a| map_vars(a, f)).collect())
        }
        ExprKind::If(c, a, b) => ExprKind::If(
            Box::new(map_vars(c, f)),
            Box::new(map_vars(a, f)),
            Box::new(map_vars(b, f)),
        ),
    };
    Expr::new(kind, span)
}

/// Rebuilds `e` bottom-up through the folding constructors (after a substitution).
pub fn fold(e: &Expr) -> Expr {
    match &e.kind {
        ExprKind::Neg(a) => neg(fold(a)),
        ExprKind::Bin(BinOp::Add, a, b) => add(fold(a), fold(b)),
        ExprKind::Bin(BinOp::Sub, a, b) => sub(fold(a), fold(b)),
        ExprKind::Bin(BinOp::Mul, a, b) => mul(fold(a), fold(b)),
        ExprKind::Bin(BinOp::Div, a, b) => div(fold(a), fold(b)),
        _ => e.clone(),
    }
}

/// `∂e/∂x`, treating every other symbol (derived expressions included: inline them first) as
/// independent of `x`. Conditions of `if` are piecewise constant.
pub fn deriv(e: &Expr, x: Sym) -> Expr {
    let span = e.span;
    let zero = || Expr::num(0.0, span);
    match &e.kind {
        ExprKind::Num(_) | ExprKind::Quantity(..) | ExprKind::Bool(_) | ExprKind::Not(_) => zero(),
        ExprKind::Var(s) => Expr::num(if *s == x { 1.0 } else { 0.0 }, span),
        ExprKind::Neg(a) => neg(deriv(a, x)),
        ExprKind::Bin(op, a, b) => match op {
            BinOp::Add => add(deriv(a, x), deriv(b, x)),
            BinOp::Sub => sub(deriv(a, x), deriv(b, x)),
            BinOp::Mul => add(
                mul(deriv(a, x), (**b).clone()),
                mul((**a).clone(), deriv(b, x)),
            ),
            BinOp::Div => {
                let da = deriv(a, x);
                let db = deriv(b, x);
                let first = div(da, (**b).clone());
                if is_num(&db, 0.0) {
                    first
                } else {
                    sub(
                        first,
                        div(mul((**a).clone(), db), mul((**b).clone(), (**b).clone())),
                    )
                }
            }
            _ => zero(),
        },
        ExprKind::Call(f, args) => {
            let a = &args[0];
            let da = deriv(a, x);
            if is_num(&da, 0.0) && args.len() == 1 {
                return zero();
            }
            match f {
                Func::Exp => mul(e.clone(), da),
                Func::Expm1 => mul(call(Func::Exp, vec![a.clone()], span), da),
                Func::Log1p => div(da, add(Expr::num(1.0, span), a.clone())),
                Func::Exprel => mul(call(Func::ExprelPrime, vec![a.clone()], span), da),
                // Only the first derivative is ever taken (Jacobians, linearity).
                Func::ExprelPrime => mul(call(Func::ExprelPrime, vec![a.clone()], span), da),
                Func::Ln => div(da, a.clone()),
                Func::Sqrt => div(da, mul(Expr::num(2.0, span), e.clone())),
                Func::Abs => mul(da, div(a.clone(), e.clone())),
                Func::Tanh => mul(da, sub(Expr::num(1.0, span), mul(e.clone(), e.clone()))),
                Func::Sin => mul(da, call(Func::Cos, vec![a.clone()], span)),
                Func::Cos => neg(mul(da, call(Func::Sin, vec![a.clone()], span))),
                Func::Powi(n) => {
                    let lower = if *n == 1 {
                        Expr::num(1.0, span)
                    } else {
                        call(Func::Powi(n - 1), vec![a.clone()], span)
                    };
                    mul(mul(Expr::num(f64::from(*n), span), lower), da)
                }
                Func::Powf => {
                    let p = &args[1];
                    let dp = deriv(p, x);
                    // d(a^p) = a^p·(dp·ln a + p·da/a)
                    let t1 = mul(dp, call(Func::Ln, vec![a.clone()], span));
                    let t2 = div(mul(p.clone(), da), a.clone());
                    mul(e.clone(), add(t1, t2))
                }
                Func::Min | Func::Max => {
                    let op = if *f == Func::Min {
                        BinOp::Lt
                    } else {
                        BinOp::Gt
                    };
                    let c = bin(op, a.clone(), args[1].clone());
                    Expr::new(
                        ExprKind::If(Box::new(c), Box::new(da), Box::new(deriv(&args[1], x))),
                        span,
                    )
                }
            }
        }
        ExprKind::If(c, a, b) => {
            let da = deriv(a, x);
            let db = deriv(b, x);
            if is_num(&da, 0.0) && is_num(&db, 0.0) {
                return zero();
            }
            Expr::new(ExprKind::If(c.clone(), Box::new(da), Box::new(db)), span)
        }
    }
}

/// The first node of `e` (parents first) that mentions a symbol outside `allowed`, if any.
pub fn first_outside<'e>(e: &'e Expr, allowed: &dyn Fn(Sym) -> bool) -> Option<&'e Expr> {
    let mut found: Option<&Expr> = None;
    fn visit<'e>(e: &'e Expr, allowed: &dyn Fn(Sym) -> bool, found: &mut Option<&'e Expr>) {
        if found.is_some() {
            return;
        }
        match &e.kind {
            ExprKind::Var(s) if !allowed(*s) => *found = Some(e),
            ExprKind::Var(_) | ExprKind::Num(_) | ExprKind::Quantity(..) | ExprKind::Bool(_) => {}
            ExprKind::Neg(a) | ExprKind::Not(a) => visit(a, allowed, found),
            ExprKind::Bin(_, a, b) => {
                visit(a, allowed, found);
                visit(b, allowed, found);
            }
            ExprKind::Call(_, args) => args.iter().for_each(|a| visit(a, allowed, found)),
            ExprKind::If(c, a, b) => {
                visit(c, allowed, found);
                visit(a, allowed, found);
                visit(b, allowed, found);
            }
        }
    }
    visit(e, allowed, &mut found);
    found
}

/// The span of a branch (`if`, `min`, `max`, `abs`) in `e` whose choice depends on a symbol
/// selected by `xs`: where an equation switches branch with the state itself, it is not linear.
pub fn state_dependent_branch(e: &Expr, xs: &dyn Fn(Sym) -> bool) -> Option<Spans> {
    let mut found = None;
    e.walk(&mut |n| {
        let cond = match &n.kind {
            ExprKind::If(c, _, _) => Some(&**c),
            ExprKind::Call(Func::Min | Func::Max | Func::Abs, _) => Some(n),
            _ => None,
        };
        if found.is_none() && cond.is_some_and(|c| c.symbols().into_iter().any(xs)) {
            found = Some(n.span);
        }
    });
    found
}

/// `true` when `s` is a parameter or `dt`: a coefficient built only from these is constant for a run.
pub fn is_constant_sym(s: Sym) -> bool {
    matches!(s, Sym::Param(_) | Sym::Builtin(Builtin::Dt))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    fn v(s: Sym) -> Expr {
        Expr::var(s, Span::call_site())
    }
    fn n(x: f64) -> Expr {
        Expr::num(x, Span::call_site())
    }

    /// Evaluates an expression with `env` giving each symbol's value.
    fn eval(e: &Expr, env: &dyn Fn(Sym) -> f64) -> f64 {
        match &e.kind {
            ExprKind::Num(x) | ExprKind::Quantity(x, _) => *x,
            ExprKind::Bool(b) => f64::from(u8::from(*b)),
            ExprKind::Var(s) => env(*s),
            ExprKind::Neg(a) => -eval(a, env),
            ExprKind::Not(a) => f64::from(u8::from(eval(a, env) == 0.0)),
            ExprKind::Bin(op, a, b) => {
                let (x, y) = (eval(a, env), eval(b, env));
                match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => x / y,
                    BinOp::Lt => f64::from(u8::from(x < y)),
                    _ => unreachable!(),
                }
            }
            ExprKind::Call(f, args) => {
                let a = eval(&args[0], env);
                match f {
                    Func::Exp => a.exp(),
                    Func::Ln => a.ln(),
                    Func::Powi(k) => a.powi(*k),
                    Func::Powf => a.powf(eval(&args[1], env)),
                    Func::Sqrt => a.sqrt(),
                    Func::Expm1 => a.exp_m1(),
                    Func::Log1p => a.ln_1p(),
                    Func::Exprel => a.exp_m1() / a,
                    Func::ExprelPrime => ((a - 1.0) * a.exp() + 1.0) / (a * a),
                    _ => unreachable!(),
                }
            }
            ExprKind::If(c, a, b) => {
                if eval(c, env) != 0.0 {
                    eval(a, env)
                } else {
                    eval(b, env)
                }
            }
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let x = Sym::State(0);
        let y = Sym::State(1);
        let a = Sym::Param(0);
        // f = a*x*(1 - x) + exp(-x/a) + x.powi(4)/(x.powi(4) + 100) + sqrt(x) + powf(x, a) - y/x
        let f = add(
            add(
                add(
                    mul(mul(v(a), v(x)), sub(n(1.0), v(x))),
                    call(
                        Func::Exp,
                        vec![neg(div(v(x), v(a)))],
                        Span::call_site().into(),
                    ),
                ),
                div(
                    call(Func::Powi(4), vec![v(x)], Span::call_site().into()),
                    add(
                        call(Func::Powi(4), vec![v(x)], Span::call_site().into()),
                        n(100.0),
                    ),
                ),
            ),
            sub(
                add(
                    call(Func::Sqrt, vec![v(x)], Span::call_site().into()),
                    call(Func::Powf, vec![v(x), v(a)], Span::call_site().into()),
                ),
                div(v(y), v(x)),
            ),
        );
        let d = deriv(&f, x);
        for x0 in [0.3, 1.7, 4.2] {
            let env = |h: f64| {
                move |s: Sym| match s {
                    Sym::State(0) => x0 + h,
                    Sym::State(1) => 0.7,
                    _ => 1.3,
                }
            };
            let h = 1e-6;
            let fd = (eval(&f, &env(h)) - eval(&f, &env(-h))) / (2.0 * h);
            let exact = eval(&d, &env(0.0));
            assert!(
                (fd - exact).abs() < 1e-6 * exact.abs().max(1.0),
                "x0 {x0}: {fd} vs {exact}"
            );
        }
    }

    #[test]
    fn the_accurate_exponentials_differentiate_as_their_finite_differences() {
        // f = exprel(x) + expm1(2x) + log1p(x)
        let x = Sym::State(0);
        let at = || Span::call_site().into();
        let f = add(
            add(
                call(Func::Exprel, vec![v(x)], at()),
                call(Func::Expm1, vec![mul(n(2.0), v(x))], at()),
            ),
            call(Func::Log1p, vec![v(x)], at()),
        );
        let d = deriv(&f, x);
        for x0 in [-0.6, 0.4, 2.5] {
            let env = |h: f64| move |_: Sym| x0 + h;
            let h = 1e-6;
            let fd = (eval(&f, &env(h)) - eval(&f, &env(-h))) / (2.0 * h);
            let exact = eval(&d, &env(0.0));
            assert!(
                (fd - exact).abs() < 1e-6 * exact.abs(),
                "x0 {x0}: {fd} vs {exact}"
            );
        }
    }

    #[test]
    fn folding_keeps_linear_coefficients_plain() {
        // d/ds (-s/tau) = -1/tau: no leftover `0 * ...` terms.
        let s = Sym::State(0);
        let tau = Sym::Param(0);
        let d = deriv(&div(neg(v(s)), v(tau)), s);
        assert_eq!(d.symbols(), vec![tau]);
        assert!(first_outside(&d, &|s| is_constant_sym(s)).is_none());
        let env = |s: Sym| if s == tau { 8.0 } else { 0.0 };
        assert_eq!(eval(&d, &env), -1.0 / 8.0);
    }
}
