// Passes: where two scales of one dimension meet, the power-of-ten factor between them is
// folded into the generated code (this case was once refused).
// A delay in seconds.
use neurode::prelude::*;

#[synapse]
#[output(current = w * s, delay = delay)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 0.001, unit = "s")]
    pub delay: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
