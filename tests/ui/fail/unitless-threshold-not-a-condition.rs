// A threshold that is a number, in a model without units (nothing else checks it).
use neurode::prelude::*;

#[neuron]
#[threshold(V - V_th)]
#[reset(V = V_reset)]
pub struct Cell {
    #[param(default = -70.0)]
    pub V_reset: f64,
    #[param(default = -50.0)]
    pub V_th: f64,
    #[param(default = 10.0)]
    pub tau: f64,
    #[state(init = -70.0, ode = (-V + I) / tau)]
    pub V: f64,
    #[input]
    pub I: f64,
}

fn main() {
    let _ = (Cell::default(), Cell::V, <Cell as Model>::INFO);
}
