"""Brunel & Wang (2001) object working memory: a cue switches one selective
population into persistent activity; a strong nonselective input resets it.
Brian2 reference and benchmark.

  python brunel_wang2001.py --N 2000 --seed 1 --mode standalone --figure fig.png

Model: Brian2 examples/frompapers/Brunel_Wang_2001.py (Brunel & Wang 2001,
J Comput Neurosci 11:63, Fig. 6b), all parameters as there:
  N_E = 0.8 N pyramidal, N_I = 0.2 N interneurons (--N, default 2000 = 1600 + 400;
  the Brian2 example uses N = 1000); conductances scaled as in the example,
  g_rec,AMPA and g_NMDA by 800/N_E, g_GABA by 200/N_I, so total recurrent drive is
  independent of N:
    E: C_m 0.5 nF, g_L 25 nS, tau_rp 2 ms; I: C_m 0.2 nF, g_L 20 nS, tau_rp 1 ms
    V_L = -70, V_thr = -50, V_reset = -55, V_E = 0, V_I = -70 mV
    g_AMPA,ext 2.08 (E) / 1.62 (I) nS, g_AMPA,rec 0.104 / 0.081 nS * 800/N_E,
    g_NMDA 0.327 / 0.258 nS * 800/N_E, g_GABA 1.25 / 0.973 nS * 200/N_I
    tau_AMPA 2 ms, tau_GABA 10 ms, NMDA: tau_rise 2 ms, tau_decay 100 ms,
    alpha 0.5/ms, Mg 1 mM, block 1/(1 + Mg exp(-0.062 v/mV)/3.57)
  Connectivity all-to-all (E->E and I->I without self-connections).  E->E weights:
    onto nonselective neurons 1; within a selective population w+ = 2.1; onto a
    selective population from anywhere else w- = 1 - f (w+ - 1)/(1 - f), f = 0.1,
    p = 5 selective populations of f N_E neurons; nonselective = the first
    (1 - f p) N_E E neurons (indices 0..N_non-1), selective k = 1..5 follow.
  Synapses: on_pre s_AMPA += w; x += 1 (E->E, E->I, w = 1 onto I), s_GABA += 1;
    NMDA: ds/dt = -s/tau_decay + alpha x (1 - s), dx/dt = -x/tau_rise (Euler),
    s_NMDA_tot_post = w * s_NMDA (summed).
    --nmda synapse (default): s_NMDA, x per synapse, as in the example.
    --nmda pre: s_NMDA, x on the presynaptic neuron (x += 1 in its reset) and
      s_NMDA_tot_post = w * s_NMDA_pre (summed) -- mathematically identical
      (every synapse of one presynaptic neuron has the same x, s), cheaper.
  External: PoissonInput onto s_AMPA_ext, 800 sources at 3 Hz (2.4 kHz), weight 1.
  Protocol (T = 3 s): cue = extra PoissonInput 80 sources x 25 Hz onto selective
    population 1 during [1.00, 1.05) s; reset = extra PoissonInput 800 sources x 25 Hz
    onto every E and I neuron during [2.00, 2.05) s (as the example's reset stimulus).
    Initial v = V_L, all gating variables 0. Euler, dt 0.1 ms.

Statistics: population rate = spikes of the population in the window / (size * length),
window [a, b) on the spike times:
  spont    [0.5, 1.0) s     before the cue
  cue      [1.0, 1.05) s    during the cue
  delay    [1.25, 2.0) s    persistence (from 200 ms after cue offset to the reset)
  post     [2.25, 3.0) s    after the reset (from 200 ms after reset offset)
  For each window: sel1 (the cued population), sel_others (mean over the 4 others,
  pooled), sel2..sel5 individually, nonsel, inh.
  persistent = delay sel1 rate > 2 * delay sel_others rate and > 10 Hz (our label);
  reset_ok = post sel1 rate < 2 * post sel_others rate + 1 Hz.
  rate_sel1_100ms: sel1 rate in consecutive 100 ms bins over [0, T).
Timing: run_s = device._last_run_time (one run), build_s, binary_s.
"""
import argparse
import json
import platform
import shutil
import tempfile
import time

import numpy as np

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--N", type=int, default=2000)
ap.add_argument("--T", type=float, default=3.0)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--nmda", choices=["synapse", "pre"], default="synapse")
ap.add_argument("--mode", choices=["standalone", "runtime"], default="standalone")
ap.add_argument("--reps", type=int, default=1)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--figure", default=None)
args = ap.parse_args()

from brian2 import (NeuronGroup, PoissonInput, Synapses, SpikeMonitor, Network, TimedArray,
                    defaultclock, device, ms, mV, nS, nF, Hz, prefs, second, set_device, seed)
import brian2

t_build0 = time.time()
if args.mode == "standalone":
    set_device("cpp_standalone", build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0 if args.threads == 1 else args.threads
else:
    prefs.codegen.target = "cython"
seed(args.seed)
defaultclock.dt = 0.1 * ms

N = args.N
N_E = int(N * 0.8)
N_I = int(N * 0.2)
V_L, V_thr, V_reset, V_E, V_I = -70 * mV, -50 * mV, -55 * mV, 0 * mV, -70 * mV
C_m_E, C_m_I = 0.5 * nF, 0.2 * nF
g_m_E, g_m_I = 25 * nS, 20 * nS
tau_rp_E, tau_rp_I = 2 * ms, 1 * ms
rate_ext, C_ext = 3 * Hz, 800
g_AMPA_ext_E, g_AMPA_ext_I = 2.08 * nS, 1.62 * nS
g_AMPA_rec_E = 0.104 * nS * 800.0 / N_E
g_AMPA_rec_I = 0.081 * nS * 800.0 / N_E
g_NMDA_E = 0.327 * nS * 800.0 / N_E
g_NMDA_I = 0.258 * nS * 800.0 / N_E
g_GABA_E = 1.25 * nS * 200.0 / N_I
g_GABA_I = 0.973 * nS * 200.0 / N_I
tau_AMPA, tau_GABA = 2 * ms, 10 * ms
tau_NMDA_rise, tau_NMDA_decay = 2 * ms, 100 * ms
alpha = 0.5 / ms
Mg2 = 1.0
f, p = 0.1, 5
N_sub = int(N_E * f)
N_non = int(N_E * (1.0 - f * p))
w_plus = 2.1
w_minus = 1.0 - f * (w_plus - 1.0) / (1.0 - f)
CUE = (1.0, 1.05)
RESET = (2.0, 2.05)
WINDOWS = {"spont": (0.5, 1.0), "cue": (1.0, 1.05), "delay": (1.25, 2.0), "post": (2.25, 3.0)}


def eqs(kind):
    g_ext, g_ampa, g_nmda, g_gaba, C_m, g_m = (
        ("g_AMPA_ext_E", "g_AMPA_rec_E", "g_NMDA_E", "g_GABA_E", "C_m_E", "g_m_E") if kind == "E"
        else ("g_AMPA_ext_I", "g_AMPA_rec_I", "g_NMDA_I", "g_GABA_I", "C_m_I", "g_m_I"))
    s = f"""
    dv/dt = (-{g_m}*(v - V_L) - I_syn)/{C_m} : volt (unless refractory)
    I_syn = I_AMPA_ext + I_AMPA_rec + I_NMDA_rec + I_GABA_rec : amp
    I_AMPA_ext = {g_ext}*(v - V_E)*s_AMPA_ext : amp
    I_AMPA_rec = {g_ampa}*(v - V_E)*s_AMPA : amp
    ds_AMPA_ext/dt = -s_AMPA_ext/tau_AMPA : 1
    ds_AMPA/dt = -s_AMPA/tau_AMPA : 1
    I_NMDA_rec = {g_nmda}*(v - V_E)/(1 + Mg2*exp(-0.062*v/mV)/3.57)*s_NMDA_tot : amp
    s_NMDA_tot : 1
    I_GABA_rec = {g_gaba}*(v - V_I)*s_GABA : amp
    ds_GABA/dt = -s_GABA/tau_GABA : 1
    """
    if kind == "E":
        s += "pop : integer (constant)\n"
        if args.nmda == "pre":
            s += """
    ds_NMDA/dt = -s_NMDA/tau_NMDA_decay + alpha*x*(1 - s_NMDA) : 1
    dx/dt = -x/tau_NMDA_rise : 1
    """
    return s


reset_E = "v = V_reset" + ("; x += 1" if args.nmda == "pre" else "")
P_E = NeuronGroup(N_E, eqs("E"), threshold="v > V_thr", reset=reset_E, refractory=tau_rp_E,
                  method="euler")
P_I = NeuronGroup(N_I, eqs("I"), threshold="v > V_thr", reset="v = V_reset", refractory=tau_rp_I,
                  method="euler")
P_E.v = V_L
P_I.v = V_L
pop = -np.ones(N_E, dtype=int)
for k in range(p):
    pop[N_non + k * N_sub:N_non + (k + 1) * N_sub] = k
P_E.pop = pop

if args.nmda == "synapse":
    glut = """
    s_NMDA_tot_post = w * s_NMDA : 1 (summed)
    ds_NMDA/dt = -s_NMDA/tau_NMDA_decay + alpha*x*(1 - s_NMDA) : 1 (clock-driven)
    dx/dt = -x/tau_NMDA_rise : 1 (clock-driven)
    w : 1
    """
    on_glut = "s_AMPA += w\nx += 1"
else:
    glut = """
    s_NMDA_tot_post = w * s_NMDA_pre : 1 (summed)
    w : 1
    """
    on_glut = "s_AMPA += w"

C_EE = Synapses(P_E, P_E, model=glut, on_pre=on_glut, method="euler")
C_EE.connect("i != j")
C_EE.w = "int(pop_post < 0) + int(pop_post >= 0)*(w_plus*int(pop_pre == pop_post) + w_minus*int(pop_pre != pop_post))"
C_EI = Synapses(P_E, P_I, model=glut, on_pre=on_glut, method="euler")
C_EI.connect()
C_EI.w = 1
C_II = Synapses(P_I, P_I, on_pre="s_GABA += 1")
C_II.connect("i != j")
C_IE = Synapses(P_I, P_E, on_pre="s_GABA += 1")
C_IE.connect()

ext_E = PoissonInput(P_E, "s_AMPA_ext", C_ext, rate_ext, "1")
ext_I = PoissonInput(P_I, "s_AMPA_ext", C_ext, rate_ext, "1")
step = 50 * ms
nstep = int(round(args.T / 0.05)) + 1
cue_arr, reset_arr = np.zeros(nstep), np.zeros(nstep)
cue_arr[int(round(CUE[0] / 0.05)):int(round(CUE[1] / 0.05))] = 1
reset_arr[int(round(RESET[0] / 0.05)):int(round(RESET[1] / 0.05))] = 1
stim_cue = TimedArray(cue_arr, dt=step)
stim_reset = TimedArray(reset_arr, dt=step)
rate_sel = 25 * Hz
cue_in = PoissonInput(P_E[N_non:N_non + N_sub], "s_AMPA_ext", int(f * C_ext), rate_sel, "stim_cue(t)")
reset_E_in = PoissonInput(P_E, "s_AMPA_ext", C_ext, rate_sel, "stim_reset(t)")
reset_I_in = PoissonInput(P_I, "s_AMPA_ext", C_ext, rate_sel, "stim_reset(t)")

mon_E = SpikeMonitor(P_E)
mon_I = SpikeMonitor(P_I)
net = Network(P_E, P_I, C_EE, C_EI, C_II, C_IE, ext_E, ext_I, cue_in, reset_E_in, reset_I_in,
              mon_E, mon_I)

runs, binary = [], []
if args.mode == "standalone":
    net.run(args.T * second)
    outdir = tempfile.mkdtemp(prefix="b2_bw2001_")
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
iE, tE = np.asarray(mon_E.i[:]), np.asarray(mon_E.t[:] / second)
iI, tI = np.asarray(mon_I.i[:]), np.asarray(mon_I.t[:] / second)
n_syn = len(C_EE) + len(C_EI) + len(C_II) + len(C_IE)
if args.mode == "standalone":
    shutil.rmtree(outdir, ignore_errors=True)

pops = {"nonsel": (0, N_non)}
for k in range(p):
    pops[f"sel{k + 1}"] = (N_non + k * N_sub, N_non + (k + 1) * N_sub)
pops["sel_others"] = (N_non + N_sub, N_non + p * N_sub)


def rate_E(lo_i, hi_i, a, b):
    m = (iE >= lo_i) & (iE < hi_i) & (tE >= a - 1e-9) & (tE < b - 1e-9)
    return float(m.sum() / ((hi_i - lo_i) * (b - a)))


def rate_I(a, b):
    m = (tI >= a - 1e-9) & (tI < b - 1e-9)
    return float(m.sum() / (N_I * (b - a)))


res = {"sim": "brian2", "model": "brunel_wang2001", "N": N, "N_E": N_E, "N_I": N_I, "T": args.T,
       "seed": args.seed, "nmda": args.nmda, "mode": args.mode, "n_syn": int(n_syn),
       "cue": list(CUE), "reset": list(RESET), "windows": {k: list(v) for k, v in WINDOWS.items()}}
for wname, (a, b) in WINDOWS.items():
    for pname, (lo, hi) in pops.items():
        res[f"{wname}_{pname}"] = round(rate_E(lo, hi, a, b), 3)
    res[f"{wname}_inh"] = round(rate_I(a, b), 3)
res["persistent"] = bool(res["delay_sel1"] > 2 * res["delay_sel_others"] and res["delay_sel1"] > 10)
res["reset_ok"] = bool(res["post_sel1"] < 2 * res["post_sel_others"] + 1)
nb = int(round(args.T / 0.1))
lo, hi = pops["sel1"]
res["rate_sel1_100ms"] = [round(rate_E(lo, hi, 0.1 * k, 0.1 * (k + 1)), 2) for k in range(nb)]
res.update({
    "spikes_E": int(len(tE)), "spikes_I": int(len(tI)),
    "run_s": round(float(np.median(runs)), 4), "run_s_all": [round(x, 4) for x in runs],
    "build_s": round(build_s, 2), "version": brian2.__version__, "python": platform.python_version(),
})
if binary:
    res["binary_s_all"] = [round(x, 3) for x in binary]
print("RESULT " + json.dumps(res), flush=True)

if args.figure:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(6, 5), sharex=True,
                                 gridspec_kw=dict(height_ratios=[2, 1.3]))
    nshow = 20
    names = ["nonsel"] + [f"sel{k + 1}" for k in range(p)]
    for row, name in enumerate(names):
        lo, hi = pops[name]
        m = (iE >= lo) & (iE < lo + nshow)
        a1.plot(tE[m], iE[m] - lo + row * nshow, ".", ms=1.2)
    m = iI < nshow
    a1.plot(tI[m], iI[m] + len(names) * nshow, ".", ms=1.2, color="k")
    a1.set_yticks([(r + 0.5) * nshow for r in range(len(names) + 1)])
    a1.set_yticklabels(names + ["inh"], fontsize=7)
    a1.set_title(f"Brunel & Wang 2001, N={N}: cue sel1 {CUE} s, reset {RESET} s", fontsize=8)
    bw = 0.025
    edges = np.arange(0, args.T + 1e-9, bw)
    for name in ["nonsel", "sel1", "sel2"]:
        lo, hi = pops[name]
        m = (iE >= lo) & (iE < hi)
        a2.plot(edges[:-1] + bw / 2, np.histogram(tE[m], edges)[0] / ((hi - lo) * bw), label=name, lw=0.8)
    a2.plot(edges[:-1] + bw / 2, np.histogram(tI, edges)[0] / (N_I * bw), label="inh", lw=0.8, color="k")
    a2.set_ylabel("rate (Hz, 25 ms bins)")
    a2.set_xlabel("t (s)")
    a2.legend(fontsize=7, ncol=4)
    fig.tight_layout()
    fig.savefig(args.figure, dpi=80)
