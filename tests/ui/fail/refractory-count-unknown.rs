// `count = ...` with a value other than `with_spike` or `after_spike`.
use neurode::prelude::*;

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
#[refractory(t_ref, count = nest)]
pub struct Cell {
    #[param(default = -70.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 2.0, unit = "ms")]
    pub t_ref: f64,
    #[param(default = 10.0, unit = "MOhm")]
    pub R: f64,
    #[state(init = -70.0, unit = "mV", ode = (-V + R * I) / tau)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

fn main() {
    let _ = (Cell::default(), Cell::V, <Cell as Model>::INFO);
}
