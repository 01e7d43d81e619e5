#!/usr/bin/env bash
# Side by side, alternating, in one run: neurode's COBA/CUBA examples and Brian2 2.11 C++ standalone
# (single thread) on the same networks (../shared/anchors/brian2_bench.py). Prints one line per run
# and the median ratio neurode/Brian2 per model and N.
#
#   bash bench/compare.sh [N ...]          (default: 4000 16000 64000)
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
for model in coba cuba; do
  for n in "${sizes[@]}"; do
    ours=(); theirs=()
    for r in $(seq "$reps"); do
      line=$(./target/release/examples/$model --neurons "$n" --duration-ms 1000 --seed "$r")
      echo "neurode $line"
      ours+=("$(sed -E 's/.*"run_s": ([0-9.]+).*/\1/' <<<"$line")")
      b=$(cd "$anchors" && "$py" brian2_bench.py --model "$model" --N "$n" --T 1 --mode standalone --threads 1 --reps 1 | grep '^RESULT ')
      echo "brian2  ${b#RESULT }"
      theirs+=("$(sed -E 's/.*"run_s_median": ([0-9.]+).*/\1/' <<<"$b")")
    done
    python3 - "$model" "$n" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
model, n, ours, theirs = sys.argv[1], sys.argv[2], list(map(float, sys.argv[3].split())), list(map(float, sys.argv[4].split()))
o, t = statistics.median(ours), statistics.median(theirs)
print(f"SUMMARY {model} N={n}: neurode {o:.4f} s, brian2 {t:.4f} s, ratio {o/t:.2f}")
PY
  done
done
