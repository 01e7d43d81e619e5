// A rule changes a per-synapse parameter: it is fixed for a run.
use neurode::prelude::*;

#[synapse]
#[on_pre(w += 0.1; n += 1.0)]
pub struct Syn {
    #[param(default = 0.5, unit = "1", per_synapse)]
    pub w: f64,
    #[state(init = 0.0, unit = "1")]
    pub n: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::n, <Syn as Model>::INFO);
}
