// A rule changes an `#[expr]`, which is recomputed every step.
use neurode::prelude::*;

#[synapse]
#[on_pre(twice += 1.0)]
#[output(current = w * twice)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau)]
    pub s: f64,
    #[expr(2.0 * s)]
    pub twice: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
