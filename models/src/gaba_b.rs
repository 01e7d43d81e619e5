//! GABA_B receptor: metabotropic, through a G-protein cascade.

use neurode_macros::synapse;

/// GABA_B receptor (the chapter's `GABAb`).
///
/// d[R]/dt = k3·[T]·(1 − R) − k4·R; d[G]/dt = k1·R − k2·G; [T] = T while
/// (t − t_last) < T_duration else 0, a presynaptic spike setting t_last = t before integrating;
/// s = G⁴/(G⁴ + K_d) from the new G; I_post −= g_max·s·(V_post − E).
/// R is the fraction of activated receptors, G the G-protein concentration (µM).
///
/// Defaults: k1 0.18 µM/ms, k2 0.034 /ms, k3 0.09 /(mM·ms), k4 0.0012 /ms, K_d 100 µM⁴,
/// T 0.5 mM, T_duration 0.3 ms, g_max 0.02 µS, E −95 mV, no delay. The chapter integrates
/// (R, G) jointly with rk4; neurode chooses exponential Euler; the chapter protocol asks for rk4.
///
/// Reference: Destexhe & Sejnowski (1995), PNAS 92:9515; Destexhe, Mainen & Sejnowski, in
/// *Methods in Neuronal Modeling* (1998), ch. 1.
#[synapse(crate = ::neurode_runtime)]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct GabaB {
    /// G-protein production rate per activated receptor.
    #[param(default = 0.18, unit = "uM/ms", domain = non_negative)]
    pub k1: f64,
    /// G-protein removal rate.
    #[param(default = 0.034, unit = "1/ms", domain = non_negative)]
    pub k2: f64,
    /// Receptor activation rate.
    #[param(default = 0.09, unit = "1/(mM*ms)", domain = non_negative)]
    pub k3: f64,
    /// Receptor deactivation rate.
    #[param(default = 0.0012, unit = "1/ms", domain = non_negative)]
    pub k4: f64,
    /// Dissociation constant of G-protein binding to the channel.
    #[param(default = 100.0, unit = "uM^4", domain = positive)]
    pub K_d: f64,
    /// Transmitter concentration during a pulse.
    #[param(default = 0.5, unit = "mM", domain = non_negative)]
    pub T: f64,
    /// Pulse duration.
    #[param(default = 0.3, unit = "ms", domain = positive)]
    pub T_duration: f64,
    /// Maximal conductance.
    #[param(default = 0.02, unit = "uS", domain = non_negative)]
    pub g_max: f64,
    /// Reversal potential.
    #[param(default = -95.0, unit = "mV")]
    pub E: f64,
    /// Transmission delay of the output.
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub delay: f64,
    /// Fraction of activated receptors.
    #[state(init = 0.0, unit = "1", ode = k3 * transmitter * (1.0 - R) - k4 * R)]
    pub R: f64,
    /// G-protein concentration.
    #[state(init = 0.0, unit = "uM", ode = k1 * R - k2 * G)]
    pub G: f64,
    /// Time of the last presynaptic spike.
    #[state(init = -1e7, unit = "ms", on_pre = t)]
    pub t_last: f64,
    /// Transmitter concentration in the cleft.
    #[expr(if t - t_last < T_duration { T } else { 0.0 }, unit = "mM")]
    pub transmitter: f64,
    /// Fraction of open channels.
    #[expr(G.powi(4) / (G.powi(4) + K_d), unit = "1")]
    pub s: f64,
}
