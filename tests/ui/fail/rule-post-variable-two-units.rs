// One postsynaptic variable receives two units.
use neurode::prelude::*;

#[synapse]
#[on_pre(g_post += w; g_post += i)]
pub struct Syn {
    #[param(default = 0.5, unit = "uS")]
    pub w: f64,
    #[param(default = 0.5, unit = "nA")]
    pub i: f64,
}

fn main() {
    let _ = (Syn::default(), <Syn as Model>::INFO);
}
