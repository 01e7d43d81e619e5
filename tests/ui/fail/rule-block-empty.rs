// A rule block without statements.
use neurode::prelude::*;

#[synapse]
#[on_post()]
pub struct Syn {
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau)]
    pub s: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
