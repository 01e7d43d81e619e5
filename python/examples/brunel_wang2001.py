"""Brunel & Wang (2001) object working memory, from Python: the network of
neurode.benchmarks.brunel_wang2001 (the Rust example's, spike for spike), a cue onto pool 1 at
[1000, 1050) ms and a reset at [2000, 2050) ms; the rate of every pool in the windows the Rust
example and Brian2's script report, as one JSON line, and with --png the raster of 20 cells of
every pool over the population rates.

    python examples/brunel_wang2001.py --n 2000 --png bw.png
"""

import argparse
import json
import sys
import time

import numpy as np

from neurode.benchmarks import brunel_wang2001

WINDOWS = {"spont": (500.0, 1000.0), "cue": (1000.0, 1050.0), "delay": (1250.0, 2000.0),
           "post": (2250.0, 3000.0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="neurons (80 %% pyramidal cells)")
    ap.add_argument("--duration", type=float, default=3000.0, help="simulated ms (>= 3000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--png", help="draw the raster and the pools' rates into this file")
    a = ap.parse_args()
    if a.duration < 3000.0 or not 10 <= a.n <= 100_000:
        sys.exit("brunel_wang2001: --duration is at least 3000 ms, --n between 10 and 100000")
    start = time.perf_counter()
    net, exc, inh, pools = brunel_wang2001(a.n, a.seed)
    se, si = net.record_spikes(exc), net.record_spikes(inh)
    build_s = time.perf_counter() - start
    net.run(a.duration)
    run_s = time.perf_counter() - start - build_s
    ie, te, ii, ti = se.i, se.t, si.i, si.t

    def rate(cells, w):
        lo, hi = WINDOWS[w] if isinstance(w, str) else w
        keep = np.isin(ie, cells) & (te >= lo - 1e-6) & (te < hi - 1e-6)
        return np.count_nonzero(keep) / (len(cells) * (hi - lo) * 1e-3)

    out = {"N": a.n, "seed": a.seed}
    others = np.concatenate([np.asarray(pools[f"sel{k}"]) for k in range(2, 6)])
    for w, (lo, hi) in WINDOWS.items():
        for name, cells in pools.items():
            out[f"{w}_{name}"] = round(rate(np.asarray(cells), w), 3)
        out[f"{w}_sel_others"] = round(rate(others, w), 3)
        keep = (ti >= lo - 1e-6) & (ti < hi - 1e-6)
        out[f"{w}_inh"] = round(np.count_nonzero(keep) / (len(inh) * (hi - lo) * 1e-3), 3)
    out["persistent"] = bool(out["delay_sel1"] > 2 * out["delay_sel_others"]
                             and out["delay_sel1"] > 10)
    out["reset_ok"] = bool(out["post_sel1"] < 2 * out["post_sel_others"] + 1)
    out.update({"spikes_E": int(len(ie)), "spikes_I": int(len(ii)),
                "build_s": round(build_s, 4), "run_s": round(run_s, 4)})
    print(json.dumps(out))
    if a.png:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6, 5),
                                          gridspec_kw={"height_ratios": [2, 1.3]})
        show = 20
        for row, (name, cells) in enumerate(pools.items()):
            keep = (ie >= cells.start) & (ie < cells.start + show)
            top.plot(te[keep], ie[keep] - cells.start + row * show, ".", ms=1.2)
        keep = ii < show
        top.plot(ti[keep], ii[keep] + len(pools) * show, ".k", ms=1.2)
        top.set_yticks([(r + 0.5) * show for r in range(len(pools) + 1)])
        top.set_yticklabels(list(pools) + ["inh"], fontsize=7)
        top.set_title(f"Brunel & Wang (2001), N = {a.n}: cue onto sel1, then reset", fontsize=8)
        edges = np.arange(0.0, a.duration + 1e-9, 25.0)
        for name in ("nonsel", "sel1", "sel2"):
            cells = pools[name]
            keep = (ie >= cells.start) & (ie < cells.stop)
            bottom.plot(edges[:-1] + 12.5, np.histogram(te[keep], edges)[0]
                        / (len(cells) * 0.025), lw=0.8, label=name)
        bottom.plot(edges[:-1] + 12.5, np.histogram(ti, edges)[0] / (len(inh) * 0.025), "k",
                    lw=0.8, label="inh")
        bottom.set_xlabel("t (ms)")
        bottom.set_ylabel("rate (Hz, 25 ms bins)")
        bottom.legend(fontsize=7, ncol=4)
        fig.tight_layout()
        fig.savefig(a.png, dpi=100)


if __name__ == "__main__":
    main()
