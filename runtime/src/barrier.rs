//! The barrier that ends every section of a multi-threaded run, and carries the decision to stop.
//!
//! Each party calls [`Barrier::wait`] with its own stop request. The last party to arrive
//! publishes the next generation together with one stop bit, the OR of every request of this
//! generation; every party returns that same bit. So all threads decide to stop at the same
//! barrier, and none can read a stop request meant for a later one (the fault that let a thread
//! leave one barrier early while the others waited at the next one for ever).
//!
//! A party that panics [`Barrier::break_all`]s: every wait, now or later, returns
//! [`Flow::Broken`] instead of waiting for a party that will never come.
//!
//! Written with `std` atomics, or `loom`'s under `--cfg loom`, where `tests::loom_*` check every
//! interleaving of a small team.

#[cfg(loom)]
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What the parties do after a barrier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Carry on with the next section.
    Go,
    /// Some party asked to stop at this barrier: every party stops here.
    Stop,
    /// A party panicked: nobody waits for it; leave without touching anything shared.
    Broken,
}

/// A reusable barrier for a fixed number of parties that spins briefly, then yields (a section
/// is microseconds long, far less than what a sleeping barrier takes to wake up).
pub(crate) struct Barrier {
    parties: usize,
    arrived: AtomicUsize,
    /// `generation << 1 | stop`: the count of completed generations and the stop bit of the
    /// last one.
    state: AtomicUsize,
    /// Stop requests of the generation in progress.
    requested: AtomicBool,
    broken: AtomicBool,
}

impl Barrier {
    /// A barrier for `parties` parties (at least one).
    pub(crate) fn new(parties: usize) -> Self {
        Barrier {
            parties: parties.max(1),
            arrived: AtomicUsize::new(0),
            state: AtomicUsize::new(0),
            requested: AtomicBool::new(false),
            broken: AtomicBool::new(false),
        }
    }

    /// Releases every waiting party, now and later.
    pub(crate) fn break_all(&self) {
        self.broken.store(true, Ordering::Release);
    }

    /// Waits for every party; `stop` is this party's request. Returns [`Flow::Stop`] to every
    /// party if any of them requested it in this generation, [`Flow::Broken`] once the barrier is
    /// broken. Everything a party did before its `wait` is visible to every party after theirs.
    pub(crate) fn wait(&self, stop: bool) -> Flow {
        if self.broken.load(Ordering::Acquire) {
            return Flow::Broken;
        }
        if stop {
            // Published to the last party by the release sequence on `arrived`.
            self.requested.store(true, Ordering::Relaxed);
        }
        // A generation cannot complete before this party arrives: this is the current one.
        let generation = self.state.load(Ordering::Acquire) >> 1;
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.parties {
            self.arrived.store(0, Ordering::Relaxed);
            let stop = self.requested.swap(false, Ordering::Relaxed);
            self.state.store(
                (generation.wrapping_add(1) << 1) | usize::from(stop),
                Ordering::Release,
            );
            return if stop { Flow::Stop } else { Flow::Go };
        }
        let mut spins = 0u32;
        loop {
            let state = self.state.load(Ordering::Acquire);
            // The next generation cannot complete without this party: `state` is this one's.
            if state >> 1 != generation {
                return if state & 1 == 1 { Flow::Stop } else { Flow::Go };
            }
            if self.broken.load(Ordering::Acquire) {
                return Flow::Broken;
            }
            backoff(&mut spins);
        }
    }
}

/// Spins a while, then yields the processor.
#[inline]
fn backoff(spins: &mut u32) {
    #[cfg(loom)]
    {
        let _ = spins;
        loom::thread::yield_now();
    }
    #[cfg(not(loom))]
    {
        if *spins < 1 << 14 {
            std::hint::spin_loop();
            *spins += 1;
        } else {
            std::thread::yield_now();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn orders_writes_and_agrees_on_stop() {
        let barrier = Barrier::new(3);
        let cells: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
        std::thread::scope(|s| {
            for k in 0..3 {
                let (barrier, cells) = (&barrier, &cells);
                s.spawn(move || {
                    for round in 1..=300 {
                        cells[k].store(round, Ordering::Relaxed);
                        // Thread `round % 3` asks to stop every 50th round: all see it there.
                        let ask = round % 50 == 0 && k == round % 3;
                        let flow = barrier.wait(ask);
                        for c in cells {
                            assert_eq!(c.load(Ordering::Relaxed), round);
                        }
                        let expected = if round % 50 == 0 {
                            Flow::Stop
                        } else {
                            Flow::Go
                        };
                        assert_eq!(flow, expected, "round {round}, thread {k}");
                        assert_eq!(barrier.wait(false), Flow::Go);
                    }
                });
            }
        });
    }

    #[test]
    fn a_broken_barrier_releases_everyone() {
        let barrier = Barrier::new(3);
        std::thread::scope(|s| {
            for _ in 0..2 {
                let barrier = &barrier;
                s.spawn(move || assert_eq!(barrier.wait(false), Flow::Broken));
            }
            barrier.break_all();
        });
        assert_eq!(barrier.wait(false), Flow::Broken);
    }

    #[test]
    fn one_party_never_waits() {
        let barrier = Barrier::new(1);
        assert_eq!(barrier.wait(false), Flow::Go);
        assert_eq!(barrier.wait(true), Flow::Stop);
        assert_eq!(barrier.wait(false), Flow::Go);
    }
}

/// Every interleaving of two parties (`RUSTFLAGS="--cfg loom" cargo test -p neurode-runtime
/// --lib --release loom`): the stop decision is the same for every party at every barrier, a
/// request never leaks into a later barrier, and a broken barrier never leaves a party waiting.
/// (Teams of three and more spin beyond what loom can explore; `crate::stress` runs them on real
/// threads, hundreds of times.)
#[cfg(all(test, loom))]
mod tests {
    use super::*;
    use loom::sync::Arc;

    /// Two parties pass three barriers; party 1 asks to stop at the second. Both must see
    /// `Go`, `Stop` and leave there (a third wait would deadlock if one of them had left early).
    #[test]
    fn loom_stop_is_seen_by_every_party_at_the_same_barrier() {
        loom::model(|| {
            let barrier = Arc::new(Barrier::new(2));
            let other = {
                let barrier = Arc::clone(&barrier);
                loom::thread::spawn(move || {
                    let a = barrier.wait(false);
                    let b = barrier.wait(true);
                    (a, b)
                })
            };
            let a = barrier.wait(false);
            let b = barrier.wait(false);
            assert_eq!((a, b), (Flow::Go, Flow::Stop));
            assert_eq!(other.join().unwrap(), (Flow::Go, Flow::Stop));
        });
    }

    /// A request belongs to its generation: after a barrier that stopped, the next one goes on
    /// unless asked again, whichever party asked and however the two interleave.
    #[test]
    fn loom_a_request_does_not_leak_into_the_next_generation() {
        loom::model(|| {
            let barrier = Arc::new(Barrier::new(2));
            let other = {
                let barrier = Arc::clone(&barrier);
                loom::thread::spawn(move || [barrier.wait(true), barrier.wait(false)])
            };
            let mine = [barrier.wait(false), barrier.wait(false)];
            assert_eq!(mine, [Flow::Stop, Flow::Go]);
            assert_eq!(other.join().unwrap(), [Flow::Stop, Flow::Go]);
        });
    }

    /// Both parties ask: one stop, seen by both.
    #[test]
    fn loom_two_requests_are_one_stop() {
        loom::model(|| {
            let barrier = Arc::new(Barrier::new(2));
            let other = {
                let barrier = Arc::clone(&barrier);
                loom::thread::spawn(move || barrier.wait(true))
            };
            assert_eq!(barrier.wait(true), Flow::Stop);
            assert_eq!(other.join().unwrap(), Flow::Stop);
        });
    }

    /// One party dies before the barrier: the other returns `Broken` whatever the interleaving.
    #[test]
    fn loom_a_broken_barrier_never_hangs() {
        loom::model(|| {
            let barrier = Arc::new(Barrier::new(2));
            let dead = {
                let barrier = Arc::clone(&barrier);
                loom::thread::spawn(move || barrier.break_all())
            };
            assert_eq!(barrier.wait(false), Flow::Broken);
            dead.join().unwrap();
        });
    }
}
