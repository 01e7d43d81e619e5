//! Voltage-jump synapses: the chapter's version and the delta synapse, both event-driven: a
//! presynaptic spike adds to the postsynaptic membrane potential through a spike rule
//! (`#[on_pre(V_post += ...)]`), so a step costs work per spike, not per synapse.

use neurode_macros::synapse;

/// Voltage-jump synapse, the chapter's version (`VoltageJump`).
///
/// s = the presynaptic spike flag of the step (1 on the spike step, 0 otherwise);
/// on a presynaptic spike V_post += w.
///
/// Defaults: w 1 mV. The jump lands at the end of the synapse group's slot in the step the
/// spike reaches the synapse: the step of the spike without delays (with the schedule
/// (pre, synapse, post) the postsynaptic neuron integrates it in that step), `round(d/dt)`
/// steps later (at least one) with per-synapse delays
/// ([`Network::set_delays`](neurode_runtime::Network::set_delays)). A jump onto a refractory
/// neuron whose period holds V is dropped (see the synapse DSL). Nothing to integrate.
///
/// Reference: BrainPy "Synaptic Models" chapter; Gerstner et al., *Neuronal Dynamics* (2014), §3.1.
#[synapse(crate = ::neurode_runtime)]
#[on_pre(V_post += w)]
pub struct VoltageJump {
    /// Jump of the postsynaptic potential per spike.
    #[param(default = 1.0, unit = "mV")]
    pub w: f64,
    /// Presynaptic spike flag of the step.
    #[expr(spike_pre, unit = "1")]
    pub s: f64,
}

/// Delta synapse (the library's `VoltageJump`; Brunel 2000's synapse): on a presynaptic spike
/// V_post += w. A jump onto a refractory neuron whose period holds V (the default for a reset `V = ...`) is
/// dropped, as NEST's `iaf_psc_delta` and Brian2's `on_pre='v += J'` onto `(unless refractory)`
/// drop it; `skip_refractory = 1` drops it also where V is not held. The library added the
/// jump to every postsynaptic neuron by mistake; neurode implements the intent (each synapse's
/// target).
///
/// Defaults: w 1 mV, skip_refractory 0 (the held-V rule alone). The refractory flag is read when the
/// spike reaches the synapse (after its delay); delays per synapse with
/// [`Network::set_delays`](neurode_runtime::Network::set_delays) (`round(d/dt)` steps, at least
/// one).
///
/// Reference: BrainModels 1.0 `VoltageJump`; Brunel (2000), J. Comput. Neurosci. 8:183.
#[synapse(crate = ::neurode_runtime)]
#[on_pre(V_post += w * (1.0 - skip_refractory * refractory_post))]
pub struct Delta {
    /// Jump of the postsynaptic potential per spike.
    #[param(default = 1.0, unit = "mV")]
    pub w: f64,
    /// 1 to drop the jump while the postsynaptic neuron is refractory, 0 to drop it only where the period holds V.
    #[param(default = 0.0, unit = "1", domain = flag)]
    pub skip_refractory: f64,
}
