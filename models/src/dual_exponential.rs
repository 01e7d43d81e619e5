//! Two-exponential (dual exponential) synapse, current- and conductance-based.

use neurode_macros::synapse;

/// Two-exponential synapse with a current output (the chapter's `TwoExponentials`).
///
/// ds/dt = x; dx/dt = (−(τ1 + τ2)·x − s)/(τ1·τ2); on a presynaptic spike x ← x + 1 after
/// integrating; I_post += w·s. After a spike at t_s:
/// s(t) = τ1·τ2/(τ1 − τ2)·(e^{−(t − t_s)/τ1} − e^{−(t − t_s)/τ2}) (in ms), whose limit at τ1 = τ2
/// is the alpha function (t − t_s)·e^{−(t − t_s)/τ}: neurode's exact propagator is finite there
/// without a special case.
///
/// Defaults: τ1 1 ms, τ2 3 ms (the chapter runs τ1 = 2), w 0.2 nA/ms, no delay. The chapter
/// integrates with rk4; neurode chooses `exact`.
///
/// Reference: Sterratt et al., *Principles of Computational Modelling in Neuroscience* (2011),
/// §7.2; Roth & van Rossum, in *Computational Modeling Methods for Neuroscientists* (2009), ch. 6.
#[synapse(crate = ::neurode_runtime)]
#[output(current = w * s, delay = delay)]
pub struct TwoExponentials {
    /// Time constant (rise or decay: the equations are symmetric in τ1 and τ2).
    #[param(default = 1.0, unit = "ms", domain = positive)]
    pub tau1: f64,
    /// Time constant.
    #[param(default = 3.0, unit = "ms", domain = positive)]
    pub tau2: f64,
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
    #[state(init = 0.0, unit = "1", ode = (-(tau1 + tau2) * x - s) / (tau1 * tau2), on_pre_after += 1.0)]
    pub x: f64,
}

/// Two-exponential synapse with a conductance output: as [`TwoExponentials`] with
/// I_post −= g_max·s·(V_post − E).
///
/// Defaults: τ1 1 ms, τ2 3 ms, g_max 0.2 µS/ms, E 0 mV, no delay.
#[synapse(crate = ::neurode_runtime)]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct TwoExponentialsCoba {
    /// Time constant.
    #[param(default = 1.0, unit = "ms", domain = positive)]
    pub tau1: f64,
    /// Time constant.
    #[param(default = 3.0, unit = "ms", domain = positive)]
    pub tau2: f64,
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
    #[state(init = 0.0, unit = "1", ode = (-(tau1 + tau2) * x - s) / (tau1 * tau2), on_pre_after += 1.0)]
    pub x: f64,
}
