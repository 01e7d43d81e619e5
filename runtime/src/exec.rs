//! The step loop of a run: the schedule cut into phases, run by one or several threads.
//!
//! Thread `k` of `K` owns the neurons `k·n/K .. (k+1)·n/K` of every group of `n` (its *tile*).
//! A *tiled phase* is a neuron group together with the tileable synapse groups onto it that run
//! right before it in the schedule (per-postsynaptic state, direct outputs, sorted rows:
//! [`AnySynapses::tileable`]). Each thread runs every synapse group of the phase on its tile
//! (spikes, integration, outputs into the tile's input), then the neurons of its tile. Anything
//! else (per-presynaptic or per-synapse state, delays, voltage outputs, recorded synapses) is a
//! *serial phase*, run whole by thread 0. With one thread, the tile is the whole group.
//!
//! Phases end at a barrier. After a tiled phase, thread 0 alone assembles the spike list from the
//! threads' parts (in tile order, hence ascending), checks finiteness and records the monitors,
//! then a second barrier lets everyone read the new list. Every element sees the same operations
//! in the same order whatever the number of threads (tiles do not depend on it, spikes are applied
//! in the order of the spike list), so results are bit-identical for any thread count.
//!
//! # Safety
//!
//! The buffers written during a run (state columns, input accumulators, flags) are reached through
//! [`Raw`] pointers taken once, from `&mut`, before the run starts; nothing reaches them through
//! their `Vec`s until the run ends, and nothing resizes them. The one rule that makes the unsafe
//! slicing sound: in a tiled phase a thread touches only its own tiles of the phase's group (and
//! of the per-postsynaptic columns of its synapse groups), and reads the spike lists, which only
//! thread 0 writes, between the two barriers that close a phase while every other thread waits.
//! In a serial phase and between those barriers, thread 0 is the only thread touching anything.
#![allow(unsafe_code)]

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use indicatif::ProgressBar;

use crate::error::{Error, Result};
use crate::group::{first_non_finite, non_finite, AnyGroup};
use crate::model::{NeuronStep, NeuronView, PostTile};
use crate::monitor::{Owner, SpikeMonitor, StateMonitor};
use crate::network::{Obj, Slot};
use crate::synapse::AnySynapses;

/// A buffer shared by the threads of a run, which slice it at disjoint ranges.
pub(crate) struct Raw<T> {
    ptr: *mut T,
    len: usize,
}

impl<T> Clone for Raw<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Raw<T> {}

// SAFETY: a `Raw` is a pointer into a buffer owned by the network for the whole run; threads use it
// only as the module's rule allows (disjoint ranges, or one thread while the others wait).
unsafe impl<T: Send> Send for Raw<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Raw<T> {}

impl<T> Raw<T> {
    /// The buffer `buf`, which must not be reached otherwise until the run ends.
    pub(crate) fn new(buf: &mut [T]) -> Self {
        Raw {
            ptr: buf.as_mut_ptr(),
            len: buf.len(),
        }
    }

    /// `buf[range]`.
    ///
    /// # Safety
    ///
    /// The buffer is alive, and nothing writes to `range` while the slice lives.
    unsafe fn slice<'a>(self, range: Range<usize>) -> &'a [T] {
        assert!(range.start <= range.end && range.end <= self.len);
        // SAFETY: in bounds (checked); the caller guarantees liveness and no concurrent writes.
        unsafe { std::slice::from_raw_parts(self.ptr.add(range.start), range.len()) }
    }

    /// `&mut buf[range]`.
    ///
    /// # Safety
    ///
    /// The buffer is alive, and nothing else reaches `range` while the slice lives.
    unsafe fn slice_mut<'a>(self, range: Range<usize>) -> &'a mut [T] {
        assert!(range.start <= range.end && range.end <= self.len);
        // SAFETY: in bounds (checked); the caller guarantees liveness and exclusivity.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(range.start), range.len()) }
    }
}

/// A neuron group's storage for one run.
pub(crate) struct GroupBuffers {
    pub(crate) columns: Vec<Raw<f64>>,
    /// Index of the membrane potential in `columns`.
    pub(crate) membrane: Option<usize>,
    pub(crate) input: Raw<f64>,
    pub(crate) spike: Raw<bool>,
    pub(crate) refractory: Raw<bool>,
    pub(crate) t_last_spike: Raw<f64>,
    pub(crate) n: usize,
}

/// A stretch of the schedule run together.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Tileable synapse groups onto neuron group `group`, then (if `neuron`) the group itself.
    Tiled {
        group: usize,
        synapses: Vec<usize>,
        neuron: bool,
        /// Schedule slots of the phase's objects, in order (for their monitors).
        slots: Vec<usize>,
    },
    /// One synapse group, run whole by thread 0.
    Serial { synapse: usize, slot: usize },
}

/// Cuts `schedule` into phases.
pub(crate) fn plan(
    schedule: &[Slot],
    neurons: &[Box<dyn AnyGroup>],
    synapses: &[Box<dyn AnySynapses>],
) -> Vec<Phase> {
    let mut phases: Vec<Phase> = Vec::new();
    for (k, slot) in schedule.iter().enumerate() {
        match slot.obj {
            Obj::Neuron(g) => {
                if let Some((_, slots, neuron)) = open_phase(&mut phases, g) {
                    slots.push(k);
                    *neuron = true;
                } else {
                    phases.push(Phase::Tiled {
                        group: g,
                        synapses: Vec::new(),
                        neuron: true,
                        slots: vec![k],
                    });
                }
            }
            Obj::Synapse(s) => {
                let syn = &synapses[s];
                let post = syn.endpoints().1;
                // A recorded synapse is read whole by the monitor; tiles need V of the target.
                let tiled = syn.tileable()
                    && slot.monitors.is_empty()
                    && neurons[post].info().membrane.is_some();
                if !tiled {
                    phases.push(Phase::Serial {
                        synapse: s,
                        slot: k,
                    });
                } else if let Some((syns, slots, _)) = open_phase(&mut phases, post) {
                    syns.push(s);
                    slots.push(k);
                } else {
                    phases.push(Phase::Tiled {
                        group: post,
                        synapses: vec![s],
                        neuron: false,
                        slots: vec![k],
                    });
                }
            }
        }
    }
    phases
}

/// The last phase if it is a tiled phase of group `g` that can still take objects (its neurons
/// have not run yet): its synapse groups, slots and neuron flag.
fn open_phase(
    phases: &mut [Phase],
    g: usize,
) -> Option<(&mut Vec<usize>, &mut Vec<usize>, &mut bool)> {
    match phases.last_mut() {
        Some(Phase::Tiled {
            group,
            synapses,
            neuron,
            slots,
        }) if *group == g && !*neuron => Some((synapses, slots, neuron)),
        _ => None,
    }
}

/// A barrier for a fixed number of threads that spins briefly, then yields: a step is tens of
/// microseconds, far less than what a sleeping barrier takes to wake up.
struct SpinBarrier {
    parties: usize,
    arrived: AtomicUsize,
    generation: AtomicUsize,
}

impl SpinBarrier {
    fn new(parties: usize) -> Self {
        SpinBarrier {
            parties,
            arrived: AtomicUsize::new(0),
            generation: AtomicUsize::new(0),
        }
    }

    /// Returns once all parties have called `wait`; everything each did before is then visible
    /// to all.
    fn wait(&self) {
        if self.parties == 1 {
            return;
        }
        let generation = self.generation.load(Ordering::Acquire);
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.parties {
            self.arrived.store(0, Ordering::Relaxed);
            self.generation
                .store(generation.wrapping_add(1), Ordering::Release);
        } else {
            let mut spins = 0u32;
            while self.generation.load(Ordering::Acquire) == generation {
                if spins < 1 << 14 {
                    std::hint::spin_loop();
                    spins += 1;
                } else {
                    std::thread::yield_now();
                }
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(PoisonError::into_inner)
}

/// Thread `k`'s tile of a group of `n` neurons, out of `threads`: a contiguous range, the same
/// for the neurons and for the per-postsynaptic state of the synapse groups onto them.
fn tile(n: usize, k: usize, threads: usize) -> Range<usize> {
    k * n / threads..(k + 1) * n / threads
}

/// Appends `first + j` for every set flag `j`, eight flags at a time (spikes are rare).
pub(crate) fn push_spikes(flags: &[bool], first: usize, out: &mut Vec<u32>) {
    // SAFETY: `bool` is one byte holding 0 or 1, a valid `u8`; the slice is only read.
    let bytes: &[u8] = unsafe { std::slice::from_raw_parts(flags.as_ptr().cast(), flags.len()) };
    let words = bytes.chunks_exact(8);
    let tail = words.remainder();
    for (w, word) in words.enumerate() {
        let mut x = u64::from_le_bytes(word.try_into().unwrap_or_default());
        while x != 0 {
            let byte = x.trailing_zeros() / 8;
            // Groups are capped at u32::MAX neurons.
            out.push((first + w * 8) as u32 + byte);
            x &= !(0xff << (8 * byte));
        }
    }
    let tail_first = first + (bytes.len() - tail.len());
    for (j, &b) in tail.iter().enumerate() {
        if b != 0 {
            out.push((tail_first + j) as u32);
        }
    }
}

/// A whole group as a synapse sees it.
///
/// # Safety
///
/// Nothing writes to the group's V, spike or refractory flags while the view lives.
unsafe fn whole_view<'a>(buf: &GroupBuffers, spiking: &'a [u32]) -> NeuronView<'a> {
    // SAFETY: as the caller guarantees.
    unsafe {
        NeuronView {
            v: buf
                .membrane
                .map_or(&[][..], |m| buf.columns[m].slice(0..buf.n)),
            spike: buf.spike.slice(0..buf.n),
            spiking,
            refractory: buf.refractory.slice(0..buf.n),
        }
    }
}

/// A synapse group run in tiles, and its state columns.
type TiledSynapses<'n> = (&'n (dyn AnySynapses + 'static), Vec<Raw<f64>>);

/// What every thread of a run reads.
struct Shared<'n> {
    groups: Vec<&'n (dyn AnyGroup + 'static)>,
    bufs: Vec<GroupBuffers>,
    /// Per group: the neurons that spiked at its last update (written by thread 0 only).
    spiking: Vec<RwLock<Vec<u32>>>,
    /// Per group and thread: the spikes of the thread's tiles at the last update.
    parts: Vec<Vec<Mutex<Vec<u32>>>>,
    /// Per synapse group: the group and its columns, if it runs in tiles.
    tiled: Vec<Option<TiledSynapses<'n>>>,
    group_failed: Vec<AtomicBool>,
    synapse_failed: Vec<AtomicBool>,
    phases: Vec<Phase>,
    threads: usize,
    barrier: SpinBarrier,
    stop: AtomicBool,
    start: u64,
    steps: u64,
    dt: f64,
}

/// What thread 0 alone works with.
struct Main<'n> {
    serial: Vec<Option<&'n mut (dyn AnySynapses + 'static)>>,
    monitors: &'n mut [StateMonitor],
    spike_monitors: &'n mut [SpikeMonitor],
    schedule: &'n [Slot],
    check: bool,
    error: Option<Error>,
    done: u64,
    bar: Option<ProgressBar>,
}

/// A thread's reusable buffers (nothing allocates in the step loop once they have grown).
struct Scratch<'s> {
    columns: Vec<&'s mut [f64]>,
    /// Per synapse group: the position in each spiking row.
    cursors: Vec<Vec<usize>>,
    spikes: Vec<u32>,
}

/// How to run.
pub(crate) struct RunConfig {
    /// Index of the first step.
    pub(crate) start: u64,
    pub(crate) steps: u64,
    pub(crate) dt: f64,
    pub(crate) threads: usize,
    pub(crate) check: bool,
    pub(crate) bar: Option<ProgressBar>,
}

/// Everything a run touches, borrowed from the network.
pub(crate) struct Objects<'a> {
    pub(crate) neurons: &'a mut [Box<dyn AnyGroup>],
    pub(crate) synapses: &'a mut [Box<dyn AnySynapses>],
    pub(crate) monitors: &'a mut [StateMonitor],
    pub(crate) spike_monitors: &'a mut [SpikeMonitor],
    pub(crate) schedule: &'a [Slot],
}

/// Runs `cfg.steps` steps; returns how many completed, and the error that stopped the run.
pub(crate) fn run(objects: Objects<'_>, cfg: RunConfig) -> (u64, Result<()>) {
    let Objects {
        neurons,
        synapses,
        monitors,
        spike_monitors,
        schedule,
    } = objects;
    let phases = plan(schedule, neurons, synapses);
    let threads = cfg.threads.max(1);
    let n_syn = synapses.len();
    let (done, result, lists) = {
        // The spike lists first: after `raw_buffers`, the groups' vectors are not touched.
        let spiking: Vec<RwLock<Vec<u32>>> = neurons
            .iter()
            .map(|g| {
                let mut list = Vec::with_capacity(g.len());
                list.extend_from_slice(g.view().spiking);
                RwLock::new(list)
            })
            .collect();
        let bufs: Vec<GroupBuffers> = neurons.iter_mut().map(|g| g.raw_buffers()).collect();
        let groups: Vec<&(dyn AnyGroup + 'static)> = neurons.iter().map(|g| &**g).collect();
        let tiles: Vec<bool> = (0..n_syn)
            .map(|s| {
                phases
                    .iter()
                    .any(|p| matches!(p, Phase::Tiled { synapses, .. } if synapses.contains(&s)))
            })
            .collect();
        let mut tiled = Vec::with_capacity(n_syn);
        let mut serial = Vec::with_capacity(n_syn);
        let mut cursors = Vec::with_capacity(n_syn);
        for (syn, &is_tiled) in synapses.iter_mut().zip(&tiles) {
            cursors.push(if is_tiled { syn.conn().n_pre() } else { 0 });
            if is_tiled {
                let columns = syn.raw_columns();
                let syn: &(dyn AnySynapses + 'static) = &**syn;
                tiled.push(Some((syn, columns)));
                serial.push(None);
            } else {
                tiled.push(None);
                serial.push(Some(&mut **syn));
            }
        }
        let shared = Shared {
            parts: groups
                .iter()
                .map(|_| (0..threads).map(|_| Mutex::new(Vec::new())).collect())
                .collect(),
            group_failed: groups.iter().map(|_| AtomicBool::new(false)).collect(),
            synapse_failed: (0..n_syn).map(|_| AtomicBool::new(false)).collect(),
            groups,
            bufs,
            spiking,
            tiled,
            phases,
            threads,
            barrier: SpinBarrier::new(threads),
            stop: AtomicBool::new(false),
            start: cfg.start,
            steps: cfg.steps,
            dt: cfg.dt,
        };
        let mut main = Main {
            serial,
            monitors,
            spike_monitors,
            schedule,
            check: cfg.check,
            error: None,
            done: 0,
            bar: cfg.bar,
        };
        let max_n = shared.bufs.iter().map(|b| b.n).max().unwrap_or(0);
        let scratch = || Scratch {
            columns: Vec::new(),
            cursors: cursors.iter().map(|&n| Vec::with_capacity(n)).collect(),
            spikes: Vec::with_capacity(max_n),
        };
        std::thread::scope(|scope| {
            for k in 1..threads {
                let (shared, mut scratch) = (&shared, scratch());
                scope.spawn(move || shared.work(k, None, &mut scratch));
            }
            shared.work(0, Some(&mut main), &mut scratch());
        });
        if let Some(bar) = main.bar.take() {
            if main.error.is_some() {
                bar.abandon();
            } else {
                bar.finish_and_clear();
            }
        }
        let lists: Vec<Vec<u32>> = shared
            .spiking
            .into_iter()
            .map(|l| l.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect();
        (main.done, main.error.map_or(Ok(()), Err), lists)
    };
    for (g, list) in neurons.iter_mut().zip(&lists) {
        g.set_spiking(list);
    }
    (done, result)
}

impl Shared<'_> {
    /// The step loop of thread `k` (thread 0 also gets `main`).
    fn work<'s>(&self, k: usize, mut main: Option<&mut Main<'_>>, scratch: &mut Scratch<'s>) {
        for step in 0..self.steps {
            let i = self.start + step;
            let t = i as f64 * self.dt;
            for phase in &self.phases {
                match phase {
                    Phase::Tiled {
                        group,
                        synapses,
                        neuron,
                        slots,
                    } => {
                        self.tiles(k, (*group, synapses, *neuron), (i, t), scratch);
                        self.barrier.wait();
                        if let Some(main) = main.as_deref_mut() {
                            main.finish_tiled(self, (*group, synapses, *neuron), slots, (i, t));
                        }
                        self.barrier.wait();
                    }
                    Phase::Serial { synapse, slot } => {
                        if let Some(main) = main.as_deref_mut() {
                            main.serial(self, *synapse, *slot, (i, t));
                        }
                        self.barrier.wait();
                    }
                }
                // Set by thread 0 before the barrier just passed: every thread stops here.
                if self.stop.load(Ordering::Relaxed) {
                    return;
                }
            }
            if let Some(main) = main.as_deref_mut() {
                main.done = step + 1;
                if let Some(bar) = &main.bar {
                    let chunk = (self.steps / 200).max(1);
                    if main.done % chunk == 0 {
                        bar.set_position(main.done);
                    }
                }
            }
        }
    }

    /// Thread `k`'s tiles of a tiled phase at step `i`, time `t`.
    fn tiles<'s>(
        &self,
        k: usize,
        (g, synapses, neuron): (usize, &[usize], bool),
        (i, t): (u64, f64),
        scratch: &mut Scratch<'s>,
    ) {
        let buf = &self.bufs[g];
        let r = tile(buf.n, k, self.threads);
        scratch.spikes.clear();
        let first = r.start;
        // Where this thread's part of every spiking row starts.
        for &s in synapses {
            let Some((syn, _)) = &self.tiled[s] else {
                continue;
            };
            let conn = syn.conn();
            let spiking = read(&self.spiking[syn.endpoints().0]);
            let cursor = &mut scratch.cursors[s];
            cursor.clear();
            cursor.extend(spiking.iter().map(|&p| {
                let r = conn.range(p as usize);
                r.start + conn.post[r].partition_point(|&q| (q as usize) < first)
            }));
        }
        if !r.is_empty() {
            for &s in synapses {
                let Some((syn, columns)) = &self.tiled[s] else {
                    continue;
                };
                let spiking = read(&self.spiking[syn.endpoints().0]);
                // SAFETY (module rule): tile `r` of group `g` is this thread's alone in this
                // phase, so are the synapse group's per-postsynaptic columns at `r`; nothing else
                // reaches them until these slices are dropped at the end of the iteration.
                let tile = unsafe {
                    scratch
                        .columns
                        .extend(columns.iter().map(|c| c.slice_mut(r.clone())));
                    PostTile {
                        t,
                        dt: self.dt,
                        first: r.start,
                        columns: &mut scratch.columns,
                        conn: syn.conn(),
                        spiking: &spiking,
                        cursor: &mut scratch.cursors[s],
                        v: buf
                            .membrane
                            .map_or(&[][..], |m| buf.columns[m].slice(r.clone())),
                        refractory: buf.refractory.slice(r.clone()),
                        input: buf.input.slice_mut(r.clone()),
                    }
                };
                if !syn.update_tile(tile) {
                    self.synapse_failed[s].store(true, Ordering::Relaxed);
                }
                scratch.columns.clear();
            }
            if neuron {
                // SAFETY (module rule): as above, tile `r` of group `g` is this thread's alone.
                let step = unsafe {
                    scratch
                        .columns
                        .extend(buf.columns.iter().map(|c| c.slice_mut(r.clone())));
                    NeuronStep {
                        t,
                        dt: self.dt,
                        first: r.start,
                        columns: &mut scratch.columns,
                        input: buf.input.slice_mut(r.clone()),
                        spike: buf.spike.slice_mut(r.clone()),
                        refractory: buf.refractory.slice_mut(r.clone()),
                        t_last_spike: buf.t_last_spike.slice_mut(r.clone()),
                    }
                };
                if !self.groups[g].update_tile(i, step) {
                    self.group_failed[g].store(true, Ordering::Relaxed);
                }
                scratch.columns.clear();
                // SAFETY (module rule): the same tile, read after the update wrote it.
                let flags = unsafe { buf.spike.slice(r.clone()) };
                push_spikes(flags, r.start, &mut scratch.spikes);
            }
        }
        if neuron {
            // Publish this thread's spikes; keep the old buffer for the next step.
            std::mem::swap(&mut *lock(&self.parts[g][k]), &mut scratch.spikes);
        }
    }
}

impl Main<'_> {
    fn fail(&mut self, shared: &Shared<'_>, error: Error) {
        self.error = Some(error);
        shared.stop.store(true, Ordering::Relaxed);
    }

    /// After the threads' tiles: the spike list, finiteness, monitors.
    fn finish_tiled(
        &mut self,
        shared: &Shared<'_>,
        (g, synapses, neuron): (usize, &[usize], bool),
        slots: &[usize],
        (i, t): (u64, f64),
    ) {
        if neuron {
            let mut list = write(&shared.spiking[g]);
            list.clear();
            for part in &shared.parts[g] {
                list.extend_from_slice(&lock(part));
            }
        }
        if self.check {
            for &s in synapses {
                let Some((syn, columns)) = &shared.tiled[s] else {
                    continue;
                };
                if shared.synapse_failed[s].swap(false, Ordering::Relaxed) {
                    // SAFETY (module rule): the other threads wait at the barrier.
                    let cols: Vec<&[f64]> =
                        unsafe { columns.iter().map(|c| c.slice(0..c.len)).collect() };
                    if let Some(bad) = first_non_finite(&cols) {
                        return self.fail(shared, non_finite(syn.name(), syn.info(), bad, i));
                    }
                }
            }
            if neuron && shared.group_failed[g].swap(false, Ordering::Relaxed) {
                // SAFETY (module rule): the other threads wait at the barrier.
                let cols: Vec<&[f64]> = unsafe {
                    let buf = &shared.bufs[g];
                    buf.columns.iter().map(|c| c.slice(0..c.len)).collect()
                };
                if let Some(bad) = first_non_finite(&cols) {
                    let group = shared.groups[g];
                    return self.fail(shared, non_finite(group.name(), group.info(), bad, i));
                }
            }
        }
        for &slot in slots {
            self.record(shared, slot, (i, t));
        }
    }

    /// A serial phase: synapse group `s` whole, its delivery and its monitors.
    fn serial(&mut self, shared: &Shared<'_>, s: usize, slot: usize, (i, t): (u64, f64)) {
        let Some(syn) = self.serial[s].as_deref_mut() else {
            return;
        };
        let (a, b) = syn.endpoints();
        // SAFETY (module rule): the other threads wait at the barrier; the views are shared
        // slices of buffers that only `post_input` (another buffer) is written through.
        let stepped = unsafe {
            let post_input = shared.bufs[b].input.slice_mut(0..shared.bufs[b].n);
            let pre_list = read(&shared.spiking[a]);
            if a == b {
                let v = whole_view(&shared.bufs[a], &pre_list);
                syn.step((i, t, shared.dt), v, v, post_input, self.check)
            } else {
                let post_list = read(&shared.spiking[b]);
                let pre = whole_view(&shared.bufs[a], &pre_list);
                let post = whole_view(&shared.bufs[b], &post_list);
                syn.step((i, t, shared.dt), pre, post, post_input, self.check)
            }
        };
        if let Err(e) = stepped {
            return self.fail(shared, e);
        }
        for o in (0..syn.n_outputs()).filter(|&o| !syn.is_direct(o)) {
            let buf = &shared.bufs[syn.output_group(o)];
            // SAFETY (module rule): the other threads wait; input and V are distinct buffers.
            let (input, v) = unsafe {
                (
                    buf.input.slice_mut(0..buf.n),
                    match buf.membrane {
                        Some(m) => buf.columns[m].slice_mut(0..buf.n),
                        None => &mut [],
                    },
                )
            };
            syn.deliver(o, input, v);
        }
        self.record(shared, slot, (i, t));
    }

    /// The monitors of schedule slot `slot`.
    fn record(&mut self, shared: &Shared<'_>, slot: usize, (i, t): (u64, f64)) {
        let schedule = self.schedule;
        let slot = &schedule[slot];
        for &m in &slot.monitors {
            let monitor = &mut self.monitors[m];
            match monitor.owner {
                Owner::Neuron(g) => {
                    let buf = &shared.bufs[g];
                    // SAFETY (module rule): the other threads wait at the barrier.
                    let column = unsafe { buf.columns[monitor.col].slice(0..buf.n) };
                    monitor.record(i, t, column);
                }
                // Recorded synapse groups are serial (see `plan`).
                Owner::Synapse(s) => {
                    if let Some(syn) = self.serial[s].as_deref() {
                        monitor.record(i, t, syn.column(monitor.col));
                    }
                }
            }
        }
        for &m in &slot.spike_monitors {
            let monitor = &mut self.spike_monitors[m];
            monitor.record(i, t, &read(&shared.spiking[monitor.group]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spike_flags_to_indices() {
        let mut flags = vec![false; 200];
        for j in [0, 5, 63, 64, 127, 128, 199] {
            flags[j] = true;
        }
        let mut out = vec![7];
        push_spikes(&flags, 1000, &mut out);
        assert_eq!(out, vec![7, 1000, 1005, 1063, 1064, 1127, 1128, 1199]);
    }

    #[test]
    fn barrier_orders_writes_across_threads() {
        let barrier = SpinBarrier::new(3);
        let cells: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
        std::thread::scope(|s| {
            for k in 0..3 {
                let (barrier, cells) = (&barrier, &cells);
                s.spawn(move || {
                    for round in 1..=200 {
                        cells[k].store(round, Ordering::Relaxed);
                        barrier.wait();
                        for c in cells {
                            assert_eq!(c.load(Ordering::Relaxed), round);
                        }
                        barrier.wait();
                    }
                });
            }
        });
    }
}
