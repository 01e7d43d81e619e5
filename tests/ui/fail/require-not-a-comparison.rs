// A requirement must be a comparison (`==` is refused too).
use neurode::prelude::*;

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
#[require(V_th - V_reset, V_th == -50.0)]
pub struct Leaky {
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = -65.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau: f64,
    #[param(default = 1.0, unit = "MOhm", domain = positive)]
    pub R: f64,
    #[state(init = -65.0, unit = "mV", ode = (V_reset - V + R * I) / tau)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

fn main() {
    let _ = Leaky::default();
}
