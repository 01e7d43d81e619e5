//! The Hodgkin–Huxley squid axon.

use neurode_macros::neuron;

/// The Hodgkin–Huxley (1952) squid giant axon in the modern convention (rest near −65 mV),
/// in the paper's per-area units:
///
/// C·dV/dt = I_e + I/area − g_Na·m³·h·(V − E_Na) − g_K·n⁴·(V − E_K) − g_L·(V − E_L);
/// dx/dt = α_x(V)·(1 − x) − β_x(V)·x for x = m, h, n, with (V in mV, rates in 1/ms)
/// α_m = 0.1·(V + 40)/(1 − e^{−(V+40)/10}), β_m = 4·e^{−(V+65)/18},
/// α_h = 0.07·e^{−(V+65)/20}, β_h = 1/(1 + e^{−(V+35)/10}),
/// α_n = 0.01·(V + 55)/(1 − e^{−(V+55)/10}), β_n = 0.125·e^{−(V+65)/80}
/// (at the removable singularities V = −40 and −55 mV, their limits 1 and 0.1).
///
/// There is no reset: a spike is the step where V first reaches V_spike (0 mV) from below,
/// and no other is detected within t_dead (2 ms) of it, so one action potential gives one
/// spike. `I_e` is a bias current density; `I` the input of the step (nA, as synapses add it),
/// spread over the membrane `area`.
///
/// Defaults: C 1 µF/cm², g_Na 120 mS/cm², g_K 36 mS/cm², g_L 0.3 mS/cm², E_Na 50 mV, E_K
/// −77 mV, E_L −54.387 mV, area 20000 µm² (as in Brian2's examples), I_e 0 µA/cm²; V starts
/// at −65 mV and m, h, n at their steady states there. Repetitive firing starts near
/// I_e = 6.3 µA/cm². Integrated with rk4 in 4 substeps per step: at dt = 0.1 ms explicit
/// methods are unstable on whole steps (the sodium current makes V's time constant shorter
/// than 0.03 ms at the peak), and exponential Euler, though stable, is first order (its
/// period at I_e = 10 µA/cm² is 5 % too long at 0.1 ms).
///
/// Reference: Hodgkin & Huxley, J. Physiol. 117:500 (1952); the −65 mV convention as in
/// Dayan & Abbott, *Theoretical Neuroscience* (2001) and Brian2's and NEST's `hh` models.
#[neuron(crate = ::neurode_runtime, method = rk4, substeps = 4)]
#[threshold(V >= V_spike, rising, dead_time = t_dead)]
pub struct HodgkinHuxley {
    /// Membrane capacitance.
    #[param(default = 1.0, unit = "uF/cm^2", domain = positive)]
    pub C: f64,
    /// Maximal sodium conductance.
    #[param(default = 120.0, unit = "mS/cm^2", domain = non_negative)]
    pub g_Na: f64,
    /// Maximal potassium conductance.
    #[param(default = 36.0, unit = "mS/cm^2", domain = non_negative)]
    pub g_K: f64,
    /// Leak conductance.
    #[param(default = 0.3, unit = "mS/cm^2", domain = non_negative)]
    pub g_L: f64,
    /// Sodium reversal potential.
    #[param(default = 50.0, unit = "mV")]
    pub E_Na: f64,
    /// Potassium reversal potential.
    #[param(default = -77.0, unit = "mV")]
    pub E_K: f64,
    /// Leak reversal potential.
    #[param(default = -54.387, unit = "mV")]
    pub E_L: f64,
    /// Membrane area the input spreads over.
    #[param(default = 20000.0, unit = "um^2", domain = positive)]
    pub area: f64,
    /// Bias current density.
    #[param(default = 0.0, unit = "uA/cm^2")]
    pub I_e: f64,
    /// Spike detection potential, crossed upwards.
    #[param(default = 0.0, unit = "mV")]
    pub V_spike: f64,
    /// Dead time after a detected spike.
    #[param(default = 2.0, unit = "ms", domain = non_negative)]
    pub t_dead: f64,
    /// Membrane potential.
    #[state(init = -65.0[mV], unit = "mV", membrane,
            ode = (I_e + I / area - g_Na * m.powi(3) * h * (V - E_Na)
                   - g_K * n.powi(4) * (V - E_K) - g_L * (V - E_L)) / C)]
    pub V: f64,
    /// Sodium activation.
    #[state(init = 0.05293248525724958, unit = "1", ode = alpha_m * (1.0 - m) - beta_m * m)]
    pub m: f64,
    /// Sodium inactivation.
    #[state(init = 0.5961207535084603, unit = "1", ode = alpha_h * (1.0 - h) - beta_h * h)]
    pub h: f64,
    /// Potassium activation.
    #[state(init = 0.3176769140606974, unit = "1", ode = alpha_n * (1.0 - n) - beta_n * n)]
    pub n: f64,
    /// Opening rate of m.
    #[expr(if abs(V + 40.0[mV]) < 1e-9[mV] { 1.0[1/ms] } else {
        0.1[1/(mV*ms)] * (V + 40.0[mV]) / (1.0 - exp(-(V + 40.0[mV]) / 10.0[mV])) },
        unit = "1/ms")]
    pub alpha_m: f64,
    /// Closing rate of m.
    #[expr(4.0[1/ms] * exp(-(V + 65.0[mV]) / 18.0[mV]), unit = "1/ms")]
    pub beta_m: f64,
    /// Opening rate of h.
    #[expr(0.07[1/ms] * exp(-(V + 65.0[mV]) / 20.0[mV]), unit = "1/ms")]
    pub alpha_h: f64,
    /// Closing rate of h.
    #[expr(1.0[1/ms] / (1.0 + exp(-(V + 35.0[mV]) / 10.0[mV])), unit = "1/ms")]
    pub beta_h: f64,
    /// Opening rate of n.
    #[expr(if abs(V + 55.0[mV]) < 1e-9[mV] { 0.1[1/ms] } else {
        0.01[1/(mV*ms)] * (V + 55.0[mV]) / (1.0 - exp(-(V + 55.0[mV]) / 10.0[mV])) },
        unit = "1/ms")]
    pub alpha_n: f64,
    /// Closing rate of n.
    #[expr(0.125[1/ms] * exp(-(V + 65.0[mV]) / 80.0[mV]), unit = "1/ms")]
    pub beta_n: f64,
    /// Input of the step.
    #[input(unit = "nA")]
    pub I: f64,
}
