// `rand()` in an ODE: it draws initial values only.
use neurode::prelude::*;

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
pub struct Cell {
    #[param(default = -70.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[state(init = V_reset + 5.0[mV] * randn(), unit = "mV", ode = (V_reset - V) / tau * rand())]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

fn main() {
    let _ = (Cell::default(), Cell::V, <Cell as Model>::INFO);
}
