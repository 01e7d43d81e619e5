// A summed variable named without `_post`.
use neurode::prelude::*;

#[synapse]
#[summed(s_tot = w)]
pub struct Sum {
    #[param(default = 1.0, unit = "1")]
    pub w: f64,
}

fn main() {
    let _ = <Sum as Model>::INFO;
}
