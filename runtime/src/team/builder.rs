//! Building a [`Board`]: staging the buffers of a run.

use std::cell::UnsafeCell;
use std::ops::Range;

use super::{Board, Buf, GroupBufs, Origin, Staged, SynBufs};
use crate::barrier::Barrier;

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
    /// Per neuron group: the columns whose rule writes collect in a buffer (the membrane
    /// potential, and the states the refractory period holds), each with the index of its
    /// buffer in `shadows` and whether it is held.
    jumps: Vec<Vec<(usize, usize, bool)>>,
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
        self.jumps.push(Vec::new());
    }

    /// The columns of neuron group `g` (staged already) that the rules of synapse group `s`
    /// add to (every synapse group is passed, in order; none for a group without rules), and
    /// which of the group's columns the refractory period holds (`held`). A rule adding to the
    /// membrane potential or to a held state adds into a buffer of the group instead (synapse
    /// groups read V while their rules write; a refractory neuron drops what reaches a held
    /// state), which [`Whole::apply_jumps`](super::Whole::apply_jumps) adds at the end of the
    /// synapse group's slot.
    ///
    /// # Panics
    ///
    /// If a column is out of range: the network refuses such a binding.
    pub(crate) fn targets(
        &mut self,
        s: usize,
        g: usize,
        columns: Vec<Option<usize>>,
        held: &[bool],
    ) {
        debug_assert_eq!(s, self.targets.len());
        let group = &self.groups[g];
        assert!(
            columns.iter().flatten().all(|&j| j < group.columns.len()),
            "neurode internal error: a rule target is out of range"
        );
        for &j in columns.iter().flatten() {
            let is_held = held.get(j).copied().unwrap_or(false);
            let buffered = Some(j) == group.membrane || is_held;
            if buffered && !self.jumps[g].iter().any(|&(c, _, _)| c == j) {
                self.shadows.push(vec![0.0; group.n]);
                self.jumps[g].push((j, self.shadows.len() - 1, is_held));
            }
        }
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
            .zip(&self.jumps)
            .map(|(g, jumps)| GroupBufs {
                jumps: jumps
                    .iter()
                    .map(|&(j, k, held)| (j, shadow_bufs[k], held))
                    .collect(),
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
                let group = &self.groups[*g];
                let jumps = &self.jumps[*g];
                let buf = |j: &Option<usize>| match *j {
                    None => Buf::EMPTY,
                    Some(j) => match jumps.iter().find(|&&(c, _, _)| c == j) {
                        Some(&(_, k, _)) => shadow_bufs[k],
                        None => floats[group.columns[j]],
                    },
                };
                let buffered = cols
                    .iter()
                    .flatten()
                    .any(|&j| jumps.iter().any(|&(c, _, _)| c == j));
                (*g, cols.iter().map(buf).collect(), buffered)
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
