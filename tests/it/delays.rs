//! Per-synapse delays: a spike produced at step k acts through synapse i at step k + dᵢ
//! (rounded to the nearest step, at least one), whatever the order of the objects, through
//! segments queued when the spike is produced. A group with heterogeneous delays computes what
//! one group per delay value computes, to rounding.

use neurode::models::{Exponential, Lif};
use neurode::runtime::{Connect, Input, Network, ObjectId, Population, Projection};

/// 40 presynaptic LIF neurons driven at different rates onto 30 postsynaptic ones, through
/// pairs `(i, j)` with delays from a fixed list; `split` puts the synapses of each delay value
/// in a group of their own. Returns the postsynaptic V after every step.
fn run(split: bool, threads: usize) -> Vec<f64> {
    let mut net = Network::new(0.1).unwrap();
    net.set_threads(threads).unwrap();
    let pre = net.add_population("pre", 40, Lif::default()).unwrap();
    let drive: Vec<f64> = (0..40).map(|i| 21.0 + 0.7 * f64::from(i)).collect();
    net.add_input(pre, Input::PerNeuron(drive)).unwrap();
    let post = net.add_population("post", 30, Lif::default()).unwrap();
    let delays_ms = [0.1, 0.25, 1.0, 1.55, 3.0];
    let mut pairs = Vec::new();
    let mut delays = Vec::new();
    for i in 0..40u32 {
        for j in 0..30u32 {
            if (i * 7 + j * 3) % 5 < 2 {
                pairs.push((i, j));
                delays.push(delays_ms[((i + 2 * j) % 5) as usize]);
            }
        }
    }
    let syn = Exponential {
        w: 3.0,
        ..Exponential::default()
    };
    let mut ids: Vec<Projection<Exponential>> = Vec::new();
    if split {
        for (k, &d) in delays_ms.iter().enumerate() {
            let mine: Vec<(u32, u32)> = pairs
                .iter()
                .zip(&delays)
                .filter(|&(_, &x)| x == d)
                .map(|(&p, _)| p)
                .collect();
            let id = net
                .add_projection(
                    &format!("d{k}"),
                    syn.clone(),
                    pre,
                    post,
                    &Connect::Pairs(mine.clone()),
                )
                .unwrap();
            net.set_delays(id, vec![d; mine.len()]).unwrap();
            ids.push(id);
        }
    } else {
        let id = net
            .add_projection("all", syn, pre, post, &Connect::Pairs(pairs))
            .unwrap();
        net.set_delays(id, &delays).unwrap();
        ids.push(id);
    }
    order(&mut net, pre, post, &ids, false);
    let v = net.record(post, Lif::V).unwrap();
    net.run(60.0).unwrap();
    net.trace(v).unwrap().values.clone()
}

fn order(
    net: &mut Network,
    pre: Population<Lif>,
    post: Population<Lif>,
    ids: &[Projection<Exponential>],
    post_first: bool,
) {
    let mut o: Vec<ObjectId> = vec![pre.into()];
    if post_first {
        o.push(post.into());
    }
    o.extend(ids.iter().map(|&s| ObjectId::from(s)));
    if !post_first {
        o.push(post.into());
    }
    net.set_order(&o).unwrap();
}

#[test]
fn heterogeneous_delays_equal_one_group_per_delay() {
    let one = run(false, 1);
    let split = run(true, 1);
    let active = one.iter().filter(|&&v| v != 0.0).count();
    assert!(
        active > one.len() / 2,
        "the postsynaptic neurons are driven"
    );
    for (a, b) in one.iter().zip(&split) {
        assert!(
            (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0),
            "{a} vs {b}"
        );
    }
    // Threads change no bit.
    assert_eq!(run(false, 2), one);
    assert_eq!(run(true, 3), split);
}

/// The delay counts from the step the spike is produced, not from where the synapse group runs:
/// a spike at step k acts at step k + d with the synapse group before or after its presynaptic
/// group.
#[test]
fn a_delay_counts_from_the_spike() {
    for syn_first in [false, true] {
        let mut net = Network::new(0.1).unwrap();
        let train = neurode::runtime::SpikeTrain::single(&[1.0]).unwrap();
        let pre = net.add_population("pre", 1, train).unwrap();
        let post = net.add_population("post", 1, Lif::default()).unwrap();
        let syn = net
            .add_projection("syn", Exponential::default(), pre, post, &Connect::AllToAll)
            .unwrap();
        if syn_first {
            net.set_order(&[syn.into(), pre.into(), post.into()])
                .unwrap();
        }
        net.set_delays(syn, [0.5]).unwrap();
        let s = net.record(syn, Exponential::s).unwrap();
        net.run(3.0).unwrap();
        let s = net.trace(s).unwrap().column(0);
        // Spike at step 10, delay 5 steps: s jumps to 1 at step 15, so row 16 (t = 1.6 ms,
        // the end of step 15) is the first to hold it.
        assert_eq!((s[15], s[16]), (0.0, 1.0), "synapses first: {syn_first}");
        assert_eq!(net.projection(syn).unwrap().synapse_delays(), Some(vec![5]));
    }
    // Bad delays name the synapse and the value.
    let mut net = Network::new(0.1).unwrap();
    let pre = net.add_population("pre", 2, Lif::default()).unwrap();
    let post = net.add_population("post", 1, Lif::default()).unwrap();
    let syn = net
        .add_projection("syn", Exponential::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    let e = net.set_delays(syn, [1.0, -2.0]).unwrap_err().to_string();
    assert!(e.contains("synapse 1") && e.contains("-2"), "{e}");
    let e = net.set_delays(syn, [1.0]).unwrap_err().to_string();
    assert!(e.contains("expected 2"), "{e}");
}
