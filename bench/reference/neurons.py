"""Reference solutions for four classic point-neuron models, written as Rust constants for the
integration tests (tests/it/neuron_reference.rs). The models and every number are described in
docs/neurons.md.

What it computes (all with a constant input switched on at t = 0):

* AdEx (Brette & Gerstner 2005) with the firing patterns of Naud et al. (2008): the first 10
  spike times of `tonic`, `adapting`, `initial_burst` and `bursting` at V_peak = 0 mV, of `tonic`
  and `adapting` again at V_peak = 20 mV; for the chaotic `irregular` pattern the firing rate
  and the ISI coefficient of variation over [200, 2200) ms, from the continuous solution and
  from fixed-step classic RK4 at dt = 0.1 and 0.05 ms, and ranges containing all three; whether
  classic RK4 at dt = 0.1 ms drives V of `tonic` with V_peak = 20 mV to a non-finite value.
* Izhikevich (2003): the first 10 spike times (v reaching 30) of RS, IB, CH, FS and LTS at I = 10.
* Hodgkin & Huxley (1952), modern convention: the first 10 upward crossings of 0 mV at
  I = 10 uA/cm^2, and the f-I curve for I = 0, 2, ..., 20 uA/cm^2.
* ExpIf (Fourcaud-Trocme et al. 2003): the first 10 spike times with a 2 ms refractory hold.

Solver: scipy.integrate.solve_ivp, method DOP853 (explicit Runge-Kutta of order 8 with dense
output of order 7), rtol = 1e-10, atol = 1e-10 (states in mV, pA, or dimensionless gates). The
threshold is a terminal event (upward crossing of V_peak, v = 30 mV or, for HH, a non-terminal
upward crossing of 0 mV), located by root finding on the dense output; the reset is applied at the
exact crossing time and integration restarts from the reset state. Spike times are these
crossing times in ms. Between V_T + 10 Delta_T and V_peak the exponential models are integrated
with V as the independent variable (see spikes_with_reset). `--check` repeats every continuous
solve with rtol = atol = 1e-12, with Radau at 1e-10, and (V_peak = 0) in time only, and prints the
largest differences: spike times agree to about 1e-8 ms. The plain run takes about 40 s on one
core (most of it the HH f-I curve); `--check` about 8 minutes (Radau in Python is slow).

The script also prints, for docs/neurons.md, fixed-step classic RK4 runs (as the simulator steps)
against the reference; they are not written to the Rust file except the AdEx rows named there.

Run from the repository root; it overwrites tests/it/neuron_reference.rs and prints a summary:

    ~/.venvs/brian2/bin/python bench/reference/neurons.py [--check]

The script is deterministic (no random numbers); the output depends only on numpy/scipy's
floating-point behaviour (versions are written into the generated header).
"""

import math
import os
import sys
import textwrap
import time

import numpy as np
import scipy
from scipy.integrate import solve_ivp

METHOD = "DOP853"
RTOL = 1e-10
ATOL = 1e-10
N_SPIKES = 10

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "it",
                   "neuron_reference.rs")


def safe_exp(x):
    """IEEE exp: +inf on overflow (as Rust's f64::exp), instead of Python's OverflowError."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


# ------------------------------------------------------------------------------------------
# Event-driven integration with resets
# ------------------------------------------------------------------------------------------

def spikes_with_reset(rhs, y0, v_peak, reset, t_end, max_spikes, t_ref=0.0, hold=None,
                      v_switch=None, method=METHOD, rtol=RTOL, atol=ATOL):
    """Integrate `rhs` from t = 0; at each upward crossing of y[0] = v_peak record the time,
    apply `reset(y)` and restart (after holding the state `hold(y)` for t_ref if t_ref > 0).
    Stops after `max_spikes` spikes or at t_end. Returns the list of spike times (ms).

    With `v_switch` < v_peak (exponential models), the terminal event is the upward crossing of
    v_switch instead, and the stretch from v_switch to v_peak is integrated with V as the
    independent variable: d(t, y[1:])/dV = (1, dy[1:]/dt) / (dV/dt). dV/dt grows like
    exp((V - V_T)/Delta_T) there, so in time this stretch is stiff and ends in a near blow-up
    (at V_peak = 20 mV the time-stepping solver cannot resolve it: its step falls below the
    spacing of floating-point times); in V it is smooth. dV/dt > 0 is asserted on that stretch."""
    v_event = v_peak if v_switch is None or v_switch >= v_peak else v_switch

    def crossing(t, y):
        return y[0] - v_event

    crossing.terminal = True
    crossing.direction = 1.0

    def in_v(V, z):
        d = rhs(z[0], np.concatenate(([V], z[1:])))
        if not d[0] > 0.0:
            raise RuntimeError(f"dV/dt = {d[0]} <= 0 above v_switch")
        return np.concatenate(([1.0], np.asarray(d[1:], dtype=float))) / d[0]

    t, y, spikes = 0.0, np.asarray(y0, dtype=float), []
    while t < t_end and len(spikes) < max_spikes:
        sol = solve_ivp(rhs, (t, t_end), y, method=method, rtol=rtol, atol=atol,
                        events=crossing)
        if not sol.success:
            raise RuntimeError(sol.message)
        if sol.status != 1:  # reached t_end without a spike
            break
        ts, ys = sol.t_events[0][0], sol.y_events[0][0]
        if v_event < v_peak:
            z0 = np.concatenate(([ts], ys[1:]))
            up = solve_ivp(in_v, (v_event, v_peak), z0, method=method, rtol=rtol, atol=atol)
            if not up.success:
                raise RuntimeError(up.message)
            ts = up.y[0, -1]
            ys = np.concatenate(([v_peak], up.y[1:, -1]))
            if ts >= t_end:
                break
        spikes.append(float(ts))
        y = np.asarray(reset(ys), dtype=float)
        t = ts
        if t_ref > 0.0:
            y = np.asarray(hold(y), dtype=float)
            t = ts + t_ref
    return spikes


# ------------------------------------------------------------------------------------------
# AdEx
# ------------------------------------------------------------------------------------------

# Naud, Marcille, Clopath & Gerstner (2008), Table 1. Units: C pF, g_L nS, E_L mV, V_T mV,
# Delta_T mV, a nS, tau_w ms, b pA, V_r mV, I pA.
ADEX = {
    "tonic": dict(C=200.0, g_L=10.0, E_L=-70.0, V_T=-50.0, D_T=2.0, a=2.0, tau_w=30.0,
                  b=0.0, V_r=-58.0, I=500.0),
    "adapting": dict(C=200.0, g_L=12.0, E_L=-70.0, V_T=-50.0, D_T=2.0, a=2.0, tau_w=300.0,
                     b=60.0, V_r=-58.0, I=500.0),
    "initial_burst": dict(C=130.0, g_L=18.0, E_L=-58.0, V_T=-50.0, D_T=2.0, a=4.0,
                          tau_w=150.0, b=120.0, V_r=-50.0, I=400.0),
    "bursting": dict(C=200.0, g_L=10.0, E_L=-58.0, V_T=-50.0, D_T=2.0, a=2.0, tau_w=120.0,
                     b=100.0, V_r=-46.0, I=210.0),
    "irregular": dict(C=100.0, g_L=12.0, E_L=-60.0, V_T=-50.0, D_T=2.0, a=-11.0, tau_w=130.0,
                      b=30.0, V_r=-48.0, I=160.0),
}
ADEX_V_PEAK = 0.0  # mV, NEST's aeif default; Brette & Gerstner (2005) used 20 mV
IRR_T0, IRR_T1 = 200.0, 2200.0  # ms: statistics window of the irregular pattern


def adex_derivs(p, V, w):
    dV = (-p["g_L"] * (V - p["E_L"]) + p["g_L"] * p["D_T"] * safe_exp((V - p["V_T"]) / p["D_T"])
          - w + p["I"]) / p["C"]
    dw = (p["a"] * (V - p["E_L"]) - w) / p["tau_w"]
    return dV, dw


def adex_spikes(p, v_peak, t_end, max_spikes, **kw):
    def rhs(t, y):
        return adex_derivs(p, y[0], y[1])

    kw.setdefault("v_switch", p["V_T"] + 10.0 * p["D_T"])
    return spikes_with_reset(rhs, [p["E_L"], 0.0], v_peak,
                             lambda y: [p["V_r"], y[1] + p["b"]], t_end, max_spikes, **kw)


def adex_first_spikes(p, v_peak, **kw):
    t_end = 1000.0
    while True:
        s = adex_spikes(p, v_peak, t_end, N_SPIKES, **kw)
        if len(s) >= N_SPIKES:
            return s
        t_end *= 2.0
        if t_end > 64000.0:
            raise RuntimeError("fewer than 10 spikes in 64 s")


def adex_rk4(p, v_peak, dt, t_end, clamp=False, stop_at_nan=False):
    """Fixed-step classic RK4 on (V, w) as the simulator steps it: y += dt/6 (k1 + 2k2 + 2k3
    + k4); after the step, V >= v_peak is a spike (time = end of the step), V <- V_r, w <- w + b.
    IEEE arithmetic throughout (exp overflows to inf, inf - inf is NaN; NaN >= v_peak is false).

    clamp=False: the right-hand side is evaluated at the stage values as they are.
    clamp=True: it is evaluated at min(V, v_peak) (NEST's aeif models do this, `V_bounded`), so
    a stage that overshoots V_peak cannot overflow exp or kick w.

    Returns (spike times, first step whose end V is non-finite or None, that V, first step
    whose end V is NaN or None). Step k ends at t = k dt."""
    V, w = p["E_L"], 0.0
    spikes, bad, bad_v, first_nan = [], None, None, None
    n = int(round(t_end / dt))
    h2 = 0.5 * dt

    def f(V, w):
        return adex_derivs(p, min(V, v_peak) if clamp else V, w)

    for k in range(1, n + 1):
        a1, b1 = f(V, w)
        a2, b2 = f(V + h2 * a1, w + h2 * b1)
        a3, b3 = f(V + h2 * a2, w + h2 * b2)
        a4, b4 = f(V + dt * a3, w + dt * b3)
        V = V + dt / 6.0 * (a1 + 2.0 * a2 + 2.0 * a3 + a4)
        w = w + dt / 6.0 * (b1 + 2.0 * b2 + 2.0 * b3 + b4)
        if bad is None and not math.isfinite(V):
            bad, bad_v = k, V
        if first_nan is None and math.isnan(V):
            first_nan = k
            if stop_at_nan:
                break
        if V >= v_peak:
            spikes.append(k * dt)
            V = p["V_r"]
            w = w + p["b"]
    return spikes, bad, bad_v, first_nan


def adex_euler(p, v_peak, dt, t_end):
    """Forward Euler at fixed dt with the same spike rule (Brian2's Naud et al. example)."""
    V, w, spikes = p["E_L"], 0.0, []
    for k in range(1, int(round(t_end / dt)) + 1):
        dV, dw = adex_derivs(p, V, w)
        V, w = V + dt * dV, w + dt * dw
        if V >= v_peak:
            spikes.append(k * dt)
            V, w = p["V_r"], w + p["b"]
    return spikes


def rate_cv(spikes, t0=IRR_T0, t1=IRR_T1):
    s = np.array([x for x in spikes if t0 <= x < t1])
    rate = len(s) / ((t1 - t0) / 1000.0)
    isi = np.diff(s)
    cv = float(np.std(isi) / np.mean(isi)) if len(isi) >= 2 else float("nan")
    return float(rate), cv


# ------------------------------------------------------------------------------------------
# Izhikevich
# ------------------------------------------------------------------------------------------

IZH = {  # Izhikevich (2003), Fig. 2: a, b, c, d
    "rs": (0.02, 0.2, -65.0, 8.0),
    "ib": (0.02, 0.2, -55.0, 4.0),
    "ch": (0.02, 0.2, -50.0, 2.0),
    "fs": (0.1, 0.2, -65.0, 2.0),
    "lts": (0.02, 0.25, -65.0, 2.0),
}
IZH_I = 10.0
IZH_V_PEAK = 30.0


def izh_spikes(abcd, **kw):
    a, b, c, d = abcd

    def rhs(t, y):
        v, u = y
        return [0.04 * v * v + 5.0 * v + 140.0 - u + IZH_I, a * (b * v - u)]

    return spikes_with_reset(rhs, [-65.0, b * -65.0], IZH_V_PEAK,
                             lambda y: [c, y[1] + d], 1000.0, N_SPIKES, **kw)


# ------------------------------------------------------------------------------------------
# Hodgkin-Huxley
# ------------------------------------------------------------------------------------------

HH = dict(C=1.0, g_Na=120.0, g_K=36.0, g_L=0.3, E_Na=50.0, E_K=-77.0, E_L=-54.387)
HH_FI_CURRENTS = [float(i) for i in range(0, 21, 2)]
HH_T0, HH_T1 = 200.0, 1200.0  # ms: f-I window


def vtrap(x, k):
    """x / (1 - exp(-x/k)), continuous at x = 0 (value k) via its series."""
    u = x / k
    if abs(u) < 1e-6:
        return k * (1.0 + 0.5 * u + u * u / 12.0)
    return x / -math.expm1(-u)


def hh_rates(V):
    an = 0.01 * vtrap(V + 55.0, 10.0)
    bn = 0.125 * math.exp(-(V + 65.0) / 80.0)
    am = 0.1 * vtrap(V + 40.0, 10.0)
    bm = 4.0 * math.exp(-(V + 65.0) / 18.0)
    ah = 0.07 * math.exp(-(V + 65.0) / 20.0)
    bh = 1.0 / (1.0 + math.exp(-(V + 35.0) / 10.0))
    return am, bm, ah, bh, an, bn


def hh_init(V=-65.0):
    am, bm, ah, bh, an, bn = hh_rates(V)
    return [V, am / (am + bm), ah / (ah + bh), an / (an + bn)]


def hh_rhs(I):
    P = HH

    def rhs(t, y):
        V, m, h, n = y
        am, bm, ah, bh, an, bn = hh_rates(V)
        i_ion = (P["g_Na"] * m ** 3 * h * (V - P["E_Na"]) + P["g_K"] * n ** 4 * (V - P["E_K"])
                 + P["g_L"] * (V - P["E_L"]))
        return [(I - i_ion) / P["C"], am * (1 - m) - bm * m, ah * (1 - h) - bh * h,
                an * (1 - n) - bn * n]

    return rhs


def hh_crossings(I, t_end, method=METHOD, rtol=RTOL, atol=ATOL):
    def up(t, y):
        return y[0]

    up.direction = 1.0
    sol = solve_ivp(hh_rhs(I), (0.0, t_end), hh_init(), method=method, rtol=rtol, atol=atol,
                    events=up)
    if not sol.success:
        raise RuntimeError(sol.message)
    return [float(x) for x in sol.t_events[0]]


def hh_rate(I, **kw):
    s = [x for x in hh_crossings(I, HH_T1, **kw) if HH_T0 <= x < HH_T1]
    if len(s) < 2:
        return 0.0
    return 1000.0 / float(np.mean(np.diff(s)))


def hh_onset(lo, hi, tol=0.01):
    """Bisection on I for the onset of repetitive firing (rate > 0 in the f-I window)."""
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if hh_rate(mid) > 0.0:
            hi = mid
        else:
            lo = mid
    return lo, hi


def hh_rest_current():
    """Net ionic current at V = -65 mV with gates at steady state (uA/cm^2)."""
    V, m, h, n = hh_init()
    P = HH
    return (P["g_Na"] * m ** 3 * h * (V - P["E_Na"]) + P["g_K"] * n ** 4 * (V - P["E_K"])
            + P["g_L"] * (V - P["E_L"]))


def hh_rk4(I, dt, t_end):
    """Classic RK4 at fixed dt; spike = V >= 0 at the end of a step after V < 0 (no dead time
    needed for an upward-crossing rule). Used only to state tolerances in the docs."""
    rhs = hh_rhs(I)
    y = np.array(hh_init())
    out, prev = [], y[0]
    for k in range(1, int(round(t_end / dt)) + 1):
        k1 = np.array(rhs(0, y))
        k2 = np.array(rhs(0, y + 0.5 * dt * k1))
        k3 = np.array(rhs(0, y + 0.5 * dt * k2))
        k4 = np.array(rhs(0, y + dt * k3))
        y = y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        if prev < 0.0 <= y[0]:
            out.append(k * dt)
        prev = y[0]
    return out


# ------------------------------------------------------------------------------------------
# ExpIf
# ------------------------------------------------------------------------------------------

EXPIF = dict(C=200.0, g_L=10.0, E_L=-70.0, V_T=-50.0, D_T=2.0, V_r=-58.0, V_peak=0.0,
             t_ref=2.0, I=500.0)


def expif_spikes(**kw):
    p = EXPIF

    def rhs(t, y):
        V = y[0]
        return [(-p["g_L"] * (V - p["E_L"])
                 + p["g_L"] * p["D_T"] * safe_exp((V - p["V_T"]) / p["D_T"]) + p["I"]) / p["C"]]

    kw.setdefault("v_switch", p["V_T"] + 10.0 * p["D_T"])
    return spikes_with_reset(rhs, [p["E_L"]], p["V_peak"], lambda y: [p["V_r"]], 1000.0,
                             N_SPIKES, t_ref=p["t_ref"], hold=lambda y: y, **kw)


def rk4_1d_expif(dt, t_end):
    """Fixed-step RK4 for ExpIf with the refractory hold (V held for round(t_ref/dt) steps) and,
    as for AdEx, the right-hand side evaluated at min(V, V_peak)."""
    p = EXPIF

    def f(V):
        V = min(V, p["V_peak"])
        return (-p["g_L"] * (V - p["E_L"])
                + p["g_L"] * p["D_T"] * safe_exp((V - p["V_T"]) / p["D_T"]) + p["I"]) / p["C"]

    V, hold, out = p["E_L"], 0, []
    for k in range(1, int(round(t_end / dt)) + 1):
        if hold > 0:
            hold -= 1
            continue
        k1 = f(V)
        k2 = f(V + 0.5 * dt * k1)
        k3 = f(V + 0.5 * dt * k2)
        k4 = f(V + dt * k3)
        V = V + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        if V >= p["V_peak"]:
            out.append(k * dt)
            V = p["V_r"]
            hold = int(round(p["t_ref"] / dt))
    return out


def izh_rk4(abcd, dt, t_end):
    a, b, c, d = abcd

    def f(v, u):
        return 0.04 * v * v + 5.0 * v + 140.0 - u + IZH_I, a * (b * v - u)

    v, u, out = -65.0, b * -65.0, []
    for k in range(1, int(round(t_end / dt)) + 1):
        a1, b1 = f(v, u)
        a2, b2 = f(v + 0.5 * dt * a1, u + 0.5 * dt * b1)
        a3, b3 = f(v + 0.5 * dt * a2, u + 0.5 * dt * b2)
        a4, b4 = f(v + dt * a3, u + dt * b3)
        v = v + dt / 6.0 * (a1 + 2 * a2 + 2 * a3 + a4)
        u = u + dt / 6.0 * (b1 + 2 * b2 + 2 * b3 + b4)
        if v >= IZH_V_PEAK:
            out.append(k * dt)
            v, u = c, u + d
    return out


# ------------------------------------------------------------------------------------------
# Rust output
# ------------------------------------------------------------------------------------------

def f64(x):
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite value {x!r} cannot be written as a Rust literal")
    r = repr(x)
    return r if ("." in r or "e" in r or "inf" in r) else r + ".0"


class Rust:
    """Collects `pub const` items laid out as rustfmt (edition 2021, default options) lays them
    out: doc lines wrapped at 100 columns, an array on one line if it fits, else one element a
    line."""

    WIDTH = 100

    def __init__(self):
        self.items = []

    def _doc(self, doc):
        text = " ".join(doc)
        return [f"/// {x}" for x in textwrap.wrap(text, self.WIDTH - 4, break_long_words=False,
                                                  break_on_hyphens=False)]

    def arr(self, name, doc, values):
        lines = self._doc(doc)
        elems = [f64(v) for v in values]
        one = f"pub const {name}: [f64; {len(values)}] = [{', '.join(elems)}];"
        nxt = f"    [{', '.join(elems)}];"
        if len(one) <= self.WIDTH:
            lines.append(one)
        elif len(nxt) <= self.WIDTH:
            lines.append(f"pub const {name}: [f64; {len(values)}] =")
            lines.append(nxt)
        else:
            lines.append(f"pub const {name}: [f64; {len(values)}] = [")
            lines += [f"    {e}," for e in elems]
            lines.append("];")
        self.items.append((name, len(values), "\n".join(lines)))

    def scalar(self, name, doc, ty, value):
        lines = self._doc(doc)
        lines.append(f"pub const {name}: {ty} = {value};")
        self.items.append((name, None, "\n".join(lines)))

    def render(self, header):
        return "\n".join(header) + "\n\n" + "\n\n".join(i[2] for i in self.items) + "\n"


def check_rust(text, items):
    """Plausibility check of the generated Rust: balanced brackets, declared array lengths."""
    code = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//"))
    for o, c in ("[]", "()", "{}"):
        assert code.count(o) == code.count(c), f"unbalanced {o}{c}"
    for name, n, src in items:
        if n is None:
            continue
        rhs = src.split(f"pub const {name}: [f64; {n}] =", 1)[1]
        decl = rhs[rhs.index("[") + 1:rhs.rindex("];")].replace("\n", " ")
        elems = [x.strip() for x in decl.split(",") if x.strip()]
        assert len(elems) == n, f"{name}: {len(elems)} elements, declared {n}"
        for x in elems:
            float(x)  # every element parses back
    names = [i[0] for i in items]
    assert len(names) == len(set(names)), "duplicate names"
    for name, _, src in items:
        assert src.startswith("/// "), f"{name} lacks a doc comment"


# ------------------------------------------------------------------------------------------

def main():
    check = "--check" in sys.argv[1:]
    t_start = time.time()
    R = Rust()
    summary = []

    # ---- AdEx regular patterns ----
    adex = {}
    for name in ("tonic", "adapting", "initial_burst", "bursting"):
        adex[name] = adex_first_spikes(ADEX[name], ADEX_V_PEAK)
    adex20 = {name: adex_first_spikes(ADEX[name], 20.0) for name in ("tonic", "adapting")}

    def adex_doc(name, v_peak):
        p = ADEX[name]
        return [f"AdEx `{name}` (Naud et al. 2008): first {N_SPIKES} spike times (ms), V_peak = "
                f"{v_peak:g} mV.",
                f"C {p['C']:g} pF, g_L {p['g_L']:g} nS, E_L {p['E_L']:g} mV, V_T {p['V_T']:g} mV, "
                f"Delta_T {p['D_T']:g} mV, a {p['a']:g} nS, tau_w {p['tau_w']:g} ms, "
                f"b {p['b']:g} pA, V_r {p['V_r']:g} mV;",
                f"I = {p['I']:g} pA from t = 0; V(0) = E_L, w(0) = 0. Times of the threshold "
                f"crossing in the continuous solution."]

    for name in ("tonic", "adapting", "initial_burst", "bursting"):
        R.arr(f"ADEX_{name.upper()}_SPIKES_MS", adex_doc(name, ADEX_V_PEAK), adex[name])
    for name in ("tonic", "adapting"):
        R.arr(f"ADEX_{name.upper()}_VPEAK20_SPIKES_MS", adex_doc(name, 20.0), adex20[name])

    # ---- AdEx irregular ----
    pi = ADEX["irregular"]
    irr_adaptive = rate_cv(adex_spikes(pi, ADEX_V_PEAK, IRR_T1, 10 ** 9))
    irr_rk4, irr_plain, irr_euler = {}, {}, {}
    for dt in (0.1, 0.05):
        sp, bad, _, nan = adex_rk4(pi, ADEX_V_PEAK, dt, IRR_T1, clamp=True)
        assert bad is None
        irr_rk4[dt] = rate_cv(sp)
        irr_plain[dt] = adex_rk4(pi, ADEX_V_PEAK, dt, IRR_T1)[1:]
        irr_euler[dt] = rate_cv(adex_euler(pi, ADEX_V_PEAK, dt, IRR_T1))
    rates = [irr_adaptive[0], irr_rk4[0.1][0], irr_rk4[0.05][0]]
    cvs = [irr_adaptive[1], irr_rk4[0.1][1], irr_rk4[0.05][1]]
    rate_range = [0.75 * min(rates), 1.25 * max(rates)]
    cv_range = [0.75 * min(cvs), 1.25 * max(cvs)]
    irr_conds = ("AdEx `irregular` (Naud et al. 2008: C 100 pF, g_L 12 nS, E_L -60 mV, V_T -50 mV, "
                 "Delta_T 2 mV, a -11 nS, tau_w 130 ms, b 30 pA, V_r -48 mV, I 160 pA),")
    irr_conds2 = "V_peak 0 mV, V(0) = E_L, w(0) = 0;"
    win = "spikes in [200, 2200) ms (the first 200 ms discarded)."
    cvdef = "CV = std/mean of the ISIs between consecutive spikes of the window (std with ddof 0)."
    R.scalar("ADEX_IRREGULAR_RATE_HZ", [
        "Firing rate (Hz) of the chaotic AdEx `irregular` pattern, continuous solution (DOP853).",
        irr_conds, irr_conds2, win], "f64", f64(irr_adaptive[0]))
    R.scalar("ADEX_IRREGULAR_CV", [
        "ISI coefficient of variation of AdEx `irregular`, continuous solution (DOP853).",
        irr_conds, irr_conds2, win, cvdef], "f64", f64(irr_adaptive[1]))
    rk4what = ("fixed-step classic RK4 with the right-hand side evaluated at min(V, V_peak) (as "
               "NEST's aeif models), spike when V >= V_peak at the end of a step, then reset")
    for dt, tag in ((0.1, "DT0P1"), (0.05, "DT0P05")):
        R.scalar(f"ADEX_IRREGULAR_RK4_{tag}_RATE_HZ", [
            f"Firing rate (Hz) of AdEx `irregular`, {rk4what}; dt = {dt:g} ms.",
            irr_conds, irr_conds2, win], "f64", f64(irr_rk4[dt][0]))
        R.scalar(f"ADEX_IRREGULAR_RK4_{tag}_CV", [
            f"ISI CV of AdEx `irregular`, {rk4what}; dt = {dt:g} ms.",
            irr_conds, irr_conds2, win, cvdef], "f64", f64(irr_rk4[dt][1]))
    R.arr("ADEX_IRREGULAR_RATE_RANGE_HZ", [
        "Accepted firing-rate range (Hz) [lo, hi] of AdEx `irregular`: the pattern is chaotic, so "
        "only statistics are checked.",
        "lo = 0.75 x the least, hi = 1.25 x the largest of the continuous and the two RK4 rates "
        "above; window [200, 2200) ms."], rate_range)
    R.arr("ADEX_IRREGULAR_CV_RANGE", [
        "Accepted ISI-CV range [lo, hi] (dimensionless) of AdEx `irregular`, built like "
        "`ADEX_IRREGULAR_RATE_RANGE_HZ` (25 % margin around the three CVs)."], cv_range)

    # ---- AdEx tonic: plain RK4 at dt 0.1 ----
    BLOW_T = 1000.0
    plain = {vp: adex_rk4(ADEX["tonic"], vp, 0.1, BLOW_T) for vp in (20.0, 0.0)}
    clamped20 = adex_rk4(ADEX["tonic"], 20.0, 0.1, BLOW_T, clamp=True)
    plain_dt001 = adex_rk4(ADEX["tonic"], 20.0, 0.01, BLOW_T)

    def opt(x):
        return "None" if x is None else f"Some({x})"

    tonic_rk4 = ("AdEx `tonic`, fixed-step classic RK4 at dt = 0.1 ms with the right-hand side "
                 "evaluated at the raw stage values, from V = E_L, w = 0, I = 500 pA")
    for vp, tag in ((20.0, "VPEAK20"), (0.0, "VPEAK0")):
        sp, bad, bad_v, nan = plain[vp]
        assert bad is None or math.isinf(bad_v)
        R.scalar(f"ADEX_TONIC_RK4_DT0P1_{tag}_FIRST_NONFINITE_STEP", [
            f"{tonic_rk4}, V_peak = {vp:g} mV:",
            "the first step (1-based; step k ends at t = k dt) at whose end V is not finite "
            f"(there +inf), or None if V stays finite for {BLOW_T:g} ms.",
            "In the step that crosses V_T from about -37 mV a stage lands far above V_T, exp "
            "overflows, and V becomes +inf;",
            "the spike test catches +inf, but the same stage has kicked w by ~5e5 pA, so the "
            "trajectory is garbage from then on."], "Option<usize>", opt(bad))
        R.scalar(f"ADEX_TONIC_RK4_DT0P1_{tag}_FIRST_NAN_STEP", [
            f"{tonic_rk4}, V_peak = {vp:g} mV: the first step at whose end V is NaN (inf - inf), "
            f"or None within {BLOW_T:g} ms.",
            "NaN fails V >= V_peak and stays NaN for ever."], "Option<usize>", opt(nan))
    R.scalar("ADEX_TONIC_RK4_CLAMPED_DT0P1_VPEAK20_STAYS_FINITE", [
        "Whether AdEx `tonic` with V_peak = 20 mV stays finite for "
        f"{BLOW_T:g} ms under classic RK4 at dt = 0.1 ms when the right-hand side is",
        "evaluated at min(V, V_peak) (NEST's remedy); checked, it does."],
        "bool", "true" if clamped20[1] is None else "false")

    # ---- Izhikevich ----
    izh = {k: izh_spikes(v) for k, v in IZH.items()}
    for k, (a, b, c, d) in IZH.items():
        R.arr(f"IZHIKEVICH_{k.upper()}_SPIKES_MS", [
            f"Izhikevich (2003) `{k}` (a {a:g}, b {b:g}, c {c:g} mV, d {d:g}): first {N_SPIKES} "
            "spike times (ms),",
            "v reaching 30 mV in the continuous solution; I = 10 (mV/ms) from t = 0, v(0) = -65 mV, "
            "u(0) = b v(0)."], izh[k])

    # ---- Hodgkin-Huxley ----
    hh10 = hh_crossings(10.0, 300.0)[:N_SPIKES]
    assert len(hh10) == N_SPIKES
    hh_fi = [hh_rate(I) for I in HH_FI_CURRENTS]
    onset = hh_onset(6.0, 8.0)
    hh_conds = ("Hodgkin-Huxley (modern convention: C 1 uF/cm^2, g_Na 120, g_K 36, g_L 0.3 mS/cm^2, "
                "E_Na 50, E_K -77, E_L -54.387 mV),")
    R.arr("HH_SPIKES_MS", [
        f"{hh_conds}", f"I = 10 uA/cm^2 from t = 0, V(0) = -65 mV, m, h, n at their steady states: "
        f"the first {N_SPIKES} upward crossings of 0 mV (ms)."], hh10)
    R.arr("HH_FI_CURRENTS_UA_PER_CM2", [
        "Currents (uA/cm^2) of the Hodgkin-Huxley f-I curve `HH_FI_RATES_HZ`."], HH_FI_CURRENTS)
    R.arr("HH_FI_RATES_HZ", [
        f"{hh_conds}", "steady firing rate (Hz) for each current of `HH_FI_CURRENTS_UA_PER_CM2` "
        "(constant from t = 0, start at rest as for `HH_SPIKES_MS`):",
        "1000 / mean ISI of the upward 0-mV crossings in [200, 1200) ms; 0 if fewer than two "
        "crossings fall in the window."], hh_fi)
    R.arr("HH_REPETITIVE_ONSET_UA_PER_CM2", [
        "Bracket [lo, hi] (uA/cm^2, width <= 0.01) of the current at which the Hodgkin-Huxley "
        "model, started at rest,",
        "switches from no steady firing (rate 0 as defined for `HH_FI_RATES_HZ`) to repetitive "
        "firing."], list(onset))

    # ---- ExpIf ----
    ei = expif_spikes()
    R.arr("EXPIF_SPIKES_MS", [
        "ExpIf (Fourcaud-Trocme et al. 2003): C 200 pF, g_L 10 nS, E_L -70 mV, V_T -50 mV, "
        "Delta_T 2 mV, V_r -58 mV, V_peak 0 mV,",
        "t_ref 2 ms (V held at V_r for t_ref after each spike), I = 500 pA from t = 0, V(0) = E_L: "
        f"first {N_SPIKES} spike times (ms)."], ei)

    t_compute = time.time() - t_start

    header = [
        "//! Generated by bench/reference/neurons.py; do not edit.",
        "//!",
        "//! Reference solutions of AdEx (Naud et al. 2008 patterns), Izhikevich (2003),",
        "//! Hodgkin-Huxley (1952, modern convention) and ExpIf (Fourcaud-Trocme et al. 2003) under",
        "//! constant input: spike times of the continuous solutions (scipy solve_ivp, DOP853,",
        "//! rtol = atol = 1e-10, threshold crossings located as events and resets applied at the",
        "//! crossing), statistics of the chaotic AdEx pattern, and the HH f-I curve. Models,",
        "//! parameters and tolerances: docs/neurons.md. Units: ms, Hz, uA/cm^2.",
        f"//! Produced with numpy {np.__version__}, scipy {scipy.__version__}.",
    ]
    text = R.render(header)
    check_rust(text, R.items)
    with open(OUT, "w") as fh:
        fh.write(text)

    # ---- summary ----
    def fmt(xs, n=3):
        return ", ".join(f"{x:.6f}" for x in xs[:n])

    print(f"wrote {os.path.relpath(OUT)} ({len(R.items)} items)")
    print(f"{'quantity':44s} value")
    for name in ("tonic", "adapting", "initial_burst", "bursting"):
        print(f"{'AdEx ' + name + ' first 3 (ms)':44s} {fmt(adex[name])}   10th {adex[name][-1]:.6f}")
    for name in ("tonic", "adapting"):
        d = max(abs(x - y) for x, y in zip(adex[name], adex20[name]))
        print(f"{'AdEx ' + name + ' V_peak 20, first 3 (ms)':44s} {fmt(adex20[name])}   "
              f"max |shift| over 10: {d:.3g} ms")
    print(f"{'AdEx irregular continuous rate / CV':44s} {irr_adaptive[0]:.4f} Hz / {irr_adaptive[1]:.4f}")
    for dt in (0.1, 0.05):
        print(f"{'AdEx irregular RK4 (clamped) dt ' + str(dt) + ' rate / CV':44s} "
              f"{irr_rk4[dt][0]:.4f} Hz / {irr_rk4[dt][1]:.4f}")
        print(f"{'AdEx irregular Euler dt ' + str(dt) + ' rate / CV':44s} "
              f"{irr_euler[dt][0]:.4f} Hz / {irr_euler[dt][1]:.4f}")
        print(f"{'AdEx irregular RK4 (raw) dt ' + str(dt):44s} first non-finite step "
              f"{irr_plain[dt][0]} ({irr_plain[dt][1]}), first NaN step {irr_plain[dt][2]}")
    print(f"{'AdEx irregular rate range (Hz)':44s} [{rate_range[0]:.4f}, {rate_range[1]:.4f}]")
    print(f"{'AdEx irregular CV range':44s} [{cv_range[0]:.4f}, {cv_range[1]:.4f}]")
    for vp in (20.0, 0.0):
        sp, bad, bad_v, nan = plain[vp]
        print(f"{'AdEx tonic RK4 (raw) dt 0.1, V_peak ' + format(vp, 'g'):44s} first non-finite "
              f"step {bad} ({bad_v}), first NaN step {nan}; spikes {', '.join(f'{x:.1f}' for x in sp)}")
    print(f"{'AdEx tonic RK4 (raw) dt 0.01, V_peak 20':44s} first non-finite step "
          f"{plain_dt001[1]}, first NaN step {plain_dt001[3]}")
    print(f"{'AdEx tonic RK4 (clamped) dt 0.1, V_peak 20':44s} first non-finite step "
          f"{clamped20[1]}; first 3 spikes {fmt(clamped20[0])}")
    for k in IZH:
        print(f"{'Izhikevich ' + k + ' first 3 (ms)':44s} {fmt(izh[k])}   10th {izh[k][-1]:.6f}")
    print(f"{'HH I=10 first 3 (ms)':44s} {fmt(hh10)}   10th {hh10[-1]:.6f}")
    print(f"{'HH f-I (Hz) at I = 0..20 step 2':44s} " + ", ".join(f"{r:.3f}" for r in hh_fi))
    print(f"{'HH onset of repetitive firing (uA/cm^2)':44s} ({onset[0]:.4f}, {onset[1]:.4f})")
    print(f"{'HH net ionic current at rest (uA/cm^2)':44s} {hh_rest_current():.3e}")
    print(f"{'ExpIf first 3 (ms)':44s} {fmt(ei)}   10th {ei[-1]:.6f}")

    # Fixed-step deviations, for the tolerances stated in docs/neurons.md.
    def dev(s, ref, dt):
        if len(s) < len(ref):
            return f"only {len(s)} spikes"
        d = [abs(x - y) for x, y in zip(s, ref)]
        ratio = max(dk / ((k + 2) * dt) for k, dk in enumerate(d))
        return (f"max |dt_k| {max(d):.4f} ms (spike {int(np.argmax(d)) + 1}), "
                f"max |dt_k| / ((k+1) dt) {ratio:.3f}")

    print("\nfixed-step classic RK4 (AdEx, ExpIf: right-hand side at min(V, V_peak)) against the reference,"
          " first 10 spikes, k = 1..10:")
    for name in ("tonic", "adapting", "initial_burst", "bursting"):
        for dt in (0.1, 0.01):
            s, bad, _, _ = adex_rk4(ADEX[name], ADEX_V_PEAK, dt, adex[name][-1] + 50.0, clamp=True)
            print(f"  AdEx {name:14s} dt {dt:<5g} {dev(s, adex[name], dt)}   non-finite step: {bad}")
    for k in IZH:
        for dt in (0.1, 0.01):
            s = izh_rk4(IZH[k], dt, izh[k][-1] + 50.0)
            print(f"  Izhikevich {k:8s} dt {dt:<5g} {dev(s, izh[k], dt)}")
    for dt in (0.025, 0.01):
        s = hh_rk4(10.0, dt, hh10[-1] + 20.0)
        print(f"  HH I=10          dt {dt:<5g} {dev(s, hh10, dt)}")
    for dt in (0.1, 0.01):
        s = rk4_1d_expif(dt, ei[-1] + 50.0)
        print(f"  ExpIf            dt {dt:<5g} {dev(s, ei, dt)}")

    if check:
        print("\n--check: largest |difference| (ms or Hz) against DOP853 1e-12 and Radau 1e-10:")
        for label, kw in (("DOP853 1e-12", dict(rtol=1e-12, atol=1e-12)),
                          ("Radau 1e-10", dict(method="Radau"))):
            d = 0.0
            for name in ("tonic", "adapting", "initial_burst", "bursting"):
                s = adex_first_spikes(ADEX[name], ADEX_V_PEAK, **kw)
                d = max(d, max(abs(x - y) for x, y in zip(s, adex[name])))
            for name in ("tonic", "adapting"):
                s = adex_first_spikes(ADEX[name], 20.0, **kw)
                d = max(d, max(abs(x - y) for x, y in zip(s, adex20[name])))
            dz = max(max(abs(x - y) for x, y in zip(izh_spikes(IZH[k], **kw), izh[k])) for k in IZH)
            dh = max(abs(x - y) for x, y in zip(hh_crossings(10.0, 300.0, **kw)[:10], hh10))
            dr = max(abs(hh_rate(I, **kw) - r) for I, r in zip(HH_FI_CURRENTS, hh_fi))
            de = max(abs(x - y) for x, y in zip(expif_spikes(**kw), ei))
            irr = rate_cv(adex_spikes(pi, ADEX_V_PEAK, IRR_T1, 10 ** 9, **kw))
            print(f"  {label:13s} AdEx {d:.2e}  Izhikevich {dz:.2e}  HH {dh:.2e}  HH f-I {dr:.2e} Hz"
                  f"  ExpIf {de:.2e}  irregular rate/CV {irr[0]:.4f}/{irr[1]:.4f}")
        # AdEx/ExpIf at V_peak = 0 integrated in time all the way to V_peak (no switch to V).
        d = 0.0
        for name in ("tonic", "adapting", "initial_burst", "bursting"):
            s = adex_first_spikes(ADEX[name], ADEX_V_PEAK, v_switch=None)
            d = max(d, max(abs(x - y) for x, y in zip(s, adex[name])))
        de = max(abs(x - y) for x, y in zip(expif_spikes(v_switch=None), ei))
        irr = rate_cv(adex_spikes(pi, ADEX_V_PEAK, IRR_T1, 10 ** 9, v_switch=None))
        print(f"  {'time only':13s} AdEx {d:.2e}  ExpIf {de:.2e}  irregular rate/CV "
              f"{irr[0]:.4f}/{irr[1]:.4f}  (V_peak 0, DOP853 1e-10, no switch to V)")

    print(f"\ncompute time {t_compute:.1f} s (reference data), total {time.time() - t_start:.1f} s")


if __name__ == "__main__":
    main()
