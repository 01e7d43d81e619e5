"""The Rust route: a user's crate (python/examples/my_models) exports its models to Python with
``neurode_python::export!``, and ``neurode.extension`` gives their classes. The crate is built
with cargo into the session's build cache, as maturin would build it."""

import importlib.machinery
import importlib.util
import math
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import neurode as nd

CRATE = pathlib.Path(nd._neurode.source_dir()) / "examples" / "my_models"


@pytest.fixture(scope="module")
def mine(build_cache, tmp_path_factory):
    target = pathlib.Path(build_cache) / "target"
    run = subprocess.run(
        ["cargo", "build", "--release", "--message-format=short"],
        cwd=CRATE,
        env=dict(os.environ, CARGO_TARGET_DIR=str(target)),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    lib = target / "release" / ("libmy_models.dylib" if sys.platform == "darwin" else "libmy_models.so")
    built = tmp_path_factory.mktemp("ext") / "my_models.abi3.so"
    shutil.copy(lib, built)
    loader = importlib.machinery.ExtensionFileLoader("my_models", str(built))
    spec = importlib.util.spec_from_file_location("my_models", built, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return nd.extension(module)


def qif_period(p, current):
    """The closed-form period (ms) of the QIF from V_reset to V_peak under a constant current:
    with u = V - (V_rest + V_c)/2 and h = (V_c - V_rest)/2, tau du/dt = (u² + c)/delta_V with
    c = R I delta_V - h², so T = tau delta_V / sqrt(c) [atan(u/sqrt(c))] from reset to peak."""
    mid, h = (p["V_rest"] + p["V_c"]) / 2, (p["V_c"] - p["V_rest"]) / 2
    c = p["R"] * current * p["delta_V"] - h * h
    assert c > 0, "below the rheobase"
    r = math.sqrt(c)
    return p["tau"] * p["delta_V"] / r * (
        math.atan((p["V_peak"] - mid) / r) - math.atan((p["V_reset"] - mid) / r)
    )


def test_the_crate_models_are_classes_beside_the_built_ins(mine):
    assert mine.user_models == ["Qif", "ExpCurrent"]
    assert "tau dV/dt = (V - V_rest) (V - V_c) / delta_V + R I" in mine.Qif.__doc__
    assert "Lif" in mine.models and "Exponential" in mine.models


def test_a_crate_neuron_fires_with_the_closed_form_period(mine):
    p = dict(V_rest=-65.0, V_c=-50.0, delta_V=10.0, V_peak=30.0, V_reset=-70.0, R=10.0, tau=10.0)
    dt, current = 0.001, 3.0
    net = mine.Network(dt=dt)
    g = net.add_population("qif", 1, mine.Qif(**p))
    net.add_input(g, nd.Input.Constant(current))
    spikes = net.record_spikes(g)
    net.run(300.0)
    expected = qif_period(p, current)
    isi = np.diff(spikes.t)
    assert len(isi) > 10
    # The potential reaches V_peak within a step of the closed form; the integration error
    # of the crossing is far below a step at this dt.
    assert np.all(np.abs(isi - expected) <= dt * 1.0001), (isi[:5], expected)


def lif_network(network_class, synapse, target, bias):
    net = network_class(dt=0.1, seed=4)
    drive = net.add_population("drive", 200, nd.models.Lif(tau=10.0, V_th=20.0))
    net.set(drive, "V", nd.Values.Uniform(0.0, 20.0))
    net.add_input(drive, nd.Input.Constant(25.0))
    g = net.add_population("g", 300, target)
    net.add_input(g, nd.Input.Constant(bias))
    net.add_projection("syn", synapse, drive, g, nd.Connect.FixedProb(0.1, 9))
    spikes = net.record_spikes(g)
    net.run(200.0)
    return spikes.i, spikes.steps


def test_every_pairing_of_crate_and_built_in_models_projects(mine):
    lif = nd.models.Lif(tau=10.0, V_th=20.0)
    builtin = nd.models.Exponential(tau=5.0, w=2.0, delay=0.0)
    own = mine.ExpCurrent(tau=5.0, w=2.0)
    # A crate synapse onto a built-in neuron is the built-in twin, spike for spike.
    ref = lif_network(nd.Network, builtin, lif, 15.0)
    assert len(ref[0]) > 100
    for got in (lif_network(mine.Network, own, lif, 15.0), lif_network(mine.Network, builtin, lif, 15.0)):
        assert np.array_equal(got[0], ref[0]) and np.array_equal(got[1], ref[1])
    # A built-in synapse onto a crate neuron, and a crate synapse onto it, agree too.
    qif = mine.Qif()
    a = lif_network(mine.Network, builtin, qif, 0.4)
    b = lif_network(mine.Network, own, qif, 0.4)
    assert len(a[0]) > 10
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_a_crate_model_is_refused_by_the_package_network(mine):
    with pytest.raises(TypeError, match="belongs to module `my_models`"):
        nd.Network(dt=0.1).add_population("g", 2, mine.Qif())


def test_extension_refuses_a_module_that_is_not_one():
    with pytest.raises(TypeError, match="not a neurode extension module"):
        nd.extension(math)
