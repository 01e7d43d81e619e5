//! AMPA receptor: two-state kinetic scheme driven by a square transmitter pulse.

use neurode_macros::synapse;

/// AMPA receptor (the chapter's `AMPA`, with the library's conductance output).
///
/// ds/dt = α·[T]·(1 − s) − β·s, with the transmitter [T] = T while (t − t_last) < T_duration,
/// else 0; a presynaptic spike sets t_last = t before integrating. I_post −= g_max·s·(V_post − E).
/// During a pulse s relaxes to s∞ = αT/(αT + β) at rate αT + β; after it s decays at rate β.
///
/// Defaults: α 0.98 /(mM·ms), β 0.18 /ms, T 0.5 mM, T_duration 0.5 ms (the chapter's figure uses
/// 3 ms), g_max 0.42 µS, E 0 mV, no delay. Method: exponential Euler (the chapter's; neurode
/// chooses it too: the equation is linear in s with a coefficient that switches with [T]).
///
/// Reference: Destexhe, Mainen & Sejnowski (1994), J. Comput. Neurosci. 1:195.
#[synapse(crate = ::neurode_runtime)]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct Ampa {
    /// Binding rate.
    #[param(default = 0.98, unit = "1/(mM*ms)", domain = non_negative)]
    pub alpha: f64,
    /// Unbinding rate.
    #[param(default = 0.18, unit = "1/ms", domain = non_negative)]
    pub beta: f64,
    /// Transmitter concentration during a pulse.
    #[param(default = 0.5, unit = "mM", domain = non_negative)]
    pub T: f64,
    /// Pulse duration.
    #[param(default = 0.5, unit = "ms", domain = positive)]
    pub T_duration: f64,
    /// Maximal conductance.
    #[param(default = 0.42, unit = "uS", domain = non_negative)]
    pub g_max: f64,
    /// Reversal potential.
    #[param(default = 0.0, unit = "mV")]
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
