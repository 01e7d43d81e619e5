//! GABA_A receptor: the library's exponential and Markov variants.

use neurode_macros::synapse;

/// GABA_A receptor, exponential variant (the library's `GABAa1`).
///
/// ds/dt = −s/τ; on a presynaptic spike s ← s + 1 after the decay step;
/// I_post −= g_max·s·(V_post − E).
///
/// Defaults: τ 6 ms, g_max 0.4 µS, E −80 mV, no delay. The library integrates with exponential
/// Euler, exact here; neurode chooses `exact` (the same numbers).
///
/// Reference: Destexhe, Mainen & Sejnowski, in *Methods in Neuronal Modeling* (1998), ch. 1.
#[synapse(crate = ::neurode_runtime)]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct GabaA {
    /// Decay time constant.
    #[param(default = 6.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Maximal conductance.
    #[param(default = 0.4, unit = "uS", domain = non_negative)]
    pub g_max: f64,
    /// Reversal potential.
    #[param(default = -80.0, unit = "mV")]
    pub E: f64,
    /// Transmission delay of the output.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Synaptic gating variable.
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre_after += 1.0)]
    pub s: f64,
}

/// GABA_A receptor, Markov variant (the library's `GABAa2`): the kinetic scheme of
/// [`Ampa`](crate::Ampa) with GABA_A rates.
///
/// ds/dt = α·[T]·(1 − s) − β·s, [T] = T while (t − t_last) < T_duration else 0, a presynaptic
/// spike setting t_last = t before integrating; I_post −= g_max·s·(V_post − E).
///
/// Defaults: α 0.53 /(mM·ms), β 0.18 /ms, T 1 mM, T_duration 1 ms, g_max 0.04 µS, E −80 mV,
/// no delay. Method: exponential Euler.
///
/// Reference: Destexhe, Mainen & Sejnowski (1994), J. Comput. Neurosci. 1:195.
#[synapse(crate = ::neurode_runtime)]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct GabaAMarkov {
    /// Binding rate.
    #[param(default = 0.53, unit = "1/(mM*ms)", domain = non_negative)]
    pub alpha: f64,
    /// Unbinding rate.
    #[param(default = 0.18, unit = "1/ms", domain = non_negative)]
    pub beta: f64,
    /// Transmitter concentration during a pulse.
    #[param(default = 1.0, unit = "mM", domain = non_negative)]
    pub T: f64,
    /// Pulse duration.
    #[param(default = 1.0, unit = "ms", domain = positive)]
    pub T_duration: f64,
    /// Maximal conductance.
    #[param(default = 0.04, unit = "uS", domain = non_negative)]
    pub g_max: f64,
    /// Reversal potential.
    #[param(default = -80.0, unit = "mV")]
    pub E: f64,
    /// Transmission delay of the output.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Fraction of open channels.
    #[state(init = 0.0, unit = "1", ode = alpha * transmitter * (1.0 - s) - beta * s)]
    pub s: f64,
    /// Time of the last presynaptic spike.
    #[state(init = -1e7, unit = "ms", on_pre = t)]
    pub t_last: f64,
    /// Transmitter concentration in the cleft.
    #[expr(if t - t_last < T_duration { T } else { 0.0 }, unit = "mM")]
    pub transmitter: f64,
}
