// `sqrt` of a number scaled by an odd power of ten (µM/mM = 1e-3): no exact unit.
use neurode::prelude::*;

#[synapse]
#[output(current = w * s)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 10.0, unit = "mV")]
    pub V_half: f64,
    #[param(default = 0.1, unit = "nA")]
    pub I_0: f64,
    #[param(default = 1.0, unit = "mM")]
    pub c: f64,
    #[param(default = 500.0, unit = "uM")]
    pub K: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau * gate, on_pre += 1.0)]
    pub s: f64,
    #[expr(1.0, unit = "1")]
    pub gate: f64,
    #[expr(sqrt(K / c))]
    pub root: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
