"""Reference values for tests/it/brian2_ports.rs: the membrane potential of Brian2's port of
Tsodyks, Pawelzik & Markram (1998), Fig. 1 (examples/frompapers/Tsodyks_Pawelzik_Markram_1998.py
in Brian2 2.11), panels A (depressing, 20 Hz) and B (facilitating, 20 Hz), sampled every 5 ms.

The model is built here through Brian2's API as that example builds it (three-state synapse
x, y, u integrated every step by exponential Euler, the released fraction summed into the
neuron's current, a passive membrane integrated exactly, dt 0.1 ms); run with the numpy target
so that no compiler is involved:

    ~/.venvs/brian2/bin/python bench/reference/tpm1998.py

It prints one JSON object: for each panel, the sample times (ms) and V (mV).
"""

import json

import numpy as np
from brian2 import (Hz, Gohm, Mohm, NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses,
                    defaultclock, ms, mV, pA, prefs, run, start_scope)

prefs.codegen.target = "numpy"

PANELS = {
    "A": dict(tau_mem=40 * ms, R_in=100 * Mohm, tau_inact=3 * ms, A_SE=250 * pA,
              tau_rec=800 * ms, U_SE=0.6, tau_facil=None),
    "B": dict(tau_mem=60 * ms, R_in=1 * Gohm, tau_inact=1.5 * ms, A_SE=1540 * pA,
              tau_rec=130 * ms, U_SE=0.03, tau_facil=530 * ms),
}


def panel(p):
    start_scope()
    defaultclock.dt = 0.1 * ms
    cell = NeuronGroup(1, """tau_mem : second
                              I_syn : ampere
                              R_in : ohm
                              dv/dt = -v/tau_mem + (R_in*I_syn)/tau_mem : volt""", method="exact")
    cell.tau_mem, cell.R_in = p["tau_mem"], p["R_in"]
    eqs = """dx/dt = z/tau_rec : 1 (clock-driven)
             dy/dt = -y/tau_inact : 1 (clock-driven)
             A_SE : ampere
             U_SE : 1
             tau_inact : second
             tau_rec : second
             z = 1 - x - y : 1
             I_syn_post = A_SE*y : ampere (summed)"""
    if p["tau_facil"] is not None:
        eqs += """
             du/dt = -u/tau_facil : 1 (clock-driven)
             tau_facil : second"""
        on_pre = "u += U_SE*(1-u)\ny += u*x\nx += -u*x"
    else:
        on_pre = "y += U_SE*x\nx += -U_SE*x"
    times = np.arange(100.0, 1100.0, 50.0) * ms
    stim = SpikeGeneratorGroup(1, [0] * len(times), times)
    syn = Synapses(stim, cell, model=eqs, on_pre=on_pre, method="exponential_euler")
    syn.connect()
    syn.x = 1
    syn.tau_inact, syn.A_SE, syn.U_SE, syn.tau_rec = (p["tau_inact"], p["A_SE"], p["U_SE"],
                                                     p["tau_rec"])
    if p["tau_facil"] is not None:
        syn.tau_facil = p["tau_facil"]
    mon = StateMonitor(cell, "v", record=0)
    run(1200 * ms)
    v = mon.v[0] / mV
    steps = np.arange(0, 12000, 50)
    return {"t_ms": [float(s) * 0.1 for s in steps], "v_mV": [float(v[s]) for s in steps]}


print(json.dumps({k: panel(p) for k, p in PANELS.items()}))
