//! Summed variables (Brian2's `(summed)`): a synapse group's `#[summed(x_post = expr)]`
//! assigns, at the end of its slot every step, the sum of `expr` over its synapses onto each
//! neuron to the neuron's `#[state(summed)]` variable `x`; a neuron may have several beside its
//! input, the sum is the same whatever the storage and the thread count, and mistakes are
//! refused naming the synapses.

use neurode::prelude::{neuron, synapse};
use neurode::runtime::{Connect, Error, Input, Network, SpikeTrain, Storage, Values};

/// A neuron with two summed variables beside its input current:
/// τ·dV/dt = −V + a·s_tot + b·u_tot + R·I.
#[neuron]
#[threshold(false)]
pub struct Summer {
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 2.0, unit = "mV")]
    pub a: f64,
    #[param(default = -3.0, unit = "mV")]
    pub b: f64,
    #[param(default = 1.0, unit = "MOhm")]
    pub R: f64,
    #[state(init = 0.0, unit = "mV", ode = (-V + a * s_tot + b * u_tot + R * I) / tau)]
    pub V: f64,
    /// NMDA-like gating summed over the synapses of one group.
    #[state(summed, unit = "1")]
    pub s_tot: f64,
    /// Another group's sum.
    #[state(summed, unit = "1")]
    pub u_tot: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

/// An exponential trace per synapse, summed with a per-synapse weight.
#[synapse]
#[summed(s_tot_post = w * s)]
pub struct Gating {
    #[param(default = 1.0, unit = "1", per_synapse)]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre_after += 1.0)]
    pub s: f64,
}

/// A trace summed with one weight for the whole group: eligible for storage per postsynaptic
/// neuron (the sum of the traces onto a neuron is one trace).
#[synapse]
#[summed(u_tot_post = k * x)]
pub struct Shared {
    #[param(default = 0.5, unit = "1")]
    pub k: f64,
    #[param(default = 20.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -x / tau, on_pre_after += 1.0)]
    pub x: f64,
}

const DT: f64 = 0.1;

#[test]
fn a_summed_variable_is_the_sum_of_its_synapses_each_step() {
    let mut net = Network::new(DT).unwrap();
    let pre = net
        .add_population(
            "pre",
            3,
            SpikeTrain::new(vec![vec![1.0], vec![2.5, 4.0], vec![3.0]]).unwrap(),
        )
        .unwrap();
    let post = net.add_population("post", 2, Summer::default()).unwrap();
    // In synapse order (rows of presynaptic neurons): w = 0.5, 2, 3, −1.
    let pairs = vec![(0, 0), (1, 0), (1, 1), (2, 0)];
    let syn = net
        .add_projection("g", Gating::default(), pre, post, &Connect::Pairs(pairs))
        .unwrap();
    net.set(syn, Gating::w, Values::Vector(vec![0.5, 2.0, 3.0, -1.0]))
        .unwrap();
    net.set_order(&[pre.into(), syn.into(), post.into()])
        .unwrap();
    let s_tot = net.record(post, Summer::s_tot).unwrap();
    net.run(10.0).unwrap();
    let got = net.trace(s_tot).unwrap();
    // s of a synapse whose neuron spiked at t_i is e^{−(t − t_i)/τ} from the step after the
    // spike's on; the sum assigned in step k is what the post neuron's row k+1 shows.
    let trace = |t_spikes: &[f64], t: f64| -> f64 {
        t_spikes
            .iter()
            .filter(|&&ts| t > ts + 1e-9)
            .map(|&ts| (-(t - ts - DT) / 5.0).exp())
            .sum()
    };
    for row in 0..got.n_rows() {
        let t = row as f64 * DT;
        let want0 = 0.5 * trace(&[1.0], t) + 2.0 * trace(&[2.5, 4.0], t) - trace(&[3.0], t);
        let want1 = 3.0 * trace(&[2.5, 4.0], t);
        let (a, b) = (got.get(row, 0), got.get(row, 1));
        assert!((a - want0).abs() < 1e-12, "row {row}: {a} vs {want0}");
        assert!((b - want1).abs() < 1e-12, "row {row}: {b} vs {want1}");
    }
    assert!(got.get(45, 0) > 1.0, "the sums are not trivially 0");
}

/// 100 spike trains onto 40 `Summer`s through both groups (random connectivity), with a
/// constant current beside them; V and both sums at the end.
fn network(storage: Option<Storage>, gating: Option<Storage>, threads: usize) -> Vec<f64> {
    let mut net = Network::new(DT).unwrap();
    net.set_threads(threads).unwrap();
    let times: Vec<Vec<f64>> = (0..100)
        .map(|i| {
            let mut v: Vec<f64> = (0..8)
                .map(|k| (1 + (i * 7 + k * 13) % 290) as f64 * 0.1)
                .collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        })
        .collect();
    let pre = net
        .add_population("pre", 100, SpikeTrain::new(times).unwrap())
        .unwrap();
    let post = net.add_population("post", 40, Summer::default()).unwrap();
    net.add_input(post, Input::Constant(1.5)).unwrap();
    let fixed = |p, seed| Connect::FixedProb { p, seed };
    let g = net
        .add_projection("g", Gating::default(), pre, post, &fixed(0.2, 4))
        .unwrap();
    net.set(
        g,
        Gating::w,
        Values::Uniform {
            low: 0.0,
            high: 1.0,
        },
    )
    .unwrap();
    if let Some(s) = gating {
        net.set_storage(g, s).unwrap();
    }
    let u = net
        .add_projection("u", Shared::default(), pre, post, &fixed(0.3, 5))
        .unwrap();
    if let Some(s) = storage {
        net.set_storage(u, s).unwrap();
    }
    net.run(30.0).unwrap();
    let group = net.population(post).unwrap();
    [Summer::V, Summer::s_tot, Summer::u_tot]
        .into_iter()
        .flat_map(|var| group.column(var).to_vec())
        .collect()
}

#[test]
fn sums_do_not_depend_on_threads_and_agree_across_storages() {
    // The default storage of `Shared` is one trace per postsynaptic neuron, whose sum is one
    // trace: k·Σx in place of Σ k·x, equal to rounding.
    assert_eq!(
        <Shared as neurode::runtime::Model>::INFO.storages[0],
        Storage::PerPost
    );
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let per_post = network(None, None, 1);
    let per_synapse = network(Some(Storage::PerSynapse), None, 1);
    assert_eq!(bits(&network(None, None, 2)), bits(&per_post));
    assert_eq!(
        bits(&network(Some(Storage::PerSynapse), None, 2)),
        bits(&per_synapse)
    );
    let u_tot = &per_post[80..];
    assert!(u_tot.iter().all(|&u| u > 0.1), "{u_tot:?}");
    for (a, b) in per_post.iter().zip(&per_synapse) {
        assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
    }
}

#[test]
fn a_gating_summed_with_a_weight_per_synapse_is_kept_per_presynaptic_neuron() {
    // `w * s` with `s` driven by the presynaptic spikes alone: the state is one per
    // presynaptic neuron and the sum still takes each synapse's weight (Brunel & Wang's NMDA).
    assert_eq!(
        <Gating as neurode::runtime::Model>::INFO.storages[0],
        Storage::PerPre
    );
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let per_pre = network(None, None, 1);
    // The same integration once per synapse, the same sum in the same order: the same bits.
    assert_eq!(
        bits(&network(None, Some(Storage::PerSynapse), 1)),
        bits(&per_pre)
    );
    assert_eq!(bits(&network(None, None, 2)), bits(&per_pre));
    let s_tot = &per_pre[40..80];
    assert!(s_tot.iter().any(|&s| s > 0.1), "{s_tot:?}");

    // Switching the storage keeps the weights; a state set in the old layout refuses it.
    let mut net = Network::new(DT).unwrap();
    let pre = net
        .add_population("pre", 3, SpikeTrain::new(vec![vec![1.0]; 3]).unwrap())
        .unwrap();
    let post = net.add_population("post", 2, Summer::default()).unwrap();
    let g = net
        .add_projection("g", Gating::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    let w: Vec<f64> = (0..6).map(|k| 0.25 * k as f64).collect();
    net.set(g, Gating::w, Values::Vector(w.clone())).unwrap();
    net.set_storage(g, Storage::PerSynapse).unwrap();
    assert_eq!(net.projection(g).unwrap().column(Gating::w), &w[..]);
    net.set(g, Gating::s, Values::Constant(0.5)).unwrap();
    let e = net.set_storage(g, Storage::PerPre).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    assert!(e.to_string().contains("`s` was set"), "{e}");
    assert_eq!(net.projection(g).unwrap().column(Gating::s), &[0.5; 6]);
}

/// A state of `Summer` that is not a summed variable, under the name `V`.
#[synapse]
#[summed(V_post = q)]
pub struct IntoV {
    #[param(default = 1.0, unit = "mV")]
    pub q: f64,
}

/// A sum in mV into `s_tot` (unit 1).
#[synapse]
#[summed(s_tot_post = q)]
pub struct WrongUnit {
    #[param(default = 1.0, unit = "mV")]
    pub q: f64,
}

#[test]
fn summed_variables_are_bound_once_to_a_summed_state_of_their_dimension() {
    let mut net = Network::new(DT).unwrap();
    let pre = net
        .add_population("pre", 1, SpikeTrain::single(&[1.0]).unwrap())
        .unwrap();
    let post = net.add_population("post", 1, Summer::default()).unwrap();
    let message = |e: Error| {
        assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
        e.to_string()
    };
    let all = Connect::AllToAll;
    let text = message(
        net.add_projection("v", IntoV::default(), pre, post, &all)
            .unwrap_err(),
    );
    assert!(
        text.contains("no summed variable `V`") && text.contains("s_tot, u_tot"),
        "{text}"
    );
    let text = message(
        net.add_projection("unit", WrongUnit::default(), pre, post, &all)
            .unwrap_err(),
    );
    assert!(text.contains("dimension of `s_tot`"), "{text}");
    net.add_projection("first", Gating::default(), pre, post, &all)
        .unwrap();
    let text = message(
        net.add_projection("second", Gating::default(), pre, post, &all)
            .unwrap_err(),
    );
    assert!(text.contains("`first` sums into `s_tot`"), "{text}");
    // A refused group leaves nothing behind: the network runs.
    net.run(2.0).unwrap();
}
