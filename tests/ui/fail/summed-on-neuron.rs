// `#[summed(...)]` written on a neuron.
use neurode::prelude::*;

#[neuron]
#[threshold(false)]
#[summed(x_post = V)]
pub struct Cell {
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "mV", ode = -V / tau)]
    pub V: f64,
}

fn main() {
    let _ = <Cell as Model>::INFO;
}
