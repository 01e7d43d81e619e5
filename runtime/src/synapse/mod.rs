//! Synapse groups: the synapses of one model between two neuron groups, their state, and one delay
//! ring per output.

mod any;
mod delivery;
#[cfg(test)]
mod tests;

use crate::columns::{check_method, first_non_finite, non_finite, Columns};
use crate::connect::{Csc, Csr};
use crate::delays::{delay_steps as synapse_delay_steps, Delays};
use crate::error::{Error, Result};
use crate::info::{Method, Storage, Target, Var};
use crate::model::SynapseModel;

pub(crate) use any::AnySynapses;
use delivery::Ring;
pub(crate) use delivery::{AccSink, PostRules, PostWhole};

/// Longest delay accepted, in steps (the ring holds that many copies of the target's size).
pub const MAX_DELAY_STEPS: usize = 10_000_000;

/// Where a postsynaptic variable of a synapse group's rules (`x_post += ...`) goes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Binding {
    /// Column `column` of the postsynaptic group, converted by `factor`.
    Column {
        /// The column.
        column: usize,
        /// The factor converting into its unit.
        factor: f64,
    },
    /// Nowhere: what the rules add is dropped
    /// ([`Network::ignore_post_variable`](crate::Network::ignore_post_variable)).
    Ignored,
    /// Not bound, for the reason given (the run refuses to start).
    Missing(String),
}

impl Binding {
    /// The column, if bound to one.
    pub(crate) fn column(&self) -> Option<usize> {
        match self {
            Binding::Column { column, .. } => Some(*column),
            _ => None,
        }
    }

    /// The conversion factor (0 where nothing receives the value).
    pub(crate) fn factor(&self) -> f64 {
        match self {
            Binding::Column { factor, .. } => *factor,
            _ => 0.0,
        }
    }
}

/// The synapses of model `S` from a presynaptic to a postsynaptic neuron group: connectivity
/// ([`Csr`]), state columns in the storage class the model allows (per synapse, per presynaptic or
/// per postsynaptic neuron), and a delay ring per output.
///
/// The storage of a projection: created by
/// [`Network::add_projection`](crate::Network::add_projection); reached through
/// [`Network::projection`](crate::Network::projection) and
/// [`Network::projection_mut`](crate::Network::projection_mut).
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
    columns: Columns,
    consts: S::Consts,
    /// Per output: reversal potential (mV), NaN for non-conductances.
    reversals: Vec<f64>,
    /// Per output: delay in steps.
    delay_steps: Vec<usize>,
    /// Per output: the write slot of this step, then (after the ring rotation) the delivered value.
    outputs: Vec<Vec<f64>>,
    rings: Vec<Ring>,
    /// Per output: delivered into the postsynaptic input by the step itself (per-postsynaptic
    /// state, no delay, a current or conductance onto the postsynaptic group).
    direct: Vec<bool>,
    /// Every row of `conn` is sorted by postsynaptic index (the walk over a tile needs it).
    rows_sorted: bool,
    /// Per-synapse delays, when set: rows sorted by (delay, target), spikes in flight.
    delays: Option<Delays>,
    /// Time (ms) of each synapse's last event, for event-driven variables (empty without).
    last: Vec<f64>,
    /// The synapses onto each postsynaptic neuron, for `#[on_post(...)]` rules (built when a
    /// run is prepared).
    csc: Option<Csc>,
    /// Per entry of [`ModelInfo::post_writes`](crate::ModelInfo::post_writes): where what the
    /// rules add goes.
    targets: Vec<Binding>,
    /// The conversion factor of each binding of `targets`, as the last `prepare` found them
    /// (read by the rules at every step, so not recomputed there).
    factors: Vec<f64>,
    /// Per output: for a summed output, the target group's column it assigns and the factor
    /// converting into that column's unit (bound when the group is added).
    summed: Vec<Option<(usize, f64)>>,
    /// The key of the initial values drawn with `rand()` / `randn()`.
    init_key: u64,
}

impl<S: SynapseModel> SynapseGroup<S> {
    /// Synapses of `model` laid out by `conn` from group `pre` (`n_pre` neurons) to group `post`
    /// (`n_post` neurons), in the model's most compact storage, initialised by [`Model::init`].
    ///
    /// Error: [`Error::OutOfMemory`] when its columns cannot be had.
    pub(crate) fn new(
        name: String,
        model: S,
        (pre, n_pre): (usize, usize),
        (post, n_post): (usize, usize),
        conn: Csr,
        init_key: u64,
    ) -> Result<Self> {
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
        let rows_sorted = (0..conn.n_pre()).all(|p| conn.post.is_sorted(conn.range(p)));
        let len = storage.len(conn.n_syn(), n_pre, n_post);
        let event_driven = S::INFO.states.iter().any(|s| s.event_driven);
        let purpose = crate::memory::Purpose {
            object: &name,
            what: "the times of the synapses' last events",
        };
        let n_last = if event_driven { conn.n_syn() } else { 0 };
        Ok(SynapseGroup {
            columns: Columns::try_init_synapses(&model, (len, conn.n_syn()), init_key, &name)?,
            init_key,
            last: crate::memory::filled(n_last, 0.0, purpose)?,
            name,
            csc: None,
            targets: Vec::new(),
            factors: Vec::new(),
            summed: vec![None; n_out],
            model,
            pre,
            post,
            n_pre,
            n_post,
            conn,
            storage,
            method: S::INFO.method,
            consts: S::Consts::default(),
            reversals: vec![f64::NAN; n_out],
            delay_steps: vec![0; n_out],
            outputs,
            rings: vec![Ring::default(); n_out],
            direct: vec![false; n_out],
            rows_sorted,
            delays: None,
        })
    }

    /// Bytes of the columns of a group of `n_syn` synapses of model `S` stored per synapse,
    /// with their connectivity (for the memory budget; an upper bound of other storages).
    pub(crate) fn bytes_for(n_syn: u64) -> u64 {
        let event_driven = S::INFO.states.iter().any(|s| s.event_driven);
        let per = 4 + 8 * (S::INFO.states.len() as u64 + u64::from(event_driven));
        n_syn.saturating_mul(per)
    }

    /// The group's name (unique in its network).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of synapses.
    pub fn n_syn(&self) -> usize {
        self.conn.post.len()
    }

    /// Number of presynaptic neurons.
    pub fn n_pre(&self) -> usize {
        self.n_pre
    }

    /// Bytes of the connectivity as held: the target of each synapse (2 bytes onto a group of
    /// at most 65,536 neurons, else 4: [`crate::connect::Targets`]), the start of
    /// each row, the per-synapse columns (8 bytes per synapse and column: weights, ...) and the
    /// per-synapse delays (8 bytes per row, and 8 per segment: a row's synapses of one delay).
    /// Not the state kept per neuron, nor the spikes in flight.
    pub fn connectivity_bytes(&self) -> usize {
        use std::mem::size_of;
        let width = S::INFO.clock_width();
        let per_synapse: usize = self.columns.all()[width..]
            .iter()
            .map(|c| c.capacity() * size_of::<f64>())
            .sum();
        self.conn.post.bytes()
            + self.conn.row_ptr.capacity() * size_of::<usize>()
            + per_synapse
            + self.delays.as_ref().map_or(0, Delays::bytes)
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

    /// Sets parameter `name` (takes effect at the next run); a parameter with one value per
    /// synapse (`per_synapse`) takes `value` at every synapse. Errors:
    /// [`Error::UnknownParameter`], [`Error::InvalidParameter`].
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<()> {
        self.model.set_param(name, value)?;
        self.columns.follow_param::<S>(name, value);
        Ok(())
    }

    /// The integration method (default: the model's,
    /// [`ModelInfo::method`](crate::ModelInfo::method)).
    pub fn method(&self) -> Method {
        self.method
    }

    /// Chooses the integration method; [`Error::MethodNotSupported`] unless it is one of
    /// [`ModelInfo::methods`](crate::ModelInfo::methods).
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

    /// Sets a delay per synapse (ms, one per synapse in synapse order) at step `dt`: a spike of
    /// a presynaptic neuron produced at step `k` acts through synapse `i` at step `k + dᵢ`,
    /// `dᵢ` being the delay rounded to the nearest step, and at least one step. Every row is
    /// then sorted by (delay, postsynaptic neuron), which renumbers the synapses within rows
    /// (per-synapse values follow their synapse).
    ///
    /// Only a group whose spikes act through its walk (state kept per postsynaptic neuron)
    /// takes per-synapse delays.
    ///
    /// Errors: [`Error::SizeMismatch`] unless one delay per synapse; [`Error::InvalidInput`]
    /// naming the synapse and the value for a negative or non-finite delay, or for a model
    /// whose spikes act otherwise.
    pub(crate) fn set_delays(&mut self, delays_ms: &[f64], dt: f64) -> Result<()> {
        if delays_ms.len() != self.n_syn() {
            return Err(Error::SizeMismatch {
                object: format!("{} (delays)", self.name),
                expected: self.n_syn(),
                got: delays_ms.len(),
            });
        }
        if self.storage != Storage::PerPost {
            return Err(Error::InvalidInput {
                object: self.name.clone(),
                reason: format!(
                    "model `{}` acts on a presynaptic spike in its own step ({} storage): \
                     per-synapse delays need its state kept per postsynaptic neuron",
                    S::INFO.name,
                    self.storage
                ),
            });
        }
        // u32::MAX marks a delay that is not valid (more than the longest accepted): the first
        // one is reported.
        let steps = crate::par::map(delays_ms.len(), |i| {
            synapse_delay_steps(&self.name, i, delays_ms[i], dt).unwrap_or(u32::MAX)
        });
        if let Some(i) = steps.iter().position(|&d| d == u32::MAX) {
            synapse_delay_steps(&self.name, i, delays_ms[i], dt)?;
        }
        let (perm, delays) = Delays::sort(&self.name, &mut self.conn, &steps)?;
        // Per-synapse values follow their synapse: `perm[new] = old`.
        let clock = S::INFO.clock_width();
        let permute = |col: &mut Vec<f64>| *col = crate::par::gather(col, &perm);
        for j in clock..S::INFO.states.len() {
            permute(self.columns.get_vec_mut(j));
        }
        if !self.last.is_empty() {
            permute(&mut self.last);
        }
        if self.storage == Storage::PerSynapse {
            for j in 0..clock {
                permute(self.columns.get_vec_mut(j));
            }
        }
        self.delays = Some(delays);
        self.csc = None;
        Ok(())
    }

    /// The delay of every synapse in steps (in synapse order), if per-synapse delays were set.
    pub fn synapse_delays(&self) -> Option<Vec<u32>> {
        self.delays.as_ref().map(|d| d.per_synapse(&self.conn))
    }

    /// Values of `var`, one per element of the storage ([`SynapseGroup::len`]). An event-driven
    /// state ([`StateInfo::event_driven`](crate::StateInfo::event_driven)) is stored as it was
    /// at each synapse's last event; [`SynapseGroup::column_at`] gives it at a later time.
    ///
    /// # Panics
    ///
    /// If `var` was not generated for `S` (impossible with the generated accessors).
    pub fn column(&self, var: Var<S>) -> &[f64] {
        self.columns.var(var)
    }

    /// Mutable values of `var` (e.g. per-synapse weights).
    ///
    /// # Panics
    ///
    /// As [`SynapseGroup::column`].
    pub fn column_mut(&mut self, var: Var<S>) -> &mut [f64] {
        self.columns.var_mut(var)
    }

    /// A fingerprint of what the code that builds the group decides: sizes, storage,
    /// connectivity and delays (checked when a checkpoint is restored).
    fn structure_fingerprint(&self) -> u64 {
        use crate::checkpoint::{fnv, FNV_START};
        let mut h = FNV_START;
        for x in [
            self.n_pre,
            self.n_post,
            self.conn.n_syn(),
            self.storage as usize,
        ] {
            h = fnv(h, &(x as u64).to_le_bytes());
        }
        for &x in &self.conn.row_ptr {
            h = fnv(h, &(x as u64).to_le_bytes());
        }
        // The targets as 4-byte numbers, whichever form holds them.
        for q in self.conn.post.iter(0..self.conn.n_syn()) {
            h = fnv(h, &(q as u32).to_le_bytes());
        }
        if let Some(d) = &self.delays {
            h = fnv(h, &d.fingerprint(&self.conn).to_le_bytes());
        }
        h
    }

    /// The error naming the first non-finite value of the group's columns, if any (after a
    /// kernel reported one at `step`).
    fn find_non_finite(&self, step: u64) -> Result<()> {
        let columns = self.columns.all();
        match first_non_finite(columns.len(), |j| &columns[j]) {
            Some(bad) => Err(non_finite(&self.name, S::INFO, bad, step)),
            None => Ok(()),
        }
    }

    /// The presynaptic and postsynaptic neuron of every synapse, in synapse order.
    pub fn pairs(&self) -> Vec<(u32, u32)> {
        let mut out = Vec::with_capacity(self.conn.n_syn());
        for p in 0..self.conn.n_pre() {
            // Groups hold at most u32::MAX neurons.
            out.extend(self.conn.row(p).map(|q| (p as u32, q as u32)));
        }
        out
    }

    /// Values of `var` per synapse, in synapse order, whatever its storage: a value kept per
    /// postsynaptic (presynaptic) neuron is given for each synapse onto (from) it.
    ///
    /// # Panics
    ///
    /// As [`SynapseGroup::column`].
    pub fn per_synapse(&self, var: Var<S>) -> Vec<f64> {
        let column = self.column(var);
        if S::INFO.states[var.index()].per_synapse || self.storage == Storage::PerSynapse {
            return column.to_vec();
        }
        self.pairs()
            .into_iter()
            .map(|(p, q)| match self.storage {
                Storage::PerPre => column[p as usize],
                _ => column[q as usize],
            })
            .collect()
    }

    /// Writes the synapses as a table, one row per synapse in synapse order: `i` (presynaptic
    /// neuron), `j` (postsynaptic neuron), then the value of each of `vars` per synapse
    /// ([`SynapseGroup::per_synapse`]), as CSV with a header (`i,j,w`) or as a NumPy `.npy`
    /// array of `f64` (`synapses × (2 + vars)`, indices exact as `f64`).
    ///
    /// # Errors
    ///
    /// The first I/O error of `out`.
    ///
    /// # Panics
    ///
    /// As [`SynapseGroup::column`].
    pub fn write_table<W: std::io::Write>(
        &self,
        vars: &[Var<S>],
        format: crate::stream::Format,
        mut out: W,
    ) -> std::io::Result<()> {
        let pairs = self.pairs();
        let values: Vec<Vec<f64>> = vars.iter().map(|&v| self.per_synapse(v)).collect();
        match format {
            crate::stream::Format::Csv => {
                write!(out, "i,j")?;
                for v in vars {
                    write!(out, ",{}", v.name())?;
                }
                writeln!(out)?;
                for (k, (i, j)) in pairs.iter().enumerate() {
                    write!(out, "{i},{j}")?;
                    for col in &values {
                        write!(out, ",{}", col[k])?;
                    }
                    writeln!(out)?;
                }
            }
            crate::stream::Format::Npy => {
                let width = 2 + vars.len();
                crate::stream::write_npy_header(&mut out, pairs.len() as u64, width)?;
                for (k, (i, j)) in pairs.iter().enumerate() {
                    out.write_all(&f64::from(*i).to_le_bytes())?;
                    out.write_all(&f64::from(*j).to_le_bytes())?;
                    for col in &values {
                        out.write_all(&col[k].to_le_bytes())?;
                    }
                }
            }
        }
        out.flush()
    }

    /// Values of `var` at time `t` (ms, not before any synapse's last event, e.g. the network's
    /// time after a run): event-driven states advanced exactly from each synapse's last event,
    /// any other state as stored.
    ///
    /// # Panics
    ///
    /// As [`SynapseGroup::column`].
    pub fn column_at(&self, var: Var<S>, t: f64) -> Vec<f64> {
        let j = var.index();
        (0..self.columns.get(j).len())
            .map(|i| self.value_at(j, i, t))
            .collect()
    }

    /// Element `i` of column `j` at time `t` (see [`SynapseGroup::column_at`]).
    fn value_at(&self, j: usize, i: usize, t: f64) -> f64 {
        let x = self.columns.get(j)[i];
        if !S::INFO.states[j].event_driven {
            return x;
        }
        self.model
            .event_driven_at(&self.consts, j, x, t - self.last[i])
    }

    /// All stored columns, in [`ModelInfo::states`](crate::ModelInfo::states) order.
    pub fn columns(&self) -> &[Vec<f64>] {
        self.columns.all()
    }

    /// Sets `var` to `values` (one per element of the storage). Errors: [`Error::SizeMismatch`],
    /// [`Error::InvalidInput`] for a value that is not finite.
    pub fn set(&mut self, var: Var<S>, values: &[f64]) -> Result<()> {
        self.columns.set(&self.name, var, values)
    }

    /// Sets `var` to `value` everywhere. Error: [`Error::InvalidInput`] if `value` is not finite.
    pub fn set_all(&mut self, var: Var<S>, value: f64) -> Result<()> {
        self.columns.fill(&self.name, var, value)
    }

    /// Resets the state to its initial values ([`Model::init`](crate::Model::init)) and empties the delay rings.
    pub fn reinit(&mut self) {
        self.columns = Columns::init_synapses(&self.model, self.len(), self.n_syn(), self.init_key);
        self.last.fill(0.0);
        for out in &mut self.outputs {
            out.fill(0.0);
        }
        for ring in &mut self.rings {
            ring.slots.iter_mut().for_each(|s| s.fill(0.0));
        }
        if let Some(d) = &self.delays {
            d.reset();
        }
    }

    /// Changes the storage class (the state is re-initialised). The caller checks that the model
    /// supports it and that nothing depends on the old layout.
    /// Lays the state out in `storage`. The per-synapse columns (weights, per-synapse
    /// parameters) keep their values; the states that follow the storage start again from their
    /// initial values, so a switch is refused (`Err` with the state's name) when one of them was
    /// set since the group was made: its values have no place in the other layout.
    pub(crate) fn switch_storage(
        &mut self,
        storage: Storage,
    ) -> std::result::Result<(), &'static str> {
        if storage == self.storage {
            return Ok(());
        }
        let initial = Columns::init_synapses(&self.model, self.len(), self.n_syn(), self.init_key);
        for (k, state) in S::INFO.states.iter().enumerate() {
            if !state.per_synapse && initial.get(k) != self.columns.get(k) {
                return Err(state.name);
            }
        }
        self.storage = storage;
        let mut columns =
            Columns::init_synapses(&self.model, self.len(), self.n_syn(), self.init_key);
        for (k, state) in S::INFO.states.iter().enumerate() {
            if state.per_synapse {
                columns.get_mut(k).copy_from_slice(self.columns.get(k));
            }
        }
        self.columns = columns;
        self.last.fill(0.0);
        Ok(())
    }

    /// The model and its constants, for kernels.
    pub(crate) fn parts(&self) -> (&S, &S::Consts) {
        (&self.model, &self.consts)
    }
}
