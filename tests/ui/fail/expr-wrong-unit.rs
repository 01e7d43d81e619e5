// An `#[expr]` whose value does not have its declared unit.
use neurode::prelude::*;

#[synapse]
#[output(current = w * s)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 1.0, unit = "mM")]
    pub T_max: f64,
    #[param(default = 2.0, unit = "1/(mM*ms)")]
    pub alpha: f64,
    #[state(init = 0.0, unit = "1", ode = alpha * transmitter * (1.0 - s) - s / tau, on_pre += 1.0)]
    pub s: f64,
    #[expr(T_max * s * tau, unit = "mM")]
    pub transmitter: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
