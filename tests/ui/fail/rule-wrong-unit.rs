// A rule adds a dimensionless number to a conductance.
use neurode::prelude::*;

#[synapse]
#[on_pre(w += 1.0; n += 1.0)]
pub struct Syn {
    #[state(init = 0.0, unit = "uS")]
    pub w: f64,
    #[state(init = 0.0, unit = "1")]
    pub n: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::w, <Syn as Model>::INFO);
}
