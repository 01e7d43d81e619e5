// A summed variable with an equation of its own (the synapses overwrite it every step).
use neurode::prelude::*;

#[neuron]
#[threshold(false)]
pub struct Cell {
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 5.0, unit = "mV")]
    pub c: f64,
    #[state(init = 0.0, unit = "mV", ode = (-V + c * s_tot) / tau)]
    pub V: f64,
    #[state(summed, unit = "1", ode = -s_tot / tau)]
    pub s_tot: f64,
}

fn main() {
    let _ = <Cell as Model>::INFO;
}
