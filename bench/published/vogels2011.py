"""Vogels, Sprekeler, Zenke, Clopath & Gerstner (2011) inhibitory plasticity in a
recurrent network, as a Brian2 reference and benchmark.

  python vogels2011.py --T 10 --seed 1 --mode standalone --figure fig.png

Model: Brian2 examples/frompapers/Vogels_et_al_2011.py (F. Zenke's 2012 Brian
twister entry, adapted from Vogels et al. 2011, Science 334:1569):
  NE = 8000, NI = 2000 conductance-based LIF, gl = 10 nS, C = 200 pF, El = -60 mV,
  E_inh = -80 mV, E_exc = 0 mV (the term g_ampa*v), Vt = -50 mV, reset to El,
  refractory 5 ms (v clamped), I_bg = 200 pA, tau_ampa = 5 ms, tau_gaba = 10 ms,
  forward Euler, dt 0.1 ms.
  Connections, each pair with probability epsilon = 0.02:
    E -> all  g_ampa += 0.3 nS (static)
    I -> I    g_gaba += 3 nS (static)
    I -> E    g_gaba += w nS, plastic, w(0) = 1e-10, w in [0, gmax = 100]
  Symmetric iSTDP (event-driven traces, tau_stdp = 20 ms, +1 per spike):
    pre  spike: Apre += 1;  w = clip(w + eta*(Apost - alpha), 0, gmax);  g_gaba += w nS
    post spike: Apost += 1; w = clip(w + eta*Apre, 0, gmax)
    alpha = 2 * rho0 * tau_stdp = 0.12 with rho0 = 3 Hz; eta = 0 for t < 1 s
    (no plasticity) and eta = 1e-2 from t = 1 s on (a TimedArray, so the whole
    protocol is one run and run_s covers all of it).
  Deviation from the example: v(0) uniform in [El, Vt) (the example leaves v = 0 mV,
  i.e. every neuron fires at the first step).
  Simulated time: --T (default 10 s = the example's simtime; the paper ran much
  longer, here the exc rate has come close to rho0 after ~10 s).

Statistics (spike times t on the dt grid; window [a, b) includes t >= a, t < b):
  rate_e_before / rate_i_before  mean rate of all E / I neurons over [0.2, 1.0) s
                                 (no plasticity yet; first 0.2 s = transient excluded)
  rate_e_after / rate_i_after    the same over [T - 1, T)
  rate_e_per_s / rate_i_per_s    the same over every [k, k+1) s
  w_mean, w_std (ddof 0), w_p10/w_p50/w_p90, w_frac_zero (w == 0 exactly), w_max:
                                 the I->E weights (nS) at the end of the run
  w_hist                         counts of w in 20 equal bins over [0, 2 * w_mean) (edges in
                                 w_hist_edges); values >= the last edge are counted in the last bin
  cv_isi_e_after                 mean over E neurons with >= 3 spikes in [T-1, T) of std/mean ISI
Timing: run_s = device._last_run_time (the one run), build_s, binary_s.
"""
import argparse
import json
import platform
import shutil
import tempfile
import time

import numpy as np

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--T", type=float, default=10.0, help="simulated seconds (>= 2)")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--mode", choices=["standalone", "runtime"], default="standalone")
ap.add_argument("--reps", type=int, default=1)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--figure", default=None)
args = ap.parse_args()

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, TimedArray, defaultclock, device,
                    ms, mV, nS, pA, pF, Hz, prefs, second, set_device, seed)
import brian2

t_build0 = time.time()
if args.mode == "standalone":
    set_device("cpp_standalone", build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0 if args.threads == 1 else args.threads
else:
    prefs.codegen.target = "cython"
seed(args.seed)
defaultclock.dt = 0.1 * ms

NE, NI = 8000, 2000
tau_ampa, tau_gaba = 5 * ms, 10 * ms
epsilon = 0.02
tau_stdp = 20 * ms
gl, el, er, vt = 10 * nS, -60 * mV, -80 * mV, -50 * mV
memc, bgcurrent = 200 * pF, 200 * pA
rho0 = 3 * Hz
alpha = 2 * rho0 * tau_stdp
gmax = 100
ETA = 1e-2
T_PLAST_ON = 1.0

eqs = """
dv/dt = (-gl*(v-el) - (g_ampa*v + g_gaba*(v-er)) + bgcurrent)/memc : volt (unless refractory)
dg_ampa/dt = -g_ampa/tau_ampa : siemens
dg_gaba/dt = -g_gaba/tau_gaba : siemens
"""
P = NeuronGroup(NE + NI, eqs, threshold="v > vt", reset="v = el", refractory=5 * ms, method="euler")
P.v = "el + rand()*(vt - el)"
Pe, Pi = P[:NE], P[NE:]

con_e = Synapses(Pe, P, on_pre="g_ampa += 0.3*nS")
con_e.connect(p=epsilon)
con_ii = Synapses(Pi, Pi, on_pre="g_gaba += 3*nS")
con_ii.connect(p=epsilon)

eta_t = TimedArray(np.array([0.0, ETA]), dt=T_PLAST_ON * second)  # holds ETA after 1 s
con_ie = Synapses(Pi, Pe, model="""
    w : 1
    dApre/dt = -Apre/tau_stdp : 1 (event-driven)
    dApost/dt = -Apost/tau_stdp : 1 (event-driven)
    """,
    on_pre="""Apre += 1.
              w = clip(w + (Apost - alpha)*eta_t(t), 0, gmax)
              g_gaba += w*nS""",
    on_post="""Apost += 1.
               w = clip(w + Apre*eta_t(t), 0, gmax)""")
con_ie.connect(p=epsilon)
con_ie.w = 1e-10
mon = SpikeMonitor(P)
net = Network(P, con_e, con_ii, con_ie, mon)

runs, binary = [], []
if args.mode == "standalone":
    net.run(args.T * second)
    outdir = tempfile.mkdtemp(prefix="b2_vogels2011_")
    device.build(directory=outdir, compile=True, run=False, with_output=False)
    build_s = time.time() - t_build0
    for _ in range(args.reps):
        device.run(directory=outdir, with_output=False)
        runs.append(device._last_run_time)
        binary.append(device.timers["run_binary"])
else:
    net.run(0.1 * ms)
    build_s = time.time() - t_build0
    t0 = time.time()
    net.run(args.T * second - 0.1 * ms)
    runs.append(time.time() - t0)
ii, tt = np.asarray(mon.i[:]), np.asarray(mon.t[:] / second)
w = np.asarray(con_ie.w[:])
n_syn = len(con_e) + len(con_ii) + len(con_ie)
n_plastic = len(con_ie)
if args.mode == "standalone":
    shutil.rmtree(outdir, ignore_errors=True)

T = args.T


def rates(a, b):
    m = (tt >= a - 1e-9) & (tt < b - 1e-9)
    return (float(np.sum(ii[m] < NE) / (NE * (b - a))), float(np.sum(ii[m] >= NE) / (NI * (b - a))))


re_b, ri_b = rates(0.2, T_PLAST_ON)
re_a, ri_a = rates(T - 1.0, T)
per_s = [rates(k, k + 1) for k in range(int(np.floor(T + 1e-9)))]

m = (tt >= T - 1 - 1e-9) & (ii < NE)
order = np.lexsort((tt[m], ii[m]))
i_s, t_s = ii[m][order], tt[m][order]
bnd = np.searchsorted(i_s, np.arange(NE + 1))
cvs = []
for n in range(NE):
    x = t_s[bnd[n]:bnd[n + 1]]
    if len(x) >= 3:
        d = np.diff(x)
        cvs.append(d.std() / d.mean())

edges = np.linspace(0.0, 2 * w.mean(), 21)
hist = np.histogram(np.minimum(w, edges[-1] * (1 - 1e-12)), bins=edges)[0]

res = {
    "sim": "brian2", "model": "vogels2011", "NE": NE, "NI": NI, "T": T, "seed": args.seed,
    "mode": args.mode, "n_syn": int(n_syn), "n_plastic": int(n_plastic),
    "rate_e_before": round(re_b, 4), "rate_i_before": round(ri_b, 4),
    "rate_e_after": round(re_a, 4), "rate_i_after": round(ri_a, 4),
    "rate_e_per_s": [round(x[0], 3) for x in per_s], "rate_i_per_s": [round(x[1], 3) for x in per_s],
    "cv_isi_e_after": round(float(np.mean(cvs)), 4) if cvs else None, "n_cv": len(cvs),
    "w_mean": round(float(w.mean()), 4), "w_std": round(float(w.std()), 4),
    "w_p10": round(float(np.percentile(w, 10)), 4), "w_p50": round(float(np.percentile(w, 50)), 4),
    "w_p90": round(float(np.percentile(w, 90)), 4), "w_max": round(float(w.max()), 4),
    "w_frac_zero": round(float(np.mean(w == 0)), 5),
    "w_hist_edges": [round(float(e), 4) for e in edges], "w_hist": [int(h) for h in hist],
    "spikes_total": int(len(tt)),
    "run_s": round(float(np.median(runs)), 4), "run_s_all": [round(x, 4) for x in runs],
    "build_s": round(build_s, 2), "version": brian2.__version__, "python": platform.python_version(),
}
if binary:
    res["binary_s_all"] = [round(x, 3) for x in binary]
print("RESULT " + json.dumps(res), flush=True)

if args.figure:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(3, 1, figsize=(5, 6))
    for a, (lo, hi), title in ((ax[0], (0.8, 1.0), "before plasticity"),
                                (ax[1], (T - 0.2, T), "after")):
        mm = (tt >= lo) & (tt < hi) & (ii < 500)
        a.plot(tt[mm] * 1e3, ii[mm], ".", ms=0.8, color="k")
        a.set_title(f"{title}: E neurons 0-499", fontsize=8)
        a.set_yticks([])
        a.set_xlim(lo * 1e3, hi * 1e3)
    ax[1].set_xlabel("t (ms)")
    ax[2].hist(w, bins=50, color="0.3")
    ax[2].set_xlabel("I->E weight w (nS) at end")
    ax[2].set_title(f"Vogels 2011, T={T} s: exc rate {re_b:.1f} -> {re_a:.2f} Hz", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.figure, dpi=80)
