//! Single-exponential synapse, current- and conductance-based.

use neurode_macros::synapse;

/// Single-exponential synapse with a current output (the chapter's `Exponential`).
///
/// ds/dt = −s/τ; on a presynaptic spike s ← s + 1 after the decay step; I_post += w·s.
/// After a spike at t_s: s(t) = e^{−(t − t_s)/τ}.
///
/// Defaults: τ 8 ms, w 0.1 nA (the library's current output), no delay. The chapter integrates
/// with exponential Euler, which is exact here; neurode chooses `exact` (the same numbers).
///
/// Reference: Sterratt, Graham, Gillies & Willshaw, *Principles of Computational Modelling in
/// Neuroscience* (2011), §7.2; BrainPy "Synaptic Models" chapter.
#[synapse(crate = ::neurode_runtime)]
#[output(current = w * s, delay = delay)]
pub struct Exponential {
    /// Decay time constant.
    #[param(default = 8.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Current per unit of `s`.
    #[param(default = 0.1, unit = "nA")]
    pub w: f64,
    /// Transmission delay of the output.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Synaptic gating variable.
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre_after += 1.0)]
    pub s: f64,
}

/// Single-exponential synapse with a conductance output.
///
/// ds/dt = −s/τ; on a presynaptic spike s ← s + 1 after the decay step;
/// I_post −= g_max·s·(V_post − E).
///
/// Defaults: τ 8 ms, g_max 0.1 µS, E 0 mV, no delay.
///
/// Reference: as [`Exponential`].
#[synapse(crate = ::neurode_runtime)]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct ExponentialCoba {
    /// Decay time constant.
    #[param(default = 8.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Maximal conductance.
    #[param(default = 0.1, unit = "uS", domain = non_negative)]
    pub g_max: f64,
    /// Reversal potential.
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    /// Transmission delay of the output.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Synaptic gating variable.
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre_after += 1.0)]
    pub s: f64,
}
