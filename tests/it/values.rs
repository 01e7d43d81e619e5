//! Per-element values: parameters with one value per synapse or neuron, set from constants,
//! vectors, functions and seeded distributions; a per-synapse weight keeps the synapses'
//! per-postsynaptic storage, and a group with heterogeneous values computes what one group per
//! value computes.

use neurode::prelude::*;
use neurode::runtime::{PoissonInput, PoissonSource, Values};

/// An exponential current whose jump `w` is set per synapse.
#[synapse]
#[output(current = s)]
pub struct Weighted {
    /// Decay.
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    /// Jump per spike, one per synapse.
    #[param(default = 1.0, unit = "nA", per_synapse)]
    pub w: f64,
    /// Current.
    #[state(init = 0.0, unit = "nA", ode = -s / tau, on_pre_after += w)]
    pub s: f64,
}

/// A LIF neuron whose threshold is set per neuron.
#[neuron]
#[threshold(V >= V_th)]
#[reset(V = 0.0)]
pub struct Thresholds {
    /// Threshold, one per neuron.
    #[param(default = 20.0, unit = "mV", per_neuron)]
    pub V_th: f64,
    /// Time constant.
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    /// Resistance.
    #[param(default = 1.0, unit = "MOhm")]
    pub R: f64,
    /// Potential.
    #[state(init = 0.0, unit = "mV", ode = (-V + R * I) / tau, membrane)]
    pub V: f64,
    /// Input.
    #[input(unit = "nA")]
    pub I: f64,
}

const WEIGHTS: [f64; 3] = [0.7, 1.9, 3.1];

/// 30 Poisson inputs onto 20 neurons with per-neuron thresholds, through synapses whose
/// weight depends on the pair: in one group, or in one group per weight value (`split`).
/// Returns V of every neuron after every step.
fn run(split: bool, threads: usize) -> Vec<f64> {
    let mut net = Network::new(0.1).unwrap();
    net.set_threads(threads).unwrap();
    let pre = net
        .add_population("pre", 30, PoissonSource::constant(80.0, 5))
        .unwrap();
    let post = net
        .add_population("post", 20, Thresholds::default())
        .unwrap();
    net.set(
        post,
        Thresholds::V_th,
        Values::of_index(|i| 2.0 + 0.1 * i as f64),
    )
    .unwrap();
    let weight = |i: usize, j: usize| WEIGHTS[(i + 2 * j) % 3];
    if split {
        for (k, &w) in WEIGHTS.iter().enumerate() {
            let pairs: Vec<(u32, u32)> = (0..30u32)
                .flat_map(|i| (0..20u32).map(move |j| (i, j)))
                .filter(|&(i, j)| weight(i as usize, j as usize) == w)
                .collect();
            let syn = Weighted {
                w,
                ..Weighted::default()
            };
            net.add_projection(&format!("w{k}"), syn, pre, post, &Connect::Pairs(pairs))
                .unwrap();
        }
    } else {
        let syn = net
            .add_projection("all", Weighted::default(), pre, post, &Connect::AllToAll)
            .unwrap();
        assert_eq!(net.projection(syn).unwrap().storage(), Storage::PerPost);
        net.set(syn, Weighted::w, Values::of_pair(weight)).unwrap();
    }
    let v = net.record(post, Thresholds::V).unwrap();
    net.run(200.0).unwrap();
    net.trace(v).unwrap().values.clone()
}

#[test]
fn heterogeneous_weights_equal_one_group_per_weight() {
    let split = run(true, 1);
    let one = run(false, 1);
    assert!(split.iter().any(|&v| v > 1.0), "the neurons are driven");
    for (a, b) in split.iter().zip(&one) {
        assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
    }
    assert_eq!(run(false, 2), one, "two threads");
}

#[test]
fn a_per_synapse_weight_keeps_per_postsynaptic_storage_and_runs_in_tiles() {
    let info = <Weighted as Model>::INFO;
    assert_eq!(info.storages[0], Storage::PerPost);
    assert!(info.tile);
    let w = &info.states[info.column("w").unwrap()];
    assert!(w.per_synapse && !w.event_driven);
    assert!(info.params.iter().any(|p| p.name == "w" && p.per_element));
    let mut net = Network::new(0.1).unwrap();
    net.set_threads(2).unwrap();
    let pre = net
        .add_population("pre", 3, PoissonSource::constant(10.0, 1))
        .unwrap();
    let post = net
        .add_population("post", 4, Thresholds::default())
        .unwrap();
    let syn = net
        .add_projection("syn", Weighted::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    let phases = net.phases().unwrap();
    assert!(
        phases
            .iter()
            .any(|p| p.contains("syn") && !p.starts_with("serial")),
        "{phases:?}"
    );
    // Setting the parameter by name (as the command line does) sets every synapse; the column is
    // one value per synapse. (Its typed accessor is a variable: `net.set(syn, Weighted::w, x)`.)
    net.projection_mut(syn)
        .unwrap()
        .set_param("w", 2.5)
        .unwrap();
    assert_eq!(net.projection(syn).unwrap().column(Weighted::w), &[2.5; 12]);
    net.projection_mut(syn).unwrap().model_mut().w = 9.0;
    assert_eq!(net.projection(syn).unwrap().column(Weighted::w), &[2.5; 12]);
}

#[test]
fn drawn_values_are_reproducible_and_checked() {
    let draw = |seed: u64| {
        let mut net = Network::new(0.1).unwrap();
        net.set_seed(seed);
        let pre = net
            .add_population("pre", 50, PoissonSource::constant(10.0, 1))
            .unwrap();
        let post = net
            .add_population("post", 40, Thresholds::default())
            .unwrap();
        let syn = net
            .add_projection("syn", Weighted::default(), pre, post, &Connect::AllToAll)
            .unwrap();
        let normal = Values::NormalRedraw {
            mean: 1.0,
            sd: 0.5,
            low: 0.0,
            high: f64::INFINITY,
        };
        net.set(syn, Weighted::w, &normal).unwrap();
        net.set(
            post,
            Thresholds::V,
            &Values::Uniform {
                low: 0.0,
                high: 10.0,
            },
        )
        .unwrap();
        let w = net.projection(syn).unwrap().column(Weighted::w).to_vec();
        let v = net.population(post).unwrap().column(Thresholds::V).to_vec();
        (w, v)
    };
    let (w, v) = draw(3);
    assert_eq!(draw(3), (w.clone(), v.clone()));
    assert_ne!(draw(4).0, w);
    assert!(w.iter().all(|&x| x >= 0.0));
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    // The normal (1, 0.5) redrawn above 0: mean 1 + 0.5·φ(2)/Φ(2) ≈ 1.0277.
    assert!((mean - 1.0277).abs() < 0.03, "{mean}");
    assert!(v.iter().all(|&x| (0.0..10.0).contains(&x)));

    // Errors name the object and the variable.
    let mut net = Network::new(0.1).unwrap();
    let post = net
        .add_population("post", 4, Thresholds::default())
        .unwrap();
    let e = net
        .set(post, Thresholds::V_th, Values::Vector(vec![1.0; 3]))
        .unwrap_err();
    assert!(e.to_string().contains("post (V_th)"), "{e}");
    let e = net
        .set(
            post,
            Thresholds::V_th,
            &Values::Normal {
                mean: 0.0,
                sd: -1.0,
            },
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("post (V_th)") && e.to_string().contains("-1"),
        "{e}"
    );
}

#[test]
fn drawn_delays_are_rounded_per_synapse() {
    let mut net = Network::new(0.1).unwrap();
    let pre = net
        .add_population("pre", 10, PoissonSource::constant(10.0, 1))
        .unwrap();
    let post = net
        .add_population("post", 10, Thresholds::default())
        .unwrap();
    let syn = net
        .add_projection("syn", Weighted::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    let d = Values::NormalRedraw {
        mean: 1.5,
        sd: 0.75,
        low: 0.1,
        high: f64::INFINITY,
    };
    net.set_delays(syn, &d).unwrap();
    let steps = net.projection(syn).unwrap().synapse_delays().unwrap();
    assert_eq!(steps.len(), 100);
    assert!(steps.iter().all(|&s| s >= 1));
    let mean = steps.iter().map(|&s| f64::from(s)).sum::<f64>() / 100.0;
    assert!((mean - 15.0).abs() < 3.0, "{mean}");
}

/// The total of a Poisson input over `steps` steps per neuron of 400 (a variable that does
/// not decay), on `threads` threads.
fn poisson_totals(input: &PoissonInput, steps: u32, threads: usize) -> Vec<f64> {
    let mut net = Network::new(0.1).unwrap();
    net.set_threads(threads).unwrap();
    let cells = LifCoba {
        tau_e: 1e300,
        E_e: -74.0,
        ..LifCoba::default()
    };
    let g = net.add_population("g", 400, cells).unwrap();
    net.add_poisson_input(g, LifCoba::g_e, input).unwrap();
    net.run(f64::from(steps) * 0.1).unwrap();
    net.population(g).unwrap().column(LifCoba::g_e).to_vec()
}

#[test]
fn poisson_inputs_have_their_mean_and_variance() {
    // 1280 Hz at dt 0.1 ms: 0.128 events per step, 1000 steps: mean and variance 128.
    for (input, want, var) in [
        (PoissonInput::poisson(1280.0, 1.0, 3), 128.0, 128.0),
        // 160 sources at 8 Hz: the same mean, variance 128·(1 − 0.0008).
        (
            PoissonInput::binomial(160, 8.0, 1.0, 3),
            128.0,
            128.0 * (1.0 - 0.0008),
        ),
        // 2 events per step (the full microcircuit's background): most steps have events,
        // counted from the table of cumulative probabilities.
        (PoissonInput::poisson(20_000.0, 1.0, 3), 2000.0, 2000.0),
    ] {
        let x = poisson_totals(&input, 1000, 1);
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let v = x.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0);
        assert!(
            (mean - want).abs() < 4.0 * (var / n).sqrt(),
            "{input:?}: mean {mean}"
        );
        assert!(
            (v - var).abs() < 4.0 * var * (2.0 / (n - 1.0)).sqrt(),
            "{input:?}: var {v}"
        );
        assert!(x.iter().all(|a| a.fract() == 0.0), "whole events");
        assert_eq!(poisson_totals(&input, 1000, 3), x, "three threads");
    }
    // A large mean takes the distribution's own sampler.
    let x = poisson_totals(&PoissonInput::poisson(400_000.0, 1.0, 1), 10, 1);
    let mean = x.iter().sum::<f64>() / 400.0;
    assert!(
        (mean - 400.0).abs() < 4.0 * (400.0f64 / 400.0).sqrt(),
        "{mean}"
    );
    // Bad inputs name the group.
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("cells", 2, LifCoba::default()).unwrap();
    let e = net
        .add_poisson_input(g, LifCoba::g_e, &PoissonInput::poisson(-1.0, 1.0, 0))
        .unwrap_err();
    assert!(
        e.to_string().contains("cells") && e.to_string().contains("-1"),
        "{e}"
    );
    let e = net
        .add_poisson_input(
            g,
            LifCoba::g_e,
            &PoissonInput::binomial(5, 20_000.0, 1.0, 0),
        )
        .unwrap_err();
    assert!(e.to_string().contains("above 1"), "{e}");
    // Sources beyond what f64 counts exactly, or a mean above 10^6 events per step (as a
    // Poisson input's), are refused; silent sources of any number are not.
    for (n, rate, what) in [
        (u64::MAX, 0.0, "at most 2^53"),
        (1 << 40, 10.0, "1.099511627776e9 events per step, too many"),
    ] {
        let input = PoissonInput::binomial(n, rate, 1.0, 0);
        let e = net.add_poisson_input(g, LifCoba::g_e, &input).unwrap_err();
        assert!(e.to_string().contains(what), "{e}");
    }
    let quiet = PoissonInput::binomial(1 << 53, 0.0, 1.0, 0);
    net.add_poisson_input(g, LifCoba::g_e, &quiet).unwrap();
}

#[test]
fn per_synapse_values_export_as_csv_and_npy() {
    use neurode::runtime::Format;
    let mut net = Network::new(0.1).unwrap();
    let pre = net.add_population("pre", 4, Thresholds::default()).unwrap();
    let post = net
        .add_population("post", 3, Thresholds::default())
        .unwrap();
    let p = Connect::Probability {
        p: neurode::runtime::ProbabilityFn::new(|i, j| if (i + j) % 2 == 0 { 1.0 } else { 0.0 }),
        seed: 1,
    };
    let syn = net
        .add_projection("syn", Weighted::default(), pre, post, &p)
        .unwrap();
    let weight = |i: usize, j: usize| 0.5 + i as f64 + 0.25 * j as f64;
    net.set(syn, Weighted::w, Values::of_pair(weight)).unwrap();
    // s is kept per postsynaptic neuron: each synapse reports its target's value.
    net.projection_mut(syn)
        .unwrap()
        .column_mut(Weighted::s)
        .copy_from_slice(&[10.0, 11.0, 12.0]);
    let group = net.projection(syn).unwrap();
    let pairs: Vec<(u32, u32)> = (0..4u32)
        .flat_map(|i| {
            (0..3u32)
                .filter(move |j| (i + j) % 2 == 0)
                .map(move |j| (i, j))
        })
        .collect();
    assert_eq!(group.pairs(), pairs);

    let mut csv = Vec::new();
    group
        .write_table(&[Weighted::w, Weighted::s], Format::Csv, &mut csv)
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("i,j,w,s"));
    for ((i, j), line) in pairs.iter().zip(lines) {
        let (i, j) = (*i as usize, *j as usize);
        assert_eq!(line, format!("{i},{j},{},{}", weight(i, j), 10 + j));
    }

    let mut npy = Vec::new();
    group
        .write_table(&[Weighted::w], Format::Npy, &mut npy)
        .unwrap();
    let header = u16::from_le_bytes([npy[8], npy[9]]) as usize;
    let text = std::str::from_utf8(&npy[10..10 + header]).unwrap();
    assert!(
        text.contains(&format!("'shape': ({}, 3)", pairs.len())),
        "{text}"
    );
    let values: Vec<f64> = npy[10 + header..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    for (k, &(i, j)) in pairs.iter().enumerate() {
        let row = &values[3 * k..3 * k + 3];
        assert_eq!(
            row,
            [f64::from(i), f64::from(j), weight(i as usize, j as usize)]
        );
    }
}

/// A synapse whose per-synapse conductance must be non-negative and whose time constant
/// positive.
#[synapse]
#[output(current = s)]
pub struct Bounded {
    /// Decay.
    #[param(default = 5.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Jump per spike, one per synapse.
    #[param(default = 1.0, unit = "nA", per_synapse, domain = non_negative)]
    pub w: f64,
    /// Release probability.
    #[param(default = 0.5, unit = "1", domain = range(0.0, 1.0))]
    pub p: f64,
    /// Current.
    #[state(init = 0.0, unit = "nA", ode = -s / tau, on_pre_after += w * p)]
    pub s: f64,
}

#[test]
fn parameter_domains_are_checked_wherever_a_value_is_set() {
    use neurode::runtime::Error;
    let mut model = Bounded::default();
    let e = model.set_param("tau", -1.0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid value -1 for parameter `tau` of model `Bounded`: it must be positive"
    );
    assert!(matches!(e, Error::InvalidParameter { .. }));
    let e = model.set_param("p", 1.5).unwrap_err();
    assert!(e.to_string().ends_with("it must be in [0, 1]"), "{e}");
    assert!(model.set_param("p", 1.0).is_ok() && model.tau == 5.0);
    let e = model.set_param("tau", f64::NAN).unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");

    // A struct literal out of its domain is refused when it is added.
    let mut net = Network::new(0.1).unwrap();
    let pre = net.add_population("pre", 3, Thresholds::default()).unwrap();
    let post = net
        .add_population("post", 2, Thresholds::default())
        .unwrap();
    let bad = Bounded {
        tau: 0.0,
        ..Bounded::default()
    };
    let e = net
        .add_projection("syn", bad, pre, post, &Connect::AllToAll)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid value 0 for parameter `tau` of model `Bounded`: it must be positive"
    );
    let negative_th = Thresholds {
        tau: -10.0,
        ..Thresholds::default()
    };
    assert!(
        net.add_population("bad", 1, negative_th).is_ok(),
        "Thresholds declares no domain"
    );

    // Per-element values are checked element by element.
    let syn = net
        .add_projection("syn", Bounded::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    let e = net
        .set(syn, Bounded::w, Values::of_pair(|i, j| i as f64 - j as f64))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid input for `syn`: `w` of element 1 would be -1: it must be non-negative"
    );
    assert!(net
        .projection(syn)
        .unwrap()
        .column(Bounded::w)
        .iter()
        .all(|&w| w == 1.0));
    net.set(syn, Bounded::w, Values::of_pair(|i, j| (i + j) as f64))
        .unwrap();
}

#[test]
fn requirements_between_values_are_checked_where_domains_are() {
    use neurode::models::{AdEx, Stdp};
    use neurode::runtime::Error;
    // A struct literal that breaks `V_peak > V_r` is refused when its population is added.
    let mut net = Network::new(0.1).unwrap();
    let low_peak = AdEx {
        V_peak: -100.0,
        ..AdEx::default()
    };
    let e = net.add_population("adex", 2, low_peak.clone()).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "invalid value -100 for parameter `V_peak` of model `AdEx`: it must be > `V_r` (-58)"
    );
    // Parameters may pass through a broken state between runs (they are set one at a time);
    // the run refuses to start from it, and runs once it is mended (V_T < V_peak too).
    let adex = net.add_population("adex", 2, AdEx::default()).unwrap();
    net.set_param(adex, AdEx::V_peak, -100.0).unwrap();
    let e = net.run(1.0).unwrap_err();
    assert!(e.to_string().ends_with("it must be > `V_r` (-58)"), "{e}");
    assert_eq!(net.step_index(), 0);
    net.set_param(adex, AdEx::V_peak, -40.0).unwrap();
    net.run(1.0).unwrap();

    // A stored variable is checked element by element when its values are set.
    let pre = net.add_population("pre", 2, Lif::default()).unwrap();
    let post = net.add_population("post", 3, Lif::default()).unwrap();
    let syn = net
        .add_projection("stdp", Stdp::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    for (bad, must) in [(-1.0, ">= 0"), (1e6, "<= `w_max` (0.01)")] {
        let e = net
            .set(
                syn,
                Stdp::w,
                Values::of_pair(move |i, j| if (i, j) == (1, 2) { bad } else { 0.0 }),
            )
            .unwrap_err();
        let value = if bad < 0.0 { "-1" } else { "1000000" };
        assert_eq!(
            e.to_string(),
            format!(
                "invalid input for `stdp`: `w` of element 5 would be {value}: it must be {must}"
            )
        );
    }
    assert!(net
        .projection(syn)
        .unwrap()
        .column(Stdp::w)
        .iter()
        .all(|&w| w == 0.0));
    // The bound is the group's own parameter.
    net.set_param(syn, Stdp::w_max, 2e6).unwrap();
    net.set(syn, Stdp::w, 1e6).unwrap();
    assert!(net
        .projection(syn)
        .unwrap()
        .column(Stdp::w)
        .iter()
        .all(|&w| w == 1e6));
}
