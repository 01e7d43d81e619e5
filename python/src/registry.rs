//! From a model's name to code generic over its type: the registry of the models an extension
//! module serves.
//!
//! Python names a model by a string; the runtime takes typed handles (`View<M>`,
//! `Projection<S>`, `Var<M>`). A [`Registry`] holds, for every model, an object whose methods are
//! the runtime's calls monomorphised for that model (`Kind<M>` behind `dyn NeuronKind` or
//! `dyn SynapseKind`), and for every (synapse, target neuron) pair the function that adds a
//! projection of that synapse onto that neuron. [`Registry::builtin`] holds the built-in models;
//! a user's crate adds its own with [`Registry::neuron`], [`Registry::synapse`] and
//! [`Registry::projection`], which the [`export!`](crate::export) macro calls. The generic code
//! is instantiated in the crate that registers the model, so a user's models need nothing of
//! this crate but its public API.

use std::marker::PhantomData;

use neurode::models::*;
use neurode::runtime::{
    self as rt, AnyNeuron, Connect, Input, InputId, ModelInfo, Network, NeuronModel, ObjectId,
    PoissonInput, PoissonSource, RateMonitor, SpikeMonitor, SpikeTrain, StateMonitor, Storage,
    SynapseModel, Values, View,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{error, param, var, with_params};

/// The neurons a call is about: a population's name and the population indices of a view's
/// members (ascending), `None` for the whole population.
#[derive(Clone, Copy)]
pub(crate) struct Sel<'a> {
    pub(crate) name: &'a str,
    pub(crate) members: Option<&'a [usize]>,
}

/// The synapses a call is about: a projection's name and the indices of some of its synapses,
/// `None` for all.
#[derive(Clone, Copy)]
pub(crate) struct SynSel<'a> {
    pub(crate) name: &'a str,
    pub(crate) elements: Option<&'a [usize]>,
}

fn view<M: NeuronModel>(net: &Network, sel: Sel<'_>) -> PyResult<View<M>> {
    let p = net.find_population::<M>(sel.name).map_err(error)?;
    match sel.members {
        None => Ok(p.all()),
        Some(m) => p.pick(m).map_err(error),
    }
}

fn projection<S: SynapseModel>(net: &Network, name: &str) -> PyResult<rt::Projection<S>> {
    net.find_projection::<S>(name).map_err(error)
}

/// The runtime's calls on a population of one neuron model.
pub(crate) trait NeuronKind: Send + Sync {
    fn info(&self) -> &'static ModelInfo;
    /// Whether projections may target the model (not a source).
    fn is_target(&self) -> bool;
    fn add(
        &self,
        net: &mut Network,
        name: &str,
        n: usize,
        params: &Bound<'_, PyDict>,
        preset: Option<&str>,
    ) -> PyResult<()>;
    fn object(&self, net: &Network, sel: Sel<'_>) -> PyResult<ObjectId>;
    fn erased(&self, net: &Network, sel: Sel<'_>) -> PyResult<View<AnyNeuron>>;
    fn set(&self, net: &mut Network, sel: Sel<'_>, var: &str, vals: Values) -> PyResult<()>;
    fn get(&self, net: &Network, sel: Sel<'_>, var: &str) -> PyResult<Vec<f64>>;
    fn set_param(&self, net: &mut Network, sel: Sel<'_>, name: &str, value: f64) -> PyResult<()>;
    fn param(&self, net: &Network, sel: Sel<'_>, name: &str) -> PyResult<f64>;
    fn set_param_action(
        &self,
        net: &Network,
        sel: Sel<'_>,
        name: &str,
        value: f64,
    ) -> PyResult<rt::Action>;
    fn add_input(&self, net: &mut Network, sel: Sel<'_>, input: Input) -> PyResult<InputId>;
    fn add_poisson_input(
        &self,
        net: &mut Network,
        sel: Sel<'_>,
        var: &str,
        input: &PoissonInput,
    ) -> PyResult<InputId>;
    fn record(
        &self,
        net: &mut Network,
        sel: Sel<'_>,
        var: &str,
        every: u64,
    ) -> PyResult<StateMonitor>;
    fn record_spikes(&self, net: &mut Network, sel: Sel<'_>, times: bool)
        -> PyResult<SpikeMonitor>;
    fn record_rate(&self, net: &mut Network, sel: Sel<'_>, bin: f64) -> PyResult<RateMonitor>;
}

/// How a population of `M` is made from Python.
enum Make<M> {
    /// The model the function makes (`M::default`), with the parameters given.
    Default(fn() -> M),
    /// As `Default`, or from a named preset (the function, and the names for the error).
    Presets(fn() -> M, fn(&str) -> Option<M>, &'static str),
    /// Not from `add_population`: a source, made by the function named.
    Source(&'static str),
}

struct NeuronEntry<M> {
    make: Make<M>,
}

impl<M: NeuronModel> NeuronKind for NeuronEntry<M> {
    fn info(&self) -> &'static ModelInfo {
        M::INFO
    }

    fn is_target(&self) -> bool {
        !matches!(self.make, Make::Source(_))
    }

    fn add(
        &self,
        net: &mut Network,
        name: &str,
        n: usize,
        params: &Bound<'_, PyDict>,
        preset: Option<&str>,
    ) -> PyResult<()> {
        let model_name = M::INFO.name;
        let base = match (&self.make, preset) {
            (Make::Source(with), _) => {
                return Err(PyTypeError::new_err(format!(
                    "`{model_name}` is a source: add it with {with}"
                )))
            }
            (Make::Default(default) | Make::Presets(default, ..), None) => default(),
            (Make::Presets(_, get, known), Some(p)) => get(p).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "`{model_name}` has no preset `{p}`; its presets: {known}"
                ))
            })?,
            (Make::Default(_), Some(_)) => {
                return Err(PyValueError::new_err(format!(
                    "model `{model_name}` has no presets"
                )))
            }
        };
        let m = with_params(base, params)?;
        net.add_population(name, n, m).map_err(error)?;
        Ok(())
    }

    fn object(&self, net: &Network, sel: Sel<'_>) -> PyResult<ObjectId> {
        Ok(view::<M>(net, sel)?.population().into())
    }

    fn erased(&self, net: &Network, sel: Sel<'_>) -> PyResult<View<AnyNeuron>> {
        Ok(view::<M>(net, sel)?.erased())
    }

    fn set(&self, net: &mut Network, sel: Sel<'_>, name: &str, vals: Values) -> PyResult<()> {
        let v = view::<M>(net, sel)?;
        net.set(v, var::<M>(name)?, vals).map_err(error)
    }

    fn get(&self, net: &Network, sel: Sel<'_>, name: &str) -> PyResult<Vec<f64>> {
        let p = view::<M>(net, sel)?.population();
        let group = net.population(p).map_err(error)?;
        Ok(group.column(var::<M>(name)?).to_vec())
    }

    fn set_param(&self, net: &mut Network, sel: Sel<'_>, name: &str, value: f64) -> PyResult<()> {
        let v = view::<M>(net, sel)?;
        net.set_param(v, param::<M>(name)?, value).map_err(error)
    }

    fn param(&self, net: &Network, sel: Sel<'_>, name: &str) -> PyResult<f64> {
        let v = view::<M>(net, sel)?;
        net.param(v, param::<M>(name)?).map_err(error)
    }

    fn set_param_action(
        &self,
        net: &Network,
        sel: Sel<'_>,
        name: &str,
        value: f64,
    ) -> PyResult<rt::Action> {
        let v = view::<M>(net, sel)?;
        Ok(rt::Action::set_param(v, param::<M>(name)?, value))
    }

    fn add_input(&self, net: &mut Network, sel: Sel<'_>, input: Input) -> PyResult<InputId> {
        let v = view::<M>(net, sel)?;
        net.add_input(v, input).map_err(error)
    }

    fn add_poisson_input(
        &self,
        net: &mut Network,
        sel: Sel<'_>,
        name: &str,
        input: &PoissonInput,
    ) -> PyResult<InputId> {
        let v = view::<M>(net, sel)?;
        net.add_poisson_input(v, var::<M>(name)?, input)
            .map_err(error)
    }

    fn record(
        &self,
        net: &mut Network,
        sel: Sel<'_>,
        name: &str,
        every: u64,
    ) -> PyResult<StateMonitor> {
        let v = view::<M>(net, sel)?;
        net.record_every(v, var::<M>(name)?, every).map_err(error)
    }

    fn record_spikes(
        &self,
        net: &mut Network,
        sel: Sel<'_>,
        times: bool,
    ) -> PyResult<SpikeMonitor> {
        let v = view::<M>(net, sel)?;
        if times {
            net.record_spikes(v)
        } else {
            net.count_spikes(v)
        }
        .map_err(error)
    }

    fn record_rate(&self, net: &mut Network, sel: Sel<'_>, bin: f64) -> PyResult<RateMonitor> {
        let v = view::<M>(net, sel)?;
        net.record_rate(v, bin).map_err(error)
    }
}

/// The runtime's calls on a projection of one synapse model.
pub(crate) trait SynapseKind: Send + Sync {
    fn info(&self) -> &'static ModelInfo;
    fn object(&self, net: &Network, name: &str) -> PyResult<ObjectId>;
    fn set(&self, net: &mut Network, sel: SynSel<'_>, var: &str, vals: Values) -> PyResult<()>;
    fn get(&self, net: &Network, name: &str, var: &str) -> PyResult<Vec<f64>>;
    /// The presynaptic and postsynaptic neuron of every synapse, in synapse order.
    fn connections(&self, net: &Network, name: &str) -> PyResult<(Vec<u32>, Vec<u32>)>;
    fn set_param(&self, net: &mut Network, name: &str, param: &str, value: f64) -> PyResult<()>;
    fn param(&self, net: &Network, name: &str, param: &str) -> PyResult<f64>;
    fn set_param_action(
        &self,
        net: &Network,
        name: &str,
        param: &str,
        value: f64,
    ) -> PyResult<rt::Action>;
    fn set_storage(&self, net: &mut Network, name: &str, storage: Storage) -> PyResult<()>;
    fn set_delays(&self, net: &mut Network, name: &str, vals: Values) -> PyResult<()>;
    fn set_post_variable(
        &self,
        net: &mut Network,
        name: &str,
        post_name: &str,
        variable: &str,
    ) -> PyResult<()>;
    fn ignore_post_variable(&self, net: &mut Network, name: &str, post_name: &str) -> PyResult<()>;
    fn record(
        &self,
        net: &mut Network,
        sel: SynSel<'_>,
        var: &str,
        every: u64,
    ) -> PyResult<StateMonitor>;
}

struct SynapseEntry<S>(PhantomData<fn() -> S>);

impl<S: SynapseModel> SynapseKind for SynapseEntry<S> {
    fn info(&self) -> &'static ModelInfo {
        S::INFO
    }

    fn object(&self, net: &Network, name: &str) -> PyResult<ObjectId> {
        Ok(projection::<S>(net, name)?.into())
    }

    fn set(&self, net: &mut Network, sel: SynSel<'_>, name: &str, vals: Values) -> PyResult<()> {
        let p = projection::<S>(net, sel.name)?;
        let v = var::<S>(name)?;
        match sel.elements {
            None => net.set(p, v, vals),
            Some(e) => net.set(p.elements(e), v, vals),
        }
        .map_err(error)
    }

    fn get(&self, net: &Network, name: &str, var_name: &str) -> PyResult<Vec<f64>> {
        let p = projection::<S>(net, name)?;
        let group = net.projection(p).map_err(error)?;
        Ok(group.column(var::<S>(var_name)?).to_vec())
    }

    fn connections(&self, net: &Network, name: &str) -> PyResult<(Vec<u32>, Vec<u32>)> {
        let p = projection::<S>(net, name)?;
        let csr = net.projection(p).map_err(error)?.conn();
        let mut pre = Vec::with_capacity(csr.n_syn());
        for i in 0..csr.n_pre() {
            pre.extend(std::iter::repeat_n(i as u32, csr.range(i).len()));
        }
        Ok((pre, csr.post.to_vec()))
    }

    fn set_param(&self, net: &mut Network, name: &str, p: &str, value: f64) -> PyResult<()> {
        let id = projection::<S>(net, name)?;
        net.set_param(id, param::<S>(p)?, value).map_err(error)
    }

    fn param(&self, net: &Network, name: &str, p: &str) -> PyResult<f64> {
        let id = projection::<S>(net, name)?;
        net.param(id, param::<S>(p)?).map_err(error)
    }

    fn set_param_action(
        &self,
        net: &Network,
        name: &str,
        p: &str,
        value: f64,
    ) -> PyResult<rt::Action> {
        let id = projection::<S>(net, name)?;
        Ok(rt::Action::set_param(id, param::<S>(p)?, value))
    }

    fn set_storage(&self, net: &mut Network, name: &str, storage: Storage) -> PyResult<()> {
        let id = projection::<S>(net, name)?;
        net.set_storage(id, storage).map_err(error)
    }

    fn set_delays(&self, net: &mut Network, name: &str, vals: Values) -> PyResult<()> {
        let id = projection::<S>(net, name)?;
        net.set_delays(id, vals).map_err(error)
    }

    fn set_post_variable(
        &self,
        net: &mut Network,
        name: &str,
        post_name: &str,
        variable: &str,
    ) -> PyResult<()> {
        let id = projection::<S>(net, name)?;
        net.set_post_variable(id, post_name, variable)
            .map_err(error)
    }

    fn ignore_post_variable(&self, net: &mut Network, name: &str, post_name: &str) -> PyResult<()> {
        let id = projection::<S>(net, name)?;
        net.ignore_post_variable(id, post_name).map_err(error)
    }

    fn record(
        &self,
        net: &mut Network,
        sel: SynSel<'_>,
        name: &str,
        every: u64,
    ) -> PyResult<StateMonitor> {
        let p = projection::<S>(net, sel.name)?;
        let v = var::<S>(name)?;
        match sel.elements {
            None => net.record_every(p, v, every),
            Some(e) => net.record_every(p.elements(e), v, every),
        }
        .map_err(error)
    }
}

/// Adds a projection of one synapse model onto one target model: its name, the synapse
/// model's parameters, the presynaptic view, the postsynaptic view and the rule.
pub(crate) type AddProjection =
    fn(&mut Network, &str, &Bound<'_, PyDict>, View<AnyNeuron>, Sel<'_>, &Connect) -> PyResult<()>;

fn add_projection<S: SynapseModel + Default, B: NeuronModel>(
    net: &mut Network,
    name: &str,
    params: &Bound<'_, PyDict>,
    pre: View<AnyNeuron>,
    post: Sel<'_>,
    conn: &Connect,
) -> PyResult<()> {
    let model = with_params(S::default(), params)?;
    let post = view::<B>(net, post)?;
    net.add_projection(name, model, pre, post, conn)
        .map_err(error)?;
    Ok(())
}

/// Runs `$body` once with `$B` each built-in neuron model a projection can target.
macro_rules! each_builtin_target {
    ($B:ident => $body:expr) => {{
        each_builtin_target!(@ $B, $body; Lif LifCoba AdEx ExpIf Izhikevich HodgkinHuxley Clamp
            IafPscExp IafDelta VogelsLif BwLif);
    }};
    (@ $B:ident, $body:expr; $($m:ident)*) => {
        $({
            type $B = $m;
            $body;
        })*
    };
}

/// Runs `$body` once with `$S` each built-in synapse model.
macro_rules! each_builtin_synapse {
    ($S:ident => $body:expr) => {{
        each_builtin_synapse!(@ $S, $body; Ampa Nmda GabaA GabaAMarkov GabaB TwoExponentials
            TwoExponentialsCoba Alpha AlphaCoba Exponential ExponentialCoba VoltageJump Delta
            GapJunction GapJunctionSymmetric TsodyksMarkram Stdp StdpMultiplicative StdpTriplet
            StaticSynapse VogelsIstdp ConductanceKick BwAmpa BwNmda BwGaba);
    }};
    (@ $S:ident, $body:expr; $($m:ident)*) => {
        $({
            type $S = $m;
            $body;
        })*
    };
}

/// The models an extension module serves: their descriptions and the runtime's calls on each,
/// by model name (the name of the model's struct, as Python's classes are named).
///
/// [`Registry::builtin`] is the package's own; a user's crate starts from it and registers its
/// models (see [`export!`](crate::export)). A name registered twice (a user's model named as a
/// built-in one) is refused when the module is imported, with an `ImportError` naming it.
pub struct Registry {
    pub(crate) neurons: Vec<Box<dyn NeuronKind>>,
    pub(crate) synapses: Vec<Box<dyn SynapseKind>>,
    projections: Vec<((&'static str, &'static str), AddProjection)>,
    pub(crate) twice: Vec<&'static str>,
}

impl Registry {
    /// No model at all.
    pub fn empty() -> Registry {
        Registry {
            neurons: Vec::new(),
            synapses: Vec::new(),
            projections: Vec::new(),
            twice: Vec::new(),
        }
    }

    /// Every built-in model (neurons, then the Poisson and spike-train sources, then the
    /// synapses, in `neurode.models`' order), each synapse able to target each neuron.
    pub fn builtin() -> Registry {
        let mut r = Registry::empty();
        r.add_neuron::<Lif>(Make::Default(Lif::default));
        r.add_neuron::<LifCoba>(Make::Default(LifCoba::default));
        r.add_neuron::<AdEx>(Make::Presets(
            AdEx::default,
            AdEx::preset,
            "tonic, adapting, initial_burst, bursting, irregular",
        ));
        r.add_neuron::<ExpIf>(Make::Default(ExpIf::default));
        r.add_neuron::<Izhikevich>(Make::Presets(
            Izhikevich::default,
            Izhikevich::preset,
            "rs, ib, ch, fs, lts",
        ));
        r.add_neuron::<HodgkinHuxley>(Make::Default(HodgkinHuxley::default));
        r.add_neuron::<Clamp>(Make::Default(Clamp::default));
        r.add_neuron::<IafPscExp>(Make::Default(IafPscExp::default));
        r.add_neuron::<IafDelta>(Make::Default(IafDelta::default));
        r.add_neuron::<VogelsLif>(Make::Default(VogelsLif::default));
        r.add_neuron::<BwLif>(Make::Default(BwLif::default));
        r.add_neuron::<PoissonSource>(Make::Source("add_poisson_source"));
        r.add_neuron::<SpikeTrain>(Make::Source("add_spike_train"));
        each_builtin_synapse!(S => {
            r.add_synapse::<S>();
            each_builtin_target!(B => r.projection::<S, B>());
        });
        r
    }

    fn add_neuron<N: NeuronModel>(&mut self, make: Make<N>) {
        if self.neuron_named(N::INFO.name).is_some() || self.synapse_named(N::INFO.name).is_some() {
            self.twice.push(N::INFO.name);
        }
        self.neurons.push(Box::new(NeuronEntry { make }));
    }

    fn add_synapse<S: SynapseModel + Default>(&mut self) {
        if self.neuron_named(S::INFO.name).is_some() || self.synapse_named(S::INFO.name).is_some() {
            self.twice.push(S::INFO.name);
        }
        self.synapses.push(Box::new(SynapseEntry::<S>(PhantomData)));
    }

    /// Registers the neuron model `N` (made from Python as `N::default()` with the parameters
    /// given), and every built-in synapse model onto it.
    pub fn neuron<N: NeuronModel + Default>(&mut self) -> &mut Registry {
        self.add_neuron::<N>(Make::Default(N::default));
        each_builtin_synapse!(S => self.projection::<S, N>());
        self
    }

    /// Registers the synapse model `S`, onto every built-in neuron model.
    pub fn synapse<S: SynapseModel + Default>(&mut self) -> &mut Registry {
        self.add_synapse::<S>();
        each_builtin_target!(B => self.projection::<S, B>());
        self
    }

    /// Lets projections of the synapse model `S` target the neuron model `N` (for pairs of
    /// models that are not both built-in: [`Registry::neuron`] and [`Registry::synapse`] pair
    /// a model with the built-in ones).
    pub fn projection<S: SynapseModel + Default, N: NeuronModel>(&mut self) -> &mut Registry {
        self.projections
            .push(((S::INFO.name, N::INFO.name), add_projection::<S, N>));
        self
    }

    /// The description of every model, neurons first, in the order registered.
    pub fn infos(&self) -> Vec<&'static ModelInfo> {
        self.neurons
            .iter()
            .map(|n| n.info())
            .chain(self.synapses.iter().map(|s| s.info()))
            .collect()
    }

    pub(crate) fn neuron_named(&self, name: &str) -> Option<&dyn NeuronKind> {
        self.neurons
            .iter()
            .find(|n| n.info().name == name)
            .map(|b| &**b)
    }

    pub(crate) fn synapse_named(&self, name: &str) -> Option<&dyn SynapseKind> {
        self.synapses
            .iter()
            .find(|s| s.info().name == name)
            .map(|b| &**b)
    }

    /// How a projection of the synapse model `synapse` onto the neuron model `target` is added.
    pub(crate) fn projection_of(&self, synapse: &str, target: &str) -> Option<AddProjection> {
        self.projections
            .iter()
            .find(|((s, t), _)| *s == synapse && *t == target)
            .map(|(_, f)| *f)
    }
}
