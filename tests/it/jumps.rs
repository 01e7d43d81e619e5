//! Event-driven writes into the membrane potential: `#[on_pre(V_post += w)]` (Brian2's
//! `on_pre='v += J'`, the delta synapse of Brunel 2000). The jump lands at the end of the
//! synapse group's slot of the step the spike reaches the synapse, is checked for its unit when
//! bound, and computes what a voltage output evaluated for every synapse every step computes.

use neurode::models::{Delta, Lif, VoltageJump};
use neurode::prelude::{neuron, synapse};
use neurode::runtime::{Connect, Error, Input, Network, SpikeTrain, Values};

const DT: f64 = 0.1;

/// One presynaptic spike at 1 ms through `Delta { w: 2 mV }` onto a LIF at rest (exact
/// integration), scheduled (pre, synapse, post); `delay` ms per synapse when given. Returns V
/// row by row (row m: the state at m·dt).
fn jump_trace(delay: Option<f64>) -> Vec<f64> {
    let mut net = Network::new(DT).unwrap();
    let pre = net
        .add_population("pre", 1, SpikeTrain::single(&[1.0]).unwrap())
        .unwrap();
    let post = net.add_population("post", 1, Lif::default()).unwrap();
    let model = Delta {
        w: 2.0,
        ..Delta::default()
    };
    let syn = net
        .add_projection("syn", model, pre, post, &Connect::AllToAll)
        .unwrap();
    if let Some(d) = delay {
        net.set_delays(syn, Values::Constant(d)).unwrap();
    }
    net.set_order(&[pre.into(), syn.into(), post.into()])
        .unwrap();
    let v = net.record(post, Lif::V).unwrap();
    net.run(5.0).unwrap();
    net.trace(v).unwrap().column(0)
}

#[test]
fn a_jump_lands_in_the_spike_step_and_decays_in_closed_form() {
    let v = jump_trace(None);
    assert_eq!(v.len(), 51);
    // The spike of step 10 jumps V by 2 mV before the LIF's update of step 10, which decays
    // it exactly: V(m·dt) = 2·e^{−(m−10)·dt/τ} from row 11 on.
    assert!(v[..=10].iter().all(|&x| x == 0.0), "{:?}", &v[..12]);
    for (m, &got) in v.iter().enumerate().skip(11) {
        let want = 2.0 * (-((m - 10) as f64) * DT / 10.0).exp();
        assert!((got - want).abs() < 1e-12, "row {m}: {got} vs {want}");
    }
}

#[test]
fn a_delay_per_synapse_moves_the_jump_by_whole_steps() {
    // 1.5 ms = 15 steps: the spike of step 10 jumps V at step 25.
    let v = jump_trace(Some(1.5));
    assert!(v[..=25].iter().all(|&x| x == 0.0), "{:?}", &v[20..30]);
    assert!(
        (v[26] - 2.0 * (-DT / 10.0f64).exp()).abs() < 1e-12,
        "{}",
        v[26]
    );
    // 0.04 ms rounds to no step, and a delay is at least one: the jump lands at step 11.
    let v = jump_trace(Some(0.04));
    assert!(v[..=11].iter().all(|&x| x == 0.0));
    assert!(
        (v[12] - 2.0 * (-DT / 10.0f64).exp()).abs() < 1e-12,
        "{}",
        v[12]
    );
}

/// A LIF whose refractory period holds nothing: V integrates through it (`hold = none`).
#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
#[refractory(t_ref, hold = none)]
pub struct Unheld {
    #[param(default = -5.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = 20.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 1.0, unit = "ms")]
    pub t_ref: f64,
    #[param(default = 1.0, unit = "MOhm")]
    pub R: f64,
    #[state(init = 0.0, unit = "mV", ode = (-V + R * I) / tau)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

/// A post neuron of model `M` driven to spike by a constant 25 nA (25 mV), receiving one jump
/// of 3 mV at `t_pre` ms; returns V row by row and its spike steps.
fn driven<M: neurode::runtime::NeuronModel + Default>(
    v: neurode::runtime::Var<M>,
    t_pre: Option<f64>,
    skip_refractory: f64,
) -> (Vec<f64>, Vec<u64>) {
    let mut net = Network::new(DT).unwrap();
    let times: Vec<f64> = t_pre.into_iter().collect();
    let pre = net
        .add_population("pre", 1, SpikeTrain::single(&times).unwrap())
        .unwrap();
    let post = net.add_population("post", 1, M::default()).unwrap();
    net.add_input(post, Input::Constant(25.0)).unwrap();
    let model = Delta {
        w: 3.0,
        skip_refractory,
    };
    let syn = net
        .add_projection("syn", model, pre, post, &Connect::AllToAll)
        .unwrap();
    net.set_order(&[pre.into(), syn.into(), post.into()])
        .unwrap();
    let v = net.record(post, v).unwrap();
    let s = net.record_spikes(post).unwrap();
    net.run(30.0).unwrap();
    (
        net.trace(v).unwrap().column(0),
        net.spikes(s).unwrap().steps.clone(),
    )
}

#[test]
fn a_jump_onto_a_held_membrane_of_a_refractory_neuron_is_dropped() {
    let (free, spikes) = driven(Lif::V, None, 0.0);
    let k0 = spikes[0];
    // A jump 3 steps after the first spike reaches the neuron inside its period, which holds
    // V (Lif's reset assigns it): dropped either way (Brian2's `(unless refractory)`, NEST).
    let t_pre = (k0 + 3) as f64 * DT;
    for skip in [0.0, 1.0] {
        assert_eq!(driven(Lif::V, Some(t_pre), skip).0, free, "skip {skip}");
    }
    // Outside the period it acts, with the flag or without.
    let t_late = (k0 + 30) as f64 * DT;
    let (late, _) = driven(Lif::V, Some(t_late), 1.0);
    assert_eq!(late, driven(Lif::V, Some(t_late), 0.0).0);
    assert!(late[(k0 + 32) as usize] > free[(k0 + 32) as usize] + 2.0);
}

#[test]
fn skip_refractory_drops_the_jumps_onto_a_refractory_neuron_whose_v_is_not_held() {
    let (free, spikes) = driven(Unheld::V, None, 0.0);
    let k0 = spikes[0];
    let t_pre = (k0 + 3) as f64 * DT;
    let (skipped, _) = driven(Unheld::V, Some(t_pre), 1.0);
    assert_eq!(skipped, free, "a dropped jump leaves no trace");
    let (kept, _) = driven(Unheld::V, Some(t_pre), 0.0);
    // V integrates through the period: the jump of step k0 + 3 shows from row k0 + 4 on,
    // decayed once by the update of that step.
    let row = (k0 + 4) as usize;
    assert_eq!(kept[..row], free[..row]);
    let d = kept[row] - free[row];
    assert!((d - 3.0 * (-DT / 10.0f64).exp()).abs() < 1e-9, "{d}");
}

/// The chapter's formulation of the same synapse: a voltage output pushed by every synapse at
/// every step, `w · spike_pre`, here skipped onto refractory neurons as the rule's jump onto a
/// held V is (a voltage output itself adds whatever the neuron's state, as BrainPy does).
#[synapse]
#[output(voltage = w * spike_pre * (1.0 - refractory_post))]
pub struct OutputJump {
    #[param(default = 1.0, unit = "mV")]
    pub w: f64,
}

/// 300 LIF neurons on a ramp of constant drives, coupled by `J` through fixed-probability
/// connectivity, excitatory and inhibitory; spikes (step, neuron) and the final V's bits.
fn recurrent(rule: bool, threads: usize) -> (Vec<(u64, u32)>, Vec<u64>) {
    let mut net = Network::new(DT).unwrap();
    net.set_threads(threads).unwrap();
    let g = net.add_population("g", 300, Lif::default()).unwrap();
    let drive: Vec<f64> = (0..300).map(|i| 19.0 + 0.02 * f64::from(i)).collect();
    net.add_input(g, Input::PerNeuron(drive)).unwrap();
    let conn = |seed| Connect::FixedProb { p: 0.1, seed };
    let (exc, inh) = (g.slice(..240).unwrap(), g.slice(240..).unwrap());
    if rule {
        net.add_projection(
            "e",
            Delta {
                w: 0.4,
                ..Delta::default()
            },
            exc,
            g,
            &conn(1),
        )
        .unwrap();
        net.add_projection("i", VoltageJump { w: -1.2 }, inh, g, &conn(2))
            .unwrap();
    } else {
        net.add_projection("e", OutputJump { w: 0.4 }, exc, g, &conn(1))
            .unwrap();
        net.add_projection("i", OutputJump { w: -1.2 }, inh, g, &conn(2))
            .unwrap();
    }
    let s = net.record_spikes(g).unwrap();
    net.run(200.0).unwrap();
    let tr = net.spikes(s).unwrap();
    let spikes = tr
        .steps
        .iter()
        .copied()
        .zip(tr.indices.iter().copied())
        .collect();
    let v = net
        .population(g)
        .unwrap()
        .column(Lif::V)
        .iter()
        .map(|x| x.to_bits())
        .collect();
    (spikes, v)
}

#[test]
fn jump_rules_compute_what_a_voltage_output_of_every_synapse_computes() {
    let reference = recurrent(false, 1);
    assert!(reference.0.len() > 500, "{} spikes", reference.0.len());
    for threads in [1, 2] {
        assert!(recurrent(true, threads) == reference, "{threads} threads");
    }
}

/// A rule that adds a current to whatever `V` it is bound to.
#[synapse]
#[on_pre(V_post += q)]
pub struct CurrentIntoV {
    #[param(default = 1.0, unit = "nA")]
    pub q: f64,
}

#[test]
fn a_jump_of_another_dimension_is_refused_naming_the_synapses() {
    let mut net = Network::new(DT).unwrap();
    let pre = net
        .add_population("pre", 1, SpikeTrain::single(&[1.0]).unwrap())
        .unwrap();
    let post = net.add_population("post", 1, Lif::default()).unwrap();
    net.add_projection(
        "bad",
        CurrentIntoV::default(),
        pre,
        post,
        &Connect::AllToAll,
    )
    .unwrap();
    let err = net.run(1.0).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(
        text.contains("bad") && text.contains("`V_post`") && text.contains("dimension"),
        "{text}"
    );
}

/// Poisson events onto V follow the same rule: a LIF driven to spike by them stays exactly at
/// V_reset for its whole refractory period (Brian2's `PoissonInput` onto an `(unless
/// refractory)` variable, NEST's refractory neuron), and receives them otherwise.
#[test]
fn poisson_events_onto_a_held_v_are_dropped_while_refractory() {
    let mut net = Network::new(DT).unwrap();
    let post = net.add_population("post", 20, Lif::default()).unwrap();
    let input = neurode::runtime::PoissonInput::binomial(100, 2000.0, 0.5, 7);
    net.add_poisson_input(post, Lif::V, &input).unwrap();
    let v = net.record(post, Lif::V).unwrap();
    let s = net.record_spikes(post).unwrap();
    net.run(50.0).unwrap();
    let (v, spikes) = (net.trace(v).unwrap(), net.spikes(s).unwrap());
    assert!(spikes.total() > 100, "{} spikes", spikes.total());
    // Lif counts after the spike's step: after a spike at step k, rows k+1 ..= k+11 (the
    // states after steps k ..= k+10) hold V_reset exactly.
    let mut held_rows = 0;
    for (&k, &i) in spikes.steps.iter().zip(&spikes.indices) {
        for row in (k + 1)..=(k + 11) {
            if (row as usize) < v.n_rows() {
                assert_eq!(
                    v.get(row as usize, i as usize),
                    -5.0,
                    "neuron {i} row {row}"
                );
                held_rows += 1;
            }
        }
        // The next step integrates the events again.
        if ((k + 12) as usize) < v.n_rows() {
            assert!(v.get((k + 12) as usize, i as usize) > -5.0);
        }
    }
    assert!(held_rows > 1000);
}
