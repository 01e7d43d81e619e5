"""Vogels et al. (2011) inhibitory plasticity, from Python: the network of
neurode.benchmarks.vogels2011 (the Rust example's, spike for spike), the excitatory rate before
and after the plasticity is switched on at 1 s and the mean plastic weight, as one JSON line;
with --png the rate of the excitatory neurons in 10 ms bins and the weight histogram.

    python examples/vogels2011.py --scale 0.2 --duration 3000 --png vogels.png
"""

import argparse
import json
import sys
import time

import numpy as np

from neurode.benchmarks import vogels2011


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1, help="neuron numbers (1: 10,000)")
    ap.add_argument("--duration", type=float, default=2000.0, help="simulated ms")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--png", help="draw the rate and the weights into this file")
    a = ap.parse_args()
    if a.duration <= 1000.0:
        sys.exit("vogels2011: --duration must exceed the 1000 ms before the plasticity")
    start = time.perf_counter()
    net, neurons, n_exc, plastic = vogels2011(a.scale, a.seed)
    build_s = time.perf_counter() - start
    rate = net.record_rate(neurons[:n_exc], 10.0)
    net.run(a.duration)
    run_s = time.perf_counter() - start - build_s
    t, r = rate.t, rate.rate
    w = net.get(plastic, "w")
    out = {
        "neurons": len(neurons),
        "rate_before_hz": float(r[(t >= 500.0) & (t < 1000.0)].mean()),
        "rate_last_500ms_hz": float(r[t >= a.duration - 500.0].mean()),
        "mean_w": float(w.mean()),
        "build_s": round(build_s, 4),
        "run_s": round(run_s, 4),
    }
    print(json.dumps(out))
    if a.png:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
        left.plot(t, r, "k", linewidth=0.7)
        left.axvline(1000.0, color="r", linewidth=0.7)
        left.set_xlabel("t (ms)")
        left.set_ylabel("excitatory rate (Hz)")
        right.hist(w, bins=50, color="k")
        right.set_xlabel("inhibitory weight w")
        fig.suptitle("Vogels et al. (2011): plasticity from 1 s (red)")
        fig.tight_layout()
        fig.savefig(a.png, dpi=120)


if __name__ == "__main__":
    main()
