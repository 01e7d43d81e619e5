//! The step loop of a run: the schedule cut into phases, run by one or several threads.
//!
//! Thread `k` of `K` owns the neurons `k·n/K .. (k+1)·n/K` of every group of `n` (its *tile*).
//! A *tiled phase* is a neuron group together with the tileable synapse groups onto it that run
//! right before it in the schedule (per-postsynaptic state, direct outputs, sorted rows:
//! [`AnySynapses::tileable`]). Each thread adds the external inputs of its tile, walks the
//! spikes of every synapse group of the phase onto its tile, then runs the kernels over it: as one
//! loop ([`fuse`]) where the phase allows, one after the other otherwise. Anything else
//! (per-presynaptic or per-synapse state, delays, voltage outputs, recorded synapses) is a
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
//! The buffers written during a run (neuron groups' columns, input accumulators, flags; tiled
//! synapse groups' columns) are staged: copied into 64-byte aligned buffers the run owns
//! ([`Stage`]), reached only through [`Raw`] pointers taken once before the threads start, and
//! copied back after they end. Nothing else can reach them, and nothing resizes them. (Serial
//! synapse groups keep their own columns, which only thread 0 touches.) The one rule that makes
//! the unsafe
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
use crate::group::{first_non_finite, non_finite, AnyGroup, NeuronGroup};
use crate::model::{
    with_method, Method, NeuronKernel, NeuronModel, NeuronStep, NeuronView, PostKernel, PostTile,
    SynapseModel,
};
use crate::monitor::{Owner, SpikeMonitor, StateMonitor};
use crate::network::{Obj, Slot};
use crate::synapse::{AnySynapses, SynapseGroup};

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

/// A neuron group's storage, borrowed to be copied into a run and back.
pub(crate) struct GroupSlices<'a> {
    pub(crate) columns: Vec<&'a mut [f64]>,
    /// Index of the membrane potential in `columns`.
    pub(crate) membrane: Option<usize>,
    pub(crate) input: &'a mut [f64],
    pub(crate) spike: &'a mut [bool],
    pub(crate) refractory: &'a mut [bool],
    pub(crate) t_last_spike: &'a mut [f64],
}

/// A run's copy of a buffer, its start aligned to 64 bytes (a cache line: vector loads never
/// straddle two), owned by the run while [`Raw`] pointers into it are in use.
struct Staged<T> {
    store: Vec<T>,
    offset: usize,
    len: usize,
}

impl<T: Copy + Default> Staged<T> {
    fn of(src: &[T]) -> Self {
        let pad = 64 / std::mem::size_of::<T>().max(1);
        let mut store = vec![T::default(); src.len() + pad];
        let offset = store.as_ptr().align_offset(64).min(pad);
        store[offset..offset + src.len()].copy_from_slice(src);
        Staged {
            store,
            offset,
            len: src.len(),
        }
    }

    fn raw(&mut self) -> Raw<T> {
        Raw::new(&mut self.store[self.offset..self.offset + self.len])
    }

    fn copy_back(&self, dst: &mut [T]) {
        dst.copy_from_slice(&self.store[self.offset..self.offset + self.len]);
    }
}

/// Every buffer a run writes through [`Raw`] pointers, as staged copies: per neuron group its
/// columns, input, spike and refractory flags, last spike times; per tiled synapse group its
/// columns. Filled before the run, copied back after it.
#[derive(Default)]
struct Stage {
    floats: Vec<Staged<f64>>,
    flags: Vec<Staged<bool>>,
}

impl Stage {
    // The `Raw` points into the staged copy's heap buffer, which stays put when `floats` grows.
    fn float(&mut self, src: &[f64]) -> Raw<f64> {
        self.floats.push(Staged::of(src));
        self.floats
            .last_mut()
            .map_or(Raw::new(&mut []), Staged::raw)
    }

    fn flag(&mut self, src: &[bool]) -> Raw<bool> {
        self.flags.push(Staged::of(src));
        self.flags.last_mut().map_or(Raw::new(&mut []), Staged::raw)
    }

    /// A group's buffers, staged.
    fn group(&mut self, g: GroupSlices<'_>) -> GroupBuffers {
        GroupBuffers {
            n: g.input.len(),
            membrane: g.membrane,
            columns: g.columns.iter().map(|c| self.float(c)).collect(),
            input: self.float(g.input),
            spike: self.flag(g.spike),
            refractory: self.flag(g.refractory),
            t_last_spike: self.float(g.t_last_spike),
        }
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

/// Tileable synapse groups onto neuron group `group`, then (if `neuron`) the group itself.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Tiled {
    pub(crate) group: usize,
    pub(crate) synapses: Vec<usize>,
    pub(crate) neuron: bool,
    /// Schedule slots of the phase's objects, in order (for their monitors).
    pub(crate) slots: Vec<usize>,
    /// The kernels run as one loop ([`fuse`]): one to [`MAX_FUSED`] synapse groups of one
    /// model with the neurons, all under one method.
    pub(crate) fused: bool,
    /// Nothing but this phase's synapse groups adds to the group's input accumulator (no
    /// external input, no other synapse group's output): it is zero when the phase starts, and a
    /// fused loop keeps it in a register without reading or writing it.
    pub(crate) quiet_input: bool,
}

/// A stretch of the schedule run together.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Run by every thread on its tile.
    Tiled(Tiled),
    /// One synapse group, run whole by thread 0.
    Serial { synapse: usize, slot: usize },
}

/// Cuts `schedule` into phases; `fuse` allows fused loops.
pub(crate) fn plan(
    schedule: &[Slot],
    neurons: &[Box<dyn AnyGroup>],
    synapses: &[Box<dyn AnySynapses>],
    fuse: bool,
) -> Vec<Phase> {
    let mut phases: Vec<Phase> = Vec::new();
    for (k, slot) in schedule.iter().enumerate() {
        match slot.obj {
            Obj::Neuron(g) => {
                if let Some(phase) = open_phase(&mut phases, g) {
                    phase.slots.push(k);
                    phase.neuron = true;
                } else {
                    phases.push(Phase::Tiled(Tiled {
                        group: g,
                        synapses: Vec::new(),
                        neuron: true,
                        slots: vec![k],
                        fused: false,
                        quiet_input: false,
                    }));
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
                } else if let Some(phase) = open_phase(&mut phases, post) {
                    phase.synapses.push(s);
                    phase.slots.push(k);
                } else {
                    phases.push(Phase::Tiled(Tiled {
                        group: post,
                        synapses: vec![s],
                        neuron: false,
                        slots: vec![k],
                        fused: false,
                        quiet_input: false,
                    }));
                }
            }
        }
    }
    for phase in &mut phases {
        if let Phase::Tiled(p) = phase {
            p.fused = fuse && fusable(p, neurons, synapses);
            p.quiet_input = !neurons[p.group].has_inputs()
                && synapses.iter().enumerate().all(|(s, syn)| {
                    p.synapses.contains(&s)
                        || (0..syn.n_outputs()).all(|o| syn.output_group(o) != p.group)
                });
        }
    }
    phases
}

/// Whether a tiled phase runs as one loop: its neurons and one to [`MAX_FUSED`] synapse groups
/// of one model, all with kernels and one method.
fn fusable(p: &Tiled, neurons: &[Box<dyn AnyGroup>], synapses: &[Box<dyn AnySynapses>]) -> bool {
    let group = &neurons[p.group];
    let Some(&first) = p.synapses.first() else {
        return false;
    };
    let model = synapses[first].as_any().type_id();
    p.neuron
        && p.synapses.len() <= MAX_FUSED
        && group.info().tile
        && p.synapses.iter().all(|&s| {
            let syn = &synapses[s];
            syn.fuser().is_some()
                && syn.as_any().type_id() == model
                && syn.method() == group.method()
        })
}

/// The last phase if it is a tiled phase of group `g` that can still take objects (its neurons
/// have not run yet).
fn open_phase(phases: &mut [Phase], g: usize) -> Option<&mut Tiled> {
    match phases.last_mut() {
        Some(Phase::Tiled(p)) if p.group == g && !p.neuron => Some(p),
        _ => None,
    }
}

/// Most synapse groups fused into one loop with their postsynaptic neurons.
pub(crate) const MAX_FUSED: usize = 2;

/// The state columns of a tile of per-postsynaptic synapse state, with the
/// postsynaptic neurons' V, refractory flags and input accumulators, for a kernel.
pub(crate) struct KernelTile<'a, 'c> {
    pub(crate) columns: &'a mut [&'c mut [f64]],
    pub(crate) v: &'a [f64],
    pub(crate) refractory: &'a [bool],
    pub(crate) input: &'a mut [f64],
}

/// A fused loop ([`fuse`] for one synapse model and one neuron model): the postsynaptic group,
/// the synapse groups (one model), the neurons' tile, and per synapse group its columns on the
/// tile, whether to store the synapse state advanced and whether the input accumulators are
/// quiet ([`Tiled::quiet_input`]). `None` when they do not fit (then nothing ran); otherwise
/// whether the neurons' and each synapse group's stored values are finite.
pub(crate) type Fuser = fn(
    &dyn AnyGroup,
    &[&dyn AnySynapses],
    NeuronStep<'_, '_>,
    &mut [Vec<&mut [f64]>],
    (bool, bool),
) -> Option<(bool, [bool; MAX_FUSED])>;

/// The fused loop of synapse model `S` onto neuron model `B`: per neuron of the tile, each
/// synapse group's kernel adds its outputs to the neuron's input, then the neuron's kernel
/// consumes it. The same arithmetic, element by element, as the kernels run one after the other.
pub(crate) fn fuse<S: SynapseModel, B: NeuronModel>(
    group: &dyn AnyGroup,
    synapses: &[&dyn AnySynapses],
    step: NeuronStep<'_, '_>,
    columns: &mut [Vec<&mut [f64]>],
    (advance, quiet): (bool, bool),
) -> Option<(bool, [bool; MAX_FUSED])> {
    let g = group.as_any().downcast_ref::<NeuronGroup<B>>()?;
    let method = g.method();
    fn of_model<S: SynapseModel>(s: &dyn AnySynapses, method: Method) -> Option<&SynapseGroup<S>> {
        s.as_any()
            .downcast_ref::<SynapseGroup<S>>()
            .filter(|s| s.method() == method)
    }
    let clock = (step.t, step.dt);
    let n = step.input.len();
    match (synapses, columns) {
        ([a], [ca]) => {
            let a = of_model::<S>(*a, method)?;
            Some(with_method!(method, M => {
                let (neurons, input) = g.model().kernel::<M>(g.consts(), step);
                let ka = a.model().post_kernel::<M>(a.consts(), clock, ca, n, advance);
                let (finite, [fa]) = drive_fused_with(quiet, neurons, [ka], input);
                (finite, [fa, true])
            }))
        }
        ([a, b], [ca, cb]) => {
            let (a, b) = (of_model::<S>(*a, method)?, of_model::<S>(*b, method)?);
            Some(with_method!(method, M => {
                let (neurons, input) = g.model().kernel::<M>(g.consts(), step);
                let ka = a.model().post_kernel::<M>(a.consts(), clock, ca, n, advance);
                let kb = b.model().post_kernel::<M>(b.consts(), clock, cb, n, advance);
                drive_fused_with(quiet, neurons, [ka, kb], input)
            }))
        }
        _ => None,
    }
}

/// One loop over a tile: per neuron, the synapse kernels in order, then the neuron's kernel.
/// With `QUIET` the input accumulators are known to be zero (see [`Tiled::quiet_input`]) and
/// are neither read nor written.
#[inline]
fn drive_fused<N: NeuronKernel, P: PostKernel, const K: usize, const QUIET: bool>(
    mut neurons: N,
    mut synapses: [P; K],
    input: &mut [f64],
) -> (bool, [bool; K]) {
    let mut finite = true;
    let mut synapse_finite = [true; K];
    for (q, x) in input.iter_mut().enumerate() {
        let (v, refractory) = (neurons.v(q), neurons.refractory(q));
        let mut acc = if QUIET { 0.0 } else { *x };
        for (f, s) in synapse_finite.iter_mut().zip(&mut synapses) {
            *f &= s.element(q, v, refractory, &mut acc);
        }
        finite &= neurons.element(q, acc);
        if !QUIET {
            *x = 0.0;
        }
    }
    (finite, synapse_finite)
}

/// [`drive_fused`] with `quiet` as its const parameter.
#[inline]
fn drive_fused_with<N: NeuronKernel, P: PostKernel, const K: usize>(
    quiet: bool,
    neurons: N,
    synapses: [P; K],
    input: &mut [f64],
) -> (bool, [bool; K]) {
    if quiet {
        drive_fused::<N, P, K, true>(neurons, synapses, input)
    } else {
        drive_fused::<N, P, K, false>(neurons, synapses, input)
    }
}

/// A barrier for a fixed number of threads that spins briefly, then yields: a step is tens of
/// microseconds, far less than what a sleeping barrier takes to wake up.
struct SpinBarrier {
    parties: usize,
    arrived: AtomicUsize,
    generation: AtomicUsize,
    /// A party panicked: nobody waits any more (see [`SpinBarrier::break_all`]).
    broken: AtomicBool,
}

impl SpinBarrier {
    fn new(parties: usize) -> Self {
        SpinBarrier {
            parties,
            arrived: AtomicUsize::new(0),
            generation: AtomicUsize::new(0),
            broken: AtomicBool::new(false),
        }
    }

    /// Releases every waiting party, now and later: a party that panicked will never arrive.
    fn break_all(&self) {
        self.broken.store(true, Ordering::Release);
    }

    /// Returns once all parties have called `wait`; everything each did before is then visible
    /// to all. Returns at once when the barrier is broken.
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
                if self.broken.load(Ordering::Acquire) {
                    return;
                }
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

/// Appends `first + j` for every set flag `j`. Spikes are rare: flags are read eight at a time
/// as one word, and 64 at a time are skipped when their words OR to zero.
pub(crate) fn push_spikes(flags: &[bool], first: usize, out: &mut Vec<u32>) {
    // SAFETY: `bool` is one byte holding 0 or 1, a valid `u8`; the slice is only read.
    let bytes: &[u8] = unsafe { std::slice::from_raw_parts(flags.as_ptr().cast(), flags.len()) };
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or_default());
    let blocks = bytes.chunks_exact(64);
    let tail = blocks.remainder();
    for (b, block) in blocks.enumerate() {
        if block.iter().fold(0u8, |a, &b| a | b) == 0 {
            continue;
        }
        for (w, bits) in block.chunks_exact(8).map(word).enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let byte = bits.trailing_zeros() / 8;
                // Groups are capped at u32::MAX neurons.
                out.push((first + b * 64 + w * 8) as u32 + byte);
                bits &= !(0xff << (8 * byte));
            }
        }
    }
    let tail_first = first + (bytes.len() - tail.len());
    for (j, &b) in tail.iter().enumerate() {
        if b != 0 {
            out.push((tail_first + j) as u32);
        }
    }
}

/// Asks the CPU to bring the cache line of `p` closer (a hint: no effect on results).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults, whatever the address; SSE is part of x86_64.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
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
    /// Per position in a fused phase: the synapse group's columns.
    fused_columns: [Vec<&'s mut [f64]>; MAX_FUSED],
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
    /// Fused loops allowed.
    pub(crate) fuse: bool,
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
    let phases = plan(schedule, neurons, synapses, cfg.fuse);
    let threads = cfg.threads.max(1);
    let n_syn = synapses.len();
    // What the run writes, copied out of the groups and back at the end: the `Raw` pointers
    // point into these copies, which nothing else reaches meanwhile.
    let mut stage = Stage::default();
    let tiles: Vec<bool> = (0..n_syn)
        .map(|s| {
            phases
                .iter()
                .any(|p| matches!(p, Phase::Tiled(t) if t.synapses.contains(&s)))
        })
        .collect();
    let (done, result, lists) = {
        // The run's own spike lists, from the groups' (copied back when it ends).
        let spiking: Vec<RwLock<Vec<u32>>> = neurons
            .iter()
            .map(|g| {
                let mut list = Vec::with_capacity(g.len());
                list.extend_from_slice(g.view().spiking);
                RwLock::new(list)
            })
            .collect();
        let bufs: Vec<GroupBuffers> = neurons
            .iter_mut()
            .map(|g| stage.group(g.buffers_mut()))
            .collect();
        let groups: Vec<&(dyn AnyGroup + 'static)> = neurons.iter().map(|g| &**g).collect();
        let mut tiled = Vec::with_capacity(n_syn);
        let mut serial = Vec::with_capacity(n_syn);
        let mut cursors = Vec::with_capacity(n_syn);
        for (syn, &is_tiled) in synapses.iter_mut().zip(&tiles) {
            cursors.push(if is_tiled { syn.conn().n_pre() } else { 0 });
            if is_tiled {
                let columns: Vec<Raw<f64>> =
                    syn.columns_mut().iter().map(|c| stage.float(c)).collect();
                if cfg.steps > 0 {
                    // The state is kept one step ahead during the run (see
                    // `SynapseModel::post_kernel`); a non-finite value shows at the first step.
                    // SAFETY (module rule): no thread runs yet; the slices die here.
                    let mut whole: Vec<&mut [f64]> =
                        unsafe { columns.iter().map(|c| c.slice_mut(0..c.len)).collect() };
                    syn.tile_advance(&mut whole);
                }
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
            fused_columns: Default::default(),
            cursors: cursors.iter().map(|&n| Vec::with_capacity(n)).collect(),
            spikes: Vec::with_capacity(max_n),
        };
        std::thread::scope(|scope| {
            for k in 1..threads {
                let (shared, mut scratch) = (&shared, scratch());
                scope.spawn(move || shared.guarded(|| shared.work(k, None, &mut scratch)));
            }
            let mut scratch = scratch();
            shared.guarded(|| shared.work(0, Some(&mut main), &mut scratch));
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
    // Back, in the order they were staged (`Stage::group` for every group, then the tiled
    // synapse groups' columns).
    let mut floats: Vec<&mut [f64]> = Vec::new();
    let mut flags: Vec<&mut [bool]> = Vec::new();
    for g in neurons.iter_mut() {
        let b = g.buffers_mut();
        floats.extend(b.columns);
        floats.push(b.input);
        flags.extend([b.spike, b.refractory]);
        floats.push(b.t_last_spike);
    }
    for (syn, &is_tiled) in synapses.iter_mut().zip(&tiles) {
        if is_tiled {
            floats.extend(syn.columns_mut());
        }
    }
    for (staged, dst) in stage.floats.iter().zip(floats) {
        staged.copy_back(dst);
    }
    for (staged, dst) in stage.flags.iter().zip(flags) {
        staged.copy_back(dst);
    }
    (done, result)
}

impl Shared<'_> {
    /// Runs `f`; if it panics, stops the run and breaks the barrier before passing the panic on,
    /// so that the other threads return (and the scope re-raises it) instead of waiting forever.
    fn guarded(&self, f: impl FnOnce()) {
        if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            self.stop.store(true, Ordering::Release);
            self.barrier.break_all();
            std::panic::resume_unwind(panic);
        }
    }

    /// The step loop of thread `k` (thread 0 also gets `main`).
    fn work<'s>(&self, k: usize, mut main: Option<&mut Main<'_>>, scratch: &mut Scratch<'s>) {
        for step in 0..self.steps {
            let i = self.start + step;
            let t = i as f64 * self.dt;
            for phase in &self.phases {
                match phase {
                    Phase::Tiled(phase) => {
                        self.tiles(k, phase, (i, t), scratch);
                        self.barrier.wait();
                        if let Some(main) = main.as_deref_mut() {
                            main.finish_tiled(self, phase, (i, t));
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

    /// Thread `k`'s tile of a tiled phase at step `i`, time `t`: the external inputs (with the
    /// neurons), every synapse group's spikes, then the kernels, fused into one loop where the
    /// plan allows.
    fn tiles<'s>(&self, k: usize, phase: &Tiled, (i, t): (u64, f64), scratch: &mut Scratch<'s>) {
        let g = phase.group;
        let buf = &self.bufs[g];
        let r = tile(buf.n, k, self.threads);
        scratch.spikes.clear();
        if !r.is_empty() {
            if phase.neuron {
                // SAFETY (module rule): tile `r` of group `g` is this thread's alone in this
                // phase; the slice is dropped at the end of the statement.
                let input = unsafe { buf.input.slice_mut(r.clone()) };
                self.groups[g].apply_inputs(i, input, r.start);
            }
            for &s in &phase.synapses {
                self.walk_spikes(s, g, r.clone(), t, scratch);
            }
            // The per-postsynaptic state stays advanced between steps, not after the last.
            let advance = i + 1 < self.start + self.steps;
            if !(phase.fused && self.fused(phase, r.clone(), (t, advance), scratch)) {
                self.unfused(phase, r.clone(), (t, advance), scratch);
            }
            if phase.neuron {
                // SAFETY (module rule): this thread's tile, read after the update wrote it.
                let flags = unsafe { buf.spike.slice(r.clone()) };
                push_spikes(flags, r.start, &mut scratch.spikes);
            }
        }
        if phase.neuron {
            // Publish this thread's spikes; keep the old buffer for the next step.
            std::mem::swap(&mut *lock(&self.parts[g][k]), &mut scratch.spikes);
        }
    }

    /// The spikes of synapse group `s` onto tile `r` of group `g`, before the kernels: finds
    /// where this thread's part of every spiking row starts, and walks it.
    fn walk_spikes(&self, s: usize, g: usize, r: Range<usize>, t: f64, scratch: &mut Scratch<'_>) {
        let Some((syn, columns)) = &self.tiled[s] else {
            return;
        };
        let buf = &self.bufs[g];
        let conn = syn.conn();
        let spiking = read(&self.spiking[syn.endpoints().0]);
        // The rows are scattered through memory and read once per step: ask for all of them at
        // once, so that their cache misses overlap instead of queueing behind each other.
        for &p in spiking.iter() {
            let row = conn.row(p as usize);
            for line in row.chunks(16) {
                prefetch(line.as_ptr());
            }
        }
        let cursor = &mut scratch.cursors[s];
        cursor.clear();
        cursor.extend(spiking.iter().map(|&p| {
            let row = conn.range(p as usize);
            if r.start == 0 {
                row.start
            } else {
                row.start + conn.post[row].partition_point(|&q| (q as usize) < r.start)
            }
        }));
        // SAFETY (module rule): tile `r` of group `g` is this thread's alone in this phase, so
        // are the synapse group's per-postsynaptic columns at `r`; the slices are dropped at the
        // end of this call.
        let tile = unsafe {
            scratch
                .columns
                .extend(columns.iter().map(|c| c.slice_mut(r.clone())));
            PostTile {
                t,
                dt: self.dt,
                first: r.start,
                columns: &mut scratch.columns,
                conn,
                spiking: &spiking,
                cursor,
                v: buf
                    .membrane
                    .map_or(&[][..], |m| buf.columns[m].slice(r.clone())),
                refractory: buf.refractory.slice(r),
            }
        };
        syn.tile_events(tile);
        scratch.columns.clear();
    }

    /// The neurons of tile `r` as a [`NeuronStep`].
    ///
    /// # Safety
    ///
    /// Tile `r` of the group is the caller's alone until the step is dropped.
    unsafe fn neuron_step<'a, 'c>(
        &self,
        g: usize,
        r: Range<usize>,
        t: f64,
        columns: &'a mut Vec<&'c mut [f64]>,
    ) -> NeuronStep<'a, 'c> {
        let buf = &self.bufs[g];
        // SAFETY: as the caller guarantees.
        unsafe {
            columns.extend(buf.columns.iter().map(|c| c.slice_mut(r.clone())));
            NeuronStep {
                t,
                dt: self.dt,
                first: r.start,
                columns,
                input: buf.input.slice_mut(r.clone()),
                spike: buf.spike.slice_mut(r.clone()),
                refractory: buf.refractory.slice_mut(r.clone()),
                t_last_spike: buf.t_last_spike.slice_mut(r),
            }
        }
    }

    /// The kernels of a tiled phase one after the other over tile `r`.
    fn unfused(
        &self,
        phase: &Tiled,
        r: Range<usize>,
        (t, advance): (f64, bool),
        scratch: &mut Scratch<'_>,
    ) {
        let g = phase.group;
        let buf = &self.bufs[g];
        for &s in &phase.synapses {
            let Some((syn, columns)) = &self.tiled[s] else {
                continue;
            };
            // SAFETY (module rule): tile `r` is this thread's alone; the slices are dropped at
            // the end of the iteration, before the neurons' kernel reaches V and the input.
            let tile = unsafe {
                scratch
                    .columns
                    .extend(columns.iter().map(|c| c.slice_mut(r.clone())));
                KernelTile {
                    columns: &mut scratch.columns,
                    v: buf
                        .membrane
                        .map_or(&[][..], |m| buf.columns[m].slice(r.clone())),
                    refractory: buf.refractory.slice(r.clone()),
                    input: buf.input.slice_mut(r.clone()),
                }
            };
            if !syn.tile_kernel((t, self.dt), tile, advance) {
                self.synapse_failed[s].store(true, Ordering::Relaxed);
            }
            scratch.columns.clear();
        }
        if phase.neuron {
            // SAFETY (module rule): tile `r` is this thread's alone.
            let step = unsafe { self.neuron_step(g, r, t, &mut scratch.columns) };
            if !self.groups[g].update_tile(step) {
                self.group_failed[g].store(true, Ordering::Relaxed);
            }
            scratch.columns.clear();
        }
    }

    /// The kernels of a tiled phase as one loop over tile `r` (see [`fuse`]); `false` if the
    /// phase's objects do not fuse after all (nothing ran then).
    fn fused(
        &self,
        phase: &Tiled,
        r: Range<usize>,
        (t, advance): (f64, bool),
        scratch: &mut Scratch<'_>,
    ) -> bool {
        let n_syn = phase.synapses.len();
        let mut synapses: [Option<&dyn AnySynapses>; MAX_FUSED] = [None; MAX_FUSED];
        for (j, &s) in phase.synapses.iter().enumerate() {
            let Some((syn, columns)) = &self.tiled[s] else {
                return false;
            };
            synapses[j] = Some(*syn);
            // SAFETY (module rule): tile `r` is this thread's alone; the slices are dropped at
            // the end of this call.
            unsafe {
                scratch.fused_columns[j].extend(columns.iter().map(|c| c.slice_mut(r.clone())));
            }
        }
        let fuser = synapses[0].and_then(|s| s.fuser());
        let done = match (fuser, synapses) {
            (Some(fuser), [Some(a), b]) => {
                let list = [a, b.unwrap_or(a)];
                // SAFETY (module rule): tile `r` is this thread's alone.
                let step = unsafe { self.neuron_step(phase.group, r, t, &mut scratch.columns) };
                fuser(
                    self.groups[phase.group],
                    &list[..n_syn],
                    step,
                    &mut scratch.fused_columns[..n_syn],
                    (advance, phase.quiet_input),
                )
            }
            _ => None,
        };
        scratch.columns.clear();
        for columns in &mut scratch.fused_columns {
            columns.clear();
        }
        let Some((group_finite, synapse_finite)) = done else {
            return false;
        };
        if !group_finite {
            self.group_failed[phase.group].store(true, Ordering::Relaxed);
        }
        for (&s, &finite) in phase.synapses.iter().zip(&synapse_finite) {
            if !finite {
                self.synapse_failed[s].store(true, Ordering::Relaxed);
            }
        }
        true
    }
}

impl Main<'_> {
    fn fail(&mut self, shared: &Shared<'_>, error: Error) {
        self.error = Some(error);
        shared.stop.store(true, Ordering::Relaxed);
    }

    /// After the threads' tiles: the spike list, finiteness, monitors.
    fn finish_tiled(&mut self, shared: &Shared<'_>, phase: &Tiled, (i, t): (u64, f64)) {
        let Tiled {
            group: g,
            ref synapses,
            neuron,
            ref slots,
            ..
        } = *phase;
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
