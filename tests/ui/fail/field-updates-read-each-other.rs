// Two field updates that read each other's variables: their declaration order would decide
// the model.
use neurode::prelude::*;

#[synapse]
pub struct Syn {
    #[state(init = 0.0, unit = "1", on_pre = n)]
    pub before: f64,
    #[state(init = 0.0, unit = "1", on_pre += 1.0)]
    pub n: f64,
}

fn main() {
    let _ = (Syn::default(), Syn::n, <Syn as Model>::INFO);
}
