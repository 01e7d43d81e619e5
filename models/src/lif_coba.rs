//! Leaky integrate-and-fire neuron with synaptic conductances held in the neuron.

use neurode_macros::neuron;

/// Leaky integrate-and-fire neuron whose excitatory and inhibitory conductances are its own
/// variables, which synapses add to at their spikes (`ge_post += w`), as in Song, Miller & Abbott
/// (2000) and the COBA benchmark of Brette et al. (2007).
///
/// τ_m·dV/dt = (E_L − V) + g_e·(E_e − V) + g_i·(E_i − V) + R·I;
/// dg_e/dt = −g_e/τ_e; dg_i/dt = −g_i/τ_i. The conductances are relative to the leak
/// (dimensionless). A spike where V > V_th, then V ← V_reset; no refractory period.
/// I is the input accumulated in the step (nA).
///
/// Defaults (Song et al. 2000, as in Brian2's `STDP.py`): τ_m 10 ms, E_L −74 mV (also the
/// initial V), V_th −54 mV, V_reset −60 mV, E_e 0 mV, τ_e 5 ms, E_i −80 mV, τ_i 10 ms,
/// R 1 MΩ. The system is nonlinear (g·V): neurode integrates it with rk4 unless told otherwise;
/// Song et al. and Brian2's example use Euler at dt = 0.1 ms.
///
/// Reference: Song, Miller & Abbott, Nat. Neurosci. 3:919 (2000); Brette et al., J. Comput.
/// Neurosci. 23:349 (2007).
#[neuron(crate = ::neurode_runtime)]
#[threshold(V > V_th)]
#[reset(V = V_reset)]
#[require(V_th > V_reset)]
pub struct LifCoba {
    /// Membrane time constant.
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau_m: f64,
    /// Leak reversal potential.
    #[param(default = -74.0, unit = "mV")]
    pub E_L: f64,
    /// Spike threshold.
    #[param(default = -54.0, unit = "mV")]
    pub V_th: f64,
    /// Potential after a spike.
    #[param(default = -60.0, unit = "mV")]
    pub V_reset: f64,
    /// Excitatory reversal potential.
    #[param(default = 0.0, unit = "mV")]
    pub E_e: f64,
    /// Excitatory conductance time constant.
    #[param(default = 5.0, unit = "ms", domain = positive)]
    pub tau_e: f64,
    /// Inhibitory reversal potential.
    #[param(default = -80.0, unit = "mV")]
    pub E_i: f64,
    /// Inhibitory conductance time constant.
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau_i: f64,
    /// Membrane resistance (for the input current).
    #[param(default = 1.0, unit = "MOhm", domain = positive)]
    pub R: f64,
    /// Membrane potential.
    #[state(init = E_L, unit = "mV", membrane,
            ode = ((E_L - V) + g_e * (E_e - V) + g_i * (E_i - V) + R * I) / tau_m)]
    pub V: f64,
    /// Excitatory conductance, relative to the leak.
    #[state(init = 0.0, unit = "1", ode = -g_e / tau_e)]
    pub g_e: f64,
    /// Inhibitory conductance, relative to the leak.
    #[state(init = 0.0, unit = "1", ode = -g_i / tau_i)]
    pub g_i: f64,
    /// Input current accumulated this step.
    #[input(unit = "nA")]
    pub I: f64,
}
