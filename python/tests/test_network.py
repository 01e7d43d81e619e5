"""The package against the Rust runtime: same spike trains, closed forms, errors as Python
exceptions, a run that releases the GIL and stops cleanly on Ctrl-C."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import neurode as nd
import neurode.benchmarks
from neurode.benchmarks import coba, microcircuit


@pytest.mark.parametrize("threads", [1, 2])
def test_coba_from_python_is_the_rust_benchmark_spike_for_spike(threads):
    net, g = coba(4000, 1, threads)
    spikes = net.record_spikes(g)
    net.run(500.0)
    ref_i, ref_steps = nd._neurode.reference_coba(4000, 1, 500.0, 1)
    assert len(ref_i) > 10_000  # the network is active (about 18 Hz)
    assert np.array_equal(spikes.i, ref_i)
    assert np.array_equal(spikes.steps, ref_steps)
    # Lif does not locate crossings: a spike's time is its step's start.
    assert np.array_equal(spikes.t, spikes.steps * 0.1)
    assert net.time == pytest.approx(500.0)
    assert net.step_index == 5000


def test_a_lif_charges_as_the_closed_form():
    net = nd.Network(dt=0.1)
    # V_th far away: no spike, V(t) = V_rest + R I (1 - exp(-t / tau)) exactly.
    g = net.add_population("g", 3, nd.models.Lif(V_rest=-70.0, V_th=100.0, R=10.0, tau=10.0))
    net.add_input(g, nd.Input.PerNeuron([0.5, 1.0, 2.0]))
    m = net.record(g, "V")
    net.run(20.0)
    t, v = m.t, m.values
    assert v.shape == (len(t), 3)
    assert np.array_equal(m.indices, [0, 1, 2])
    expected = -70.0 + 10.0 * np.array([0.5, 1.0, 2.0]) * (1.0 - np.exp(-t[:, None] / 10.0))
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-9)
    assert t[0] == 0.0 and t[-1] == pytest.approx(20.0)


def test_an_input_window_holds_only_inside_it():
    net = nd.Network(dt=0.1)
    g = net.add_population("g", 1, nd.models.Lif(V_rest=0.0, V_th=100.0, R=1.0, tau=10.0))
    net.add_input(g, nd.Input.Constant(5.0, during=(2.0, 4.0)))
    m = net.record(g, "V")
    net.run(6.0)
    t, v = m.t, m.values[:, 0]
    assert np.all(v[t <= 2.0 + 1e-9] == 0.0)
    assert v[np.argmin(np.abs(t - 4.0))] == pytest.approx(5.0 * (1 - np.exp(-0.2)), abs=1e-12)
    assert np.all(np.diff(v[t > 4.0 + 1e-9]) < 0)  # decays after the window


def test_views_keep_population_indices_and_restrict_the_rules():
    net = nd.Network(dt=0.1)
    pre = net.add_population("pre", 100, nd.models.Lif())
    post = net.add_population("post", 50, nd.models.Lif())
    whole = net.add_projection(
        "whole", nd.models.Exponential(), pre, post, nd.Connect.FixedProb(0.2, 7)
    )
    part = net.add_projection(
        "part", nd.models.Exponential(), pre[20:40], post[10:], nd.Connect.FixedProb(0.2, 7)
    )
    wi, wj = whole.connections()
    pi, pj = part.connections()
    keep = (wi >= 20) & (wi < 40) & (wj >= 10)
    assert len(pi) > 0
    assert np.array_equal(pi, wi[keep]) and np.array_equal(pj, wj[keep])
    v = pre[[5, 3, 3, 9]]
    assert np.array_equal(v.indices(), [3, 5, 9])
    assert np.array_equal(pre[::25].union(pre[1:3]).indices(), [0, 1, 2, 25, 50, 75])


def test_values_by_element_and_by_distribution():
    net = nd.Network(dt=0.1, seed=3)
    g = net.add_population("g", 1000, nd.models.Lif())
    net.set(g[:500], "V", nd.Values.Uniform(-10.0, -5.0))
    net.set(g[500:], "V", np.arange(500.0))
    v = net.get(g, "V")
    assert np.all((v[:500] >= -10.0) & (v[:500] < -5.0))
    assert np.array_equal(v[500:], np.arange(500.0))
    assert np.array_equal(net.get(g[500:503], "V"), [0.0, 1.0, 2.0])
    # Keyed by population index: the same neuron gets the same value through another view.
    other = nd.Network(dt=0.1, seed=3)
    h = other.add_population("g", 1000, nd.models.Lif())
    other.set(h[100:200], "V", nd.Values.Uniform(-10.0, -5.0))
    assert np.array_equal(other.get(h[100:200], "V"), v[100:200])


def test_per_synapse_weights_and_degrees():
    net = nd.Network(dt=0.1)
    pre = net.add_population("pre", 40, nd.models.IafPscExp())
    post = net.add_population("post", 30, nd.models.IafPscExp())
    s = net.add_projection(
        "s", nd.models.StaticSynapse(), pre, post, nd.Connect.FixedInDegree(5, 11)
    )
    i, j = s.connections()
    assert np.array_equal(np.bincount(j, minlength=30), np.full(30, 5))
    w = np.linspace(1.0, 2.0, len(i))
    net.set(s, "w", w)
    assert np.array_equal(net.get(s, "w"), w)


def test_rate_monitor_counts_spikes_per_bin():
    net, g = coba(4000, 2)
    r = net.record_rate(g, 1.0)
    spikes = net.record_spikes(g)
    net.run(100.0)
    t, rate = r.t, r.rate
    assert len(t) == 100 and t[1] - t[0] == pytest.approx(1.0)
    counts = np.bincount((spikes.steps // 10).astype(np.int64), minlength=100)
    np.testing.assert_allclose(rate, counts / 4000 / 1e-3, rtol=1e-12)
    smooth = r.smooth("flat", 5.0)
    assert smooth.shape == rate.shape
    assert abs(smooth.mean() - rate.mean()) < 0.1 * rate.mean()


def test_poisson_input_is_keyed_and_drives_the_target():
    def run(threads):
        net = nd.Network(dt=0.1, seed=5, threads=threads)
        g = net.add_population("g", 200, nd.models.Lif(tau=10.0, V_th=10.0))
        net.add_poisson_input(g, "V", nd.PoissonInput.poisson(2000.0, 1.0, 9))
        s = net.record_spikes(g)
        net.run(200.0)
        return s.i, s.steps

    (i1, s1), (i2, s2) = run(1), run(2)
    assert len(i1) > 100
    assert np.array_equal(i1, i2) and np.array_equal(s1, s2)


def test_sources_and_presets():
    net = nd.Network(dt=0.1)
    src = net.add_spike_train("src", [[1.0, 5.0], [3.0]])
    spikes = net.record_spikes(src)
    net.add_poisson_source("poisson", 10, 5.0, seed=1)
    a = net.add_population("a", 2, nd.models.AdEx.preset("tonic"))
    net.add_input(a, nd.Input.Constant(0.5))
    net.run(10.0)
    assert sorted(zip(spikes.i.tolist(), spikes.steps.tolist())) == [(0, 10), (0, 50), (1, 30)]
    assert repr(nd.models.AdEx.preset("tonic")) == "AdEx.preset('tonic')"
    with pytest.raises(ValueError, match="no preset `nope`"):
        nd.models.AdEx.preset("nope")


def test_every_model_has_a_class_with_its_units_in_help():
    names = list(nd.models.MODELS)
    assert names[:3] == ["Lif", "LifCoba", "AdEx"]
    assert "ExponentialCoba" in names and "VogelsIstdp" in names
    for name, cls in nd.models.MODELS.items():
        doc = cls.__doc__
        for p in cls.info["params"]:
            assert f"{p['name']} = {p['default']:g} {p['unit']}" in doc, (name, p["name"])
        if issubclass(cls, nd.NeuronModel):
            nd.Network(dt=0.1).add_population("g", 2, cls())
    assert "dV/dt = " in nd.models.Lif.__doc__
    assert "](" not in nd.models.ExponentialCoba.__doc__  # rustdoc links are plain text


def test_errors_are_python_exceptions_with_the_runtime_message():
    with pytest.raises(KeyError, match="no parameter `taux`.*tau"):
        nd.models.Lif(taux=1.0)
    with pytest.raises(ValueError, match="dt"):
        nd.Network(dt=-1.0)
    net = nd.Network(dt=0.1)
    with pytest.raises(ValueError, match="tau"):
        net.add_population("bad", 3, nd.models.Lif(tau=-1.0))
    g = net.add_population("g", 3, nd.models.Lif())
    with pytest.raises(KeyError, match="no variable `W`"):
        net.record(g, "W")
    with pytest.raises(ValueError, match="g"):
        net.set(g, "V", [1.0, 2.0])  # three neurons
    with pytest.raises(ValueError):
        net.run(0.05)  # half a step
    with pytest.raises(ValueError, match="duplicate|already"):
        net.add_population("g", 1, nd.models.Lif())
    with pytest.raises(KeyError, match="no object named `h`"):
        net["h"]
    small = nd.Network(dt=0.1)
    small.set_memory_budget(10_000)
    with pytest.raises(MemoryError, match="budget"):
        small.add_population("big", 1_000_000, nd.models.Lif())
    with pytest.raises(TypeError):
        net.add_population("x", 1, nd.models.Ampa())


def test_run_releases_the_gil():
    net, g = coba(4000, 1)
    counter = [0]
    done = threading.Event()

    def count():
        while not done.is_set():
            counter[0] += 1

    t = threading.Thread(target=count)
    t.start()
    start = time.perf_counter()
    net.run(2000.0)
    took = time.perf_counter() - start
    done.set()
    t.join()
    # The counting thread ran during the run: with the GIL held it would get nothing but the
    # switches between pieces.
    assert took > 0.05
    assert counter[0] > 10_000


def test_ctrl_c_stops_a_run_at_a_consistent_time_and_the_network_goes_on():
    net, g = coba(4000, 1)
    spikes = net.record_spikes(g)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        net.run(60_000.0)
    timer.join()
    stopped = net.step_index
    assert 0 < stopped < 600_000
    assert net.time == pytest.approx(stopped * 0.1)
    assert np.all(spikes.steps < stopped)
    # The rest of the run continues from there: the spikes equal one unbroken run's.
    end = stopped + 1000
    net.run_steps(end - stopped)
    whole, h = coba(4000, 1)
    ref = whole.record_spikes(h)
    whole.run_steps(end)
    assert np.array_equal(spikes.i, ref.i) and np.array_equal(spikes.steps, ref.steps)


def test_progress_is_reported_to_a_callable():
    net, g = coba(400, 1)
    seen = []
    net.run(100.0, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (1000, 1000)
    assert all(b[0] > a[0] for a, b in zip(seen, seen[1:]))


def test_the_microcircuit_from_python_is_the_rust_one_spike_for_spike():
    net, pops = microcircuit(0.05, 3)
    monitors = [net.record_spikes(p) for p in pops]
    net.run(200.0)
    reference = nd._neurode.reference_microcircuit(0.05, 3, 200.0)
    total = 0
    for m, (ref_i, ref_steps) in zip(monitors, reference):
        assert np.array_equal(m.i, ref_i) and np.array_equal(m.steps, ref_steps)
        total += len(ref_i)
    assert total > 1000  # every population's background drives it


def test_the_committed_type_stub_is_what_the_models_render():
    import pathlib

    from neurode import _stubs

    committed = pathlib.Path(__file__).parent.parent / "neurode" / "models.pyi"
    assert committed.read_text() == _stubs.render(), "regenerate: python -m neurode._stubs"


def test_brunel2000_from_python_is_the_rust_one_spike_for_spike():
    g, eta, _ = nd.benchmarks.BRUNEL2000_STATES["C"]
    net, neurons, _ = nd.benchmarks.brunel2000(g, eta, 0.1, 4)
    spikes = net.record_spikes(neurons)
    net.run(200.0)
    ref_i, ref_steps = nd._neurode.reference_brunel2000(g, eta, 0.1, 4, 200.0)
    assert len(ref_i) > 1000
    assert np.array_equal(spikes.i, ref_i) and np.array_equal(spikes.steps, ref_steps)


def test_vogels2011_from_python_is_the_rust_one_with_its_plastic_weights():
    net, neurons, _, plastic = nd.benchmarks.vogels2011(0.1, 2)
    spikes = net.record_spikes(neurons)
    assert net.pending_actions() == [1000.0]
    net.run(1100.0)
    assert net.pending_actions() == [] and net.param(plastic, "eta") == 0.01
    ref_i, ref_steps, ref_w = nd._neurode.reference_vogels2011(0.1, 2, 1100.0)
    assert np.array_equal(spikes.i, ref_i) and np.array_equal(spikes.steps, ref_steps)
    w = net.get(plastic, "w")
    assert np.array_equal(w, ref_w)
    assert np.any(w > 1e-10)  # the plasticity was on for the last 100 ms


def test_brunel_wang2001_from_python_is_the_rust_one_spike_for_spike():
    # Through the cue (1000-1050 ms): summed NMDA gating, pool-structured weights by a
    # function of pairs, windowed Poisson inputs onto views.
    net, exc, inh, pools = neurode.benchmarks.brunel_wang2001(200, 3)
    se, si = net.record_spikes(exc), net.record_spikes(inh)
    net.run(1100.0)
    ie, se_steps, ii, si_steps = nd._neurode.reference_brunel_wang2001(200, 3, 1100.0)
    assert len(ie) > 200 and len(ii) > 200
    assert np.array_equal(se.i, ie) and np.array_equal(se.steps, se_steps)
    assert np.array_equal(si.i, ii) and np.array_equal(si.steps, si_steps)
    # The cue drives pool 1 far above the rest during it.
    cue = (se.t >= 1000.0) & (se.t < 1050.0)
    sel1 = np.isin(se.i, np.asarray(pools["sel1"]))
    rate_sel1 = np.count_nonzero(cue & sel1) / (len(pools["sel1"]) * 0.05)
    rate_non = np.count_nonzero(cue & np.isin(se.i, np.asarray(pools["nonsel"]))) / (
        len(pools["nonsel"]) * 0.05)
    assert rate_sel1 > 5 * rate_non + 20


def test_functions_of_elements_and_of_pairs():
    net = nd.Network(dt=0.1)
    pre = net.add_population("pre", 30, nd.models.Lif())
    post = net.add_population("post", 20, nd.models.Lif())
    # Only pairs with i < j connect (probability 1), the others never (0).
    s = net.add_projection(
        "s", nd.models.Exponential(), pre, post,
        nd.Connect.Probability(lambda i, j: (i < j).astype(float), seed=1),
    )
    i, j = s.connections()
    assert len(i) == sum(max(0, 20 - k - 1) for k in range(30)) and np.all(i < j)
    # A function of one element, vectorised, and one that only takes numbers.
    net.set(pre, "V", nd.Values.Fn(lambda k: 0.5 * k))
    assert np.array_equal(net.get(pre, "V"), 0.5 * np.arange(30))
    net.set(post[5:8], "V", nd.Values.Fn(lambda k: float(k) if k >= 0 else 0.0))
    assert np.array_equal(net.get(post[5:8], "V"), [5.0, 6.0, 7.0])
    p = net.add_projection("p", nd.models.StaticSynapse(), net.add_population(
        "a", 4, nd.models.IafPscExp()), net.add_population("b", 3, nd.models.IafPscExp()),
        nd.Connect.AllToAll())
    net.set(p, "w", nd.Values.PairFn(lambda a, b: 10 * a + b))
    a, b = p.connections()
    assert np.array_equal(net.get(p, "w"), 10.0 * a + b)
    with pytest.raises(ValueError, match="PairFn is for synapses"):
        net.set(pre, "V", nd.Values.PairFn(lambda a, b: a))
    with pytest.raises(ValueError, match="probabilit"):
        net.add_projection("bad", nd.models.Exponential(), pre, post,
                           nd.Connect.Probability(lambda i, j: 2.0 + 0 * i * j, seed=1))


def test_monitors_as_data_frames():
    pd = pytest.importorskip("pandas")
    net, g = coba(400, 1)
    v = net.record(g[:3], "V", every=10)
    spikes = net.record_spikes(g)
    rate = net.record_rate(g, 1.0)
    net.run(50.0)
    frame = v.to_pandas()
    assert list(frame.columns) == v.names and frame.index.name == "t_ms"
    assert np.array_equal(frame.to_numpy(), v.values) and np.array_equal(frame.index, v.t)
    s = spikes.to_pandas()
    assert isinstance(s, pd.DataFrame)
    assert np.array_equal(s["i"], spikes.i) and np.array_equal(s["t_ms"], spikes.t)
    assert np.array_equal(rate.to_pandas()["rate_hz"], rate.rate)


def test_monitor_arrays_are_fetched_once_per_run_and_read_only():
    net, g = coba(1000, 5)
    v = net.record(g[:3], "V")
    spikes = net.record_spikes(g)
    rate = net.record_rate(g, 1.0)
    net.run(50.0)
    # Two reads between runs are the same arrays: one copy out of the runtime, not one per read.
    assert spikes.t is spikes.t and spikes.i is spikes.i and v.values is v.values
    assert rate.rate is rate.rate
    for a in (spikes.i, spikes.t, spikes.steps, spikes.counts, v.t, v.values, rate.t, rate.rate):
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[...] = 0
    first_t, first_i = spikes.t, spikes.i
    n = len(first_t)
    assert n > 0
    checkpoint = net.checkpoint()
    # A run makes new arrays; the old ones stay what they were.
    net.run(50.0)
    assert len(spikes.t) > n and len(v.t) == 1001 and len(rate.t) == 100
    assert len(first_t) == n and np.array_equal(spikes.t[:n], first_t)
    assert np.array_equal(spikes.i[:n], first_i)
    # A restore too.
    net.restore(checkpoint)
    assert len(spikes.t) == n and len(v.t) == 501 and len(rate.t) == 50
    assert np.array_equal(spikes.t, first_t)
    # A private copy is writable.
    own = np.array(spikes.t)
    own[0] = -1.0
    assert spikes.t[0] != -1.0


def test_a_checkpoint_continues_the_run_bit_for_bit_and_a_foreign_one_changes_nothing(tmp_path):
    # One run of 300 ms, against 100 ms, a checkpoint written to a file, 100 ms more, a
    # restore from the file and the last 200 ms: the same spikes.
    net, g = coba(1000, 5)
    whole = net.record_spikes(g)
    net.run(300.0)

    net, g = coba(1000, 5)
    pieces = net.record_spikes(g)
    net.run(100.0)
    path = tmp_path / "coba.ckpt"
    net.checkpoint().save(path)
    net.run(100.0)
    net.restore(path)
    assert net.time == pytest.approx(100.0)
    net.run(200.0)
    assert len(whole.i) > 1000
    assert np.array_equal(pieces.i, whole.i) and np.array_equal(pieces.steps, whole.steps)
    # The file is the runtime's format: its magic, then the format version.
    data = path.read_bytes()
    assert data[:8] == b"NEURODE\x01" and int.from_bytes(data[8:12], "little") >= 4

    # A network built otherwise refuses it, and is left as it was.
    other, h = coba(800, 5)
    other.run(10.0)
    before = other.get(h, "V")
    with pytest.raises(RuntimeError, match="checkpoint"):
        other.restore(nd.Checkpoint.load(path))
    assert other.time == pytest.approx(10.0)
    assert np.array_equal(other.get(h, "V"), before)
    # A corrupted file too.
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(RuntimeError):
        net.restore(bad)
    # Saving over a directory is refused.
    with pytest.raises(IsADirectoryError):
        net.checkpoint().save(tmp_path)


def test_every_built_in_synapse_can_target_every_built_in_neuron():
    targets = [c for c in nd.models.MODELS.values()
               if c.info["kind"] == "neuron" and c.__name__ not in ("PoissonSource", "SpikeTrain")]
    synapses = [c for c in nd.models.MODELS.values() if c.info["kind"] == "synapse"]
    assert len(targets) == 11 and len(synapses) == 25
    for t in targets:
        net = nd.Network(dt=0.1)
        src = net.add_spike_train("src", [[1.0], [2.0]])
        g = net.add_population("g", 2, t())
        built = 0
        for s in synapses:
            # The registry pairs every synapse with every target (a missing pair would be a
            # TypeError); what remains is the runtime's check of the pair's names (a
            # conductance onto a model without an input: ValueError saying so).
            try:
                net.add_projection(s.__name__, s(), src, g, nd.Connect.OneToOne())
                built += 1
            except ValueError as e:
                assert "invalid input" in str(e), e
        assert built >= 2, t.__name__
