//! Electrical synapses (gap junctions).

use neurode_macros::synapse;

/// Gap junction, the chapter's one-sided version with a spikelet (`GapJunction`).
///
/// Per synapse (pre p, post q): I_post[q] += w·(V_pre[p] − V_post[q]) (the presynaptic neuron
/// receives nothing); on a presynaptic spike V_post[q] += w·k_spikelet (through `delay`, skipped
/// while the postsynaptic neuron is refractory when `skip_refractory` is 1).
///
/// Defaults: w 1 µS (coupling conductance), k_spikelet 0.1 mV/µS, skip_refractory 0, no delay.
///
/// Reference: Sterratt et al. (2011), §7.7; BrainPy "Synaptic Models" chapter.
#[synapse(crate = ::neurode_runtime)]
#[output(current = w * (v_pre - v_post))]
#[output(voltage = w * k_spikelet * spike_pre * (1.0 - skip_refractory * refractory_post), delay = delay)]
pub struct GapJunction {
    /// Coupling conductance.
    #[param(default = 1.0, unit = "uS", domain = non_negative)]
    pub w: f64,
    /// Spikelet size per unit of coupling.
    #[param(default = 0.1, unit = "mV/uS", domain = non_negative)]
    pub k_spikelet: f64,
    /// 1 to skip the spikelet while the postsynaptic neuron is refractory, 0 to always apply it.
    #[param(default = 0.0, unit = "1", domain = flag)]
    pub skip_refractory: f64,
    /// Delay of the spikelet.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
}

/// Gap junction, symmetric version (what later libraries ship): both neurons are coupled,
/// I_post[q] += w·(V_pre[p] − V_post[q]) and I_pre[p] += w·(V_post[q] − V_pre[p]); no spikelet.
///
/// Defaults: w 1 µS.
///
/// Reference: Sterratt et al. (2011), §7.7.
#[synapse(crate = ::neurode_runtime)]
#[output(current = w * (v_pre - v_post))]
#[output(current = w * (v_post - v_pre), target = pre)]
pub struct GapJunctionSymmetric {
    /// Coupling conductance.
    #[param(default = 1.0, unit = "uS", domain = non_negative)]
    pub w: f64,
}
