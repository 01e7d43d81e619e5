"""Spike counts over the first 500 ms of the AdEx patterns and of ExpIf, from the reference
solutions of neurons.py (solve_ivp DOP853, rtol = atol = 1e-10, events located on the dense
output, resets at the crossing), with the last spike time and the margin to 500 ms, so that a
count is only trusted when no spike sits within a hair of the window's end.

    python bench/reference/counts_500ms.py

It prints one line per case; tests/it/neuron_models.rs stores the counts.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import neurons as ref  # noqa: E402

T_END = 500.0


def report(name, spikes):
    inside = [t for t in spikes if t < T_END]
    after = [t for t in spikes if t >= T_END]
    margin = min([T_END - inside[-1]] + [a - T_END for a in after[:1]]) if inside else T_END
    print(f"{name}: {len(inside)} spikes in [0, {T_END}) ms, last at {inside[-1]:.9f}, "
          f"nearest to the end {margin:.6f} ms away")


for preset in ["tonic", "adapting", "initial_burst", "bursting"]:
    p = ref.ADEX[preset]
    report(f"AdEx {preset}", ref.adex_spikes(p, ref.ADEX_V_PEAK, T_END + 50.0, 10_000))

p = ref.EXPIF
report("ExpIf", ref.spikes_with_reset(
    lambda t, y: [(-p["g_L"] * (y[0] - p["E_L"])
                   + p["g_L"] * p["D_T"] * ref.safe_exp((y[0] - p["V_T"]) / p["D_T"]) + p["I"])
                  / p["C"]],
    [p["E_L"]], p["V_peak"], lambda y: [p["V_r"]], T_END + 50.0, 10_000, t_ref=p["t_ref"],
    hold=lambda y: y, v_switch=p["V_T"] + 10.0 * p["D_T"]))
