// Two `on_pre` blocks.
use neurode::prelude::*;

#[synapse]
#[on_pre(n += 1.0)]
#[on_pre(m += 1.0; n += 1.0)]
pub struct Syn {
    #[state(init = 0.0, unit = "1")]
    pub n: f64,
    #[state(init = 0.0, unit = "1")]
    pub m: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::n, <Syn as Model>::INFO);
}
