"""neurode from Python: spiking networks of neurode's built-in models, results as numpy arrays.

The API mirrors the Rust one name for name (see ARCHITECTURE.md, "The public API")::

    import neurode as nd

    net = nd.Network(dt=0.1)                                     # ms
    g = net.add_population("neurons", 4000, nd.models.Lif(tau=20.0))
    exc, inh = g[:3200], g[3200:]                                # views keep population indices
    e = net.add_projection("exc", nd.models.ExponentialCoba(tau=5.0, g_max=0.006), exc, g,
                           nd.Connect.FixedProb(p=0.02, seed=1))
    net.set(g, "V", nd.Values.Normal(-65.0, 5.0))                # mV
    spikes = net.record_spikes(g)
    net.run(1000.0)                                              # ms
    i, t = spikes.i, spikes.t                                    # numpy arrays

Units: every number is in the unit the model declares (``help(nd.models.Lif)`` lists them):
ms, mV, nA, µS, ... Errors are Python exceptions carrying the runtime's message: ``ValueError``
for a bad value, ``KeyError`` for an unknown name, ``MemoryError`` for the memory budget.
"""

import os
import sys

import numpy as np

from . import _neurode, models
from .models import Model, NeuronModel, SynapseModel

__version__ = _neurode.__version__

__all__ = [
    "Network",
    "Population",
    "View",
    "Projection",
    "Connect",
    "Input",
    "PoissonInput",
    "Values",
    "StateMonitor",
    "SpikeMonitor",
    "RateMonitor",
    "InputId",
    "Action",
    "models",
    "benchmarks",
    "compile",
    "CompileError",
    "extension",
    "Checkpoint",
    "keyed_normal",
    "keyed_uniform",
]


def keyed_normal(seed, domain, n):
    """``n`` standard normal draws, draw ``i`` from the runtime's random stream of element ``i``
    in ``domain`` for ``seed``: the same numbers Rust code gets from
    ``Streams::new(seed).stream(domain, i).normal()``."""
    return _neurode.keyed_normal(int(seed), int(domain), int(n))


def keyed_uniform(seed, domain, n):
    """As :func:`keyed_normal`, uniform in [0, 1)."""
    return _neurode.keyed_uniform(int(seed), int(domain), int(n))


class Connect:
    """Connection rules (Rust's ``Connect``). Between views, the rules of independent pairs give
    the synapses they give between the whole populations, restricted to the views; degree rules
    count among the members."""

    @staticmethod
    def AllToAll():
        """Every presynaptic neuron to every postsynaptic one."""
        return {"rule": "all_to_all"}

    @staticmethod
    def AllToAllNoSelf():
        """As AllToAll, without the pairs i -> i."""
        return {"rule": "all_to_all_no_self"}

    @staticmethod
    def OneToOne():
        """Neuron i to neuron i (the k-th members of views)."""
        return {"rule": "one_to_one"}

    @staticmethod
    def FixedProb(p, seed):
        """Each pair independently with probability p (self pairs included)."""
        return {"rule": "fixed_prob", "p": float(p), "seed": int(seed)}

    @staticmethod
    def PairwiseBernoulli(p, seed, autapses=True):
        """NEST's pairwise_bernoulli."""
        return {
            "rule": "pairwise_bernoulli",
            "p": float(p),
            "seed": int(seed),
            "autapses": bool(autapses),
        }

    @staticmethod
    def FixedInDegree(k, seed, autapses=True, multapses=True):
        """NEST's fixed_indegree: k synapses onto every postsynaptic neuron."""
        return {
            "rule": "fixed_in_degree",
            "k": int(k),
            "seed": int(seed),
            "autapses": bool(autapses),
            "multapses": bool(multapses),
        }

    @staticmethod
    def FixedOutDegree(k, seed, autapses=True, multapses=True):
        """NEST's fixed_outdegree: k synapses from every presynaptic neuron."""
        return {
            "rule": "fixed_out_degree",
            "k": int(k),
            "seed": int(seed),
            "autapses": bool(autapses),
            "multapses": bool(multapses),
        }

    @staticmethod
    def FixedTotalNumber(n, seed, autapses=True, multapses=True):
        """NEST's fixed_total_number: n synapses in all."""
        return {
            "rule": "fixed_total_number",
            "n": int(n),
            "seed": int(seed),
            "autapses": bool(autapses),
            "multapses": bool(multapses),
        }

    @staticmethod
    def Probability(p, seed):
        """Each pair (i, j) independently with probability ``p(i, j)`` (population indices;
        NEST's pairwise_bernoulli with a p of the pair). ``p`` is called once with two
        broadcast index arrays (``i[:, None]``, ``j[None, :]``) if it accepts arrays, else once
        per pair; the table of all pairs of the two populations is held while the projection is
        built (8 bytes per pair)."""
        return {"rule": "probability", "p_of": p, "seed": int(seed)}

    @staticmethod
    def Pairs(pre, post):
        """Explicit pairs: synapse k from pre[k] to post[k] (population indices)."""
        return {
            "rule": "pairs",
            "pre": np.asarray(pre, dtype=np.int64),
            "post": np.asarray(post, dtype=np.int64),
        }


def _window(during):
    if during is None:
        return None
    t0, t1 = during
    return (None if t0 is None else float(t0), None if t1 is None else float(t1))


class Input:
    """Input currents (Rust's ``Input``), in the unit of the model's ``#[input]`` (nA for the
    chapter's neurons). ``during=(t0, t1)`` (ms from step 0, either end ``None`` for open) keeps
    the input on at the steps starting at t0 <= t < t1 only."""

    @staticmethod
    def Constant(value, during=None):
        """The same value every step."""
        return {"kind": "constant", "value": float(value), "during": _window(during)}

    @staticmethod
    def PerNeuron(values, during=None):
        """A constant value per member of the target, in ascending order."""
        return {
            "kind": "per_neuron",
            "values": np.asarray(values, dtype=np.float64),
            "during": _window(during),
        }

    @staticmethod
    def Steps(values, during=None):
        """One value per step from step 0; 0 after the end."""
        return {
            "kind": "steps",
            "values": np.asarray(values, dtype=np.float64),
            "during": _window(during),
        }

    @staticmethod
    def Sections(sections, during=None):
        """Piecewise constant: a list of (value, duration in ms)."""
        return {
            "kind": "sections",
            "sections": [(float(v), float(d)) for v, d in sections],
            "during": _window(during),
        }

    @staticmethod
    def Timed(values, dt, during=None):
        """A table of values on a grid of dt ms (Brian2's TimedArray); the last row holds after
        the end."""
        return {
            "kind": "timed",
            "values": np.asarray(values, dtype=np.float64),
            "dt": float(dt),
            "during": _window(during),
        }


class PoissonInput:
    """Random events onto a variable (Rust's ``PoissonInput``, Brian2's ``PoissonInput``)."""

    @staticmethod
    def poisson(rate_hz, weight, seed, during=None):
        """A Poisson number of events per neuron and step at rate_hz in all, each adding
        weight (in the variable's unit)."""
        return {
            "rate_hz": float(rate_hz),
            "weight": float(weight),
            "seed": int(seed),
            "sources": None,
            "during": _window(during),
        }

    @staticmethod
    def binomial(n, rate_hz, weight, seed, during=None):
        """n sources per neuron, each at rate_hz: a binomial number of events per step."""
        return {
            "rate_hz": float(rate_hz),
            "weight": float(weight),
            "seed": int(seed),
            "sources": int(n),
            "during": _window(during),
        }


class Values:
    """Distributions of per-element values, drawn by the runtime from streams keyed by the
    network's seed and the element's index (the same value whatever view reaches it). A number
    or a numpy array is accepted wherever these are."""

    @staticmethod
    def Uniform(low, high):
        """Uniform in [low, high)."""
        return ("uniform", (float(low), float(high)))

    @staticmethod
    def Normal(mean, sd):
        """Normal with mean and standard deviation sd."""
        return ("normal", (float(mean), float(sd)))

    @staticmethod
    def NormalClipped(mean, sd, low=-np.inf, high=np.inf):
        """Normal, values outside [low, high] set to the nearest end."""
        return ("normal_clipped", (float(mean), float(sd), float(low), float(high)))

    @staticmethod
    def NormalRedraw(mean, sd, low=-np.inf, high=np.inf):
        """Normal, drawn again until within [low, high]."""
        return ("normal_redraw", (float(mean), float(sd), float(low), float(high)))

    @staticmethod
    def LogNormal(mu, sigma):
        """exp(X), X normal with mean mu and standard deviation sigma."""
        return ("lognormal", (float(mu), float(sigma)))

    @staticmethod
    def Fn(f):
        """``f(i)`` for element ``i`` (a neuron's population index; a synapse's number), called
        once with the index array if it accepts arrays, else once per element."""
        return _Fn(f, pairs=False)

    @staticmethod
    def PairFn(f):
        """``f(i, j)`` for the synapse from neuron ``i`` to neuron ``j`` (per-synapse
        variables of projections), called as :meth:`Fn` is."""
        return _Fn(f, pairs=True)


class _Fn:
    def __init__(self, f, pairs):
        self.f, self.pairs = f, pairs

    def evaluate(self, *index_arrays):
        """The values at the given indices: vectorised if ``f`` takes arrays, else by
        element."""
        shape = np.broadcast(*index_arrays).shape
        try:
            out = np.asarray(self.f(*index_arrays), dtype=np.float64)
            if out.shape == shape:
                return out
        except Exception:
            pass
        flat = [np.broadcast_to(a, shape).ravel() for a in index_arrays]
        return np.fromiter(
            (self.f(*(int(a[k]) for a in flat)) for k in range(flat[0].size)),
            dtype=np.float64,
            count=flat[0].size,
        ).reshape(shape)


class Action:
    """What ``Network.at(t, action)`` does at a given time, without splitting the run (Rust's
    ``Action``)."""

    def __init__(self, kind, args):
        self.kind, self.args = kind, args

    @staticmethod
    def set_param(target, name, value):
        """Set the shared parameter ``name`` of a population, view or projection."""
        return Action("set_param", (target, name, float(value)))

    @staticmethod
    def switch_input(input_id, on):
        """Switch an input on or off."""
        return Action("switch_input", (input_id, bool(on)))

    def __repr__(self):
        return f"Action.{self.kind}{self.args!r}"


def _values(v):
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str):
        return v
    if isinstance(v, (int, float, np.floating, np.integer)):
        return float(v)
    return np.ascontiguousarray(v, dtype=np.float64)


class Population:
    """Neurons of one model in a network (Rust's ``Population``). ``p[a:b]``, ``p[[i, j]]`` or
    ``p[mask]`` is a :class:`View`; a view keeps population indices everywhere."""

    def __init__(self, net, index, name, n, model):
        self._net, self.index, self.name, self._n, self.model = net, index, name, n, model

    def __len__(self):
        return self._n

    @property
    def members(self):
        """``None``: every neuron (a view holds its population indices here)."""
        return None

    @property
    def population(self):
        return self

    def _target(self):
        return ("population", self.index, None)

    def all(self):
        """The view of every neuron."""
        return View(self, None)

    def __getitem__(self, key):
        idx = np.arange(self._n)[key]
        idx = np.atleast_1d(idx)
        return View(self, np.unique(idx))

    def __repr__(self):
        return f"Population({self.name!r}, {self._n} x {self.model})"


class View:
    """Some neurons of one population (Rust's ``View``), accepted wherever a population is.
    Members are held ascending, by population index."""

    def __init__(self, population, members):
        self.population = population
        if members is not None and len(members) == len(population):
            members = None
        if members is not None and len(members) == 0:
            raise ValueError(f"an empty view of `{population.name}`")
        self.members = members

    def __len__(self):
        return len(self.population) if self.members is None else len(self.members)

    def indices(self):
        """The population indices of the view's neurons, ascending."""
        if self.members is None:
            return np.arange(len(self.population))
        return self.members.copy()

    def union(self, other):
        """The neurons of both views (Rust's ``View::union``)."""
        if other.population is not self.population:
            raise ValueError(
                f"a view of `{self.population.name}` cannot be joined with a view of "
                f"`{other.population.name}`"
            )
        return View(self.population, np.union1d(self.indices(), other.indices()))

    def __getitem__(self, key):
        return View(self.population, np.unique(np.atleast_1d(self.indices()[key])))

    def _target(self):
        m = None if self.members is None else [int(i) for i in self.members]
        return ("population", self.population.index, m)

    def __repr__(self):
        return f"View({self.population.name!r}, {len(self)} neurons)"


class Projection:
    """Synapses of one model from a population (or view) onto another (Rust's
    ``Projection``)."""

    def __init__(self, net, index, name, model):
        self._net, self.index, self.name, self.model = net, index, name, model

    def _target(self):
        return ("projection", self.index, None)

    def elements(self, indices):
        """Some elements, for set and record (synapse numbers, or neurons where the state is
        kept per neuron)."""
        return _Elements(self, [int(i) for i in np.atleast_1d(indices)])

    def connections(self):
        """``(i, j)``: the presynaptic and postsynaptic neuron of every synapse."""
        return self._net._net.connections(self.index)

    def __len__(self):
        return len(self.connections()[0])

    def __repr__(self):
        return f"Projection({self.name!r}, {self.model})"


class _Elements:
    def __init__(self, projection, indices):
        self.projection, self.indices = projection, indices

    def _target(self):
        return ("projection", self.projection.index, self.indices)


class InputId:
    """Handle of an input, to switch it on and off."""

    def __init__(self, net, index):
        self._net, self.index = net, index


class _Monitor:
    """What the three monitors share: their data, fetched from the runtime once per run.

    The arrays are copied out of the runtime the first time they are read after a run (or a
    restore) and kept until the next one: reading ``m.t`` and ``m.i`` copies once, not twice,
    and a loop over ``m.t`` costs no copy per iteration. They are read-only (``flags.writeable``
    is False): they are shared by every read until the next run, so writing into one would
    change what the next read returns. ``np.array(m.t)`` gives a private, writable copy.
    """

    def __init__(self, net, index):
        self._net, self._index = net, index
        self._cache, self._generation = None, -1

    def _fetch(self):
        raise NotImplementedError

    def _data(self):
        if self._generation != self._net._generation:
            data = self._fetch()
            for x in data:
                if isinstance(x, np.ndarray):
                    x.setflags(write=False)
            self._cache, self._generation = data, self._net._generation
        return self._cache


class StateMonitor(_Monitor):
    """What ``Network.record`` records: ``t`` (ms, one row per recorded step) and ``values``
    (rows x recorded elements), ``indices`` (the elements' indices). Arrays are read-only and
    fetched once per run (see :class:`_Monitor`)."""

    def __init__(self, net, index, var):
        super().__init__(net, index)
        self.variable = var

    def _fetch(self):
        return self._net._net.trace(self._index)

    @property
    def t(self):
        """Times of the rows, ms."""
        return self._data()[0]

    @property
    def values(self):
        """The recorded values, one row per time, one column per element."""
        return self._data()[1]

    @property
    def indices(self):
        """The recorded elements (population indices, or synapse numbers)."""
        return self._data()[2]

    @property
    def names(self):
        """The columns' names."""
        return self._data()[3]

    def to_pandas(self):
        """A DataFrame indexed by time (ms), one column per element (needs pandas)."""
        import pandas as pd

        t, v, _, names = self._data()
        return pd.DataFrame(v, index=pd.Index(t, name="t_ms"), columns=names)


class SpikeMonitor(_Monitor):
    """What ``Network.record_spikes`` records: ``i`` (population index) and ``t`` (ms) of every
    spike, in time order (``count_spikes`` gives counts only). Arrays are read-only and fetched
    once per run (see :class:`_Monitor`)."""

    def _fetch(self):
        return self._net._net.spikes(self._index)

    @property
    def i(self):
        """Each spike's neuron (population index)."""
        return self._data()[0]

    @property
    def t(self):
        """Each spike's time, ms: the start of the step it happened in, or, for a model that
        locates the threshold crossing inside the step, the located time."""
        return self._data()[1]

    @property
    def steps(self):
        """Each spike's step (``t`` is ``steps * dt`` unless the model locates crossings)."""
        return self._data()[5]

    @property
    def counts(self):
        """Spikes per monitored neuron (in the order of ``neurons``)."""
        return self._data()[3]

    @property
    def neurons(self):
        """The monitored neurons (population indices)."""
        return self._data()[2]

    @property
    def duration(self):
        """Time recorded, ms."""
        return self._data()[4]

    def rates(self):
        """Mean rate of each monitored neuron over the time recorded, Hz."""
        d = self.duration
        return self.counts / (d / 1000.0) if d > 0 else np.zeros(len(self.neurons))

    def to_pandas(self):
        """A DataFrame with columns ``i`` and ``t_ms`` (needs pandas)."""
        import pandas as pd

        i, t = self._data()[:2]
        return pd.DataFrame({"i": i, "t_ms": t})


class RateMonitor(_Monitor):
    """What ``Network.record_rate`` records: the population rate (Hz) in bins. Arrays are
    read-only and fetched once per run (see :class:`_Monitor`)."""

    def _fetch(self):
        return self._net._net.rate(self._index)

    @property
    def t(self):
        """Start of each bin, ms."""
        return self._data()[0]

    @property
    def rate(self):
        """Population rate in each bin, Hz."""
        return self._data()[1]

    def smooth(self, window="gaussian", width=1.0):
        """The rate smoothed with a ``"flat"`` window of ``width`` ms or a ``"gaussian"`` of
        standard deviation ``width`` ms (Brian2's ``smooth_rate``): a new, writable array."""
        return self._net._net.rate(self._index, (window, float(width)))[1]

    def to_pandas(self):
        """A DataFrame indexed by bin start (ms) with column ``rate_hz`` (needs pandas)."""
        import pandas as pd

        t, r = self._data()
        return pd.DataFrame({"rate_hz": r}, index=pd.Index(t, name="t_ms"))


def _target(x):
    if isinstance(x, (Population, View, Projection, _Elements)):
        return x._target()
    raise TypeError(f"expected a population, a view or a projection, got {type(x).__name__}")


def _in_notebook():
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except AttributeError:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class _Bar:
    """A one-line progress bar on stderr."""

    def __init__(self, total_steps, dt):
        self.total, self.dt = total_steps, dt

    def __call__(self, done, total):
        width = 30
        full = int(width * done / max(total, 1))
        sys.stderr.write(
            f"\r[{'#' * full}{'.' * (width - full)}] {done * self.dt:.1f} / "
            f"{total * self.dt:.1f} ms"
        )
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class Network:
    """A spiking network stepping by ``dt`` ms (Rust's ``Network``).

    ``seed`` keys every random draw (values, connections, Poisson inputs); ``threads`` is the
    number of threads a run uses (results do not depend on it).
    """

    #: The extension module the network lives in (another for :func:`neurode.compile`'s).
    _backend = _neurode

    def __init__(self, dt=0.1, seed=None, threads=None):
        self._net = self._backend.Network(float(dt))
        if seed is not None:
            self._net.set_seed(int(seed))
        if threads is not None:
            self._net.set_threads(int(threads))
        self._names = {}
        # Counts the runs and restores: a monitor's cached arrays belong to one generation.
        self._generation = 0

    # -- the clock ---------------------------------------------------------------------------
    @property
    def dt(self):
        """The step, ms."""
        return self._net.dt

    @property
    def time(self):
        """Time reached, ms."""
        return self._net.time

    @property
    def step_index(self):
        """Steps run so far."""
        return self._net.step_index

    @property
    def seed(self):
        return self._net.seed

    def set_seed(self, seed):
        self._net.set_seed(int(seed))

    @property
    def threads(self):
        return self._net.threads

    def set_threads(self, threads):
        self._net.set_threads(int(threads))

    def set_memory_budget(self, nbytes):
        """Refuse buffers beyond ``nbytes`` bytes (``None``: no budget) with MemoryError."""
        self._net.set_memory_budget(None if nbytes is None else int(nbytes))

    @property
    def memory_charged(self):
        """Bytes the network's buffers take."""
        return self._net.memory_charged

    # -- building ----------------------------------------------------------------------------
    def add_population(self, name, n, model):
        """Adds ``n`` neurons of ``model`` (a :mod:`neurode.models` instance)."""
        if isinstance(model, type) and issubclass(model, Model):
            model = model()
        if not isinstance(model, NeuronModel):
            raise TypeError(f"expected a neuron model, got {model!r}")
        self._check_backend(model)
        index = self._net.add_population(
            name, int(n), model.info["name"], model.params, model.preset_name
        )
        p = Population(self, index, name, int(n), model.info["name"])
        self._names[name] = p
        return p

    def add_poisson_source(self, name, n, rate_hz, seed):
        """Adds ``n`` Poisson spike sources at ``rate_hz`` (Hz; one number, or one per
        neuron), keyed by ``seed`` and neuron."""
        rates = rate_hz if np.isscalar(rate_hz) else np.asarray(rate_hz, dtype=np.float64)
        index = self._net.add_poisson_source(name, int(n), rates, int(seed))
        p = Population(self, index, name, int(n), "PoissonSource")
        self._names[name] = p
        return p

    def add_spike_train(self, name, times):
        """Adds one neuron per list of spike times (ms), as Brian2's SpikeGeneratorGroup."""
        trains = [[float(t) for t in train] for train in times]
        index = self._net.add_spike_train(name, trains)
        p = Population(self, index, name, len(trains), "SpikeTrain")
        self._names[name] = p
        return p

    def add_projection(self, name, model, pre, post, connect):
        """Adds synapses of ``model`` from ``pre`` onto ``post`` (populations or views) laid out
        by ``connect`` (a :class:`Connect` rule)."""
        if isinstance(model, type) and issubclass(model, Model):
            model = model()
        if not isinstance(model, SynapseModel):
            raise TypeError(f"expected a synapse model, got {model!r}")
        self._check_backend(model)
        for side in (pre, post):
            if not isinstance(side, (Population, View)) or side.population._net is not self:
                raise TypeError("pre and post must be populations or views of this network")
        if connect.get("rule") == "probability":
            n_pre, n_post = len(pre.population), len(post.population)
            table = _Fn(connect["p_of"], pairs=True).evaluate(
                np.arange(n_pre)[:, None], np.arange(n_post)[None, :]
            )
            connect = {"rule": "probability", "p": table.ravel(), "n_post": n_post,
                       "seed": connect["seed"]}
        index = self._net.add_projection(
            name, model.info["name"], model.params, _target(pre), _target(post), connect
        )
        p = Projection(self, index, name, model.info["name"])
        self._names[name] = p
        return p

    def _check_backend(self, model):
        own = getattr(model, "_backend", None)
        if own is not None and own is not self._backend:
            raise TypeError(
                f"model `{model.info['name']}` belongs to module `{own.__name__}`, and this "
                f"network to `{self._backend.__name__}`: use that module's Network "
                "(neurode.compile(...).Network)"
            )

    def __getitem__(self, name):
        """The population or projection named ``name``."""
        try:
            return self._names[name]
        except KeyError:
            raise KeyError(
                f"no object named `{name}`; objects: {', '.join(self._names)}"
            ) from None

    def set_order(self, objects):
        """The schedule: these objects run in this order, each step."""
        self._net.set_order([_target(o) for o in objects])

    def order(self):
        """Object names in schedule order."""
        return self._net.order()

    def set_method(self, obj, method):
        """Sets the integration method (``"exact"``, ``"euler"``, ``"rk4"``, ...)."""
        self._net.set_method(_target(obj), method)

    def method(self, obj):
        return self._net.method(_target(obj))

    def set_storage(self, projection, storage):
        """Where a projection keeps its state: ``"per_synapse"``, ``"per_pre"``,
        ``"per_post"``."""
        self._net.set_storage(projection.index, storage)

    def set_delays(self, projection, values):
        """One delay per synapse, ms (rounded to the nearest step, at least one step)."""
        self._net.set_delays(projection.index, _values(values))

    def set_post_variable(self, projection, name, variable):
        """Binds the postsynaptic variable ``name`` of the rules (``name_post += ...``) to the
        postsynaptic model's ``variable``."""
        self._net.set_post_variable(projection.index, name, variable)

    def ignore_post_variable(self, projection, name):
        """Drops what the rules add to the postsynaptic variable ``name``."""
        self._net.ignore_post_variable(projection.index, name)

    # -- values ------------------------------------------------------------------------------
    def set(self, target, var, values):
        """Sets variable ``var`` of ``target`` from a number, an array (one value per element),
        a :class:`Values` distribution or function."""
        if isinstance(values, _Fn):
            values = self._evaluate(target, values)
        self._net.set(_target(target), var, _values(values))

    def _evaluate(self, target, fn):
        """A function of elements as the vector of its values on ``target``'s elements."""
        if isinstance(target, (Population, View)):
            if fn.pairs:
                raise ValueError("Values.PairFn is for synapses; a population takes Values.Fn")
            idx = target.indices() if isinstance(target, View) else np.arange(len(target))
            return fn.evaluate(idx)
        projection = target.projection if isinstance(target, _Elements) else target
        i, j = projection.connections()
        chosen = (
            np.asarray(target.indices, dtype=np.int64)
            if isinstance(target, _Elements)
            else np.arange(len(i))
        )
        if fn.pairs:
            return fn.evaluate(i[chosen].astype(np.int64), j[chosen].astype(np.int64))
        return fn.evaluate(chosen)

    def get(self, target, var):
        """A copy of variable ``var``: one value per member of a population or view (in
        ascending population index), per element of a projection."""
        t = _target(target)
        column = self._net.get((t[0], t[1], None), var)
        if t[2] is None:
            return column
        return column[np.asarray(t[2], dtype=np.int64)]

    def set_param(self, target, name, value):
        """Sets a shared parameter of a population, view or projection."""
        self._net.set_param(_target(target), name, float(value))

    def param(self, target, name):
        return self._net.param(_target(target), name)

    # -- inputs and monitors -----------------------------------------------------------------
    def add_input(self, target, input):
        """Adds an :class:`Input` current to the neurons of ``target``."""
        return InputId(self, self._net.add_input(_target(target), input))

    def add_poisson_input(self, target, var, input):
        """Adds :class:`PoissonInput` events onto variable ``var`` of ``target``."""
        return InputId(self, self._net.add_poisson_input(_target(target), var, input))

    def switch_input(self, input_id, on):
        self._net.switch_input(input_id.index, bool(on))

    def record(self, target, var, every=1):
        """Records ``var`` of ``target`` every ``every`` steps."""
        return StateMonitor(self, self._net.record(_target(target), var, int(every)), var)

    def record_spikes(self, target):
        """Records the spikes (neuron, time) of ``target``."""
        return SpikeMonitor(self, self._net.record_spikes(_target(target), True))

    def count_spikes(self, target):
        """Counts the spikes of each neuron of ``target`` without their times."""
        return SpikeMonitor(self, self._net.record_spikes(_target(target), False))

    def record_rate(self, target, bin):
        """Records the population rate of ``target`` in bins of ``bin`` ms (a whole number of
        steps)."""
        return RateMonitor(self, self._net.record_rate(_target(target), float(bin)))

    def at(self, t_ms, action):
        """Does ``action`` (an :class:`Action`) at ``t_ms`` ms from step 0: before the step
        starting at that time (a whole number of steps), within the run that reaches it."""
        if action.kind == "set_param":
            target, name, value = action.args
            self._net.at_set_param(float(t_ms), _target(target), name, value)
        else:
            input_id, on = action.args
            self._net.at_switch_input(float(t_ms), input_id.index, on)

    def pending_actions(self):
        """The times (ms) of the actions still to come."""
        return self._net.pending_actions()

    def cancel_actions(self):
        """Drops every action still to come."""
        self._net.cancel_actions()

    # -- running -----------------------------------------------------------------------------
    def run(self, duration, progress=None):
        """Runs ``duration`` ms (a whole number of steps). The GIL is released; Ctrl-C raises
        KeyboardInterrupt and leaves the network consistent at the last piece it finished
        (``time`` says where). ``progress``: ``True`` for a bar on stderr, a callable
        ``f(done_steps, total_steps)``, or ``None`` for a bar in notebooks only."""
        self.run_steps(self._net.steps_for(float(duration)), progress)

    def run_steps(self, steps, progress=None):
        """Runs ``steps`` steps (see :meth:`run`)."""
        if progress is None:
            progress = _in_notebook()
        if progress is True:
            progress = _Bar(int(steps), self.dt)
        elif progress is False:
            progress = None
        try:
            self._net.run_steps(int(steps), progress)
        finally:
            # Also after an interrupted or failed run: the steps it finished are recorded.
            self._generation += 1

    # -- checkpoints -------------------------------------------------------------------------
    def checkpoint(self):
        """Everything a run changes, as a :class:`Checkpoint` in memory (Brian2's ``store``):
        the step counter, every population's and projection's parameters and states, inputs and
        spikes in flight, every monitor's data. What the code that built the network decides
        (connectivity, delays, inputs, seeds) is checked on restore, not stored."""
        return Checkpoint(self._net.checkpoint())

    def restore(self, checkpoint):
        """Goes back to ``checkpoint`` (a :class:`Checkpoint`, or the path of a file written by
        :meth:`Checkpoint.save`), made by a network built by the same code: a run from there
        continues bit for bit as the run that made it would have. A checkpoint that does not
        fit this network, or a corrupted file, raises ``RuntimeError`` saying what does not
        fit, and changes nothing."""
        if not isinstance(checkpoint, Checkpoint):
            checkpoint = Checkpoint.load(checkpoint)
        try:
            self._net.restore(checkpoint.data)
        finally:
            self._generation += 1

    def __repr__(self):
        return repr(self._net)


class Checkpoint:
    """A network's state (:meth:`Network.checkpoint`): ``data`` holds the bytes of the runtime's
    checkpoint format (a header with the format version, the body's length and hash, then the
    body), the same bytes Rust's ``Checkpoint::write_to`` writes, so a file is readable by either.
    A checkpoint continues a run with the same build of a program; it is not an archive."""

    def __init__(self, data):
        self.data = bytes(data)

    def __bytes__(self):
        return self.data

    def __len__(self):
        return len(self.data)

    def save(self, path):
        """Writes the checkpoint to ``path``: to a temporary file in the same directory first,
        synced, then renamed over the path, so that a failed write leaves what was there. A
        directory at the path raises ``IsADirectoryError``."""
        import tempfile

        path = os.fspath(path)
        if os.path.isdir(path):
            raise IsADirectoryError(f"cannot write a checkpoint to {path}: it is a directory")
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".neurode-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self.data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path):
        """The checkpoint in the file at ``path`` (checked when restored)."""
        with open(os.fspath(path), "rb") as f:
            return cls(f.read())

    def __repr__(self):
        return f"Checkpoint({len(self.data)} bytes)"


# Last: the benchmark builders and the compiler use the classes above.
from . import benchmarks  # noqa: E402
from .compile import CompileError, Compiled, compile, extension  # noqa: E402,F401
