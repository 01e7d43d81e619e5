// `exact` for an equation whose coefficient depends on another state.
use neurode::prelude::*;

#[synapse(method = exact)]
#[output(current = w * s)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 1.0, unit = "1/ms")]
    pub rate: f64,
    #[state(init = 0.0, unit = "1", ode = rate * x * (1.0 - s) - s / tau)]
    pub s: f64,
    #[state(init = 0.0, unit = "1", ode = -x / tau, on_pre += 1.0)]
    pub x: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
