//! Synapse groups: the synapses of one model between two neuron groups, their state, and one delay
//! ring per output.

use std::any::Any;

use crate::columns::{check_method, first_non_finite, non_finite, Columns};
use crate::connect::{Csc, Csr};
use crate::delays::{delay_steps as synapse_delay_steps, Delays};
use crate::error::{Error, Result};
use crate::info::{with_method, Method, ModelInfo, OutputKind, Storage, Target, Var};
use crate::model::{
    Clock, ColumnsMut, NeuronView, PostEvents, PostKernel, PreEvents, RuleData, Segment, Sink,
    SynapseModel, SynapseStep,
};

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
    /// Per entry of [`ModelInfo::post_writes`]: where what the rules add goes.
    targets: Vec<Binding>,
    /// The conversion factor of each binding of `targets`, as the last `prepare` found them
    /// (read by the rules at every step, so not recomputed there).
    factors: Vec<f64>,
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

    /// All stored columns, in [`ModelInfo::states`] order.
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
    pub(crate) fn switch_storage(&mut self, storage: Storage) {
        if storage != self.storage {
            self.storage = storage;
            self.columns =
                Columns::init_synapses(&self.model, self.len(), self.n_syn(), self.init_key);
            self.last.fill(0.0);
        }
    }

    /// The model and its constants, for kernels.
    pub(crate) fn parts(&self) -> (&S, &S::Consts) {
        (&self.model, &self.consts)
    }

    /// Zeroes the write slots of the outputs the runtime delivers.
    fn clear_outputs(&mut self) {
        for (out, &direct) in self.outputs.iter_mut().zip(&self.direct) {
            if !direct {
                out.fill(0.0);
            }
        }
    }

    /// Swaps this step's values into the rings; what comes out was written `slots.len()` steps
    /// ago and is what [`AnySynapses::deliver`] delivers.
    fn rotate_rings(&mut self) {
        for (out, ring) in self.outputs.iter_mut().zip(&mut self.rings) {
            if let Some(slot) = ring.slots.get_mut(ring.pos) {
                std::mem::swap(out, slot);
                ring.pos = (ring.pos + 1) % ring.slots.len();
            }
        }
    }
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
            reason: format!(
                "delay {} ms is {} steps, more than {MAX_DELAY_STEPS}",
                crate::error::num(d),
                crate::error::num(steps)
            ),
        });
    }
    // 0 <= steps <= MAX_DELAY_STEPS.
    Ok(steps as usize)
}

/// The outputs of one postsynaptic element added to a running sum: the neuron's input (a
/// register in fused loops). Tiled groups deliver every output this way, so none is a voltage.
pub(crate) struct AccSink<'a>(pub(crate) &'a mut f64);

impl Sink for AccSink<'_> {
    #[inline(always)]
    fn current(&mut self, _o: usize, value: f64) {
        *self.0 += value;
    }

    #[inline(always)]
    fn conductance(&mut self, _o: usize, g: f64, v: f64, e: f64) {
        *self.0 -= g * (v - e);
    }

    #[inline(always)]
    fn voltage(&mut self, _o: usize, _value: f64) {}
}

/// The outputs of postsynaptic element `q` of a group run whole: direct outputs into the
/// neuron's input, the others into their write slots (delivered after the delay).
struct DeliverySink<'a> {
    direct: &'a [bool],
    input: &'a mut [f64],
    outputs: &'a mut [Vec<f64>],
    q: usize,
}

impl Sink for DeliverySink<'_> {
    #[inline]
    fn current(&mut self, o: usize, value: f64) {
        if self.direct[o] {
            self.input[self.q] += value;
        } else {
            self.outputs[o][self.q] += value;
        }
    }

    #[inline]
    fn conductance(&mut self, o: usize, g: f64, v: f64, e: f64) {
        if self.direct[o] {
            self.input[self.q] -= g * (v - e);
        } else {
            self.outputs[o][self.q] += g;
        }
    }

    #[inline]
    fn voltage(&mut self, o: usize, value: f64) {
        self.outputs[o][self.q] += value;
    }
}

/// Runs `kernel` over every postsynaptic element of a tile: membrane potentials `v`, refractory
/// flags `refractory`, input accumulators `input` (all of the tile's length); every output is
/// direct.
#[inline]
fn drive_post<K: PostKernel>(
    mut kernel: K,
    v: &[f64],
    refractory: &[bool],
    input: &mut [f64],
) -> bool {
    let n = input.len();
    let (v, refractory) = (&v[..n], &refractory[..n]);
    let mut finite = true;
    for q in 0..n {
        finite &= kernel.element(q, v[q], refractory[q], &mut AccSink(&mut input[q]));
    }
    finite
}

/// The postsynaptic side of a group kept per postsynaptic neuron and run whole
/// ([`AnySynapses::post_whole`]).
pub(crate) struct PostWhole<'a> {
    pub(crate) columns: ColumnsMut<'a>,
    pub(crate) shadow: Option<ColumnsMut<'a>>,
    pub(crate) v: &'a [f64],
    pub(crate) refractory: &'a [bool],
    pub(crate) input: &'a mut [f64],
    /// The synapses the step's spikes act through.
    pub(crate) segments: &'a [Segment],
    /// The postsynaptic group's spike flags, the presynaptic group, and the postsynaptic
    /// columns the rules add to.
    pub(crate) post_spike: &'a [bool],
    pub(crate) pre: NeuronView<'a>,
    pub(crate) targets: ColumnsMut<'a>,
}

/// What the `#[on_post(...)]` rules of a group run whole reach ([`AnySynapses::post_rules`]).
pub(crate) struct PostRules<'a> {
    /// The columns that follow the storage: staged ones for a group kept per postsynaptic
    /// neuron (which the rules never touch), `None` for the group's own.
    pub(crate) staged: Option<ColumnsMut<'a>>,
    pub(crate) pre: NeuronView<'a>,
    pub(crate) post: NeuronView<'a>,
    pub(crate) targets: ColumnsMut<'a>,
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
    /// Writes what a run changes (see [`crate::checkpoint`]).
    fn save(&self, w: &mut crate::checkpoint::Writer);
    /// Reads what [`AnySynapses::save`] wrote, checking that it fits; changes the group only
    /// if `apply`.
    fn load(&mut self, r: &mut crate::checkpoint::Reader<'_>, apply: bool) -> Result<()>;
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

    fn switch_storage(&mut self, storage: Storage) {
        SynapseGroup::switch_storage(self, storage);
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
                budget.charge(
                    crate::memory::bytes_of::<f64>(len).saturating_mul(d as u64),
                    purpose,
                )?;
                let mut slots = Vec::new();
                crate::memory::reserve(&mut slots, d, purpose)?;
                for _ in 0..d {
                    slots.push(crate::memory::filled(len, 0.0, purpose)?);
                }
                self.rings[o] = Ring { slots, pos: 0 };
            }
        }
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

    fn column(&self, j: usize) -> &[f64] {
        self.columns.get(j)
    }

    fn columns(&self) -> &[Vec<f64>] {
        self.columns.all()
    }

    fn value_at(&self, j: usize, i: usize, t: f64) -> f64 {
        SynapseGroup::value_at(self, j, i, t)
    }

    fn save(&self, w: &mut crate::checkpoint::Writer) {
        use crate::checkpoint::{model_fingerprint, save_columns, save_params};
        w.str(&self.name);
        w.u64(model_fingerprint(S::INFO));
        w.u64(self.structure_fingerprint());
        save_params(w, S::INFO, |p| self.model.get_param(p));
        save_columns(w, self.columns.all());
        w.f64s(&self.last);
        save_columns(w, &self.outputs);
        w.u64(self.rings.len() as u64);
        for ring in &self.rings {
            save_columns(w, &ring.slots);
            w.u64(ring.pos as u64);
        }
        if let Some(d) = &self.delays {
            d.save(w);
        }
    }

    fn load(&mut self, r: &mut crate::checkpoint::Reader<'_>, apply: bool) -> Result<()> {
        use crate::checkpoint::{load_columns, load_params, model_fingerprint};
        let name = self.name.clone();
        r.expect_str("the name of a synapse group", &name)?;
        r.expect_u64(
            &format!("the fingerprint of the model of `{name}`"),
            model_fingerprint(S::INFO),
        )?;
        r.expect_u64(
            &format!("the fingerprint of the connectivity, storage and delays of `{name}`"),
            self.structure_fingerprint(),
        )?;
        let params = load_params(r, S::INFO, &name)?;
        let columns = load_columns(r, self.columns.all(), &name)?;
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
            if n > crate::MAX_DELAY_STEPS as u64 + 1 {
                return Err(Error::Checkpoint {
                    reason: format!("{what} is longer than any delay"),
                });
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
        let mut model = self.model.clone();
        for (p, &v) in S::INFO.params.iter().zip(&params) {
            model.set_param(p.name, v).map_err(|e| Error::Checkpoint {
                reason: format!("`{name}`: {e}"),
            })?;
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
