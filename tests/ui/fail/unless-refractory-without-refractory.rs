// `unless_refractory` on a neuron without a refractory period.
use neurode::prelude::*;

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = 0.0)]
pub struct Cell {
    #[param(default = 10.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 1.0, unit = "MOhm")]
    pub R: f64,
    #[state(init = 0.0, unit = "mV", ode = (-V + R * I) / tau, membrane, unless_refractory)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

fn main() {
    let _ = (Cell::default(), Cell::V, <Cell as Model>::INFO);
}
