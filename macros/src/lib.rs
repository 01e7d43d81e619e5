//! Procedural macros of neurode: `#[synapse]` and `#[neuron]`.
//!
//! Each attribute is a shim over `expand::expand`, which works on `proc_macro2` types so every
//! phase is unit-testable: parse (attributes → `parse::RawModel`), model (name resolution →
//! `model::Model`, expressions as `ir::Expr`), analysis (units, evaluation order, linearity,
//! method and storage → `analysis::Plan`) and codegen (tokens; infallible).
//! See the crate `neurode` for the DSL reference.

use proc_macro::TokenStream;

// The crate is laid out bottom-up: a module imports only from the layers above its own (tests
// aside: the expansion snapshots of `codegen` run the whole pipeline).

// 1. Where a term was written.
mod spans;

// 2. Diagnostics: the collector and suggestions for typos.
mod errors;

// 3. Units as values: exponents and scale, arithmetic, names.
mod unit;

// 4. The typed expression IR; the argument syntax of attributes.
mod args;
mod ir;

// 5. Phase 1 (attributes → `RawModel`), and the passes over IR expressions: symbolic algebra,
// unit inference and conversion.
mod parse;
mod symbolic;
mod units;

// 6. Phase 2: name resolution → `Model`.
mod model;

// 7. Phase 3: analysis → `Plan`.
mod analysis;

// 8. Phase 4: `Model` + `Plan` → tokens.
mod codegen;

// 9. The pipeline, and the fallback output on errors.
mod expand;

/// Turns an annotated struct into a synapse model: see the `neurode` crate's documentation for the
/// DSL (`#[param]`, `#[state]`, `#[expr]`, `#[output]`).
#[proc_macro_attribute]
pub fn synapse(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(parse::Kind::Synapse, args.into(), item.into()).into()
}

/// Turns an annotated struct into a neuron model: see the `neurode` crate's documentation for the
/// DSL (`#[param]`, `#[state]`, `#[input]`, `#[expr]`, `#[threshold]`, `#[reset]`, `#[refractory]`).
///
/// `#[refractory(t_ref)]` lasts round(t_ref/dt) steps from the spike's (the spike's step
/// included, Brian2's count: the next spike may come that many steps later; `count =
/// after_spike`: that many steps after the spike's, NEST's count), and holds the states
/// `#[reset]` assigns with `=`; `unless_refractory` on states holds exactly those, `hold = all`
/// every integrated state, `hold = none` none. With `within_step` the period ends at
/// `t_last_spike + t_ref` inside a step instead.
#[proc_macro_attribute]
pub fn neuron(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(parse::Kind::Neuron, args.into(), item.into()).into()
}
