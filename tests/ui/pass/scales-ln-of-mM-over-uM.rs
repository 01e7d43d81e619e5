// Passes: where two scales of one dimension meet, the power-of-ten factor between them is
// folded into the generated code (this case was once refused).
// `ln` of mM/uM, a pure number scaled by 1e3.
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
    #[expr(ln(c / K), unit = "1")]
    pub gate: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
