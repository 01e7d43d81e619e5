#!/usr/bin/env bash
# Side by side, alternating, in one run: neurode's COBA/CUBA examples (1 and 2 threads) and Brian2
# 2.11 C++ standalone (single thread) on the same networks (../shared/anchors/brian2_bench.py).
# Prints one line per run, then per model and N the median run times, the ratio neurode/Brian2
# (one thread each) and neurode's speed-up on two threads.
#
#   bash bench/compare.sh [N ...]          (default: 4000 16000 64000; REPS=3)
#
# Brian2 lives in a venv outside the repository:
#   PYENV_VERSION=3.13.0 python3.13 -m venv ~/.venvs/brian2 && ~/.venvs/brian2/bin/pip install 'brian2==2.11.*'
set -euo pipefail
cd "$(dirname "$0")/.."
anchors=${ANCHORS:-../shared/anchors}
py=${BRIAN2_PYTHON:-$HOME/.venvs/brian2/bin/python}
reps=${REPS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(4000 16000 64000)
cargo build -q --release --example coba --example cuba
run_s() { sed -E 's/.*"run_s": ([0-9.]+).*/\1/' <<<"$1"; }
for model in coba cuba; do
  for n in "${sizes[@]}"; do
    ours=(); two=(); theirs=()
    for r in $(seq "$reps"); do
      line=$(./target/release/examples/$model --neurons "$n" --duration-ms 1000 --seed "$r")
      echo "neurode   $line"
      ours+=("$(run_s "$line")")
      line=$(./target/release/examples/$model --neurons "$n" --duration-ms 1000 --seed "$r" --threads 2)
      echo "neurode×2 $line"
      two+=("$(run_s "$line")")
      b=$(cd "$anchors" && "$py" brian2_bench.py --model "$model" --N "$n" --T 1 --mode standalone --threads 1 --reps 1 | grep '^RESULT ')
      echo "brian2    ${b#RESULT }"
      theirs+=("$(sed -E 's/.*"run_s_median": ([0-9.]+).*/\1/' <<<"$b")")
    done
    python3 - "$model" "$n" "${ours[*]}" "${two[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
model, n = sys.argv[1], sys.argv[2]
ours, two, theirs = (list(map(float, a.split())) for a in sys.argv[3:6])
o, w, t = statistics.median(ours), statistics.median(two), statistics.median(theirs)
print(f"SUMMARY {model} N={n}: neurode {o:.4f} s (2 threads {w:.4f} s, speed-up {o/w:.2f}), "
      f"brian2 {t:.4f} s, ratio {o/t:.2f}")
PY
  done
done
