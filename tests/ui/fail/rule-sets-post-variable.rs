// `=` on a postsynaptic variable would overwrite what other synapses added.
use neurode::prelude::*;

#[synapse]
#[on_pre(g_post = w)]
pub struct Syn {
    #[param(default = 0.5, unit = "1")]
    pub w: f64,
}

fn main() {
    let _ = (Syn::default(), <Syn as Model>::INFO);
}
