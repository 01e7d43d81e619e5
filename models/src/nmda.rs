//! NMDA receptor with the voltage-dependent magnesium block.

use neurode_macros::synapse;

/// NMDA receptor (the chapter's `NMDA`).
///
/// ds/dt = −s/τ_decay + a·x·(1 − s); dx/dt = −x/τ_rise; a presynaptic spike adds 1 to x before
/// integrating. Magnesium block g∞(V) = 1/(1 + e^{−α·V}·c_Mg/β) at the postsynaptic potential
/// when the synapse updates; I_post −= g_max·g∞(V_post)·s·(V_post − E) (the blocked conductance
/// is what goes through the delay).
///
/// Defaults: g_max 0.15 µS, E 0 mV, c_Mg 1.2 mM, α 0.062 /mV, β 3.57 mM, τ_decay 100 ms,
/// a 0.5 /ms, τ_rise 2 ms, no delay. The chapter integrates with rk4; neurode chooses exponential
/// Euler (each equation is linear in its own variable); the chapter protocol asks for rk4.
///
/// Reference: Jahr & Stevens (1990), J. Neurosci. 10:3178 (block); Wang (2002), Neuron 36:955.
#[synapse(crate = ::neurode_runtime)]
#[output(conductance = g_max * g_inf * s, reversal = E, delay = delay)]
pub struct Nmda {
    /// Maximal conductance.
    #[param(default = 0.15, unit = "uS", domain = non_negative)]
    pub g_max: f64,
    /// Reversal potential.
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    /// Extracellular magnesium concentration.
    #[param(default = 1.2, unit = "mM", domain = non_negative)]
    pub c_Mg: f64,
    /// Voltage sensitivity of the block.
    #[param(default = 0.062, unit = "1/mV", domain = non_negative)]
    pub alpha: f64,
    /// Magnesium concentration scale of the block.
    #[param(default = 3.57, unit = "mM", domain = positive)]
    pub beta: f64,
    /// Decay time constant of s.
    #[param(default = 100.0, unit = "ms", domain = positive)]
    pub tau_decay: f64,
    /// Rate of rise of s.
    #[param(default = 0.5, unit = "1/ms", domain = positive)]
    pub a: f64,
    /// Decay time constant of x.
    #[param(default = 2.0, unit = "ms", domain = positive)]
    pub tau_rise: f64,
    /// Transmission delay of the output.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Fraction of open channels.
    #[state(init = 0.0, unit = "1", ode = -s / tau_decay + a * x * (1.0 - s))]
    pub s: f64,
    /// Transmitter-bound fraction driving s.
    #[state(init = 0.0, unit = "1", ode = -x / tau_rise, on_pre += 1.0)]
    pub x: f64,
    /// Unblocked fraction g∞(V_post).
    #[expr(1.0 / (1.0 + (-alpha * v_post).exp() * c_Mg / beta), unit = "1")]
    pub g_inf: f64,
}
