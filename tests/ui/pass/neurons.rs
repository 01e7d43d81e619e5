// Neurons: a LIF with reset `=` and a refractory period; two states with reset `=` and `+=` and
// no refractory period; reset `+=` on the membrane; a state changed by the reset only; the
// membrane marked with `membrane` on a state not named `V`; an input not named `I`; a compound
// threshold.

use neurode::prelude::*;

#[neuron(method = euler)]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
#[refractory(t_refractory)]
pub struct Lif {
    #[param(default = 0.0, unit = "mV")]
    pub V_rest: f64,
    #[param(default = -5.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = 20.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 1.0, unit = "MOhm")]
    pub R: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 1.0, unit = "ms")]
    pub t_refractory: f64,
    #[state(init = V_rest, unit = "mV", ode = (-(V - V_rest) + R * I) / tau, membrane)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

/// Adaptive exponential integrate-and-fire: two states, reset `=` and `+=`, a spike counter.
#[neuron]
#[threshold(V > V_peak)]
#[reset(V = V_reset, w += b, spikes += 1.0)]
pub struct AdEx {
    #[param(default = 0.2, unit = "nF")]
    pub C: f64,
    #[param(default = 0.01, unit = "uS")]
    pub g_L: f64,
    #[param(default = -70.0, unit = "mV")]
    pub E_L: f64,
    #[param(default = -50.0, unit = "mV")]
    pub V_T: f64,
    #[param(default = 2.0, unit = "mV")]
    pub Delta_T: f64,
    #[param(default = 0.0, unit = "mV")]
    pub V_peak: f64,
    #[param(default = -58.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = 0.002, unit = "uS")]
    pub a: f64,
    #[param(default = 0.1, unit = "nA")]
    pub b: f64,
    #[param(default = 100.0, unit = "ms")]
    pub tau_w: f64,
    #[state(init = E_L, unit = "mV", ode = (-g_L * (V - E_L) + g_L * Delta_T * exp((V - V_T) / Delta_T) - w + I) / C)]
    pub V: f64,
    #[state(init = 0.0, unit = "nA", ode = (a * (V - E_L) - w) / tau_w)]
    pub w: f64,
    #[state(init = 0.0, unit = "1")]
    pub spikes: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

/// Reset by `+=` on a membrane marked explicitly, an input named `I_syn`, a compound threshold,
/// a refractory period that holds every integrated state.
#[neuron]
#[threshold(u >= u_th && t > t_start)]
#[reset(u += -jump)]
#[refractory(2.0 * t_half, hold = all)]
pub struct Marked {
    #[param(default = 10.0, unit = "mV")]
    pub u_th: f64,
    #[param(default = 15.0, unit = "mV")]
    pub jump: f64,
    #[param(default = 5.0, unit = "ms")]
    pub t_start: f64,
    #[param(default = 0.5, unit = "ms")]
    pub t_half: f64,
    #[param(default = 20.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 10.0, unit = "MOhm")]
    pub R: f64,
    #[state(init = 0.0, unit = "mV", ode = (-u + R * I_syn) / tau, membrane)]
    pub u: f64,
    #[state(init = 0.0, unit = "mV", ode = (u - u_slow) / tau)]
    pub u_slow: f64,
    #[input(unit = "nA")]
    pub I_syn: f64,
}

fn main() {
    let info = Lif::INFO;
    assert_eq!(info.kind, ModelKind::Neuron);
    assert_eq!(info.method, Method::Euler);
    assert_eq!((info.membrane, info.input), (Some(0), Some("I")));
    assert!(info.threshold.is_some() && info.refractory.is_some());
    assert_eq!(info.reset.len(), 1);

    let info = AdEx::INFO;
    assert_eq!(info.states.len(), 3);
    assert_eq!(info.reset.len(), 3);
    assert_eq!(info.refractory, None);
    assert_eq!(info.membrane, Some(0));

    let info = Marked::INFO;
    assert_eq!((info.membrane, info.input), (Some(0), Some("I_syn")));
    assert_eq!(info.reset.len(), 1);
    let _ = (Lif::V, AdEx::w, AdEx::spikes, Marked::u_slow, Marked::default().jump);
}
