// A statement that changes nothing.
use neurode::prelude::*;

#[synapse]
#[on_pre(w + 1.0)]
pub struct Syn {
    #[state(init = 0.0, unit = "1")]
    pub w: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::w, <Syn as Model>::INFO);
}
