// A rule writes a built-in name.
use neurode::prelude::*;

#[synapse]
#[on_pre(v_pre += 1.0)]
pub struct Syn {
    #[state(init = 0.0, unit = "1")]
    pub n: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::n, <Syn as Model>::INFO);
}
