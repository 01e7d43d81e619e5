//! Views of populations, accepted wherever a population is: connection rules between views give
//! the whole rule's synapses restricted to them, values drawn for a view are the members' values
//! of the whole draw, inputs, Poisson inputs and monitors reach exactly the members under their
//! population indices, and none of it depends on the thread count.

use neurode::models::{Exponential, Lif};
use neurode::runtime::{
    Connect, Error, Input, Network, PoissonInput, Population, ProbabilityFn, Projection, Values,
};

/// The rows of a projection, as (pre, post) pairs in population indices.
fn pairs(net: &Network, p: Projection<Exponential>) -> Vec<(usize, usize)> {
    let conn = net.projection(p).unwrap().conn();
    (0..conn.n_pre())
        .flat_map(|i| conn.row(i).map(move |j| (i, j)))
        .collect()
}

fn net_with(n: usize) -> (Network, Population<Lif>) {
    let mut net = Network::new(0.1).unwrap();
    let exc = net.add_population("exc", n, Lif::default()).unwrap();
    (net, exc)
}

#[test]
fn rules_between_views_give_the_whole_rules_synapses_restricted_to_them() {
    let rules = [
        Connect::AllToAll,
        Connect::AllToAllNoSelf,
        Connect::FixedProb { p: 0.1, seed: 3 },
        Connect::PairwiseBernoulli {
            p: 0.2,
            seed: 4,
            autapses: false,
        },
        Connect::Probability {
            p: ProbabilityFn::new(|i, j| if i.abs_diff(j) < 40 { 0.5 } else { 0.02 }),
            seed: 5,
        },
    ];
    for rule in &rules {
        let (mut net, exc) = net_with(400);
        let pool = exc
            .slice(80..160)
            .unwrap()
            .union(&exc.pick(&[3, 399]).unwrap())
            .unwrap();
        let targets = exc.pick(&[0, 7, 90, 91, 250, 398]).unwrap();
        let whole = net
            .add_projection("whole", Exponential::default(), exc, exc, rule)
            .unwrap();
        let part = net
            .add_projection("part", Exponential::default(), &pool, &targets, rule)
            .unwrap();
        let want: Vec<(usize, usize)> = pairs(&net, whole)
            .into_iter()
            .filter(|&(i, j)| pool.contains(i) && targets.contains(j))
            .collect();
        assert!(!want.is_empty(), "{rule:?}");
        assert_eq!(pairs(&net, part), want, "{rule:?}");
    }
}

#[test]
fn degree_rules_and_one_to_one_count_among_members() {
    let (mut net, exc) = net_with(300);
    let a = exc.slice(0..100).unwrap();
    let b = exc.slice(100..150).unwrap();
    let rule = Connect::FixedInDegree {
        k: 7,
        seed: 9,
        autapses: true,
        multapses: false,
    };
    let p = net
        .add_projection("in", Exponential::default(), &a, &b, &rule)
        .unwrap();
    let got = pairs(&net, p);
    assert_eq!(got.len(), 50 * 7);
    for j in 100..150 {
        let sources: Vec<usize> = got.iter().filter(|x| x.1 == j).map(|x| x.0).collect();
        assert_eq!(sources.len(), 7, "neuron {j}");
        assert!(sources.iter().all(|&i| i < 100), "neuron {j}: {sources:?}");
    }
    let c = exc.slice(200..250).unwrap();
    let p = net
        .add_projection("one", Exponential::default(), &b, &c, &Connect::OneToOne)
        .unwrap();
    assert_eq!(
        pairs(&net, p),
        (100..150).map(|i| (i, i + 100)).collect::<Vec<_>>()
    );
    let e = net
        .add_projection("bad", Exponential::default(), &a, &c, &Connect::OneToOne)
        .unwrap_err();
    assert!(matches!(
        e,
        Error::SizeMismatch {
            expected: 100,
            got: 50,
            ..
        }
    ));
}

#[test]
fn values_on_a_view_are_the_members_values_of_the_whole_draw() {
    let draw = Values::Normal {
        mean: -60.0,
        sd: 4.0,
    };
    let (mut whole, exc) = net_with(200);
    whole.set(exc, Lif::V, &draw).unwrap();
    let (mut part, exc2) = net_with(200);
    let view = exc2.slice(50..70).unwrap();
    part.set(&view, Lif::V, &draw).unwrap();
    let w = whole.population(exc).unwrap().column(Lif::V).to_vec();
    let p = part.population(exc2).unwrap().column(Lif::V).to_vec();
    for i in 0..200 {
        if view.contains(i) {
            assert_eq!(p[i], w[i], "member {i}");
        } else {
            assert_eq!(p[i], Lif::default().V_rest, "non-member {i}");
        }
    }
    // A vector gives one value per member.
    part.set(&view, Lif::V, vec![1.5; 20]).unwrap();
    assert_eq!(
        part.population(exc2).unwrap().column(Lif::V)[50..70],
        [1.5; 20]
    );
    let e = part.set(&view, Lif::V, vec![1.5; 21]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::SizeMismatch {
                expected: 20,
                got: 21,
                ..
            }
        ),
        "{e}"
    );
    // A shared parameter holds for the whole population.
    let e = part.set_param(&view, Lif::tau, 5.0).unwrap_err();
    assert!(e.to_string().contains("shared by the whole object"), "{e}");
    part.set_param(exc2.slice(..).unwrap(), Lif::tau, 5.0)
        .unwrap();
    assert_eq!(part.param(exc2, Lif::tau).unwrap(), 5.0);
}

/// A network driven through views: a current onto one pool, Poisson events onto another, a
/// projection from a pool onto the rest, monitors on views. Returns the spikes (step, neuron)
/// of the recorded view and its counts.
fn driven(threads: usize) -> (Vec<(u64, u32)>, Vec<u64>, Vec<f64>) {
    let mut net = Network::new(0.1).unwrap();
    net.set_threads(threads).unwrap();
    let exc = net.add_population("exc", 400, Lif::default()).unwrap();
    let cue = exc.slice(0..80).unwrap();
    let noisy = exc.slice(200..300).unwrap();
    net.add_input(&cue, Input::Constant(25.0)).unwrap();
    let poisson = PoissonInput::poisson(2000.0, 2.0, 7);
    net.add_poisson_input(&noisy, Lif::V, &poisson).unwrap();
    let rest = exc.slice(80..).unwrap();
    let syn = Exponential {
        w: 3.0,
        ..Exponential::default()
    };
    let p = net
        .add_projection(
            "cue",
            syn,
            &cue,
            &rest,
            &Connect::FixedProb { p: 0.2, seed: 1 },
        )
        .unwrap();
    net.set_order(&[exc.into(), p.into()]).unwrap();
    let watched = exc.slice(60..260).unwrap();
    let spikes = net.record_spikes(&watched).unwrap();
    let v = net
        .record(exc.pick(&[5, 150, 250]).unwrap(), Lif::V)
        .unwrap();
    net.run(50.0).unwrap();
    let s = net.spikes(spikes).unwrap();
    assert_eq!(s.neurons, (60..260).collect::<Vec<u32>>());
    assert!(s.indices.iter().all(|&i| (60..260).contains(&i)));
    let trace = net.trace(v).unwrap();
    assert_eq!(trace.indices, vec![5, 150, 250]);
    (
        s.steps
            .iter()
            .copied()
            .zip(s.indices.iter().copied())
            .collect(),
        s.counts.clone(),
        trace.values.clone(),
    )
}

#[test]
fn inputs_and_monitors_on_views_reach_the_members_on_any_thread_count() {
    let (spikes, counts, v) = driven(1);
    assert!(!spikes.is_empty() && !v.is_empty());
    assert_eq!(driven(2), (spikes, counts.clone(), v));
    // The cue's members (60..80 of the recorded view) fire; the Poisson pool is driven too.
    assert!(counts[..20].iter().all(|&c| c > 0), "{counts:?}");
    assert!(counts[140..].iter().any(|&c| c > 0), "{counts:?}");
}

#[test]
fn a_poisson_input_on_a_view_gives_the_members_their_events_of_the_whole_input() {
    let run = |view: bool| {
        let (mut net, exc) = net_with(100);
        let input = PoissonInput::poisson(3000.0, 1.5, 11);
        if view {
            let pool = exc
                .slice(20..40)
                .unwrap()
                .union(&exc.pick(&[77]).unwrap())
                .unwrap();
            net.add_poisson_input(&pool, Lif::V, &input).unwrap();
        } else {
            net.add_poisson_input(exc, Lif::V, &input).unwrap();
        }
        let v = net.record(exc, Lif::V).unwrap();
        net.run(20.0).unwrap();
        let trace = net.trace(v).unwrap();
        (0..100).map(|j| trace.column(j)).collect::<Vec<_>>()
    };
    let (whole, part) = (run(false), run(true));
    for j in 0..100 {
        if (20..40).contains(&j) || j == 77 {
            assert_eq!(part[j], whole[j], "member {j}");
            assert!(part[j].iter().any(|&v| v != 0.0), "member {j} got events");
        } else {
            assert!(part[j].iter().all(|&v| v == 0.0), "non-member {j}");
        }
    }
}

#[test]
fn views_and_elements_that_cannot_be_meant_are_refused_by_name() {
    let (mut net, a) = net_with(10);
    // A slice that starts past the end is out of range (not merely empty).
    assert!(matches!(
        a.slice(11..),
        Err(Error::IndexOutOfRange {
            index: 11,
            len: 10,
            ..
        })
    ));
    assert!(matches!(a.slice(10..), Err(Error::EmptyGroup { .. })));
    // A handle of another network names itself readably.
    let mut other = Network::new(0.1).unwrap();
    let c = other.add_population("c", 4, Lif::default()).unwrap();
    let e = net.record(c.slice(0..2).unwrap(), Lif::V).unwrap_err();
    assert!(e.to_string().contains("Population(#0, network "), "{e}");
    // An element given twice a value is refused, and nothing is set.
    let p = net
        .add_projection("p", Exponential::default(), a, a, &Connect::AllToAll)
        .unwrap();
    let e = net
        .set(p.elements(&[3, 1, 3]), Exponential::s, vec![1.0, 2.0, 3.0])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid input for `p`: element 3 of `s` is given twice: which value it gets would be arbitrary"
    );
    assert!(net
        .projection(p)
        .unwrap()
        .column(Exponential::s)
        .iter()
        .all(|&s| s == 0.0));
}
