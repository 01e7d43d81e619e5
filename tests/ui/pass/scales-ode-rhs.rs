// Passes: where two scales of one dimension meet, the power-of-ten factor between them is
// folded into the generated code (this case was once refused).
// A rate in Hz where 1/ms is needed.
use neurode::prelude::*;

#[synapse]
#[output(current = w * s)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 200.0, unit = "Hz")]
    pub rate: f64,
    #[state(init = 0.0, unit = "1", ode = -rate * s, on_pre += 1.0)]
    pub s: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
