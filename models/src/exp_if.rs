//! The exponential integrate-and-fire neuron.

use neurode_macros::neuron;

/// Exponential integrate-and-fire neuron (Fourcaud-Trocmé, Hansel, van Vreeswijk & Brunel
/// 2003), in pF, nS and pA: [`AdEx`](crate::AdEx) without adaptation,
///
/// C·dV/dt = −g_L·(V − E_L) + g_L·Δ_T·exp((V − V_T)/Δ_T) + I_e + I.
///
/// A spike where V ≥ V_peak, then V ← V_r, held there for t_ref (from the located crossing, in
/// continuous time). `I_e` is a constant bias
/// current; `I` the input of the step (synapses and inputs add nA, read here in pA).
///
/// Defaults: C 200 pF, g_L 10 nS, E_L −70 mV (also the initial V), V_T −50 mV, Δ_T 2 mV,
/// V_r −58 mV, V_peak 0 mV, t_ref 2 ms, I_e 0 pA. Integrated with rk4 unless told otherwise;
/// the exponential is evaluated at min(V, V_peak) and the reset and the end of the refractory
/// period fall inside the step, as for [`AdEx`](crate::AdEx), whose documentation explains why.
///
/// Reference: Fourcaud-Trocmé, Hansel, van Vreeswijk & Brunel, J. Neurosci. 23:11628 (2003).
#[neuron(crate = ::neurode_runtime)]
#[threshold(V >= V_peak, within_step = integrated)]
#[reset(V = V_r)]
#[refractory(t_ref)]
#[require(V_peak > V_r, V_peak > V_T)]
pub struct ExpIf {
    /// Membrane capacitance.
    #[param(default = 200.0, unit = "pF", domain = positive)]
    pub C: f64,
    /// Leak conductance.
    #[param(default = 10.0, unit = "nS", domain = non_negative)]
    pub g_L: f64,
    /// Leak reversal potential (also the initial V).
    #[param(default = -70.0, unit = "mV")]
    pub E_L: f64,
    /// Threshold of the exponential term.
    #[param(default = -50.0, unit = "mV")]
    pub V_T: f64,
    /// Slope factor of the exponential term.
    #[param(default = 2.0, unit = "mV", domain = positive)]
    pub Delta_T: f64,
    /// Reset potential.
    #[param(default = -58.0, unit = "mV")]
    pub V_r: f64,
    /// Spike detection potential.
    #[param(default = 0.0, unit = "mV")]
    pub V_peak: f64,
    /// Refractory period (V held at V_r).
    #[param(default = 2.0, unit = "ms", domain = non_negative)]
    pub t_ref: f64,
    /// Constant bias current.
    #[param(default = 0.0, unit = "pA")]
    pub I_e: f64,
    /// Membrane potential.
    #[state(init = E_L, unit = "mV", membrane,
            ode = (-g_L * (V - E_L) + g_L * Delta_T * exp((min(V, V_peak) - V_T) / Delta_T) + I_e + I) / C)]
    pub V: f64,
    /// Input of the step.
    #[input(unit = "pA")]
    pub I: f64,
}

impl ExpIf {
    /// The model in its textbook form (Gerstner, Kistler, Naud & Paninski 2014, §5.2),
    ///
    /// τ_m·dV/dt = −(V − E_L) + Δ_T·exp((V − V_T)/Δ_T) + R·(I_e + I),
    ///
    /// from the membrane time constant `tau_m` (ms) and the input resistance `r` (MΩ): the same
    /// equation with g_L = 1/R and C = τ_m/R, i.e. `g_L` = 1000/`r` nS and `C` = 1000·`tau_m`/`r`
    /// pF (20 ms and 100 MΩ are the defaults' 200 pF and 10 nS). The other parameters are
    /// `self`'s.
    ///
    /// Error: [`Error::InvalidParameter`](neurode_runtime::Error::InvalidParameter) naming
    /// `tau_m` or `R` when it is not a finite positive number.
    pub fn with_tau_m_and_r(self, tau_m: f64, r: f64) -> Result<Self, neurode_runtime::Error> {
        for (name, value) in [("tau_m", tau_m), ("R", r)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(neurode_runtime::Error::InvalidParameter {
                    model: "ExpIf".into(),
                    name: name.into(),
                    value,
                    domain: "finite and positive".into(),
                });
            }
        }
        Ok(ExpIf {
            C: 1000.0 * tau_m / r,
            g_L: 1000.0 / r,
            ..self
        })
    }
}
