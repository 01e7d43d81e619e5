// The `summed` flag on a synapse's state.
use neurode::prelude::*;

#[synapse]
pub struct Syn {
    #[state(summed, unit = "1", on_pre += 1.0)]
    pub s: f64,
}

fn main() {
    let _ = <Syn as Model>::INFO;
}
