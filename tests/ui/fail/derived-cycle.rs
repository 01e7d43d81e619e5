// Two `#[expr]` fields defined by each other.
use neurode::prelude::*;

#[synapse]
#[output(current = w * s)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau + a / tau, on_pre += 1.0)]
    pub s: f64,
    #[expr(0.5 * b, unit = "1")]
    pub a: f64,
    #[expr(s + a, unit = "1")]
    pub b: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
