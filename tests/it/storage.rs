//! Storage classes: the macro decides from the equations where a synapse's state can live; each
//! compact class must give the numbers of per-synapse storage.

use neurode::models::{
    Alpha, Ampa, Exponential, ExponentialCoba, GabaB, GapJunction, Lif, Nmda, TwoExponentials,
    VoltageJump,
};
use neurode::prelude::synapse;
use neurode::runtime::{Connect, Input, Method, Model, Network, Storage, SynapseModel};

/// A rise-and-decay synapse whose spikes act *before* integration (`on_pre`), with an update
/// that reads the postsynaptic potential: per-postsynaptic storage then adds the update through
/// the method's step matrix (see `SynapseModel::tile_events`).
#[synapse]
#[output(conductance = g * s, reversal = E)]
pub struct Kicked {
    #[param(default = 2.0, unit = "ms")]
    pub tau_rise: f64,
    #[param(default = 6.0, unit = "ms")]
    pub tau_decay: f64,
    #[param(default = 0.01, unit = "uS")]
    pub g: f64,
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    #[param(default = 100.0, unit = "mV")]
    pub V_scale: f64,
    #[state(init = 0.0, unit = "1", ode = -x / tau_rise, on_pre += 1.0 + v_post / V_scale)]
    pub x: f64,
    #[state(init = 0.0, unit = "1", ode = (x - s) / tau_decay)]
    pub s: f64,
}

#[test]
fn classes_follow_the_equations() {
    use Storage::*;
    // Linear dynamics, spikes only add, output linear in the state: per postsynaptic neuron.
    for info in [
        Exponential::INFO,
        ExponentialCoba::INFO,
        TwoExponentials::INFO,
        Alpha::INFO,
    ] {
        assert_eq!(
            info.storages,
            &[PerPost, PerPre, PerSynapse],
            "{}",
            info.name
        );
    }
    // State driven by the presynaptic spike train only: per presynaptic neuron.
    for info in [
        Ampa::INFO,
        Nmda::INFO,
        GabaB::INFO,
        VoltageJump::INFO,
        GapJunction::INFO,
    ] {
        assert_eq!(info.storages, &[PerPre, PerSynapse], "{}", info.name);
    }
}

/// A recurrent random network of `n` LIF neurons driven by a ramp of constant inputs, with one
/// synapse group of model `S` on it; returns every neuron's V at every step, and the storage used.
fn network<S: SynapseModel>(
    model: S,
    storage: Storage,
    method: Method,
) -> (Vec<Vec<f64>>, Storage) {
    let n = 40;
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("neurons", n, Lif::default()).unwrap();
    net.set_method(g, Method::Euler).unwrap();
    let syn = net
        .add_projection("syn", model, g, g, &Connect::FixedProb { p: 0.2, seed: 7 })
        .unwrap();
    net.set_storage(syn, storage).unwrap();
    net.set_method(syn, method).unwrap();
    net.add_input(
        g,
        Input::PerNeuron((0..n).map(|i| 18.0 + 0.5 * i as f64).collect()),
    )
    .unwrap();
    let v = net.record(g, Lif::V).unwrap();
    net.run(60.0).unwrap();
    let trace = net.trace(v).unwrap();
    (
        (0..n).map(|j| trace.column(j)).collect(),
        net.projection(syn).unwrap().storage(),
    )
}

fn assert_same<S: SynapseModel + Clone>(model: S, compact: Storage, method: Method) {
    let (a, used) = network(model.clone(), compact, method);
    assert_eq!(used, compact);
    let (b, _) = network(model, Storage::PerSynapse, method);
    let spikes = a.iter().flatten().filter(|&&v| v == -5.0).count();
    assert!(
        spikes > 50,
        "the network must be active to compare anything ({spikes} resets)"
    );
    for (j, (x, y)) in a.iter().zip(&b).enumerate() {
        for (i, (p, q)) in x.iter().zip(y).enumerate() {
            // Summation order differs between classes: equal to rounding.
            assert!(
                (p - q).abs() <= 1e-9 * (1.0 + q.abs()),
                "{}: neuron {j} step {i}: {p} vs {q}",
                S::INFO.name
            );
        }
    }
}

#[test]
fn per_post_matches_per_synapse() {
    assert_same(
        Exponential {
            w: 0.5,
            ..Exponential::default()
        },
        Storage::PerPost,
        Method::Exact,
    );
    assert_same(
        ExponentialCoba {
            g_max: 0.02,
            ..ExponentialCoba::default()
        },
        Storage::PerPost,
        Method::Euler,
    );
    assert_same(
        TwoExponentials {
            w: 1.0,
            ..TwoExponentials::default()
        },
        Storage::PerPost,
        Method::Rk4,
    );
    assert_same(
        Alpha {
            w: 1.0,
            ..Alpha::default()
        },
        Storage::PerPost,
        Method::Exact,
    );
    for method in [Method::Euler, Method::Rk2, Method::ExpEuler, Method::Exact] {
        assert_same(Kicked::default(), Storage::PerPost, method);
    }
}

#[test]
fn per_pre_matches_per_synapse() {
    assert_same(
        Ampa {
            g_max: 0.05,
            ..Ampa::default()
        },
        Storage::PerPre,
        Method::ExpEuler,
    );
    assert_same(
        Nmda {
            E: 40.0,
            g_max: 0.05,
            ..Nmda::default()
        },
        Storage::PerPre,
        Method::Rk4,
    );
    assert_same(
        Exponential {
            w: 0.5,
            ..Exponential::default()
        },
        Storage::PerPre,
        Method::Exact,
    );
}

/// The COBA benchmark built from the DSL models is reproducible for a seed, differs between
/// seeds, and sits in the self-sustained regime of Brette et al. (2007): tens of Hz, with about
/// 80 inputs per neuron.
#[test]
fn coba_is_reproducible_and_self_sustained() {
    use neurode::benchmarks::coba;
    let run = |seed| {
        let mut b = coba(2000, seed).unwrap();
        let trains = b.net.record_spikes(b.neurons).unwrap();
        b.net.run(100.0).unwrap();
        let trace = b.net.spikes(trains).unwrap();
        assert_eq!(trace.counts, b.net.spikes(b.spikes).unwrap().counts);
        (
            trace.steps.clone(),
            trace.indices.clone(),
            b.rate_hz(),
            b.out_degree.clone(),
        )
    };
    let (steps, indices, rate, degree) = run(1);
    let again = run(1);
    assert_eq!(
        (&steps, &indices),
        (&again.0, &again.1),
        "same seed, same spike train"
    );
    assert_ne!(indices, run(2).1, "another seed, another network");
    assert!((5.0..60.0).contains(&rate), "rate {rate} Hz");
    // ~80 inputs per neuron: p = 80/N with 2000 neurons.
    let mean_degree = degree.iter().map(|&d| f64::from(d)).sum::<f64>() / 2000.0;
    assert!(
        (mean_degree - 80.0).abs() < 2.0,
        "mean out-degree {mean_degree}"
    );
}
