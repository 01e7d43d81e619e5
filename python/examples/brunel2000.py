"""Brunel (2000), the four states of Fig. 8, from Python: the network of
neurode.benchmarks.brunel2000 (the Rust example's, spike for spike), its rates and CV of ISI as
one JSON line, and with --png the raster of 50 neurons over the population rate.

    python examples/brunel2000.py --state C --scale 0.1 --duration 400 --png c.png
"""

import argparse
import json
import sys
import time

import numpy as np

import neurode as nd
from neurode.benchmarks import BRUNEL2000_STATES, brunel2000


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--state", default="C", choices=sorted(BRUNEL2000_STATES))
    ap.add_argument("--scale", type=float, default=0.1, help="neuron numbers (1: 12,500)")
    ap.add_argument("--duration", type=float, default=400.0, help="simulated ms")
    ap.add_argument("--discard", type=float, default=100.0, help="transient left out, ms")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--png", help="draw the raster and the population rate into this file")
    a = ap.parse_args()
    if not 0 <= a.discard < a.duration:
        sys.exit("brunel2000: --duration must exceed --discard (>= 0)")
    g, eta, name = BRUNEL2000_STATES[a.state]
    start = time.perf_counter()
    net, neurons, n_exc = brunel2000(g, eta, a.scale, a.seed)
    build_s = time.perf_counter() - start
    net.run(a.discard)
    spikes = net.record_spikes(neurons)
    rate = net.record_rate(neurons, 0.5)
    net.run(a.duration - a.discard)
    run_s = time.perf_counter() - start - build_s
    i, t = spikes.i, spikes.t
    window_s = (a.duration - a.discard) / 1000.0
    cvs = []
    for k in np.unique(i):
        isi = np.diff(t[i == k])
        if len(isi) >= 2:
            cvs.append(isi.std() / isi.mean())
    out = {
        "state": a.state,
        "regime": name,
        "neurons": len(neurons),
        "rate_hz": len(i) / len(neurons) / window_s,
        "rate_e_hz": np.count_nonzero(i < n_exc) / n_exc / window_s,
        "rate_i_hz": np.count_nonzero(i >= n_exc) / (len(neurons) - n_exc) / window_s,
        "cv_isi": float(np.mean(cvs)) if cvs else None,
        "build_s": round(build_s, 4),
        "run_s": round(run_s, 4),
    }
    print(json.dumps(out))
    if a.png:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        last = 100.0 if a.state == "A" else 200.0
        t0 = max(a.duration - last, a.discard)
        fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6, 4),
                                          gridspec_kw={"height_ratios": [3, 1]})
        keep = (i < 50) & (t >= t0)
        top.plot(t[keep], i[keep], "|k", markersize=3)
        top.set_ylabel("neuron")
        top.set_title(f"Brunel (2000), state {a.state}: {name}")
        keep = rate.t >= t0
        bottom.plot(rate.t[keep], rate.rate[keep], "k", linewidth=0.7)
        bottom.set_xlabel("t (ms)")
        bottom.set_ylabel("rate (Hz)")
        fig.tight_layout()
        fig.savefig(a.png, dpi=120)


if __name__ == "__main__":
    main()
