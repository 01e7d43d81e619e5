"""The cost of the Python layer: the COBA network built and run from Python
(neurode.benchmarks.coba, the package's API) against the Rust example `coba` on the same network
(the same spikes), alternating in one run, each process pinned to CPU 0. Prints one JSON line per
run, then one per size with the medians and the ratios Python / Rust.

    python3 -m venv ~/.venvs/neurode && ~/.venvs/neurode/bin/pip install ./python
    cargo build --release --example coba
    taskset -c 0 ~/.venvs/neurode/bin/python bench/python_overhead.py [N ...]   (REPS=5)
"""

import json
import os
import statistics
import subprocess
import sys
import time

from neurode.benchmarks import coba

EXAMPLE = os.environ.get("COBA", "target/release/examples/coba")
REPS = int(os.environ.get("REPS", "5"))


def rust(n):
    out = subprocess.run(
        ["taskset", "-c", "0", EXAMPLE, "--neurons", str(n), "--duration-ms", "1000"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    r = json.loads(out)
    return r["setup_s"], r["run_s"], r["rate_hz"]


def python(n):
    start = time.perf_counter()
    net, g = coba(n, 1)
    spikes = net.count_spikes(g)
    built = time.perf_counter()
    net.run(1000.0, progress=False)
    done = time.perf_counter()
    rate = spikes.counts.sum() / n / 1.0
    return built - start, done - built, rate


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [4000, 32000]
    results = {}
    for _ in range(REPS):
        for n in sizes:
            for side, f in (("rust", rust), ("python", python)):
                setup, run, rate = f(n)
                results.setdefault((n, side), []).append((setup, run))
                line = {"side": side, "neurons": n, "setup_s": round(setup, 4)}
                line.update({"run_s": round(run, 4), "rate_hz": round(rate, 3)})
                print(json.dumps(line), flush=True)
    for n in sizes:
        med = {}
        for side in ("rust", "python"):
            rows = results[(n, side)]
            med[side] = [statistics.median(r[k] for r in rows) for k in (0, 1)]
        summary = {
            "neurons": n,
            "reps": REPS,
            "rust_setup_s": round(med["rust"][0], 4),
            "python_setup_s": round(med["python"][0], 4),
            "rust_run_s": round(med["rust"][1], 4),
            "python_run_s": round(med["python"][1], 4),
            "setup_ratio": round(med["python"][0] / med["rust"][0], 3),
            "run_ratio": round(med["python"][1] / med["rust"][1], 3),
        }
        print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
