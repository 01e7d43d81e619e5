//! The thread team of a run, and every `unsafe` line of the runtime.
//!
//! A run copies every buffer its threads write into a [`Board`]: per neuron group its columns,
//! input accumulator, spike and refractory flags and last spike times; per synapse group kept
//! per postsynaptic neuron its columns (and, when monitored, a copy of the step's values). Each
//! copy starts on a 64-byte boundary, so no vector load straddles two cache lines, and knows
//! where it came from ([`Origin`]): [`Board::finish`] writes it back there, whatever order the
//! copies were made in.
//!
//! Threads reach the board only through the section a [`Worker`] hands them, and a worker hands
//! out one section at a time (the next one only after the barrier that ends the current one):
//!
//! - [`Section::Tiles`]: every thread, on its own tile (thread `k` of `K` owns the elements
//!   `k·n/K .. (k+1)·n/K` of every group of `n`). A [`TileView`] reaches only that range of the
//!   phase's group and of the per-postsynaptic columns of the synapse groups onto it; the spike
//!   lists are read-only.
//! - [`Section::Whole`]: thread 0 alone, every buffer whole, while the other threads are given
//!   [`Section::Wait`] and go straight to the barrier.
//!
//! The sequence of sections is fixed when the board is built (from the run's phases), so all
//! threads agree on it; the barrier decides, for all of them at once, whether to stop
//! ([`crate::barrier`]). Once the barrier is broken (a thread panicked) no further section is
//! handed out, so nobody reads what another thread may still be writing.
//!
//! The module is split by concern: this file holds the staged buffers ([`Buf`], [`ColumnsMut`]),
//! the [`Board`] and the argument for its `Sync`; `builder` builds the board; `sections` holds
//! the [`Worker`] and the sections and views it hands out. Everything the argument relies on
//! stays private within `team`: what this file declares is reachable by its submodules only, and
//! what `sections` declares by `sections` only. The only fields widened by the split are those
//! of [`Worker`] and [`Whole`], `pub(super)` so that [`Board::worker`] and
//! [`Board::before_start`] can build them here — still out of reach outside `team`. The
//! allowance of `unsafe` code below covers this module and its submodules, nothing else.
#![allow(
    unsafe_code,
    reason = "the one module that slices shared buffers (see the module docs)"
)]

mod builder;
mod sections;
#[cfg(test)]
mod tests;

use std::cell::UnsafeCell;
use std::ops::Range;

use crate::barrier::Barrier;

pub(crate) use builder::{BoardBuilder, GroupSource, Kind};
pub(crate) use sections::{GroupRead, Halt, Section, SpikeLists, TileView, Whole, Worker};

/// Where a staged buffer came from, and goes back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Column `j` of neuron group `g`.
    Column(usize, usize),
    /// The input accumulator of neuron group `g`.
    Input(usize),
    /// The last spike times of neuron group `g`.
    LastSpike(usize),
    /// The spike flags of neuron group `g`.
    Spike(usize),
    /// The refractory flags of neuron group `g`.
    Refractory(usize),
    /// Column `j` of synapse group `s`.
    SynapseColumn(usize, usize),
}

/// A run's copy of a buffer, its start aligned to 64 bytes.
struct Staged<T> {
    origin: Origin,
    store: Vec<T>,
    offset: usize,
    len: usize,
}

impl<T: Copy + Default> Staged<T> {
    fn new(origin: Origin, src: &[T]) -> Self {
        let pad = 64 / std::mem::size_of::<T>().max(1);
        let mut store = vec![T::default(); src.len() + pad];
        let offset = store.as_ptr().align_offset(64).min(pad);
        store[offset..offset + src.len()].copy_from_slice(src);
        Staged {
            origin,
            store,
            offset,
            len: src.len(),
        }
    }

    fn values(&self) -> &[T] {
        &self.store[self.offset..self.offset + self.len]
    }

    /// The buffer's start; stable for the board's life (the store never grows).
    fn ptr(&mut self) -> Buf<T> {
        Buf {
            ptr: self.store[self.offset..].as_mut_ptr(),
            len: self.len,
        }
    }
}

/// A staged buffer as threads reach it: its start and length.
#[derive(Debug)]
pub struct Buf<T> {
    ptr: *mut T,
    len: usize,
}

impl<T> Clone for Buf<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Buf<T> {}

impl<T> Buf<T> {
    /// A buffer of no elements, whose every slice is empty (a variable whose values are
    /// dropped).
    const EMPTY: Buf<T> = Buf {
        ptr: std::ptr::null_mut(),
        len: 0,
    };

    /// `buf[range]`, shared.
    ///
    /// # Safety
    ///
    /// The buffer is alive and nothing writes to `range` while the slice lives.
    unsafe fn slice<'a>(self, range: Range<usize>) -> &'a [T] {
        if self.len == 0 {
            return &[];
        }
        assert!(range.start <= range.end && range.end <= self.len);
        // SAFETY: in bounds (checked); liveness and the absence of writers are the caller's.
        unsafe { std::slice::from_raw_parts(self.ptr.add(range.start), range.len()) }
    }

    /// `buf[range]`, exclusive.
    ///
    /// # Safety
    ///
    /// The buffer is alive and nothing else reaches `range` while the slice lives.
    #[allow(
        clippy::mut_from_ref,
        reason = "a `Buf` is a pointer into a staged buffer; exclusivity is the caller's contract"
    )]
    unsafe fn slice_mut<'a>(self, range: Range<usize>) -> &'a mut [T] {
        if self.len == 0 {
            return &mut [];
        }
        assert!(range.start <= range.end && range.end <= self.len);
        // SAFETY: in bounds (checked); liveness and exclusivity are the caller's.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(range.start), range.len()) }
    }
}

/// Several distinct columns of one length, borrowed mutably for `'a` (a tile of them, or all
/// of them): what generated kernels split into one slice per column.
pub struct ColumnsMut<'a> {
    backing: Backing<'a>,
    range: Range<usize>,
}

enum Backing<'a> {
    /// Distinct staged buffers of a board, sliced at `range`.
    Board(&'a [Buf<f64>]),
    /// Borrowed columns (already sliced; `range` is `0..len`).
    Slices(&'a mut [Vec<f64>]),
}

impl<'a> ColumnsMut<'a> {
    /// Every column of `columns` (one `Vec` per column, all of one length).
    ///
    /// # Panics
    ///
    /// If the columns differ in length.
    pub fn of(columns: &'a mut [Vec<f64>]) -> Self {
        let len = columns.first().map_or(0, Vec::len);
        assert!(
            columns.iter().all(|c| c.len() == len),
            "neurode internal error: columns of different lengths"
        );
        ColumnsMut {
            backing: Backing::Slices(columns),
            range: 0..len,
        }
    }

    /// Number of elements (of every column).
    pub fn len(&self) -> usize {
        self.range.len()
    }

    /// `true` without elements.
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// Number of columns.
    pub fn width(&self) -> usize {
        match &self.backing {
            Backing::Board(b) => b.len(),
            Backing::Slices(s) => s.len(),
        }
    }

    /// Column `j`, read-only (while `self` is borrowed nothing can write it).
    ///
    /// # Panics
    ///
    /// If `j >= width()`.
    pub fn get(&self, j: usize) -> &[f64] {
        match &self.backing {
            // SAFETY: the board lent these columns' `range` to `self` alone; `&self` keeps
            // `split` (which consumes `self`) and every writer away while the slice lives.
            Backing::Board(b) => unsafe { b[j].slice(self.range.clone()) },
            Backing::Slices(s) => &s[j],
        }
    }

    /// Column `j`, mutably (while `self` is borrowed nothing else reaches it).
    ///
    /// # Panics
    ///
    /// If `j >= width()`.
    pub fn column_mut(&mut self, j: usize) -> &mut [f64] {
        match &mut self.backing {
            // SAFETY: the board lent these columns' `range` to `self` alone; `&mut self` keeps
            // every other view of `self` away while the slice lives.
            Backing::Board(b) => unsafe { b[j].slice_mut(self.range.clone()) },
            Backing::Slices(s) => &mut s[j],
        }
    }

    /// The same columns for a shorter borrow.
    pub fn reborrow(&mut self) -> ColumnsMut<'_> {
        let backing = match &mut self.backing {
            Backing::Board(b) => Backing::Board(b),
            Backing::Slices(s) => Backing::Slices(s),
        };
        ColumnsMut {
            backing,
            range: self.range.clone(),
        }
    }

    /// The first `N` columns, one slice each.
    ///
    /// # Panics
    ///
    /// If there are fewer than `N` columns: the runtime passes one per stored variable, so this
    /// is an internal error of generated code.
    pub fn split<const N: usize>(self) -> [&'a mut [f64]; N] {
        assert!(
            self.width() >= N,
            "neurode internal error: the model needs {N} columns, the runtime passed {}",
            self.width()
        );
        match self.backing {
            Backing::Board(bufs) => {
                let range = self.range;
                // SAFETY: the board's buffers are distinct allocations and lent to `self` alone
                // at `range`; `self` is consumed, so each is handed out once.
                std::array::from_fn(|j| unsafe { bufs[j].slice_mut(range.clone()) })
            }
            Backing::Slices(cols) => {
                let mut it = cols.iter_mut();
                std::array::from_fn(|_| it.next().map_or(&mut [][..], Vec::as_mut_slice))
            }
        }
    }
}

/// The staged buffers of a neuron group.
struct GroupBufs {
    /// The columns whose rule writes collect in a buffer (the membrane potential, held
    /// states), each with its buffer and whether the refractory period holds it.
    jumps: Vec<(usize, Buf<f64>, bool)>,
    n: usize,
    membrane: Option<usize>,
    columns: Vec<Buf<f64>>,
    input: Buf<f64>,
    t_last_spike: Buf<f64>,
    spike: Buf<bool>,
    refractory: Buf<bool>,
}

/// The staged columns of a synapse group kept per postsynaptic neuron.
struct SynBufs {
    /// The postsynaptic group (whose tiles are the columns' tiles).
    group: usize,
    columns: Vec<Buf<f64>>,
    /// The step's values, when monitored (see [`TileView::synapses`]).
    shadow: Vec<Buf<f64>>,
}

/// Every buffer a run's threads write, and the protocol by which they reach it (see the module
/// documentation).
pub(crate) struct Board {
    threads: usize,
    steps: u64,
    groups: Vec<GroupBufs>,
    synapses: Vec<Option<SynBufs>>,
    /// Per synapse group: the neuron group its rules add to, the columns they add to (a
    /// buffer of the group in place of its membrane potential and of its held states), and
    /// whether any of them is such a buffer.
    targets: Vec<(usize, Vec<Buf<f64>>, bool)>,
    /// Per group: the neurons that spiked at its last update.
    spiking: Vec<UnsafeCell<Vec<u32>>>,
    /// Per group and thread: the thread's part of the next spike list.
    parts: Vec<Vec<UnsafeCell<Vec<u32>>>>,
    // Owners of what the `Buf`s above point into (never resized while the board lives).
    floats: Vec<Staged<f64>>,
    flags: Vec<Staged<bool>>,
    _shadows: Vec<Vec<f64>>,
    /// The sections of one step, each with its phases.
    sections: Vec<(Kind, Range<usize>)>,
    /// Per phase: its neuron group and the synapse groups tiled with it (for tiled phases).
    tiled: Vec<(usize, Vec<usize>)>,
    barrier: Barrier,
}

// SAFETY: the raw pointers in `groups` and `synapses` point into `floats`, `flags` and
// `shadows`, owned by the board and never resized; the cells hold plain vectors. Threads reach
// them only through the sections a `Worker` hands out: in a `Tiles` section each thread reaches
// its own disjoint range, and only reads the spike lists; a `Whole` section goes to thread 0
// alone while every other thread waits at the barrier that ends it. Barriers order everything a
// thread did before one after it.
unsafe impl Sync for Board {}

impl Board {
    /// A whole-board section before any thread starts (`&mut self`: nobody else can be here).
    pub(crate) fn before_start(&mut self) -> Whole<'_> {
        Whole { board: self }
    }

    /// Thread `k`'s worker; each thread takes exactly one, `k` from 0 to `threads − 1`.
    pub(crate) fn worker(&self, k: usize) -> Worker<'_> {
        assert!(k < self.threads, "neurode internal error: worker {k}");
        Worker {
            board: self,
            k,
            pos: 0,
            started: false,
        }
    }

    /// Breaks the barrier: every thread leaves at its next wait (after a panic).
    pub(crate) fn break_all(&self) {
        self.barrier.break_all();
    }

    /// Ends the run: every staged buffer with the place it came from (the caller writes it
    /// back there), and every group's spike list.
    pub(crate) fn finish(self) -> Finished {
        Finished {
            floats: self.floats,
            flags: self.flags,
            spiking: self
                .spiking
                .into_iter()
                .map(UnsafeCell::into_inner)
                .collect(),
        }
    }

    fn tile(&self, n: usize, k: usize) -> Range<usize> {
        tile(n, k, self.threads)
    }
}

/// Thread `k`'s tile of a group of `n` elements out of `threads`: a contiguous range, the same
/// for a neuron group and the per-postsynaptic state of the synapse groups onto it.
pub(crate) fn tile(n: usize, k: usize, threads: usize) -> Range<usize> {
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
pub(crate) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults, whatever the address; SSE is part of x86_64.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// What a run leaves: the staged buffers, each with its origin, and the spike lists.
pub(crate) struct Finished {
    floats: Vec<Staged<f64>>,
    flags: Vec<Staged<bool>>,
    /// Per group, the neurons that spiked at its last update.
    pub(crate) spiking: Vec<Vec<u32>>,
}

impl Finished {
    /// Every staged float buffer: where it goes back, and its values.
    pub(crate) fn floats(&self) -> impl Iterator<Item = (Origin, &[f64])> {
        self.floats.iter().map(|s| (s.origin, s.values()))
    }

    /// Every staged flag buffer: where it goes back, and its values.
    pub(crate) fn flags(&self) -> impl Iterator<Item = (Origin, &[bool])> {
        self.flags.iter().map(|s| (s.origin, s.values()))
    }
}
