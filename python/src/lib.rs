//! The Rust side of the `neurode` Python package, and the way a user's crate exports its own
//! models to Python.
//!
//! The package's Python code (in `neurode/`) gives the user's nouns (`Population`, views by
//! slicing, `Projection`, monitors); an extension module built from this crate holds the
//! network and reaches the typed runtime by the names of the models through its [`Registry`],
//! so every call is checked by the runtime exactly as from Rust. The package's own module,
//! `neurode._neurode`, serves the built-in models; a user's crate serves its models beside them
//! with one macro, [`export!`]:
//!
//! ```ignore
//! use neurode::prelude::*;
//!
//! #[neuron]
//! pub struct MyLif { /* ... */ }
//!
//! neurode_python::export!(my_models { neurons: [MyLif], synapses: [] });
//! ```
//!
//! and from Python `neurode.extension(my_models)` gives its network class and model classes
//! (see the README's Python section; `neurode.compile` builds such a crate from a source).
//!
//! A target is `(kind, index, members)`: kind `"population"` or `"projection"`, the object's
//! index among its kind, and the population indices of a view's members (ascending) or the
//! elements of a projection; `None` for all.

mod convert;
mod registry;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use neurode::runtime::{
    self as rt, Checkpoint, InputId, Method, ModelInfo, ModelKind, Network, ObjectId, RateMonitor,
    Smoothing, SpikeMonitor, StateMonitor, Storage,
};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods};
use pyo3::exceptions::{PyImportError, PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use convert::{error, floats, values};
pub use registry::Registry;
use registry::{NeuronKind, Sel, SynSel, SynapseKind};

#[doc(hidden)]
pub use pyo3;

/// A numpy vector handed to Python.
type Array<'py, T> = Bound<'py, PyArray1<T>>;

/// Two numpy vectors of the same length.
type Pair<'py, A, B> = PyResult<(Array<'py, A>, Array<'py, B>)>;

/// `(kind, index, members)`: see the module's documentation.
#[derive(FromPyObject)]
struct Target(String, usize, Option<Vec<usize>>);

/// A population as the module keeps it: its name and its model.
struct Pop {
    name: String,
    kind: &'static dyn NeuronKind,
}

/// A projection: its name and its synapse model.
struct Proj {
    name: String,
    kind: &'static dyn SynapseKind,
}

/// The models this module serves, set when it is imported ([`init_module`]).
static REGISTRY: OnceLock<Registry> = OnceLock::new();

fn registry() -> &'static Registry {
    REGISTRY.get_or_init(Registry::builtin)
}

fn not_a_model(name: &str, what: &str) -> PyErr {
    PyTypeError::new_err(format!(
        "`{name}` is not a {what} model of this module ({})",
        module_name()
    ))
}

/// The name of the module this crate was built into, for messages.
fn module_name() -> &'static str {
    MODULE
        .get()
        .map(String::as_str)
        .unwrap_or("neurode._neurode")
}

static MODULE: OnceLock<String> = OnceLock::new();

/// Longest a piece of a run lasts before signals (Ctrl-C) are checked and progress reported.
const PIECE: Duration = Duration::from_millis(100);

/// A network (see `neurode.Network`).
#[pyclass(name = "Network", module = "neurode._neurode")]
struct PyNetwork {
    net: Network,
    pops: Vec<Pop>,
    projs: Vec<Proj>,
    states: Vec<StateMonitor>,
    spike_monitors: Vec<SpikeMonitor>,
    rates: Vec<RateMonitor>,
    inputs: Vec<InputId>,
}

/// What a target names: neurons of a population, or synapses of a projection.
enum Of<'a> {
    Neurons(&'static dyn NeuronKind, Sel<'a>),
    Synapses(&'static dyn SynapseKind, SynSel<'a>),
}

/// What target `t` names, among these populations and projections.
fn of<'a>(pops: &'a [Pop], projs: &'a [Proj], t: &'a Target) -> PyResult<Of<'a>> {
    let missing = |what: &str| PyIndexError::new_err(format!("no {what} #{} in this network", t.1));
    match t.0.as_str() {
        "population" => {
            let p = pops.get(t.1).ok_or_else(|| missing("population"))?;
            Ok(Of::Neurons(
                p.kind,
                Sel {
                    name: &p.name,
                    members: t.2.as_deref(),
                },
            ))
        }
        "projection" => {
            let p = projs.get(t.1).ok_or_else(|| missing("projection"))?;
            Ok(Of::Synapses(
                p.kind,
                SynSel {
                    name: &p.name,
                    elements: t.2.as_deref(),
                },
            ))
        }
        other => Err(PyValueError::new_err(format!(
            "unknown target kind `{other}`"
        ))),
    }
}

fn proj(projs: &[Proj], i: usize) -> PyResult<&Proj> {
    projs
        .get(i)
        .ok_or_else(|| PyIndexError::new_err(format!("no projection #{i} in this network")))
}

/// The neurons population target `t` names (a population or a view of one).
fn neurons<'a>(pops: &'a [Pop], t: &'a Target) -> PyResult<(&'static dyn NeuronKind, Sel<'a>)> {
    let not_neurons =
        || PyTypeError::new_err("this needs neurons (a population or a view), not a projection");
    if t.0 == "projection" {
        return Err(not_neurons());
    }
    match of(pops, &[], t)? {
        Of::Neurons(k, s) => Ok((k, s)),
        Of::Synapses(..) => Err(not_neurons()),
    }
}

impl PyNetwork {
    fn proj(&self, i: usize) -> PyResult<&Proj> {
        proj(&self.projs, i)
    }

    /// What a target names.
    fn of<'a>(&'a self, t: &'a Target) -> PyResult<Of<'a>> {
        of(&self.pops, &self.projs, t)
    }

    fn object(&self, t: &Target) -> PyResult<ObjectId> {
        match self.of(t)? {
            Of::Neurons(k, s) => k.object(&self.net, Sel { members: None, ..s }),
            Of::Synapses(k, s) => k.object(&self.net, s.name),
        }
    }

    fn push_input(&mut self, id: InputId) -> usize {
        self.inputs.push(id);
        self.inputs.len() - 1
    }

    fn state_monitor(&self, i: usize) -> PyResult<StateMonitor> {
        self.states
            .get(i)
            .copied()
            .ok_or_else(|| PyIndexError::new_err(format!("no state monitor #{i}")))
    }

    fn input(&self, i: usize) -> PyResult<InputId> {
        self.inputs
            .get(i)
            .copied()
            .ok_or_else(|| PyIndexError::new_err(format!("no input #{i}")))
    }

    fn add_pop(&mut self, name: &str, kind: &'static dyn NeuronKind) -> usize {
        self.pops.push(Pop {
            name: name.to_string(),
            kind,
        });
        self.pops.len() - 1
    }
}

#[pymethods]
impl PyNetwork {
    /// A network stepping by `dt` ms.
    #[new]
    fn new(dt: f64) -> PyResult<Self> {
        Ok(PyNetwork {
            net: Network::new(dt).map_err(error)?,
            pops: Vec::new(),
            projs: Vec::new(),
            states: Vec::new(),
            spike_monitors: Vec::new(),
            rates: Vec::new(),
            inputs: Vec::new(),
        })
    }

    /// The step, ms.
    #[getter]
    fn dt(&self) -> f64 {
        self.net.dt()
    }

    /// The time reached, ms.
    #[getter]
    fn time(&self) -> f64 {
        self.net.time()
    }

    /// Steps run so far.
    #[getter]
    fn step_index(&self) -> u64 {
        self.net.step_index()
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.net.seed()
    }

    fn set_seed(&mut self, seed: u64) {
        self.net.set_seed(seed);
    }

    #[getter]
    fn threads(&self) -> usize {
        self.net.threads()
    }

    fn set_threads(&mut self, threads: usize) -> PyResult<()> {
        self.net.set_threads(threads).map_err(error)
    }

    #[pyo3(signature = (bytes=None))]
    fn set_memory_budget(&mut self, bytes: Option<u64>) {
        self.net.set_memory_budget(bytes);
    }

    #[getter]
    fn memory_charged(&self) -> u64 {
        self.net.memory_charged()
    }

    /// Objects in schedule order.
    fn order(&self) -> Vec<String> {
        self.net.order().into_iter().map(str::to_string).collect()
    }

    /// Adds `n` neurons of the model named `model` with `params` set; `preset` names a preset
    /// of models that have them (AdEx, Izhikevich). Returns the population's index.
    #[pyo3(signature = (name, n, model, params, preset=None))]
    fn add_population(
        &mut self,
        name: &str,
        n: usize,
        model: &str,
        params: &Bound<'_, PyDict>,
        preset: Option<&str>,
    ) -> PyResult<usize> {
        let kind = registry()
            .neuron_named(model)
            .ok_or_else(|| not_a_model(model, "neuron"))?;
        kind.add(&mut self.net, name, n, params, preset)?;
        Ok(self.add_pop(name, kind))
    }

    /// Adds `n` Poisson sources: one rate (Hz) for all, or one per neuron.
    fn add_poisson_source(
        &mut self,
        name: &str,
        n: usize,
        rates_hz: &Bound<'_, PyAny>,
        seed: u64,
    ) -> PyResult<usize> {
        let source = match rates_hz.extract::<f64>() {
            Ok(r) => rt::PoissonSource::constant(r, seed),
            Err(_) => rt::PoissonSource::per_neuron(floats(rates_hz)?, seed).map_err(error)?,
        };
        let kind = registry()
            .neuron_named("PoissonSource")
            .ok_or_else(|| not_a_model("PoissonSource", "neuron"))?;
        self.net.add_population(name, n, source).map_err(error)?;
        Ok(self.add_pop(name, kind))
    }

    /// Adds one neuron per list of spike times (ms).
    fn add_spike_train(&mut self, name: &str, times: Vec<Vec<f64>>) -> PyResult<usize> {
        let source = rt::SpikeTrain::new(times).map_err(error)?;
        let n = source.n_trains();
        let kind = registry()
            .neuron_named("SpikeTrain")
            .ok_or_else(|| not_a_model("SpikeTrain", "neuron"))?;
        self.net.add_population(name, n, source).map_err(error)?;
        Ok(self.add_pop(name, kind))
    }

    /// Adds a projection of the synapse model named `model` with `params`, from `pre` onto
    /// `post` (population targets) by the rule `connect`. Returns its index.
    fn add_projection(
        &mut self,
        name: &str,
        model: &str,
        params: &Bound<'_, PyDict>,
        pre: Target,
        post: Target,
        connect: &Bound<'_, PyDict>,
    ) -> PyResult<usize> {
        if pre.0 != "population" || post.0 != "population" {
            return Err(PyTypeError::new_err(
                "a projection connects populations or views of them",
            ));
        }
        let conn = convert::connect(connect)?;
        let synapse = registry()
            .synapse_named(model)
            .ok_or_else(|| not_a_model(model, "synapse"))?;
        let (pre_kind, pre_sel) = neurons(&self.pops, &pre)?;
        let pre_view = pre_kind.erased(&self.net, pre_sel)?;
        let (post_kind, post_sel) = neurons(&self.pops, &post)?;
        let post_model = post_kind.info().name;
        let add = registry()
            .projection_of(synapse.info().name, post_model)
            .ok_or_else(|| {
                PyTypeError::new_err(if post_kind.is_target() {
                    format!(
                        "`{model}` cannot target `{post_model}` in this module ({}): register \
                         the pair with Registry::projection",
                        module_name()
                    )
                } else {
                    format!("`{post_model}` cannot be the target of a projection")
                })
            })?;
        add(&mut self.net, name, params, pre_view, post_sel, &conn)?;
        self.projs.push(Proj {
            name: name.to_string(),
            kind: synapse,
        });
        Ok(self.projs.len() - 1)
    }

    /// Sets the stored variable `var` of `target` from a number, a vector or a distribution.
    fn set(&mut self, target: Target, var_name: &str, v: &Bound<'_, PyAny>) -> PyResult<()> {
        let vals = values(v)?;
        let net = &mut self.net;
        match of(&self.pops, &self.projs, &target)? {
            Of::Neurons(k, s) => k.set(net, s, var_name, vals),
            Of::Synapses(k, s) => k.set(net, s, var_name, vals),
        }
    }

    /// The whole stored column `var` of a population or projection (a copy).
    fn get<'py>(
        &self,
        py: Python<'py>,
        target: Target,
        var_name: &str,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let column = match self.of(&target)? {
            Of::Neurons(k, s) => k.get(&self.net, Sel { members: None, ..s }, var_name)?,
            Of::Synapses(k, s) => k.get(&self.net, s.name, var_name)?,
        };
        Ok(column.into_pyarray(py))
    }

    /// The presynaptic and postsynaptic neuron of every synapse, in synapse order.
    fn connections<'py>(&self, py: Python<'py>, index: usize) -> Pair<'py, u32, u32> {
        let p = self.proj(index)?;
        let (pre, post) = p.kind.connections(&self.net, &p.name)?;
        Ok((pre.into_pyarray(py), post.into_pyarray(py)))
    }

    /// Sets a shared parameter of `target` (a population, a view or a projection).
    fn set_param(&mut self, target: Target, name: &str, value: f64) -> PyResult<()> {
        let net = &mut self.net;
        match of(&self.pops, &self.projs, &target)? {
            Of::Neurons(k, s) => k.set_param(net, s, name, value),
            Of::Synapses(k, s) => k.set_param(net, s.name, name, value),
        }
    }

    /// A shared parameter of `target`.
    fn param(&self, target: Target, name: &str) -> PyResult<f64> {
        match self.of(&target)? {
            Of::Neurons(k, s) => k.param(&self.net, s, name),
            Of::Synapses(k, s) => k.param(&self.net, s.name, name),
        }
    }

    /// Sets the integration method (`"exact"`, `"euler"`, `"rk4"`, ...) of an object.
    fn set_method(&mut self, target: Target, method: &str) -> PyResult<()> {
        let m = Method::from_name(method)
            .ok_or_else(|| PyValueError::new_err(format!("unknown method `{method}`")))?;
        let id = self.object(&target)?;
        self.net.set_method(id, m).map_err(error)
    }

    /// The integration method of an object.
    fn method(&self, target: Target) -> PyResult<&'static str> {
        let id = self.object(&target)?;
        Ok(self.net.method(id).map_err(error)?.name())
    }

    /// Sets the schedule: these objects run in this order.
    fn set_order(&mut self, targets: Vec<Target>) -> PyResult<()> {
        let ids = targets
            .iter()
            .map(|t| self.object(t))
            .collect::<PyResult<Vec<_>>>()?;
        self.net.set_order(&ids).map_err(error)
    }

    /// Sets the storage (`"per_synapse"`, `"per_pre"`, `"per_post"`) of a projection.
    fn set_storage(&mut self, index: usize, storage: &str) -> PyResult<()> {
        let s = match storage {
            "per_synapse" => Storage::PerSynapse,
            "per_pre" => Storage::PerPre,
            "per_post" => Storage::PerPost,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown storage `{other}`; known: per_synapse, per_pre, per_post"
                )))
            }
        };
        let p = proj(&self.projs, index)?;
        p.kind.set_storage(&mut self.net, &p.name, s)
    }

    /// Sets one delay per synapse (ms) of a projection.
    fn set_delays(&mut self, index: usize, v: &Bound<'_, PyAny>) -> PyResult<()> {
        let vals = values(v)?;
        let p = proj(&self.projs, index)?;
        p.kind.set_delays(&mut self.net, &p.name, vals)
    }

    /// Binds the postsynaptic variable `name` of a projection's rules to `variable`.
    fn set_post_variable(&mut self, index: usize, name: &str, variable: &str) -> PyResult<()> {
        let p = proj(&self.projs, index)?;
        p.kind
            .set_post_variable(&mut self.net, &p.name, name, variable)
    }

    /// Drops what a projection's rules add to the postsynaptic variable `name`.
    fn ignore_post_variable(&mut self, index: usize, name: &str) -> PyResult<()> {
        let p = proj(&self.projs, index)?;
        p.kind.ignore_post_variable(&mut self.net, &p.name, name)
    }

    /// Adds an input current to a population target; returns the input's index.
    fn add_input(&mut self, target: Target, input: &Bound<'_, PyDict>) -> PyResult<usize> {
        let input = convert::input(input)?;
        let (k, s) = neurons(&self.pops, &target)?;
        let id = k.add_input(&mut self.net, s, input)?;
        Ok(self.push_input(id))
    }

    /// Adds Poisson events onto the variable `var` of a population target.
    fn add_poisson_input(
        &mut self,
        target: Target,
        var_name: &str,
        input: &Bound<'_, PyDict>,
    ) -> PyResult<usize> {
        let input = convert::poisson(input)?;
        let (k, s) = neurons(&self.pops, &target)?;
        let id = k.add_poisson_input(&mut self.net, s, var_name, &input)?;
        Ok(self.push_input(id))
    }

    /// At `t_ms` (a step's start, from step 0), sets the shared parameter `name` of `target`
    /// to `value`, within the run that reaches it.
    fn at_set_param(&mut self, t_ms: f64, target: Target, name: &str, value: f64) -> PyResult<()> {
        let action = match self.of(&target)? {
            Of::Neurons(k, s) => k.set_param_action(&self.net, s, name, value)?,
            Of::Synapses(k, s) => k.set_param_action(&self.net, s.name, name, value)?,
        };
        self.net.at(t_ms, action).map_err(error)
    }

    /// At `t_ms`, switches input `index` on or off.
    fn at_switch_input(&mut self, t_ms: f64, index: usize, on: bool) -> PyResult<()> {
        let id = self.input(index)?;
        self.net
            .at(t_ms, rt::Action::switch_input(id, on))
            .map_err(error)
    }

    /// The times (ms) of the actions still to come.
    fn pending_actions(&self) -> Vec<f64> {
        self.net.pending_actions()
    }

    /// Drops every action still to come.
    fn cancel_actions(&mut self) {
        self.net.cancel_actions();
    }

    /// Switches input `index` on or off.
    fn switch_input(&mut self, index: usize, on: bool) -> PyResult<()> {
        let id = self.input(index)?;
        self.net.switch_input(id, on).map_err(error)
    }

    /// Records `var` of `target` every `every` steps; returns the monitor's index.
    #[pyo3(signature = (target, var_name, every=1))]
    fn record(&mut self, target: Target, var_name: &str, every: u64) -> PyResult<usize> {
        let net = &mut self.net;
        let id = match of(&self.pops, &self.projs, &target)? {
            Of::Neurons(k, s) => k.record(net, s, var_name, every)?,
            Of::Synapses(k, s) => k.record(net, s, var_name, every)?,
        };
        self.states.push(id);
        Ok(self.states.len() - 1)
    }

    /// Records (or, with `times=False`, counts) the spikes of a population target.
    #[pyo3(signature = (target, times=true))]
    fn record_spikes(&mut self, target: Target, times: bool) -> PyResult<usize> {
        let (k, s) = neurons(&self.pops, &target)?;
        let id = k.record_spikes(&mut self.net, s, times)?;
        self.spike_monitors.push(id);
        Ok(self.spike_monitors.len() - 1)
    }

    /// Records the population rate of a population target in bins of `bin` ms.
    fn record_rate(&mut self, target: Target, bin: f64) -> PyResult<usize> {
        let (k, s) = neurons(&self.pops, &target)?;
        let id = k.record_rate(&mut self.net, s, bin)?;
        self.rates.push(id);
        Ok(self.rates.len() - 1)
    }

    /// Everything a run changes, as the bytes of a checkpoint (the runtime's format: header,
    /// hash, body; see `neurode::runtime::checkpoint`).
    fn checkpoint<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.net.checkpoint().as_bytes())
    }

    /// Goes back to the checkpoint in `bytes`, made by a network built by the same code; a
    /// checkpoint that does not fit (or is corrupted) raises and changes nothing.
    fn restore(&mut self, bytes: &[u8]) -> PyResult<()> {
        let c = Checkpoint::from_bytes(bytes.to_vec()).map_err(error)?;
        self.net.restore(&c).map_err(error)
    }

    /// What state monitor `index` recorded: times (ms), values (rows × columns), the
    /// columns' element indices and names.
    #[allow(clippy::type_complexity)]
    fn trace<'py>(
        &self,
        py: Python<'py>,
        index: usize,
    ) -> PyResult<(
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray2<f64>>,
        Bound<'py, PyArray1<u64>>,
        Vec<String>,
    )> {
        let tr = self.net.trace(self.state_monitor(index)?).map_err(error)?;
        let values = PyArray1::from_slice(py, &tr.values).reshape([tr.n_rows(), tr.n_cols])?;
        let indices: Vec<u64> = tr.indices.iter().map(|&i| i as u64).collect();
        Ok((
            PyArray1::from_slice(py, &tr.times),
            values,
            indices.into_pyarray(py),
            tr.names.clone(),
        ))
    }

    /// What spike monitor `index` recorded: each spike's neuron (population index) and time
    /// (ms), the monitored neurons and their counts, the duration recorded (ms), each spike's
    /// step.
    #[allow(clippy::type_complexity)]
    fn spikes<'py>(
        &self,
        py: Python<'py>,
        index: usize,
    ) -> PyResult<(
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u64>>,
        f64,
        Bound<'py, PyArray1<u64>>,
    )> {
        let id = *self
            .spike_monitors
            .get(index)
            .ok_or_else(|| PyIndexError::new_err(format!("no spike monitor #{index}")))?;
        let s = self.net.spikes(id).map_err(error)?;
        Ok((
            PyArray1::from_slice(py, &s.indices),
            PyArray1::from_slice(py, &s.times),
            PyArray1::from_slice(py, &s.neurons),
            PyArray1::from_slice(py, &s.counts),
            s.duration(),
            PyArray1::from_slice(py, &s.steps),
        ))
    }

    /// What rate monitor `index` recorded: the bins' start times (ms) and rates (Hz),
    /// smoothed by `smoothing` (`None`, `("flat", width_ms)` or `("gaussian", sd_ms)`).
    #[pyo3(signature = (index, smoothing=None))]
    fn rate<'py>(
        &self,
        py: Python<'py>,
        index: usize,
        smoothing: Option<(String, f64)>,
    ) -> Pair<'py, f64, f64> {
        let id = *self
            .rates
            .get(index)
            .ok_or_else(|| PyIndexError::new_err(format!("no rate monitor #{index}")))?;
        let r = self.net.rate(id).map_err(error)?;
        let rates = match smoothing {
            None => r.rates(),
            Some((kind, width)) => {
                let window = match kind.as_str() {
                    "flat" => Smoothing::Flat { width },
                    "gaussian" => Smoothing::Gaussian { sigma: width },
                    other => {
                        return Err(PyValueError::new_err(format!(
                            "unknown smoothing `{other}`; known: flat, gaussian"
                        )))
                    }
                };
                r.smooth(window).map_err(error)?
            }
        };
        Ok((r.times().into_pyarray(py), rates.into_pyarray(py)))
    }

    /// Runs `steps` steps with the GIL released, in pieces of at most about 0.1 s of wall
    /// time: between pieces, signals are checked (Ctrl-C raises KeyboardInterrupt and leaves
    /// the network at the piece's end, consistent and usable) and `progress(done, total)` is
    /// called. A run in pieces equals an unsplit run bit for bit.
    #[pyo3(signature = (steps, progress=None))]
    fn run_steps(
        &mut self,
        py: Python<'_>,
        steps: u64,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let mut done = 0u64;
        let mut piece = 1u64;
        while done < steps {
            let k = piece.min(steps - done);
            let net = &mut self.net;
            let start = Instant::now();
            py.allow_threads(|| net.run_steps(k)).map_err(error)?;
            let took = start.elapsed();
            done += k;
            // Grow the piece while it is short, shrink it when it ran long.
            if took < PIECE / 2 {
                piece = piece.saturating_mul(2);
            } else if took > PIECE && piece > 1 {
                piece /= 2;
            }
            if let Some(f) = progress {
                f.call1((done, steps))?;
            }
            py.check_signals()?;
        }
        Ok(())
    }

    /// The number of steps `duration` ms takes (a whole number of steps, or an error).
    fn steps_for(&self, duration: f64) -> PyResult<u64> {
        rt::steps_for(duration, self.net.dt()).map_err(error)
    }

    /// The names of the populations and projections, in the order they were added.
    fn names(&self) -> (Vec<String>, Vec<String>) {
        (
            self.pops.iter().map(|p| p.name.clone()).collect(),
            self.projs.iter().map(|p| p.name.clone()).collect(),
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "Network(dt={} ms, t={} ms, {} populations, {} projections)",
            self.net.dt(),
            self.net.time(),
            self.pops.len(),
            self.projs.len()
        )
    }
}

/// The static description of a model, as a dictionary for the package's classes and `help()`.
fn describe<'py>(py: Python<'py>, info: &ModelInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", info.name)?;
    d.set_item(
        "kind",
        match info.kind {
            ModelKind::Neuron => "neuron",
            ModelKind::Synapse => "synapse",
        },
    )?;
    d.set_item("doc", info.doc)?;
    d.set_item("method", info.method.name())?;
    d.set_item(
        "methods",
        info.methods.iter().map(|m| m.name()).collect::<Vec<_>>(),
    )?;
    let params = PyList::empty(py);
    for p in info.params {
        let e = PyDict::new(py);
        e.set_item("name", p.name)?;
        e.set_item("default", p.default)?;
        e.set_item("unit", p.unit)?;
        e.set_item("doc", p.doc)?;
        e.set_item("per_element", p.per_element)?;
        params.append(e)?;
    }
    d.set_item("params", params)?;
    let states = PyList::empty(py);
    for s in info.states {
        let e = PyDict::new(py);
        e.set_item("name", s.name)?;
        e.set_item("unit", s.unit)?;
        e.set_item("doc", s.doc)?;
        e.set_item("init", s.init)?;
        e.set_item("ode", s.ode)?;
        e.set_item("events", s.events.to_vec())?;
        e.set_item("derived", s.derived)?;
        e.set_item("held", s.held)?;
        states.append(e)?;
    }
    d.set_item("states", states)?;
    d.set_item("threshold", info.threshold)?;
    d.set_item("reset", info.reset.to_vec())?;
    d.set_item("refractory", info.refractory)?;
    d.set_item("input", info.input)?;
    d.set_item("rules_pre", info.rules_pre.to_vec())?;
    d.set_item("rules_post", info.rules_post.to_vec())?;
    d.set_item(
        "post_writes",
        info.post_writes.iter().map(|w| w.name).collect::<Vec<_>>(),
    )?;
    Ok(d)
}

/// The description of every model this module serves, neurons first.
#[pyfunction]
fn models(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    registry()
        .infos()
        .into_iter()
        .map(|i| describe(py, i))
        .collect()
}

/// `n` standard normal draws, draw `i` the first of the runtime's stream of element `i` in
/// `domain` for `seed` (`Streams::new(seed).stream(domain, i).normal()`): the keyed draws Rust
/// code uses for per-element values, reachable from Python with the same numbers.
#[pyfunction]
fn keyed_normal(py: Python<'_>, seed: u64, domain: u64, n: usize) -> Bound<'_, PyArray1<f64>> {
    let streams = rt::rng::Streams::new(seed);
    (0..n)
        .map(|i| streams.stream(domain, i as u64).normal())
        .collect::<Vec<_>>()
        .into_pyarray(py)
}

/// As [`keyed_normal`], uniform in [0, 1).
#[pyfunction]
fn keyed_uniform(py: Python<'_>, seed: u64, domain: u64, n: usize) -> Bound<'_, PyArray1<f64>> {
    let streams = rt::rng::Streams::new(seed);
    (0..n)
        .map(|i| streams.stream(domain, i as u64).uniform())
        .collect::<Vec<_>>()
        .into_pyarray(py)
}

/// The spikes (neuron, step) of the Rust benchmark `neurode::benchmarks::coba(n, seed)` run for
/// `duration` ms on `threads` threads: the reference the package's tests compare a network
/// built from Python with, bit for bit.
#[pyfunction]
fn reference_coba<'py>(
    py: Python<'py>,
    n: usize,
    seed: u64,
    duration: f64,
    threads: usize,
) -> Pair<'py, u32, u64> {
    let (indices, steps) = py
        .allow_threads(|| -> rt::Result<_> {
            let mut b = neurode::benchmarks::coba(n, seed)?;
            b.net.set_threads(threads)?;
            let m = b.net.record_spikes(b.neurons)?;
            b.net.run(duration)?;
            let s = b.net.spikes(m)?;
            Ok((s.indices.clone(), s.steps.clone()))
        })
        .map_err(error)?;
    Ok((indices.into_pyarray(py), steps.into_pyarray(py)))
}

/// The numbers of `neurode::microcircuit` at `scale`: the derived counts, weights and DC input
/// (`Derived::at`), and the model's constants, for a microcircuit built from Python.
#[pyfunction]
fn microcircuit_numbers(py: Python<'_>, scale: f64) -> PyResult<Bound<'_, PyDict>> {
    use neurode::microcircuit as mc;
    let d = mc::Derived::at(scale);
    let out = PyDict::new(py);
    out.set_item("populations", mc::POPULATIONS.to_vec())?;
    out.set_item("num_neurons", d.num_neurons.to_vec())?;
    out.set_item(
        "num_synapses",
        d.num_synapses
            .iter()
            .map(|r| r.to_vec())
            .collect::<Vec<_>>(),
    )?;
    out.set_item("ext_indegree", d.ext_indegree.to_vec())?;
    out.set_item(
        "weight",
        d.weight.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
    )?;
    out.set_item("weight_ext", d.weight_ext)?;
    out.set_item("dc", d.dc.to_vec())?;
    out.set_item("v0", mc::V0.to_vec())?;
    out.set_item("bg_rate", mc::BG_RATE)?;
    out.set_item("weight_rel_sd", mc::WEIGHT_REL_SD)?;
    out.set_item("delay_exc", mc::DELAY_EXC)?;
    out.set_item("delay_inh", mc::DELAY_INH)?;
    out.set_item("delay_rel_sd", mc::DELAY_REL_SD)?;
    Ok(out)
}

/// The spikes (neuron, step) of each population of the Rust `neurode::microcircuit` at `scale`
/// and `seed` run for `duration` ms: the reference of the package's tests.
#[pyfunction]
fn reference_microcircuit<'py>(
    py: Python<'py>,
    scale: f64,
    seed: u64,
    duration: f64,
) -> PyResult<Vec<(Array<'py, u32>, Array<'py, u64>)>> {
    let trains = py
        .allow_threads(|| -> rt::Result<Vec<_>> {
            let mut m = neurode::microcircuit::Microcircuit::new(scale, seed)?;
            let monitors = m
                .populations
                .iter()
                .map(|&p| m.net.record_spikes(p))
                .collect::<rt::Result<Vec<_>>>()?;
            m.net.run(duration)?;
            monitors
                .into_iter()
                .map(|id| {
                    let s = m.net.spikes(id)?;
                    Ok((s.indices.clone(), s.steps.clone()))
                })
                .collect()
        })
        .map_err(error)?;
    Ok(trains
        .into_iter()
        .map(|(i, s)| (i.into_pyarray(py), s.into_pyarray(py)))
        .collect())
}

/// The spikes (neuron, step) of `neurode::brunel2000::build(g, eta, scale, seed)` run for
/// `duration` ms: the reference of the package's tests.
#[pyfunction]
fn reference_brunel2000(
    py: Python<'_>,
    g: f64,
    eta: f64,
    scale: f64,
    seed: u64,
    duration: f64,
) -> Pair<'_, u32, u64> {
    let (i, s) = py
        .allow_threads(|| -> rt::Result<_> {
            let mut b = neurode::brunel2000::build(g, eta, scale, seed)?;
            let m = b.net.record_spikes(b.neurons)?;
            b.net.run(duration)?;
            let s = b.net.spikes(m)?;
            Ok((s.indices.clone(), s.steps.clone()))
        })
        .map_err(error)?;
    Ok((i.into_pyarray(py), s.into_pyarray(py)))
}

/// The spikes (neuron, step) of `neurode::vogels2011::build(scale, seed)` run for `duration`
/// ms, and the plastic weights at the end: the reference of the package's tests.
#[pyfunction]
fn reference_vogels2011(
    py: Python<'_>,
    scale: f64,
    seed: u64,
    duration: f64,
) -> PyResult<(Array<'_, u32>, Array<'_, u64>, Array<'_, f64>)> {
    let (i, s, w) = py
        .allow_threads(|| -> rt::Result<_> {
            let mut b = neurode::vogels2011::build(scale, seed)?;
            let m = b.net.record_spikes(b.neurons)?;
            b.net.run(duration)?;
            let w = b
                .net
                .projection(b.plastic)?
                .column(neurode::models::VogelsIstdp::w)
                .to_vec();
            let s = b.net.spikes(m)?;
            Ok((s.indices.clone(), s.steps.clone(), w))
        })
        .map_err(error)?;
    Ok((i.into_pyarray(py), s.into_pyarray(py), w.into_pyarray(py)))
}

/// The spikes (neuron, step) of the pyramidal cells and of the interneurons of
/// `neurode::brunel_wang2001::build(n, seed)` run for `duration` ms: the reference of the
/// package's tests.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn reference_brunel_wang2001(
    py: Python<'_>,
    n: usize,
    seed: u64,
    duration: f64,
) -> PyResult<(
    Array<'_, u32>,
    Array<'_, u64>,
    Array<'_, u32>,
    Array<'_, u64>,
)> {
    let (ie, se, ii, si) = py
        .allow_threads(|| -> rt::Result<_> {
            let mut b = neurode::brunel_wang2001::build(n, seed)?;
            let (me, mi) = (b.net.record_spikes(b.exc)?, b.net.record_spikes(b.inh)?);
            b.net.run(duration)?;
            let (e, i) = (b.net.spikes(me)?, b.net.spikes(mi)?);
            Ok((
                e.indices.clone(),
                e.steps.clone(),
                i.indices.clone(),
                i.steps.clone(),
            ))
        })
        .map_err(error)?;
    Ok((
        ie.into_pyarray(py),
        se.into_pyarray(py),
        ii.into_pyarray(py),
        si.into_pyarray(py),
    ))
}

/// The directory of this crate's sources when it was built (`python/` of the neurode tree):
/// what `neurode.compile` builds a module of user models from.
#[pyfunction]
fn source_dir() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

/// Fills the extension module `m` (its network class, `models()` and the package's helper
/// functions) to serve the models of `registry`: what [`export!`] calls when a user's module is
/// imported, and the package's own module with [`Registry::builtin`].
///
/// Error: `ImportError` naming a model registered twice (a user's model with the name of a
/// built-in one, or two of the same name).
pub fn init_module(m: &Bound<'_, PyModule>, registry: Registry) -> PyResult<()> {
    if let Some(name) = registry.twice.first() {
        return Err(PyImportError::new_err(format!(
            "two models are named `{name}` in module `{}`: rename the user's one",
            m.name()?
        )));
    }
    let _ = MODULE.set(m.name()?.to_string());
    // One registry per extension module (each is its own shared library, with its own copy of
    // this static): the first import sets it.
    let _ = REGISTRY.set(registry);
    m.add_class::<PyNetwork>()?;
    m.add_function(wrap_pyfunction!(models, m)?)?;
    m.add_function(wrap_pyfunction!(keyed_normal, m)?)?;
    m.add_function(wrap_pyfunction!(keyed_uniform, m)?)?;
    m.add_function(wrap_pyfunction!(reference_coba, m)?)?;
    m.add_function(wrap_pyfunction!(microcircuit_numbers, m)?)?;
    m.add_function(wrap_pyfunction!(reference_microcircuit, m)?)?;
    m.add_function(wrap_pyfunction!(reference_brunel2000, m)?)?;
    m.add_function(wrap_pyfunction!(reference_vogels2011, m)?)?;
    m.add_function(wrap_pyfunction!(reference_brunel_wang2001, m)?)?;
    m.add_function(wrap_pyfunction!(source_dir, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// Makes the crate it is invoked in a Python extension module named `$module` that serves the
/// built-in models and the given ones: `export!(my_models { neurons: [A, B], synapses: [C] })`.
///
/// Every listed neuron model (`#[neuron]` structs) can be the target of every built-in
/// synapse model and of every listed synapse model (`#[synapse]` structs), which can target
/// every built-in neuron model too. The crate must be a `cdylib` whose library is named
/// `$module` (maturin's `module-name`), depending on this crate under its own name
/// (`neurode-python`) and on `neurode`. From Python, `neurode.extension(my_models)` gives the
/// module's network class and its model classes, the user's beside the built-in ones.
///
/// Errors: a listed type that is not a model is a compile error naming it (the trait it
/// lacks); a model named as a built-in one raises `ImportError` when the module is imported.
#[macro_export]
macro_rules! export {
    ($module:ident { neurons: [$($n:ty),* $(,)?], synapses: [$($s:ty),* $(,)?] $(,)? }) => {
        /// The Python extension module of these models (made by `neurode_python::export!`).
        #[$crate::pyo3::pymodule]
        #[pyo3(crate = "::neurode_python::pyo3")]
        fn $module(
            m: &$crate::pyo3::Bound<'_, $crate::pyo3::types::PyModule>,
        ) -> $crate::pyo3::PyResult<()> {
            #[allow(unused_mut)]
            let mut registry = $crate::Registry::builtin();
            $( registry.neuron::<$n>(); )*
            $( registry.synapse::<$s>(); )*
            $crate::export!(@pairs registry, [$($n),*], $($s),*);
            $crate::init_module(m, registry)
        }
    };
    (@pairs $r:ident, $ns:tt, $($s:ty),*) => {
        $( $crate::export!(@pair $r, $s, $ns); )*
    };
    (@pair $r:ident, $s:ty, [$($n:ty),*]) => {
        $( $r.projection::<$s, $n>(); )*
    };
}

/// The package's own module: the built-in models.
#[pymodule]
fn _neurode(m: &Bound<'_, PyModule>) -> PyResult<()> {
    init_module(m, Registry::builtin())
}
