//! Leaky integrate-and-fire neuron with exponential postsynaptic currents (NEST's
//! `iaf_psc_exp`), and the static synapse that feeds it.

use neurode_macros::{neuron, synapse};

/// Leaky integrate-and-fire neuron with exponentially decaying synaptic currents held in the
/// neuron: NEST's `iaf_psc_exp`, the neuron of the Potjans & Diesmann (2014) microcircuit.
///
/// C_m·dV/dt = −C_m·(V − E_L)/τ_m + I_ex + I_in + I_e + I; dI_ex/dt = −I_ex/τ_ex,
/// dI_in/dt = −I_in/τ_in. Synapses add their weights to `I_ex` or `I_in`
/// ([`StaticSynapse`]); `I` is the input accumulated in the step (other synapses' current
/// outputs, external inputs). A spike where V ≥ V_th, then V ← V_reset; during the refractory
/// period t_ref, V is held while the currents keep decaying and receiving spikes (as in NEST).
/// As NEST counts it (`RefractoryCounts`), V is held for the round(t_ref/dt) steps after the
/// spike's (`count = after_spike`).
///
/// The system is linear with constant coefficients: neurode integrates it exactly (NEST's
/// exact integration), with I and I_e held over the step.
///
/// Defaults (Potjans & Diesmann 2014, in nF, nA, mV, ms): C_m 0.25 nF (250 pF), τ_m 10 ms,
/// E_L −65 mV (also the initial V), V_th −50 mV, V_reset −65 mV, t_ref 2 ms, τ_ex = τ_in
/// 0.5 ms, I_e 0.
///
/// Reference: Tsodyks, Uziel & Markram (2000); Rotter & Diesmann, Biol. Cybern. 81:381 (1999)
/// (exact integration); Potjans & Diesmann, Cereb. Cortex 24:785 (2014).
#[neuron(crate = ::neurode_runtime)]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
#[refractory(t_ref, count = after_spike)]
#[require(V_th > V_reset)]
pub struct IafPscExp {
    /// Membrane capacitance.
    #[param(default = 0.25, unit = "nF", domain = positive)]
    pub C_m: f64,
    /// Membrane time constant.
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau_m: f64,
    /// Leak potential.
    #[param(default = -65.0, unit = "mV")]
    pub E_L: f64,
    /// Spike threshold.
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    /// Potential after a spike.
    #[param(default = -65.0, unit = "mV")]
    pub V_reset: f64,
    /// Refractory period.
    #[param(default = 2.0, unit = "ms", domain = non_negative)]
    pub t_ref: f64,
    /// Decay time constant of the excitatory current.
    #[param(default = 0.5, unit = "ms", domain = positive)]
    pub tau_ex: f64,
    /// Decay time constant of the inhibitory current.
    #[param(default = 0.5, unit = "ms", domain = positive)]
    pub tau_in: f64,
    /// Constant external current.
    #[param(default = 0.0, unit = "nA")]
    pub I_e: f64,
    /// Membrane potential, held during the refractory period.
    #[state(init = E_L, unit = "mV", membrane, unless_refractory,
            ode = -(V - E_L) / tau_m + (I_ex + I_in + I_e + I) / C_m)]
    pub V: f64,
    /// Excitatory synaptic current.
    #[state(init = 0.0, unit = "nA", ode = -I_ex / tau_ex)]
    pub I_ex: f64,
    /// Inhibitory synaptic current.
    #[state(init = 0.0, unit = "nA", ode = -I_in / tau_in)]
    pub I_in: f64,
    /// Input current accumulated this step.
    #[input(unit = "nA")]
    pub I: f64,
}

/// A static synapse: each presynaptic spike adds the synapse's weight `w` (one value per
/// synapse) to the postsynaptic current `I_ex` (NEST's `static_synapse` onto
/// [`IafPscExp`]). Bind it to `I_in` for an inhibitory projection with
/// `Network::set_post_variable(syn, "I_ex", "I_in")`.
///
/// Default w 0.1 nA (set it per synapse).
#[synapse(crate = ::neurode_runtime)]
#[on_pre(I_ex_post += w)]
pub struct StaticSynapse {
    /// Weight: the jump of the postsynaptic current at a presynaptic spike.
    #[param(default = 0.1, unit = "nA", per_synapse)]
    pub w: f64,
}
