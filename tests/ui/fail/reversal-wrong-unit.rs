// A reversal potential in mM.
use neurode::prelude::*;

#[synapse]
#[output(conductance = g_max * s, reversal = E)]
pub struct Syn {
    #[param(default = 0.01, unit = "uS")]
    pub g_max: f64,
    #[param(default = 0.0, unit = "mM")]
    pub E: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
