//! The `neurode` command line and what the examples (`examples/`, the root package's) share: the
//! commands ([`cli`]), the models by their command-line names ([`catalog`]), one synapse driven
//! by spike times ([`single`]), one neuron on its own ([`neuron`]), figures ([`plot`]), result
//! files written without destroying what is at their path ([`output`]), the benchmark examples'
//! runner ([`bench`](mod@bench)) and a progress bar for long runs ([`progress`]).
#![forbid(unsafe_code)]

// The crate is laid out bottom-up: a module imports only from the layers above its own.

// The models by their command-line names, result files, the progress bar.
pub mod catalog;
pub mod output;
pub mod progress;
pub mod quantity;

// The benchmark examples' runner; one synapse driven by spike times.
pub mod bench;
pub mod single;

// Figures (of recordings, and of other shapes).
pub mod plot;

// One neuron on its own, with its figure.
pub mod neuron;

// The commands.
pub mod cli;

pub use cli::chapter_example;
