//! The sections a [`Worker`] hands out, and the views of the board they lend.

use std::ops::Range;

use super::{Backing, Board, ColumnsMut, Kind};
use crate::barrier::Flow;

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
    pub(super) board: &'b Board,
    pub(super) k: usize,
    /// Sections handed out so far.
    pub(super) pos: u64,
    pub(super) started: bool,
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
        Some((g, bufs, _)) if !bufs.is_empty() => ColumnsMut {
            backing: Backing::Board(bufs),
            range: 0..board.groups[*g].n,
        },
        _ => ColumnsMut::of(&mut []),
    }
}

/// Thread 0 alone, every buffer, until the next barrier.
pub(crate) struct Whole<'w> {
    pub(super) board: &'w Board,
}

/// A neuron group, whole, read-only: what a synapse group sees of its pre- and postsynaptic
/// groups.
#[derive(Clone, Copy)]
pub(crate) struct GroupRead<'a> {
    pub(crate) v: &'a [f64],
    pub(crate) spike: &'a [bool],
    pub(crate) refractory: &'a [bool],
    pub(crate) spiking: &'a [u32],
    /// The time of each neuron's last spike (ms): where a model locates its crossing inside
    /// the step, that time.
    pub(crate) t_last_spike: &'a [f64],
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
                refractory: buf.refractory.slice(all.clone()),
                t_last_spike: buf.t_last_spike.slice(all),
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

    /// Adds what the rules of synapse group `s` added this step to its postsynaptic group's
    /// buffered columns (the membrane potential, held states) to the columns, and empties the
    /// buffers; for a held state, what reaches a neuron whose refractory flag is set is
    /// dropped. Nothing for a synapse group whose rules write no buffered column.
    pub(crate) fn apply_jumps(&mut self, s: usize) {
        let Some(&(g, _, true)) = self.board.targets.get(s) else {
            return;
        };
        let buf = &self.board.groups[g];
        for &(j, jump, held) in &buf.jumps {
            // SAFETY: thread 0 alone; the buffer, the column and the refractory flags are
            // distinct buffers; `&mut self` excludes every other borrow.
            let (jump, x, refractory) = unsafe {
                (
                    jump.slice_mut(0..buf.n),
                    buf.columns[j].slice_mut(0..buf.n),
                    buf.refractory.slice(0..buf.n),
                )
            };
            for ((x, d), &r) in x.iter_mut().zip(jump).zip(refractory) {
                if *d != 0.0 {
                    if !(held && r) {
                        *x += *d;
                    }
                    *d = 0.0;
                }
            }
        }
    }

    /// Column `j` of neuron group `g`, whole, to write.
    pub(crate) fn column_mut(&mut self, g: usize, j: usize) -> &mut [f64] {
        let buf = &self.board.groups[g];
        // SAFETY: thread 0 alone; `&mut self` excludes every other borrow.
        unsafe { buf.columns[j].slice_mut(0..buf.n) }
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
        // the rule targets (never V: a jump buffer stands in for it) are distinct buffers;
        // `&mut self` excludes every other borrow.
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
        // The targets are columns of a group other than its membrane potential (a jump buffer
        // stands in for V), distinct from everything a `GroupRead` holds; `&mut self` excludes
        // every other borrow.
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
