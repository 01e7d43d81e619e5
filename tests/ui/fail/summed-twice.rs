// One postsynaptic variable summed twice.
use neurode::prelude::*;

#[synapse]
#[summed(s_tot_post = w, s_tot_post = 2.0 * w)]
pub struct Sum {
    #[param(default = 1.0, unit = "1")]
    pub w: f64,
}

fn main() {
    let _ = <Sum as Model>::INFO;
}
