//! Layer 6, phase 2: [`RawModel`](crate::parse::RawModel) → [`Model`]: names resolved,
//! expressions lowered to [`ir::Expr`](crate::ir::Expr) with their spans, units parsed.
//!
//! - [`resolve`](mod@resolve): every field and attribute of the `RawModel` checked and resolved
//!   into the [`Model`];
//! - [`lower`]: `syn` expressions lowered to the IR, names looked up in the model's scope.

mod lower;
pub mod require;
mod resolve;

pub use resolve::resolve;

use proc_macro2::Span;
use quote::ToTokens;
use syn::Ident;

use crate::args::Op;
use crate::ir::{Builtin, Expr, Sym};
use crate::parse::{Count, Hold, Kind, Method, OutputKind, Timing};
use crate::spans::Spans;
use crate::unit::Unit;

/// A parameter.
pub struct Param {
    pub ident: Ident,
    pub default: f64,
    pub unit: Option<Unit>,
    pub unit_text: String,
    /// The `unit = "..."` literal, where the unit was declared.
    pub unit_span: Option<Span>,
    pub doc: String,
    /// `per_synapse` / `per_neuron`: the equations read the state [`State::fixed`] of this
    /// parameter, one value per element; the field is its default.
    pub per_element: bool,
    /// `domain = ...`: the values accepted.
    pub domain: Domain,
}

/// The values a parameter accepts (the runtime's `Domain`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    Any,
    Positive,
    NonNegative,
    Flag,
    Range(f64, f64),
}

impl Domain {
    /// Whether `x` is in the domain.
    pub fn contains(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Domain::Any => true,
                Domain::Positive => x > 0.0,
                Domain::NonNegative => x >= 0.0,
                Domain::Flag => x == 0.0 || x == 1.0,
                Domain::Range(lo, hi) => (lo..=hi).contains(&x),
            }
    }

    /// As the runtime's messages say it.
    pub fn text(self) -> String {
        match self {
            Domain::Any => "finite".into(),
            Domain::Positive => "positive".into(),
            Domain::NonNegative => "non-negative".into(),
            Domain::Flag => "0 or 1".into(),
            Domain::Range(lo, hi) => format!("in [{lo}, {hi}]"),
        }
    }
}

/// A spike-triggered update.
pub struct Event {
    pub timing: Timing,
    pub op: Op,
    pub value: Expr,
    pub text: String,
}

/// A state variable.
pub struct State {
    pub ident: Ident,
    pub init: Option<Expr>,
    pub init_text: String,
    pub unit: Option<Unit>,
    pub unit_text: String,
    /// The `unit = "..."` literal, where the unit was declared.
    pub unit_span: Option<Span>,
    pub ode: Option<Expr>,
    pub ode_text: Option<String>,
    pub events: Vec<Event>,
    /// An ODE or a spike update was written (even if it failed to resolve).
    pub declared_updates: bool,
    /// `clock_driven`: never advanced lazily at events.
    pub clock_driven: bool,
    /// The per-element parameter this state stores (never changed during a run).
    pub fixed: Option<usize>,
    /// `unless_refractory`: held while the neuron is refractory.
    pub unless_refractory: bool,
    /// `summed`: assigned by synapses every step (a neuron's state without equations).
    pub summed: bool,
    pub doc: String,
}

/// What a rule statement changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleTarget {
    /// A state of the synapse.
    State(usize),
    /// A state of the postsynaptic neuron, by name (`ge_post` is `ge`).
    Post(String),
}

/// A statement of a rule block.
pub struct Rule {
    pub target: RuleTarget,
    pub op: Op,
    pub value: Expr,
    /// `target op value`, as written.
    pub text: String,
    /// The whole statement.
    pub span: Spans,
}

/// A derived expression.
pub struct Derived {
    pub ident: Ident,
    pub value: Expr,
    pub text: String,
    pub unit: Option<Unit>,
    pub unit_text: Option<String>,
    /// The `unit = "..."` literal, where the unit was declared.
    pub unit_span: Option<Span>,
    pub doc: String,
}

/// A synapse output.
pub struct Output {
    pub kind: OutputKind,
    pub value: Expr,
    pub value_text: String,
    pub reversal: Option<Expr>,
    pub reversal_text: Option<String>,
    pub delay: Option<Expr>,
    pub delay_text: Option<String>,
    pub to_pre: bool,
    /// The neuron variable a summed output assigns.
    pub variable: Option<String>,
}

/// A reset statement.
pub struct Assign {
    pub state: usize,
    pub op: Op,
    pub value: Expr,
    pub text: String,
}

/// The resolved model.
pub struct Model {
    pub kind: Kind,
    pub item: syn::ItemStruct,
    pub doc: String,
    pub method: Option<(Method, Span)>,
    /// The crate whose `__private` module generated code uses (`::neurode` if `None`).
    pub krate: Option<syn::Path>,
    /// `substeps = n`: each step of a neuron integrated as `n` steps of `dt / n`.
    pub substeps: Option<u32>,
    pub params: Vec<Param>,
    pub states: Vec<State>,
    pub derived: Vec<Derived>,
    pub input: Option<(Ident, Option<Unit>)>,
    pub outputs: Vec<Output>,
    pub threshold: Option<(Expr, String)>,
    /// `rising`: a spike only at the step where the threshold becomes true.
    pub rising: bool,
    /// `dead_time = ...`: no spike within this time (ms) of the last.
    pub dead_time: Option<(Expr, String)>,
    /// `within_step`: the reset at the crossing inside the step, the rest of the step
    /// integrated from the reset state; refractoriness ends inside a step too. `Some(true)`:
    /// the crossing found by integrating from the part's start (`within_step = integrated`),
    /// `Some(false)`: on the straight segment between the part's two ends.
    pub within_step: Option<bool>,
    pub reset: Vec<Assign>,
    pub refractory: Option<(Expr, String)>,
    /// Which integrated states the refractory period holds when none is marked
    /// `unless_refractory` (`hold = ...` in `#[refractory(...)]`, else [`Hold::Reset`]).
    pub hold: Hold,
    /// How the refractory steps are counted on the grid (`count = ...`, else
    /// [`Count::WithSpike`]).
    pub count: Count,
    pub membrane: Option<usize>,
    /// `#[on_pre(...)]`: statements in order (`None` without the block).
    pub rules_pre: Option<Vec<Rule>>,
    /// `#[on_post(...)]`: statements in order (`None` without the block).
    pub rules_post: Option<Vec<Rule>>,
    /// No field declares a unit: units are not checked.
    pub unitless: bool,
    /// `#[require(...)]`: the relations the values must satisfy.
    pub requires: Vec<require::Requirement>,
}

impl Model {
    /// Whether the refractory period holds state `i` (when it integrates): the states marked
    /// `unless_refractory` when any is, else those `#[reset]` assigns with `=` (`hold = all`:
    /// every one; `hold = none`: none). Without `#[refractory]`, none.
    pub fn held(&self, i: usize) -> bool {
        if self.refractory.is_none() {
            return false;
        }
        if self.states.iter().any(|s| s.unless_refractory) {
            return self.states[i].unless_refractory;
        }
        match self.hold {
            Hold::Reset => self
                .reset
                .iter()
                .any(|a| a.state == i && a.op == Op::Assign),
            Hold::All => true,
            Hold::Nothing => false,
        }
    }

    /// The name of a symbol as the user wrote it.
    pub fn sym_name(&self, sym: Sym) -> String {
        match sym {
            Sym::Param(i) => self.params[i].ident.to_string(),
            Sym::State(i) => self.states[i].ident.to_string(),
            Sym::Derived(i) => self.derived[i].ident.to_string(),
            Sym::Builtin(Builtin::Input) => self
                .input
                .as_ref()
                .map_or("input".into(), |(i, _)| i.to_string()),
            Sym::Builtin(Builtin::Rand(k)) => format!("__rand{k}"),
            Sym::Builtin(Builtin::Randn(k)) => format!("__randn{k}"),
            Sym::Builtin(b) => Builtin::SYNAPSE
                .iter()
                .chain(Builtin::NEURON.iter())
                .find(|(_, x)| *x == b)
                .map_or("?", |(n, _)| n)
                .to_string(),
        }
    }
}

/// Text of an expression as a person writes it (for docs and `neurode describe`): binary
/// operators spaced, unary operators, calls and method calls tight, parentheses as written.
pub fn text_of(e: &syn::Expr) -> String {
    let list = |args: &mut dyn Iterator<Item = &syn::Expr>| {
        args.map(text_of).collect::<Vec<_>>().join(", ")
    };
    match e {
        syn::Expr::Binary(b) => format!(
            "{} {} {}",
            text_of(&b.left),
            b.op.to_token_stream(),
            text_of(&b.right)
        ),
        syn::Expr::Unary(u) => format!("{}{}", u.op.to_token_stream(), text_of(&u.expr)),
        syn::Expr::Paren(p) => format!("({})", text_of(&p.expr)),
        syn::Expr::Group(g) => text_of(&g.expr),
        syn::Expr::Call(c) => format!("{}({})", text_of(&c.func), list(&mut c.args.iter())),
        syn::Expr::MethodCall(m) => format!(
            "{}.{}({})",
            text_of(&m.receiver),
            m.method,
            list(&mut m.args.iter())
        ),
        syn::Expr::If(i) => {
            let branch = |b: &syn::Block| match b.stmts.as_slice() {
                [syn::Stmt::Expr(e, None)] => text_of(e),
                _ => b.to_token_stream().to_string(),
            };
            let otherwise = i
                .else_branch
                .as_ref()
                .map_or(String::new(), |(_, e)| match &**e {
                    syn::Expr::Block(b) => format!(" else {{ {} }}", branch(&b.block)),
                    other => format!(" else {}", text_of(other)),
                });
            format!(
                "if {} {{ {} }}{otherwise}",
                text_of(&i.cond),
                branch(&i.then_branch)
            )
        }
        syn::Expr::Cast(c) => format!("{} as {}", text_of(&c.expr), c.ty.to_token_stream()),
        syn::Expr::Path(p) => p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::"),
        other => other.to_token_stream().to_string(),
    }
}

/// The value of a numeric literal, possibly negated.
fn literal_value(e: &syn::Expr) -> Option<f64> {
    match e {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Float(f) => f.base10_parse().ok(),
            syn::Lit::Int(i) => i.base10_parse::<i64>().ok().map(|x| x as f64),
            _ => None,
        },
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            literal_value(&u.expr).map(|x| -x)
        }
        syn::Expr::Paren(p) => literal_value(&p.expr),
        syn::Expr::Group(g) => literal_value(&g.expr),
        _ => None,
    }
}
