//! The network: populations, projections, inputs and monitors, run in insertion order.
//!
//! The rooms of its methods: `handles` (what a user holds), `build` (populations, projections,
//! the schedule), `configure` (methods, parameters, storage, delays, values), `observe` (inputs,
//! monitors, look-ups, streams) and `run` (the run and its checkpoints).

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};
use crate::exec::Observer;
use crate::group::AnyGroup;
use crate::memory::Budget;
use crate::monitor::{SpikeRecorder, StateRecorder};
use crate::schedule::{FuserEntry, Obj, Phase, Slot};
use crate::stream::Stream;
use crate::synapse::AnySynapses;

/// Most threads a network may run on.
pub const MAX_THREADS: usize = 1024;

/// Most steps a single run may take.
pub const MAX_STEPS: u64 = 1_000_000_000;

/// Bytes of rows a streamed state monitor holds at most during a run
/// ([`Network::stream_trace`]): 4 MiB.
pub const STREAM_PIECE_BYTES: u64 = 4 << 20;

/// Steps of a piece of a run with a streamed spike monitor ([`Network::stream_spikes`]).
pub const STREAM_PIECE_STEPS: u64 = 10_000;

/// Largest step a network accepts (ms): one second. The models of a spiking network have time
/// constants of milliseconds; a step far beyond them is a mistake (a unit slip, a stray
/// exponent), and an explicit integrator fed one does not fail where the mistake is made: it
/// diverges, and `dt · dV/dt` overflows to infinity and then NaN in `V` steps later (at
/// `dt = 1e300` the first step already overflows). Refusing it at [`Network::new`] names `dt`.
pub const MAX_DT: f64 = 1000.0;

/// Relative tolerance of "a whole number of steps" (durations and spike times, ms): `x / dt` is
/// taken for the whole number `k = round(x / dt)` when `|x / dt − k| ≤ STEP_TOLERANCE · max(k, 1)`.
/// It absorbs the rounding of decimal ms in binary (1000 / 0.1 = 9999.999999999998), never a
/// real fraction of a step.
pub const STEP_TOLERANCE: f64 = 1e-9;

/// `round(x / dt)` when `x` ms is a whole number of steps of `dt` ms within
/// [`STEP_TOLERANCE`]; otherwise `Err(q)` with `q = x / dt`, the fractional number of steps.
/// `x` and `dt` finite, `x >= 0`, `dt > 0`.
pub(crate) fn whole_steps(x: f64, dt: f64) -> std::result::Result<f64, f64> {
    let q = x / dt;
    let k = q.round();
    if (q - k).abs() <= STEP_TOLERANCE * k.max(1.0) {
        Ok(k)
    } else {
        Err(q)
    }
}

/// Number of steps of a run of `duration` ms at step `dt` ms: `round(duration / dt)`, when the
/// duration is a whole number of steps within rounding ([`STEP_TOLERANCE`]): 30 ms → 300 and
/// 1000 ms → 10000 steps at 0.1 ms, 0 ms → 0 steps. A duration that is not (0.25 ms at 0.1 ms)
/// is refused, never rounded: a run simulates exactly the time asked for.
///
/// Errors: [`Error::InvalidDuration`] for a negative or non-finite duration or more than
/// [`MAX_STEPS`] steps, [`Error::DurationNotWhole`] for a duration that is not a whole number of
/// steps (naming the whole numbers of steps on either side), [`Error::InvalidDt`] for a bad `dt`.
pub fn steps_for(duration: f64, dt: f64) -> Result<u64> {
    check_dt(dt)?;
    if !duration.is_finite() || duration < 0.0 {
        return Err(Error::InvalidDuration { duration });
    }
    let steps = whole_steps(duration, dt).map_err(|q| {
        if q.floor() > MAX_STEPS as f64 {
            Error::InvalidDuration { duration }
        } else {
            // 0 <= floor(q) < ceil(q) <= MAX_STEPS + 1.
            Error::DurationNotWhole {
                duration,
                dt,
                below: q.floor() as u64,
                above: q.ceil() as u64,
            }
        }
    })?;
    if steps > MAX_STEPS as f64 {
        return Err(Error::InvalidDuration { duration });
    }
    // 0 <= steps <= MAX_STEPS.
    Ok(steps as u64)
}

/// [`Error::InvalidDt`] unless `dt` is finite, positive and at most [`MAX_DT`].
pub(crate) fn check_dt(dt: f64) -> Result<()> {
    if dt.is_finite() && dt > 0.0 && dt <= MAX_DT {
        Ok(())
    } else {
        Err(Error::InvalidDt { dt })
    }
}

mod actions;
mod build;
mod configure;
mod handles;
mod observe;
mod run;
#[cfg(test)]
mod tests;

pub use actions::{Action, InputId};
pub use handles::{
    AnyNeuron, Elements, ObjectId, Population, Projection, RateMonitor, Resolved, Selection,
    SpikeMonitor, StateMonitor, View,
};

static NEXT_NETWORK: AtomicU32 = AtomicU32::new(0);
/// A spiking network: neuron groups and synapse groups run in the order they were added, with
/// external inputs and monitors, at a fixed step `dt` (ms), on one or several threads
/// ([`Network::set_threads`]) with bit-identical results.
///
/// Per step `i` (time `t_i = i as f64 * dt`, the counter continuing across runs), first the
/// actions scheduled for `t_i` ([`Network::at`]) are applied, in the order they were scheduled;
/// then each object in insertion order: it updates at `t_i`, its delay rings advance and its outputs are delivered to
/// their target groups (synapse groups), then its monitors record. External inputs are added to a
/// neuron group's input accumulator before the synapse groups that run with it (see
/// [`Network::phases`]) and after the others. With the order (pre, synapse, post) the synapse
/// sees the presynaptic spike of the same step and the post group consumes the current in the
/// same step; with (pre, post, synapse) the post group receives it one step later.
pub struct Network {
    id: u32,
    dt: f64,
    step: u64,
    neurons: Vec<Box<dyn AnyGroup>>,
    synapses: Vec<Box<dyn AnySynapses>>,
    schedule: Vec<Slot>,
    monitors: Vec<StateRecorder>,
    spike_monitors: Vec<SpikeRecorder>,
    observer: Option<Observer>,
    check_finite: bool,
    threads: usize,
    fuse: bool,
    /// The fused loops of the (synapse, neuron) group types added so far.
    fusers: Vec<FuserEntry>,
    /// The seed of the values drawn by [`Network::set`] and [`Network::set_delays`].
    seed: u64,
    /// The memory budget and what the network's large buffers took of it.
    budget: Budget,
    /// Monitors streamed to files.
    streams: Vec<Stream>,
    /// Actions not yet applied, by step (then in the order they were scheduled).
    actions: Vec<actions::Scheduled>,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order: Vec<&str> = self
            .schedule
            .iter()
            .map(|s| self.object_name(s.obj))
            .collect();
        f.debug_struct("Network")
            .field("dt", &self.dt)
            .field("step", &self.step)
            .field("order", &order)
            .field("monitors", &self.monitors.len())
            .field("spike_monitors", &self.spike_monitors.len())
            .finish()
    }
}
impl Network {
    /// An empty network with step `dt` (ms, e.g. 0.1). [`Error::InvalidDt`] unless finite,
    /// positive and at most [`MAX_DT`] (1000 ms).
    pub fn new(dt: f64) -> Result<Self> {
        check_dt(dt)?;
        Ok(Network {
            id: NEXT_NETWORK.fetch_add(1, Ordering::Relaxed),
            dt,
            step: 0,
            neurons: Vec::new(),
            synapses: Vec::new(),
            schedule: Vec::new(),
            monitors: Vec::new(),
            spike_monitors: Vec::new(),
            observer: None,
            check_finite: true,
            threads: 1,
            fuse: true,
            fusers: Vec::new(),
            seed: 0,
            budget: Budget::default(),
            streams: Vec::new(),
            actions: Vec::new(),
        })
    }

    /// Limits the memory of the network's large buffers (state and buffers of neuron groups,
    /// connectivity and columns of synapse groups, delay rings, monitor traces) to `bytes`, or
    /// lifts the limit (`None`, the default). A buffer that would exceed it is refused before
    /// it is reserved, with [`Error::OutOfMemory`] naming the object, the buffer and the bytes;
    /// nothing changes then. Without a budget the buffers are still reserved fallibly: what the
    /// allocator refuses is the same error, never an abort. (On Linux, which overcommits
    /// memory, the allocator refuses only what exceeds the machine's memory and swap; a budget
    /// is the way to stop earlier.)
    pub fn set_memory_budget(&mut self, bytes: Option<u64>) {
        self.budget.limit = bytes;
    }

    /// Bytes of the network's large buffers charged so far (see
    /// [`Network::set_memory_budget`]; monitor traces count with the rows reserved for the runs
    /// so far).
    pub fn memory_charged(&self) -> u64 {
        self.budget.charged
    }

    /// The step (ms).
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Number of steps run so far (the index of the next step).
    pub fn step_index(&self) -> u64 {
        self.step
    }

    /// Time of the next step (ms): `step_index() as f64 * dt`.
    pub fn time(&self) -> f64 {
        self.step as f64 * self.dt
    }

    /// Calls `observer` as runs progress: with the steps done and asked for, about 200 times
    /// per run and at its end, from the calling thread. Observing changes nothing the run
    /// computes. `None` (the default) observes nothing.
    pub fn set_observer(&mut self, observer: Option<Observer>) {
        self.observer = observer;
    }

    /// Checks every state column for NaN and infinities after each update (default `true`): a
    /// non-finite value stops the run with [`Error::NonFinite`].
    pub fn set_check_finite(&mut self, on: bool) {
        self.check_finite = on;
    }

    /// Runs on `threads` threads (default 1: the calling thread only). Results are bit-identical
    /// for any number of threads. Error: [`Error::InvalidInput`] for 0 or more than
    /// [`MAX_THREADS`].
    ///
    /// Threads share the neuron groups tile by tile, together with the synapse groups onto them
    /// that keep their state per postsynaptic neuron and deliver directly (see
    /// [`Network::phases`]); other synapse groups run on the calling thread while the others wait.
    /// Every phase ends at a barrier, so threads pay only with enough neurons each: on the COBA
    /// benchmark two threads are about twice as fast as one from N = 64000 up, break even near
    /// 16000 and are slower at 4000. More threads than cores cost far more: a thread waiting for
    /// a core holds every other thread at the next barrier (the numbers stay the same; the CLI's
    /// examples warn).
    pub fn set_threads(&mut self, threads: usize) -> Result<()> {
        if threads == 0 || threads > MAX_THREADS {
            return Err(Error::InvalidInput {
                object: "network".into(),
                reason: format!("{threads} threads: give 1 to {MAX_THREADS}"),
            });
        }
        self.threads = threads;
        Ok(())
    }

    /// Number of threads runs use.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs a neuron group and the synapse groups of one model onto it as one loop where they
    /// allow it (default `true`; see [`Network::phases`]). The results are the same bit for bit
    /// either way: `false` is for checking that, and for measuring what fusion brings.
    pub fn set_fuse(&mut self, on: bool) {
        self.fuse = on;
    }

    /// How the next run will execute the schedule, one line per phase: `fused: a, b, g` for
    /// synapse groups `a`, `b` and neuron group `g` run as one loop over each thread's tile,
    /// `tiled: a, g` for objects run one after the other over each thread's tile, `serial: s` for
    /// a synapse group run whole by the calling thread while the others wait, `on_post: s` for
    /// the postsynaptic rules of `s`, run likewise. Prepares the
    /// objects as a run would; errors as [`Network::run`].
    pub fn phases(&mut self) -> Result<Vec<String>> {
        self.prepare()?;
        let phases = self.plan();
        Ok(phases
            .iter()
            .map(|p| match p {
                Phase::Tiled(t) => {
                    let names: Vec<&str> = t
                        .slots
                        .iter()
                        .map(|&k| self.object_name(self.schedule[k].obj))
                        .collect();
                    let how = if t.fuser.is_some() { "fused" } else { "tiled" };
                    format!("{how}: {}", names.join(", "))
                }
                Phase::Serial { synapse, .. } => {
                    format!("serial: {}", self.synapses[*synapse].name())
                }
                Phase::Post { synapse, .. } => {
                    format!("on_post: {}", self.synapses[*synapse].name())
                }
            })
            .collect())
    }

    /// Object names in schedule (insertion) order.
    pub fn order(&self) -> Vec<&str> {
        self.schedule
            .iter()
            .map(|s| self.object_name(s.obj))
            .collect()
    }

    pub(super) fn object_name(&self, obj: Obj) -> &str {
        match obj {
            Obj::Neuron(g) => self.neurons[g].name(),
            Obj::Synapse(s) => self.synapses[s].name(),
        }
    }

    pub(super) fn check_name(&self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(Error::InvalidInput {
                object: String::new(),
                reason: "object names must not be empty".to_string(),
            });
        }
        let taken = self.neurons.iter().any(|g| g.name() == name)
            || self.synapses.iter().any(|s| s.name() == name);
        if taken {
            return Err(Error::DuplicateName {
                name: name.to_string(),
            });
        }
        Ok(())
    }

    pub(super) fn foreign(&self, handle: &dyn fmt::Debug) -> Error {
        Error::UnknownObject {
            handle: format!("{handle:?}"),
        }
    }

    pub(super) fn pop_index<M>(&self, p: Population<M>) -> Result<usize> {
        if p.net == self.id && p.index < self.neurons.len() {
            Ok(p.index)
        } else {
            Err(self.foreign(&p))
        }
    }

    pub(super) fn proj_index<S>(&self, p: Projection<S>) -> Result<usize> {
        if p.net == self.id && p.index < self.synapses.len() {
            Ok(p.index)
        } else {
            Err(self.foreign(&p))
        }
    }

    pub(super) fn object(&self, id: ObjectId) -> Result<Obj> {
        let ok = id.net == self.id
            && match id.obj {
                Obj::Neuron(g) => g < self.neurons.len(),
                Obj::Synapse(s) => s < self.synapses.len(),
            };
        if ok {
            Ok(id.obj)
        } else {
            Err(self.foreign(&id))
        }
    }
}
