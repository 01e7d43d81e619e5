// A summed variable is assigned the sum, not added to.
use neurode::prelude::*;

#[synapse]
#[summed(s_tot_post += w)]
pub struct Sum {
    #[param(default = 1.0, unit = "1")]
    pub w: f64,
}

fn main() {
    let _ = <Sum as Model>::INFO;
}
