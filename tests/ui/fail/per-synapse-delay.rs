// An output's delay is one value per group: a per-synapse parameter cannot be it (per-synapse
// delays are set with `Network::set_delays`).
use neurode::prelude::*;

#[synapse]
#[output(current = s, delay = d)]
pub struct Syn {
    #[param(default = 1.0, unit = "ms", per_synapse)]
    pub d: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "nA", ode = -s / tau)]
    pub s: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::s, <Syn as Model>::INFO);
}
