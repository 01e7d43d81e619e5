//! The schedule of a network (objects in order, with their monitors) and how a run cuts it into
//! phases.
//!
//! A *tiled phase* is a neuron group together with the synapse groups onto it that come right
//! before it in the schedule and can run in tiles of postsynaptic neurons (state per
//! postsynaptic neuron, every output a current or conductance delivered without delay, sorted
//! rows: [`AnySynapses::tileable`]). Every thread runs its tile of the phase; the phase's
//! kernels run as one loop where they fuse ([`crate::fuse`]). A *serial phase* is any other
//! synapse group, run whole by thread 0.

use std::any::TypeId;

use crate::fuse::{Fuser, MAX_FUSED};
use crate::group::AnyGroup;
use crate::synapse::AnySynapses;

/// An object of the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Obj {
    Neuron(usize),
    Synapse(usize),
}

/// One entry of the schedule: an object and the monitors that record it.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub(crate) obj: Obj,
    pub(crate) monitors: Vec<usize>,
    pub(crate) spike_monitors: Vec<usize>,
}

impl Slot {
    pub(crate) fn new(obj: Obj) -> Self {
        Slot {
            obj,
            monitors: Vec::new(),
            spike_monitors: Vec::new(),
        }
    }
}

/// A fused loop registered for a synapse group type onto a neuron group type (the `TypeId`s of
/// `SynapseGroup<S>` and `NeuronGroup<B>`).
pub(crate) type FuserEntry = (TypeId, TypeId, Fuser);

/// Tileable synapse groups onto neuron group `group`, then (if `neuron`) the group itself.
#[derive(Debug)]
pub(crate) struct Tiled {
    pub(crate) group: usize,
    pub(crate) synapses: Vec<usize>,
    pub(crate) neuron: bool,
    /// Schedule slots of the phase's objects, in order (for their monitors).
    pub(crate) slots: Vec<usize>,
    /// The loop running the phase's kernels as one: one to [`MAX_FUSED`] synapse groups of one
    /// model with the neurons, all under one method.
    pub(crate) fuser: Option<Fuser>,
    /// Nothing but this phase's synapse groups adds to the group's input accumulator (no
    /// external input, no other synapse group's output): it is zero when the phase starts, and a
    /// fused loop keeps it in a register without reading or writing it.
    pub(crate) quiet_input: bool,
}

/// A stretch of the schedule run together.
#[derive(Debug)]
pub(crate) enum Phase {
    /// Run by every thread on its tile.
    Tiled(Tiled),
    /// One synapse group, run whole by thread 0; its monitors record here unless it has an
    /// [`Phase::Post`].
    Serial { synapse: usize, slot: usize },
    /// The `#[on_post(...)]` rules of one synapse group, run by thread 0 after both the
    /// group's own phase and its postsynaptic group's update; the group's monitors record
    /// here, once the step's rules have run.
    Post { synapse: usize, slot: usize },
}

/// Cuts `schedule` into phases; `fusers` are the fused loops available (none: no fusion).
pub(crate) fn plan(
    schedule: &[Slot],
    neurons: &[Box<dyn AnyGroup>],
    synapses: &[Box<dyn AnySynapses>],
    fusers: &[FuserEntry],
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
                        fuser: None,
                        quiet_input: false,
                    }));
                }
            }
            Obj::Synapse(s) => {
                let syn = &synapses[s];
                let post = syn.endpoints().1;
                // Tiles need the target's membrane potential.
                let tiled = syn.tileable() && neurons[post].info().membrane.is_some();
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
                        fuser: None,
                        quiet_input: false,
                    }));
                }
            }
        }
    }
    insert_post_phases(&mut phases, schedule, synapses);
    for phase in &mut phases {
        if let Phase::Tiled(p) = phase {
            p.fuser = fuser(p, neurons, synapses, fusers);
            p.quiet_input = !neurons[p.group].has_inputs()
                && synapses.iter().enumerate().all(|(s, syn)| {
                    p.synapses.contains(&s)
                        || (0..syn.n_outputs()).all(|o| syn.output_group(o) != p.group)
                });
        }
    }
    phases
}

/// Puts the `#[on_post(...)]` phase of every synapse group with one right after the later of
/// its own phase and its postsynaptic group's update (groups sharing a place in schedule order).
fn insert_post_phases(
    phases: &mut Vec<Phase>,
    schedule: &[Slot],
    synapses: &[Box<dyn AnySynapses>],
) {
    let mut inserts: Vec<(usize, usize, usize)> = Vec::new();
    for (k, slot) in schedule.iter().enumerate() {
        let Obj::Synapse(s) = slot.obj else { continue };
        let syn = &synapses[s];
        if syn.info().rules_post.is_empty() {
            continue;
        }
        let post = syn.endpoints().1;
        let own = phases.iter().position(|p| match p {
            Phase::Serial { synapse, .. } => *synapse == s,
            Phase::Tiled(t) => t.synapses.contains(&s),
            Phase::Post { .. } => false,
        });
        let update = phases
            .iter()
            .position(|p| matches!(p, Phase::Tiled(t) if t.group == post && t.neuron));
        let at = own.max(update).map_or(phases.len(), |p| p + 1);
        inserts.push((at, s, k));
    }
    // From the back, so that earlier positions stay valid; equal positions keep schedule order.
    inserts.sort_by_key(|&(at, _, k)| (at, k));
    for &(at, synapse, slot) in inserts.iter().rev() {
        phases.insert(at, Phase::Post { synapse, slot });
    }
}

/// The loop a tiled phase runs as, if it is one: its neurons and one to [`MAX_FUSED`] synapse
/// groups of one model, all under the neurons' method, with a fused loop registered for the
/// pair of types.
fn fuser(
    p: &Tiled,
    neurons: &[Box<dyn AnyGroup>],
    synapses: &[Box<dyn AnySynapses>],
    fusers: &[FuserEntry],
) -> Option<Fuser> {
    let group = &neurons[p.group];
    let &first = p.synapses.first()?;
    let syn_type = synapses[first].as_any().type_id();
    let fits = p.neuron
        && p.synapses.len() <= MAX_FUSED
        && p.synapses.iter().all(|&s| {
            let syn = &synapses[s];
            syn.as_any().type_id() == syn_type && syn.method() == group.method()
        });
    let group_type = group.as_any().type_id();
    fusers
        .iter()
        .find(|(s, g, _)| fits && *s == syn_type && *g == group_type)
        .map(|&(_, _, f)| f)
}

/// The last phase if it is a tiled phase of group `g` that can still take objects (its neurons
/// have not run yet).
fn open_phase(phases: &mut [Phase], g: usize) -> Option<&mut Tiled> {
    match phases.last_mut() {
        Some(Phase::Tiled(p)) if p.group == g && !p.neuron => Some(p),
        _ => None,
    }
}
