"""neurode.compile: models written in the DSL from Python, built into a module of their own."""

import numpy as np
import pytest

import neurode as nd

# The built-in Lif under another name, and a current-based exponential synapse of the user's.
SOURCE = '''
/// LIF as the built-in `Lif`, written by the user.
#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
#[refractory(t_refractory, count = after_spike)]
pub struct MyLif {
    #[param(default = 0.0, unit = "mV")]
    pub V_rest: f64,
    #[param(default = -5.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = 20.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 1.0, unit = "MOhm", domain = positive)]
    pub R: f64,
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau: f64,
    #[param(default = 1.0, unit = "ms", domain = non_negative)]
    pub t_refractory: f64,
    /// Membrane potential.
    #[state(init = V_rest, unit = "mV", ode = (-(V - V_rest) + R * I) / tau, membrane)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

/// A current that jumps by `w` at a spike and decays with `tau`.
#[synapse]
#[output(current = w * s)]
pub struct Kick {
    #[param(default = 1.0, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms", domain = positive)]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre_after += 1.0)]
    pub s: f64,
}
'''


@pytest.fixture(scope="module")
def compiled(build_cache):
    # A first build takes minutes (see conftest.py).
    return nd.compile(SOURCE, cache_dir=build_cache)


def run(network_class, neuron, synapse):
    net = network_class(dt=0.1, seed=2)
    g = net.add_population("g", 500, neuron)
    net.set(g, "V", nd.Values.Uniform(0.0, 20.0))
    net.add_input(g[:100], nd.Input.Constant(25.0))
    net.add_projection("syn", synapse, g[:100], g, nd.Connect.FixedProb(0.1, 3))
    spikes = net.record_spikes(g)
    net.run(200.0)
    return spikes.i, spikes.steps


def test_a_user_model_runs_as_its_built_in_twin(compiled):
    assert compiled.user_models == ["MyLif", "Kick"]
    assert compiled.MyLif.__doc__.startswith("LIF as the built-in `Lif`, written by the user.")
    assert "dV/dt = (-(V - V_rest) + R * I) / tau" in compiled.MyLif.__doc__
    lif = dict(V_th=20.0, tau=10.0, t_refractory=2.0)
    kick = nd.models.Exponential(tau=5.0, w=1.0, delay=0.0)
    # Exponential: I_post += w * s, as Kick does.
    ref_i, ref_steps = run(nd.Network, nd.models.Lif(**lif), kick)
    user_i, user_steps = run(compiled.Network, compiled.MyLif(**lif), compiled.Kick(w=1.0))
    assert len(ref_i) > 500
    assert np.array_equal(ref_i, user_i) and np.array_equal(ref_steps, user_steps)
    # The built-ins are in the compiled module too.
    mixed_i, _ = run(compiled.Network, nd.models.Lif(**lif), compiled.Kick(w=1.0))
    assert np.array_equal(mixed_i, ref_i)


def test_the_same_source_is_found_in_the_cache(compiled):
    again = nd.compile(SOURCE, cache_dir=compiled.path.parent.parent)
    assert again.cached
    assert again.path == compiled.path


def test_a_user_model_is_refused_by_the_package_network(compiled):
    net = nd.Network(dt=0.1)
    with pytest.raises(TypeError, match="belongs to module"):
        net.add_population("g", 2, compiled.MyLif())


def test_a_dsl_mistake_is_a_compile_error_at_the_source_line(compiled, tmp_path):
    bad = tmp_path / "bad.rs"
    bad.write_text(
        "#[neuron]\n"
        "#[threshold(V >= V_th)]\n"
        "#[reset(V = V_th)]\n"
        "pub struct Bad {\n"
        '    #[param(default = 1.0, unit = "mV")]\n'
        "    pub V_th: f64,\n"
        '    #[param(default = 10.0, unit = "ms")]\n'
        "    pub tau: f64,\n"
        '    #[state(init = 0.0, unit = "mV", ode = V_th + tau, membrane)]\n'
        "    pub V: f64,\n"
        '    #[input(unit = "nA")]\n'
        "    pub I: f64,\n"
        "}\n"
    )
    with pytest.raises(nd.CompileError) as e:
        # The compiled module's cache: its build of the runtime is reused.
        nd.compile(str(bad), cache_dir=compiled.path.parent.parent)
    message = str(e.value)
    # V_th + tau adds mV to ms: the diagnostic names the file and the line of the ODE.
    assert f"{bad}:9:" in message, message
    assert "ms" in message and "mV" in message


def test_no_model_in_the_source_is_an_error():
    with pytest.raises(nd.CompileError, match="no #\\[neuron\\]"):
        nd.compile("fn main() {}")
