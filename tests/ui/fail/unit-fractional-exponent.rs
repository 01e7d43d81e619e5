// A fractional exponent other than a half.
use neurode::prelude::*;

#[synapse]
#[output(current = w * s)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 2.0, unit = "ms^-1.25")]
    pub k: f64,
    #[state(init = 0.0, unit = "1", ode = -k * s, on_pre += 1.0)]
    pub s: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
