// Passes: where two scales of one dimension meet, the power-of-ten factor between them is
// folded into the generated code (this case was once refused).
// A conductance output in nS.
use neurode::prelude::*;

#[synapse]
#[output(conductance = g_max * s, reversal = E)]
pub struct Syn {
    #[param(default = 10.0, unit = "nS")]
    pub g_max: f64,
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
