//! Layer 4, the typed expression IR: every equation of a model after name resolution.
//!
//! Each node keeps the span of the source term it came from, so analysis can underline the exact
//! term that is wrong. Symbolic differentiation (for exponential Euler and the linearity analysis)
//! builds new nodes that inherit the span of the term they were derived from.

use crate::spans::Spans;
use crate::unit::Unit;

/// A resolved name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sym {
    /// A parameter (index into the model's parameter list).
    Param(usize),
    /// A stored variable: state (index into the model's state list).
    State(usize),
    /// A derived expression (index into the model's `#[expr]` list).
    Derived(usize),
    /// A name the engine provides.
    Builtin(Builtin),
}

/// Names the engine provides to equations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    /// Time of the step (ms).
    T,
    /// Step (ms).
    Dt,
    /// Presynaptic membrane potential (mV); synapses only.
    VPre,
    /// Postsynaptic membrane potential (mV); synapses only.
    VPost,
    /// Presynaptic spike flag of this step (bool, counts 1 or 0 in arithmetic); synapses only.
    SpikePre,
    /// Presynaptic refractory flag (bool); synapses only.
    RefractoryPre,
    /// Postsynaptic refractory flag (bool); synapses only.
    RefractoryPost,
    /// Postsynaptic spike flag of the postsynaptic group's last update (bool); synapses only.
    SpikePost,
    /// The neuron's input accumulated this step (nA); neurons only, under the `#[input]` field's name.
    Input,
    /// White noise (1/√ms), a fresh standard normal number per neuron and step divided by
    /// √dt; neurons only, in ODEs (Euler–Maruyama).
    Xi,
    /// `rand()`: a uniform number in (0, 1] per element, the `k`-th call of the model; in
    /// initial values only.
    Rand(u8),
    /// `randn()`: a standard normal number per element, the `k`-th call of the model; in
    /// initial values only.
    Randn(u8),
}

impl Builtin {
    /// Synapse built-ins, by name.
    pub const SYNAPSE: [(&'static str, Builtin); 8] = [
        ("t", Builtin::T),
        ("dt", Builtin::Dt),
        ("v_pre", Builtin::VPre),
        ("v_post", Builtin::VPost),
        ("spike_pre", Builtin::SpikePre),
        ("refractory_pre", Builtin::RefractoryPre),
        ("refractory_post", Builtin::RefractoryPost),
        ("spike_post", Builtin::SpikePost),
    ];

    /// Neuron built-ins, by name (the input is added under its field's name).
    pub const NEURON: [(&'static str, Builtin); 3] =
        [("t", Builtin::T), ("dt", Builtin::Dt), ("xi", Builtin::Xi)];

    /// `true` for the boolean flags.
    pub fn is_bool(self) -> bool {
        matches!(
            self,
            Builtin::SpikePre
                | Builtin::RefractoryPre
                | Builtin::RefractoryPost
                | Builtin::SpikePost
        )
    }
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinOp {
    /// `true` for `<`, `<=`, `>`, `>=`, `==`, `!=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }

    /// `true` for `&&`, `||`.
    pub fn is_logic(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
    }
}

/// Functions allowed in equations, written `exp(x)` or `x.exp()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    /// e^x (argument dimensionless).
    Exp,
    /// e^x − 1, accurate near 0 (argument dimensionless).
    Expm1,
    /// ln(1 + x), accurate near 0 (argument dimensionless).
    Log1p,
    /// (e^x − 1)/x, exactly 1 at 0 and accurate near it (argument dimensionless): the rate
    /// functions of Hodgkin–Huxley-type models, x/(1 − e^−x) = 1/exprel(−x), without 0/0.
    Exprel,
    /// The derivative of `exprel` (not written by users: the symbolic derivative of `exprel`).
    ExprelPrime,
    /// Natural logarithm (argument dimensionless); `ln` or `log`.
    Ln,
    /// Square root (halves the dimension).
    Sqrt,
    /// Absolute value.
    Abs,
    /// Hyperbolic tangent (argument dimensionless).
    Tanh,
    /// Sine (argument dimensionless).
    Sin,
    /// Cosine (argument dimensionless).
    Cos,
    /// `x.powi(n)` with an integer literal `n`: scales the dimension by `n`.
    Powi(i32),
    /// `x.powf(p)` / `pow(x, p)`: base dimensionless unless `p` is an integer literal.
    Powf,
    /// Smaller of two values of one unit.
    Min,
    /// Larger of two values of one unit.
    Max,
}

impl Func {
    /// Name as written in equations (`powi` for every integer power).
    pub fn name(self) -> &'static str {
        match self {
            Func::Exp => "exp",
            Func::Expm1 => "expm1",
            Func::Log1p => "log1p",
            Func::Exprel => "exprel",
            Func::ExprelPrime => "exprel_prime",
            Func::Ln => "ln",
            Func::Sqrt => "sqrt",
            Func::Abs => "abs",
            Func::Tanh => "tanh",
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Powi(_) => "powi",
            Func::Powf => "powf",
            Func::Min => "min",
            Func::Max => "max",
        }
    }

    /// Number of arguments, the receiver of a method call included.
    pub fn arity(self) -> usize {
        match self {
            Func::Powf | Func::Min | Func::Max => 2,
            _ => 1,
        }
    }
}

/// An expression node with the span of its source term.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Spans,
}

/// Expression kinds.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A numeric literal (dimensionless). The literal `0` / `0.0` adopts any unit, as in
    /// `if c { t_max } else { 0.0 }`.
    Num(f64),
    /// A number with a unit: a unit literal `40.0[mV]`, or a conversion factor between two
    /// scales of one dimension (`1e3` of unit `1e-3`, whose product with a value in `V` is
    /// the same quantity in `mV`). Generated code uses the number as it is.
    Quantity(f64, Unit),
    /// `true` / `false`.
    Bool(bool),
    /// A resolved name.
    Var(Sym),
    /// `-x`
    Neg(Box<Expr>),
    /// `!b`
    Not(Box<Expr>),
    /// `a op b`
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `f(args)`
    Call(Func, Vec<Expr>),
    /// `if c { a } else { b }`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// A node.
    pub fn new(kind: ExprKind, span: impl Into<Spans>) -> Self {
        Expr {
            kind,
            span: span.into(),
        }
    }

    /// A numeric literal.
    pub fn num(x: f64, span: impl Into<Spans>) -> Self {
        Expr::new(ExprKind::Num(x), span)
    }

    /// A resolved name.
    #[cfg(test)]
    pub fn var(sym: Sym, span: impl Into<Spans>) -> Self {
        Expr::var_at(sym, span.into())
    }

    /// A resolved name written at `span`.
    pub fn var_at(sym: Sym, span: Spans) -> Self {
        Expr::new(ExprKind::Var(sym), span)
    }

    /// The literal value, if this node is a numeric literal.
    pub fn as_num(&self) -> Option<f64> {
        match self.kind {
            ExprKind::Num(x) => Some(x),
            _ => None,
        }
    }

    /// Calls `f` on every node, parents before children.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Num(_) | ExprKind::Quantity(..) | ExprKind::Bool(_) | ExprKind::Var(_) => {}
            ExprKind::Neg(a) | ExprKind::Not(a) => a.walk(f),
            ExprKind::Bin(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
            ExprKind::If(c, a, b) => {
                c.walk(f);
                a.walk(f);
                b.walk(f);
            }
        }
    }

    /// Every symbol the expression mentions (not following derived expressions).
    pub fn symbols(&self) -> Vec<Sym> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let ExprKind::Var(s) = e.kind {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        });
        out
    }

    /// `true` when both expressions are the same term, wherever they were written (numbers
    /// compared by their bits).
    pub fn same(&self, other: &Expr) -> bool {
        use ExprKind as K;
        match (&self.kind, &other.kind) {
            (K::Num(a), K::Num(b)) => a.to_bits() == b.to_bits(),
            (K::Quantity(a, u), K::Quantity(b, v)) => a.to_bits() == b.to_bits() && u == v,
            (K::Bool(a), K::Bool(b)) => a == b,
            (K::Var(a), K::Var(b)) => a == b,
            (K::Neg(a), K::Neg(b)) | (K::Not(a), K::Not(b)) => a.same(b),
            (K::Bin(o, a, b), K::Bin(p, c, d)) => o == p && a.same(c) && b.same(d),
            (K::Call(f, a), K::Call(g, b)) => {
                f == g && a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (K::If(c, a, b), K::If(d, e, f)) => c.same(d) && a.same(e) && b.same(f),
            _ => false,
        }
    }

    /// `true` if the node is a comparison, a logic operator, `!`, a boolean literal or flag.
    pub fn is_bool(&self) -> bool {
        match &self.kind {
            ExprKind::Bool(_) | ExprKind::Not(_) => true,
            ExprKind::Var(Sym::Builtin(b)) => b.is_bool(),
            ExprKind::Bin(op, _, _) => op.is_comparison() || op.is_logic(),
            ExprKind::If(_, a, _) => a.is_bool(),
            _ => false,
        }
    }
}
