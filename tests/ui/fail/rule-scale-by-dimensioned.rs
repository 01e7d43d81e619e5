// `*=` scales by a dimensionless factor.
use neurode::prelude::*;

#[synapse]
#[on_pre(w *= k)]
pub struct Syn {
    #[param(default = 0.5, unit = "ms")]
    pub k: f64,
    #[state(init = 0.1, unit = "uS")]
    pub w: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::w, <Syn as Model>::INFO);
}
