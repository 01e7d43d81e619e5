//! Synapse groups: the synapses of one model between two neuron groups, their state, and one delay
//! ring per output.

use std::any::Any;

use crate::error::{Error, Result};
use crate::exec::{Fuser, KernelTile};
use crate::group::{check_method, fill_column, first_non_finite, non_finite, set_column};
use crate::model::{
    drive_post, with_method, Csr, Method, Model, ModelInfo, NeuronView, OutputKind, PostKernel,
    PostTile, Storage, SynapseModel, SynapseStep, Target, Var,
};

/// Longest delay accepted, in steps (the ring holds that many copies of the target's size).
pub const MAX_DELAY_STEPS: usize = 10_000_000;

/// Delay ring of one output: `slots.len()` = delay in steps; `slots[pos]` holds the value written
/// that many steps ago (zeros before anything was written).
#[derive(Clone, Debug, Default)]
struct Ring {
    slots: Vec<Vec<f64>>,
    pos: usize,
}

/// The synapses of model `S` from a presynaptic to a postsynaptic neuron group: connectivity
/// ([`Csr`]), state columns in the storage class the model allows (per synapse, per presynaptic or
/// per postsynaptic neuron), and a delay ring per output.
///
/// Created by [`Network::add_synapses`](crate::Network::add_synapses); reached through
/// [`Network::synapses`](crate::Network::synapses) and
/// [`Network::synapses_mut`](crate::Network::synapses_mut).
#[derive(Clone, Debug)]
pub struct SynapseGroup<S: SynapseModel> {
    name: String,
    model: S,
    pre: usize,
    post: usize,
    n_pre: usize,
    n_post: usize,
    conn: Csr,
    storage: Storage,
    method: Method,
    columns: Vec<Vec<f64>>,
    consts: Vec<f64>,
    /// Per output: reversal potential (mV), NaN for non-conductances.
    reversals: Vec<f64>,
    /// Per output: delay in steps.
    delay_steps: Vec<usize>,
    /// Per output: the write slot of this step, then (after the ring rotation) the delivered value.
    outputs: Vec<Vec<f64>>,
    rings: Vec<Ring>,
    /// Per output: delivered by the generated code itself (see [`SynapseStep::direct`]).
    direct: Vec<bool>,
    /// Every row of `conn` is sorted by postsynaptic index (tiles walk rows in order).
    rows_sorted: bool,
    /// The loop fusing this group's kernel with its postsynaptic group's.
    fuser: Option<Fuser>,
}

impl<S: SynapseModel> SynapseGroup<S> {
    /// Synapses of `model` laid out by `conn` from group `pre` (`n_pre` neurons) to group `post`
    /// (`n_post` neurons), in the model's most compact storage, initialised by [`Model::init`].
    pub(crate) fn new(
        name: String,
        model: S,
        (pre, n_pre): (usize, usize),
        (post, n_post): (usize, usize),
        conn: Csr,
    ) -> Self {
        let storage = S::INFO
            .storages
            .first()
            .copied()
            .unwrap_or(Storage::PerSynapse);
        let outputs = S::INFO
            .outputs
            .iter()
            .map(|o| match o.target {
                Target::Pre => vec![0.0; n_pre],
                Target::Post => vec![0.0; n_post],
            })
            .collect();
        let n_out = S::INFO.outputs.len();
        let rows_sorted = (0..conn.n_pre()).all(|p| conn.row(p).is_sorted());
        let mut group = SynapseGroup {
            name,
            model,
            pre,
            post,
            n_pre,
            n_post,
            conn,
            storage,
            method: S::INFO.method,
            columns: Vec::new(),
            consts: Vec::new(),
            reversals: vec![f64::NAN; n_out],
            delay_steps: vec![0; n_out],
            outputs,
            rings: vec![Ring::default(); n_out],
            direct: vec![false; n_out],
            rows_sorted,
            fuser: None,
        };
        group.reinit();
        group
    }

    /// The group's name (unique in its network).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Step constants of the last run ([`Model::prepare`]).
    pub(crate) fn consts(&self) -> &[f64] {
        &self.consts
    }

    /// Sets the loop that fuses this group's kernel with its postsynaptic group's.
    pub(crate) fn set_fuser(&mut self, fuser: Fuser) {
        self.fuser = Some(fuser);
    }

    /// Number of synapses.
    pub fn n_syn(&self) -> usize {
        self.conn.post.len()
    }

    /// Number of presynaptic neurons.
    pub fn n_pre(&self) -> usize {
        self.n_pre
    }

    /// Number of postsynaptic neurons.
    pub fn n_post(&self) -> usize {
        self.n_post
    }

    /// The connectivity (pre-major rows).
    pub fn conn(&self) -> &Csr {
        &self.conn
    }

    /// Where the state lives; decides the length of every column ([`SynapseGroup::len`]).
    pub fn storage(&self) -> Storage {
        self.storage
    }

    /// Length of every state column: synapses, presynaptic or postsynaptic neurons per
    /// [`SynapseGroup::storage`].
    pub fn len(&self) -> usize {
        self.storage.len(self.n_syn(), self.n_pre, self.n_post)
    }

    /// `true` when the state columns are empty (no synapse, or an empty group they live on).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The model and its parameters.
    pub fn model(&self) -> &S {
        &self.model
    }

    /// The model, to change parameters; the change (including delays and reversal potentials)
    /// takes effect at the start of the next run.
    pub fn model_mut(&mut self) -> &mut S {
        &mut self.model
    }

    /// Sets parameter `name` (takes effect at the next run). Errors: [`Error::UnknownParameter`],
    /// [`Error::InvalidParameter`].
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<()> {
        self.model.set_param(name, value)
    }

    /// The integration method (default: the model's, [`ModelInfo::method`]).
    pub fn method(&self) -> Method {
        self.method
    }

    /// Chooses the integration method; [`Error::MethodNotSupported`] unless it is one of
    /// [`ModelInfo::methods`].
    pub fn set_method(&mut self, method: Method) -> Result<()> {
        check_method(&self.name, S::INFO, method)?;
        self.method = method;
        Ok(())
    }

    /// Delay of each output in whole steps, `ceil(delay / dt)`, as prepared by the last run (0 before
    /// the first run).
    pub fn delay_steps(&self) -> &[usize] {
        &self.delay_steps
    }

    /// Values of `var`, one per element of the storage ([`SynapseGroup::len`]).
    ///
    /// # Panics
    ///
    /// If `var` was not generated for `S` (impossible with the generated accessors).
    pub fn column(&self, var: Var<S>) -> &[f64] {
        &self.columns[checked_column::<S>(var)]
    }

    /// Mutable values of `var` (e.g. per-synapse weights).
    ///
    /// # Panics
    ///
    /// As [`SynapseGroup::column`].
    pub fn column_mut(&mut self, var: Var<S>) -> &mut [f64] {
        &mut self.columns[checked_column::<S>(var)]
    }

    /// All stored columns, in [`ModelInfo::states`] order.
    pub fn columns(&self) -> &[Vec<f64>] {
        &self.columns
    }

    /// Sets `var` to `values` (one per element of the storage). Errors: [`Error::SizeMismatch`],
    /// [`Error::InvalidInput`] for a value that is not finite.
    pub fn set(&mut self, var: Var<S>, values: &[f64]) -> Result<()> {
        set_column(&self.name, S::INFO, &mut self.columns, var, values)
    }

    /// Sets `var` to `value` everywhere. Error: [`Error::InvalidInput`] if `value` is not finite.
    pub fn set_all(&mut self, var: Var<S>, value: f64) -> Result<()> {
        fill_column(&self.name, S::INFO, &mut self.columns, var, value)
    }

    /// Resets the state to its initial values ([`Model::init`]) and empties the delay rings.
    pub fn reinit(&mut self) {
        let len = self.len();
        self.columns = vec![vec![0.0; len]; S::INFO.states.len()];
        self.model.init(&mut self.columns);
        for out in &mut self.outputs {
            out.fill(0.0);
        }
        for ring in &mut self.rings {
            ring.slots.iter_mut().for_each(|s| s.fill(0.0));
        }
    }

    /// Changes the storage class (the state is re-initialised). The caller checks that the model
    /// supports it and that nothing depends on the old layout.
    pub(crate) fn switch_storage(&mut self, storage: Storage) {
        if storage != self.storage {
            self.storage = storage;
            let len = self.len();
            self.columns = vec![vec![0.0; len]; S::INFO.states.len()];
            self.model.init(&mut self.columns);
        }
    }
}

fn checked_column<S: Model>(var: Var<S>) -> usize {
    let index = var.index();
    assert!(
        index < S::INFO.states.len(),
        "neurode: Var `{}` (column {index}) does not belong to model `{}`",
        var.name(),
        S::INFO.name
    );
    index
}

/// Delay `d` (ms) in whole steps: `ceil(d / dt)`, 0 for none.
pub(crate) fn delay_to_steps(object: &str, d: f64, dt: f64) -> Result<usize> {
    if !d.is_finite() || d < 0.0 {
        return Err(Error::NegativeDelay {
            object: object.to_string(),
            delay: d,
        });
    }
    let steps = (d / dt).ceil();
    if steps > MAX_DELAY_STEPS as f64 {
        return Err(Error::InvalidInput {
            object: object.to_string(),
            reason: format!("delay {d} ms is {steps} steps, more than {MAX_DELAY_STEPS}"),
        });
    }
    // 0 <= steps <= MAX_DELAY_STEPS.
    Ok(steps as usize)
}

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
    fn switch_storage(&mut self, storage: Storage);
    /// Constants, reversal potentials and delays for step `dt`; rebuilds a ring whose length changed.
    fn prepare(&mut self, dt: f64) -> Result<()>;
    /// Zeroes the write slots, updates at `t`, checks finiteness (if `check`), rotates the rings.
    /// One step at `clock` = (step index, t, dt).
    fn step(
        &mut self,
        clock: (u64, f64, f64),
        pre: NeuronView<'_>,
        post: NeuronView<'_>,
        post_input: &mut [f64],
        check: bool,
    ) -> Result<()>;
    fn n_outputs(&self) -> usize;
    /// Whether output `o` was delivered by the update itself (nothing left to deliver).
    fn is_direct(&self, o: usize) -> bool;
    /// The network index of the group output `o` writes into.
    fn output_group(&self, o: usize) -> usize;
    /// Adds this step's delivered value of output `o` into its target's input or membrane.
    fn deliver(&self, o: usize, input: &mut [f64], v: &mut [f64]);
    fn column(&self, col: usize) -> &[f64];
    /// The connectivity.
    fn conn(&self) -> &Csr;
    /// Whether the group can run in tiles of postsynaptic neurons (element kernels,
    /// [`SynapseModel::post_kernel`]): the model has them, the state is per postsynaptic
    /// neuron, every output is delivered directly (as prepared) and every row is sorted.
    fn tileable(&self) -> bool;
    /// The state columns, for a run to copy (and copy back).
    fn columns_mut(&mut self) -> Vec<&mut [f64]>;
    /// [`SynapseModel::tile_events`] on one tile.
    fn tile_events(&self, tile: PostTile<'_, '_>);
    /// The kernel over one tile (after [`AnySynapses::tile_events`]): state `columns`,
    /// postsynaptic `v`, `refractory` and `input`, at time `t` with step `dt`; the state is
    /// stored advanced unless `advance` is false.
    fn tile_kernel(&self, clock: (f64, f64), tile: KernelTile<'_, '_>, advance: bool) -> bool;
    /// Advances the whole state by one step ([`PostKernel::advance`]), as a run starts.
    fn tile_advance(&self, columns: &mut [&mut [f64]]) -> bool;
    /// The fused loop of this model with the model of its postsynaptic group, if both have
    /// kernels.
    fn fuser(&self) -> Option<Fuser>;
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
        self.model.set_param(name, value)
    }

    fn get_param(&self, name: &str) -> Option<f64> {
        self.model.get_param(name)
    }

    fn storage(&self) -> Storage {
        self.storage
    }

    fn switch_storage(&mut self, storage: Storage) {
        SynapseGroup::switch_storage(self, storage);
    }

    fn prepare(&mut self, dt: f64) -> Result<()> {
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
                self.rings[o] = Ring {
                    slots: vec![vec![0.0; len]; d],
                    pos: 0,
                };
            }
        }
        // Per-postsynaptic storage, no delay, a current or conductance onto the postsynaptic
        // group: the generated push loop writes into the target's input itself.
        for (o, info) in S::INFO.outputs.iter().enumerate() {
            self.direct[o] = self.storage == Storage::PerPost
                && steps[o] == 0
                && info.target == Target::Post
                && info.kind != OutputKind::Voltage;
        }
        self.delay_steps = steps;
        self.reversals = reversals;
        self.consts = self.model.prepare(self.method, dt);
        Ok(())
    }

    fn step(
        &mut self,
        (step, t, dt): (u64, f64, f64),
        pre: NeuronView<'_>,
        post: NeuronView<'_>,
        post_input: &mut [f64],
        check: bool,
    ) -> Result<()> {
        for (out, &direct) in self.outputs.iter_mut().zip(&self.direct) {
            if !direct {
                out.fill(0.0);
            }
        }
        let any_direct = self.direct.iter().any(|&d| d);
        let finite = self.model.update(
            &self.consts,
            self.method,
            SynapseStep {
                t,
                dt,
                storage: self.storage,
                columns: &mut self.columns,
                conn: &self.conn,
                pre,
                post,
                outputs: &mut self.outputs,
                direct: &self.direct,
                post_input: if any_direct { post_input } else { &mut [] },
            },
        );
        if check && !finite {
            if let Some(bad) = first_non_finite(&self.columns) {
                return Err(non_finite(&self.name, S::INFO, bad, step));
            }
        }
        // Swap the fresh values into the ring; what comes out was written `slots.len()` steps ago.
        for (out, ring) in self.outputs.iter_mut().zip(&mut self.rings) {
            if let Some(slot) = ring.slots.get_mut(ring.pos) {
                std::mem::swap(out, slot);
                ring.pos = (ring.pos + 1) % ring.slots.len();
            }
        }
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
        }
    }

    fn column(&self, col: usize) -> &[f64] {
        &self.columns[col]
    }

    fn conn(&self) -> &Csr {
        &self.conn
    }

    fn tileable(&self) -> bool {
        S::INFO.tile
            && self.storage == Storage::PerPost
            && self.direct.iter().all(|&d| d)
            && self.rows_sorted
    }

    fn columns_mut(&mut self) -> Vec<&mut [f64]> {
        self.columns.iter_mut().map(Vec::as_mut_slice).collect()
    }

    fn tile_events(&self, tile: PostTile<'_, '_>) {
        self.model.tile_events(&self.consts, self.method, tile);
    }

    fn tile_advance(&self, columns: &mut [&mut [f64]]) -> bool {
        let n = self.len();
        with_method!(self.method, M => {
            let mut kernel = self.model.post_kernel::<M>(&self.consts, (0.0, 0.0), columns, n, true);
            let mut finite = true;
            for q in 0..n {
                finite &= kernel.advance(q);
            }
            finite
        })
    }

    fn tile_kernel(&self, clock: (f64, f64), tile: KernelTile<'_, '_>, advance: bool) -> bool {
        let KernelTile {
            columns,
            v,
            refractory,
            input,
        } = tile;
        let n = input.len();
        with_method!(self.method, M => drive_post(
            self.model.post_kernel::<M>(&self.consts, clock, columns, n, advance),
            v,
            refractory,
            input,
        ))
    }

    fn fuser(&self) -> Option<Fuser> {
        self.fuser
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_steps_round_up() {
        assert_eq!(delay_to_steps("s", 0.0, 0.1), Ok(0));
        assert_eq!(delay_to_steps("s", 0.3, 0.1), Ok(3));
        assert_eq!(delay_to_steps("s", 0.25, 0.1), Ok(3));
        assert_eq!(delay_to_steps("s", 1.0, 0.1), Ok(10));
        assert_eq!(delay_to_steps("s", 0.01, 0.1), Ok(1));
        assert_eq!(
            delay_to_steps("s", -0.5, 0.1),
            Err(Error::NegativeDelay {
                object: "s".into(),
                delay: -0.5
            })
        );
        assert!(matches!(
            delay_to_steps("s", f64::NAN, 0.1),
            Err(Error::NegativeDelay { .. })
        ));
        assert!(matches!(
            delay_to_steps("s", 1e9, 0.1),
            Err(Error::InvalidInput { .. })
        ));
    }
}
