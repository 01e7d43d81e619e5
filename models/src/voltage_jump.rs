//! Voltage-jump synapses: the chapter's version and the delta synapse.

use neurode_macros::synapse;

/// Voltage-jump synapse, the chapter's version (`VoltageJump`).
///
/// s = the presynaptic spike flag of the step (1 on the spike step, 0 otherwise);
/// V_post += w·s.
///
/// Defaults: w 1 mV, no delay. Nothing to integrate.
///
/// Reference: BrainPy "Synaptic Models" chapter; Gerstner et al., *Neuronal Dynamics* (2014), §3.1.
#[synapse(crate = ::neurode_runtime)]
#[output(voltage = w * s, delay = delay)]
pub struct VoltageJump {
    /// Jump of the postsynaptic potential per spike.
    #[param(default = 1.0, unit = "mV")]
    pub w: f64,
    /// Transmission delay.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Presynaptic spike flag of the step.
    #[expr(spike_pre, unit = "1")]
    pub s: f64,
}

/// Delta synapse (the library's `VoltageJump`): on a presynaptic spike V_post += w, skipped while
/// the postsynaptic neuron is refractory when `skip_refractory` is 1. The library added the jump
/// to every postsynaptic neuron by mistake; neurode implements the intent (each synapse's target).
///
/// Defaults: w 1 mV, skip_refractory 0 (jump always), no delay. The refractory flag is read when
/// the spike is pushed.
///
/// Reference: BrainModels 1.0 `VoltageJump`; Brunel (2000), J. Comput. Neurosci. 8:183.
#[synapse(crate = ::neurode_runtime)]
#[output(voltage = w * spike_pre * (1.0 - skip_refractory * refractory_post), delay = delay)]
pub struct Delta {
    /// Jump of the postsynaptic potential per spike.
    #[param(default = 1.0, unit = "mV")]
    pub w: f64,
    /// 1 to skip the jump while the postsynaptic neuron is refractory, 0 to always jump.
    #[param(default = 0.0, unit = "1", domain = flag)]
    pub skip_refractory: f64,
    /// Transmission delay.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
}
