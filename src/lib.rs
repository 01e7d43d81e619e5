//! neurode: synapse and neuron models of spiking networks written as annotated structs.
#![forbid(unsafe_code)]

pub use neurode_macros::{neuron, synapse};
pub use neurode_models as models;
pub use neurode_runtime as runtime;

pub mod benchmarks;
pub mod catalog;
pub mod cli;
pub mod plot;
pub mod single;
pub mod tutorial;

#[doc(hidden)]
pub use neurode_runtime::__private;

/// Everything a model file or a simulation script needs.
pub mod prelude {
    pub use neurode_macros::{neuron, synapse};
    pub use neurode_models::*;
    pub use neurode_runtime::*;
}
