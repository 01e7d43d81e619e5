//! Neuron groups: the storage of `n` neurons of one model (structure of arrays).

use std::any::Any;

use crate::error::{Error, Result};
use crate::exec::GroupSlices;
use crate::input::CompiledInput;
use crate::model::{Method, Model, ModelInfo, NeuronModel, NeuronStep, NeuronView, Var};

/// Initial time of the last spike of every neuron (ms): far in the past, so no neuron starts
/// refractory.
pub const T_LAST_SPIKE_INIT: f64 = -1e7;

/// `n` neurons of model `M`: one `Vec<f64>` per stored column (state variables, then derived
/// expressions), plus the input accumulator, spike and refractory flags and spike times.
///
/// Created by [`Network::add_neurons`](crate::Network::add_neurons); reached through
/// [`Network::group`](crate::Network::group) and [`Network::group_mut`](crate::Network::group_mut).
#[derive(Clone, Debug)]
pub struct NeuronGroup<M: NeuronModel> {
    name: String,
    model: M,
    n: usize,
    method: Method,
    columns: Vec<Vec<f64>>,
    input: Vec<f64>,
    spike: Vec<bool>,
    refractory: Vec<bool>,
    t_last_spike: Vec<f64>,
    /// Indices of the neurons that spiked this step, rebuilt after every update.
    spiking: Vec<u32>,
    consts: Vec<f64>,
    inputs: Vec<CompiledInput>,
}

impl<M: NeuronModel> NeuronGroup<M> {
    /// `n` neurons of `model`, initialised by [`Model::init`], integrated with the model's default
    /// method ([`ModelInfo::method`]).
    pub(crate) fn new(name: String, n: usize, model: M) -> Self {
        let mut group = NeuronGroup {
            name,
            method: M::INFO.method,
            columns: vec![vec![0.0; n]; M::INFO.states.len()],
            input: vec![0.0; n],
            spike: vec![false; n],
            refractory: vec![false; n],
            t_last_spike: vec![T_LAST_SPIKE_INIT; n],
            spiking: Vec::with_capacity(n),
            consts: Vec::new(),
            inputs: Vec::new(),
            model,
            n,
        };
        group.model.init(&mut group.columns);
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
        &self.columns[checked_column::<M>(var)]
    }

    /// Mutable values of `var`, one per neuron (e.g. for random initial states).
    ///
    /// # Panics
    ///
    /// As [`NeuronGroup::column`].
    pub fn column_mut(&mut self, var: Var<M>) -> &mut [f64] {
        &mut self.columns[checked_column::<M>(var)]
    }

    /// All stored columns, in [`ModelInfo::states`] order.
    pub fn columns(&self) -> &[Vec<f64>] {
        &self.columns
    }

    /// Sets `var` to `values` (one per neuron). Errors: [`Error::SizeMismatch`] if
    /// `values.len() != n`, [`Error::InvalidInput`] for a value that is not finite.
    pub fn set(&mut self, var: Var<M>, values: &[f64]) -> Result<()> {
        set_column(&self.name, M::INFO, &mut self.columns, var, values)
    }

    /// Sets `var` to `value` for every neuron. Error: [`Error::InvalidInput`] if `value` is not
    /// finite.
    pub fn set_all(&mut self, var: Var<M>, value: f64) -> Result<()> {
        fill_column(&self.name, M::INFO, &mut self.columns, var, value)
    }

    /// Resets the state to its initial values ([`Model::init`] with the current parameters), clears
    /// the spike and refractory flags and the input, and sets every last-spike time to
    /// [`T_LAST_SPIKE_INIT`]. Inputs and the network's step counter are kept.
    pub fn reinit(&mut self) {
        self.model.init(&mut self.columns);
        self.input.fill(0.0);
        self.spike.fill(false);
        self.refractory.fill(false);
        self.t_last_spike.fill(T_LAST_SPIKE_INIT);
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
        let v = match M::INFO.membrane.and_then(|m| self.columns.get(m)) {
            Some(col) => col.as_slice(),
            None => &[],
        };
        NeuronView {
            v,
            spike: &self.spike,
            spiking: &self.spiking,
            refractory: &self.refractory,
        }
    }
}

/// Column index of `var`, or a panic naming the model (a `Var` not generated for `M`).
fn checked_column<M: Model>(var: Var<M>) -> usize {
    let index = var.index();
    assert!(
        index < M::INFO.states.len(),
        "neurode: Var `{}` (column {index}) does not belong to model `{}`",
        var.name(),
        M::INFO.name
    );
    index
}

pub(crate) fn column_index(object: &str, info: &ModelInfo, index: usize) -> Result<usize> {
    if index < info.states.len() {
        Ok(index)
    } else {
        Err(Error::IndexOutOfRange {
            object: format!("{object} (columns of {})", info.name),
            index,
            len: info.states.len(),
        })
    }
}

pub(crate) fn check_values(object: &str, variable: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(k) => Err(Error::InvalidInput {
            object: object.to_string(),
            reason: format!("value {} for `{variable}`[{k}] is not finite", values[k]),
        }),
    }
}

pub(crate) fn check_method(object: &str, info: &ModelInfo, method: Method) -> Result<()> {
    if info.methods.contains(&method) {
        Ok(())
    } else {
        Err(Error::MethodNotSupported {
            object: object.to_string(),
            method: method.name().to_string(),
            supported: info.method_names(),
        })
    }
}

/// `true` when every element is finite: a branch-free fold over eight lanes that the compiler
/// vectorises (`x·0` is 0 for finite `x`, NaN for NaN and ±∞).
#[inline]
fn all_finite(x: &[f64]) -> bool {
    let mut acc = [0.0f64; 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, v) in acc.iter_mut().zip(chunk) {
            *a += v * 0.0;
        }
    }
    let mut sum: f64 = acc.iter().sum();
    for v in rest {
        sum += v * 0.0;
    }
    sum == 0.0
}

/// Copies `values` into the column of `var` (of the group or synapse group `object`).
/// Errors: [`Error::SizeMismatch`] unless one value per element, [`Error::InvalidInput`] for a
/// value that is not finite.
pub(crate) fn set_column<M>(
    object: &str,
    info: &ModelInfo,
    columns: &mut [Vec<f64>],
    var: Var<M>,
    values: &[f64],
) -> Result<()> {
    let col = column_index(object, info, var.index())?;
    let expected = columns[col].len();
    if values.len() != expected {
        return Err(Error::SizeMismatch {
            object: object.to_string(),
            expected,
            got: values.len(),
        });
    }
    check_values(object, var.name(), values)?;
    columns[col].copy_from_slice(values);
    Ok(())
}

/// Sets every element of the column of `var` to `value`. Error: [`Error::InvalidInput`] if
/// `value` is not finite.
pub(crate) fn fill_column<M>(
    object: &str,
    info: &ModelInfo,
    columns: &mut [Vec<f64>],
    var: Var<M>,
    value: f64,
) -> Result<()> {
    let col = column_index(object, info, var.index())?;
    check_values(object, var.name(), &[value])?;
    columns[col].fill(value);
    Ok(())
}

/// The first non-finite element of `columns`: `(column, index, value)`.
pub(crate) fn first_non_finite<C: AsRef<[f64]>>(columns: &[C]) -> Option<(usize, usize, f64)> {
    columns.iter().enumerate().find_map(|(c, col)| {
        let col = col.as_ref();
        if all_finite(col) {
            None
        } else {
            col.iter()
                .position(|v| !v.is_finite())
                .map(|i| (c, i, col[i]))
        }
    })
}

/// The error for a non-finite value found after step `step`.
pub(crate) fn non_finite(
    object: &str,
    info: &ModelInfo,
    (col, index, value): (usize, usize, f64),
    step: u64,
) -> Error {
    Error::NonFinite {
        object: object.to_string(),
        variable: info.states.get(col).map_or("?", |s| s.name).to_string(),
        index,
        step,
        value,
    }
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
    /// Computes the step-invariant constants for step `dt`.
    fn prepare(&mut self, dt: f64);
    fn add_input(&mut self, input: CompiledInput);
    /// Whether any external input was added.
    fn has_inputs(&self) -> bool;
    /// The group's storage, for a run to copy (and copy back).
    fn buffers_mut(&mut self) -> GroupSlices<'_>;
    /// Adds the external inputs of step `step_index` to `input`, the accumulators of the
    /// neurons `first..first + input.len()`.
    fn apply_inputs(&self, step_index: u64, input: &mut [f64], first: usize);
    /// Updates the neurons of `step`.
    fn update_tile(&self, step: NeuronStep<'_, '_>) -> bool;
    fn view(&self) -> NeuronView<'_>;
    /// Replaces the list of the neurons that spiked at the last step (at the end of a run).
    fn set_spiking(&mut self, spiking: &[u32]);
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
        self.model.set_param(name, value)
    }

    fn get_param(&self, name: &str) -> Option<f64> {
        self.model.get_param(name)
    }

    fn prepare(&mut self, dt: f64) {
        self.consts = self.model.prepare(self.method, dt);
    }

    fn add_input(&mut self, input: CompiledInput) {
        self.inputs.push(input);
    }

    fn has_inputs(&self) -> bool {
        !self.inputs.is_empty()
    }

    fn buffers_mut(&mut self) -> GroupSlices<'_> {
        GroupSlices {
            membrane: M::INFO.membrane.filter(|&m| m < self.columns.len()),
            columns: self.columns.iter_mut().map(Vec::as_mut_slice).collect(),
            input: &mut self.input,
            spike: &mut self.spike,
            refractory: &mut self.refractory,
            t_last_spike: &mut self.t_last_spike,
        }
    }

    fn apply_inputs(&self, step_index: u64, input: &mut [f64], first: usize) {
        for stimulus in &self.inputs {
            stimulus.apply_range(step_index, input, first);
        }
    }

    fn update_tile(&self, step: NeuronStep<'_, '_>) -> bool {
        self.model.update(&self.consts, self.method, step)
    }

    fn view(&self) -> NeuronView<'_> {
        NeuronGroup::view(self)
    }

    fn set_spiking(&mut self, spiking: &[u32]) {
        self.spiking.clear();
        self.spiking.extend_from_slice(spiking);
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
    fn finiteness_fold() {
        let mut x: Vec<f64> = (0..37).map(|i| i as f64 - 18.0).collect();
        assert!(all_finite(&x));
        assert!(all_finite(&[]));
        assert_eq!(first_non_finite(&[x.clone()]), None);
        for (k, bad) in [(3, f64::NAN), (16, f64::INFINITY), (36, f64::NEG_INFINITY)] {
            let keep = x[k];
            x[k] = bad;
            assert!(!all_finite(&x));
            let (c, i, v) = first_non_finite(&[vec![1.0; 3], x.clone()]).unwrap();
            assert_eq!((c, i), (1, k));
            assert!(v.is_nan() == bad.is_nan() && (v.is_nan() || v == bad));
            x[k] = keep;
        }
        assert!(all_finite(&[-0.0, f64::MAX, f64::MIN_POSITIVE]));
    }
}
