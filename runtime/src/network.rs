//! The network: neuron groups, synapse groups, inputs and monitors, run in insertion order.

use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::columns::column_index;
use crate::connect::{Connect, Csr};
use crate::error::{Error, Result};
use crate::exec::{self, Observer};
use crate::fuse::fuse;
use crate::group::{AnyGroup, NeuronGroup};
use crate::info::{Method, ModelInfo, OutputKind, PostWrite, Storage, Target, Var};
use crate::input::{CompiledInput, CompiledPoisson, PoissonInput, Stimulus};
use crate::memory::{Budget, Purpose};
use crate::model::{NeuronModel, SynapseModel};
use crate::monitor::{Owner, Recording, SpikeMonitor, SpikeTrace, StateMonitor, Trace};
use crate::rng::Streams;
use crate::schedule::{self, FuserEntry, Obj, Phase, Slot};
use crate::stream::{Format, Source, Stream, StreamSink};
use crate::synapse::{AnySynapses, Binding, SynapseGroup};
use crate::values::{Target as ValuesTarget, Values};

/// Most threads a network may run on.
pub const MAX_THREADS: usize = 1024;

/// Most steps a single run may take.
pub const MAX_STEPS: u64 = 1_000_000_000;

/// Bytes of rows a streamed state monitor holds at most during a run
/// ([`Network::stream_trace`]): 4 MiB.
pub const STREAM_PIECE_BYTES: u64 = 4 << 20;

/// Steps of a piece of a run with a streamed spike monitor ([`Network::stream_spikes`]).
pub const STREAM_PIECE_STEPS: u64 = 10_000;

/// Number of steps of a run of `duration` ms at step `dt` ms: the length of numpy's
/// `arange(0, duration, dt)`, i.e. `ceil(duration / dt)` (30 ms → 300, 1020 ms → 10200 at 0.1 ms).
///
/// Errors: [`Error::InvalidDuration`] for a negative or non-finite duration or more than
/// [`MAX_STEPS`] steps, [`Error::InvalidDt`] for a bad `dt`.
pub fn steps_for(duration: f64, dt: f64) -> Result<u64> {
    check_dt(dt)?;
    if !duration.is_finite() || duration < 0.0 {
        return Err(Error::InvalidDuration { duration });
    }
    let steps = (duration / dt).ceil();
    if steps > MAX_STEPS as f64 {
        return Err(Error::InvalidDuration { duration });
    }
    // 0 <= steps <= MAX_STEPS.
    Ok(steps as u64)
}

fn check_dt(dt: f64) -> Result<()> {
    if dt.is_finite() && dt > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidDt { dt })
    }
}

static NEXT_NETWORK: AtomicU32 = AtomicU32::new(0);

/// Handle of a neuron group of model `M` in one [`Network`]. Copy it freely; it is only valid for the
/// network that returned it.
pub struct GroupId<M> {
    net: u32,
    index: usize,
    _model: PhantomData<fn() -> M>,
}

/// Handle of a synapse group of model `S` in one [`Network`].
pub struct SynId<S> {
    net: u32,
    index: usize,
    _model: PhantomData<fn() -> S>,
}

macro_rules! typed_handle {
    ($name:ident) => {
        impl<M> Clone for $name<M> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<M> Copy for $name<M> {}
        impl<M> PartialEq for $name<M> {
            fn eq(&self, other: &Self) -> bool {
                (self.net, self.index) == (other.net, other.index)
            }
        }
        impl<M> Eq for $name<M> {}
        impl<M> std::hash::Hash for $name<M> {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                (self.net, self.index).hash(state);
            }
        }
        impl<M> fmt::Debug for $name<M> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "{}(network {}, #{})",
                    stringify!($name),
                    self.net,
                    self.index
                )
            }
        }
        impl<M> $name<M> {
            /// Position of the object among the network's objects of its kind (insertion order).
            pub fn index(&self) -> usize {
                self.index
            }
        }
    };
}
typed_handle!(GroupId);
typed_handle!(SynId);

/// Handle of a state monitor ([`Network::record`], [`Network::record_synapses`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MonitorId {
    net: u32,
    index: usize,
}

/// Handle of a spike monitor ([`Network::record_spikes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpikeMonitorId {
    net: u32,
    index: usize,
}

/// Either kind of object handle, for operations common to neuron and synapse groups
/// ([`Network::set_method`], [`Network::set_param`]): `net.set_method(pre, Method::Rk4)` works with a
/// [`GroupId`] or a [`SynId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjectId {
    net: u32,
    obj: Obj,
}

impl<M> From<GroupId<M>> for ObjectId {
    fn from(id: GroupId<M>) -> Self {
        ObjectId {
            net: id.net,
            obj: Obj::Neuron(id.index),
        }
    }
}

impl<S> From<SynId<S>> for ObjectId {
    fn from(id: SynId<S>) -> Self {
        ObjectId {
            net: id.net,
            obj: Obj::Synapse(id.index),
        }
    }
}

/// A spiking network: neuron groups and synapse groups run in the order they were added, with
/// external inputs and monitors, at a fixed step `dt` (ms), on one or several threads
/// ([`Network::set_threads`]) with bit-identical results.
///
/// Per step `i` (time `t_i = i as f64 * dt`, the counter continuing across runs), each object in
/// insertion order: it updates at `t_i`, its delay rings advance and its outputs are delivered to
/// their target groups (synapse groups), then its monitors record. External inputs are added to a
/// neuron group's input accumulator before the synapse groups that run with it (see
/// [`Network::phases`]) and after the others. With the order (pre, synapse, post) the synapse
/// sees the presynaptic spike of the same step and the post group consumes the current in the
/// same step; with (pre, post, synapse) the post group receives it one step later.
pub struct Network {
    id: u32,
    dt: f64,
    step: u64,
    neurons: Vec<Box<dyn AnyGroup>>,
    synapses: Vec<Box<dyn AnySynapses>>,
    schedule: Vec<Slot>,
    monitors: Vec<StateMonitor>,
    spike_monitors: Vec<SpikeMonitor>,
    observer: Option<Observer>,
    check_finite: bool,
    threads: usize,
    fuse: bool,
    /// The fused loops of the (synapse, neuron) group types added so far.
    fusers: Vec<FuserEntry>,
    /// The seed of the values drawn by [`Network::set_values`] and its kin.
    seed: u64,
    /// The memory budget and what the network's large buffers took of it.
    budget: Budget,
    /// Monitors streamed to files.
    streams: Vec<Stream>,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order: Vec<&str> = self
            .schedule
            .iter()
            .map(|s| self.object_name(s.obj))
            .collect();
        f.debug_struct("Network")
            .field("dt", &self.dt)
            .field("step", &self.step)
            .field("order", &order)
            .field("monitors", &self.monitors.len())
            .field("spike_monitors", &self.spike_monitors.len())
            .finish()
    }
}

impl Network {
    /// An empty network with step `dt` (ms, e.g. 0.1). [`Error::InvalidDt`] unless finite and
    /// positive.
    pub fn new(dt: f64) -> Result<Self> {
        check_dt(dt)?;
        Ok(Network {
            id: NEXT_NETWORK.fetch_add(1, Ordering::Relaxed),
            dt,
            step: 0,
            neurons: Vec::new(),
            synapses: Vec::new(),
            schedule: Vec::new(),
            monitors: Vec::new(),
            spike_monitors: Vec::new(),
            observer: None,
            check_finite: true,
            threads: 1,
            fuse: true,
            fusers: Vec::new(),
            seed: 0,
            budget: Budget::default(),
            streams: Vec::new(),
        })
    }

    /// Limits the memory of the network's large buffers (state and buffers of neuron groups,
    /// connectivity and columns of synapse groups, delay rings, monitor traces) to `bytes`, or
    /// lifts the limit (`None`, the default). A buffer that would exceed it is refused before
    /// it is reserved, with [`Error::OutOfMemory`] naming the object, the buffer and the bytes;
    /// nothing changes then. Without a budget the buffers are still reserved fallibly: what the
    /// allocator refuses is the same error, never an abort. (On Linux, which overcommits
    /// memory, the allocator refuses only what exceeds the machine's memory and swap; a budget
    /// is the way to stop earlier.)
    pub fn set_memory_budget(&mut self, bytes: Option<u64>) {
        self.budget.limit = bytes;
    }

    /// Bytes of the network's large buffers charged so far (see
    /// [`Network::set_memory_budget`]; monitor traces count with the rows reserved for the runs
    /// so far).
    pub fn memory_charged(&self) -> u64 {
        self.budget.charged
    }

    /// The step (ms).
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Number of steps run so far (the index of the next step).
    pub fn step_index(&self) -> u64 {
        self.step
    }

    /// Time of the next step (ms): `step_index() as f64 * dt`.
    pub fn time(&self) -> f64 {
        self.step as f64 * self.dt
    }

    /// Calls `observer` as runs progress: with the steps done and asked for, about 200 times
    /// per run and at its end, from the calling thread. Observing changes nothing the run
    /// computes. `None` (the default) observes nothing.
    pub fn set_observer(&mut self, observer: Option<Observer>) {
        self.observer = observer;
    }

    /// Checks every state column for NaN and infinities after each update (default `true`): a
    /// non-finite value stops the run with [`Error::NonFinite`].
    pub fn set_check_finite(&mut self, on: bool) {
        self.check_finite = on;
    }

    /// Runs on `threads` threads (default 1: the calling thread only). Results are bit-identical
    /// for any number of threads. Error: [`Error::InvalidInput`] for 0 or more than
    /// [`MAX_THREADS`].
    ///
    /// Threads share the neuron groups tile by tile, together with the synapse groups onto them
    /// that keep their state per postsynaptic neuron and deliver directly (see
    /// [`Network::phases`]); other synapse groups run on the calling thread while the others wait.
    /// Every phase ends at a barrier, so threads pay only with enough neurons each: on the COBA
    /// benchmark two threads are about twice as fast as one from N = 64000 up, break even near
    /// 16000 and are slower at 4000. More threads than cores cost far more: a thread waiting for
    /// a core holds every other thread at the next barrier (the numbers stay the same; the CLI's
    /// examples warn).
    pub fn set_threads(&mut self, threads: usize) -> Result<()> {
        if threads == 0 || threads > MAX_THREADS {
            return Err(Error::InvalidInput {
                object: "network".into(),
                reason: format!("{threads} threads: give 1 to {MAX_THREADS}"),
            });
        }
        self.threads = threads;
        Ok(())
    }

    /// Number of threads runs use.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs a neuron group and the synapse groups of one model onto it as one loop where they
    /// allow it (default `true`; see [`Network::phases`]). The results are the same bit for bit
    /// either way: `false` is for checking that, and for measuring what fusion brings.
    pub fn set_fuse(&mut self, on: bool) {
        self.fuse = on;
    }

    /// How the next run will execute the schedule, one line per phase: `fused: a, b, g` for
    /// synapse groups `a`, `b` and neuron group `g` run as one loop over each thread's tile,
    /// `tiled: a, g` for objects run one after the other over each thread's tile, `serial: s` for
    /// a synapse group run whole by the calling thread while the others wait, `on_post: s` for
    /// the postsynaptic rules of `s`, run likewise. Prepares the
    /// objects as a run would; errors as [`Network::run`].
    pub fn phases(&mut self) -> Result<Vec<String>> {
        self.prepare()?;
        let phases = self.plan();
        Ok(phases
            .iter()
            .map(|p| match p {
                Phase::Tiled(t) => {
                    let names: Vec<&str> = t
                        .slots
                        .iter()
                        .map(|&k| self.object_name(self.schedule[k].obj))
                        .collect();
                    let how = if t.fuser.is_some() { "fused" } else { "tiled" };
                    format!("{how}: {}", names.join(", "))
                }
                Phase::Serial { synapse, .. } => {
                    format!("serial: {}", self.synapses[*synapse].name())
                }
                Phase::Post { synapse, .. } => {
                    format!("on_post: {}", self.synapses[*synapse].name())
                }
            })
            .collect())
    }

    /// Object names in schedule (insertion) order.
    pub fn order(&self) -> Vec<&str> {
        self.schedule
            .iter()
            .map(|s| self.object_name(s.obj))
            .collect()
    }

    fn object_name(&self, obj: Obj) -> &str {
        match obj {
            Obj::Neuron(g) => self.neurons[g].name(),
            Obj::Synapse(s) => self.synapses[s].name(),
        }
    }

    fn check_name(&self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(Error::InvalidInput {
                object: String::new(),
                reason: "object names must not be empty".to_string(),
            });
        }
        let taken = self.neurons.iter().any(|g| g.name() == name)
            || self.synapses.iter().any(|s| s.name() == name);
        if taken {
            return Err(Error::DuplicateName {
                name: name.to_string(),
            });
        }
        Ok(())
    }

    fn foreign(&self, handle: &dyn fmt::Debug) -> Error {
        Error::UnknownObject {
            handle: format!("{handle:?}"),
        }
    }

    fn group_index<M>(&self, id: GroupId<M>) -> Result<usize> {
        if id.net == self.id && id.index < self.neurons.len() {
            Ok(id.index)
        } else {
            Err(self.foreign(&id))
        }
    }

    fn syn_index<S>(&self, id: SynId<S>) -> Result<usize> {
        if id.net == self.id && id.index < self.synapses.len() {
            Ok(id.index)
        } else {
            Err(self.foreign(&id))
        }
    }

    fn object(&self, id: ObjectId) -> Result<Obj> {
        let ok = id.net == self.id
            && match id.obj {
                Obj::Neuron(g) => g < self.neurons.len(),
                Obj::Synapse(s) => s < self.synapses.len(),
            };
        if ok {
            Ok(id.obj)
        } else {
            Err(self.foreign(&id))
        }
    }

    /// Adds a group of `n` neurons of `model`, scheduled after every object added before it. State
    /// columns are initialised by the model; the integration method is the model's default.
    ///
    /// Errors: [`Error::DuplicateName`], [`Error::InvalidInput`] for an empty name or more than
    /// `u32::MAX` neurons.
    pub fn add_neurons<M: NeuronModel>(
        &mut self,
        name: &str,
        n: usize,
        model: M,
    ) -> Result<GroupId<M>> {
        self.check_name(name)?;
        if n > u32::MAX as usize {
            return Err(Error::InvalidInput {
                object: name.to_string(),
                reason: format!("{n} neurons exceed the limit of {}", u32::MAX),
            });
        }
        model.check(self.dt).map_err(|e| e.in_object(name))?;
        model.check_len(n).map_err(|e| e.in_object(name))?;
        let bytes = NeuronGroup::<M>::bytes_for(n);
        let purpose = Purpose {
            object: name,
            what: "the neuron buffers",
        };
        self.budget.check(bytes, purpose)?;
        let init_key = crate::rng::key_prefix(
            self.seed,
            crate::rng::domain::INIT ^ self.neurons.len() as u64,
        );
        let group = NeuronGroup::new(name.to_string(), n, model, init_key)?;
        self.budget.charge(bytes, purpose)?;
        let index = self.neurons.len();
        self.neurons.push(Box::new(group));
        self.schedule.push(Slot::new(Obj::Neuron(index)));
        Ok(GroupId {
            net: self.id,
            index,
            _model: PhantomData,
        })
    }

    /// Adds synapses of `model` from `pre` to `post` laid out by `conn`, scheduled after every object
    /// added before it. `pre` and `post` may be the same group.
    ///
    /// A variable `x_post` the model's spike rules add to is bound to the postsynaptic group's
    /// variable `x` (see [`Network::set_post_variable`] to bind it to another), converting
    /// between scales of one unit (a rule adding nS into a variable in µS adds 10⁻³ times as
    /// much).
    ///
    /// Errors: [`Error::DuplicateName`]; [`Error::UnknownObject`] for a handle of another network;
    /// the connector's errors ([`Connect::build`]); [`Error::InvalidInput`] when a conductance or
    /// voltage output targets a group whose model has no membrane potential. A rule's
    /// postsynaptic variable that cannot be bound (see [`Network::set_post_variable`]) stays
    /// unbound: the next run refuses to start, naming it, unless it is bound to another
    /// variable or ignored ([`Network::ignore_post_variable`]).
    pub fn add_synapses<S: SynapseModel, A: NeuronModel, B: NeuronModel>(
        &mut self,
        name: &str,
        model: S,
        pre: GroupId<A>,
        post: GroupId<B>,
        conn: &Connect,
    ) -> Result<SynId<S>> {
        self.check_name(name)?;
        model.check(self.dt).map_err(|e| e.in_object(name))?;
        let pre = self.group_index(pre)?;
        let post = self.group_index(post)?;
        for (o, out) in S::INFO.outputs.iter().enumerate() {
            let g = match out.target {
                Target::Pre => pre,
                Target::Post => post,
            };
            let target = &self.neurons[g];
            if out.kind != OutputKind::Current && target.info().membrane.is_none() {
                return Err(Error::InvalidInput {
                    object: name.to_string(),
                    reason: format!(
                        "output {o} ({:?}) needs a membrane potential, but model `{}` of group \
                         `{}` has none",
                        out.kind,
                        target.info().name,
                        target.name()
                    ),
                });
            }
        }
        // A variable the postsynaptic model lacks stays unbound until a run, so that it can
        // still be bound to another or dropped.
        let targets = S::INFO
            .post_writes
            .iter()
            .map(
                |w| match bind_target(name, w, w.name, &*self.neurons[post]) {
                    Ok((column, factor)) => Binding::Column { column, factor },
                    Err(Error::InvalidInput { reason, .. }) => Binding::Missing(reason),
                    Err(e) => Binding::Missing(e.to_string()),
                },
            )
            .collect::<Vec<_>>();
        let (n_pre, n_post) = (self.neurons[pre].len(), self.neurons[post].len());
        let purpose = Purpose {
            object: name,
            what: "the synapses",
        };
        let expected = conn.expected_synapses(n_pre, n_post);
        self.budget
            .check(SynapseGroup::<S>::bytes_for(expected), purpose)?;
        let csr = conn.build(name, n_pre, n_post)?;
        let bytes = SynapseGroup::<S>::bytes_for(csr.n_syn() as u64);
        self.budget.check(bytes, purpose)?;
        let index = self.synapses.len();
        let init_key = crate::rng::key_prefix(
            self.seed,
            crate::rng::domain::INIT_SYNAPSES ^ self.synapses.len() as u64,
        );
        let mut group = SynapseGroup::new(
            name.to_string(),
            model,
            (pre, n_pre),
            (post, n_post),
            csr,
            init_key,
        )?;
        self.budget.charge(bytes, purpose)?;
        group.set_targets(targets);
        self.synapses.push(Box::new(group));
        self.schedule.push(Slot::new(Obj::Synapse(index)));
        let types = (
            TypeId::of::<SynapseGroup<S>>(),
            TypeId::of::<NeuronGroup<B>>(),
        );
        if S::INFO.tile && !self.fusers.iter().any(|&(s, b, _)| (s, b) == types) {
            self.fusers.push((types.0, types.1, fuse::<S, B>));
        }
        Ok(SynId {
            net: self.id,
            index,
            _model: PhantomData,
        })
    }

    /// Binds the postsynaptic variable `name` of the synapse group's spike rules (`name_post +=
    /// ...`) to the postsynaptic group's variable `variable`: synapse groups of one model can
    /// then add to different variables (`I_ex` and `I_in`).
    ///
    /// Errors: [`Error::InvalidInput`] when the rules write no `name_post`, or `variable` is
    /// not a state of the postsynaptic group's model, is its membrane potential (a voltage
    /// output adds to it), is an `#[expr]`, or has a unit of another dimension;
    /// [`Error::UnknownObject`].
    pub fn set_post_variable<S: SynapseModel>(
        &mut self,
        id: SynId<S>,
        name: &str,
        variable: &str,
    ) -> Result<()> {
        let s = self.syn_index(id)?;
        let syn = &self.synapses[s];
        let Some(k) = S::INFO.post_writes.iter().position(|w| w.name == name) else {
            let known: Vec<String> = S::INFO
                .post_writes
                .iter()
                .map(|w| format!("{}_post", w.name))
                .collect();
            return Err(Error::InvalidInput {
                object: syn.name().to_string(),
                reason: format!(
                    "the spike rules of model `{}` add to no `{name}_post` (they add to: {})",
                    S::INFO.name,
                    if known.is_empty() {
                        "nothing".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            });
        };
        let write = &S::INFO.post_writes[k];
        let (column, factor) = bind_target(
            syn.name(),
            write,
            variable,
            &*self.neurons[syn.endpoints().1],
        )?;
        let mut targets = syn.targets().to_vec();
        targets[k] = Binding::Column { column, factor };
        self.synapses[s].set_targets(targets);
        Ok(())
    }

    /// Drops what the synapse group's rules add to the postsynaptic variable `name`
    /// (`name_post += ...`): for a postsynaptic group that has no such variable, such as a
    /// [`SpikeTrain`](crate::SpikeTrain) whose spikes drive an STDP rule.
    ///
    /// Errors: [`Error::InvalidInput`] when the rules write no `name_post`;
    /// [`Error::UnknownObject`].
    pub fn ignore_post_variable<S: SynapseModel>(
        &mut self,
        id: SynId<S>,
        name: &str,
    ) -> Result<()> {
        let s = self.syn_index(id)?;
        let Some(k) = S::INFO.post_writes.iter().position(|w| w.name == name) else {
            return Err(Error::InvalidInput {
                object: self.synapses[s].name().to_string(),
                reason: format!(
                    "the spike rules of model `{}` add to no `{name}_post`",
                    S::INFO.name
                ),
            });
        };
        let mut targets = self.synapses[s].targets().to_vec();
        targets[k] = Binding::Ignored;
        self.synapses[s].set_targets(targets);
        Ok(())
    }

    /// Chooses the integration method of a neuron or synapse group (a [`GroupId`] or [`SynId`]).
    ///
    /// Errors: [`Error::MethodNotSupported`] unless the model's generated code supports it;
    /// [`Error::UnknownObject`].
    pub fn set_method(&mut self, id: impl Into<ObjectId>, method: Method) -> Result<()> {
        match self.object(id.into())? {
            Obj::Neuron(g) => self.neurons[g].set_method(method),
            Obj::Synapse(s) => self.synapses[s].set_method(method),
        }
    }

    /// Integration method of a neuron or synapse group.
    ///
    /// Error: [`Error::UnknownObject`].
    pub fn method(&self, id: impl Into<ObjectId>) -> Result<Method> {
        Ok(match self.object(id.into())? {
            Obj::Neuron(g) => self.neurons[g].method(),
            Obj::Synapse(s) => self.synapses[s].method(),
        })
    }

    /// Sets parameter `name` of a neuron or synapse group's model; takes effect at the next run.
    ///
    /// Errors: [`Error::UnknownParameter`], [`Error::InvalidParameter`], [`Error::UnknownObject`].
    pub fn set_param(&mut self, id: impl Into<ObjectId>, name: &str, value: f64) -> Result<()> {
        match self.object(id.into())? {
            Obj::Neuron(g) => self.neurons[g].set_param(name, value),
            Obj::Synapse(s) => self.synapses[s].set_param(name, value),
        }
    }

    /// Parameter `name` of a neuron or synapse group's model.
    ///
    /// Errors: [`Error::UnknownParameter`], [`Error::UnknownObject`].
    pub fn param(&self, id: impl Into<ObjectId>, name: &str) -> Result<f64> {
        let (value, info) = match self.object(id.into())? {
            Obj::Neuron(g) => (self.neurons[g].get_param(name), self.neurons[g].info()),
            Obj::Synapse(s) => (self.synapses[s].get_param(name), self.synapses[s].info()),
        };
        value.ok_or_else(|| info.unknown_parameter(name))
    }

    /// Forces the storage class of a synapse group (normally the model's most compact one, or per
    /// synapse once a monitor records it). The state is re-initialised.
    ///
    /// Errors: [`Error::StorageNotSupported`]; [`Error::InvalidInput`] after the first step, or
    /// when a monitor records the group in another storage; [`Error::UnknownObject`].
    pub fn set_storage<S: SynapseModel>(&mut self, id: SynId<S>, storage: Storage) -> Result<()> {
        let s = self.syn_index(id)?;
        if !S::INFO.storages.contains(&storage) {
            return Err(Error::StorageNotSupported {
                object: self.synapses[s].name().to_string(),
                storage: storage.name().to_string(),
                supported: S::INFO.storage_names(),
            });
        }
        self.switch_storage(s, storage)
    }

    fn switch_storage(&mut self, s: usize, storage: Storage) -> Result<()> {
        let syn = &self.synapses[s];
        if syn.storage() == storage {
            return Ok(());
        }
        let reason = if self.step > 0 {
            Some("the storage cannot change once the network has run")
        } else if self.monitors.iter().any(|m| m.owner == Owner::Synapse(s)) {
            Some("the storage cannot change once a monitor records the group")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::InvalidInput {
                object: syn.name().to_string(),
                reason: format!("cannot switch to {storage}: {reason}"),
            });
        }
        self.synapses[s].switch_storage(storage);
        Ok(())
    }

    /// Sets a delay per synapse of group `id` (ms, one per synapse in synapse order): a spike of
    /// a presynaptic neuron produced at step `k` acts through synapse `i` at step `k + dᵢ`,
    /// whatever the order of the objects, `dᵢ` being the delay rounded to the nearest step and at
    /// least one step (NEST's rule; an `#[output(delay = ...)]` of the DSL keeps its own rule,
    /// `ceil(d/dt)` steps on the pushed quantity). Rows are then sorted by (delay, postsynaptic
    /// neuron), which renumbers the synapses within each row. Allowed before the first run.
    ///
    /// Errors: [`Error::SizeMismatch`], [`Error::InvalidInput`] (a bad delay, a model that
    /// does not take them, a network that has run), [`Error::UnknownObject`].
    pub fn set_delays<S: SynapseModel>(&mut self, id: SynId<S>, delays_ms: &[f64]) -> Result<()> {
        let s = self.syn_index(id)?;
        if self.step > 0 {
            return Err(Error::InvalidInput {
                object: self.synapses[s].name().to_string(),
                reason: "per-synapse delays are set before the network first runs".to_string(),
            });
        }
        let dt = self.dt;
        self.try_synapses_mut(id)?.set_delays(delays_ms, dt)
    }

    /// Sets the seed of the values drawn by [`Network::set_values`],
    /// [`Network::set_synapse_values`] and [`Network::set_delays_drawn`] (default 0). Each draw
    /// is keyed by this seed, the object's and variable's names and the element's index, so the
    /// values do not depend on the order of the calls or on the number of threads.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
    }

    /// The seed of drawn values (see [`Network::set_seed`]).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Sets `var` of every neuron of group `id` from `values` (a constant, a vector, a function
    /// of the neuron's index, or a distribution drawn from the network's seed).
    ///
    /// Errors: those of [`Values`] (a vector of another length, a value that is not finite,
    /// distribution parameters out of range, a function of pairs), naming the group and the
    /// variable; [`Error::UnknownObject`].
    pub fn set_values<M: NeuronModel>(
        &mut self,
        id: GroupId<M>,
        var: Var<M>,
        values: &Values,
    ) -> Result<()> {
        let seed = Streams::new(self.seed);
        let group = self.try_group_mut(id)?;
        let target = ValuesTarget {
            object: group.name(),
            variable: var.name(),
            len: group.len(),
            pairs: None,
        };
        let drawn = values.draw(&target, seed)?;
        check_domain(M::INFO, group.name(), var.name(), &drawn)?;
        group.set(var, &drawn)
    }

    /// Sets `var` of every element of synapse group `id` from `values`: every synapse for a
    /// variable stored per synapse (a function of pairs gets each synapse's presynaptic and
    /// postsynaptic neuron), every neuron the state is kept per otherwise (see
    /// [`Network::set_storage`]).
    ///
    /// Errors: as [`Network::set_values`].
    pub fn set_synapse_values<S: SynapseModel>(
        &mut self,
        id: SynId<S>,
        var: Var<S>,
        values: &Values,
    ) -> Result<()> {
        let seed = Streams::new(self.seed);
        let group = self.try_synapses_mut(id)?;
        let per_synapse = S::INFO
            .states
            .get(var.index())
            .is_some_and(|s| s.per_synapse)
            || group.storage() == Storage::PerSynapse;
        let conn = group.conn();
        let pair = |k: usize| (pre_of_synapse(conn, k), conn.post.get(k));
        let target = ValuesTarget {
            object: group.name(),
            variable: var.name(),
            len: if per_synapse {
                group.n_syn()
            } else {
                group.len()
            },
            pairs: per_synapse.then_some(&pair as &dyn Fn(usize) -> (usize, usize)),
        };
        let drawn = values.draw(&target, seed)?;
        check_domain(S::INFO, group.name(), var.name(), &drawn)?;
        group.set(var, &drawn)
    }

    /// Sets a delay per synapse of group `id` from `values` (ms; drawn as
    /// [`Network::set_synapse_values`] draws, under the variable name `delay`), then as
    /// [`Network::set_delays`]. NEST's microcircuit, for one, draws its delays from a normal
    /// distribution redrawn below the step.
    ///
    /// Errors: those of [`Network::set_synapse_values`] and [`Network::set_delays`].
    pub fn set_delays_drawn<S: SynapseModel>(
        &mut self,
        id: SynId<S>,
        values: &Values,
    ) -> Result<()> {
        let seed = Streams::new(self.seed);
        let group = self.try_synapses(id)?;
        let conn = group.conn();
        let pair = |k: usize| (pre_of_synapse(conn, k), conn.post.get(k));
        let target = ValuesTarget {
            object: group.name(),
            variable: "delay",
            len: group.n_syn(),
            pairs: Some(&pair),
        };
        let delays = values.draw(&target, seed)?;
        self.set_delays(id, &delays)
    }

    /// Sets the schedule: `order` must name every group and synapse group of the network exactly
    /// once (e.g. `net.set_order(&[pre.into(), syn.into(), post.into()])`, the tutorial's order, as
    /// a synapse can only be added after both of its groups). Monitors stay with their objects.
    ///
    /// Errors: [`Error::InvalidInput`] for a missing or repeated object, [`Error::UnknownObject`].
    pub fn set_order(&mut self, order: &[ObjectId]) -> Result<()> {
        let mut objs = Vec::with_capacity(order.len());
        for &id in order {
            let obj = self.object(id)?;
            if objs.contains(&obj) {
                return Err(Error::InvalidInput {
                    object: self.object_name(obj).to_string(),
                    reason: "the object appears twice in the schedule".to_string(),
                });
            }
            objs.push(obj);
        }
        if let Some(missing) = self.schedule.iter().find(|s| !objs.contains(&s.obj)) {
            return Err(Error::InvalidInput {
                object: self.object_name(missing.obj).to_string(),
                reason: "the object is missing from the schedule".to_string(),
            });
        }
        let mut old = std::mem::take(&mut self.schedule);
        for obj in objs {
            if let Some(k) = old.iter().position(|s| s.obj == obj) {
                self.schedule.push(old.swap_remove(k));
            }
        }
        Ok(())
    }

    /// Adds an external input to a neuron group ([`Input`](crate::Input), optionally restricted to
    /// some neurons with [`Input::on`](crate::Input::on)), applied right before the group's update
    /// every step.
    ///
    /// Errors: [`Error::IndexOutOfRange`], [`Error::SizeMismatch`], [`Error::InvalidInput`] (see
    /// [`Input`](crate::Input)); [`Error::UnknownObject`].
    pub fn add_input<M: NeuronModel>(
        &mut self,
        group: GroupId<M>,
        input: impl Into<Stimulus>,
    ) -> Result<()> {
        let g = self.group_index(group)?;
        let target = &mut self.neurons[g];
        let compiled = CompiledInput::new(input.into(), target.name(), target.len(), self.dt)?;
        target.add_input(compiled);
        Ok(())
    }

    /// Adds random events onto the variable `var` of every neuron of `group` (a
    /// [`PoissonInput`]: Brian2's `PoissonInput`, NEST's `poisson_generator` onto a population),
    /// each event adding the input's weight to the variable right before the group's update.
    ///
    /// Errors: [`Error::InvalidInput`] for a rate or weight out of range or a `var` that is an
    /// `#[expr]`; [`Error::UnknownObject`].
    pub fn add_poisson_input<M: NeuronModel>(
        &mut self,
        group: GroupId<M>,
        var: Var<M>,
        input: &PoissonInput,
    ) -> Result<()> {
        let g = self.group_index(group)?;
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
        let compiled = CompiledPoisson::new(input, target.name(), column, self.dt)?;
        target.add_poisson(compiled);
        Ok(())
    }

    /// Records `var` of every neuron of `group` at every step.
    ///
    /// Errors: [`Error::EmptyGroup`], [`Error::UnknownObject`].
    pub fn record<M: NeuronModel>(&mut self, group: GroupId<M>, var: Var<M>) -> Result<MonitorId> {
        self.record_with(group, var, &Recording::default())
    }

    /// Records `var` of `group` as selected by `rec` (indices, period).
    ///
    /// Errors: [`Error::EmptyGroup`], [`Error::IndexOutOfRange`], [`Error::InvalidInput`] (no
    /// index, period 0), [`Error::UnknownObject`].
    pub fn record_with<M: NeuronModel>(
        &mut self,
        group: GroupId<M>,
        var: Var<M>,
        rec: &Recording,
    ) -> Result<MonitorId> {
        let g = self.group_index(group)?;
        let target = &self.neurons[g];
        let col = column_index(target.name(), M::INFO, var.index())?;
        let element = (var.name(), col, "");
        let monitor =
            StateMonitor::new(Owner::Neuron(g), target.name(), element, target.len(), rec)?;
        Ok(self.push_monitor(Obj::Neuron(g), monitor))
    }

    /// Records `var` of every element of a synapse group at every step, in the storage the
    /// group has (see [`Network::record_synapses_with`]).
    ///
    /// Errors: as [`Network::record_synapses_with`].
    pub fn record_synapses<S: SynapseModel>(
        &mut self,
        syn: SynId<S>,
        var: Var<S>,
    ) -> Result<MonitorId> {
        self.record_synapses_with(syn, var, &Recording::default())
    }

    /// Records `var` of a synapse group as selected by `rec`, from the storage the group has:
    /// indices are synapse numbers when the state lives per synapse, and presynaptic or
    /// postsynaptic neuron indices when it lives per neuron, where the trace's columns are named
    /// `var[pre:i]` or `var[post:j]`; a variable stored per synapse whatever the storage
    /// ([`StateInfo::per_synapse`](crate::StateInfo::per_synapse)) is recorded per synapse. Recording never changes the storage (nor any number the
    /// run computes); to record per synapse a state the model keeps more compactly, ask for it
    /// first with [`Network::set_storage`].
    ///
    /// Errors: [`Error::EmptyGroup`], [`Error::IndexOutOfRange`], [`Error::InvalidInput`] (no
    /// index, period 0), [`Error::UnknownObject`].
    pub fn record_synapses_with<S: SynapseModel>(
        &mut self,
        syn: SynId<S>,
        var: Var<S>,
        rec: &Recording,
    ) -> Result<MonitorId> {
        let s = self.syn_index(syn)?;
        let target = self.try_synapses(syn)?;
        let col = column_index(target.name(), S::INFO, var.index())?;
        let per_synapse = S::INFO.states[col].per_synapse;
        let (label, len) = match target.storage() {
            _ if per_synapse => ("", target.n_syn()),
            Storage::PerSynapse => ("", target.len()),
            Storage::PerPre => ("pre:", target.len()),
            Storage::PerPost => ("post:", target.len()),
        };
        let element = (var.name(), col, label);
        let monitor = StateMonitor::new(Owner::Synapse(s), target.name(), element, len, rec)?;
        Ok(self.push_monitor(Obj::Synapse(s), monitor))
    }

    fn push_monitor(&mut self, obj: Obj, monitor: StateMonitor) -> MonitorId {
        let index = self.monitors.len();
        self.monitors.push(monitor);
        if let Some(slot) = self.schedule.iter_mut().find(|s| s.obj == obj) {
            slot.monitors.push(index);
        }
        MonitorId {
            net: self.id,
            index,
        }
    }

    /// Records the spikes of `group` from the next step on.
    ///
    /// Errors: [`Error::EmptyGroup`], [`Error::UnknownObject`].
    pub fn record_spikes<M: NeuronModel>(&mut self, group: GroupId<M>) -> Result<SpikeMonitorId> {
        self.spike_monitor(group, true)
    }

    /// Counts the spikes of each neuron of `group` from the next step on, without recording when
    /// they happen: the trace has [`SpikeTrace::counts`] (and rates) but no spike list. What
    /// Brian2's `SpikeMonitor(record=False)` does.
    ///
    /// Errors: [`Error::EmptyGroup`], [`Error::UnknownObject`].
    pub fn count_spikes<M: NeuronModel>(&mut self, group: GroupId<M>) -> Result<SpikeMonitorId> {
        self.spike_monitor(group, false)
    }

    fn spike_monitor<M: NeuronModel>(
        &mut self,
        group: GroupId<M>,
        trains: bool,
    ) -> Result<SpikeMonitorId> {
        let g = self.group_index(group)?;
        let target = &self.neurons[g];
        let monitor = SpikeMonitor::new(g, target.name(), target.len(), self.dt, trains)?;
        let index = self.spike_monitors.len();
        self.spike_monitors.push(monitor);
        if let Some(slot) = self.schedule.iter_mut().find(|s| s.obj == Obj::Neuron(g)) {
            slot.spike_monitors.push(index);
        }
        Ok(SpikeMonitorId {
            net: self.id,
            index,
        })
    }

    /// The trace of a state monitor.
    ///
    /// # Panics
    ///
    /// If `id` was returned by another network (see [`Network::try_trace`]).
    pub fn trace(&self, id: MonitorId) -> &Trace {
        self.try_trace(id)
            .unwrap_or_else(|e| panic!("neurode: {e}"))
    }

    /// The trace of a state monitor; [`Error::UnknownObject`] for a handle of another network.
    pub fn try_trace(&self, id: MonitorId) -> Result<&Trace> {
        match self.monitors.get(id.index) {
            Some(m) if id.net == self.id => Ok(&m.trace),
            _ => Err(self.foreign(&id)),
        }
    }

    /// The trace of a spike monitor.
    ///
    /// # Panics
    ///
    /// If `id` was returned by another network (see [`Network::try_spike_trace`]).
    pub fn spike_trace(&self, id: SpikeMonitorId) -> &SpikeTrace {
        self.try_spike_trace(id)
            .unwrap_or_else(|e| panic!("neurode: {e}"))
    }

    /// The trace of a spike monitor; [`Error::UnknownObject`] for a handle of another network.
    pub fn try_spike_trace(&self, id: SpikeMonitorId) -> Result<&SpikeTrace> {
        match self.spike_monitors.get(id.index) {
            Some(m) if id.net == self.id => Ok(&m.trace),
            _ => Err(self.foreign(&id)),
        }
    }

    /// The handle of the neuron group named `name`.
    ///
    /// Error: [`Error::NoSuchObject`] if the network has no neuron group of that name and model.
    pub fn group_named<M: NeuronModel>(&self, name: &str) -> Result<GroupId<M>> {
        self.neurons
            .iter()
            .position(|g| g.name() == name && g.as_any().is::<NeuronGroup<M>>())
            .map(|index| GroupId {
                net: self.id,
                index,
                _model: PhantomData,
            })
            .ok_or_else(|| Error::NoSuchObject {
                kind: "neuron group".into(),
                name: name.into(),
                model: M::INFO.name.into(),
            })
    }

    /// The handle of the synapse group named `name`.
    ///
    /// Error: [`Error::NoSuchObject`] if the network has no synapse group of that name and
    /// model.
    pub fn synapses_named<S: SynapseModel>(&self, name: &str) -> Result<SynId<S>> {
        self.synapses
            .iter()
            .position(|s| s.name() == name && s.as_any().is::<SynapseGroup<S>>())
            .map(|index| SynId {
                net: self.id,
                index,
                _model: PhantomData,
            })
            .ok_or_else(|| Error::NoSuchObject {
                kind: "synapse group".into(),
                name: name.into(),
                model: S::INFO.name.into(),
            })
    }

    /// A neuron group.
    ///
    /// # Panics
    ///
    /// If `id` was returned by another network (see [`Network::try_group`]).
    pub fn group<M: NeuronModel>(&self, id: GroupId<M>) -> &NeuronGroup<M> {
        self.try_group(id)
            .unwrap_or_else(|e| panic!("neurode: {e}"))
    }

    /// A neuron group, mutably (parameters, state, method).
    ///
    /// # Panics
    ///
    /// If `id` was returned by another network (see [`Network::try_group_mut`]).
    pub fn group_mut<M: NeuronModel>(&mut self, id: GroupId<M>) -> &mut NeuronGroup<M> {
        self.try_group_mut(id)
            .unwrap_or_else(|e| panic!("neurode: {e}"))
    }

    /// A neuron group; [`Error::UnknownObject`] for a handle of another network.
    pub fn try_group<M: NeuronModel>(&self, id: GroupId<M>) -> Result<&NeuronGroup<M>> {
        let g = self.group_index(id)?;
        self.neurons[g]
            .as_any()
            .downcast_ref()
            .ok_or_else(|| self.foreign(&id))
    }

    /// A neuron group, mutably; [`Error::UnknownObject`] for a handle of another network.
    pub fn try_group_mut<M: NeuronModel>(&mut self, id: GroupId<M>) -> Result<&mut NeuronGroup<M>> {
        let g = self.group_index(id)?;
        let err = self.foreign(&id);
        self.neurons[g].as_any_mut().downcast_mut().ok_or(err)
    }

    /// A synapse group.
    ///
    /// # Panics
    ///
    /// If `id` was returned by another network (see [`Network::try_synapses`]).
    pub fn synapses<S: SynapseModel>(&self, id: SynId<S>) -> &SynapseGroup<S> {
        self.try_synapses(id)
            .unwrap_or_else(|e| panic!("neurode: {e}"))
    }

    /// A synapse group, mutably (parameters, state, method).
    ///
    /// # Panics
    ///
    /// If `id` was returned by another network (see [`Network::try_synapses_mut`]).
    pub fn synapses_mut<S: SynapseModel>(&mut self, id: SynId<S>) -> &mut SynapseGroup<S> {
        self.try_synapses_mut(id)
            .unwrap_or_else(|e| panic!("neurode: {e}"))
    }

    /// A synapse group; [`Error::UnknownObject`] for a handle of another network.
    pub fn try_synapses<S: SynapseModel>(&self, id: SynId<S>) -> Result<&SynapseGroup<S>> {
        let s = self.syn_index(id)?;
        self.synapses[s]
            .as_any()
            .downcast_ref()
            .ok_or_else(|| self.foreign(&id))
    }

    /// A synapse group, mutably; [`Error::UnknownObject`] for a handle of another network.
    pub fn try_synapses_mut<S: SynapseModel>(
        &mut self,
        id: SynId<S>,
    ) -> Result<&mut SynapseGroup<S>> {
        let s = self.syn_index(id)?;
        let err = self.foreign(&id);
        self.synapses[s].as_any_mut().downcast_mut().ok_or(err)
    }

    /// Runs for `duration` ms: [`steps_for`]`(duration, dt)` steps from the current step on.
    ///
    /// Errors: [`Error::InvalidDuration`]; at the start, [`Error::NegativeDelay`] and the other
    /// preparation errors of synapse groups; during the run, [`Error::NonFinite`] when a state
    /// variable becomes NaN or infinite (the run stops there, the step counter is not advanced past
    /// the failing step, and the state is that of the failure, except that per-postsynaptic
    /// synapse state run in tiles may already be advanced to the next step: see
    /// [`SynapseModel::post_kernel`]).
    pub fn run(&mut self, duration: f64) -> Result<()> {
        let steps = steps_for(duration, self.dt)?;
        self.run_steps(steps)
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
        id: MonitorId,
        out: W,
        format: Format,
    ) -> Result<()> {
        let width = 1 + self.try_trace(id)?.n_cols;
        self.open_stream(Source::State(id.index), Box::new(out), format, width)
    }

    /// Writes the spikes of spike monitor `id` (made by [`Network::record_spikes`]) to `out`
    /// as rows (t in ms, neuron), in pieces as [`Network::stream_trace`] does; the spike counts
    /// stay in [`Network::spike_trace`].
    ///
    /// Errors: as [`Network::stream_trace`], and [`Error::InvalidInput`] for a monitor made by
    /// [`Network::count_spikes`] (it records no spike times).
    pub fn stream_spikes<W: StreamSink + 'static>(
        &mut self,
        id: SpikeMonitorId,
        out: W,
        format: Format,
    ) -> Result<()> {
        let object = self.try_spike_trace(id)?.object.clone();
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
    fn drain_stream(&mut self, k: usize) -> Result<()> {
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
    fn piece_steps(&self) -> u64 {
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

    /// Everything a run changes, as a [`Checkpoint`](crate::Checkpoint) in memory (Brian2's
    /// `store`): the step counter; every group's and synapse group's parameters, states,
    /// inputs, spike flags and lists, last-spike and last-event times, output accumulators,
    /// delay rings and spikes in flight; every monitor's data. What the code that built the
    /// network decides (connectivity, delays, inputs, seeds) is fingerprinted, not stored. See
    /// [`crate::checkpoint`] for the format.
    pub fn store(&self) -> crate::Checkpoint {
        use crate::checkpoint::Writer;
        let mut w = Writer::default();
        w.u64(self.dt.to_bits());
        w.u64(self.step);
        w.u64(self.seed);
        w.u64(self.neurons.len() as u64);
        w.u64(self.synapses.len() as u64);
        w.u64(self.monitors.len() as u64);
        w.u64(self.spike_monitors.len() as u64);
        for g in &self.neurons {
            g.save(&mut w);
        }
        for s in &self.synapses {
            s.save(&mut w);
        }
        for m in &self.monitors {
            m.save(&mut w);
        }
        for m in &self.spike_monitors {
            m.save(&mut w);
        }
        crate::Checkpoint::of_body(w.buf)
    }

    /// Goes back to `checkpoint` (Brian2's `restore`): the network must have been built by the
    /// same code (the same objects, models, sizes, connectivity and delays; parameters set
    /// since are restored too). A run from there continues bit for bit as the run that made the
    /// checkpoint would have, on any thread count.
    ///
    /// Error: [`Error::Checkpoint`] saying what does not fit; the network is unchanged then.
    pub fn restore(&mut self, checkpoint: &crate::Checkpoint) -> Result<()> {
        use crate::checkpoint::Reader;
        // Checked whole first, then applied: a checkpoint that does not fit changes nothing.
        for apply in [false, true] {
            let mut r = Reader::new(checkpoint.body());
            r.expect_u64("the time step (its bits)", self.dt.to_bits())?;
            let step = r.u64("the step counter")?;
            r.expect_u64("the seed", self.seed)?;
            r.expect_u64("the number of neuron groups", self.neurons.len() as u64)?;
            r.expect_u64("the number of synapse groups", self.synapses.len() as u64)?;
            r.expect_u64("the number of state monitors", self.monitors.len() as u64)?;
            r.expect_u64(
                "the number of spike monitors",
                self.spike_monitors.len() as u64,
            )?;
            for g in &mut self.neurons {
                g.load(&mut r, apply)?;
            }
            for s in &mut self.synapses {
                s.load(&mut r, apply)?;
            }
            for m in &mut self.monitors {
                m.load(&mut r, apply)?;
            }
            for m in &mut self.spike_monitors {
                m.load(&mut r, apply)?;
            }
            r.finish()?;
            if step > MAX_STEPS {
                return Err(Error::Checkpoint {
                    reason: format!("the step counter {step} is beyond any run"),
                });
            }
            if apply {
                self.step = step;
            }
        }
        Ok(())
    }

    /// Writes [`Network::store`] to `out` (a file, say).
    ///
    /// # Errors
    ///
    /// The first I/O error.
    pub fn save<W: std::io::Write>(&self, mut out: W) -> std::io::Result<()> {
        out.write_all(self.store().as_bytes())?;
        out.flush()
    }

    /// Reads a checkpoint [`Network::save`] wrote and restores it ([`Network::restore`]).
    ///
    /// Error: [`Error::Checkpoint`] for an I/O error, bytes that are not a checkpoint of this
    /// format version, a truncated or corrupted file, or one that does not fit this network;
    /// the network is unchanged then.
    pub fn load<R: std::io::Read>(&mut self, mut input: R) -> Result<()> {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Checkpoint {
                reason: format!("cannot read it: {e}"),
            })?;
        let checkpoint = crate::Checkpoint::from_bytes(bytes)?;
        self.restore(&checkpoint)
    }

    /// Runs `steps` steps (see [`Network::run`]).
    pub fn run_steps(&mut self, steps: u64) -> Result<()> {
        if steps > MAX_STEPS {
            return Err(Error::InvalidDuration {
                duration: steps as f64 * self.dt,
            });
        }
        if self.streams.is_empty() {
            return self.run_piece(steps);
        }
        let piece = self.piece_steps();
        let mut left = steps;
        while left > 0 {
            let n = left.min(piece);
            let result = self.run_piece(n);
            // What was recorded is written even when the piece failed.
            for k in 0..self.streams.len() {
                self.drain_stream(k)?;
            }
            result?;
            left -= n;
        }
        Ok(())
    }

    /// Runs `steps` steps at once.
    fn run_piece(&mut self, steps: u64) -> Result<()> {
        self.prepare()?;
        let end = self.step + steps;
        for m in &mut self.monitors {
            m.reserve(self.step, end, &mut self.budget)?;
        }
        let phases = self.plan();
        let (done, result) = exec::run(
            exec::Objects {
                neurons: &mut self.neurons,
                synapses: &mut self.synapses,
                monitors: &mut self.monitors,
                spike_monitors: &mut self.spike_monitors,
                schedule: &self.schedule,
                phases: &phases,
            },
            exec::RunConfig {
                start: self.step,
                steps,
                dt: self.dt,
                threads: self.threads,
                check: self.check_finite,
                observer: self.observer.as_mut(),
            },
        );
        self.step += done;
        result
    }

    /// How a run cuts the schedule into phases.
    fn plan(&self) -> Vec<Phase> {
        let fusers: &[FuserEntry] = if self.fuse { &self.fusers } else { &[] };
        schedule::plan(&self.schedule, &self.neurons, &self.synapses, fusers)
    }

    /// Computes every object's step-invariant constants (once per run, never per step).
    fn prepare(&mut self) -> Result<()> {
        let dt = self.dt;
        for (k, g) in self.neurons.iter_mut().enumerate() {
            g.prepare(dt)?;
            g.set_noise_key(crate::rng::key_prefix(
                self.seed,
                crate::rng::domain::NOISE ^ k as u64,
            ));
        }
        for s in &mut self.synapses {
            s.prepare(dt, &mut self.budget)?;
        }
        Ok(())
    }
}

/// Checks values for the per-element parameter `variable` of a model (any other variable has no
/// domain): the error names the object, the variable, the element, the value and the domain.
fn check_domain(info: &ModelInfo, object: &str, variable: &str, values: &[f64]) -> Result<()> {
    let Some(p) = info.params.iter().find(|p| p.name == variable) else {
        return Ok(());
    };
    match values.iter().position(|&x| !p.domain.contains(x)) {
        None => Ok(()),
        Some(k) => Err(Error::InvalidInput {
            object: object.to_string(),
            reason: format!(
                "`{variable}` of element {k} would be {}: it must be {}",
                crate::error::num(values[k]),
                p.domain
            ),
        }),
    }
}

/// The presynaptic neuron of synapse `k` of `conn` (a binary search of the row starts: only
/// functions of (pre, post) ask, so no table of every synapse's row is kept).
fn pre_of_synapse(conn: &Csr, k: usize) -> usize {
    conn.row_ptr.partition_point(|&start| start <= k) - 1
}

/// The column of `group` that the rules of synapse group `object` add to as `write` (named
/// `variable` in the group's model), and the factor converting into its unit.
fn bind_target(
    object: &str,
    write: &PostWrite,
    variable: &str,
    group: &dyn AnyGroup,
) -> Result<(usize, f64)> {
    let info = group.info();
    let fail = |reason: String| Error::InvalidInput {
        object: object.to_string(),
        reason,
    };
    let rule = format!("`{}_post`", write.name);
    let Some(j) = info.column(variable) else {
        let names: Vec<&str> = info
            .states
            .iter()
            .filter(|s| !s.derived)
            .map(|s| s.name)
            .collect();
        return Err(fail(format!(
            "the spike rules add to {rule}, but model `{}` of group `{}` has no variable \
             `{variable}` (its variables: {})",
            info.name,
            group.name(),
            names.join(", ")
        )));
    };
    let state = &info.states[j];
    if state.derived {
        return Err(fail(format!(
            "the spike rules add to {rule}, bound to `{variable}` of group `{}`, an `#[expr]` \
             recomputed every step: bind it to a `#[state]`",
            group.name()
        )));
    }
    if info.membrane == Some(j) {
        return Err(fail(format!(
            "the spike rules add to {rule}, bound to the membrane potential `{variable}` of \
             group `{}`: a synapse changes the membrane potential through a voltage output \
             (`#[output(voltage = ...)]`)",
            group.name()
        )));
    }
    let factor = match (write.dims, state.dims) {
        (Some(from), Some(to)) => from.factor_to(to).ok_or_else(|| {
            fail(format!(
                "the spike rules add to {rule} a value whose unit is not of the dimension of \
                 `{variable}` ({}) of group `{}`",
                state.unit,
                group.name()
            ))
        })?,
        _ => 1.0,
    };
    Ok((j, factor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use crate::testmodels::{Acc, Faults, Kick, Silent};

    fn net() -> Network {
        Network::new(0.1).unwrap()
    }

    /// The object and bytes of an [`Error::OutOfMemory`] refused by a budget.
    fn refused(e: Error) -> (String, u64, String) {
        let message = e.to_string();
        match e {
            Error::OutOfMemory {
                object,
                bytes,
                budget: Some(_),
                ..
            } => (object, bytes, message),
            other => panic!("not refused by the budget: {other}"),
        }
    }

    #[test]
    fn the_memory_budget_refuses_buffers_before_they_are_reserved() {
        let mut n = net();
        n.set_memory_budget(Some(10_000_000));
        // A monitor of 100 neurons over 1e8 ms would need 8 GB of trace.
        let g = n.add_neurons("g", 100, Acc::default()).unwrap();
        let used = n.memory_charged();
        let per_neuron = 8 * <Acc as crate::Model>::INFO.states.len() as u64 + 22;
        assert_eq!(used, 100 * per_neuron);
        let m = n.record(g, Acc::v).unwrap();
        let (object, bytes, message) = refused(n.run(1e8).unwrap_err());
        assert_eq!(
            (object.as_str(), bytes),
            ("g", 1_000_000_000 * 8 + 1_000_000_000 * 800)
        );
        assert!(
            message.contains("the trace of `v` (1000000000 rows of 100 values)"),
            "{message}"
        );
        // Nothing was reserved or run: a shorter run still works.
        assert_eq!((n.step_index(), n.memory_charged()), (0, used));
        n.run(1.0).unwrap();
        assert_eq!(n.trace(m).n_rows(), 10);
        assert_eq!(n.memory_charged(), used + 10 * 8 + 10 * 800);

        // A group of 10^9 neurons, and all-to-all connectivity of 2·10^5 × 2·10^5.
        let (object, bytes, _) = refused(
            n.add_neurons("big", 1_000_000_000, Acc::default())
                .unwrap_err(),
        );
        assert_eq!(
            (object.as_str(), bytes),
            ("big", 1_000_000_000 * per_neuron)
        );
        assert!(n.group_named::<Acc>("big").is_err());
        n.set_memory_budget(Some(100_000_000));
        let a = n.add_neurons("a", 200_000, Acc::default()).unwrap();
        let e = n
            .add_synapses("dense", Kick::default(), a, a, &Connect::AllToAll)
            .unwrap_err();
        let (object, bytes, _) = refused(e);
        let per_synapse = 4 + 8 * <Kick as crate::Model>::INFO.states.len() as u64;
        assert_eq!(
            (object.as_str(), bytes),
            ("dense", 40_000_000_000 * per_synapse)
        );

        // A delay ring of 10^6 steps of 10^3 values (8 GB), refused when the run prepares it.
        let mut n = net();
        n.set_memory_budget(Some(100_000_000));
        let (pre, post) = pre_post(&mut n, 1, 1000);
        let kick = Kick {
            delay: 1e5,
            ..Kick::default()
        };
        n.add_synapses("ring", kick, pre, post, &Connect::AllToAll)
            .unwrap();
        let (object, bytes, message) = refused(n.run(1.0).unwrap_err());
        assert_eq!((object.as_str(), bytes), ("ring", 1_000_000 * 1000 * 8));
        assert!(message.contains("delay ring of output 0"), "{message}");
    }

    /// A neuron that spikes at the given steps (threshold 1, one unit of input at those steps).
    fn spiking_at(steps: &[usize]) -> Input {
        let mut v = vec![0.0; steps.iter().max().map_or(0, |m| m + 1)];
        for &s in steps {
            v[s] = 1.0;
        }
        Input::Steps(v)
    }

    fn pre_post(net: &mut Network, n_pre: usize, n_post: usize) -> (GroupId<Acc>, GroupId<Acc>) {
        let pre = net
            .add_neurons(
                "pre",
                n_pre,
                Acc {
                    th: 1.0,
                    ..Acc::default()
                },
            )
            .unwrap();
        let post = net.add_neurons("post", n_post, Acc::default()).unwrap();
        (pre, post)
    }

    #[test]
    fn step_counts_follow_arange() {
        assert_eq!(steps_for(30.0, 0.1), Ok(300));
        assert_eq!(steps_for(100.0, 0.1), Ok(1000));
        assert_eq!(steps_for(1020.0, 0.1), Ok(10_200));
        assert_eq!(steps_for(0.0, 0.1), Ok(0));
        assert_eq!(steps_for(0.05, 0.1), Ok(1));
        assert_eq!(steps_for(0.25, 0.1), Ok(3));
        for d in [-1.0, f64::NAN, f64::INFINITY, 1e9] {
            assert!(
                matches!(steps_for(d, 0.1), Err(Error::InvalidDuration { .. })),
                "{d}"
            );
        }
        for dt in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(Network::new(dt), Err(Error::InvalidDt { .. })),
                "{dt}"
            );
        }
        let mut n = net();
        assert!(matches!(n.run(-1.0), Err(Error::InvalidDuration { .. })));
        assert_eq!(n.step_index(), 0);
    }

    #[test]
    fn time_is_step_times_dt_across_runs() {
        let mut n = net();
        let g = n.add_neurons("g", 2, Acc::default()).unwrap();
        let m = n.record(g, Acc::t_seen).unwrap();
        n.run(30.0).unwrap();
        n.run(1.0).unwrap();
        assert_eq!(n.step_index(), 310);
        assert_eq!(n.time(), 310.0 * 0.1);
        let tr = n.trace(m);
        assert_eq!(tr.n_rows(), 310);
        for i in 0..310 {
            let t = i as f64 * 0.1;
            assert_eq!(tr.times[i], t);
            assert_eq!(tr.row(i), &[t, t]);
        }
        // Constants prepared with dt and passed to the update.
        assert_eq!(n.group(g).column(Acc::k), &[0.2, 0.2]);
    }

    #[test]
    fn order_pre_syn_post_delivers_in_the_same_step() {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 2, 3);
        let kick = Kick {
            w_cur: 2.0,
            ..Kick::default()
        };
        let syn = n
            .add_synapses("syn", kick, pre, post, &Connect::AllToAll)
            .unwrap();
        n.add_input(pre, spiking_at(&[5]).on([0])).unwrap();
        n.add_input(pre, spiking_at(&[7])).unwrap();
        let v = n.record(post, Acc::v).unwrap();
        let spikes = n.record_spikes(pre).unwrap();
        assert_eq!(n.order(), vec!["pre", "post", "syn"]);
        n.set_order(&[pre.into(), syn.into(), post.into()]).unwrap();
        assert_eq!(n.order(), vec!["pre", "syn", "post"]);
        n.run(1.0).unwrap();
        let tr = n.trace(v);
        assert_eq!(tr.column(0)[4..9], [0.0, 2.0, 2.0, 6.0, 6.0]);
        assert_eq!(tr.row(9), &[6.0, 6.0, 6.0]);
        let sp = n.spike_trace(spikes);
        assert_eq!(sp.steps, vec![5, 7, 7]);
        assert_eq!(sp.indices, vec![0, 0, 1]);
        assert_eq!(sp.counts, vec![2, 1]);
        assert_eq!(n.synapses(syn).column(Kick::n), &[2.0, 1.0]);
        assert_eq!(n.synapses(syn).storage(), Storage::PerPre);
    }

    #[test]
    fn order_pre_post_syn_delivers_one_step_later() {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 1, 1);
        let kick = Kick {
            w_cur: 2.0,
            ..Kick::default()
        };
        n.add_synapses("syn", kick, pre, post, &Connect::AllToAll)
            .unwrap();
        n.add_input(pre, spiking_at(&[5])).unwrap();
        let v = n.record(post, Acc::v).unwrap();
        n.run(1.0).unwrap();
        assert_eq!(n.trace(v).column(0)[4..8], [0.0, 0.0, 2.0, 2.0]);
        assert_eq!(n.order(), vec!["pre", "post", "syn"]);
    }

    #[test]
    fn delays_read_the_value_written_ceil_d_dt_steps_ago() {
        for (delay, steps) in [(0.3, 3usize), (0.25, 3), (0.1, 1), (0.0, 0), (1.0, 10)] {
            let mut n = net();
            let pre = n
                .add_neurons(
                    "pre",
                    1,
                    Acc {
                        th: 1.0,
                        ..Acc::default()
                    },
                )
                .unwrap();
            let kick = Kick {
                w_cur: 1.0,
                delay,
                ..Kick::default()
            };
            let post = n.add_neurons("post", 1, Acc::default()).unwrap();
            let syn = n
                .add_synapses("syn", kick, pre, post, &Connect::AllToAll)
                .unwrap();
            // Post after the synapse in the schedule would also work; here post runs first, so
            // the current is consumed one step after delivery.
            n.add_input(pre, spiking_at(&[2, 4])).unwrap();
            let v = n.record(post, Acc::v).unwrap();
            // Split the run so in-flight values must survive between runs.
            n.run(0.3).unwrap();
            n.run(2.0).unwrap();
            assert_eq!(n.synapses(syn).delay_steps()[0], steps);
            let col = n.trace(v).column(0);
            let first = 2 + steps + 1;
            let second = 4 + steps + 1;
            for (k, &x) in col.iter().enumerate() {
                let want = (k >= first) as u8 as f64 + (k >= second) as u8 as f64;
                assert_eq!(x, want, "delay {delay}: step {k}");
            }
        }
    }

    #[test]
    fn conductance_voltage_and_pre_outputs() {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 1, 2);
        let kick = Kick {
            w_cond: 0.5,
            e: 10.0,
            w_volt: 3.0,
            w_pre: 0.25,
            ..Kick::default()
        };
        let syn = n
            .add_synapses("syn", kick, pre, post, &Connect::AllToAll)
            .unwrap();
        n.set_order(&[pre.into(), syn.into(), post.into()]).unwrap();
        n.add_input(pre, spiking_at(&[2])).unwrap();
        n.group_mut(post).set(Acc::v, &[4.0, -6.0]).unwrap();
        let vp = n.record(post, Acc::v).unwrap();
        let vpre = n.record(pre, Acc::v).unwrap();
        n.run(0.5).unwrap();
        // Step 2, in output order: the conductance current −0.5·(v − 10) with v = (4, −6) gives
        // inputs (3, 8); the voltage jump makes v = (7, −3); the post update adds the inputs.
        assert_eq!(n.trace(vp).row(1), &[4.0, -6.0]);
        assert_eq!(n.trace(vp).row(2), &[10.0, 5.0]);
        assert_eq!(n.trace(vp).row(3), &[10.0, 5.0]);
        // The pre group gets 2 · 0.25 into its input at step 2 (after its update), used at step 3.
        assert_eq!(n.trace(vpre).column(0), vec![0.0, 0.0, 0.0, 0.5, 0.5]);
    }

    #[test]
    fn self_connection_delivers_to_the_same_group() {
        let mut n = net();
        let g = n
            .add_neurons(
                "g",
                3,
                Acc {
                    th: 1.0,
                    ..Acc::default()
                },
            )
            .unwrap();
        let kick = Kick {
            w_cur: 0.25,
            w_pre: 0.125,
            ..Kick::default()
        };
        let syn = n
            .add_synapses("rec", kick, g, g, &Connect::AllToAllNoSelf)
            .unwrap();
        n.add_input(g, spiking_at(&[1]).on([0])).unwrap();
        let v = n.record(g, Acc::v).unwrap();
        n.run(0.3).unwrap();
        assert_eq!(n.synapses(syn).n_syn(), 6);
        // Neuron 0 spikes at step 1 (two synapses): 0.25 to each of 1 and 2, 2·0.125 back to 0.
        assert_eq!(n.trace(v).row(2), &[0.25, 0.25, 0.25]);
    }

    #[test]
    fn a_rejected_synapse_monitor_changes_nothing() {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 2, 3);
        let syn = n
            .add_synapses("syn", Kick::default(), pre, post, &Connect::AllToAll)
            .unwrap();
        n.synapses_mut(syn).set(Kick::n, &[4.0, 5.0]).unwrap();
        let sel = Recording::default().indices([2]);
        let e = n.record_synapses_with(syn, Kick::n, &sel).unwrap_err();
        assert_eq!(
            e,
            Error::IndexOutOfRange {
                object: "syn".into(),
                index: 2,
                len: 2
            }
        );
        assert_eq!(n.synapses(syn).storage(), Storage::PerPre);
        assert_eq!(n.synapses(syn).column(Kick::n), &[4.0, 5.0]);
    }

    /// A monitor records the storage the group has, named after it; `set_storage` is the way
    /// to record per synapse, and it is refused once a monitor or a run depends on the layout.
    #[test]
    fn synapse_monitors_record_the_storage_the_group_has() {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 2, 3);
        let syn = n
            .add_synapses("syn", Kick::default(), pre, post, &Connect::AllToAll)
            .unwrap();
        assert_eq!(n.synapses(syn).storage(), Storage::PerPre);
        let per_pre = n.record_synapses(syn, Kick::n).unwrap();
        assert_eq!(n.synapses(syn).storage(), Storage::PerPre);
        assert_eq!(n.trace(per_pre).names, ["n[pre:0]", "n[pre:1]"]);
        // The layout is fixed once a monitor records it.
        let e = n.set_storage(syn, Storage::PerSynapse).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{e}");

        let mut n = net();
        let (pre, post) = pre_post(&mut n, 2, 3);
        let syn = n
            .add_synapses("syn", Kick::default(), pre, post, &Connect::AllToAll)
            .unwrap();
        n.set_storage(syn, Storage::PerSynapse).unwrap();
        assert_eq!(n.synapses(syn).len(), 6);
        let m = n.record_synapses(syn, Kick::n).unwrap();
        let sel = Recording::default().indices([5, 0]).every(3);
        let m2 = n.record_synapses_with(syn, Kick::n, &sel).unwrap();
        n.add_input(pre, spiking_at(&[1]).on([1])).unwrap();
        n.run(0.7).unwrap();
        let tr = n.trace(m);
        assert_eq!(tr.n_cols, 6);
        assert_eq!(tr.names[4], "n[4]");
        assert_eq!(tr.row(0), &[0.0; 6]);
        assert_eq!(tr.row(1), &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        let tr2 = n.trace(m2);
        assert_eq!(
            tr2.times,
            vec![0.0, 0.30000000000000004, 0.6000000000000001]
        );
        assert_eq!(tr2.column(0), vec![0.0, 1.0, 1.0]);
        assert_eq!(tr2.column(1), vec![0.0, 0.0, 0.0]);
        let e = n.set_storage(syn, Storage::PerPre).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
        let e = n.set_storage(syn, Storage::PerPost).unwrap_err();
        assert!(matches!(e, Error::StorageNotSupported { .. }), "{e}");
        assert_eq!(n.set_storage(syn, Storage::PerSynapse), Ok(()));
    }

    #[test]
    fn sections_input_and_parameter_changes_between_runs() {
        let mut n = net();
        let g = n.add_neurons("g", 2, Acc::default()).unwrap();
        n.add_input(g, Input::Sections(vec![(25.0, 0.2), (1.0, 0.1)]))
            .unwrap();
        n.add_input(g, Input::Constant(0.5).on([1])).unwrap();
        let v = n.record(g, Acc::v).unwrap();
        n.run(0.5).unwrap();
        assert_eq!(n.trace(v).column(0), vec![25.0, 50.0, 51.0, 51.0, 51.0]);
        assert_eq!(n.trace(v).column(1), vec![25.5, 51.0, 52.5, 53.0, 53.5]);
        // A threshold change applies from the next run on.
        n.set_param(g, "th", 53.0).unwrap();
        assert_eq!(n.param(g, "th"), Ok(53.0));
        n.run(0.1).unwrap();
        assert_eq!(n.group(g).column(Acc::v), &[51.0, 0.0]);
        assert_eq!(n.group(g).t_last_spike()[1], 0.5);
        assert_eq!(n.group(g).spikes(), &[false, true]);
    }

    #[test]
    fn non_finite_state_stops_the_run() {
        let failing = |threads: usize| {
            let mut n = net();
            n.set_threads(threads).unwrap();
            let cells = Acc {
                faults: Faults {
                    fail_at: 1.0,
                    ..Faults::default()
                },
                ..Acc::default()
            };
            let g = n.add_neurons("cells", 3, cells).unwrap();
            (n, g)
        };
        // Neuron 1 fails at t = 1 ms; with 3 threads it is the second thread's: the same error.
        let (mut three, _) = failing(3);
        let on_three = three.run(2.0).unwrap_err().to_string();
        assert_eq!(three.step_index(), 10);
        let (mut n, g) = failing(1);
        let e = n.run(2.0).unwrap_err();
        assert_eq!(on_three, e.to_string());
        let Error::NonFinite {
            object,
            variable,
            index,
            step,
            value,
        } = e.clone()
        else {
            panic!("{e}")
        };
        assert_eq!(
            (object.as_str(), variable.as_str(), index, step),
            ("cells", "v", 1, 10)
        );
        assert!(value.is_nan());
        assert_eq!(n.step_index(), 10);
        assert_eq!(
            e.to_string(),
            "non-finite value NaN in `cells`.v[1] at step 10"
        );
        // With the check off, the run goes on.
        n.set_check_finite(false);
        n.run(0.2).unwrap();
        assert!(n.group(g).column(Acc::v)[1].is_nan());

        let mut n = net();
        let (pre, post) = pre_post(&mut n, 2, 1);
        let kick = Kick {
            fail: 1.0,
            ..Kick::default()
        };
        n.add_synapses("syn", kick, pre, post, &Connect::AllToAll)
            .unwrap();
        n.add_input(pre, spiking_at(&[3]).on([1])).unwrap();
        let e = n.run(1.0).unwrap_err();
        assert!(
            matches!(&e, Error::NonFinite { object, index: 1, step: 3, .. } if object == "syn"),
            "{e}"
        );
    }

    /// A panic in a model's code on one thread reaches the caller; the other threads do not wait
    /// for it forever.
    #[test]
    fn a_panic_in_a_model_reaches_the_caller_on_any_thread() {
        for threads in [1, 3] {
            let mut n = net();
            n.set_threads(threads).unwrap();
            let cells = Acc {
                faults: Faults {
                    panic_at: 1.0,
                    ..Faults::default()
                },
                ..Acc::default()
            };
            n.add_neurons("cells", 3, cells).unwrap();
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| n.run(2.0)));
            assert!(ran.is_err(), "{threads} threads");
        }
    }

    #[test]
    fn bad_arguments_are_errors() {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 2, 3);
        let e = n.add_neurons("pre", 1, Acc::default()).unwrap_err();
        assert_eq!(e, Error::DuplicateName { name: "pre".into() });
        assert!(matches!(
            n.add_neurons("", 1, Acc::default()),
            Err(Error::InvalidInput { .. })
        ));
        let e = n.add_synapses("post", Kick::default(), pre, post, &Connect::AllToAll);
        assert_eq!(
            e.unwrap_err(),
            Error::DuplicateName {
                name: "post".into()
            }
        );
        let e = n
            .add_synapses("s", Kick::default(), pre, post, &Connect::OneToOne)
            .unwrap_err();
        assert_eq!(
            e,
            Error::SizeMismatch {
                object: "s".into(),
                expected: 2,
                got: 3
            }
        );
        let bad_p = Connect::FixedProb { p: 2.0, seed: 0 };
        let e = n
            .add_synapses("s", Kick::default(), pre, post, &bad_p)
            .unwrap_err();
        assert_eq!(
            e,
            Error::InvalidProbability {
                object: "s".into(),
                p: 2.0
            }
        );

        // Handles of another network.
        let mut other = net();
        let foreign = other.add_neurons("x", 1, Acc::default()).unwrap();
        assert!(matches!(
            n.record(foreign, Acc::v),
            Err(Error::UnknownObject { .. })
        ));
        assert!(matches!(
            n.add_input(foreign, Input::Constant(1.0)),
            Err(Error::UnknownObject { .. })
        ));
        assert!(matches!(
            n.try_group(foreign),
            Err(Error::UnknownObject { .. })
        ));
        let e = n.add_synapses("s", Kick::default(), pre, foreign, &Connect::AllToAll);
        assert!(matches!(e, Err(Error::UnknownObject { .. })));
        let (m, sm) = (
            other.record(foreign, Acc::v).unwrap(),
            other.record_spikes(foreign).unwrap(),
        );
        assert!(matches!(n.try_trace(m), Err(Error::UnknownObject { .. })));
        assert!(matches!(
            n.try_spike_trace(sm),
            Err(Error::UnknownObject { .. })
        ));
        assert!(other.try_trace(m).is_ok() && other.try_spike_trace(sm).is_ok());

        // Lookups by name.
        assert_eq!(n.group_named::<Acc>("pre"), Ok(pre));
        assert_eq!(
            n.group_named::<Silent>("pre").unwrap_err().to_string(),
            "the network has no neuron group named `pre` of model `Silent`"
        );
        assert!(matches!(
            n.synapses_named::<Kick>("nope"),
            Err(Error::NoSuchObject { .. })
        ));

        // Methods.
        let e = n.set_method(pre, Method::ExpEuler).unwrap_err();
        assert_eq!(
            e,
            Error::MethodNotSupported {
                object: "pre".into(),
                method: "exp_euler".into(),
                supported: "euler, rk4".into()
            }
        );
        n.set_method(pre, Method::Rk4).unwrap();
        assert_eq!(n.method(pre), Ok(Method::Rk4));
        let syn = n
            .add_synapses("s", Kick::default(), pre, post, &Connect::AllToAll)
            .unwrap();
        assert!(matches!(
            n.set_method(syn, Method::Rk4),
            Err(Error::MethodNotSupported { .. })
        ));

        // Parameters.
        let e = n.set_param(syn, "tau", 1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model `Kick` has no parameter `tau` (known parameters: w_cur, w_cond, w_volt, \
             w_pre, e, delay, fail)"
        );
        let e = n.set_param(pre, "th", f64::NAN).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }));
        assert!(matches!(
            n.param(pre, "nope"),
            Err(Error::UnknownParameter { .. })
        ));

        // Monitors and inputs.
        let empty = n.add_neurons("empty", 0, Acc::default()).unwrap();
        assert_eq!(
            n.record(empty, Acc::v).unwrap_err(),
            Error::EmptyGroup {
                object: "empty".into()
            }
        );
        assert!(matches!(
            n.record_spikes(empty),
            Err(Error::EmptyGroup { .. })
        ));
        let sel = Recording::default().indices([0, 3]);
        let e = n.record_with(post, Acc::v, &sel).unwrap_err();
        assert_eq!(
            e,
            Error::IndexOutOfRange {
                object: "post".into(),
                index: 3,
                len: 3
            }
        );
        let e = n.add_input(post, Input::Constant(1.0).on([7])).unwrap_err();
        assert_eq!(
            e,
            Error::IndexOutOfRange {
                object: "post".into(),
                index: 7,
                len: 3
            }
        );
        let e = n.group_mut(post).set(Acc::v, &[1.0]).unwrap_err();
        assert_eq!(
            e,
            Error::SizeMismatch {
                object: "post".into(),
                expected: 3,
                got: 1
            }
        );
        assert!(matches!(
            n.group_mut(post).set_all(Acc::v, f64::NAN),
            Err(Error::InvalidInput { .. })
        ));
        let bogus: Var<Acc> = Var::new(9, "bogus");
        assert!(matches!(
            n.record(post, bogus),
            Err(Error::IndexOutOfRange { .. })
        ));

        // Delays are checked when a run starts.
        n.set_param(syn, "delay", -0.5).unwrap();
        let e = n.run(1.0).unwrap_err();
        assert_eq!(
            e,
            Error::NegativeDelay {
                object: "s".into(),
                delay: -0.5
            }
        );
        assert_eq!(n.step_index(), 0);

        // Outputs that need a membrane potential.
        let silent = n.add_neurons("silent", 2, Silent).unwrap();
        let e = n
            .add_synapses("s2", Kick::default(), pre, silent, &Connect::AllToAll)
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput { ref object, .. } if object == "s2"),
            "{e}"
        );
    }

    #[test]
    fn set_order_checks_the_permutation() {
        let mut n = net();
        let (pre, post) = pre_post(&mut n, 1, 1);
        let syn = n
            .add_synapses("syn", Kick::default(), pre, post, &Connect::AllToAll)
            .unwrap();
        let e = n.set_order(&[pre.into(), syn.into()]).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { object, .. } if object == "post"),
            "{e}"
        );
        let e = n
            .set_order(&[pre.into(), syn.into(), pre.into()])
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { object, .. } if object == "pre"),
            "{e}"
        );
        let mut other = net();
        let x = other.add_neurons("x", 1, Acc::default()).unwrap();
        let e = n
            .set_order(&[pre.into(), syn.into(), x.into()])
            .unwrap_err();
        assert!(matches!(e, Error::UnknownObject { .. }), "{e}");
        assert_eq!(n.order(), vec!["pre", "post", "syn"]);
        n.set_order(&[syn.into(), post.into(), pre.into()]).unwrap();
        assert_eq!(n.order(), vec!["syn", "post", "pre"]);
    }

    #[test]
    fn monitors_do_not_reallocate_during_a_run() {
        let mut n = net();
        let g = n.add_neurons("g", 4, Acc::default()).unwrap();
        let m = n
            .record_with(g, Acc::v, &Recording::default().every(7))
            .unwrap();
        n.run(100.0).unwrap();
        let tr = n.trace(m);
        assert_eq!(tr.n_rows(), 1000usize.div_ceil(7));
        assert_eq!(tr.values.capacity(), tr.values.len());
        assert_eq!(tr.times[1], 0.7000000000000001);
    }

    #[test]
    fn fixed_prob_network_reproducible() {
        let build = |seed| {
            let mut n = net();
            let (pre, post) = pre_post(&mut n, 50, 40);
            let c = Connect::FixedProb { p: 0.1, seed };
            let s = n.add_synapses("s", Kick::default(), pre, post, &c).unwrap();
            n.synapses(s).conn().clone()
        };
        assert_eq!(build(3), build(3));
        assert_ne!(build(3), build(4));
    }

    #[test]
    fn network_is_send_and_handles_are_small() {
        fn send<T: Send + Sync>() {}
        send::<Network>();
        assert!(std::mem::size_of::<GroupId<Acc>>() <= 16);
        let mut n = net();
        let g = n.add_neurons("g", 1, Acc::default()).unwrap();
        let copy = g;
        assert_eq!(copy, g);
        assert!(format!("{g:?}").starts_with("GroupId(network "));
        assert!(format!("{n:?}").contains("order: [\"g\"]"));
    }
}
