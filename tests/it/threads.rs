//! Threads, tiles and fused loops change how a step is executed, never what it computes: every
//! configuration gives the same numbers bit for bit, on the benchmarks and on a network that
//! mixes every kind of phase.

use neurode::benchmarks::{coba, cuba, Bench};
use neurode::models::{Ampa, Exponential, ExponentialCoba, GapJunction, Lif, VoltageJump};
use neurode::runtime::{
    Connect, Error, Input, Network, Population, Projection, SpikeMonitor, StateMonitor, Storage,
};

/// Everything a run leaves behind, as bits: spike steps and indices, then every stored column
/// of every neuron and synapse group, in a fixed order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) spikes: Vec<(u64, u32)>,
    pub(crate) state: Vec<u64>,
}

pub(crate) fn outcome_of(bench: &Bench, trains: SpikeMonitor) -> Outcome {
    let trace = bench.net.spikes(trains).unwrap();
    let spikes = trace
        .steps
        .iter()
        .copied()
        .zip(trace.indices.iter().copied())
        .collect();
    let state = bench
        .net
        .population(bench.neurons)
        .unwrap()
        .columns()
        .iter()
        .flatten()
        .map(|x| x.to_bits())
        .collect();
    Outcome { spikes, state }
}

fn run_bench(build: fn(usize, u64) -> Result<Bench, Error>, threads: usize, fuse: bool) -> Outcome {
    let mut bench = build(3000, 5).unwrap();
    let trains = bench.net.record_spikes(bench.neurons).unwrap();
    bench.net.set_threads(threads).unwrap();
    bench.net.set_fuse(fuse);
    bench.net.run(60.0).unwrap();
    outcome_of(&bench, trains)
}

#[test]
fn benchmarks_are_bit_identical_for_any_threads_and_fusion() {
    for (name, build) in [("coba", coba as fn(_, _) -> _), ("cuba", cuba)] {
        let reference = run_bench(build, 1, true);
        assert!(
            reference.spikes.len() > 100,
            "{name}: the network must be active ({} spikes)",
            reference.spikes.len()
        );
        for (threads, fuse) in [(2, true), (3, true), (1, false), (2, false), (4, false)] {
            assert!(
                run_bench(build, threads, fuse) == reference,
                "{name}: {threads} threads, fuse {fuse} differs from 1 thread fused"
            );
        }
    }
}

/// A run in pieces continues exactly where the last one stopped: state copied back from the
/// run's buffers, per-postsynaptic state handed over un-advanced, spike lists carried over.
#[test]
fn runs_in_pieces_equal_one_run() {
    for (threads, fuse) in [(1, true), (2, true), (2, false)] {
        let pieces = |cuts: &[f64]| {
            let mut bench = coba(3000, 9).unwrap();
            let trains = bench.net.record_spikes(bench.neurons).unwrap();
            bench.net.set_threads(threads).unwrap();
            bench.net.set_fuse(fuse);
            for &ms in cuts {
                bench.net.run(ms).unwrap();
            }
            outcome_of(&bench, trains)
        };
        let whole = pieces(&[60.0]);
        assert!(whole.spikes.len() > 100, "{} spikes", whole.spikes.len());
        assert!(
            pieces(&[20.0, 0.0, 0.1, 39.9]) == whole,
            "{threads} threads, fuse {fuse}: pieces differ from one run"
        );
    }
}

#[test]
fn benchmarks_run_as_one_fused_loop() {
    for build in [coba as fn(_, _) -> _, cuba] {
        let mut bench = build(100, 1).unwrap();
        assert_eq!(bench.net.phases().unwrap(), ["fused: exc, inh, neurons"]);
        bench.net.set_fuse(false);
        assert_eq!(bench.net.phases().unwrap(), ["tiled: exc, inh, neurons"]);
    }
}

/// Two LIF groups with every kind of phase between them: per-presynaptic AMPA (serial), a
/// delayed exponential synapse (serial), a voltage jump (serial), a gap junction reading the
/// presynaptic potential (serial), and a fused pair of conductance synapses, with inputs on
/// views (one neuron of them twice). Returns the phases and the outcome.
pub(crate) fn mixed(threads: usize) -> (Vec<String>, Outcome) {
    mixed_with(threads, false)
}

/// [`mixed`]; with `observe`, a monitor on every stored variable of every object besides.
pub(crate) fn mixed_with(threads: usize, observe: bool) -> (Vec<String>, Outcome) {
    let mut m = build_mixed(threads, observe);
    m.net.run(80.0).unwrap();
    (m.net.phases().unwrap(), m.outcome())
}

/// The network of [`mixed`], built, not run, with the handles its outcome needs.
pub(crate) struct Mixed {
    pub(crate) net: Network,
    groups: [Population<Lif>; 2],
    spikes: [SpikeMonitor; 2],
    v_b: StateMonitor,
    coba: [Projection<ExponentialCoba>; 2],
    ampa: Projection<Ampa>,
}

impl Mixed {
    /// Spikes of both groups, V of `b` at every step, every column of both groups, of the
    /// conductance synapses and of AMPA.
    pub(crate) fn outcome(&self) -> Outcome {
        let net = &self.net;
        let mut spikes = Vec::new();
        for m in self.spikes {
            let t = net.spikes(m).unwrap();
            spikes.extend(t.steps.iter().copied().zip(t.indices.iter().copied()));
        }
        let trace = net.trace(self.v_b).unwrap();
        let mut state: Vec<u64> = (0..trace.n_rows())
            .flat_map(|i| trace.row(i).iter().map(|x| x.to_bits()))
            .collect();
        for g in self.groups {
            state.extend(
                net.population(g)
                    .unwrap()
                    .columns()
                    .iter()
                    .flatten()
                    .map(|x| x.to_bits()),
            );
        }
        for s in self.coba {
            assert_eq!(net.projection(s).unwrap().storage(), Storage::PerPost);
            state.extend(
                net.projection(s)
                    .unwrap()
                    .columns()
                    .iter()
                    .flatten()
                    .map(|x| x.to_bits()),
            );
        }
        state.extend(
            net.projection(self.ampa)
                .unwrap()
                .columns()
                .iter()
                .flatten()
                .map(|x| x.to_bits()),
        );
        Outcome { spikes, state }
    }
}

/// Builds the network of [`mixed`] (see [`mixed_with`]).
pub(crate) fn build_mixed(threads: usize, observe: bool) -> Mixed {
    let mut net = Network::new(0.1).unwrap();
    let n = 300;
    let a = net.add_population("a", n, Lif::default()).unwrap();
    let b = net.add_population("b", n, Lif::default()).unwrap();
    let conn = |seed| Connect::FixedProb { p: 0.05, seed };
    let ampa = net
        .add_projection("ampa", Ampa::default(), a, b, &conn(1))
        .unwrap();
    let delayed = Exponential {
        w: 2.0,
        delay: 1.5,
        ..Exponential::default()
    };
    let delayed = net
        .add_projection("delayed", delayed, b, a, &conn(2))
        .unwrap();
    let jump = VoltageJump { w: 0.5 };
    let jump = net.add_projection("jump", jump, a, a, &conn(3)).unwrap();
    let gap = net
        .add_projection(
            "gap",
            GapJunction {
                w: 0.005,
                ..GapJunction::default()
            },
            b,
            a,
            &conn(4),
        )
        .unwrap();
    let coba = |g_max, e| ExponentialCoba {
        g_max,
        E: e,
        ..ExponentialCoba::default()
    };
    let exc = net
        .add_projection("exc", coba(0.02, 0.0), a, b, &conn(5))
        .unwrap();
    let inh = net
        .add_projection("inh", coba(0.05, -80.0), b, b, &conn(6))
        .unwrap();
    net.set_order(&[
        a.into(),
        ampa.into(),
        delayed.into(),
        jump.into(),
        gap.into(),
        exc.into(),
        inh.into(),
        b.into(),
    ])
    .unwrap();
    let mut indices: Vec<usize> = (0..n).rev().step_by(3).collect();
    indices.sort_unstable();
    let drive: Vec<f64> = indices.iter().map(|&i| 24.0 + 0.05 * i as f64).collect();
    net.add_input(a.pick(&indices).unwrap(), Input::PerNeuron(drive))
        .unwrap();
    // Neuron 7 gets the input twice.
    for view in [b.pick(&[1, 3, 7, 120, 121, 250]), b.pick(&[7])] {
        net.add_input(view.unwrap(), Input::Constant(23.0)).unwrap();
    }
    net.set_threads(threads).unwrap();
    if observe {
        net.record(a, Lif::V).unwrap();
        net.count_spikes(b).unwrap();
        for var in [Ampa::s, Ampa::t_last, Ampa::transmitter] {
            net.record(ampa, var).unwrap();
        }
        net.record(delayed, Exponential::s).unwrap();
        net.record(exc, ExponentialCoba::s).unwrap();
        net.record_every(inh, ExponentialCoba::s, 3).unwrap();
        net.record(jump, VoltageJump::s).unwrap();
    }
    let spikes_a = net.record_spikes(a).unwrap();
    let spikes_b = net.record_spikes(b).unwrap();
    let v_b = net.record(b, Lif::V).unwrap();
    Mixed {
        net,
        groups: [a, b],
        spikes: [spikes_a, spikes_b],
        v_b,
        coba: [exc, inh],
        ampa,
    }
}

#[test]
fn a_network_with_every_kind_of_phase_is_bit_identical_across_threads() {
    let (phases, reference) = mixed(1);
    assert_eq!(
        phases,
        [
            "tiled: a",
            "serial: ampa",
            "serial: delayed",
            "serial: jump",
            "serial: gap",
            "fused: exc, inh, b",
        ]
    );
    assert!(
        reference.spikes.len() > 50,
        "{} spikes",
        reference.spikes.len()
    );
    for threads in [2, 3, 5] {
        assert!(
            mixed(threads).1 == reference,
            "{threads} threads differ from one"
        );
    }
}

#[test]
fn thread_counts_are_checked() {
    let mut net = Network::new(0.1).unwrap();
    for bad in [0, 100_000] {
        let err = net.set_threads(bad).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { object, reason } if object == "network" && reason.contains(&bad.to_string())),
            "{err}"
        );
    }
    assert_eq!(net.threads(), 1);
    net.set_threads(2).unwrap();
    assert_eq!(net.threads(), 2);
}

/// The microcircuit (scale 0.02: 1543 neurons, every kind of its objects: Poisson inputs onto
/// the neurons, drawn weights and delays, rules adding into two currents) spikes identically on
/// one and two threads for the same seed.
#[test]
fn the_microcircuit_spikes_identically_on_one_and_two_threads() {
    use neurode::microcircuit::Microcircuit;
    let spikes = |threads: usize| {
        let mut mc = Microcircuit::new(0.02, 3).unwrap();
        mc.net.set_threads(threads).unwrap();
        let monitors: Vec<SpikeMonitor> = mc
            .populations
            .clone()
            .into_iter()
            .map(|g| mc.net.record_spikes(g).unwrap())
            .collect();
        mc.net.run(150.0).unwrap();
        monitors
            .iter()
            .map(|&m| {
                let t = mc.net.spikes(m).unwrap();
                (t.steps.clone(), t.indices.clone())
            })
            .collect::<Vec<_>>()
    };
    let one = spikes(1);
    let total: usize = one.iter().map(|(s, _)| s.len()).sum();
    assert!(total > 100, "{total} spikes");
    assert!(spikes(2) == one);
}
