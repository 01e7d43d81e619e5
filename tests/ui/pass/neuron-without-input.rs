// A neuron without an `#[input]` field compiles; an input current onto it, or a synapse output
// that adds to the input, is a typed error naming the group and the model, while outputs and
// inputs that reach a state directly still work.
use neurode::models::{Exponential, VoltageJump};
use neurode::prelude::*;
use neurode::runtime::{Error, PoissonInput, SpikeTrain};

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
pub struct Cell {
    #[param(default = -70.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[state(init = -70.0, unit = "mV", ode = -(V - V_reset) / tau)]
    pub V: f64,
}

fn main() {
    assert_eq!(<Cell as Model>::INFO.input, None);
    let mut net = Network::new(0.1).unwrap();
    let cells = net.add_population("cells", 2, Cell::default()).unwrap();
    let e = net.add_input(cells, Input::Constant(1.0)).unwrap_err();
    assert_eq!(
        e,
        Error::InvalidInput {
            object: "cells".into(),
            reason: "model `Cell` has no `#[input]` field, so an input current has nothing to add to"
                .into(),
        }
    );
    let pre = net
        .add_population("pre", 1, SpikeTrain::single(&[1.0]).unwrap())
        .unwrap();
    let e = net
        .add_projection("exp", Exponential::default(), pre, cells, &Connect::AllToAll)
        .unwrap_err();
    assert!(e.to_string().contains("has no `#[input]` field"), "{e}");
    net.add_projection("jump", VoltageJump::default(), pre, cells, &Connect::AllToAll)
        .unwrap();
    net.add_poisson_input(cells, Cell::V, &PoissonInput::poisson(100.0, 0.5, 3))
        .unwrap();
    net.run(5.0).unwrap();
}
