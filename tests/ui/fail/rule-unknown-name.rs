// A rule changes a variable the model does not have (a misspelling).
use neurode::prelude::*;

#[synapse]
#[on_pre(wieght += 1.0)]
pub struct Syn {
    #[state(init = 0.0, unit = "1")]
    pub weight: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::weight, <Syn as Model>::INFO);
}
