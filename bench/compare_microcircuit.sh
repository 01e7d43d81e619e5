#!/usr/bin/env bash
# Side by side, alternating, in one run: neurode's microcircuit example and NEST 3.10's
# Potjans & Diesmann (2014) PyNEST example (../shared/anchors/nest_microcircuit/run_pd14.py,
# with NEST's example modules fetched into PD14_DIR/upstream, see its UPSTREAM.md) at one
# scale, 500 ms presimulation and 1000 ms measured, one seed per repetition. Prints one line
# per run, then the medians of the build and simulation times, their ratios, and each
# population's rate (mean over the repetitions, and the spread between seeds).
#
#   PD14_DIR=/path/with/run_pd14.py+upstream bash bench/compare_microcircuit.sh [SCALE]
#   (default scale 0.1; REPS=3; THREADS=1)
#
# Processes are pinned (one thread: CPU 0; two: CPUs 0-1); PIN=0 turns it off. NEST lives in
# the Brian2 venv outside the repository (`pip install nest-simulator==3.10`).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-0.1}
reps=${REPS:-3}
threads=${THREADS:-1}
pd14=${PD14_DIR:?set PD14_DIR to a folder with run_pd14.py and upstream/}
py=${NEST_PYTHON:-$HOME/.venvs/brian2/bin/python}
pin=()
if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null; then
  if [ "$threads" = 1 ]; then pin=(taskset -c 0); else pin=(taskset -c 0,1); fi
fi
cargo build -q --release -p neurode --example microcircuit
log=$(mktemp); out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT
for seed in $(seq "$reps"); do
  line=$("${pin[@]}" ./target/release/examples/microcircuit --scale "$scale" --threads "$threads" --seed "$seed")
  echo "neurode $line" | tee -a "$log"
  (cd "$pd14" && "${pin[@]}" "$py" run_pd14.py --scale "$scale" --threads "$threads" --t-sim 1000 \
     --seed "$seed" --out "$out" 2>/dev/null | grep '^RESULT ' | sed 's/^RESULT /nest /') | tee -a "$log"
done
python3 - "$log" <<'PY'
import json, statistics, sys
ours, theirs = [], []
for line in open(sys.argv[1]):
    who, _, js = line.partition(" ")
    (ours if who == "neurode" else theirs).append(json.loads(js))
med = statistics.median
ob, os_ = med([r["build_s"] for r in ours]), med([r["run_s"] for r in ours])
nb, ns = med([r["time_build_s"] for r in theirs]), med([r["time_sim_s"] for r in theirs])
print(f"SUMMARY microcircuit scale {ours[0]['scale']} threads {ours[0]['threads']}: "
      f"build neurode {ob:.3f} s, nest {nb:.3f} s (ratio {ob/nb:.2f}); "
      f"1 s simulated: neurode {os_:.3f} s, nest {ns:.3f} s (ratio {os_/ns:.2f})")
for pop in ours[0]["rates_hz"]:
    a = [r["rates_hz"][pop] for r in ours]
    b = [r["rates_hz"][pop] for r in theirs]
    spread = lambda x: max(x) - min(x)
    print(f"SUMMARY rate {pop}: neurode {statistics.mean(a):.3f} Hz (seeds span {spread(a):.3f}), "
          f"nest {statistics.mean(b):.3f} Hz (span {spread(b):.3f})")
PY
