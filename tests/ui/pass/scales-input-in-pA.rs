// Passes: where two scales of one dimension meet, the power-of-ten factor between them is
// folded into the generated code (this case was once refused).
// An input current in pA.
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
    #[param(default = 100.0, unit = "pF")]
    pub C: f64,
    #[state(init = -70.0, unit = "mV", ode = -V / tau + I / C)]
    pub V: f64,
    #[input(unit = "pA")]
    pub I: f64,
}

fn main() {
    let _ = (Cell::default(), Cell::V, <Cell as Model>::INFO);
}
