//! Leaky integrate-and-fire neuron (the chapter's `LIF`).

use neurode_macros::neuron;

/// Leaky integrate-and-fire neuron, the chapter's `LIF`.
///
/// τ·dV/dt = −(V − V_rest) + R·I, with I the input accumulated in the current step (nA).
/// One integration step, then a spike where V ≥ V_th, with V ← V_reset. V is held at V_reset
/// for the round(t_refractory/dt) steps after the spike's (`count = after_spike`: BrainPy's
/// `t − t_last_spike ≤ t_refractory`, counted in whole steps), so after a spike at step k it
/// integrates again from step k + 1 + round(t_refractory/dt).
///
/// Defaults: V_rest 0 mV (also the initial V), V_reset −5 mV, V_th 20 mV, R 1 MΩ, τ 10 ms,
/// t_refractory 1 ms. The chapter integrates with Euler; left to itself neurode integrates this
/// linear equation exactly (input held over the step); the chapter protocols ask for `euler`.
///
/// Reference: Lapicque (1907); Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 1.
#[neuron(crate = ::neurode_runtime)]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
#[refractory(t_refractory, count = after_spike)]
#[require(V_th > V_reset)]
pub struct Lif {
    /// Resting potential.
    #[param(default = 0.0, unit = "mV")]
    pub V_rest: f64,
    /// Potential after a spike.
    #[param(default = -5.0, unit = "mV")]
    pub V_reset: f64,
    /// Spike threshold.
    #[param(default = 20.0, unit = "mV")]
    pub V_th: f64,
    /// Membrane resistance.
    #[param(default = 1.0, unit = "MOhm", domain = positive)]
    pub R: f64,
    /// Membrane time constant.
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Refractory period.
    #[param(default = 1.0, unit = "ms", domain = non_negative)]
    pub t_refractory: f64,
    /// Membrane potential.
    #[state(init = V_rest, unit = "mV", ode = (-(V - V_rest) + R * I) / tau, membrane)]
    pub V: f64,
    /// Input current accumulated this step (synapses and external inputs add to it).
    #[input(unit = "nA")]
    pub I: f64,
}
