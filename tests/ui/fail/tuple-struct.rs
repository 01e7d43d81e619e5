// `#[neuron]` on a tuple struct.
use neurode::prelude::*;

#[neuron]
#[threshold(V >= 1.0)]
pub struct Cell(f64, f64);

fn main() {
    let _ = Cell(0.0, 0.0);
}
