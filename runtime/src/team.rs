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
#![allow(
    unsafe_code,
    reason = "the one module that slices shared buffers (see the module docs)"
)]

use std::cell::UnsafeCell;
use std::ops::Range;

use crate::barrier::{Barrier, Flow};

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

/// A neuron group's storage, as handed to [`BoardBuilder::group`].
pub(crate) struct GroupSource<'a> {
    pub(crate) columns: Vec<&'a [f64]>,
    pub(crate) membrane: Option<usize>,
    pub(crate) input: &'a [f64],
    pub(crate) spike: &'a [bool],
    pub(crate) refractory: &'a [bool],
    pub(crate) t_last_spike: &'a [f64],
    pub(crate) spiking: &'a [u32],
}

/// What the board needs to know of one section kind of a run's step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Every thread on its tile of the phase's group.
    Tiles,
    /// Thread 0 alone.
    Whole,
}

/// A staged neuron group while the board is built: its size, membrane column, and the indices
/// of its staged columns, `[input, last spike]` floats and `[spike, refractory]` flags.
struct GroupIds {
    n: usize,
    membrane: Option<usize>,
    columns: Vec<usize>,
    floats: [usize; 2],
    flags: [usize; 2],
}

/// A staged synapse group while the board is built: its postsynaptic group and the indices of
/// its staged columns and shadow columns.
struct SynIds {
    post: usize,
    columns: Vec<usize>,
    shadows: Vec<usize>,
}

/// Builds a [`Board`].
#[derive(Default)]
pub(crate) struct BoardBuilder {
    floats: Vec<Staged<f64>>,
    flags: Vec<Staged<bool>>,
    shadows: Vec<Vec<f64>>,
    groups: Vec<GroupIds>,
    spiking: Vec<Vec<u32>>,
    synapses: Vec<Option<SynIds>>,
    /// Per synapse group: the neuron group its rules add to and the columns they add to
    /// (`None` for a variable whose values are dropped).
    targets: Vec<(usize, Vec<Option<usize>>)>,
}

impl BoardBuilder {
    /// Stages neuron group number `g` (groups are added in order).
    pub(crate) fn group(&mut self, g: usize, src: GroupSource<'_>) {
        debug_assert_eq!(g, self.groups.len());
        let mut float = |origin, values: &[f64]| {
            self.floats.push(Staged::new(origin, values));
            self.floats.len() - 1
        };
        let columns = src
            .columns
            .iter()
            .enumerate()
            .map(|(j, c)| float(Origin::Column(g, j), c))
            .collect();
        let input = float(Origin::Input(g), src.input);
        let t_last = float(Origin::LastSpike(g), src.t_last_spike);
        let mut flag = |origin, values: &[bool]| {
            self.flags.push(Staged::new(origin, values));
            self.flags.len() - 1
        };
        let spike = flag(Origin::Spike(g), src.spike);
        let refractory = flag(Origin::Refractory(g), src.refractory);
        self.groups.push(GroupIds {
            n: src.input.len(),
            membrane: src.membrane,
            columns,
            floats: [input, t_last],
            flags: [spike, refractory],
        });
        let mut list = Vec::with_capacity(src.input.len());
        list.extend_from_slice(src.spiking);
        self.spiking.push(list);
    }

    /// The columns of neuron group `g` (staged already) that the rules of synapse group `s`
    /// add to (every synapse group is passed, in order; none for a group without rules).
    ///
    /// # Panics
    ///
    /// If a column is the group's membrane potential (which synapse groups read while their
    /// rules would write the targets) or out of range: the network refuses such a binding.
    pub(crate) fn targets(&mut self, s: usize, g: usize, columns: Vec<Option<usize>>) {
        debug_assert_eq!(s, self.targets.len());
        let group = &self.groups[g];
        assert!(
            columns
                .iter()
                .flatten()
                .all(|&j| j < group.columns.len() && Some(j) != group.membrane),
            "neurode internal error: a rule target is the membrane potential or out of range"
        );
        self.targets.push((g, columns));
    }

    /// Stages synapse group number `s` (every group is passed, in order): `Some((post, columns,
    /// shadowed))` for one kept per postsynaptic neuron of group `post`, with a copy of the
    /// step's values when `shadowed`; `None` for the others, which stay where they are.
    pub(crate) fn synapse(&mut self, s: usize, staged: Option<(usize, Vec<&[f64]>, bool)>) {
        debug_assert_eq!(s, self.synapses.len());
        let entry = staged.map(|(post, columns, shadowed)| {
            let mut ids = Vec::new();
            let mut shadows = Vec::new();
            for (j, c) in columns.iter().enumerate() {
                self.floats
                    .push(Staged::new(Origin::SynapseColumn(s, j), c));
                ids.push(self.floats.len() - 1);
                if shadowed {
                    self.shadows.push(c.to_vec());
                    shadows.push(self.shadows.len() - 1);
                }
            }
            SynIds {
                post,
                columns: ids,
                shadows,
            }
        });
        self.synapses.push(entry);
    }

    /// The board for `threads` threads and `steps` steps, each step running `sections` (a kind
    /// and the phases it runs); `tiled[p]` is phase `p`'s neuron group and the synapse groups
    /// tiled with it (empty for phases without tiles).
    ///
    /// # Panics
    ///
    /// If two phases of one `Tiles` section tile the same neuron group (their tiles would
    /// overlap across threads).
    pub(crate) fn build(
        mut self,
        threads: usize,
        steps: u64,
        sections: Vec<(Kind, Range<usize>)>,
        tiled: Vec<(usize, Vec<usize>)>,
    ) -> Board {
        for (kind, phases) in &sections {
            if *kind == Kind::Tiles {
                let groups: Vec<usize> = phases.clone().map(|p| tiled[p].0).collect();
                assert!(
                    groups
                        .iter()
                        .enumerate()
                        .all(|(i, g)| !groups[..i].contains(g)),
                    "neurode internal error: one section tiles a group twice"
                );
            }
        }
        let threads = threads.max(1);
        let floats: Vec<Buf<f64>> = self.floats.iter_mut().map(Staged::ptr).collect();
        let flags: Vec<Buf<bool>> = self.flags.iter_mut().map(Staged::ptr).collect();
        let shadow_bufs: Vec<Buf<f64>> = self
            .shadows
            .iter_mut()
            .map(|v| Buf {
                ptr: v.as_mut_ptr(),
                len: v.len(),
            })
            .collect();
        let groups = self
            .groups
            .iter()
            .map(|g| GroupBufs {
                n: g.n,
                membrane: g.membrane,
                columns: g.columns.iter().map(|&i| floats[i]).collect(),
                input: floats[g.floats[0]],
                t_last_spike: floats[g.floats[1]],
                spike: flags[g.flags[0]],
                refractory: flags[g.flags[1]],
            })
            .collect();
        let synapses = self
            .synapses
            .iter()
            .map(|e| {
                e.as_ref().map(|s| SynBufs {
                    group: s.post,
                    columns: s.columns.iter().map(|&i| floats[i]).collect(),
                    shadow: s.shadows.iter().map(|&i| shadow_bufs[i]).collect(),
                })
            })
            .collect();
        let targets = self
            .targets
            .iter()
            .map(|(g, cols)| {
                let ids = &self.groups[*g].columns;
                let buf = |j: &Option<usize>| j.map_or(Buf::EMPTY, |j| floats[ids[j]]);
                (*g, cols.iter().map(buf).collect())
            })
            .collect();
        let n_groups = self.spiking.len();
        Board {
            targets,
            threads,
            steps,
            spiking: self.spiking.into_iter().map(UnsafeCell::new).collect(),
            parts: (0..n_groups)
                .map(|_| (0..threads).map(|_| UnsafeCell::new(Vec::new())).collect())
                .collect(),
            groups,
            synapses,
            floats: self.floats,
            flags: self.flags,
            _shadows: self.shadows,
            sections,
            tiled,
            barrier: Barrier::new(threads),
        }
    }
}

/// Every buffer a run's threads write, and the protocol by which they reach it (see the module
/// documentation).
pub(crate) struct Board {
    threads: usize,
    steps: u64,
    groups: Vec<GroupBufs>,
    synapses: Vec<Option<SynBufs>>,
    /// Per synapse group: the neuron group its rules add to, and the columns they add to
    /// (never its membrane potential).
    targets: Vec<(usize, Vec<Buf<f64>>)>,
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

/// Why a thread leaves the step loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Halt {
    /// Every step ran.
    Done,
    /// A stop was requested at the barrier that ended the section of (relative) step `step`.
    Stop {
        /// The step that did not complete.
        step: u64,
    },
    /// A thread panicked.
    Broken,
}

/// One thread's way through the sections of a run.
pub(crate) struct Worker<'b> {
    board: &'b Board,
    k: usize,
    /// Sections handed out so far.
    pos: u64,
    started: bool,
}

/// What a thread may do until it asks for the next section.
pub(crate) enum Section<'w> {
    /// Work on its tile of the phase.
    Tiles(Tiles<'w>),
    /// Work on every buffer (thread 0 only).
    Whole(Whole<'w>),
    /// Nothing: go to the barrier (the other threads while thread 0 has a `Whole` section).
    Wait,
}

impl Worker<'_> {
    /// Ends the current section at the barrier, with this thread's stop request, and returns
    /// the next one: its step (from 0), its phases and what the thread may do. The first call
    /// starts the first section without waiting.
    pub(crate) fn next(&mut self, stop: bool) -> Result<(u64, Range<usize>, Section<'_>), Halt> {
        let per_step = self.board.sections.len() as u64;
        if self.started {
            match self.board.barrier.wait(stop) {
                Flow::Go => {}
                Flow::Stop => {
                    return Err(Halt::Stop {
                        step: self.pos / per_step.max(1),
                    })
                }
                Flow::Broken => return Err(Halt::Broken),
            }
            self.pos += 1;
        }
        self.started = true;
        if per_step == 0 || self.pos >= self.board.steps.saturating_mul(per_step) {
            return Err(Halt::Done);
        }
        let step = self.pos / per_step;
        let (kind, phases) = &self.board.sections[(self.pos % per_step) as usize];
        let section = match (kind, self.k) {
            (Kind::Tiles, k) => Section::Tiles(Tiles {
                board: self.board,
                k,
                phases: phases.clone(),
            }),
            (Kind::Whole, 0) => Section::Whole(Whole { board: self.board }),
            (Kind::Whole, _) => Section::Wait,
        };
        Ok((step, phases.clone(), section))
    }
}

/// Thread `k`'s tiles of the tiled phases of a section (each of its own neuron group), until
/// the next barrier.
pub(crate) struct Tiles<'w> {
    board: &'w Board,
    k: usize,
    phases: Range<usize>,
}

/// The spike lists, read-only.
#[derive(Clone, Copy)]
pub(crate) struct SpikeLists<'t> {
    board: &'t Board,
}

impl<'t> SpikeLists<'t> {
    /// The neurons of group `g` that spiked at its last update (ascending).
    pub(crate) fn get(self, g: usize) -> &'t [u32] {
        // SAFETY: lists change only in `Whole` sections; a `SpikeLists` lives in a `Tiles`
        // section, where every thread only reads them.
        unsafe { &*self.board.spiking[g].get() }
    }
}

/// Thread `k`'s part of a tiled phase: its tile of the group, and of every synapse group tiled
/// with it.
pub(crate) struct TileView<'t> {
    /// The tile (indices into the group).
    pub(crate) range: Range<usize>,
    /// The group's columns on the tile.
    pub(crate) columns: ColumnsMut<'t>,
    /// Index of the membrane potential among the columns.
    pub(crate) membrane: Option<usize>,
    pub(crate) input: &'t mut [f64],
    pub(crate) t_last_spike: &'t mut [f64],
    pub(crate) spike: &'t mut [bool],
    pub(crate) refractory: &'t mut [bool],
    /// This thread's part of the group's next spike list.
    pub(crate) part: &'t mut Vec<u32>,
    pub(crate) spiking: SpikeLists<'t>,
    /// The phase's synapse groups, in order: each one's number, columns and shadow columns
    /// (the step's values, for monitors) on the tile.
    pub(crate) synapses: SynapseTiles<'t>,
}

/// The per-postsynaptic columns of a phase's synapse groups on one tile, one group at a time.
pub(crate) struct SynapseTiles<'t> {
    board: &'t Board,
    ids: std::slice::Iter<'t, usize>,
    range: Range<usize>,
}

impl<'t> Iterator for SynapseTiles<'t> {
    type Item = (usize, ColumnsMut<'t>, Option<ColumnsMut<'t>>);

    fn next(&mut self) -> Option<Self::Item> {
        let &s = self.ids.next()?;
        let bufs = self.board.synapses[s].as_ref()?;
        let columns = ColumnsMut {
            backing: Backing::Board(&bufs.columns),
            range: self.range.clone(),
        };
        let shadow = (!bufs.shadow.is_empty()).then(|| ColumnsMut {
            backing: Backing::Board(&bufs.shadow),
            range: self.range.clone(),
        });
        Some((s, columns, shadow))
    }
}

impl Tiles<'_> {
    /// This thread's view of phase `phase` of the section (one at a time).
    ///
    /// # Panics
    ///
    /// If the section does not run `phase`.
    pub(crate) fn view(&mut self, phase: usize) -> TileView<'_> {
        assert!(
            self.phases.contains(&phase),
            "neurode internal error: phase {phase} is not in this section"
        );
        let board = self.board;
        let (g, synapses) = &board.tiled[phase];
        let buf = &board.groups[*g];
        let range = board.tile(buf.n, self.k);
        let r = range.clone();
        // SAFETY: a `Tiles` section: thread `k` alone reaches range `r` of group `g`'s buffers
        // and of the synapse columns tiled with it (tiles of different threads are disjoint,
        // every synapse group tiled with `g` has `g`'s length, and no other phase of the
        // section tiles `g`: checked when the board was built); its own part of the spike list
        // is its alone; the borrow of `self` keeps a second view away.
        unsafe {
            TileView {
                columns: ColumnsMut {
                    backing: Backing::Board(&buf.columns),
                    range: r.clone(),
                },
                membrane: buf.membrane,
                input: buf.input.slice_mut(r.clone()),
                t_last_spike: buf.t_last_spike.slice_mut(r.clone()),
                spike: buf.spike.slice_mut(r.clone()),
                refractory: buf.refractory.slice_mut(r.clone()),
                part: &mut *board.parts[*g][self.k].get(),
                spiking: SpikeLists { board },
                synapses: SynapseTiles {
                    board,
                    ids: synapses.iter(),
                    range: r,
                },
                range,
            }
        }
    }
}

/// The columns synapse group `s`'s rules add to, whole. Only for a `Whole` section's `&mut`
/// methods: the section is thread 0's alone, and the borrow of the `Whole` keeps a second view
/// away.
fn targets_of(board: &Board, s: usize) -> ColumnsMut<'_> {
    match board.targets.get(s) {
        Some((g, bufs)) if !bufs.is_empty() => ColumnsMut {
            backing: Backing::Board(bufs),
            range: 0..board.groups[*g].n,
        },
        _ => ColumnsMut::of(&mut []),
    }
}

/// Thread 0 alone, every buffer, until the next barrier.
pub(crate) struct Whole<'w> {
    board: &'w Board,
}

/// A neuron group, whole, read-only: what a synapse group sees of its pre- and postsynaptic
/// groups.
#[derive(Clone, Copy)]
pub(crate) struct GroupRead<'a> {
    pub(crate) v: &'a [f64],
    pub(crate) spike: &'a [bool],
    pub(crate) refractory: &'a [bool],
    pub(crate) spiking: &'a [u32],
}

impl Whole<'_> {
    /// Group `g`, read-only.
    pub(crate) fn read(&self, g: usize) -> GroupRead<'_> {
        let buf = &self.board.groups[g];
        let all = 0..buf.n;
        // SAFETY: a `Whole` section: thread 0 alone; shared borrows of `self` exclude the
        // `&mut self` methods that write.
        unsafe {
            GroupRead {
                v: buf
                    .membrane
                    .map_or(&[][..], |m| buf.columns[m].slice(all.clone())),
                spike: buf.spike.slice(all.clone()),
                refractory: buf.refractory.slice(all),
                spiking: &*self.board.spiking[g].get(),
            }
        }
    }

    /// Column `j` of group `g`.
    pub(crate) fn column(&self, g: usize, j: usize) -> &[f64] {
        let buf = &self.board.groups[g];
        // SAFETY: as `read`.
        unsafe { buf.columns[j].slice(0..buf.n) }
    }

    /// Group `g`'s input accumulator and membrane potential (empty without one), to deliver
    /// outputs into.
    pub(crate) fn input_and_v(&mut self, g: usize) -> (&mut [f64], &mut [f64]) {
        let buf = &self.board.groups[g];
        // SAFETY: thread 0 alone; input and V are distinct buffers; `&mut self` excludes every
        // other borrow.
        unsafe {
            (
                buf.input.slice_mut(0..buf.n),
                match buf.membrane {
                    Some(m) => buf.columns[m].slice_mut(0..buf.n),
                    None => &mut [],
                },
            )
        }
    }

    /// The postsynaptic side of synapse group `s` (kept per postsynaptic neuron), whole: its
    /// columns and shadow columns, and its postsynaptic group's V, spike and refractory flags
    /// (read-only), input accumulator, the columns its rules add to, the spike lists, and its
    /// presynaptic group `pre` (read-only).
    pub(crate) fn post_side(&mut self, s: usize, pre: usize) -> PostSide<'_> {
        let board = self.board;
        let Some(bufs) = board.synapses[s].as_ref() else {
            panic!("neurode internal error: synapse group {s} is not staged");
        };
        let buf = &board.groups[bufs.group];
        let all = 0..buf.n;
        // SAFETY: thread 0 alone; the synapse columns, V, spike and refractory flags, input and
        // the rule targets (never V) are distinct buffers; `&mut self` excludes every other
        // borrow.
        unsafe {
            PostSide {
                columns: ColumnsMut {
                    backing: Backing::Board(&bufs.columns),
                    range: all.clone(),
                },
                shadow: (!bufs.shadow.is_empty()).then(|| ColumnsMut {
                    backing: Backing::Board(&bufs.shadow),
                    range: all.clone(),
                }),
                v: buf
                    .membrane
                    .map_or(&[][..], |m| buf.columns[m].slice(all.clone())),
                refractory: buf.refractory.slice(all.clone()),
                spike: buf.spike.slice(all.clone()),
                input: buf.input.slice_mut(all),
                spiking: SpikeLists { board },
                targets: targets_of(board, s),
                pre: self.read(pre),
            }
        }
    }

    /// Synapse group `s`, run whole and not staged: its pre- and postsynaptic groups
    /// (`pre`, `post`), read-only, and the columns its rules add to.
    pub(crate) fn serial_side(&mut self, s: usize, pre: usize, post: usize) -> SerialSide<'_> {
        let targets = targets_of(self.board, s);
        // The targets are columns of a group other than its membrane potential (checked when
        // the board was built), distinct from everything a `GroupRead` holds; `&mut self`
        // excludes every other borrow.
        SerialSide {
            pre: self.read(pre),
            post: self.read(post),
            targets,
        }
    }

    /// Column `j` of synapse group `s` as monitors see it: the step's values (the shadow
    /// column) when it has one.
    pub(crate) fn synapse_column(&self, s: usize, j: usize) -> &[f64] {
        let bufs = self.board.synapses[s]
            .as_ref()
            .expect("neurode internal error: synapse group not staged");
        let buf = bufs.shadow.get(j).unwrap_or(&bufs.columns[j]);
        // SAFETY: as `read`.
        unsafe { buf.slice(0..buf.len) }
    }

    /// Column `j` of synapse group `s` as the run keeps it (advanced: see
    /// [`crate::SynapseModel::post_kernel`]).
    pub(crate) fn staged_column(&self, s: usize, j: usize) -> &[f64] {
        let bufs = self.board.synapses[s]
            .as_ref()
            .expect("neurode internal error: synapse group not staged");
        let buf = bufs.columns[j];
        // SAFETY: as `read`.
        unsafe { buf.slice(0..buf.len) }
    }

    /// Makes group `g`'s spike list the threads' parts, in thread order.
    pub(crate) fn gather_spikes(&mut self, g: usize) {
        let board = self.board;
        // SAFETY: thread 0 alone; the parts were written in the `Tiles` section before the
        // barrier that began this one.
        unsafe {
            let list = &mut *board.spiking[g].get();
            list.clear();
            for part in &board.parts[g] {
                list.extend_from_slice(&*part.get());
            }
        }
    }
}

/// See [`Whole::post_side`].
pub(crate) struct PostSide<'a> {
    pub(crate) columns: ColumnsMut<'a>,
    pub(crate) shadow: Option<ColumnsMut<'a>>,
    pub(crate) v: &'a [f64],
    pub(crate) refractory: &'a [bool],
    pub(crate) spike: &'a [bool],
    pub(crate) input: &'a mut [f64],
    pub(crate) spiking: SpikeLists<'a>,
    /// The postsynaptic columns the group's rules add to.
    pub(crate) targets: ColumnsMut<'a>,
    /// The presynaptic group, read-only.
    pub(crate) pre: GroupRead<'a>,
}

/// What a synapse group run whole reads of its neuron groups, and the columns its rules add to.
pub(crate) struct SerialSide<'a> {
    pub(crate) pre: GroupRead<'a>,
    pub(crate) post: GroupRead<'a>,
    pub(crate) targets: ColumnsMut<'a>,
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
    fn staged_copies_are_aligned() {
        for len in [0, 1, 7, 100] {
            let src: Vec<f64> = (0..len).map(f64::from).collect();
            let mut s = Staged::new(Origin::Input(0), &src);
            assert_eq!(s.values(), &src[..]);
            assert_eq!(s.ptr().ptr as usize % 64, 0, "len {len}");
        }
    }

    #[test]
    fn columns_split_without_copying() {
        let mut cols = vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]];
        let c = ColumnsMut::of(&mut cols);
        assert_eq!((c.len(), c.width(), c.get(2)), (2, 3, &[5.0, 6.0][..]));
        let [a, b] = c.split::<2>();
        a[0] += b[1];
        b[0] = 0.0;
        assert_eq!(cols, vec![vec![5.0, 2.0], vec![0.0, 4.0], vec![5.0, 6.0]]);
    }

    #[test]
    #[should_panic(expected = "needs 2 columns")]
    fn columns_split_checks_the_count() {
        let mut cols = vec![vec![1.0]];
        let _ = ColumnsMut::of(&mut cols).split::<2>();
    }

    #[test]
    fn tiles_cover_the_group_once() {
        for n in [0, 1, 5, 100] {
            for threads in 1..6 {
                let covered: Vec<usize> = (0..threads).flat_map(|k| tile(n, k, threads)).collect();
                assert_eq!(covered, (0..n).collect::<Vec<_>>());
            }
        }
    }
}
