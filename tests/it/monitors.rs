//! Observing never changes what is observed: monitors on every kind of variable (neuron states,
//! synapse state kept per postsynaptic neuron and run fused with the neurons, per presynaptic
//! neuron, per synapse, derived expressions, spike counts) leave every spike and every stored
//! value bit-identical, on one thread and on several.

use neurode::benchmarks::coba;
use neurode::models::{ExponentialCoba, Lif};
use neurode::runtime::Recording;

use crate::threads::{mixed_with, Outcome};

/// COBA (3000 neurons, seed 5, 100 ms): spikes and the final state of the neurons and of both
/// synapse groups, with or without monitors on V, on both conductances and on the spikes.
fn coba_outcome(observe: bool, threads: usize) -> Outcome {
    let mut bench = coba(3000, 5).unwrap();
    let net = &mut bench.net;
    net.set_threads(threads).unwrap();
    let trains = net.record_spikes(bench.neurons).unwrap();
    let synapses = ["exc", "inh"].map(|name| net.synapses_named::<ExponentialCoba>(name).unwrap());
    if observe {
        net.record(bench.neurons, Lif::V).unwrap();
        net.record_synapses(synapses[0], ExponentialCoba::s)
            .unwrap();
        let sel = Recording::default().indices([5, 0, 2999]).every(7);
        net.record_synapses_with(synapses[1], ExponentialCoba::s, &sel)
            .unwrap();
    }
    net.run(100.0).unwrap();
    let trace = net.spike_trace(trains);
    let spikes = trace
        .steps
        .iter()
        .copied()
        .zip(trace.indices.iter().copied())
        .collect();
    let mut state: Vec<u64> = net
        .group(bench.neurons)
        .columns()
        .concat()
        .iter()
        .map(|x| x.to_bits())
        .collect();
    for s in synapses {
        state.extend(
            net.synapses(s)
                .columns()
                .concat()
                .iter()
                .map(|x| x.to_bits()),
        );
    }
    Outcome { spikes, state }
}

#[test]
fn monitors_leave_coba_bit_identical() {
    for threads in [1, 2] {
        let plain = coba_outcome(false, threads);
        assert!(plain.spikes.len() > 1000, "{} spikes", plain.spikes.len());
        assert!(
            coba_outcome(true, threads) == plain,
            "{threads} threads: monitors changed the run"
        );
    }
}

#[test]
fn monitors_leave_every_kind_of_phase_bit_identical() {
    for threads in [1, 3] {
        let (phases, plain) = mixed_with(threads, false);
        let (observed_phases, observed) = mixed_with(threads, true);
        assert_eq!(phases, observed_phases, "monitors change no phase");
        assert!(
            observed == plain,
            "{threads} threads: monitors changed the run"
        );
    }
}
