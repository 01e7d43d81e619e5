//! What the network needs of a synapse group, whatever its model: [`AnySynapses`] and its impl.

use std::any::Any;

use super::delivery::{delay_to_steps, drive_post, DeliverySink};
use super::{Binding, PostRules, PostWhole, Ring, SynapseGroup};
use crate::columns::{first_non_finite, non_finite};
use crate::connect::{Csc, Csr};
use crate::delays::Delays;
use crate::error::{Error, Result};
use crate::info::{with_method, Method, ModelInfo, OutputKind, Storage, Target};
use crate::model::{
    Clock, ColumnsMut, NeuronView, PostEvents, PostKernel, PreEvents, RuleData, SynapseModel,
    SynapseStep,
};

/// What the network needs of a synapse group, whatever its model.
pub(crate) trait AnySynapses: Send + Sync {
    fn name(&self) -> &str;
    fn info(&self) -> &'static ModelInfo;
    /// Indices of the presynaptic and postsynaptic groups in the network.
    fn endpoints(&self) -> (usize, usize);
    fn method(&self) -> Method;
    fn set_method(&mut self, method: Method) -> Result<()>;
    fn set_param(&mut self, name: &str, value: f64) -> Result<()>;
    fn get_param(&self, name: &str) -> Option<f64>;
    fn storage(&self) -> Storage;
    /// `Err` with the name of a state that follows the storage and was set (see
    /// [`SynapseGroup::switch_storage`]).
    fn switch_storage(&mut self, storage: Storage) -> std::result::Result<(), &'static str>;
    /// Constants, reversal potentials and delays for step `dt`; rebuilds a ring whose length
    /// changed, charging it to `budget`.
    fn prepare(&mut self, dt: f64, budget: &mut crate::memory::Budget) -> Result<()>;
    fn n_outputs(&self) -> usize;
    /// Whether output `o` is delivered by the step itself (nothing left to deliver).
    fn is_direct(&self, o: usize) -> bool;
    /// The network index of the group output `o` writes into.
    fn output_group(&self, o: usize) -> usize;
    /// Adds this step's delivered value of output `o` into its target's input or membrane.
    fn deliver(&self, o: usize, input: &mut [f64], v: &mut [f64]);
    /// The column of the target group that summed output `o` assigns (`None` for the other
    /// kinds).
    fn summed_column(&self, o: usize) -> Option<usize>;
    /// Assigns this step's sums of summed output `o`, converted into the unit of the target's
    /// variable, to `column` (the target's column [`AnySynapses::summed_column`]).
    fn deliver_summed(&self, o: usize, column: &mut [f64]);
    /// Writes what a run changes (see [`crate::checkpoint`]) at the network's step `dt` (ms),
    /// which sizes the delay rings.
    fn save(&self, w: &mut crate::checkpoint::Writer, dt: f64);
    /// Reads what [`AnySynapses::save`] wrote at step `dt` (ms), checking that it fits; changes
    /// the group only if `apply`.
    fn load(&mut self, r: &mut crate::checkpoint::Reader<'_>, dt: f64, apply: bool) -> Result<()>;
    /// The group's own column `j` (not what a run stages).
    fn column(&self, j: usize) -> &[f64];
    /// Element `i` of the group's own column `j` at time `t`, an event-driven state advanced
    /// from the synapse's last event.
    fn value_at(&self, j: usize, i: usize, t: f64) -> f64;
    fn columns(&self) -> &[Vec<f64>];
    fn column_mut(&mut self, j: usize) -> &mut [f64];
    /// The connectivity.
    fn conn(&self) -> &Csr;
    /// Whether the group can run in tiles of postsynaptic neurons: the model has kernels for
    /// it, the state is per postsynaptic neuron, every output is direct (as prepared) and every
    /// row is sorted.
    fn tileable(&self) -> bool;
    /// State per presynaptic neuron or per synapse: one step of the whole group (outputs into
    /// the write slots, finiteness checked if `check`, rings rotated).
    fn step(
        &mut self,
        clock: Clock,
        views: (NeuronView<'_>, NeuronView<'_>),
        targets: ColumnsMut<'_>,
        check: bool,
    ) -> Result<()>;
    /// The `#[on_post(...)]` rules of the step's postsynaptic spikes (finiteness checked if
    /// `check`).
    fn post_rules(&mut self, clock: Clock, side: PostRules<'_>, check: bool) -> Result<()>;
    /// Where what the rules add to postsynaptic variables goes.
    fn targets(&self) -> &[Binding];
    /// Binds the postsynaptic variables of the rules.
    fn set_targets(&mut self, targets: Vec<Binding>);
    /// Per output: the target's column and the conversion factor a summed output assigns
    /// (`None` for the other kinds).
    fn set_summed(&mut self, summed: Vec<Option<(usize, f64)>>);
    /// Number of postsynaptic neurons.
    fn n_post(&self) -> usize;
    /// Per-synapse delays, if set.
    fn synapse_delays(&self) -> Option<&Delays>;
    /// State per postsynaptic neuron: the walk over the step's spikes on one tile.
    fn pre_events(&self, events: PreEvents<'_>);
    /// State per postsynaptic neuron: the kernel over one tile (after the walk), every output
    /// directly into `input`; the state is stored advanced unless `advance` is false.
    #[allow(
        clippy::too_many_arguments,
        reason = "the pieces of one tile, borrowed apart from the board"
    )]
    fn post_tile(
        &self,
        clock: Clock,
        columns: ColumnsMut<'_>,
        shadow: Option<ColumnsMut<'_>>,
        v: &[f64],
        refractory: &[bool],
        input: &mut [f64],
        advance: bool,
    ) -> bool;
    /// State per postsynaptic neuron, run by one thread: the walk and the kernel over every
    /// element; direct outputs into `side.input`, the others into their rings.
    fn post_whole(
        &mut self,
        clock: Clock,
        side: PostWhole<'_>,
        check_advance: (bool, bool),
    ) -> Result<()>;
    /// State per postsynaptic neuron: advances every element by one step, as a run starts.
    fn advance_all(&self, columns: ColumnsMut<'_>) -> bool;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<S: SynapseModel> AnySynapses for SynapseGroup<S> {
    fn name(&self) -> &str {
        &self.name
    }

    fn info(&self) -> &'static ModelInfo {
        S::INFO
    }

    fn endpoints(&self) -> (usize, usize) {
        (self.pre, self.post)
    }

    fn method(&self) -> Method {
        self.method
    }

    fn set_method(&mut self, method: Method) -> Result<()> {
        SynapseGroup::set_method(self, method)
    }

    fn set_param(&mut self, name: &str, value: f64) -> Result<()> {
        SynapseGroup::set_param(self, name, value)
    }

    fn get_param(&self, name: &str) -> Option<f64> {
        self.model.get_param(name)
    }

    fn storage(&self) -> Storage {
        self.storage
    }

    fn switch_storage(&mut self, storage: Storage) -> std::result::Result<(), &'static str> {
        SynapseGroup::switch_storage(self, storage)
    }

    fn prepare(&mut self, dt: f64, budget: &mut crate::memory::Budget) -> Result<()> {
        self.model.check(dt).map_err(|e| e.in_object(&self.name))?;
        self.factors = self.targets.iter().map(Binding::factor).collect();
        if let Some(Binding::Missing(reason)) = self
            .targets
            .iter()
            .find(|b| matches!(b, Binding::Missing(_)))
        {
            return Err(Error::InvalidInput {
                object: self.name.clone(),
                reason: format!(
                    "{reason}; bind it with `Network::set_post_variable`, or drop what the rules \
                     add with `Network::ignore_post_variable`"
                ),
            });
        }
        let n_out = S::INFO.outputs.len();
        let reversals = self.model.reversals();
        let delays = self.model.delays();
        for got in [reversals.len(), delays.len()] {
            if got != n_out {
                return Err(Error::SizeMismatch {
                    object: format!("{} (outputs of {})", self.name, S::INFO.name),
                    expected: n_out,
                    got,
                });
            }
        }
        let mut steps = Vec::with_capacity(n_out);
        for (o, &d) in delays.iter().enumerate() {
            steps.push(delay_to_steps(&self.name, d, dt)?);
            let info = &S::INFO.outputs[o];
            if info.kind == OutputKind::Conductance && !reversals[o].is_finite() {
                return Err(Error::InvalidInput {
                    object: self.name.clone(),
                    reason: format!(
                        "reversal potential {} of conductance output {o} is not finite",
                        reversals[o]
                    ),
                });
            }
        }
        for (o, &d) in steps.iter().enumerate() {
            if self.rings[o].slots.len() != d {
                let len = self.outputs[o].len();
                let what = format!("the delay ring of output {o} ({d} steps of {len} values)");
                let purpose = crate::memory::Purpose {
                    object: &self.name,
                    what: &what,
                };
                let bytes = crate::memory::bytes_of::<f64>(len).saturating_mul(d as u64);
                budget.check(bytes, purpose)?;
                // The whole ring is asked for at once, so that one too large for the machine is
                // refused at once, for its whole size, before any slot is filled.
                let mut probe: Vec<f64> = Vec::new();
                crate::memory::reserve(&mut probe, len.saturating_mul(d), purpose)
                    .map_err(|_| purpose.error(bytes, None))?;
                drop(probe);
                let mut slots = Vec::new();
                crate::memory::reserve(&mut slots, d, purpose)?;
                for _ in 0..d {
                    slots.push(crate::memory::filled(len, 0.0, purpose)?);
                }
                // Charged once the ring exists, in place of the ring it replaces: a failure
                // above leaves the accounting as it was.
                let old = &self.rings[o];
                let old_len = old.slots.first().map_or(0, Vec::len);
                budget.release(
                    crate::memory::bytes_of::<f64>(old_len).saturating_mul(old.slots.len() as u64),
                );
                budget.charge(bytes, purpose)?;
                self.rings[o] = Ring { slots, pos: 0 };
            }
        }
        for (o, info) in S::INFO.outputs.iter().enumerate() {
            self.direct[o] = self.storage == Storage::PerPost
                && steps[o] == 0
                && info.target == Target::Post
                && !matches!(info.kind, OutputKind::Voltage | OutputKind::Summed);
        }
        self.delay_steps = steps;
        self.reversals = reversals;
        self.consts = self.model.prepare(self.method, dt);
        Ok(())
    }

    fn n_outputs(&self) -> usize {
        self.outputs.len()
    }

    fn is_direct(&self, o: usize) -> bool {
        self.direct[o]
    }

    fn output_group(&self, o: usize) -> usize {
        match S::INFO.outputs[o].target {
            Target::Pre => self.pre,
            Target::Post => self.post,
        }
    }

    fn deliver(&self, o: usize, input: &mut [f64], v: &mut [f64]) {
        let x = &self.outputs[o];
        match S::INFO.outputs[o].kind {
            OutputKind::Current => {
                for (i, x) in input.iter_mut().zip(x) {
                    *i += x;
                }
            }
            OutputKind::Conductance => {
                let e = self.reversals[o];
                for ((i, v), x) in input.iter_mut().zip(v.iter()).zip(x) {
                    *i -= x * (v - e);
                }
            }
            OutputKind::Voltage => {
                for (v, x) in v.iter_mut().zip(x) {
                    *v += x;
                }
            }
            // Assigned through `deliver_summed`.
            OutputKind::Summed => {}
        }
    }

    fn summed_column(&self, o: usize) -> Option<usize> {
        self.summed.get(o).copied().flatten().map(|(j, _)| j)
    }

    fn deliver_summed(&self, o: usize, column: &mut [f64]) {
        let Some((_, factor)) = self.summed.get(o).copied().flatten() else {
            return;
        };
        for (c, x) in column.iter_mut().zip(&self.outputs[o]) {
            *c = x * factor;
        }
    }

    fn column(&self, j: usize) -> &[f64] {
        self.columns.get(j)
    }

    fn columns(&self) -> &[Vec<f64>] {
        self.columns.all()
    }

    fn value_at(&self, j: usize, i: usize, t: f64) -> f64 {
        SynapseGroup::value_at(self, j, i, t)
    }

    fn save(&self, w: &mut crate::checkpoint::Writer, dt: f64) {
        use crate::checkpoint::{save_columns, save_model, save_params};
        w.str(&self.name);
        save_model(w, S::INFO);
        w.u64(self.structure_fingerprint());
        save_params(w, S::INFO, |p| self.model.get_param(p));
        save_columns(w, self.columns.all());
        w.f64s(&self.last);
        save_columns(w, &self.outputs);
        w.u64(self.rings.len() as u64);
        for (o, ring) in self.rings.iter().enumerate() {
            match ring_len(&self.model, &self.name, o, dt) {
                // Not yet sized for its delay (no run yet, or the delay changed since): the
                // empty ring the next run starts with.
                Some(d) if d != ring.slots.len() => {
                    save_columns(w, &vec![vec![0.0; self.outputs[o].len()]; d]);
                    w.u64(0);
                }
                _ => {
                    save_columns(w, &ring.slots);
                    w.u64(ring.pos as u64);
                }
            }
        }
        if let Some(d) = &self.delays {
            d.save(w);
        }
    }

    fn load(&mut self, r: &mut crate::checkpoint::Reader<'_>, dt: f64, apply: bool) -> Result<()> {
        use crate::checkpoint::{load_columns, load_model, load_params};
        let name = self.name.clone();
        let refused = |e: Error| Error::Checkpoint {
            reason: format!("`{name}`: {e}"),
        };
        r.expect_str("the name of a synapse group", &name)?;
        load_model(r, S::INFO, &name)?;
        r.expect_u64(
            &format!("the fingerprint of the connectivity, storage and delays of `{name}`"),
            self.structure_fingerprint(),
        )?;
        let params = load_params(r, S::INFO, &name)?;
        let mut model = self.model.clone();
        for (p, &v) in S::INFO.params.iter().zip(&params) {
            model.set_param(p.name, v).map_err(refused)?;
        }
        let columns = load_columns(r, self.columns.all(), &name)?;
        for (j, c) in columns.iter().enumerate() {
            crate::columns::check_column(&name, S::INFO, j, c).map_err(refused)?;
        }
        let last = r.f64s(
            &format!("the last event times of `{name}`"),
            self.last.len(),
        )?;
        let outputs = load_columns(r, &self.outputs, &format!("{name} (outputs)"))?;
        r.expect_u64(&format!("the outputs of `{name}`"), self.rings.len() as u64)?;
        let mut rings = Vec::with_capacity(self.rings.len());
        for (o, out) in self.outputs.iter().enumerate() {
            let what = format!("the delay ring of output {o} of `{name}`");
            let n = r.u64(&what)?;
            match ring_len(&model, &name, o, dt) {
                Some(d) if n != d as u64 => {
                    return Err(Error::Checkpoint {
                        reason: format!(
                            "{what} has {n} slots in the checkpoint, {d} in this network (its \
                             delay at dt = {} ms)",
                            crate::error::num(dt)
                        ),
                    });
                }
                // A delay no run accepts: the next run refuses it before the ring is used.
                None if n > crate::MAX_DELAY_STEPS as u64 + 1 => {
                    return Err(Error::Checkpoint {
                        reason: format!("{what} is longer than any delay"),
                    });
                }
                _ => {}
            }
            let like = vec![vec![0.0; out.len()]; n as usize];
            let slots = (0..n as usize)
                .map(|k| r.f64s(&format!("{what}, slot {k}"), like[k].len()))
                .collect::<Result<Vec<_>>>()?;
            let pos = r.u64(&what)? as usize;
            if pos >= slots.len().max(1) {
                return Err(Error::Checkpoint {
                    reason: format!("{what} points past its end"),
                });
            }
            rings.push(Ring { slots, pos });
        }
        if let Some(d) = &self.delays {
            d.load(r, &self.conn, &name, apply)?;
        }
        if apply {
            self.model = model;
            for (j, c) in columns.into_iter().enumerate() {
                *self.columns.get_vec_mut(j) = c;
            }
            self.last = last;
            self.outputs = outputs;
            self.rings = rings;
        }
        Ok(())
    }

    fn column_mut(&mut self, j: usize) -> &mut [f64] {
        self.columns.get_mut(j)
    }

    fn conn(&self) -> &Csr {
        &self.conn
    }

    fn tileable(&self) -> bool {
        S::INFO.tile
            && self.storage == Storage::PerPost
            && self.direct.iter().all(|&d| d)
            && (self.rows_sorted || self.delays.is_some())
    }

    fn step(
        &mut self,
        clock: Clock,
        (pre, post): (NeuronView<'_>, NeuronView<'_>),
        targets: ColumnsMut<'_>,
        check: bool,
    ) -> Result<()> {
        self.clear_outputs();
        let (columns, synapse) = self.columns.split_mut(S::INFO.clock_width());
        let finite = self.model.step(
            &self.consts,
            SynapseStep {
                clock,
                storage: self.storage,
                columns,
                conn: &self.conn,
                pre,
                post,
                outputs: &mut self.outputs,
                rules: RuleData {
                    synapse,
                    last: &mut self.last,
                    targets,
                    factors: &self.factors,
                    pre,
                    post_spike: post.spike,
                },
            },
        );
        if check && !finite {
            self.find_non_finite(clock.step)?;
        }
        self.rotate_rings();
        Ok(())
    }

    fn n_post(&self) -> usize {
        self.n_post
    }

    fn synapse_delays(&self) -> Option<&Delays> {
        self.delays.as_ref()
    }

    fn pre_events(&self, events: PreEvents<'_>) {
        let fixed = &self.columns.all()[S::INFO.clock_width()..];
        self.model
            .pre_events(&self.consts, PreEvents { fixed, ..events });
    }

    fn post_rules(&mut self, clock: Clock, side: PostRules<'_>, check: bool) -> Result<()> {
        if S::INFO.rules_post.is_empty() {
            return Ok(());
        }
        let PostRules {
            staged,
            pre,
            post,
            targets,
        } = side;
        let n_post = self.n_post;
        let csc = self.csc.get_or_insert_with(|| Csc::of(&self.conn, n_post));
        let (own, synapse) = self.columns.split_mut(S::INFO.clock_width());
        let finite = self.model.post_events(
            &self.consts,
            PostEvents {
                clock,
                storage: self.storage,
                columns: staged.unwrap_or(own),
                conn: &self.conn,
                csc,
                spiking: post.spiking,
                v: post.v,
                refractory: post.refractory,
                rules: RuleData {
                    synapse,
                    last: &mut self.last,
                    targets,
                    factors: &self.factors,
                    pre,
                    post_spike: post.spike,
                },
            },
        );
        if check && !finite {
            self.find_non_finite(clock.step)?;
        }
        Ok(())
    }

    fn targets(&self) -> &[Binding] {
        &self.targets
    }

    fn set_targets(&mut self, targets: Vec<Binding>) {
        self.targets = targets;
    }

    fn set_summed(&mut self, summed: Vec<Option<(usize, f64)>>) {
        self.summed = summed;
    }

    fn post_tile(
        &self,
        clock: Clock,
        columns: ColumnsMut<'_>,
        shadow: Option<ColumnsMut<'_>>,
        v: &[f64],
        refractory: &[bool],
        input: &mut [f64],
        advance: bool,
    ) -> bool {
        let (model, consts) = (&self.model, &self.consts);
        if shadow.is_some() {
            with_method!(self.method, M => drive_post(
                model.post_kernel::<M, true>(consts, clock, columns, shadow, advance),
                v,
                refractory,
                input,
            ))
        } else {
            with_method!(self.method, M => drive_post(
                model.post_kernel::<M, false>(consts, clock, columns, None, advance),
                v,
                refractory,
                input,
            ))
        }
    }

    fn post_whole(
        &mut self,
        clock: Clock,
        side: PostWhole<'_>,
        (check, advance): (bool, bool),
    ) -> Result<()> {
        let PostWhole {
            mut columns,
            shadow,
            v,
            refractory,
            input,
            segments,
            post_spike,
            pre,
            targets,
        } = side;
        self.clear_outputs();
        let width = S::INFO.clock_width();
        let mut finite = if S::INFO.has_rules() {
            let (_, synapse) = self.columns.split_mut(width);
            self.model.pre_events(
                &self.consts,
                PreEvents {
                    clock,
                    first: 0,
                    columns: columns.reborrow(),
                    conn: &self.conn,
                    segments,
                    v,
                    refractory,
                    rules: Some(RuleData {
                        synapse,
                        last: &mut self.last,
                        targets,
                        factors: &self.factors,
                        pre,
                        post_spike,
                    }),
                    fixed: &[],
                },
            )
        } else {
            self.model.pre_events(
                &self.consts,
                PreEvents {
                    clock,
                    first: 0,
                    columns: columns.reborrow(),
                    conn: &self.conn,
                    segments,
                    v,
                    refractory,
                    rules: None,
                    fixed: &self.columns.all()[width..],
                },
            )
        };
        let (model, consts) = (&self.model, &self.consts);
        let mut sink = DeliverySink {
            direct: &self.direct,
            input,
            outputs: &mut self.outputs,
            q: 0,
        };
        finite &= with_method!(self.method, M => {
            // Groups run whole are small or rare: one kernel, with the shadow branch.
            let mut kernel = model.post_kernel::<M, true>(consts, clock, columns.reborrow(), shadow, advance);
            let mut finite = true;
            for q in 0..v.len().min(sink.input.len()) {
                sink.q = q;
                finite &= kernel.element(q, v[q], refractory[q], &mut sink);
            }
            finite
        });
        if check && !finite {
            if let Some(bad) = first_non_finite(columns.width(), |j| columns.get(j)) {
                return Err(non_finite(&self.name, S::INFO, bad, clock.step));
            }
            let all = self.columns.all();
            let width = S::INFO.clock_width();
            if let Some((j, i, x)) = first_non_finite(all.len() - width, |j| &all[width + j]) {
                return Err(non_finite(
                    &self.name,
                    S::INFO,
                    (width + j, i, x),
                    clock.step,
                ));
            }
        }
        self.rotate_rings();
        Ok(())
    }

    fn advance_all(&self, mut columns: ColumnsMut<'_>) -> bool {
        let n = columns.len();
        let clock = Clock::at(0, 0.0);
        let (model, consts) = (&self.model, &self.consts);
        with_method!(self.method, M => {
            let mut kernel = model.post_kernel::<M, false>(consts, clock, columns.reborrow(), None, true);
            let mut finite = true;
            for q in 0..n {
                finite &= kernel.advance(q);
            }
            finite
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Slots of the delay ring of output `o` of a group of `model` (named `name`) at step `dt` ms:
/// what [`AnySynapses::prepare`] gives it; `None` for a delay a run refuses.
fn ring_len<S: SynapseModel>(model: &S, name: &str, o: usize, dt: f64) -> Option<usize> {
    let d = *model.delays().get(o)?;
    delay_to_steps(name, d, dt).ok()
}
