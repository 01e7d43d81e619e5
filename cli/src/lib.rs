//! The `neurode` command line and what its examples share: the commands ([`cli`]), the models
//! by their command-line names ([`catalog`]), one synapse driven by spike times ([`single`]),
//! figures ([`plot`]), result files written without destroying what is at their path
//! ([`output`]), the benchmark examples' runner ([`bench`](mod@bench)) and a progress bar for long runs
//! ([`progress`]).
#![forbid(unsafe_code)]

pub mod bench;
pub mod catalog;
pub mod cli;
pub mod neuron;
pub mod output;
pub mod plot;
pub mod progress;
pub mod single;

pub use cli::chapter_example;
