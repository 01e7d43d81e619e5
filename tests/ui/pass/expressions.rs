// `#[expr]` fields: with a declared unit or with the unit inferred, depending on parameters only
// (held over the step) or on the state (recomputed inside the integrator), depending on other
// `#[expr]` fields declared before or after them, boolean-valued, and used in outputs.

use neurode::prelude::*;

#[synapse]
#[output(conductance = g_max * open, reversal = E)]
pub struct Derived {
    #[param(default = 0.01, unit = "uS")]
    pub g_max: f64,
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    #[param(default = 1.0, unit = "mM")]
    pub T_max: f64,
    #[param(default = 1.0, unit = "ms")]
    pub T_duration: f64,
    #[param(default = 2.0, unit = "1/(mM*ms)")]
    pub alpha: f64,
    #[param(default = 0.2, unit = "1/ms")]
    pub beta: f64,
    #[state(init = 0.0, unit = "1", ode = alpha * transmitter * (1.0 - s) - beta * s)]
    pub s: f64,
    #[state(init = -1e7, unit = "ms", on_pre = t)]
    pub t_last: f64,
    /// Declared unit, uses another expression declared after it.
    #[expr(T_max * releasing, unit = "mM")]
    pub transmitter: f64,
    /// Unit inferred (a boolean counts as a dimensionless 0 or 1).
    #[expr(t - t_last < T_duration)]
    pub releasing: f64,
    /// Unit inferred from the state: recomputed at every stage of the integrator.
    #[expr(s * s)]
    pub open: f64,
    /// Parameters only, declared unit.
    #[expr(alpha * T_max / (alpha * T_max + beta), unit = "1")]
    pub s_inf: f64,
    /// A chain: inferred from `s_inf` (1) and `beta` (1/ms).
    #[expr(1.0 / (s_inf * beta))]
    pub tau_approach: f64,
    /// Uses the chain, with a declared unit that must agree with the inferred one.
    #[expr(tau_approach * 2.0, unit = "ms")]
    pub twice: f64,
}

fn main() {
    let info = Derived::INFO;
    let derived: Vec<&str> = info.states.iter().filter(|s| s.derived).map(|s| s.name).collect();
    assert_eq!(derived, ["transmitter", "releasing", "open", "s_inf", "tau_approach", "twice"]);
    let _ = (Derived::transmitter, Derived::releasing, Derived::twice, Derived::default().beta);
}
