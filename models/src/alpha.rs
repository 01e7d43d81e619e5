//! Alpha-function synapse, current- and conductance-based.

use neurode_macros::synapse;

/// Alpha synapse with a current output (the chapter's `Alpha`).
///
/// ds/dt = x; dx/dt = −2x/τ − s/τ²; on a presynaptic spike x ← x + 1 after integrating;
/// I_post += w·s. After a spike at t_s: s(t) = (t − t_s)·e^{−(t − t_s)/τ} (in ms; the chapter's
/// text has an extra 1/τ its code does not: neurode follows the equations).
///
/// Defaults: τ 3 ms (the chapter; the library used 2 ms), w 0.2 nA/ms, no delay. The chapter
/// integrates with rk4; neurode chooses `exact`.
///
/// Reference: Rall (1967), J. Neurophysiol. 30:1138; Sterratt et al. (2011), §7.2.
#[synapse(crate = ::neurode_runtime)]
#[output(current = w * s, delay = delay)]
pub struct Alpha {
    /// Time constant.
    #[param(default = 3.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Current per unit of `s`.
    #[param(default = 0.2, unit = "nA/ms")]
    pub w: f64,
    /// Transmission delay of the output.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Synaptic variable.
    #[state(init = 0.0, unit = "ms", ode = x)]
    pub s: f64,
    /// Its time derivative, kicked by presynaptic spikes.
    #[state(init = 0.0, unit = "1", ode = -2.0 * x / tau - s / tau.powi(2), on_pre_after += 1.0)]
    pub x: f64,
}

/// Alpha synapse with a conductance output: as [`Alpha`] with I_post −= g_max·s·(V_post − E).
///
/// Defaults: τ 3 ms, g_max 0.2 µS/ms, E 0 mV, no delay.
#[synapse(crate = ::neurode_runtime)]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct AlphaCoba {
    /// Time constant.
    #[param(default = 3.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Conductance per unit of `s`.
    #[param(default = 0.2, unit = "uS/ms", domain = non_negative)]
    pub g_max: f64,
    /// Reversal potential.
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    /// Transmission delay of the output.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Synaptic variable.
    #[state(init = 0.0, unit = "ms", ode = x)]
    pub s: f64,
    /// Its time derivative, kicked by presynaptic spikes.
    #[state(init = 0.0, unit = "1", ode = -2.0 * x / tau - s / tau.powi(2), on_pre_after += 1.0)]
    pub x: f64,
}
