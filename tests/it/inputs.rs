//! Inputs that vary in time within one run: tables on a time grid (Brian2's `TimedArray`),
//! windows on currents and Poisson inputs, and actions at given times, checked against closed
//! forms and against runs split by hand, bit for bit.

use neurode::models::{Exponential, Lif};
use neurode::neuron;
use neurode::runtime::{
    Action, Connect, Error, Input, Network, PoissonInput, Population, TimedArray,
};

/// `dV/dt = I`, integrated by Euler: `V ← V + dt·I`, exact in binary for dyadic `dt` and `I`.
#[neuron(method = euler)]
#[threshold(false)]
pub struct Integrator {
    /// Accumulated input.
    #[state(init = 0.0, ode = I, membrane)]
    pub V: f64,
    /// Input of the step.
    #[input]
    pub I: f64,
}

/// The recorded `V` of neuron `j` after each step: index `k` is `V` after step `k`, i.e. the
/// trace's row `k + 1` (row 0 is the initial state, at t = 0; checked to be 0 here).
fn column(net: &Network, m: neurode::runtime::StateMonitor, j: usize) -> Vec<f64> {
    let trace = net.trace(m).unwrap();
    assert_eq!(trace.times[0], 0.0);
    after_steps(&trace.column(j))
}

/// A trace column without its first row (the state at t = 0, which every test here starts
/// at 0): index `k` is the value after step `k`.
fn after_steps(rows: &[f64]) -> Vec<f64> {
    assert_eq!(rows[0], 0.0, "every test starts from V = 0");
    rows[1..].to_vec()
}

/// The increment of every step: `V` after step `k` minus `V` before it (0 before step 0).
fn increments(v: &[f64]) -> Vec<f64> {
    let mut prev = 0.0;
    v.iter()
        .map(|&x| {
            let d = x - prev;
            prev = x;
            d
        })
        .collect()
}

/// A LIF neuron that never fires, integrated exactly: after a time `h` of a constant input `I`,
/// `V = R·I + (V0 − R·I)·e^{−h/τ}` (`V_rest` = 0).
fn silent_lif(net: &mut Network, n: usize) -> Population<Lif> {
    let g = net.add_population("g", n, Lif::default()).unwrap();
    net.set_param(g, Lif::V_th, 1e9).unwrap();
    g
}

fn relax(v0: f64, i: f64, h: f64) -> f64 {
    // R = 1 MΩ, τ = 10 ms.
    i + (v0 - i) * (-h / 10.0).exp()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

#[test]
fn a_timed_array_drives_an_exact_lif_to_its_closed_form() {
    let mut net = Network::new(0.1).unwrap();
    let g = silent_lif(&mut net, 1);
    // A row every 0.5 ms (5 steps); the last row holds after the end, as in Brian2.
    let table = [10.0, 0.0, 30.0, -5.0];
    net.add_input(g, Input::Timed(TimedArray::new(table.to_vec(), 0.5)))
        .unwrap();
    let m = net.record(g, Lif::V).unwrap();
    net.run(3.0).unwrap();
    let v = column(&net, m, 0);
    assert_eq!(v.len(), 30);
    // V at 0.5, 1.0, ..., 2.0 ms (after steps 4, 9, 14, 19), then 1 ms more of the last row.
    let mut expect = 0.0;
    for (r, &i) in table.iter().enumerate() {
        expect = relax(expect, i, 0.5);
        let k = 5 * r + 4;
        assert!(close(v[k], expect), "row {r}: {} vs {expect}", v[k]);
    }
    expect = relax(expect, -5.0, 1.0);
    assert!(close(v[29], expect), "{} vs {expect}", v[29]);
    // Within a row: e.g. 0.2 ms into the third row.
    let at = relax(relax(relax(0.0, 10.0, 0.5), 0.0, 0.5), 30.0, 0.2);
    assert!(close(v[11], at), "{} vs {at}", v[11]);
}

#[test]
fn a_two_dimensional_timed_array_gives_each_member_of_a_view_its_column() {
    let mut net = Network::new(0.1).unwrap();
    let g = silent_lif(&mut net, 4);
    // Members 1 and 3 (Brian2's values[time][neuron]); 0 and 2 get nothing.
    let view = g.pick(&[3, 1]).unwrap();
    let rows = vec![vec![20.0, -10.0], vec![5.0, 40.0]];
    net.add_input(&view, Input::Timed(TimedArray::per_neuron(rows, 1.0)))
        .unwrap();
    let m = net.record(g, Lif::V).unwrap();
    net.run(2.0).unwrap();
    let cols: Vec<Vec<f64>> = (0..4).map(|j| column(&net, m, j)).collect();
    assert!(cols[0].iter().chain(&cols[2]).all(|&x| x == 0.0));
    for (j, first, second) in [(1, 20.0, 5.0), (3, -10.0, 40.0)] {
        let after_1 = relax(0.0, first, 1.0);
        let after_2 = relax(after_1, second, 1.0);
        assert!(close(cols[j][9], after_1), "{j}: {}", cols[j][9]);
        assert!(close(cols[j][19], after_2), "{j}: {}", cols[j][19]);
    }
}

#[test]
fn a_window_input_is_zero_outside_and_its_value_inside_step_for_step() {
    // dt = 0.125 ms and I = 2: every increment inside is 0.25, exactly.
    let mut net = Network::new(0.125).unwrap();
    let g = net.add_population("g", 2, Integrator::default()).unwrap();
    net.add_input(g, Input::Constant(2.0).during(0.5..1.25))
        .unwrap();
    // A window keeps the input's own clock: the table's rows at steps 6 and 7 only.
    let table = Input::Timed(TimedArray::new((0..16).map(f64::from).collect(), 0.125));
    net.add_input(g.pick(&[1]).unwrap(), table.during(0.75..1.0))
        .unwrap();
    let m = net.record(g, Integrator::V).unwrap();
    net.run(2.0).unwrap();
    let d0 = increments(&column(&net, m, 0));
    let d1 = increments(&column(&net, m, 1));
    for k in 0..16 {
        let inside = (4..10).contains(&k);
        assert_eq!(d0[k], if inside { 0.25 } else { 0.0 }, "step {k}");
        let table = if k == 6 || k == 7 {
            0.125 * k as f64
        } else {
            0.0
        };
        assert_eq!(d1[k], d0[k] + table, "step {k}");
    }
}

#[test]
fn window_bounds_are_whole_steps_without_float_jitter() {
    // 0.3 / 0.1 = 2.9999999999999996 and 0.7 / 0.1 = 6.999999999999999: steps 3 to 6.
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("g", 1, Integrator::default()).unwrap();
    net.add_input(g, Input::Constant(1.0).during(0.3..0.7))
        .unwrap();
    let m = net.record(g, Integrator::V).unwrap();
    net.run(1.0).unwrap();
    let on: Vec<usize> = increments(&column(&net, m, 0))
        .iter()
        .enumerate()
        .filter(|(_, &d)| d != 0.0)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(on, vec![3, 4, 5, 6]);
    // Off the grid, or ending before it starts: refused, naming the group and the time.
    let e = net
        .add_input(g, Input::Constant(1.0).during(0.25..1.0))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid input for `g`: window time 0.25 ms is 2.5 steps of dt = 0.1 ms, off the step \
         grid: give a whole number of steps (0.2 or 0.30000000000000004 ms)"
    );
    let e = net
        .add_input(g, Input::Constant(1.0).during(2.0..1.0))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
}

#[test]
fn a_poisson_input_during_a_window_fires_nothing_outside_it() {
    let build = |window: bool| {
        let mut net = Network::new(0.1).unwrap();
        // No refractory period: an event held back by one would fire after the window.
        let lif = Lif {
            t_refractory: 0.0,
            ..Lif::default()
        };
        let g = net.add_population("g", 40, lif).unwrap();
        let counter = net
            .add_population("count", 40, Integrator::default())
            .unwrap();
        let mut input = PoissonInput::poisson(1000.0, 25.0, 11);
        let mut events = PoissonInput::poisson(1000.0, 1.0, 11);
        if window {
            input = input.during(2.0..4.0);
            events = events.during(2.0..4.0);
        }
        net.add_poisson_input(g, Lif::V, &input).unwrap();
        net.add_poisson_input(counter, Integrator::V, &events)
            .unwrap();
        let spikes = net.record_spikes(g).unwrap();
        let v = net.record(counter, Integrator::V).unwrap();
        net.run(6.0).unwrap();
        let s = net.spikes(spikes).unwrap();
        let steps = s.steps.clone();
        let v = net.trace(v).unwrap().clone();
        (steps, v)
    };
    let (steps, counts) = build(true);
    let (all_steps, all_counts) = build(false);
    // Every event of 25 mV fires the neuron: spikes inside the window only, and some.
    assert!(steps.len() > 20, "{} spikes", steps.len());
    assert!(steps.iter().all(|s| (20..40).contains(s)), "{steps:?}");
    assert!(all_steps.iter().any(|s| !(20..40).contains(s)));
    // Inside the window, each neuron's events are those of the input without a window.
    for j in 0..40 {
        let d = increments(&after_steps(&counts.column(j)));
        let all = increments(&after_steps(&all_counts.column(j)));
        for k in 0..60 {
            let expect = if (20..40).contains(&k) { all[k] } else { 0.0 };
            assert_eq!(d[k], expect, "neuron {j}, step {k}");
        }
    }
    let total: f64 = (0..40).map(|j| *counts.column(j).last().unwrap()).sum();
    assert!(total > 20.0, "{total} events");
}

/// A network with currents, Poisson events and synapses: a cue onto 20 neurons, noise onto
/// all, a projection among them.
struct Protocol {
    net: Network,
    exc: Population<Lif>,
    cue: neurode::runtime::InputId,
    spikes: neurode::runtime::SpikeMonitor,
    v: neurode::runtime::StateMonitor,
}

fn protocol(threads: usize) -> Protocol {
    let mut net = Network::new(0.1).unwrap();
    net.set_threads(threads).unwrap();
    let exc = net.add_population("exc", 100, Lif::default()).unwrap();
    let cue = net
        .add_input(exc.slice(0..20).unwrap(), Input::Constant(30.0))
        .unwrap();
    net.add_poisson_input(exc, Lif::V, &PoissonInput::poisson(800.0, 4.0, 3))
        .unwrap();
    let syn = Exponential {
        w: 2.0,
        ..Exponential::default()
    };
    net.add_projection(
        "rec",
        syn,
        exc,
        exc,
        &Connect::FixedProb { p: 0.1, seed: 2 },
    )
    .unwrap();
    let spikes = net.record_spikes(exc).unwrap();
    let v = net.record(exc.slice(0..30).unwrap(), Lif::V).unwrap();
    Protocol {
        net,
        exc,
        cue,
        spikes,
        v,
    }
}

/// Spikes (step, neuron), the recorded trace's bits and the final state's bits.
fn outcome(p: &Protocol) -> (Vec<(u64, u32)>, Vec<u64>, Vec<u64>) {
    let s = p.net.spikes(p.spikes).unwrap();
    let spikes = s
        .steps
        .iter()
        .copied()
        .zip(s.indices.iter().copied())
        .collect();
    let trace = p
        .net
        .trace(p.v)
        .unwrap()
        .values
        .iter()
        .map(|x| x.to_bits())
        .collect();
    let state = p
        .net
        .population(p.exc)
        .unwrap()
        .columns()
        .concat()
        .iter()
        .map(|x| x.to_bits())
        .collect();
    (spikes, trace, state)
}

#[test]
fn actions_at_given_times_give_the_run_split_by_hand_bit_for_bit() {
    // By hand: 30 ms, a faster membrane; 20 ms, the cue off and every V reset to 0; 50 ms.
    let mut split = protocol(1);
    split.net.run(30.0).unwrap();
    split.net.set_param(split.exc, Lif::tau, 5.0).unwrap();
    split.net.run(20.0).unwrap();
    split.net.switch_input(split.cue, false).unwrap();
    split.net.set(split.exc, Lif::V, 0.0).unwrap();
    split.net.run(50.0).unwrap();
    let expected = outcome(&split);
    assert!(expected.0.len() > 100, "{} spikes", expected.0.len());

    for threads in [1, 2] {
        let mut p = protocol(threads);
        let (exc, cue) = (p.exc, p.cue);
        p.net
            .at(30.0, Action::set_param(exc, Lif::tau, 5.0))
            .unwrap();
        p.net.at(50.0, Action::switch_input(cue, false)).unwrap();
        p.net
            .at(50.0, Action::call(move |net| net.set(exc, Lif::V, 0.0)))
            .unwrap();
        assert_eq!(p.net.pending_actions(), vec![30.0, 50.0, 50.0]);
        p.net.run(100.0).unwrap();
        assert!(p.net.pending_actions().is_empty());
        assert_eq!(p.net.param(exc, Lif::tau).unwrap(), 5.0);
        assert_eq!(outcome(&p), expected, "{threads} threads");
    }
    // Without the actions the run differs (the test sees them).
    let mut plain = protocol(1);
    plain.net.run(100.0).unwrap();
    assert_ne!(outcome(&plain).0, expected.0);
}

#[test]
fn an_action_applies_before_the_step_that_starts_at_its_time() {
    // A cue switched on at 1 ms by an action, after one at 0.5 ms switching it off again
    // while it is already off: on from step 10 on, whatever the runs' lengths.
    let mut net = Network::new(0.125).unwrap();
    let g = net.add_population("g", 1, Integrator::default()).unwrap();
    let cue = net.add_input(g, Input::Constant(2.0)).unwrap();
    net.switch_input(cue, false).unwrap();
    net.at(1.25, Action::switch_input(cue, true)).unwrap();
    net.at(0.5, Action::switch_input(cue, false)).unwrap();
    let m = net.record(g, Integrator::V).unwrap();
    // An action at the end of a run waits for the next run's first step.
    net.run(1.25).unwrap();
    assert_eq!(net.pending_actions(), vec![1.25]);
    net.run(0.0).unwrap();
    assert_eq!(net.pending_actions(), vec![1.25]);
    net.run(0.75).unwrap();
    let d = increments(&column(&net, m, 0));
    let on: Vec<usize> = (0..16).filter(|&k| d[k] != 0.0).collect();
    assert_eq!(on, (10..16).collect::<Vec<_>>());
}

#[test]
fn actions_in_the_past_off_the_grid_or_invalid_are_refused() {
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("g", 10, Lif::default()).unwrap();
    net.run(1.0).unwrap();
    let reason = |e: Error| match e {
        Error::InvalidInput { object, reason } => {
            assert_eq!(object, "network");
            reason
        }
        e => panic!("{e:?}"),
    };
    let act = || Action::set_param(g, Lif::tau, 20.0);
    assert_eq!(
        reason(net.at(0.5, act()).unwrap_err()),
        "action time 0.5 ms is in the past: the network is at 1 ms (step 10)"
    );
    assert_eq!(
        reason(net.at(1.25, act()).unwrap_err()),
        "action time 1.25 ms is 12.5 steps of dt = 0.1 ms, off the step grid: give a whole \
         number of steps (1.2000000000000002 or 1.3 ms)"
    );
    for t in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(reason(net.at(t, act()).unwrap_err()).contains("not a finite non-negative"));
    }
    // What set_param would refuse is refused now: a value outside the domain, part of a
    // population, a handle of another network.
    assert!(matches!(
        net.at(2.0, Action::set_param(g, Lif::tau, -1.0)),
        Err(Error::InvalidParameter { .. })
    ));
    let part = g.slice(0..5).unwrap();
    assert!(matches!(
        net.at(2.0, Action::set_param(&part, Lif::tau, 5.0)),
        Err(Error::InvalidInput { .. })
    ));
    let mut other = Network::new(0.1).unwrap();
    let h = other.add_population("h", 1, Lif::default()).unwrap();
    let foreign = other.add_input(h, Input::Constant(1.0)).unwrap();
    assert!(matches!(
        net.at(2.0, Action::switch_input(foreign, false)),
        Err(Error::UnknownObject { .. })
    ));
    assert!(matches!(
        net.switch_input(foreign, true),
        Err(Error::UnknownObject { .. })
    ));
    assert!(net.pending_actions().is_empty());
    // The current time is not the past.
    net.at(1.0, act()).unwrap();
    net.cancel_actions();
    assert!(net.pending_actions().is_empty());
}

#[test]
fn a_failing_action_stops_the_run_before_its_step() {
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("g", 1, Lif::default()).unwrap();
    net.at(
        2.0,
        Action::call(|_| {
            Err(Error::InvalidInput {
                object: "protocol".into(),
                reason: "stop".into(),
            })
        }),
    )
    .unwrap();
    net.at(2.0, Action::set_param(g, Lif::tau, 20.0)).unwrap();
    let e = net.run(5.0).unwrap_err();
    assert_eq!(e.to_string(), "invalid input for `protocol`: stop");
    assert_eq!(net.step_index(), 20);
    // The failed action is gone; the next is applied when the run goes on.
    assert_eq!(net.pending_actions(), vec![2.0]);
    net.run(3.0).unwrap();
    assert_eq!(net.param(g, Lif::tau).unwrap(), 20.0);
    assert_eq!(net.step_index(), 50);
}
