// An unknown function inside a derived expression that an equation reads: the same error as in
// the equation itself, never a panic of the macro.
use neurode::prelude::*;

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
pub struct Rated {
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = -65.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[expr(exprl((V - V_th) / 5.0), unit = "1")]
    pub gate: f64,
    #[state(init = -65.0, unit = "mV", ode = (V_reset - V) * gate / tau)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

fn main() {
    let _ = Rated::default();
}
