// `#[synapse]` on an enum.
use neurode::prelude::*;

#[synapse]
pub enum Syn {
    Open,
    Closed,
}

fn main() {
    let _ = Syn::Open;
}
