"""The benchmark networks of Rust's ``neurode::benchmarks`` and ``neurode::microcircuit``,
built from Python on the package's API: examples of it, and the networks the tests compare with
the Rust builds spike for spike."""

import numpy as np

import neurode as nd

__all__ = ["coba", "microcircuit", "brunel2000", "vogels2011", "BRUNEL2000_STATES"]


def coba(n, seed, threads=1):
    """The COBA benchmark (Vogels & Abbott 2005; Brette et al. 2007, benchmark 1) of ``n``
    neurons, built as Rust's ``neurode::benchmarks::coba(n, seed)`` builds it: the same
    parameters, connection rules, order, methods and keyed initial values, so the same spikes.

    LIF: V_rest = V_reset = -60 mV, V_th -50 mV, tau 20 ms, R 100 MOhm, refractory 5 ms;
    conductance-based exponential synapses (tau 5 / 10 ms, 6 / 67 nS, E 0 / -80 mV) from the
    first 80 % (excitatory) and the rest (inhibitory), each pair with probability 80 / n;
    forward Euler. Returns ``(network, population)``."""
    net = nd.Network(dt=0.1, threads=threads)
    lif = nd.models.Lif(
        V_rest=-60.0, V_reset=-60.0, V_th=-50.0, R=100.0, tau=20.0, t_refractory=5.0
    )
    g = net.add_population("neurons", n, lif)
    ne = n * 4 // 5
    p = min(80.0 / n, 1.0)
    exc = nd.models.ExponentialCoba(tau=5.0, g_max=0.006, E=0.0, delay=0.0)
    inh = nd.models.ExponentialCoba(tau=10.0, g_max=0.067, E=-80.0, delay=0.0)
    e = net.add_projection("exc", exc, g[:ne], g, nd.Connect.FixedProb(p, seed))
    i = net.add_projection("inh", inh, g[ne:], g, nd.Connect.FixedProb(p, seed ^ 0x5DEECE66))
    net.set_order([e, i, g])
    for obj in (g, e, i):
        net.set_method(obj, "euler")
    net.set(g, "V", -65.0 + 5.0 * nd.keyed_normal(seed, 1, n))
    net.set(e, "s", (4.0 + 1.5 * nd.keyed_normal(seed, 2, n)) * 0.01 / 0.006)
    net.set(i, "s", (20.0 + 12.0 * nd.keyed_normal(seed, 3, n)) * 0.01 / 0.067)
    return net, g


def microcircuit(scale, seed):
    """The Potjans & Diesmann (2014) microcircuit at ``scale`` (1: 77,169 neurons), built as
    Rust's ``neurode::microcircuit::Microcircuit::new(scale, seed)`` builds it, so the same
    spikes; its derived numbers (counts, weights, DC input at ``scale``) are read from Rust.
    Returns ``(network, populations)`` in the order L23E, L23I, L4E, L4I, L5E, L5I, L6E, L6I."""
    d = nd._neurode.microcircuit_numbers(scale)
    net = nd.Network(dt=0.1, seed=seed)
    pops = []
    for t, name in enumerate(d["populations"]):
        cells = nd.models.IafPscExp(I_e=d["dc"][t] / 1000.0)
        g = net.add_population(name, d["num_neurons"][t], cells)
        net.set(g, "V", nd.Values.Normal(*d["v0"][t]))
        rate = d["bg_rate"] * d["ext_indegree"][t]
        net.add_poisson_input(
            g, "I_ex", nd.PoissonInput.poisson(rate, d["weight_ext"] / 1000.0, seed ^ (t + 1))
        )
        pops.append(g)
    for t in range(8):
        for s in range(8):
            n = d["num_synapses"][t][s]
            if n == 0:
                continue
            pre, post = pops[s], pops[t]
            rule = nd.Connect.FixedTotalNumber(n, (seed * 64 + t * 8 + s) % 2**64)
            syn = net.add_projection(f"{pre.name}->{post.name}", nd.models.StaticSynapse(),
                                     pre, post, rule)
            w = d["weight"][t][s] / 1000.0
            low, high = (-np.inf, 0.0) if w < 0 else (0.0, np.inf)
            net.set(syn, "w", nd.Values.NormalRedraw(w, abs(w * d["weight_rel_sd"]), low, high))
            if w < 0:
                net.set_post_variable(syn, "I_ex", "I_in")
            mean = d["delay_exc"] if s % 2 == 0 else d["delay_inh"]
            net.set_delays(syn, nd.Values.NormalRedraw(mean, mean * d["delay_rel_sd"], 0.05))
    return net, pops


#: The four states of Brunel (2000), Fig. 8: relative inhibition g and drive eta.
BRUNEL2000_STATES = {
    "A": (3.0, 2.0, "synchronous regular"),
    "B": (6.0, 4.0, "synchronous irregular, fast"),
    "C": (5.0, 2.0, "asynchronous irregular"),
    "D": (4.5, 0.9, "synchronous irregular, slow"),
}


def brunel2000(g, eta, scale, seed):
    """Brunel (2000): N_E = 10,000 and N_I = 2,500 delta-synapse integrate-and-fire neurons
    (times ``scale``), connection probability 0.1, J = 0.1 mV, inhibition -g J, delay 1.5 ms,
    C_E external Poisson sources each at eta times the threshold rate; built as Rust's
    ``neurode::brunel2000::build(g, eta, scale, seed)``, so the same spikes.
    Returns ``(network, population, n_exc)``."""
    n_exc, n_inh = round(10_000 * scale), round(2_500 * scale)
    net = nd.Network(dt=0.1, seed=seed)
    model = nd.models.IafDelta()
    tau, theta = model.defaults()["tau"], model.defaults()["theta"]
    neurons = net.add_population("neurons", n_exc + n_inh, model)
    net.set(neurons, "V", nd.Values.Uniform(0.0, theta))
    c_e = 0.1 * n_exc
    j = 0.1
    e = net.add_projection("exc", nd.models.Delta(w=j), neurons[:n_exc], neurons,
                           nd.Connect.FixedProb(0.1, seed))
    i = net.add_projection("inh", nd.models.Delta(w=-g * j), neurons[n_exc:], neurons,
                           nd.Connect.FixedProb(0.1, seed ^ 0x5EED))
    net.set_delays(e, 1.5)
    net.set_delays(i, 1.5)
    nu_thr = theta / (j * c_e * tau) * 1e3  # Hz
    net.add_poisson_input(
        neurons, "V", nd.PoissonInput.binomial(round(c_e), eta * nu_thr, j, seed ^ 0xE87)
    )
    return net, neurons, n_exc


def vogels2011(scale, seed):
    """Vogels et al. (2011) inhibitory plasticity: 8,000 excitatory and 2,000 inhibitory
    conductance-based LIF neurons (times ``scale``), connection probability 0.02, the
    inhibitory-to-excitatory synapses plastic from 1 s on (eta 0.01); built as Rust's
    ``neurode::vogels2011::build(scale, seed)``, so the same spikes and weights.
    Returns ``(network, population, n_exc, plastic projection)``."""
    n_exc, n_inh = round(8000 * scale), round(2000 * scale)
    net = nd.Network(dt=0.1, seed=seed)
    model = nd.models.VogelsLif()
    d = model.defaults()
    neurons = net.add_population("neurons", n_exc + n_inh, model)
    net.set(neurons, "V", nd.Values.Uniform(d["E_L"], d["V_th"]))
    exc, inh = neurons[:n_exc], neurons[n_exc:]

    def rule(k):
        return nd.Connect.FixedProb(0.02, seed ^ (k << 32))

    e = net.add_projection("exc", nd.models.ConductanceKick(w=0.3), exc, neurons, rule(1))
    net.set_post_variable(e, "g", "g_ampa")
    ii = net.add_projection("inh_inh", nd.models.ConductanceKick(w=3.0), inh, inh, rule(2))
    net.set_post_variable(ii, "g", "g_gaba")
    plastic = net.add_projection("inh_exc", nd.models.VogelsIstdp(eta=0.0), inh, exc, rule(3))
    net.set(plastic, "w", 1e-10)
    net.at(1000.0, nd.Action.set_param(plastic, "eta", 0.01))
    return net, neurons, n_exc, plastic


def brunel_wang2001(n, seed):
    """Brunel & Wang (2001) object working memory: 0.8 n pyramidal cells and 0.2 n interneurons
    (``BwLif``), all-to-all, AMPA (``BwAmpa``), NMDA summed onto each cell (``BwNmda``) and GABA
    (``BwGaba``); five selective pools of 10 % of the pyramidal cells (views), w+ = 2.1 within a
    pool; 800 Poisson sources at 3 Hz onto every cell, a cue (80 at 25 Hz) onto pool 1 during
    [1000, 1050) ms and a reset (800 at 25 Hz) onto every cell during [2000, 2050) ms. Built as
    Rust's ``neurode::brunel_wang2001::build(n, seed)``, so the same spikes.
    Returns ``(network, exc, inh, pools)``, ``pools`` mapping ``nonsel``, ``sel1`` ..
    ``sel5`` to ranges of pyramidal-cell indices."""
    n_e, n_i = int(n * 0.8), int(n * 0.2)
    f, p, w_plus = 0.1, 5, 2.1
    n_sub, n_non = int(n_e * f), int(n_e * (1.0 - f * p))
    w_minus = 1.0 - f * (w_plus - 1.0) / (1.0 - f)
    net = nd.Network(dt=0.1, seed=seed)
    e_scale, i_scale = 800.0 / n_e, 200.0 / n_i
    d = nd.models.BwLif().defaults()
    exc = net.add_population("exc", n_e, nd.models.BwLif(
        g_ampa=d["g_ampa"] * e_scale, g_nmda=d["g_nmda"] * e_scale, g_gaba=d["g_gaba"] * i_scale))
    inh = net.add_population("inh", n_i, nd.models.BwLif(
        C_m=0.2, g_L=20.0, tau_rp=1.0, g_ext=1.62, g_ampa=0.081 * e_scale,
        g_nmda=0.258 * e_scale, g_gaba=0.973 * i_scale))
    pool = np.full(n_e, -1)
    pool[n_non:] = np.minimum((np.arange(n_non, n_e) - n_non) // n_sub, p - 1)

    def w_ee(i, j):
        a, b = pool[i], pool[j]
        return np.where(b < 0, 1.0, np.where(a == b, w_plus, w_minus))

    ampa = net.add_projection("exc_exc_ampa", nd.models.BwAmpa(), exc, exc,
                              nd.Connect.AllToAllNoSelf())
    net.set(ampa, "w", nd.Values.PairFn(w_ee))
    nmda = net.add_projection("exc_exc_nmda", nd.models.BwNmda(), exc, exc,
                              nd.Connect.AllToAllNoSelf())
    net.set(nmda, "w", nd.Values.PairFn(w_ee))
    net.add_projection("exc_inh_ampa", nd.models.BwAmpa(), exc, inh, nd.Connect.AllToAll())
    net.add_projection("exc_inh_nmda", nd.models.BwNmda(), exc, inh, nd.Connect.AllToAll())
    net.add_projection("inh_inh", nd.models.BwGaba(), inh, inh, nd.Connect.AllToAllNoSelf())
    net.add_projection("inh_exc", nd.models.BwGaba(), inh, exc, nd.Connect.AllToAll())

    def key(k):
        return seed ^ (k << 40)

    net.add_poisson_input(exc, "s_ext", nd.PoissonInput.binomial(800, 3.0, 1.0, key(1)))
    net.add_poisson_input(inh, "s_ext", nd.PoissonInput.binomial(800, 3.0, 1.0, key(2)))
    net.add_poisson_input(exc[n_non:n_non + n_sub], "s_ext",
                          nd.PoissonInput.binomial(80, 25.0, 1.0, key(3), during=(1000.0, 1050.0)))
    for k, target in ((4, exc), (5, inh)):
        net.add_poisson_input(target, "s_ext", nd.PoissonInput.binomial(
            800, 25.0, 1.0, key(k), during=(2000.0, 2050.0)))
    pools = {"nonsel": range(0, n_non)}
    for k in range(p):
        pools[f"sel{k + 1}"] = range(n_non + k * n_sub, n_non + (k + 1) * n_sub)
    return net, exc, inh, pools
