//! A user's models, exported to Python: what a crate of one's own needs to reach neurode's
//! Python package (the Rust route). Build it with `pip install .` (maturin); from Python:
//!
//! ```python
//! import neurode, my_models
//! mine = neurode.extension(my_models)
//! net = mine.Network(dt=0.01)
//! g = net.add_population("g", 10, mine.Qif())
//! ```
//!
//! Each model below can be the target (neuron) or the source of projections (synapse) of
//! every built-in model and of each other.

use neurode::prelude::*;

/// Quadratic integrate-and-fire neuron (Latham et al. 2000, J. Neurophysiol. 83:808; the
/// normal form of a saddle-node on invariant circle bifurcation, Ermentrout & Kopell 1986):
///
/// `tau dV/dt = (V - V_rest) (V - V_c) / delta_V + R I`
///
/// with a spike when `V` reaches `V_peak` and `V` reset to `V_reset`. Below `V_c` the
/// potential relaxes to `V_rest`; above it, it blows up. With a constant input above the
/// rheobase `I_rh = (V_c - V_rest)² / (4 R delta_V)`, the period has a closed form (the test
/// `python/tests/test_rust_route.py` checks it).
#[neuron]
#[threshold(V >= V_peak)]
#[reset(V = V_reset)]
pub struct Qif {
    /// Resting potential (the stable fixed point).
    #[param(default = -65.0, unit = "mV")]
    pub V_rest: f64,
    /// Critical potential (the unstable fixed point).
    #[param(default = -50.0, unit = "mV")]
    pub V_c: f64,
    /// Sharpness of the quadratic.
    #[param(default = 10.0, unit = "mV", domain = positive)]
    pub delta_V: f64,
    /// Peak at which a spike is emitted.
    #[param(default = 30.0, unit = "mV")]
    pub V_peak: f64,
    /// Potential after a spike.
    #[param(default = -70.0, unit = "mV")]
    pub V_reset: f64,
    /// Membrane resistance.
    #[param(default = 10.0, unit = "MOhm", domain = positive)]
    pub R: f64,
    /// Membrane time constant.
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Membrane potential.
    #[state(init = V_rest, unit = "mV", ode = ((V - V_rest) * (V - V_c) / delta_V + R * I) / tau, membrane)]
    pub V: f64,
    /// Input current.
    #[input(unit = "nA")]
    pub I: f64,
}

/// Exponential current synapse: `ds/dt = -s / tau`, `s += 1` at each presynaptic spike, and
/// the current `w s` into the postsynaptic input (the built-in `Exponential` without its
/// delay parameter).
#[synapse]
#[output(current = w * s)]
pub struct ExpCurrent {
    /// Weight: the current of one spike at its peak.
    #[param(default = 1.0, unit = "nA")]
    pub w: f64,
    /// Decay time constant.
    #[param(default = 5.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Gating.
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre_after += 1.0)]
    pub s: f64,
}

neurode_python::export!(my_models {
    neurons: [Qif],
    synapses: [ExpCurrent],
});
