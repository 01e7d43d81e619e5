//! Models of every kind the macros generate, in a crate that denies every pedantic lint and
//! undocumented item: `cargo clippy --workspace` (run by `.ci/run`) fails if generated code adds
//! a warning to a strict user crate.
#![deny(missing_docs, clippy::pedantic)]

use neurode::prelude::*;

/// A leaky integrate-and-fire neuron with a conductance-based synaptic current.
#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset, w += b)]
#[refractory(t_ref)]
pub struct Adaptive {
    /// Leak potential.
    #[param(default = -70.0, unit = "mV")]
    pub E_L: f64,
    /// Threshold.
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    /// Reset.
    #[param(default = -60.0, unit = "mV")]
    pub V_reset: f64,
    /// Membrane time constant.
    #[param(default = 20.0, unit = "ms")]
    pub tau: f64,
    /// Adaptation time constant.
    #[param(default = 100.0, unit = "ms")]
    pub tau_w: f64,
    /// Adaptation jump.
    #[param(default = 0.01, unit = "nA")]
    pub b: f64,
    /// Membrane resistance.
    #[param(default = 100.0, unit = "MOhm")]
    pub R: f64,
    /// Refractory period.
    #[param(default = 2.0, unit = "ms")]
    pub t_ref: f64,
    /// Membrane potential.
    #[state(init = E_L, unit = "mV", ode = (E_L - V + R * (I - w)) / tau)]
    pub V: f64,
    /// Adaptation current.
    #[state(init = 0.0, unit = "nA", ode = -w / tau_w)]
    pub w: f64,
    /// Input.
    #[input(unit = "nA")]
    pub I: f64,
}

/// A conductance kept per postsynaptic neuron (linear, spikes add).
#[synapse]
#[output(conductance = g, reversal = E)]
pub struct PerPost {
    /// Decay.
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    /// Jump.
    #[param(default = 0.01, unit = "uS")]
    pub w: f64,
    /// Reversal.
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    /// Conductance.
    #[state(init = 0.0, unit = "uS", ode = -g / tau, on_pre_after += w)]
    pub g: f64,
}

/// A kinetic scheme driven by the presynaptic spike train (kept per presynaptic neuron).
#[synapse]
#[output(current = g_max * s * (v_post - E) / (1.0 + (-v_post / k).exp()), delay = d)]
pub struct PerPre {
    /// Rise rate.
    #[param(default = 1.0, unit = "1/ms")]
    pub alpha: f64,
    /// Decay rate.
    #[param(default = 0.1, unit = "1/ms")]
    pub beta: f64,
    /// Pulse length.
    #[param(default = 1.0, unit = "ms")]
    pub T: f64,
    /// Peak conductance.
    #[param(default = 0.01, unit = "uS")]
    pub g_max: f64,
    /// Reversal.
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    /// Delay.
    #[param(default = 1.0, unit = "ms")]
    pub d: f64,
    /// Voltage scale of the block.
    #[param(default = 16.0, unit = "mV")]
    pub k: f64,
    /// Open fraction.
    #[state(init = 0.0, unit = "1", ode = alpha * pulse * (1.0 - s) - beta * s)]
    pub s: f64,
    /// Last spike.
    #[state(init = -1e7, unit = "ms", on_pre = t)]
    pub t_last: f64,
    /// Transmitter pulse.
    #[expr(if t - t_last < T { 1.0 } else { 0.0 }, unit = "1")]
    pub pulse: f64,
}

/// A current that reads both sides (kept per synapse).
#[synapse]
#[output(current = w * (v_pre - v_post))]
#[output(voltage = k * spike_pre)]
pub struct PerSynapse {
    /// Coupling.
    #[param(default = 0.1, unit = "uS")]
    pub w: f64,
    /// Spikelet.
    #[param(default = 1.0, unit = "mV")]
    pub k: f64,
}

/// Spike counters without parameters or outputs, in a rule block.
#[synapse]
#[on_pre(before = n; n += 1.0)]
pub struct Counter {
    /// Count before this spike.
    #[state(init = 0.0, unit = "1")]
    pub before: f64,
    /// Count.
    #[state(init = 0.0, unit = "1")]
    pub n: f64,
}

/// Pair-based STDP with a postsynaptic target, event-driven traces and both rule blocks.
#[synapse]
#[on_pre(g_post += w; apre += d_apre; w = clip(w + apost, 0.0, w_max))]
#[on_post(apost += d_apost; w = clip(w + apre, 0.0, w_max))]
pub struct Plastic {
    /// Potentiation step.
    #[param(default = 0.01, unit = "uS")]
    pub d_apre: f64,
    /// Depression step.
    #[param(default = -0.0105, unit = "uS")]
    pub d_apost: f64,
    /// Bound.
    #[param(default = 0.1, unit = "uS")]
    pub w_max: f64,
    /// Trace time constant.
    #[param(default = 20.0, unit = "ms")]
    pub tau: f64,
    /// Weight.
    #[state(init = 0.05, unit = "uS")]
    pub w: f64,
    /// Presynaptic trace.
    #[state(init = 0.0, unit = "uS", ode = -apre / tau)]
    pub apre: f64,
    /// Postsynaptic trace.
    #[state(init = 0.0, unit = "uS", ode = -apost / tau)]
    pub apost: f64,
}
