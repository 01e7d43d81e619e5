//! A run on several threads never hangs: a non-finite value or a panic in any kind of phase, at
//! any step, on 2, 3 and 5 threads, stops every thread at the same barrier and reaches the
//! caller. Each run gets 5 s; a run that does not return by then fails the test (rather than
//! hanging it).

use std::sync::mpsc;
use std::time::Duration;

use crate::connect::Connect;
use crate::error::Error;
use crate::input::Input;
use crate::network::Network;
use crate::testmodels::{Acc, Faults, Kick, Leak};

/// Where the fault is injected.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// A neuron group's tiles.
    Neurons,
    /// A synapse group run in tiles of its postsynaptic neurons, fused with them.
    Fused,
    /// The same, one kernel after the other.
    Tiled,
    /// A synapse group kept per postsynaptic neuron, run whole (its output is delayed).
    SerialPerPost,
    /// A synapse group kept per presynaptic neuron, run whole.
    SerialPerPre,
}

/// A network of 40 neurons driven to spike, one synapse group of the kind `place` asks for onto
/// 40 others, monitors on both; the fault (`nan` or a panic) appears at `at` ms.
fn network(place: Place, nan: bool, at: f64, threads: usize) -> Network {
    let faults = if nan {
        Faults {
            fail_at: at,
            ..Faults::default()
        }
    } else {
        Faults {
            panic_at: at,
            ..Faults::default()
        }
    };
    let mut net = Network::new(0.1).unwrap();
    net.set_threads(threads).unwrap();
    let driver = Acc {
        th: 1.0,
        ..Acc::default()
    };
    let pre = net.add_population("pre", 40, driver).unwrap();
    net.add_input(pre, Input::Constant(0.5)).unwrap();
    let post_model = Acc {
        faults: if matches!(place, Place::Neurons) {
            faults
        } else {
            Faults::default()
        },
        ..Acc::default()
    };
    let post = net.add_population("post", 40, post_model).unwrap();
    let conn = Connect::FixedProb { p: 0.3, seed: 7 };
    match place {
        Place::Neurons | Place::Fused | Place::Tiled | Place::SerialPerPost => {
            let leak = Leak {
                faults: if matches!(place, Place::Neurons) {
                    Faults::default()
                } else {
                    faults
                },
                delay: if matches!(place, Place::SerialPerPost) {
                    0.2
                } else {
                    0.0
                },
                ..Leak::default()
            };
            let syn = net.add_projection("syn", leak, pre, post, &conn).unwrap();
            net.record(syn, Leak::s).unwrap();
            net.set_order(&[pre.into(), syn.into(), post.into()])
                .unwrap();
            net.set_fuse(!matches!(place, Place::Tiled));
        }
        Place::SerialPerPre => {
            let kick = Kick {
                w_cur: 0.1,
                fail: if nan { 1.0 } else { 0.0 },
                panic_at: if nan { 1e30 } else { at },
                ..Kick::default()
            };
            let syn = net.add_projection("syn", kick, pre, post, &conn).unwrap();
            net.record(syn, Kick::n).unwrap();
        }
    }
    net.record(post, Acc::v).unwrap();
    net.record_spikes(pre).unwrap();
    net
}

/// How a run ended.
#[derive(Debug, PartialEq)]
enum End {
    Error(Error),
    Panic,
    Ok,
}

/// Runs `net` for 5 ms on a thread of its own; `None` if it did not return within 5 s.
fn run_with_deadline(mut net: Network) -> Option<End> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| net.run(5.0)));
        let _ = tx.send(match ran {
            Ok(Ok(())) => End::Ok,
            Ok(Err(e)) => End::Error(e),
            Err(_) => End::Panic,
        });
    });
    rx.recv_timeout(Duration::from_secs(5)).ok()
}

/// Deliberate panics of the test models print nothing; every other panic as usual.
fn quiet_test_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str));
            if message != Some("test model panics") {
                default(info);
            }
        }));
    });
}

#[test]
fn faults_in_every_kind_of_phase_stop_every_thread() {
    quiet_test_panics();
    let places = [
        Place::Neurons,
        Place::Fused,
        Place::Tiled,
        Place::SerialPerPost,
        Place::SerialPerPre,
    ];
    let mut runs = 0;
    for threads in [2, 3, 5] {
        for place in places {
            for nan in [true, false] {
                // The fault at a different step each time: 0.1 ms to 4.0 ms.
                for k in 1..=20 {
                    let at = 0.2 * f64::from(k) - 0.1;
                    let end = run_with_deadline(network(place, nan, at, threads));
                    runs += 1;
                    let Some(end) = end else {
                        panic!("{place:?}, nan {nan}, at {at} ms, {threads} threads: hung");
                    };
                    let expected = match &end {
                        End::Error(Error::NonFinite { object, .. }) if nan => {
                            let faulty = if matches!(place, Place::Neurons) {
                                "post"
                            } else {
                                "syn"
                            };
                            object == faulty
                        }
                        End::Panic => !nan,
                        _ => false,
                    };
                    assert!(
                        expected,
                        "{place:?}, nan {nan}, at {at} ms, {threads} threads: {end:?}"
                    );
                }
            }
        }
    }
    assert_eq!(runs, 600);
}
