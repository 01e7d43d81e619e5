// A parameter's typed accessor belongs to its model: setting `Lif::tau` on a projection of
// `Ampa` (or recording `Lif::V` from it) does not compile.
use neurode::prelude::*;

fn main() -> neurode::runtime::Result<()> {
    let mut net = Network::new(0.1)?;
    let exc = net.add_population("exc", 10, Lif::default())?;
    let syn = net.add_projection("syn", Ampa::default(), exc, exc, &Connect::AllToAll)?;
    net.set_param(syn, Lif::tau, 5.0)?;
    net.record(syn, Lif::V)?;
    Ok(())
}
