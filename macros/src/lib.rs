//! Procedural macros of neurode: `#[synapse]` and `#[neuron]`.
//!
//! Each attribute is a shim over `expand::expand`, which works on `proc_macro2` types so every
//! phase is unit-testable: parse (attributes → `parse::RawModel`), model (name resolution →
//! `model::Model`, expressions as `ir::Expr`), analysis (units, evaluation order, linearity,
//! method and storage → `analysis::Plan`) and codegen (tokens; infallible).
//! See the crate `neurode` for the DSL reference.

use proc_macro::TokenStream;

mod analysis;
mod args;
mod codegen;
mod errors;
mod expand;
mod ir;
mod model;
mod parse;
mod symbolic;
mod units;

/// Turns an annotated struct into a synapse model: see the `neurode` crate's documentation for the
/// DSL (`#[param]`, `#[state]`, `#[expr]`, `#[output]`).
#[proc_macro_attribute]
pub fn synapse(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(parse::Kind::Synapse, args.into(), item.into()).into()
}

/// Turns an annotated struct into a neuron model: see the `neurode` crate's documentation for the
/// DSL (`#[param]`, `#[state]`, `#[input]`, `#[expr]`, `#[threshold]`, `#[reset]`, `#[refractory]`).
#[proc_macro_attribute]
pub fn neuron(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(parse::Kind::Neuron, args.into(), item.into()).into()
}
