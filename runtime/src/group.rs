//! Neuron groups: the storage of `n` neurons of one model (structure of arrays).

use std::any::Any;

use crate::columns::{check_method, Columns};
use crate::error::Result;
use crate::info::{with_method, Method, ModelInfo, Var};
use crate::input::{CompiledInput, CompiledPoisson};
use crate::model::{ColumnsMut, NeuronKernel, NeuronModel, NeuronTile, NeuronView};
use crate::team::{GroupSource, Origin};

/// Initial time of the last spike of every neuron (ms): far in the past, so no neuron starts
/// refractory.
pub const T_LAST_SPIKE_INIT: f64 = -1e7;

/// `n` neurons of model `M`: one column per stored variable (state variables, then derived
/// expressions), plus the input accumulator, spike and refractory flags and spike times.
///
/// The storage of a population: created by
/// [`Network::add_population`](crate::Network::add_population); reached through
/// [`Network::population`](crate::Network::population) and
/// [`Network::population_mut`](crate::Network::population_mut).
#[derive(Clone, Debug)]
pub struct NeuronGroup<M: NeuronModel> {
    name: String,
    model: M,
    n: usize,
    method: Method,
    columns: Columns,
    input: Vec<f64>,
    spike: Vec<bool>,
    refractory: Vec<bool>,
    t_last_spike: Vec<f64>,
    /// Indices of the neurons that spiked at the last step.
    spiking: Vec<u32>,
    consts: M::Consts,
    inputs: Vec<CompiledInput>,
    /// Poisson inputs onto state variables.
    poisson: Vec<CompiledPoisson>,
    /// The key of the group's white noise.
    noise: u64,
    /// The key of the initial values drawn with `rand()` / `randn()`.
    init_key: u64,
}

impl<M: NeuronModel> NeuronGroup<M> {
    /// `n` neurons of `model`, initialised by [`Model::init`], integrated with the model's default
    /// method ([`ModelInfo::method`]).
    ///
    /// Error: [`Error::OutOfMemory`](crate::Error::OutOfMemory) when its buffers cannot be had.
    pub(crate) fn new(name: String, n: usize, model: M, init_key: u64) -> crate::Result<Self> {
        use crate::memory::{filled, reserve, Purpose};
        let purpose = Purpose {
            object: &name,
            what: "the neuron buffers",
        };
        let mut spiking = Vec::new();
        reserve(&mut spiking, n, purpose)?;
        Ok(NeuronGroup {
            method: M::INFO.method,
            columns: Columns::try_init(&model, n, init_key, &name)?,
            input: filled(n, 0.0, purpose)?,
            spike: filled(n, false, purpose)?,
            refractory: filled(n, false, purpose)?,
            t_last_spike: filled(n, T_LAST_SPIKE_INIT, purpose)?,
            spiking,
            consts: M::Consts::default(),
            inputs: Vec::new(),
            poisson: Vec::new(),
            noise: 0,
            init_key,
            model,
            n,
            name,
        })
    }

    /// Bytes of the buffers of a group of `n` neurons of model `M` (for the memory budget).
    pub(crate) fn bytes_for(n: usize) -> u64 {
        let per = 8 * M::INFO.states.len() as u64 + 8 + 1 + 1 + 8 + 4;
        (n as u64).saturating_mul(per)
    }

    /// The group's name (unique in its network).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of neurons.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The model and its parameters.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, to change parameters; the change takes effect at the start of the next run (the
    /// step-invariant constants are prepared then). Initial values are not recomputed: see
    /// [`NeuronGroup::reinit`].
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// Sets parameter `name` (takes effect at the next run); a parameter with one value per
    /// neuron (`per_neuron`) takes `value` at every neuron. Errors:
    /// [`Error::UnknownParameter`], [`Error::InvalidParameter`].
    ///
    /// [`Error::UnknownParameter`]: crate::Error::UnknownParameter
    /// [`Error::InvalidParameter`]: crate::Error::InvalidParameter
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<()> {
        self.model.set_param(name, value)?;
        self.columns.follow_param::<M>(name, value);
        Ok(())
    }

    /// The integration method (default: the model's, [`ModelInfo::method`]).
    pub fn method(&self) -> Method {
        self.method
    }

    /// Chooses the integration method; [`Error::MethodNotSupported`] unless it is one of
    /// [`ModelInfo::methods`].
    ///
    /// [`Error::MethodNotSupported`]: crate::Error::MethodNotSupported
    pub fn set_method(&mut self, method: Method) -> Result<()> {
        check_method(&self.name, M::INFO, method)?;
        self.method = method;
        Ok(())
    }

    /// Values of `var`, one per neuron.
    ///
    /// # Panics
    ///
    /// If `var` was not generated for `M` (impossible with the generated accessors).
    pub fn column(&self, var: Var<M>) -> &[f64] {
        self.columns.var(var)
    }

    /// Mutable values of `var`, one per neuron (e.g. for random initial states).
    ///
    /// # Panics
    ///
    /// As [`NeuronGroup::column`].
    pub fn column_mut(&mut self, var: Var<M>) -> &mut [f64] {
        self.columns.var_mut(var)
    }

    /// All stored columns, in [`ModelInfo::states`] order.
    pub fn columns(&self) -> &[Vec<f64>] {
        self.columns.all()
    }

    /// Sets `var` to `values` (one per neuron). Errors: [`Error::SizeMismatch`] if
    /// `values.len() != n`, [`Error::InvalidInput`] for a value that is not finite.
    ///
    /// [`Error::SizeMismatch`]: crate::Error::SizeMismatch
    /// [`Error::InvalidInput`]: crate::Error::InvalidInput
    pub fn set(&mut self, var: Var<M>, values: &[f64]) -> Result<()> {
        self.columns.set(&self.name, var, values)
    }

    /// Sets `var` to `value` for every neuron. Error: [`Error::InvalidInput`] if `value` is not
    /// finite.
    ///
    /// [`Error::InvalidInput`]: crate::Error::InvalidInput
    pub fn set_all(&mut self, var: Var<M>, value: f64) -> Result<()> {
        self.columns.fill(&self.name, var, value)
    }

    /// Resets the state to its initial values ([`Model::init`](crate::Model::init) with the current parameters), clears
    /// the spike and refractory flags and the input, and sets every last-spike time to
    /// [`T_LAST_SPIKE_INIT`]. Inputs and the network's step counter are kept.
    pub fn reinit(&mut self) {
        self.columns = Columns::init(&self.model, self.n, self.init_key);
        self.input.fill(0.0);
        self.spike.fill(false);
        self.refractory.fill(false);
        self.t_last_spike.fill(T_LAST_SPIKE_INIT);
        self.spiking.clear();
    }

    /// Spike flags of the last step.
    pub fn spikes(&self) -> &[bool] {
        &self.spike
    }

    /// Refractory flags of the last step.
    pub fn refractory(&self) -> &[bool] {
        &self.refractory
    }

    /// Time of each neuron's last spike (ms), [`T_LAST_SPIKE_INIT`] before the first.
    pub fn t_last_spike(&self) -> &[f64] {
        &self.t_last_spike
    }

    /// The input accumulator (nA for the tutorial models): what synapses with a current or
    /// conductance output delivered after this group's last update, consumed by its next update.
    pub fn input(&self) -> &[f64] {
        &self.input
    }

    /// The read-only view a synapse gets of this group.
    pub fn view(&self) -> NeuronView<'_> {
        let v = match M::INFO.membrane.filter(|&m| m < self.columns.all().len()) {
            Some(m) => self.columns.get(m),
            None => &[],
        };
        NeuronView {
            v,
            spike: &self.spike,
            spiking: &self.spiking,
            refractory: &self.refractory,
        }
    }

    /// The model and its constants, for kernels.
    pub(crate) fn parts(&self) -> (&M, &M::Consts) {
        (&self.model, &self.consts)
    }
}

/// Runs `kernel` over every neuron of a tile with accumulators `input` (zeroed after use);
/// whether every value stored is finite.
#[inline]
pub(crate) fn drive_neurons<K: NeuronKernel>(mut kernel: K, input: &mut [f64]) -> bool {
    kernel.run(input)
}

/// What the network needs of a neuron group, whatever its model: one dynamic call per group and
/// step, never inside per-neuron loops.
pub(crate) trait AnyGroup: Send + Sync {
    fn name(&self) -> &str;
    fn info(&self) -> &'static ModelInfo;
    fn len(&self) -> usize;
    fn method(&self) -> Method;
    fn set_method(&mut self, method: Method) -> Result<()>;
    fn set_param(&mut self, name: &str, value: f64) -> Result<()>;
    fn get_param(&self, name: &str) -> Option<f64>;
    /// Checks the model ([`Model::check`](crate::Model::check)) and computes the step-invariant
    /// constants for step `dt`.
    fn prepare(&mut self, dt: f64) -> Result<()>;
    /// The key of the group's white noise (see [`NeuronTile::noise`]).
    fn noise_key(&self) -> u64;
    /// Writes what a run changes (see [`crate::checkpoint`]).
    fn save(&self, w: &mut crate::checkpoint::Writer);
    /// Reads what [`AnyGroup::save`] wrote, checking that it fits; changes the group only if
    /// `apply`.
    fn load(&mut self, r: &mut crate::checkpoint::Reader<'_>, apply: bool) -> Result<()>;
    /// Sets the key of the group's white noise.
    fn set_noise_key(&mut self, key: u64);
    /// Adds an external input; its index among the group's inputs.
    fn add_input(&mut self, input: CompiledInput) -> usize;
    /// Switches input `index` (a Poisson input if `poisson`) on or off; `false` if there is no
    /// such input.
    fn switch_input(&mut self, poisson: bool, index: usize, on: bool) -> bool;
    /// Whether the group has input `index` (a Poisson input if `poisson`).
    fn has_input(&self, poisson: bool, index: usize) -> bool;
    /// Whether any external input was added.
    fn has_inputs(&self) -> bool;
    /// The group's storage, for a run to copy.
    fn source(&self) -> GroupSource<'_>;
    /// The buffer a run's copy `origin` goes back to.
    fn float_mut(&mut self, origin: Origin) -> Option<&mut [f64]>;
    /// The flag buffer a run's copy `origin` goes back to.
    fn flag_mut(&mut self, origin: Origin) -> Option<&mut [bool]>;
    /// Adds the external inputs of step `step` to `input`, the accumulators of the neurons
    /// `first..first + input.len()`.
    fn apply_inputs(&self, step: u64, input: &mut [f64], first: usize);
    /// Adds the Poisson inputs of step `step` to their variables, `columns` being the group's
    /// columns on the neurons `first..` and `refractory` their refractory flags.
    fn apply_poisson(&self, step: u64, columns: ColumnsMut<'_>, first: usize, refractory: &[bool]);
    /// Adds a Poisson input onto a variable; its index among the group's Poisson inputs.
    fn add_poisson(&mut self, input: CompiledPoisson) -> usize;
    /// Updates the neurons of `tile` with their inputs `input` (zeroed after use); whether
    /// every value stored is finite.
    fn update(&self, tile: NeuronTile<'_>, input: &mut [f64]) -> bool;
    /// Replaces the list of the neurons that spiked at the last step (at the end of a run).
    fn set_spiking(&mut self, spiking: Vec<u32>);
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<M: NeuronModel> AnyGroup for NeuronGroup<M> {
    fn name(&self) -> &str {
        &self.name
    }

    fn info(&self) -> &'static ModelInfo {
        M::INFO
    }

    fn len(&self) -> usize {
        self.n
    }

    fn method(&self) -> Method {
        self.method
    }

    fn set_method(&mut self, method: Method) -> Result<()> {
        NeuronGroup::set_method(self, method)
    }

    fn set_param(&mut self, name: &str, value: f64) -> Result<()> {
        NeuronGroup::set_param(self, name, value)
    }

    fn get_param(&self, name: &str) -> Option<f64> {
        self.model.get_param(name)
    }

    fn noise_key(&self) -> u64 {
        self.noise
    }

    fn save(&self, w: &mut crate::checkpoint::Writer) {
        use crate::checkpoint::{save_columns, save_model, save_params};
        w.str(&self.name);
        save_model(w, M::INFO);
        w.u64(self.n as u64);
        save_params(w, M::INFO, |p| self.model.get_param(p));
        save_columns(w, self.columns.all());
        w.f64s(&self.input);
        w.bools(&self.spike);
        w.bools(&self.refractory);
        w.f64s(&self.t_last_spike);
        w.u32s(&self.spiking);
    }

    fn load(&mut self, r: &mut crate::checkpoint::Reader<'_>, apply: bool) -> Result<()> {
        use crate::checkpoint::{load_columns, load_model, load_params};
        let name = self.name.clone();
        let refused = |e: crate::Error| crate::Error::Checkpoint {
            reason: format!("`{name}`: {e}"),
        };
        r.expect_str("the name of a neuron group", &name)?;
        load_model(r, M::INFO, &name)?;
        r.expect_u64(&format!("the size of `{name}`"), self.n as u64)?;
        let params = load_params(r, M::INFO, &name)?;
        let columns = load_columns(r, self.columns.all(), &name)?;
        for (j, c) in columns.iter().enumerate() {
            crate::columns::check_column(&name, M::INFO, j, c).map_err(refused)?;
        }
        let input = r.f64s(&format!("the input of `{name}`"), self.n)?;
        let spike = r.bools(&format!("the spikes of `{name}`"), self.n)?;
        let refractory = r.bools(&format!("the refractory flags of `{name}`"), self.n)?;
        let t_last = r.f64s(&format!("the last spike times of `{name}`"), self.n)?;
        let spiking = r.any_u32s(&format!("the spike list of `{name}`"))?;
        if let Some(&i) = spiking.iter().find(|&&i| i as usize >= self.n) {
            return Err(crate::Error::Checkpoint {
                reason: format!(
                    "the spike list of `{name}` names neuron {i}, of a group of {}",
                    self.n
                ),
            });
        }
        if let Some(pair) = spiking.windows(2).find(|p| p[0] >= p[1]) {
            return Err(crate::Error::Checkpoint {
                reason: format!(
                    "the spike list of `{name}` is not strictly ascending: {} then {}",
                    pair[0], pair[1]
                ),
            });
        }
        let mut model = self.model.clone();
        for (p, &v) in M::INFO.params.iter().zip(&params) {
            model.set_param(p.name, v).map_err(refused)?;
        }
        if apply {
            self.model = model;
            for (j, c) in columns.into_iter().enumerate() {
                *self.columns.get_vec_mut(j) = c;
            }
            self.input = input;
            self.spike = spike;
            self.refractory = refractory;
            self.t_last_spike = t_last;
            self.spiking = spiking;
        }
        Ok(())
    }

    fn set_noise_key(&mut self, key: u64) {
        self.noise = key;
    }

    fn prepare(&mut self, dt: f64) -> Result<()> {
        self.model.check(dt).map_err(|e| e.in_object(&self.name))?;
        self.consts = self.model.prepare(self.method, dt);
        Ok(())
    }

    fn add_input(&mut self, input: CompiledInput) -> usize {
        self.inputs.push(input);
        self.inputs.len() - 1
    }

    fn has_input(&self, poisson: bool, index: usize) -> bool {
        index
            < if poisson {
                self.poisson.len()
            } else {
                self.inputs.len()
            }
    }

    fn switch_input(&mut self, poisson: bool, index: usize, on: bool) -> bool {
        if poisson {
            self.poisson.get_mut(index).map(|p| p.switch(on)).is_some()
        } else {
            self.inputs.get_mut(index).map(|i| i.switch(on)).is_some()
        }
    }

    fn has_inputs(&self) -> bool {
        !self.inputs.is_empty() || !self.poisson.is_empty()
    }

    fn source(&self) -> GroupSource<'_> {
        GroupSource {
            columns: self.columns.all().iter().map(Vec::as_slice).collect(),
            membrane: M::INFO.membrane.filter(|&m| m < self.columns.all().len()),
            input: &self.input,
            spike: &self.spike,
            refractory: &self.refractory,
            t_last_spike: &self.t_last_spike,
            spiking: &self.spiking,
        }
    }

    fn float_mut(&mut self, origin: Origin) -> Option<&mut [f64]> {
        match origin {
            Origin::Column(_, j) => Some(self.columns.get_mut(j)),
            Origin::Input(_) => Some(&mut self.input),
            Origin::LastSpike(_) => Some(&mut self.t_last_spike),
            _ => None,
        }
    }

    fn flag_mut(&mut self, origin: Origin) -> Option<&mut [bool]> {
        match origin {
            Origin::Spike(_) => Some(&mut self.spike),
            Origin::Refractory(_) => Some(&mut self.refractory),
            _ => None,
        }
    }

    fn apply_inputs(&self, step: u64, input: &mut [f64], first: usize) {
        for stimulus in &self.inputs {
            stimulus.apply_range(step, input, first);
        }
    }

    fn apply_poisson(
        &self,
        step: u64,
        mut columns: ColumnsMut<'_>,
        first: usize,
        refractory: &[bool],
    ) {
        for p in &self.poisson {
            p.apply(step, columns.column_mut(p.column()), first, refractory);
        }
    }

    fn add_poisson(&mut self, input: CompiledPoisson) -> usize {
        self.poisson.push(input);
        self.poisson.len() - 1
    }

    fn update(&self, tile: NeuronTile<'_>, input: &mut [f64]) -> bool {
        let (model, consts) = (&self.model, &self.consts);
        with_method!(self.method, K => drive_neurons(model.kernel::<K>(consts, tile), input))
    }

    fn set_spiking(&mut self, spiking: Vec<u32>) {
        self.spiking = spiking;
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
