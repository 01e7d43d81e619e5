// Presynaptic updates in two places: their order would be unclear.
use neurode::prelude::*;

#[synapse]
#[on_pre(n += 1.0)]
#[output(current = w * s)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
    #[state(init = 0.0, unit = "1")]
    pub n: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
