//! The step loop of a run: the phases of the schedule ([`crate::schedule`]) on a team of
//! threads ([`crate::team`]). Safe code: every buffer the threads share is reached through the
//! section a worker is handed.
//!
//! Per step and phase: in a tiled phase every thread adds the external inputs of its tile, walks
//! the spikes of every synapse group of the phase onto its tile, then runs the kernels over it
//! (one loop where they fuse); then thread 0 alone assembles the group's spike list from the
//! threads' parts (in tile order, hence ascending), checks finiteness and records the monitors.
//! A serial phase is one synapse group, run whole by thread 0, with its delivery and monitors.
//! Phases share sections where nothing waits between them ([`sections`]): one barrier per
//! section, not per phase.
//! Every element sees the same operations in the same order whatever the number of threads
//! (tiles do not depend on it, spikes are applied in the order of the spike list), so results
//! are bit-identical for any thread count.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::columns::{first_non_finite, non_finite};
use crate::delays::on_tile;
use crate::error::{Error, Result};
use crate::fuse::{Fused, FusedColumns, MAX_FUSED};
use crate::group::AnyGroup;
use crate::info::Storage;
use crate::model::{Clock, ColumnsMut, NeuronTile, NeuronView, PreEvents, Segment};
use crate::monitor::{Owner, SpikeRecorder, StateRecorder};
use crate::schedule::{Phase, Slot, Tiled};
use crate::synapse::{AnySynapses, Binding, PostRules, PostWhole};
use crate::team::{
    prefetch, push_spikes, BoardBuilder, GroupRead, Halt, Kind, Origin, Section, SpikeLists,
    TileView, Whole, Worker,
};

/// How far a run has come: `done` of `total` steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Steps completed in this run.
    pub done: u64,
    /// Steps the run was asked for.
    pub total: u64,
}

/// A callback told of a run's progress ([`crate::Network::set_observer`]).
pub type Observer = Box<dyn FnMut(Progress) + Send + Sync>;

/// How to run.
pub(crate) struct RunConfig<'o> {
    /// Index of the first step.
    pub(crate) start: u64,
    pub(crate) steps: u64,
    pub(crate) dt: f64,
    pub(crate) threads: usize,
    pub(crate) check: bool,
    pub(crate) observer: Option<&'o mut Observer>,
}

/// Everything a run touches, borrowed from the network.
pub(crate) struct Objects<'a> {
    pub(crate) neurons: &'a mut [Box<dyn AnyGroup>],
    pub(crate) synapses: &'a mut [Box<dyn AnySynapses>],
    pub(crate) monitors: &'a mut [StateRecorder],
    pub(crate) spike_monitors: &'a mut [SpikeRecorder],
    pub(crate) schedule: &'a [Slot],
    pub(crate) phases: &'a [Phase],
}

/// What every thread of a run reads.
struct Shared<'n> {
    groups: Vec<&'n (dyn AnyGroup + 'static)>,
    /// Per synapse group: the group, if it runs in tiles.
    tiled: Vec<Option<&'n (dyn AnySynapses + 'static)>>,
    phases: &'n [Phase],
    group_failed: Vec<AtomicBool>,
    synapse_failed: Vec<AtomicBool>,
    start: u64,
    steps: u64,
    dt: f64,
    check: bool,
}

/// What thread 0 alone works with.
struct Main<'n, 'o> {
    /// Per synapse group: the group, if it runs whole on thread 0.
    serial: Vec<Option<&'n mut (dyn AnySynapses + 'static)>>,
    monitors: &'n mut [StateRecorder],
    spike_monitors: &'n mut [SpikeRecorder],
    schedule: &'n [Slot],
    /// The synapses a walk acts through, for groups run whole.
    segments: Vec<Segment>,
    error: Option<Error>,
    done: u64,
    observer: Option<&'o mut Observer>,
}

/// A thread's reusable buffers (nothing allocates in the step loop once they have grown).
struct Scratch {
    /// The synapses a walk acts through.
    segments: Vec<Segment>,
}

/// Runs `cfg.steps` steps; returns how many completed, and the error that stopped the run.
pub(crate) fn run(objects: Objects<'_>, cfg: RunConfig<'_>) -> (u64, Result<()>) {
    let Objects {
        neurons,
        synapses,
        monitors,
        spike_monitors,
        schedule,
        phases,
    } = objects;
    let threads = cfg.threads.max(1);
    let mut tiled = vec![false; synapses.len()];
    let mut tiles = Vec::new();
    for phase in phases {
        match phase {
            Phase::Tiled(t) => {
                for &s in &t.synapses {
                    tiled[s] = true;
                }
                tiles.push((t.group, t.synapses.clone()));
            }
            Phase::Serial { .. } | Phase::Post { .. } => tiles.push((0, Vec::new())),
        }
    }
    let sections = sections(phases, |s| {
        let syn = &synapses[s];
        syn.synapse_delays().is_none().then(|| syn.endpoints().0)
    });
    // Staged: neuron groups, and every synapse group kept per postsynaptic neuron (with a
    // copy of the step's values when a monitor records it).
    let mut builder = BoardBuilder::default();
    for (g, group) in neurons.iter().enumerate() {
        builder.group(g, group.source());
    }
    let staged: Vec<bool> = synapses
        .iter()
        .map(|s| s.storage() == Storage::PerPost)
        .collect();
    for (s, syn) in synapses.iter().enumerate() {
        let monitored = monitors.iter().any(|m| m.owner == Owner::Synapse(s));
        let clock = syn.info().clock_width();
        builder.synapse(
            s,
            staged[s].then(|| {
                let columns = syn.columns()[..clock].iter().map(Vec::as_slice).collect();
                (syn.endpoints().1, columns, monitored)
            }),
        );
        let targets = syn.targets().iter().map(Binding::column).collect();
        let post = syn.endpoints().1;
        let held: Vec<bool> = neurons[post].info().states.iter().map(|x| x.held).collect();
        builder.targets(s, post, targets, &held);
    }
    let mut board = builder.build(threads, cfg.steps, sections, tiles);
    if cfg.steps > 0 {
        // The per-postsynaptic state is kept one step ahead during the run (see
        // `SynapseModel::post_kernel`); a non-finite value shows at the first step.
        let mut whole = board.before_start();
        for (s, syn) in synapses.iter().enumerate() {
            if staged[s] {
                syn.advance_all(whole.post_side(s, syn.endpoints().0).columns);
            }
        }
    }
    let (done, result) = {
        let mut serial = Vec::with_capacity(synapses.len());
        let mut shared_syn = Vec::with_capacity(synapses.len());
        for (syn, &is_tiled) in synapses.iter_mut().zip(&tiled) {
            if is_tiled {
                let syn: &(dyn AnySynapses + 'static) = &**syn;
                shared_syn.push(Some(syn));
                serial.push(None);
            } else {
                shared_syn.push(None);
                serial.push(Some(&mut **syn));
            }
        }
        let shared = Shared {
            group_failed: neurons.iter().map(|_| AtomicBool::new(false)).collect(),
            synapse_failed: shared_syn.iter().map(|_| AtomicBool::new(false)).collect(),
            groups: neurons.iter().map(|g| &**g).collect(),
            tiled: shared_syn,
            phases,
            start: cfg.start,
            steps: cfg.steps,
            dt: cfg.dt,
            check: cfg.check,
        };
        let mut main = Main {
            serial,
            monitors,
            spike_monitors,
            schedule,
            segments: Vec::new(),
            error: None,
            done: 0,
            observer: cfg.observer,
        };
        let max_pre = shared
            .tiled
            .iter()
            .map(|s| s.map_or(0, |s| s.conn().n_pre()))
            .max()
            .unwrap_or(0);
        let scratch = || Scratch {
            segments: Vec::with_capacity(max_pre),
        };
        let board = &board;
        std::thread::scope(|scope| {
            for k in 1..threads {
                let (shared, mut scratch) = (&shared, scratch());
                scope.spawn(move || {
                    guarded(board, || shared.work(board.worker(k), None, &mut scratch));
                });
            }
            let mut scratch = scratch();
            guarded(board, || {
                shared.work(board.worker(0), Some(&mut main), &mut scratch);
            });
        });
        (main.done, main.error.map_or(Ok(()), Err))
    };
    let finished = board.finish();
    for (origin, values) in finished.floats() {
        let dst = match origin {
            Origin::SynapseColumn(s, j) => Some(synapses[s].column_mut(j)),
            Origin::Column(g, _) | Origin::Input(g) | Origin::LastSpike(g) => {
                neurons[g].float_mut(origin)
            }
            Origin::Spike(_) | Origin::Refractory(_) => None,
        };
        if let Some(dst) = dst {
            dst.copy_from_slice(values);
        }
    }
    for (origin, values) in finished.flags() {
        if let Origin::Spike(g) | Origin::Refractory(g) = origin {
            if let Some(dst) = neurons[g].flag_mut(origin) {
                dst.copy_from_slice(values);
            }
        }
    }
    for (g, list) in neurons.iter_mut().zip(finished.spiking) {
        g.set_spiking(list);
    }
    (done, result)
}

/// Runs `f`; if it panics, breaks the barrier before passing the panic on, so that the other
/// threads leave (and the scope re-raises the panic) instead of waiting forever.
fn guarded(board: &crate::team::Board, f: impl FnOnce()) {
    if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        board.break_all();
        std::panic::resume_unwind(panic);
    }
}

impl Shared<'_> {
    /// The sections of thread `worker` (thread 0 also gets `main`).
    fn work(
        &self,
        mut worker: Worker<'_>,
        mut main: Option<&mut Main<'_, '_>>,
        scratch: &mut Scratch,
    ) {
        let mut stop = false;
        let mut current = 0;
        loop {
            let (step, phases, section) = match worker.next(stop) {
                Ok(next) => next,
                Err(halt) => {
                    if let Some(main) = main {
                        main.done = match halt {
                            Halt::Done => self.steps,
                            Halt::Stop { step } => step,
                            Halt::Broken => current,
                        };
                        main.report(self.steps);
                    }
                    return;
                }
            };
            if step != current {
                current = step;
                if let Some(main) = main.as_deref_mut() {
                    main.done = step;
                    main.report(self.steps);
                }
            }
            let clock = Clock::at(self.start + step, self.dt);
            let advance = step + 1 < self.steps;
            stop = match (section, main.as_deref_mut()) {
                (Section::Tiles(mut tiles), _) => {
                    for p in phases {
                        if let Phase::Tiled(phase) = &self.phases[p] {
                            self.tiles(tiles.view(p), phase, clock, advance, scratch);
                        }
                    }
                    false
                }
                (Section::Whole(mut whole), Some(main)) => phases
                    .into_iter()
                    .any(|p| main.phase(self, &mut whole, p, clock, advance)),
                _ => false,
            };
        }
    }

    /// Thread `k`'s tile of a tiled phase: the external inputs (with the neurons), every
    /// synapse group's spikes and kernel, then the neurons; fused into one loop where the plan
    /// says so.
    fn tiles(
        &self,
        view: TileView<'_>,
        phase: &Tiled,
        clock: Clock,
        advance: bool,
        scratch: &mut Scratch,
    ) {
        let TileView {
            range,
            columns,
            membrane,
            input,
            t_last_spike,
            spike,
            refractory,
            part,
            spiking,
            synapses,
        } = view;
        part.clear();
        if range.is_empty() {
            return;
        }
        let g = phase.group;
        let group = self.groups[g];
        let first = range.start;
        let mut columns = columns;
        if phase.neuron {
            group.apply_inputs(clock.step, input, first);
            group.apply_poisson(clock.step, columns.reborrow(), first, refractory);
        }
        let walk = |s: usize, columns: ColumnsMut<'_>, v: &[f64], out: &mut Vec<Segment>| {
            if let Some(syn) = self.tiled[s] {
                let tile = (range.clone(), clock);
                walk(syn, columns, (v, refractory), spiking, tile, out);
            }
        };
        if let Some(fuser) = phase.fuser {
            let mut fused: [Option<FusedColumns<'_>>; MAX_FUSED] = [None, None];
            let mut objects: [Option<&dyn AnySynapses>; MAX_FUSED] = [None; MAX_FUSED];
            for (j, (s, mut cols, shadow)) in synapses.enumerate().take(MAX_FUSED) {
                let v = membrane.map_or(&[][..], |m| columns.get(m));
                walk(s, cols.reborrow(), v, &mut scratch.segments);
                fused[j] = Some((cols, shadow));
                objects[j] = self.tiled[s];
            }
            let tile = NeuronTile {
                clock,
                first,
                columns,
                t_last_spike,
                spike: &mut *spike,
                refractory,
                noise: group.noise_key(),
            };
            let run = Fused {
                tile,
                input,
                synapses: fused,
                advance,
                quiet: phase.quiet_input,
            };
            let (group_finite, synapse_finite) = fuser(group, objects, run);
            if !group_finite {
                self.group_failed[g].store(true, Ordering::Relaxed);
            }
            for (&s, finite) in phase.synapses.iter().zip(synapse_finite) {
                if !finite {
                    self.synapse_failed[s].store(true, Ordering::Relaxed);
                }
            }
        } else {
            for (s, mut cols, shadow) in synapses {
                let Some(syn) = self.tiled[s] else { continue };
                let v = membrane.map_or(&[][..], |m| columns.get(m));
                walk(s, cols.reborrow(), v, &mut scratch.segments);
                if !syn.post_tile(clock, cols, shadow, v, refractory, input, advance) {
                    self.synapse_failed[s].store(true, Ordering::Relaxed);
                }
            }
            if phase.neuron {
                let tile = NeuronTile {
                    clock,
                    first,
                    columns,
                    t_last_spike,
                    spike: &mut *spike,
                    refractory,
                    noise: group.noise_key(),
                };
                if !group.update(tile, input) {
                    self.group_failed[g].store(true, Ordering::Relaxed);
                }
            }
        }
        if phase.neuron {
            push_spikes(spike, first, part);
        }
    }
}

/// The sections of a step: each tiled phase's tiles (every thread), then thread 0's part of
/// each phase (a tiled phase's spike list, checks and monitors; a serial phase whole).
///
/// Consecutive parts of thread 0's share one section: the other threads only wait through
/// them, so one barrier ends the lot. A tiled phase's tiles join the tiles of the phases before
/// it (whose thread-0 parts then run after all of them, in order) when nothing they read waits
/// for those parts: another neuron group than theirs, and no synapse group reading the spikes
/// of a group updated there at this step (a per-synapse delay reads earlier steps' spikes
/// only). A step of the microcircuit is then two sections instead of eighty.
///
/// `reads_now(s)`: the group whose spikes of the step synapse group `s` reads, if it reads
/// them at the step they happen (no per-synapse delays).
fn sections(
    phases: &[Phase],
    reads_now: impl Fn(usize) -> Option<usize>,
) -> Vec<(Kind, Range<usize>)> {
    let mut sections: Vec<(Kind, Range<usize>)> = Vec::new();
    // The phases whose thread-0 parts are still to come, after the current tiles.
    let mut pending: Range<usize> = 0..0;
    let groups = |r: &Range<usize>| -> Vec<(usize, bool)> {
        r.clone()
            .filter_map(|q| match &phases[q] {
                Phase::Tiled(t) => Some((t.group, t.neuron)),
                _ => None,
            })
            .collect()
    };
    for (p, phase) in phases.iter().enumerate() {
        if let Phase::Tiled(t) = phase {
            let open = groups(&pending);
            // Only onto tiles whose thread-0 parts are all that is pending (a serial phase in
            // between runs before these tiles, as the schedule says).
            let joins = matches!(sections.last(), Some((Kind::Tiles, r)) if *r == pending)
                && open.iter().all(|&(g, _)| g != t.group)
                && t.synapses.iter().all(|&s| {
                    reads_now(s).is_none_or(|pre| !open.iter().any(|&(g, n)| n && g == pre))
                });
            if joins {
                if let Some((Kind::Tiles, r)) = sections.last_mut() {
                    r.end = p + 1;
                }
                pending.end = p + 1;
                continue;
            }
            if !pending.is_empty() {
                sections.push((Kind::Whole, pending.clone()));
            }
            sections.push((Kind::Tiles, p..p + 1));
            pending = p..p + 1;
        } else if pending.is_empty() {
            pending = p..p + 1;
        } else {
            pending.end = p + 1;
        }
    }
    if !pending.is_empty() {
        sections.push((Kind::Whole, pending));
    }
    sections
}

/// The synapses through which the spikes act on synapse group `syn` at step `step`, onto the
/// postsynaptic neurons `tile`, into `out`: the delayed spikes arriving at the step, or the part
/// of every row of the presynaptic group's last spikes (`spiking`) on the tile.
fn segments(
    syn: &dyn AnySynapses,
    spiking: &[u32],
    tile: &Range<usize>,
    step: u64,
    out: &mut Vec<Segment>,
) {
    out.clear();
    let conn = syn.conn();
    let whole = tile.start == 0 && tile.end == syn.n_post();
    if let Some(delays) = syn.synapse_delays() {
        delays.with_arrivals(step, |arriving| {
            if whole {
                // Queued segments are never empty.
                out.extend_from_slice(arriving);
            } else {
                out.extend(arriving.iter().filter_map(|&seg| on_tile(conn, seg, tile)));
            }
        });
        return;
    }
    // The rows are scattered through memory and read once per step: ask for all of them at
    // once, so that their cache misses overlap instead of queueing behind each other.
    for &p in spiking {
        let row = conn.range(p as usize);
        let (start, end) = (conn.post.addr(row.start), conn.post.addr(row.end));
        let mut line = start;
        while line < end {
            prefetch(line);
            line = line.wrapping_add(64);
        }
    }
    for &p in spiking {
        let row = conn.range(p as usize);
        let seg = Segment {
            pre: p as usize,
            start: row.start,
            end: row.end,
        };
        let seg = if whole {
            Some(seg).filter(|s| s.start < s.end)
        } else {
            on_tile(conn, seg, tile)
        };
        out.extend(seg);
    }
}

/// The spikes of synapse group `syn` onto the tile `tile`, before its kernel.
fn walk(
    syn: &dyn AnySynapses,
    columns: ColumnsMut<'_>,
    (v, refractory): (&[f64], &[bool]),
    spiking: SpikeLists<'_>,
    (tile, clock): (Range<usize>, Clock),
    out: &mut Vec<Segment>,
) {
    segments(syn, spiking.get(syn.endpoints().0), &tile, clock.step, out);
    syn.pre_events(PreEvents {
        clock,
        first: tile.start,
        columns,
        conn: syn.conn(),
        segments: out,
        v,
        refractory,
        rules: None,
        fixed: &[],
    });
}

fn view(g: GroupRead<'_>) -> NeuronView<'_> {
    NeuronView {
        v: g.v,
        spike: g.spike,
        spiking: g.spiking,
        refractory: g.refractory,
    }
}

impl Main<'_, '_> {
    /// Records `error` as the reason to stop; returns the stop request.
    fn fail(&mut self, error: Error) -> bool {
        self.error = Some(error);
        true
    }

    /// Tells the observer how far the run has come (every 1/200 of it, and at its end).
    fn report(&mut self, total: u64) {
        if let Some(observer) = self.observer.as_deref_mut() {
            let chunk = (total / 200).max(1);
            if self.done % chunk == 0 || self.done == total {
                observer(Progress {
                    done: self.done,
                    total,
                });
            }
        }
    }

    /// Thread 0's part of phase `p`, in order with the other phases of its section (stopping
    /// at the first that requests a stop). Returns the stop request.
    fn phase(
        &mut self,
        shared: &Shared<'_>,
        whole: &mut Whole<'_>,
        p: usize,
        clock: Clock,
        advance: bool,
    ) -> bool {
        match shared.phases[p] {
            Phase::Tiled(ref phase) => self.finish_tiled(shared, whole, phase, clock),
            Phase::Serial { synapse, slot } => {
                self.serial(shared, whole, (synapse, slot), clock, advance)
            }
            Phase::Post { synapse, slot } => self.post_rules(shared, whole, (synapse, slot), clock),
        }
    }

    /// After the threads' tiles: the spike list, finiteness, monitors. Returns the stop request.
    fn finish_tiled(
        &mut self,
        shared: &Shared<'_>,
        whole: &mut Whole<'_>,
        phase: &Tiled,
        clock: Clock,
    ) -> bool {
        let g = phase.group;
        for &s in &phase.synapses {
            if let Some(d) = shared.tiled[s].and_then(|s| s.synapse_delays()) {
                d.clear(clock.step);
            }
        }
        if phase.neuron {
            whole.gather_spikes(g);
            self.queue_delayed(shared, whole, g, clock.step);
        }
        if shared.check {
            for &s in &phase.synapses {
                let Some(syn) = shared.tiled[s] else { continue };
                if shared.synapse_failed[s].swap(false, Ordering::Relaxed) {
                    let width = syn.info().states.len();
                    if let Some(bad) = first_non_finite(width, |j| whole.staged_column(s, j)) {
                        return self.fail(non_finite(syn.name(), syn.info(), bad, clock.step));
                    }
                }
            }
            if phase.neuron && shared.group_failed[g].swap(false, Ordering::Relaxed) {
                let group = shared.groups[g];
                let width = group.info().states.len();
                if let Some(bad) = first_non_finite(width, |j| whole.column(g, j)) {
                    return self.fail(non_finite(group.name(), group.info(), bad, clock.step));
                }
            }
        }
        for &slot in &phase.slots {
            self.record(whole, slot, clock);
        }
        false
    }

    /// Queues the spikes group `g` produced at step `step` on every synapse group from it with
    /// per-synapse delays.
    fn queue_delayed(&self, shared: &Shared<'_>, whole: &Whole<'_>, g: usize, step: u64) {
        let spiking = whole.read(g).spiking;
        for (tiled, serial) in shared.tiled.iter().zip(&self.serial) {
            let syn = match (tiled, serial) {
                (Some(s), _) => Some(*s),
                (None, Some(s)) => Some(&**s),
                (None, None) => None,
            };
            if let Some(syn) = syn.filter(|s| s.endpoints().0 == g) {
                if let Some(d) = syn.synapse_delays() {
                    d.queue(syn.conn(), spiking, step);
                }
            }
        }
    }

    /// A serial phase: synapse group `s` whole, its delivery and its monitors. Returns the stop
    /// request.
    fn serial(
        &mut self,
        shared: &Shared<'_>,
        whole: &mut Whole<'_>,
        (s, slot): (usize, usize),
        clock: Clock,
        advance: bool,
    ) -> bool {
        let Some(syn) = self.serial[s].as_deref_mut() else {
            return false;
        };
        let (a, b) = syn.endpoints();
        let stepped = if syn.storage() == Storage::PerPost {
            let side = whole.post_side(s, a);
            let all = 0..syn.n_post();
            segments(
                &*syn,
                side.spiking.get(a),
                &all,
                clock.step,
                &mut self.segments,
            );
            let pre = view(side.pre);
            let side = PostWhole {
                segments: &self.segments,
                columns: side.columns,
                shadow: side.shadow,
                v: side.v,
                refractory: side.refractory,
                input: side.input,
                post_spike: side.spike,
                pre,
                targets: side.targets,
            };
            let stepped = syn.post_whole(clock, side, (shared.check, advance));
            if let Some(d) = syn.synapse_delays() {
                d.clear(clock.step);
            }
            stepped
        } else {
            let side = whole.serial_side(s, a, b);
            let views = (view(side.pre), view(side.post));
            syn.step(clock, views, side.targets, shared.check)
        };
        if let Err(e) = stepped {
            return self.fail(e);
        }
        for o in (0..syn.n_outputs()).filter(|&o| !syn.is_direct(o)) {
            let g = syn.output_group(o);
            match syn.summed_column(o) {
                Some(j) => syn.deliver_summed(o, whole.column_mut(g, j)),
                None => {
                    let (input, v) = whole.input_and_v(g);
                    syn.deliver(o, input, v);
                }
            }
        }
        whole.apply_jumps(s);
        if syn.info().rules_post.is_empty() {
            self.record(whole, slot, clock);
        }
        false
    }

    /// The `#[on_post(...)]` phase of synapse group `s`, and its monitors. Returns the stop
    /// request.
    fn post_rules(
        &mut self,
        shared: &Shared<'_>,
        whole: &mut Whole<'_>,
        (s, slot): (usize, usize),
        clock: Clock,
    ) -> bool {
        let Some(syn) = self.serial[s].as_deref_mut() else {
            return false;
        };
        let (a, b) = syn.endpoints();
        let done = if syn.storage() == Storage::PerPost {
            let side = whole.post_side(s, a);
            let side = PostRules {
                staged: Some(side.columns),
                pre: view(side.pre),
                post: NeuronView {
                    v: side.v,
                    spike: side.spike,
                    spiking: side.spiking.get(b),
                    refractory: side.refractory,
                },
                targets: side.targets,
            };
            syn.post_rules(clock, side, shared.check)
        } else {
            let side = whole.serial_side(s, a, b);
            let side = PostRules {
                staged: None,
                pre: view(side.pre),
                post: view(side.post),
                targets: side.targets,
            };
            syn.post_rules(clock, side, shared.check)
        };
        if let Err(e) = done {
            return self.fail(e);
        }
        whole.apply_jumps(s);
        self.record(whole, slot, clock);
        false
    }

    /// The monitors of schedule slot `slot`: the states at the end of the step, i.e. at time
    /// `(clock.step + 1) · dt`.
    fn record(&mut self, whole: &Whole<'_>, slot: usize, clock: Clock) {
        let slot = &self.schedule[slot];
        let end = clock.step + 1;
        for &m in &slot.monitors {
            let monitor = &mut self.monitors[m];
            let column = match monitor.owner {
                Owner::Neuron(g) => whole.column(g, monitor.col),
                Owner::Synapse(s) => match self.serial[s].as_deref() {
                    Some(syn) if syn.info().states[monitor.col].event_driven => {
                        let (j, n) = (monitor.col, syn.column(monitor.col).len());
                        let t = end as f64 * clock.dt;
                        monitor.record_with(end, clock.dt, n, |i| syn.value_at(j, i, t));
                        continue;
                    }
                    Some(syn)
                        if syn.storage() != Storage::PerPost
                            || syn.info().states[monitor.col].per_synapse =>
                    {
                        syn.column(monitor.col)
                    }
                    _ => whole.synapse_column(s, monitor.col),
                },
            };
            monitor.record(end, clock.dt, column);
        }
        for &m in &slot.spike_monitors {
            let monitor = &mut self.spike_monitors[m];
            let read = whole.read(monitor.group);
            monitor.record(clock, read.spiking, read.t_last_spike);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiled(group: usize, synapses: Vec<usize>, neuron: bool) -> Phase {
        Phase::Tiled(Tiled {
            group,
            synapses,
            neuron,
            slots: Vec::new(),
            fuser: None,
            quiet_input: false,
        })
    }

    fn serial(synapse: usize) -> Phase {
        Phase::Serial { synapse, slot: 0 }
    }

    #[test]
    fn sections_join_tiles_that_wait_for_nothing_before_them() {
        // Three groups, then two serial synapse groups: one section of tiles, one of thread 0.
        let phases = [
            tiled(0, vec![], true),
            tiled(1, vec![], true),
            tiled(2, vec![], true),
            serial(0),
            serial(1),
        ];
        assert_eq!(
            sections(&phases, |_| None),
            [(Kind::Tiles, 0..3), (Kind::Whole, 0..5)]
        );
        // Synapse group 0 onto group 1 reads group 0's spikes of the step: after group 0's
        // spike list. With per-synapse delays it reads earlier steps' only, and joins.
        let phases = [tiled(0, vec![], true), tiled(1, vec![0], true)];
        assert_eq!(
            sections(&phases, |_| Some(0)),
            [
                (Kind::Tiles, 0..1),
                (Kind::Whole, 0..1),
                (Kind::Tiles, 1..2),
                (Kind::Whole, 1..2)
            ]
        );
        assert_eq!(
            sections(&phases, |_| None),
            [(Kind::Tiles, 0..2), (Kind::Whole, 0..2)]
        );
        // A group tiled twice in one step (synapses after its update), and a serial phase in
        // between: neither joins.
        let phases = [
            tiled(0, vec![], true),
            tiled(0, vec![1], false),
            serial(2),
            tiled(1, vec![], true),
        ];
        assert_eq!(
            sections(&phases, |_| None),
            [
                (Kind::Tiles, 0..1),
                (Kind::Whole, 0..1),
                (Kind::Tiles, 1..2),
                (Kind::Whole, 1..3),
                (Kind::Tiles, 3..4),
                (Kind::Whole, 3..4)
            ]
        );
    }
}
