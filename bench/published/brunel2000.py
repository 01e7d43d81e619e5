"""Brunel (2000) sparse E/I network of LIF neurons with delta synapses: the four
states of Fig. 8, as a Brian2 reference and benchmark.

  python brunel2000.py --state C --seed 1 --mode standalone --reps 1 --figure fig.png

Model (Brunel 2000, J Comput Neurosci 8:183; Brian2 examples/frompapers/Brunel_2000.py):
  N_E = 10000, N_I = 2500 (--scale multiplies both), every pair connected with
  probability epsilon = 0.1 (so C_E = 0.1 N_E, C_I = 0.1 N_I on average; fixed
  probability, not fixed in-degree), tau = 20 ms, theta = 20 mV, V_r = 10 mV,
  tau_rp = 2 ms, dv/dt = -v/tau (unless refractory), exact integration, dt 0.1 ms.
  Synapses: on_pre 'v += J' (E) / 'v += -g*J' (I), J = 0.1 mV, delay D = 1.5 ms.
  Brian2 makes every write to an "(unless refractory)" variable conditional on
  not_refractory (NeuronGroup sets a conditional write on v), so synaptic and
  PoissonInput increments that arrive while the target is refractory are dropped:
  v stays at V_r for tau_rp, as in the paper.  External drive: PoissonInput onto v with
  N = C_E = epsilon*N_E sources at nu_ext = eta * nu_thr each, weight J, where
  nu_thr = theta / (J C_E tau) (C_E here is the nominal epsilon*N_E at the chosen
  scale).  Initial v uniform in [0, theta).
  States (Fig. 8): A g=3 eta=2 (SR), B g=6 eta=4 (SI fast), C g=5 eta=2 (AI),
  D g=4.5 eta=0.9 (SI slow).

Statistics, all over the analysis window [t0, T) with t0 = --discard (0.1 s):
  rate_hz      spikes in window / (N * (T - t0)), all N neurons
  rate_e_hz, rate_i_hz   the same restricted to E / I neurons
  cv_isi       for each neuron with >= 3 spikes in the window, CV = std(ISI)/mean(ISI)
               (population std, ddof 0) of its ISIs inside the window; mean over those
               neurons; n_cv = how many neurons qualified
  population rate r_k = (spikes of all N neurons with t in [t0 + k*b, t0 + (k+1)*b)) / (N*b),
               b = 0.5 ms (5 steps; spike times are on the 0.1 ms grid).
  psd          periodogram of r_k - mean(r): P(f_j) = |rfft(r - mean r)|^2, f_j = j/(T - t0),
               no taper, no averaging.
  peak_hz      f_j maximising P over 5 Hz <= f_j <= 1000 Hz (Nyquist of b)
  peak_rel_power  sum of P(f_j) over |f_j - peak_hz| <= 5 Hz, divided by the sum of P over
               all f_j > 0 (fraction of the rate-fluctuation power in the peak)
  fano_pop     Var(n_k) / Mean(n_k), n_k = population spike count per 0.5 ms bin
               (= 1 for independent Poisson neurons; large for synchronous states)
  sync_chi     Var(r_k) (ddof 0) / mean(r_k), in Hz (same as fano_pop * 1/(N*b)); kept for the
               brief's "variance / mean of the population rate" wording
  spikes_window, spikes_total (whole run incl. transient)
Timing: run_s = device._last_run_time (Brian's loop), build_s = code generation + compile,
binary_s = whole binary (incl. synapse creation).
"""
import argparse
import json
import os
import platform
import shutil
import tempfile
import time

import numpy as np

STATES = {
    "A": dict(g=3.0, eta=2.0, label="SR"),
    "B": dict(g=6.0, eta=4.0, label="SI fast"),
    "C": dict(g=5.0, eta=2.0, label="AI"),
    "D": dict(g=4.5, eta=0.9, label="SI slow"),
}
BIN_MS = 0.5
FMIN, FMAX, FHALF = 5.0, 1000.0, 5.0

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--state", choices=list(STATES), default="C")
ap.add_argument("--scale", type=float, default=1.0)
ap.add_argument("--T", type=float, default=1.1, help="simulated seconds")
ap.add_argument("--discard", type=float, default=0.1, help="initial transient excluded from statistics (s)")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--mode", choices=["standalone", "runtime"], default="standalone")
ap.add_argument("--reps", type=int, default=1)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--figure", default=None)
args = ap.parse_args()

from brian2 import (NeuronGroup, PoissonInput, Synapses, SpikeMonitor, Network, defaultclock,
                    device, ms, mV, prefs, second, set_device, seed)
import brian2

t_build0 = time.time()
if args.mode == "standalone":
    set_device("cpp_standalone", build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0 if args.threads == 1 else args.threads
else:
    prefs.codegen.target = "cython"
seed(args.seed)
np.random.seed(args.seed)
defaultclock.dt = 0.1 * ms

st = STATES[args.state]
N_E = int(round(10000 * args.scale))
N_I = int(round(2500 * args.scale))
N = N_E + N_I
epsilon = 0.1
C_E = epsilon * N_E
tau, theta, V_r, tau_rp = 20 * ms, 20 * mV, 10 * mV, 2 * ms
J, D = 0.1 * mV, 1.5 * ms
g = st["g"]
nu_thr = theta / (J * C_E * tau)
nu_ext = st["eta"] * nu_thr

P = NeuronGroup(N, "dv/dt = -v/tau : volt (unless refractory)", threshold="v > theta",
                reset="v = V_r", refractory=tau_rp, method="exact")
P.v = "rand() * theta"
Ce = Synapses(P[:N_E], P, on_pre="v += J", delay=D)
Ci = Synapses(P[N_E:], P, on_pre="v += -g * J", delay=D)
Ce.connect(p=epsilon)
Ci.connect(p=epsilon)
ext = PoissonInput(P, "v", N=int(round(C_E)), rate=nu_ext, weight=J)
mon = SpikeMonitor(P)
net = Network(P, Ce, Ci, ext, mon)

runs, binary = [], []
if args.mode == "standalone":
    net.run(args.T * second)
    outdir = tempfile.mkdtemp(prefix=f"b2_brunel2000_{args.state}_")
    device.build(directory=outdir, compile=True, run=False, with_output=False)
    build_s = time.time() - t_build0
    for _ in range(args.reps):
        device.run(directory=outdir, with_output=False)
        runs.append(device._last_run_time)
        binary.append(device.timers["run_binary"])
    n_syn = len(Ce) + len(Ci)
    ii, tt = np.asarray(mon.i[:]), np.asarray(mon.t[:] / second)
    shutil.rmtree(outdir, ignore_errors=True)
else:
    net.run(1 * ms)  # compile
    build_s = time.time() - t_build0
    # runtime mode: time one run of T-1ms after compilation (statistics from that run)
    t0 = time.time()
    net.run(args.T * second - 1 * ms)
    runs.append(time.time() - t0)
    n_syn = len(Ce) + len(Ci)
    ii, tt = np.asarray(mon.i[:]), np.asarray(mon.t[:] / second)

# ---------------------------------------------------------------- statistics
T, t0 = args.T, args.discard
W = T - t0
sel = tt >= t0 - 1e-9
iw, tw = ii[sel], tt[sel]
rate = len(tw) / (N * W)
rate_e = np.sum(iw < N_E) / (N_E * W)
rate_i = np.sum(iw >= N_E) / (N_I * W)

order = np.lexsort((tw, iw))
iw_s, tw_s = iw[order], tw[order]
bounds = np.searchsorted(iw_s, np.arange(N + 1))
cvs = []
for n in range(N):
    ts = tw_s[bounds[n]:bounds[n + 1]]
    if len(ts) >= 3:
        isi = np.diff(ts)
        cvs.append(isi.std() / isi.mean())
cv = float(np.mean(cvs)) if cvs else float("nan")

b = BIN_MS * 1e-3
nb = int(round(W / b))
k = np.floor((tw - t0) / b + 1e-6).astype(np.int64)
k = k[(k >= 0) & (k < nb)]
counts = np.bincount(k, minlength=nb).astype(float)
r = counts / (N * b)
P_f = np.abs(np.fft.rfft(r - r.mean())) ** 2
f = np.fft.rfftfreq(nb, d=b)
band = (f >= FMIN) & (f <= FMAX)
j = np.flatnonzero(band)[np.argmax(P_f[band])]
peak_hz = float(f[j])
pos = f > 0
peak_rel = float(P_f[np.abs(f - peak_hz) <= FHALF + 1e-9].sum() / P_f[pos].sum())
fano = float(counts.var() / counts.mean()) if counts.mean() > 0 else float("nan")
chi = float(r.var() / r.mean()) if r.mean() > 0 else float("nan")

res = {
    "sim": "brian2", "model": "brunel2000", "state": args.state, "label": st["label"],
    "g": g, "eta": st["eta"], "N": N, "N_E": N_E, "N_I": N_I, "scale": args.scale,
    "T": T, "discard": t0, "seed": args.seed, "mode": args.mode,
    "nu_ext_hz": round(float(nu_ext), 3), "n_syn": int(n_syn),
    "rate_hz": round(rate, 4), "rate_e_hz": round(float(rate_e), 4), "rate_i_hz": round(float(rate_i), 4),
    "cv_isi": round(cv, 4), "n_cv": len(cvs),
    "peak_hz": round(peak_hz, 2), "peak_rel_power": round(peak_rel, 4),
    "fano_pop": round(fano, 3), "sync_chi_hz": round(chi, 3),
    "spikes_window": int(len(tw)), "spikes_total": int(len(tt)),
    "run_s": round(float(np.median(runs)), 4), "run_s_all": [round(x, 4) for x in runs],
    "build_s": round(build_s, 2),
    "version": brian2.__version__, "python": platform.python_version(),
}
if binary:
    res["binary_s_all"] = [round(x, 3) for x in binary]
print("RESULT " + json.dumps(res), flush=True)

if args.figure:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    # like Fig. 8: last 100 ms (A) / 200 ms (B-D) of the run
    span = 0.1 if args.state == "A" else 0.2
    lo, hi = T - span, T
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(4, 4.5), sharex=True,
                                 gridspec_kw=dict(height_ratios=[3, 1]))
    m = (ii < 50) & (tt >= lo)
    a1.plot(tt[m] * 1e3, ii[m], "|", ms=3, color="k")
    a1.set_yticks([])
    a1.set_title(f"Brunel 2000 {args.state} ({st['label']}): g={g}, eta={st['eta']}, N={N}", fontsize=8)
    tb = t0 + (np.arange(nb) + 0.5) * b
    mm = tb >= lo
    a2.plot(tb[mm] * 1e3, r[mm], lw=0.7, color="k")
    a2.set_xlabel("t (ms)")
    a2.set_ylabel("rate (Hz)")
    a2.set_xlim(lo * 1e3, hi * 1e3)
    fig.tight_layout()
    fig.savefig(args.figure, dpi=90)
