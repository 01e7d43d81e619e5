// A time constant declared in mV: the error at `dw/dt` names the declaration that made its unit.
use neurode::prelude::*;

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = E_L, w += b)]
pub struct Adaptive {
    #[param(default = 200.0, unit = "pF")]
    pub C: f64,
    #[param(default = 10.0, unit = "nS")]
    pub g_L: f64,
    #[param(default = -70.0, unit = "mV")]
    pub E_L: f64,
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 2.0, unit = "nS")]
    pub a: f64,
    #[param(default = 30.0, unit = "mV")]
    pub tau_w: f64,
    #[param(default = 50.0, unit = "pA")]
    pub b: f64,
    #[state(init = -70.0, unit = "mV", ode = (-g_L * (V - E_L) - w + I) / C)]
    pub V: f64,
    #[state(init = 0.0, unit = "pA", ode = (a * (V - E_L) - w) / tau_w)]
    pub w: f64,
    #[input(unit = "pA")]
    pub I: f64,
}

fn main() {
    let _ = (Adaptive::default(), Adaptive::w, <Adaptive as Model>::INFO);
}
