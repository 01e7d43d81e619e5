//! Inputs, monitors and what they recorded, look-ups by handle and by name, streams to files.

use super::*;
use crate::columns::column_index;
use crate::group::NeuronGroup;
use crate::info::{Storage, Var};
use crate::input::{CompiledInput, CompiledPoisson, Input, PoissonInput, Stimulus};
use crate::model::{NeuronModel, SynapseModel};
use crate::monitor::{Owner, Recording, SpikeRecorder, Spikes, StateRecorder, Trace};
use crate::network::InputId;
use crate::stream::{Format, Source, StreamSink};
use crate::synapse::SynapseGroup;

impl Network {
    /// Adds an external input ([`Input`]) to the neurons of `target` (a population or a view),
    /// added to their input accumulators right before the population's update every step. An
    /// [`Input::PerNeuron`] gives one value per member, in ascending order. The handle
    /// switches it on and off ([`Network::switch_input`]).
    ///
    /// Errors: [`Error::SizeMismatch`], [`Error::InvalidInput`] (see [`Input`]; also for a
    /// model without an `#[input]` field); [`Error::UnknownObject`].
    pub fn add_input<M: NeuronModel>(
        &mut self,
        target: impl Into<View<M>>,
        input: Input,
    ) -> Result<InputId> {
        let view = target.into();
        let g = self.pop_index(view.population())?;
        let indices = view
            .members()
            .map(|m| m.iter().map(|&i| i as usize).collect());
        let target = &mut self.neurons[g];
        if target.info().input.is_none() {
            return Err(Error::InvalidInput {
                object: target.name().to_string(),
                reason: format!(
                    "model `{}` has no `#[input]` field, so an input current has nothing to add to",
                    target.info().name
                ),
            });
        }
        let stimulus = Stimulus { input, indices };
        let compiled = CompiledInput::new(stimulus, target.name(), target.len(), self.dt)?;
        let index = target.add_input(compiled);
        Ok(InputId::new(self.id, g, false, index))
    }

    /// Adds random events onto the variable `var` of the neurons of `target` (a population or
    /// a view; a [`PoissonInput`]: Brian2's `PoissonInput`, NEST's `poisson_generator` onto a
    /// population), each event adding the input's weight to the variable right before the
    /// population's update. A neuron's events are keyed by its population index: a view gets
    /// the events its members get from the same input onto the whole population. The handle
    /// switches it on and off ([`Network::switch_input`]).
    ///
    /// Errors: [`Error::InvalidInput`] for a rate or weight out of range, a window off the
    /// step grid ([`crate::input::Window`]) or a `var` that is an `#[expr]`;
    /// [`Error::UnknownObject`].
    pub fn add_poisson_input<M: NeuronModel>(
        &mut self,
        target: impl Into<View<M>>,
        var: Var<M>,
        input: &PoissonInput,
    ) -> Result<InputId> {
        let view = target.into();
        let g = self.pop_index(view.population())?;
        let target = &mut self.neurons[g];
        let column = column_index(target.name(), M::INFO, var.index())?;
        if M::INFO.states[column].derived {
            return Err(Error::InvalidInput {
                object: target.name().to_string(),
                reason: format!(
                    "`{}` is an `#[expr]`, recomputed every step: a Poisson input adds to a state",
                    var.name()
                ),
            });
        }
        let mut compiled = CompiledPoisson::new(input, target.name(), column, self.dt)?;
        compiled.set_held(M::INFO.states[column].held);
        if let Some(members) = view.members() {
            compiled.restrict(target.len(), members);
        }
        let index = target.add_poisson(compiled);
        Ok(InputId::new(self.id, g, true, index))
    }

    /// Records `var` of the elements of `target` at every step (see
    /// [`Network::record_every`]).
    ///
    /// Errors: as [`Network::record_every`].
    pub fn record<T: Selection>(&mut self, target: T, var: Var<T::Model>) -> Result<StateMonitor> {
        self.record_every(target, var, 1)
    }

    /// Records `var` of the elements of `target` at every `every`-th step (steps `0, every,
    /// 2·every, ...` of the network's counter), from the next step on. The trace's columns are
    /// the elements in order:
    ///
    /// - a population or a view: its member neurons, by population index;
    /// - a projection or some of its [`Elements`]: the elements of the storage the projection
    ///   has: synapse numbers when the state lives per synapse, and presynaptic or
    ///   postsynaptic neuron indices when it lives per neuron, where the trace's columns are
    ///   named `var[pre:i]` or `var[post:j]`; a variable stored per synapse whatever the
    ///   storage ([`StateInfo::per_synapse`](crate::StateInfo::per_synapse)) is recorded per
    ///   synapse. Recording never changes the storage (nor any number the run computes); to
    ///   record per synapse a state the model keeps more compactly, ask for it first with
    ///   [`Network::set_storage`].
    ///
    /// Errors: [`Error::EmptyGroup`], [`Error::IndexOutOfRange`], [`Error::InvalidInput`] (no
    /// element, period 0), [`Error::UnknownObject`].
    pub fn record_every<T: Selection>(
        &mut self,
        target: T,
        var: Var<T::Model>,
        every: u64,
    ) -> Result<StateMonitor> {
        match target.resolve() {
            Resolved::Neurons {
                net,
                index,
                members,
            } => {
                let g = self.object_index(net, Obj::Neuron(index))?;
                let target = &self.neurons[g];
                let col = column_index(target.name(), target.info(), var.index())?;
                let element = (var.name(), col, "");
                let rec = Recording {
                    indices: members.map(|m| m.iter().map(|&i| i as usize).collect()),
                    every,
                };
                let monitor = StateRecorder::new(
                    Owner::Neuron(g),
                    target.name(),
                    element,
                    target.len(),
                    &rec,
                )?;
                Ok(self.push_monitor(Obj::Neuron(g), monitor))
            }
            Resolved::Synapses {
                net,
                index,
                elements,
            } => {
                let s = self.object_index(net, Obj::Synapse(index))?;
                let target = &self.synapses[s];
                let info = target.info();
                let col = column_index(target.name(), info, var.index())?;
                let per_synapse = info.states[col].per_synapse;
                let n_syn = target.conn().n_syn();
                let (label, len) = match target.storage() {
                    _ if per_synapse => ("", n_syn),
                    Storage::PerSynapse => ("", n_syn),
                    Storage::PerPre => ("pre:", target.conn().n_pre()),
                    Storage::PerPost => ("post:", target.n_post()),
                };
                let element = (var.name(), col, label);
                let rec = Recording {
                    indices: elements.map(|e| e.to_vec()),
                    every,
                };
                let monitor =
                    StateRecorder::new(Owner::Synapse(s), target.name(), element, len, &rec)?;
                Ok(self.push_monitor(Obj::Synapse(s), monitor))
            }
        }
    }

    /// The index of object `obj` of network `net`, if it is this network's.
    fn object_index(&self, net: u32, obj: Obj) -> Result<usize> {
        match self.object(ObjectId { net, obj })? {
            Obj::Neuron(k) | Obj::Synapse(k) => Ok(k),
        }
    }

    fn push_monitor(&mut self, obj: Obj, monitor: StateRecorder) -> StateMonitor {
        let index = self.monitors.len();
        self.monitors.push(monitor);
        if let Some(slot) = self.schedule.iter_mut().find(|s| s.obj == obj) {
            slot.monitors.push(index);
        }
        StateMonitor {
            net: self.id,
            index,
        }
    }

    /// Records the spikes of the neurons of `target` (a population or a view) from the next
    /// step on: their times, population indices and counts ([`Spikes`]).
    ///
    /// Error: [`Error::UnknownObject`].
    pub fn record_spikes<M: NeuronModel>(
        &mut self,
        target: impl Into<View<M>>,
    ) -> Result<SpikeMonitor> {
        self.spike_monitor(&target.into(), true)
    }

    /// Counts the spikes of each neuron of `target` from the next step on, without recording
    /// when they happen: [`Spikes`] then has counts (and rates) but no spike list. What Brian2's
    /// `SpikeMonitor(record=False)` does.
    ///
    /// Error: [`Error::UnknownObject`].
    pub fn count_spikes<M: NeuronModel>(
        &mut self,
        target: impl Into<View<M>>,
    ) -> Result<SpikeMonitor> {
        self.spike_monitor(&target.into(), false)
    }

    /// Records the population rate of `target` (a population or a view) from the next step
    /// on: its spikes counted in bins of `bin` ms, a whole number of steps (as Brian2's
    /// `PopulationRateMonitor` with `bin = dt`; [`Rate`](crate::Rate) gives the rates in Hz and
    /// their smoothing with a flat or gaussian window).
    ///
    /// Errors: [`Error::UnknownObject`]; [`Error::InvalidInput`] for a bin that is not finite,
    /// not positive or not a whole number of steps (within
    /// [`STEP_TOLERANCE`]).
    pub fn record_rate<M: NeuronModel>(
        &mut self,
        target: impl Into<View<M>>,
        bin: f64,
    ) -> Result<RateMonitor> {
        let view = target.into();
        let g = self.pop_index(view.population())?;
        let object = self.neurons[g].name().to_string();
        let steps = match super::whole_steps(bin, self.dt) {
            Ok(k) if bin.is_finite() && k >= 1.0 && k <= MAX_STEPS as f64 => k as u64,
            _ => {
                return Err(Error::InvalidInput {
                    object,
                    reason: format!(
                        "a rate monitor's bin must be a whole number (>= 1) of steps of {} ms, \
                         got {bin} ms",
                        self.dt
                    ),
                })
            }
        };
        let id = self.spike_monitor(&view, false)?;
        let m = &mut self.spike_monitors[id.index];
        let n = m.trace.neurons.len();
        m.bins = Some(crate::rate::Binner::new(
            &object, n, self.dt, steps, self.step,
        ));
        Ok(RateMonitor {
            net: self.id,
            index: id.index,
        })
    }

    /// What rate monitor `id` recorded.
    ///
    /// Error: [`Error::UnknownObject`] for a handle of another network.
    pub fn rate(&self, id: RateMonitor) -> Result<&crate::Rate> {
        match self
            .spike_monitors
            .get(id.index)
            .and_then(|m| m.bins.as_ref())
        {
            Some(b) if id.net == self.id => Ok(&b.rate),
            _ => Err(self.foreign(&id)),
        }
    }

    fn spike_monitor<M: NeuronModel>(
        &mut self,
        view: &View<M>,
        trains: bool,
    ) -> Result<SpikeMonitor> {
        let g = self.pop_index(view.population())?;
        let target = &self.neurons[g];
        let neurons: Vec<u32> = match view.members() {
            Some(m) => m.to_vec(),
            // A population has at most u32::MAX neurons.
            None => (0..target.len() as u32).collect(),
        };
        let monitor = SpikeRecorder::new(g, target.name(), target.len(), neurons, self.dt, trains)?;
        let index = self.spike_monitors.len();
        self.spike_monitors.push(monitor);
        if let Some(slot) = self.schedule.iter_mut().find(|s| s.obj == Obj::Neuron(g)) {
            slot.spike_monitors.push(index);
        }
        Ok(SpikeMonitor {
            net: self.id,
            index,
        })
    }

    /// What state monitor `id` recorded.
    ///
    /// Error: [`Error::UnknownObject`] for a handle of another network.
    pub fn trace(&self, id: StateMonitor) -> Result<&Trace> {
        match self.monitors.get(id.index) {
            Some(m) if id.net == self.id => Ok(&m.trace),
            _ => Err(self.foreign(&id)),
        }
    }

    /// What spike monitor `id` recorded.
    ///
    /// Error: [`Error::UnknownObject`] for a handle of another network.
    pub fn spikes(&self, id: SpikeMonitor) -> Result<&Spikes> {
        match self.spike_monitors.get(id.index) {
            Some(m) if id.net == self.id => Ok(&m.trace),
            _ => Err(self.foreign(&id)),
        }
    }

    /// The handle of the population named `name` (for a name that comes from a user or a file).
    ///
    /// Error: [`Error::NoSuchObject`] if the network has no population of that name and model.
    pub fn find_population<M: NeuronModel>(&self, name: &str) -> Result<Population<M>> {
        self.neurons
            .iter()
            .position(|g| g.name() == name && g.as_any().is::<NeuronGroup<M>>())
            .map(|index| Population::new(self.id, index, self.neurons[index].len(), name))
            .ok_or_else(|| Error::NoSuchObject {
                kind: "population".into(),
                name: name.into(),
                model: M::INFO.name.into(),
            })
    }

    /// The handle of the projection named `name`.
    ///
    /// Error: [`Error::NoSuchObject`] if the network has no projection of that name and model.
    pub fn find_projection<S: SynapseModel>(&self, name: &str) -> Result<Projection<S>> {
        self.synapses
            .iter()
            .position(|s| s.name() == name && s.as_any().is::<SynapseGroup<S>>())
            .map(|index| Projection::new(self.id, index))
            .ok_or_else(|| Error::NoSuchObject {
                kind: "projection".into(),
                name: name.into(),
                model: S::INFO.name.into(),
            })
    }

    /// The storage of a population: its states, spikes, parameters and method.
    ///
    /// Error: [`Error::UnknownObject`] for a handle of another network.
    pub fn population<M: NeuronModel>(&self, id: Population<M>) -> Result<&NeuronGroup<M>> {
        let g = self.pop_index(id)?;
        self.neurons[g]
            .as_any()
            .downcast_ref()
            .ok_or_else(|| self.foreign(&id))
    }

    /// The storage of a population, mutably.
    ///
    /// Error: [`Error::UnknownObject`] for a handle of another network.
    pub fn population_mut<M: NeuronModel>(
        &mut self,
        id: Population<M>,
    ) -> Result<&mut NeuronGroup<M>> {
        let g = self.pop_index(id)?;
        let err = self.foreign(&id);
        self.neurons[g].as_any_mut().downcast_mut().ok_or(err)
    }

    /// The storage of a projection: its connectivity, states, parameters and method.
    ///
    /// Error: [`Error::UnknownObject`] for a handle of another network.
    pub fn projection<S: SynapseModel>(&self, id: Projection<S>) -> Result<&SynapseGroup<S>> {
        let s = self.proj_index(id)?;
        self.synapses[s]
            .as_any()
            .downcast_ref()
            .ok_or_else(|| self.foreign(&id))
    }

    /// The storage of a projection, mutably.
    ///
    /// Error: [`Error::UnknownObject`] for a handle of another network.
    pub fn projection_mut<S: SynapseModel>(
        &mut self,
        id: Projection<S>,
    ) -> Result<&mut SynapseGroup<S>> {
        let s = self.proj_index(id)?;
        let err = self.foreign(&id);
        self.synapses[s].as_any_mut().downcast_mut().ok_or(err)
    }

    /// Writes the rows of state monitor `id` to `out` from now on, in pieces: during a run the
    /// monitor holds at most about [`STREAM_PIECE_BYTES`] of rows (the run is cut into pieces,
    /// which changes no number), and after every piece and every run the rows recorded are in
    /// `out` and gone from [`Network::trace`] (whose rows are then those not yet written: none
    /// after a run). Rows recorded before the call are written first.
    ///
    /// Errors: [`Error::UnknownObject`] for a handle of another network,
    /// [`Error::InvalidInput`] if the monitor is already streamed; [`Error::Write`] from a
    /// run (or from this call) when `out` fails.
    pub fn stream_trace<W: StreamSink + 'static>(
        &mut self,
        id: StateMonitor,
        out: W,
        format: Format,
    ) -> Result<()> {
        let width = 1 + self.trace(id)?.n_cols;
        self.open_stream(Source::State(id.index), Box::new(out), format, width)
    }

    /// Writes the spikes of spike monitor `id` (made by [`Network::record_spikes`]) to `out`
    /// as rows (t in ms, neuron), in pieces as [`Network::stream_trace`] does; the spike counts
    /// stay in [`Network::spikes`].
    ///
    /// Errors: as [`Network::stream_trace`], and [`Error::InvalidInput`] for a monitor made by
    /// [`Network::count_spikes`] (it records no spike times).
    pub fn stream_spikes<W: StreamSink + 'static>(
        &mut self,
        id: SpikeMonitor,
        out: W,
        format: Format,
    ) -> Result<()> {
        let object = self.spikes(id)?.object.clone();
        if !self.spike_monitors[id.index].trains() {
            return Err(Error::InvalidInput {
                object,
                reason:
                    "a spike counter records no spike times to stream: use `Network::record_spikes`"
                        .into(),
            });
        }
        self.open_stream(Source::Spikes(id.index), Box::new(out), format, 2)
    }

    fn open_stream(
        &mut self,
        source: Source,
        out: Box<dyn StreamSink>,
        format: Format,
        width: usize,
    ) -> Result<()> {
        if self.streams.iter().any(|s| s.source == source) {
            return Err(Error::InvalidInput {
                object: self.stream_object(source),
                reason: "the monitor is already streamed".into(),
            });
        }
        self.streams.push(Stream::new(source, out, format, width));
        let k = self.streams.len() - 1;
        self.drain_stream(k)
    }

    /// What a stream's errors name: the object and variable.
    fn stream_object(&self, source: Source) -> String {
        match source {
            Source::State(m) => {
                let t = &self.monitors[m].trace;
                format!("{}.{}", t.object, t.variable)
            }
            Source::Spikes(m) => format!("{} spikes", self.spike_monitors[m].trace.object),
        }
    }

    /// Writes the rows stream `k`'s monitor holds.
    pub(super) fn drain_stream(&mut self, k: usize) -> Result<()> {
        let stream = &mut self.streams[k];
        let done = match stream.source {
            Source::State(m) => stream.drain_trace(&mut self.monitors[m].trace),
            Source::Spikes(m) => stream.drain_spikes(&mut self.spike_monitors[m].trace),
        };
        done.map_err(|e| Error::Write {
            object: self.stream_object(self.streams[k].source),
            reason: e.to_string(),
        })
    }

    /// Steps per piece of a run with streamed monitors: each state monitor holds at most
    /// [`STREAM_PIECE_BYTES`] of rows; spike monitors at most [`STREAM_PIECE_STEPS`] steps.
    pub(super) fn piece_steps(&self) -> u64 {
        self.streams
            .iter()
            .map(|s| match s.source {
                Source::State(m) => {
                    let mon = &self.monitors[m];
                    let row = 8 * (1 + mon.trace.n_cols as u64);
                    (STREAM_PIECE_BYTES / row).max(1) * mon.every()
                }
                Source::Spikes(_) => STREAM_PIECE_STEPS,
            })
            .min()
            .unwrap_or(u64::MAX)
    }
}
