//! neurode: synapse and neuron models of spiking networks, written as annotated structs and
//! compiled to checked, fast integrators.
//!
//! A model is a struct whose fields are parameters (`#[param]`), state variables (`#[state]`,
//! with an ODE and/or spike-triggered updates), derived expressions (`#[expr]`) and, for neurons,
//! the input current (`#[input]`). `#[synapse]` adds outputs onto the neurons (`#[output]`);
//! `#[neuron]` adds `#[threshold]`, `#[reset]` and `#[refractory]`. Every name and unit is checked
//! when the model compiles; the integration method and where a synapse's state can live are
//! decided from the equations. The reference of the DSL is the documentation of [`synapse`] and
//! [`neuron`]: every attribute and key, the order of operations within a step, the built-in
//! names, how the method and the storage are chosen, units.
//!
//! ```
//! use neurode::prelude::*;
//!
//! /// A synapse whose conductance jumps by `w` on a spike and decays with `tau`.
//! #[synapse]
//! #[output(conductance = w * g, reversal = E)]
//! pub struct Jump {
//!     #[param(default = 0.05, unit = "uS")]
//!     pub w: f64,
//!     #[param(default = 5.0, unit = "ms")]
//!     pub tau: f64,
//!     #[param(default = 0.0, unit = "mV")]
//!     pub E: f64,
//!     /// Open fraction.
//!     #[state(init = 0.0, unit = "1", ode = -g / tau, on_pre_after += 1.0)]
//!     pub g: f64,
//! }
//!
//! # fn main() -> Result<(), neurode::runtime::Error> {
//! assert_eq!(<Jump as Model>::INFO.method, Method::Exact); // linear: integrated exactly
//! let mut net = Network::new(0.1)?; // ms
//! let pre = net.add_population("pre", 1, Lif::default())?;
//! let post = net.add_population("post", 1, Lif::default())?;
//! let syn = net.add_projection("syn", Jump::default(), pre, post, &Connect::AllToAll)?;
//! net.add_input(pre, Input::Constant(35.0))?; // nA
//! let g = net.record(syn, Jump::g)?;
//! net.run(10.0)?;
//! let g = net.trace(g)?.column(0);
//! // The presynaptic LIF fires in step 84 (t = 8.4 ms): the row of 8.5 ms (row 85; row 0 is
//! // t = 0) holds g = 1, the next e^{-0.1/5}.
//! assert_eq!(g[85], 1.0);
//! assert!((g[86] - (-0.1f64 / 5.0).exp()).abs() < 1e-12);
//! # Ok(())
//! # }
//! ```
//!
//! The chapter's protocols are [`tutorial`], the standard benchmark networks [`benchmarks`]. The
//! `neurode` command line (crate `neurode-cli`) runs the "Synaptic Models" chapter (`neurode
//! tutorial all`), describes every model (`neurode describe nmda`) and drives one synapse from
//! spike times (`neurode run`).
#![forbid(unsafe_code)]

#[doc = include_str!("../docs/dsl/synapse.md")]
#[doc = include_str!("../docs/dsl/equations.md")]
pub use neurode_macros::synapse;

#[doc = include_str!("../docs/dsl/neuron.md")]
#[doc = include_str!("../docs/dsl/equations.md")]
pub use neurode_macros::neuron;

pub use neurode_models as models;
pub use neurode_runtime as runtime;

pub mod benchmarks;
pub mod brunel2000;
pub mod brunel_wang2001;
pub mod microcircuit;
pub mod stats;
pub mod tutorial;
pub mod vogels2011;

#[doc(hidden)]
pub use neurode_runtime::__private;

/// Everything a model file or a simulation script needs: the macros, the chapter's models and the
/// runtime's types (not its `Result` alias, which would shadow the standard one).
pub mod prelude {
    pub use crate::{neuron, synapse};
    pub use neurode_models::*;
    pub use neurode_runtime::{
        Checkpoint, Connect, Csr, Elements, Error, Input, Method, Model, ModelInfo, ModelKind,
        Network, NeuronGroup, NeuronModel, ObjectId, OutputInfo, OutputKind, Param, ParamInfo,
        PoissonInput, Population, Projection, Rate, RateMonitor, Selection, Smoothing,
        SpikeMonitor, SpikeTrain, Spikes, StateInfo, StateMonitor, Storage, SynapseGroup,
        SynapseModel, Target, Trace, Values, Var, View,
    };
}
