use super::*;
use crate::{Connect, Input, Method, Param, Storage, Var};

use crate::testmodels::{Acc, Faults, Kick, Silent};

fn net() -> Network {
    Network::new(0.1).unwrap()
}

/// The object and bytes of an [`Error::OutOfMemory`] refused by a budget.
fn refused(e: Error) -> (String, u64, String) {
    let message = e.to_string();
    match e {
        Error::OutOfMemory {
            object,
            bytes,
            budget: Some(_),
            ..
        } => (object, bytes, message),
        other => panic!("not refused by the budget: {other}"),
    }
}

#[test]
fn the_memory_budget_refuses_buffers_before_they_are_reserved() {
    let mut n = net();
    n.set_memory_budget(Some(10_000_000));
    // A monitor of 100 neurons over 1e8 ms would need 8 GB of trace.
    let g = n.add_population("g", 100, Acc::default()).unwrap();
    let used = n.memory_charged();
    let per_neuron = 8 * <Acc as crate::Model>::INFO.states.len() as u64 + 22;
    assert_eq!(used, 100 * per_neuron);
    let m = n.record(g, Acc::v).unwrap();
    let (object, bytes, message) = refused(n.run(1e8).unwrap_err());
    assert_eq!(
        (object.as_str(), bytes),
        ("g", 1_000_000_001 * 8 + 1_000_000_001 * 800)
    );
    // t = 0 and the end of each of the 10^9 steps.
    assert!(
        message.contains("the trace of `v` (1000000001 rows of 100 values)"),
        "{message}"
    );
    // Nothing was reserved or run: a shorter run still works.
    assert_eq!((n.step_index(), n.memory_charged()), (0, used));
    n.run(1.0).unwrap();
    assert_eq!(n.trace(m).unwrap().n_rows(), 11);
    assert_eq!(n.memory_charged(), used + 11 * 8 + 11 * 800);

    // A group of 10^9 neurons, and all-to-all connectivity of 2·10^5 × 2·10^5.
    let (object, bytes, _) = refused(
        n.add_population("big", 1_000_000_000, Acc::default())
            .unwrap_err(),
    );
    assert_eq!(
        (object.as_str(), bytes),
        ("big", 1_000_000_000 * per_neuron)
    );
    assert!(n.find_population::<Acc>("big").is_err());
    n.set_memory_budget(Some(100_000_000));
    let a = n.add_population("a", 200_000, Acc::default()).unwrap();
    let e = n
        .add_projection("dense", Kick::default(), a, a, &Connect::AllToAll)
        .unwrap_err();
    let (object, bytes, _) = refused(e);
    let per_synapse = 4 + 8 * <Kick as crate::Model>::INFO.states.len() as u64;
    assert_eq!(
        (object.as_str(), bytes),
        ("dense", 40_000_000_000 * per_synapse)
    );

    // A delay ring of 10^6 steps of 10^3 values (8 GB), refused when the run prepares it.
    let mut n = net();
    n.set_memory_budget(Some(100_000_000));
    let (pre, post) = pre_post(&mut n, 1, 1000);
    let kick = Kick {
        delay: 1e5,
        ..Kick::default()
    };
    n.add_projection("ring", kick, pre, post, &Connect::AllToAll)
        .unwrap();
    let (object, bytes, message) = refused(n.run(1.0).unwrap_err());
    assert_eq!((object.as_str(), bytes), ("ring", 1_000_000 * 1000 * 8));
    assert!(message.contains("delay ring of output 0"), "{message}");
}

/// A neuron that spikes at the given steps (threshold 1, one unit of input at those steps).
fn spiking_at(steps: &[usize]) -> Input {
    let mut v = vec![0.0; steps.iter().max().map_or(0, |m| m + 1)];
    for &s in steps {
        v[s] = 1.0;
    }
    Input::Steps(v)
}

fn pre_post(net: &mut Network, n_pre: usize, n_post: usize) -> (Population<Acc>, Population<Acc>) {
    let pre = net
        .add_population(
            "pre",
            n_pre,
            Acc {
                th: 1.0,
                ..Acc::default()
            },
        )
        .unwrap();
    let post = net.add_population("post", n_post, Acc::default()).unwrap();
    (pre, post)
}

#[test]
fn a_duration_that_is_not_whole_steps_is_refused_and_runs_nothing() {
    for (duration, dt, below, above) in [
        (0.25, 0.1, 2, 3),
        (0.04, 0.1, 0, 1),
        (0.05, 0.1, 0, 1),
        (50.0, 100.0, 0, 1),
        (1000.05, 0.1, 10_000, 10_001),
    ] {
        assert_eq!(
            steps_for(duration, dt),
            Err(Error::DurationNotWhole {
                duration,
                dt,
                below,
                above
            }),
            "{duration} ms at {dt} ms"
        );
    }
    let mut n = net();
    let e = n.run(0.25).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid run duration 0.25 ms: it is 2.5 steps of dt = 0.1 ms, not a whole number; \
         give 2 steps (0.2 ms) or 3 steps (0.30000000000000004 ms)"
    );
    assert_eq!(n.step_index(), 0);
    n.run(0.3).unwrap();
    assert_eq!(n.step_index(), 3);
    n.run(0.0).unwrap();
    assert_eq!(n.step_index(), 3);
    assert!(n.run(0.04).is_err());
    assert_eq!(n.step_index(), 3);
}

#[test]
fn an_absurd_step_is_refused_by_name() {
    for dt in [1e300, 1000.5, f64::MAX] {
        let e = Network::new(dt).unwrap_err();
        assert_eq!(e, Error::InvalidDt { dt });
        assert!(e.to_string().contains("at most 1000 ms"), "{e}");
    }
    assert_eq!(Network::new(MAX_DT).unwrap().dt(), 1000.0);
    assert!(matches!(
        steps_for(10.0, 1e300),
        Err(Error::InvalidDt { .. })
    ));
}

#[test]
fn step_counts_are_whole_numbers_of_steps() {
    assert_eq!(steps_for(30.0, 0.1), Ok(300));
    assert_eq!(steps_for(100.0, 0.1), Ok(1000));
    assert_eq!(steps_for(1020.0, 0.1), Ok(10_200));
    // 1000 / 0.1 is 9999.999999999998 in floating point: rounding, not a fraction of a step.
    assert_eq!(steps_for(1000.0, 0.1), Ok(10_000));
    assert_eq!(steps_for(0.3, 0.1), Ok(3));
    assert_eq!(steps_for(0.0, 0.1), Ok(0));
    assert_eq!(steps_for(50.0, 0.025), Ok(2000));
    for d in [-1.0, f64::NAN, f64::INFINITY, 1e9] {
        assert!(
            matches!(steps_for(d, 0.1), Err(Error::InvalidDuration { .. })),
            "{d}"
        );
    }
    for dt in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(Network::new(dt), Err(Error::InvalidDt { .. })),
            "{dt}"
        );
    }
    let mut n = net();
    assert!(matches!(n.run(-1.0), Err(Error::InvalidDuration { .. })));
    assert_eq!(n.step_index(), 0);
}

#[test]
fn time_is_step_times_dt_across_runs() {
    let mut n = net();
    let g = n.add_population("g", 2, Acc::default()).unwrap();
    let m = n.record(g, Acc::t_seen).unwrap();
    n.run(30.0).unwrap();
    n.run(1.0).unwrap();
    assert_eq!(n.step_index(), 310);
    assert_eq!(n.time(), 310.0 * 0.1);
    // `t_seen` stores the `t` of the step that updated it: the row of t_{i+1} (the end of
    // step i) holds t_i, the first row (t = 0) its initial value, −1.
    let tr = n.trace(m).unwrap();
    assert_eq!(tr.n_rows(), 311);
    assert_eq!(tr.row(0), &[-1.0, -1.0]);
    for i in 1..=310 {
        assert_eq!(tr.times[i], i as f64 * 0.1);
        let seen = (i - 1) as f64 * 0.1;
        assert_eq!(tr.row(i), &[seen, seen]);
    }
    // Constants prepared with dt and passed to the update.
    assert_eq!(n.population(g).unwrap().column(Acc::k), &[0.2, 0.2]);
}

#[test]
fn order_pre_syn_post_delivers_in_the_same_step() {
    let mut n = net();
    let (pre, post) = pre_post(&mut n, 2, 3);
    let kick = Kick {
        w_cur: 2.0,
        ..Kick::default()
    };
    let syn = n
        .add_projection("syn", kick, pre, post, &Connect::AllToAll)
        .unwrap();
    n.add_input(pre.pick(&[0]).unwrap(), spiking_at(&[5]))
        .unwrap();
    n.add_input(pre, spiking_at(&[7])).unwrap();
    let v = n.record(post, Acc::v).unwrap();
    let spikes = n.record_spikes(pre).unwrap();
    assert_eq!(n.order(), vec!["pre", "post", "syn"]);
    n.set_order(&[pre.into(), syn.into(), post.into()]).unwrap();
    assert_eq!(n.order(), vec!["pre", "syn", "post"]);
    n.run(1.0).unwrap();
    let tr = n.trace(v).unwrap();
    // Row k + 1 is the end of step k.
    assert_eq!(tr.column(0)[5..10], [0.0, 2.0, 2.0, 6.0, 6.0]);
    assert_eq!(tr.row(10), &[6.0, 6.0, 6.0]);
    let sp = n.spikes(spikes).unwrap();
    assert_eq!(sp.steps, vec![5, 7, 7]);
    assert_eq!(sp.indices, vec![0, 0, 1]);
    assert_eq!(sp.counts, vec![2, 1]);
    assert_eq!(n.projection(syn).unwrap().column(Kick::n), &[2.0, 1.0]);
    assert_eq!(n.projection(syn).unwrap().storage(), Storage::PerPre);
}

#[test]
fn order_pre_post_syn_delivers_one_step_later() {
    let mut n = net();
    let (pre, post) = pre_post(&mut n, 1, 1);
    let kick = Kick {
        w_cur: 2.0,
        ..Kick::default()
    };
    n.add_projection("syn", kick, pre, post, &Connect::AllToAll)
        .unwrap();
    n.add_input(pre, spiking_at(&[5])).unwrap();
    let v = n.record(post, Acc::v).unwrap();
    n.run(1.0).unwrap();
    assert_eq!(n.trace(v).unwrap().column(0)[5..9], [0.0, 0.0, 2.0, 2.0]);
    assert_eq!(n.order(), vec!["pre", "post", "syn"]);
}

#[test]
fn delays_read_the_value_written_ceil_d_dt_steps_ago() {
    for (delay, steps) in [(0.3, 3usize), (0.25, 3), (0.1, 1), (0.0, 0), (1.0, 10)] {
        let mut n = net();
        let pre = n
            .add_population(
                "pre",
                1,
                Acc {
                    th: 1.0,
                    ..Acc::default()
                },
            )
            .unwrap();
        let kick = Kick {
            w_cur: 1.0,
            delay,
            ..Kick::default()
        };
        let post = n.add_population("post", 1, Acc::default()).unwrap();
        let syn = n
            .add_projection("syn", kick, pre, post, &Connect::AllToAll)
            .unwrap();
        // Post after the synapse in the schedule would also work; here post runs first, so
        // the current is consumed one step after delivery.
        n.add_input(pre, spiking_at(&[2, 4])).unwrap();
        let v = n.record(post, Acc::v).unwrap();
        // Split the run so in-flight values must survive between runs.
        n.run(0.3).unwrap();
        n.run(2.0).unwrap();
        assert_eq!(n.projection(syn).unwrap().delay_steps()[0], steps);
        let col = n.trace(v).unwrap().column(0);
        // Consumed at step 2 + steps + 1, which row 2 + steps + 2 (its end) shows.
        let first = 2 + steps + 2;
        let second = 4 + steps + 2;
        for (k, &x) in col.iter().enumerate() {
            let want = (k >= first) as u8 as f64 + (k >= second) as u8 as f64;
            assert_eq!(x, want, "delay {delay}: row {k}");
        }
    }
}

#[test]
fn conductance_voltage_and_pre_outputs() {
    let mut n = net();
    let (pre, post) = pre_post(&mut n, 1, 2);
    let kick = Kick {
        w_cond: 0.5,
        e: 10.0,
        w_volt: 3.0,
        w_pre: 0.25,
        ..Kick::default()
    };
    let syn = n
        .add_projection("syn", kick, pre, post, &Connect::AllToAll)
        .unwrap();
    n.set_order(&[pre.into(), syn.into(), post.into()]).unwrap();
    n.add_input(pre, spiking_at(&[2])).unwrap();
    n.population_mut(post)
        .unwrap()
        .set(Acc::v, &[4.0, -6.0])
        .unwrap();
    let vp = n.record(post, Acc::v).unwrap();
    let vpre = n.record(pre, Acc::v).unwrap();
    n.run(0.5).unwrap();
    // Step 2, in output order: the conductance current −0.5·(v − 10) with v = (4, −6) gives
    // inputs (3, 8); the voltage jump makes v = (7, −3); the post update adds the inputs.
    // Row k + 1 is the end of step k.
    assert_eq!(n.trace(vp).unwrap().row(2), &[4.0, -6.0]);
    assert_eq!(n.trace(vp).unwrap().row(3), &[10.0, 5.0]);
    assert_eq!(n.trace(vp).unwrap().row(4), &[10.0, 5.0]);
    // The pre group gets 2 · 0.25 into its input at step 2 (after its update), used at step 3.
    assert_eq!(
        n.trace(vpre).unwrap().column(0),
        vec![0.0, 0.0, 0.0, 0.0, 0.5, 0.5]
    );
}

#[test]
fn self_connection_delivers_to_the_same_group() {
    let mut n = net();
    let g = n
        .add_population(
            "g",
            3,
            Acc {
                th: 1.0,
                ..Acc::default()
            },
        )
        .unwrap();
    let kick = Kick {
        w_cur: 0.25,
        w_pre: 0.125,
        ..Kick::default()
    };
    let syn = n
        .add_projection("rec", kick, g, g, &Connect::AllToAllNoSelf)
        .unwrap();
    n.add_input(g.pick(&[0]).unwrap(), spiking_at(&[1]))
        .unwrap();
    let v = n.record(g, Acc::v).unwrap();
    n.run(0.3).unwrap();
    assert_eq!(n.projection(syn).unwrap().n_syn(), 6);
    // Neuron 0 spikes at step 1 (two synapses): 0.25 to each of 1 and 2, 2·0.125 back to 0.
    assert_eq!(n.trace(v).unwrap().row(3), &[0.25, 0.25, 0.25]);
}

#[test]
fn a_rejected_synapse_monitor_changes_nothing() {
    let mut n = net();
    let (pre, post) = pre_post(&mut n, 2, 3);
    let syn = n
        .add_projection("syn", Kick::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    n.projection_mut(syn)
        .unwrap()
        .set(Kick::n, &[4.0, 5.0])
        .unwrap();
    let e = n.record(syn.elements(&[2]), Kick::n).unwrap_err();
    assert_eq!(
        e,
        Error::IndexOutOfRange {
            object: "syn".into(),
            index: 2,
            len: 2
        }
    );
    assert_eq!(n.projection(syn).unwrap().storage(), Storage::PerPre);
    assert_eq!(n.projection(syn).unwrap().column(Kick::n), &[4.0, 5.0]);
}

/// A monitor records the storage the group has, named after it; `set_storage` is the way
/// to record per synapse, and it is refused once a monitor or a run depends on the layout.
#[test]
fn synapse_monitors_record_the_storage_the_group_has() {
    let mut n = net();
    let (pre, post) = pre_post(&mut n, 2, 3);
    let syn = n
        .add_projection("syn", Kick::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    assert_eq!(n.projection(syn).unwrap().storage(), Storage::PerPre);
    let per_pre = n.record(syn, Kick::n).unwrap();
    assert_eq!(n.projection(syn).unwrap().storage(), Storage::PerPre);
    assert_eq!(n.trace(per_pre).unwrap().names, ["n[pre:0]", "n[pre:1]"]);
    // The layout is fixed once a monitor records it.
    let e = n.set_storage(syn, Storage::PerSynapse).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");

    let mut n = net();
    let (pre, post) = pre_post(&mut n, 2, 3);
    let syn = n
        .add_projection("syn", Kick::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    n.set_storage(syn, Storage::PerSynapse).unwrap();
    assert_eq!(n.projection(syn).unwrap().len(), 6);
    let m = n.record(syn, Kick::n).unwrap();
    let m2 = n.record_every(syn.elements(&[5, 0]), Kick::n, 3).unwrap();
    n.add_input(pre.pick(&[1]).unwrap(), spiking_at(&[1]))
        .unwrap();
    n.run(0.7).unwrap();
    let tr = n.trace(m).unwrap();
    assert_eq!(tr.n_cols, 6);
    assert_eq!(tr.names[4], "n[4]");
    assert_eq!(tr.row(1), &[0.0; 6]);
    assert_eq!(tr.row(2), &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    let tr2 = n.trace(m2).unwrap();
    assert_eq!(
        tr2.times,
        vec![0.0, 0.30000000000000004, 0.6000000000000001]
    );
    assert_eq!(tr2.column(0), vec![0.0, 1.0, 1.0]);
    assert_eq!(tr2.column(1), vec![0.0, 0.0, 0.0]);
    let e = n.set_storage(syn, Storage::PerPre).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
    let e = n.set_storage(syn, Storage::PerPost).unwrap_err();
    assert!(matches!(e, Error::StorageNotSupported { .. }), "{e}");
    assert_eq!(n.set_storage(syn, Storage::PerSynapse), Ok(()));
}

#[test]
fn sections_input_and_parameter_changes_between_runs() {
    let mut n = net();
    let g = n.add_population("g", 2, Acc::default()).unwrap();
    n.add_input(g, Input::Sections(vec![(25.0, 0.2), (1.0, 0.1)]))
        .unwrap();
    n.add_input(g.pick(&[1]).unwrap(), Input::Constant(0.5))
        .unwrap();
    let v = n.record(g, Acc::v).unwrap();
    n.run(0.5).unwrap();
    assert_eq!(
        n.trace(v).unwrap().column(0),
        vec![0.0, 25.0, 50.0, 51.0, 51.0, 51.0]
    );
    assert_eq!(
        n.trace(v).unwrap().column(1),
        vec![0.0, 25.5, 51.0, 52.5, 53.0, 53.5]
    );
    // A threshold change applies from the next run on.
    n.set_param(g, Acc::th, 53.0).unwrap();
    assert_eq!(n.param(g, Acc::th), Ok(53.0));
    n.run(0.1).unwrap();
    assert_eq!(n.population(g).unwrap().column(Acc::v), &[51.0, 0.0]);
    assert_eq!(n.population(g).unwrap().t_last_spike()[1], 0.5);
    assert_eq!(n.population(g).unwrap().spikes(), &[false, true]);
}

#[test]
fn non_finite_state_stops_the_run() {
    let failing = |threads: usize| {
        let mut n = net();
        n.set_threads(threads).unwrap();
        let cells = Acc {
            faults: Faults {
                fail_at: 1.0,
                ..Faults::default()
            },
            ..Acc::default()
        };
        let g = n.add_population("cells", 3, cells).unwrap();
        (n, g)
    };
    // Neuron 1 fails at t = 1 ms; with 3 threads it is the second thread's: the same error.
    let (mut three, _) = failing(3);
    let on_three = three.run(2.0).unwrap_err().to_string();
    assert_eq!(three.step_index(), 10);
    let (mut n, g) = failing(1);
    let e = n.run(2.0).unwrap_err();
    assert_eq!(on_three, e.to_string());
    let Error::NonFinite {
        object,
        variable,
        index,
        step,
        value,
    } = e.clone()
    else {
        panic!("{e}")
    };
    assert_eq!(
        (object.as_str(), variable.as_str(), index, step),
        ("cells", "v", 1, 10)
    );
    assert!(value.is_nan());
    assert_eq!(n.step_index(), 10);
    assert_eq!(
        e.to_string(),
        "non-finite value NaN in `cells`.v[1] at step 10"
    );
    // With the check off, the run goes on.
    n.set_check_finite(false);
    n.run(0.2).unwrap();
    assert!(n.population(g).unwrap().column(Acc::v)[1].is_nan());

    let mut n = net();
    let (pre, post) = pre_post(&mut n, 2, 1);
    let kick = Kick {
        fail: 1.0,
        ..Kick::default()
    };
    n.add_projection("syn", kick, pre, post, &Connect::AllToAll)
        .unwrap();
    n.add_input(pre.pick(&[1]).unwrap(), spiking_at(&[3]))
        .unwrap();
    let e = n.run(1.0).unwrap_err();
    assert!(
        matches!(&e, Error::NonFinite { object, index: 1, step: 3, .. } if object == "syn"),
        "{e}"
    );
}

/// A panic in a model's code on one thread reaches the caller; the other threads do not wait
/// for it forever.
#[test]
fn a_panic_in_a_model_reaches_the_caller_on_any_thread() {
    for threads in [1, 3] {
        let mut n = net();
        n.set_threads(threads).unwrap();
        let cells = Acc {
            faults: Faults {
                panic_at: 1.0,
                ..Faults::default()
            },
            ..Acc::default()
        };
        n.add_population("cells", 3, cells).unwrap();
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| n.run(2.0)));
        assert!(ran.is_err(), "{threads} threads");
    }
}

#[test]
fn bad_arguments_are_errors() {
    let mut n = net();
    let (pre, post) = pre_post(&mut n, 2, 3);
    let e = n.add_population("pre", 1, Acc::default()).unwrap_err();
    assert_eq!(e, Error::DuplicateName { name: "pre".into() });
    assert!(matches!(
        n.add_population("", 1, Acc::default()),
        Err(Error::InvalidInput { .. })
    ));
    let e = n.add_projection("post", Kick::default(), pre, post, &Connect::AllToAll);
    assert_eq!(
        e.unwrap_err(),
        Error::DuplicateName {
            name: "post".into()
        }
    );
    let e = n
        .add_projection("s", Kick::default(), pre, post, &Connect::OneToOne)
        .unwrap_err();
    assert_eq!(
        e,
        Error::SizeMismatch {
            object: "s".into(),
            expected: 2,
            got: 3
        }
    );
    let bad_p = Connect::FixedProb { p: 2.0, seed: 0 };
    let e = n
        .add_projection("s", Kick::default(), pre, post, &bad_p)
        .unwrap_err();
    assert_eq!(
        e,
        Error::InvalidProbability {
            object: "s".into(),
            p: 2.0
        }
    );

    // Handles of another network.
    let mut other = net();
    let foreign = other.add_population("x", 1, Acc::default()).unwrap();
    assert!(matches!(
        n.record(foreign, Acc::v),
        Err(Error::UnknownObject { .. })
    ));
    assert!(matches!(
        n.add_input(foreign, Input::Constant(1.0)),
        Err(Error::UnknownObject { .. })
    ));
    assert!(matches!(
        n.population(foreign),
        Err(Error::UnknownObject { .. })
    ));
    let e = n.add_projection("s", Kick::default(), pre, foreign, &Connect::AllToAll);
    assert!(matches!(e, Err(Error::UnknownObject { .. })));
    let (m, sm) = (
        other.record(foreign, Acc::v).unwrap(),
        other.record_spikes(foreign).unwrap(),
    );
    assert!(matches!(n.trace(m), Err(Error::UnknownObject { .. })));
    assert!(matches!(n.spikes(sm), Err(Error::UnknownObject { .. })));
    assert!(other.trace(m).is_ok() && other.spikes(sm).is_ok());

    // Lookups by name.
    assert_eq!(n.find_population::<Acc>("pre"), Ok(pre));
    assert_eq!(
        n.find_population::<Silent>("pre").unwrap_err().to_string(),
        "the network has no population named `pre` of model `Silent`"
    );
    assert!(matches!(
        n.find_projection::<Kick>("nope"),
        Err(Error::NoSuchObject { .. })
    ));

    // Methods.
    let e = n.set_method(pre, Method::ExpEuler).unwrap_err();
    assert_eq!(
        e,
        Error::MethodNotSupported {
            object: "pre".into(),
            method: "exp_euler".into(),
            supported: "euler, rk4".into()
        }
    );
    n.set_method(pre, Method::Rk4).unwrap();
    assert_eq!(n.method(pre), Ok(Method::Rk4));
    let syn = n
        .add_projection("s", Kick::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    assert!(matches!(
        n.set_method(syn, Method::Rk4),
        Err(Error::MethodNotSupported { .. })
    ));

    // Parameters.
    let e = n.set_param(syn, Param::new(9, "tau"), 1.0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "model `Kick` has no parameter `tau` (known parameters: w_cur, w_cond, w_volt, \
             w_pre, e, delay, fail)"
    );
    let e = n.set_param(pre, Acc::th, f64::NAN).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }));
    assert!(matches!(
        n.param(pre, Param::new(9, "nope")),
        Err(Error::UnknownParameter { .. })
    ));

    // Monitors and inputs.
    let empty = n.add_population("empty", 0, Acc::default()).unwrap();
    assert_eq!(
        n.record(empty, Acc::v).unwrap_err(),
        Error::EmptyGroup {
            object: "empty".into()
        }
    );
    assert!(matches!(
        n.record_spikes(empty),
        Err(Error::EmptyGroup { .. })
    ));
    let e = post.pick(&[0, 3]).unwrap_err();
    assert_eq!(
        e,
        Error::IndexOutOfRange {
            object: "post".into(),
            index: 3,
            len: 3
        }
    );
    let e = post.pick(&[7]).unwrap_err();
    assert_eq!(
        e,
        Error::IndexOutOfRange {
            object: "post".into(),
            index: 7,
            len: 3
        }
    );
    // A value per member: two members, three values.
    let e = n
        .add_input(post.pick(&[0, 2]).unwrap(), Input::PerNeuron(vec![1.0; 3]))
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::SizeMismatch {
                expected: 2,
                got: 3,
                ..
            }
        ),
        "{e}"
    );
    let e = n
        .population_mut(post)
        .unwrap()
        .set(Acc::v, &[1.0])
        .unwrap_err();
    assert_eq!(
        e,
        Error::SizeMismatch {
            object: "post".into(),
            expected: 3,
            got: 1
        }
    );
    assert!(matches!(
        n.population_mut(post).unwrap().set_all(Acc::v, f64::NAN),
        Err(Error::InvalidInput { .. })
    ));
    let bogus: Var<Acc> = Var::new(9, "bogus");
    assert!(matches!(
        n.record(post, bogus),
        Err(Error::IndexOutOfRange { .. })
    ));

    // Delays are checked when a run starts.
    n.set_param(syn, Kick::delay, -0.5).unwrap();
    let e = n.run(1.0).unwrap_err();
    assert_eq!(
        e,
        Error::NegativeDelay {
            object: "s".into(),
            delay: -0.5
        }
    );
    assert_eq!(n.step_index(), 0);

    // Outputs that need a membrane potential.
    let silent = n.add_population("silent", 2, Silent).unwrap();
    let e = n
        .add_projection("s2", Kick::default(), pre, silent, &Connect::AllToAll)
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput { ref object, .. } if object == "s2"),
        "{e}"
    );
}

#[test]
fn set_order_checks_the_permutation() {
    let mut n = net();
    let (pre, post) = pre_post(&mut n, 1, 1);
    let syn = n
        .add_projection("syn", Kick::default(), pre, post, &Connect::AllToAll)
        .unwrap();
    let e = n.set_order(&[pre.into(), syn.into()]).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { object, .. } if object == "post"),
        "{e}"
    );
    let e = n
        .set_order(&[pre.into(), syn.into(), pre.into()])
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { object, .. } if object == "pre"),
        "{e}"
    );
    let mut other = net();
    let x = other.add_population("x", 1, Acc::default()).unwrap();
    let e = n
        .set_order(&[pre.into(), syn.into(), x.into()])
        .unwrap_err();
    assert!(matches!(e, Error::UnknownObject { .. }), "{e}");
    assert_eq!(n.order(), vec!["pre", "post", "syn"]);
    n.set_order(&[syn.into(), post.into(), pre.into()]).unwrap();
    assert_eq!(n.order(), vec!["syn", "post", "pre"]);
}

#[test]
fn monitors_do_not_reallocate_during_a_run() {
    let mut n = net();
    let g = n.add_population("g", 4, Acc::default()).unwrap();
    let m = n.record_every(g, Acc::v, 7).unwrap();
    n.run(100.0).unwrap();
    let tr = n.trace(m).unwrap();
    assert_eq!(tr.n_rows(), 1000usize.div_ceil(7));
    assert_eq!(tr.values.capacity(), tr.values.len());
    assert_eq!(tr.times[1], 0.7000000000000001);
}

#[test]
fn fixed_prob_network_reproducible() {
    let build = |seed| {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 50, 40);
        let c = Connect::FixedProb { p: 0.1, seed };
        let s = n
            .add_projection("s", Kick::default(), pre, post, &c)
            .unwrap();
        n.projection(s).unwrap().conn().clone()
    };
    assert_eq!(build(3), build(3));
    assert_ne!(build(3), build(4));
}

#[test]
fn an_erased_presynaptic_view_gives_the_synapses_of_the_typed_one() {
    let build = |erase: bool| {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 50, 40);
        let c = Connect::FixedProb { p: 0.3, seed: 9 };
        let view = pre.slice(10..30).unwrap();
        let s = if erase {
            n.add_projection("s", Kick::default(), view.erased(), post, &c)
        } else {
            n.add_projection("s", Kick::default(), view, post, &c)
        }
        .unwrap();
        n.projection(s).unwrap().conn().clone()
    };
    let (typed, erased) = (build(false), build(true));
    assert_eq!(typed, erased);
    // Rows outside the view are empty; inside it some are not.
    assert_eq!(typed.range(5).len(), 0);
    assert!(typed.n_syn() > 0);
    let erased_view = Population::<Acc>::new(0, 0, 7, "g")
        .slice(2..4)
        .unwrap()
        .erased();
    assert_eq!((erased_view.len(), erased_view.indices()), (2, vec![2, 3]));
}

#[test]
fn network_is_send_and_handles_are_small() {
    fn send<T: Send + Sync>() {}
    send::<Network>();
    // The network, the index and the size in u32, the name a pointer and a length.
    assert!(std::mem::size_of::<Population<Acc>>() <= 32);
    assert!(std::mem::size_of::<Projection<Acc>>() <= 16);
    let mut n = net();
    let g = n.add_population("g", 1, Acc::default()).unwrap();
    let copy = g;
    assert_eq!(copy, g);
    assert!(format!("{g:?}").starts_with("Population(g, network "));
    assert!(format!("{n:?}").contains("order: [\"g\"]"));
}

/// A network whose checkpoint the fit tests mangle: `pre` (3 neurons, all spiking at step 9),
/// `post` (2 neurons) and `syn`, a [`Leak`] onto `post` with its output delayed by `delay` ms,
/// run for 1 ms (10 steps); `post.v` is then set to 12345.5 and `syn.s` to 4321.25, values the
/// tests find in the checkpoint's bytes.
fn ringed(delay: f64) -> Network {
    let mut net = Network::new(0.1).unwrap();
    let (pre, post) = pre_post(&mut net, 3, 2);
    let leak = crate::testmodels::Leak {
        delay,
        ..Default::default()
    };
    let syn = net
        .add_projection("syn", leak, pre, post, &Connect::AllToAll)
        .unwrap();
    net.add_input(pre, spiking_at(&[2, 8, 9])).unwrap();
    net.run(1.0).unwrap();
    net.set(post, Acc::v, 12345.5).unwrap();
    net.set(syn, crate::testmodels::Leak::s, 4321.25).unwrap();
    net
}

/// The one place `needle` occurs in `body`.
fn only_at(body: &[u8], needle: &[u8]) -> usize {
    let at: Vec<usize> = (0..=body.len() - needle.len())
        .filter(|&k| &body[k..k + needle.len()] == needle)
        .collect();
    assert_eq!(at.len(), 1, "{needle:?} occurs at {at:?}");
    at[0]
}

/// `checkpoint` with the bytes at `at` replaced by `with` (header recomputed).
fn patched(checkpoint: &crate::Checkpoint, at: usize, with: &[u8]) -> crate::Checkpoint {
    let mut body = checkpoint.body().to_vec();
    body[at..at + with.len()].copy_from_slice(with);
    crate::Checkpoint::of_body(body)
}

/// The reason of an [`Error::Checkpoint`].
fn refusal(e: Error) -> String {
    match e {
        Error::Checkpoint { reason } => reason,
        other => panic!("not a checkpoint error: {other}"),
    }
}

/// Restores `checkpoint` into `target`, which must refuse it and stay as it was.
fn refused_unchanged(target: &mut Network, checkpoint: &crate::Checkpoint) -> String {
    let before = target.checkpoint();
    let step = target.step_index();
    let reason = refusal(target.restore(checkpoint).unwrap_err());
    assert_eq!(target.checkpoint(), before, "changed by a refused restore");
    assert_eq!(target.step_index(), step);
    reason
}

/// The bytes of the `delay` parameter of a checkpoint's `syn` as written: name, then value.
fn delay_param(value: f64) -> Vec<u8> {
    let mut b = 5u64.to_le_bytes().to_vec();
    b.extend_from_slice(b"delay");
    b.extend_from_slice(&value.to_bits().to_le_bytes());
    b
}

#[test]
fn a_delay_ring_of_another_length_than_the_delay_gives_is_refused() {
    // 0.3 ms is 3 steps: the ring of `syn` has 3 slots.
    let mut target = ringed(0.3);
    let good = ringed(0.3).checkpoint();
    for (delay, slots) in [(0.0, 0), (0.1, 1), (0.6, 6)] {
        // A checkpoint of a ring of `slots` slots whose parameter says 0.3 ms.
        let made = ringed(delay).checkpoint();
        let at = only_at(made.body(), &delay_param(delay)) + 13;
        let crafted = patched(&made, at, &0.3f64.to_bits().to_le_bytes());
        let reason = refused_unchanged(&mut target, &crafted);
        assert_eq!(
            reason,
            format!(
                "the delay ring of output 0 of `syn` has {slots} slots in the checkpoint, 3 in \
                 this network (its delay at dt = 0.1 ms)"
            )
        );
        // The checkpoint as it was made restores, its delay with it.
        let mut other = ringed(0.3);
        other.restore(&made).unwrap();
        assert_eq!(other.checkpoint(), made);
    }
    target.restore(&good).unwrap();
    assert_eq!(target.checkpoint(), good);
}

#[test]
fn a_checkpoint_before_the_first_run_has_the_rings_a_run_starts_with() {
    // Before any run the ring is not yet sized; its checkpoint restores into a network that
    // ran, and both continue alike.
    let fresh = |delay: f64| {
        let mut net = Network::new(0.1).unwrap();
        let (pre, post) = pre_post(&mut net, 3, 2);
        let leak = crate::testmodels::Leak {
            delay,
            ..Default::default()
        };
        net.add_projection("syn", leak, pre, post, &Connect::AllToAll)
            .unwrap();
        net.add_input(pre, spiking_at(&[2, 8, 9])).unwrap();
        net
    };
    let start = fresh(0.3).checkpoint();
    let mut ran = fresh(0.3);
    ran.run(1.0).unwrap();
    ran.restore(&start).unwrap();
    ran.run(2.0).unwrap();
    let mut straight = fresh(0.3);
    straight.run(2.0).unwrap();
    assert_eq!(ran.checkpoint(), straight.checkpoint());
}

#[test]
fn a_spike_list_out_of_order_repeated_or_out_of_range_is_refused() {
    let made = ringed(0.3);
    let c = made.checkpoint();
    assert_eq!(made.neurons[0].name(), "pre");
    // `pre` spiked at the last step: its spike list is [0, 1, 2].
    let list = |ids: [u32; 3]| {
        let mut b = 3u64.to_le_bytes().to_vec();
        for i in ids {
            b.extend_from_slice(&i.to_le_bytes());
        }
        b
    };
    let at = only_at(c.body(), &list([0, 1, 2]));
    let mut target = ringed(0.3);
    for (ids, want) in [
        (
            [0, 2, 1],
            "the spike list of `pre` is not strictly ascending: 2 then 1",
        ),
        (
            [0, 1, 1],
            "the spike list of `pre` is not strictly ascending: 1 then 1",
        ),
        (
            [0, 1, 3],
            "the spike list of `pre` names neuron 3, of a group of 3",
        ),
    ] {
        let reason = refused_unchanged(&mut target, &patched(&c, at, &list(ids)));
        assert_eq!(reason, want);
    }
    target.restore(&c).unwrap();
}

#[test]
fn a_state_that_setting_would_refuse_is_refused() {
    let c = ringed(0.3).checkpoint();
    let mut target = ringed(0.3);
    for (value, object, variable) in [(12345.5, "post", "v"), (4321.25, "syn", "s")] {
        let bits = f64::to_bits(value).to_le_bytes();
        let at = (0..c.body().len() - 8)
            .find(|&k| c.body()[k..k + 8] == bits)
            .unwrap();
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let reason =
                refused_unchanged(&mut target, &patched(&c, at, &bad.to_bits().to_le_bytes()));
            // The error setting the same value gives, as the restore names it.
            let set = crate::columns::check_values(object, variable, &[bad]).unwrap_err();
            assert_eq!(reason, format!("`{object}`: {set}"));
            assert!(
                reason.contains(&format!("`{variable}`[0] is not finite")),
                "{reason}"
            );
        }
    }
    target.restore(&c).unwrap();
    assert_eq!(target.checkpoint(), c);
}

#[test]
fn a_model_mismatch_names_the_object_and_both_models() {
    let c = ringed(0.3).checkpoint();
    // `post` of another model.
    let mut other = Network::new(0.1).unwrap();
    let pre = other
        .add_population(
            "pre",
            3,
            Acc {
                th: 1.0,
                ..Acc::default()
            },
        )
        .unwrap();
    let post = other.add_population("post", 2, Silent).unwrap();
    let leak = crate::testmodels::Leak {
        delay: 0.3,
        ..Default::default()
    };
    other
        .add_projection("syn", leak, pre, post, &Connect::AllToAll)
        .unwrap();
    let reason = refused_unchanged(&mut other, &c);
    assert_eq!(
        reason,
        "`post` is of model `Acc` in the checkpoint, `Silent` in this network"
    );
    // Same name, other equations: the fingerprint of `post`'s model changed.
    let mut name = 3u64.to_le_bytes().to_vec();
    name.extend_from_slice(b"Acc");
    let body = c.body();
    let ats: Vec<usize> = (0..body.len() - name.len())
        .filter(|&k| body[k..k + name.len()] == name[..])
        .collect();
    assert_eq!(ats.len(), 2, "`pre` and `post` are of model Acc");
    let at = ats[1] + name.len();
    let mut target = ringed(0.3);
    let reason = refused_unchanged(&mut target, &patched(&c, at, &7u64.to_le_bytes()));
    assert!(
        reason.starts_with(
            "`post` is of model `Acc` in both, but its equations or variables differ \
             (fingerprint 0x0000000000000007 in the checkpoint, 0x"
        ),
        "{reason}"
    );
}

/// A reader of zeros that never ends (it refuses to serve more than 64 MiB, so that a reader
/// reading to the end fails here instead of taking the machine's memory).
struct Zeros {
    after: Vec<u8>,
    served: usize,
}

impl std::io::Read for Zeros {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.served >= 64 << 20 {
            return Err(std::io::Error::other("64 MiB served: read to the end"));
        }
        let n = buf.len().min(1 << 16);
        for (k, b) in buf[..n].iter_mut().enumerate() {
            *b = self.after.get(self.served + k).copied().unwrap_or(0);
        }
        self.served += n;
        Ok(n)
    }
}

#[test]
fn an_endless_input_is_refused_after_its_header() {
    let zeros = |after: Vec<u8>| Zeros { after, served: 0 };
    // Zeros: not a checkpoint, told from the header.
    let mut input = zeros(Vec::new());
    let reason = refusal(crate::Checkpoint::read_from(&mut input).unwrap_err());
    assert_eq!(reason, "not a neurode checkpoint");
    assert!(input.served <= 1 << 16, "read {} bytes", input.served);
    // A header announcing an absurd body, then zeros.
    let header = |len: u64| {
        let mut h = b"NEURODE\x01".to_vec();
        h.extend_from_slice(&crate::FORMAT_VERSION.to_le_bytes());
        h.extend_from_slice(&len.to_le_bytes());
        h.extend_from_slice(&0u64.to_le_bytes());
        h
    };
    let mut input = zeros(header(1 << 50));
    let reason = refusal(crate::Checkpoint::read_from(&mut input).unwrap_err());
    assert_eq!(
        reason,
        "its header announces a body of 1125899906842624 bytes, more than the 68719476736 \
         bytes a checkpoint may have"
    );
    assert!(input.served <= 1 << 16, "read {} bytes", input.served);
    // A header announcing 1000 bytes, then zeros without end: 1000 bytes are read, and the
    // byte after them is refused.
    let mut input = zeros(header(1000));
    let reason = refusal(crate::Checkpoint::read_from(&mut input).unwrap_err());
    assert_eq!(
        reason,
        "the file has trailing bytes: the header says the body is 1000 bytes"
    );
    assert!(input.served <= 1 << 20, "read {} bytes", input.served);
    // A header announcing more than follows: truncated.
    let mut short = header(1 << 30);
    short.extend_from_slice(&[0; 10]);
    let e = crate::Checkpoint::read_from(short.as_slice()).unwrap_err();
    assert!(refusal(e).contains("truncated"));
    // A real checkpoint reads back whole.
    let c = ringed(0.3).checkpoint();
    assert_eq!(crate::Checkpoint::read_from(c.as_bytes()).unwrap(), c);
}
