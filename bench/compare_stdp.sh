#!/usr/bin/env bash
# Side by side, alternating, in one run: neurode's Song et al. (2000) STDP example and Brian2
# 2.11's `examples/synapses/STDP.py` (../shared/anchors/brian2_stdp/stdp_anchor.py, C++
# standalone, one thread) on the same network (1000 Poisson inputs at 15 Hz, one LIF neuron,
# 100 s). Prints one line per run, then the medians of the loop times and the ratio, and the
# weight statistics of both (the final distribution: fractions of w/w_max below 0.1 and above
# 0.9, mean, and the output rate).
#
#   bash bench/compare_stdp.sh            (REPS=3 seeds, DURATION_MS=100000)
#
# Processes are pinned to CPU 0 (PIN=0 turns it off); Brian2 lives in a venv outside the
# repository (see bench/compare.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
anchors=${ANCHORS:-../shared/anchors}
py=${BRIAN2_PYTHON:-$HOME/.venvs/brian2/bin/python}
reps=${REPS:-3}
duration=${DURATION_MS:-100000}
one=()
if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null; then one=(taskset -c 0); fi
cargo build -q --release -p neurode --example stdp_song2000
out=$(mktemp)
log=$(mktemp)
trap 'rm -f "$out" "$log"' EXIT
for seed in $(seq "$reps"); do
  line=$("${one[@]}" ./target/release/examples/stdp_song2000 --duration-ms "$duration" --seed "$seed")
  echo "neurode $line" | tee -a "$log"
  (cd "$anchors/brian2_stdp" && "${one[@]}" "$py" stdp_anchor.py --mode standalone --seed "$seed" \
     --duration-s "$(python3 -c "print($duration / 1000)")" --out "$out" | grep '^RESULT ' | sed 's/^RESULT /brian2 /') | tee -a "$log"
done
python3 - "$log" <<'PY'
import json, statistics, sys
ours, theirs = [], []
for line in open(sys.argv[1]):
    who, _, js = line.partition(" ")
    (ours if who == "neurode" else theirs).append(json.loads(js))
med = lambda xs: statistics.median(xs)
o = med([r["run_s"] for r in ours])
t = med([r["time_network_run_s_device"] for r in theirs])
print(f"SUMMARY stdp_song2000 {ours[0]['duration_ms']} ms: neurode {o:.3f} s, brian2 {t:.3f} s, ratio {o/t:.2f}")
for name, rs, keys in (("neurode", ours, ("rate_hz", "frac_low", "frac_high", "w_mean")),
                       ("brian2", theirs, ("output_rate_hz", "frac_below_0.1", "frac_above_0.9", "w_over_gmax_mean"))):
    rate, low, high, mean = (med([r[k] for r in rs]) for k in keys)
    print(f"SUMMARY {name}: rate {rate:.2f} Hz, below 0.1 {low:.3f}, above 0.9 {high:.3f}, mean w/w_max {mean:.3f}")
PY
