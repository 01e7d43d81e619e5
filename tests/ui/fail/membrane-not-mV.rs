// A membrane potential in volts.
use neurode::prelude::*;

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
pub struct Cell {
    #[param(default = -0.07, unit = "V")]
    pub V_reset: f64,
    #[param(default = -0.05, unit = "V")]
    pub V_th: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 10.0, unit = "GOhm")]
    pub R: f64,
    #[state(init = -0.07, unit = "V", ode = (-V + R * I) / tau)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

fn main() {
    let _ = (Cell::default(), Cell::V, <Cell as Model>::INFO);
}
