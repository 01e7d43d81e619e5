// The terms of a summed expression in units of different dimensions.
use neurode::prelude::*;

#[synapse]
#[summed(s_tot_post = w + E)]
pub struct Sum {
    #[param(default = 1.0, unit = "1")]
    pub w: f64,
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
}

fn main() {
    let _ = <Sum as Model>::INFO;
}
