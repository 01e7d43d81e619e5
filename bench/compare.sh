#!/usr/bin/env bash
# Side by side, alternating, in one run: neurode's COBA/CUBA examples (1 and 2 threads) and Brian2
# 2.11 C++ standalone (single thread) on the same networks (../shared/anchors/brian2_bench.py).
# With OLD=<dir> holding an earlier build's `coba` and `cuba` binaries, they run in the same
# rotation, for new/old ratios. Prints one line per run, then per model and N the median run
# times and the ratios.
#
#   bash bench/compare.sh [N ...]          (default: 4000 16000 64000; REPS=5)
#   OLD=/path/to/old/examples bash bench/compare.sh 16000 64000
#
# Every process is pinned (taskset: one-thread runs on CPU 0, two-thread runs on CPUs 0-1), the
# peer's included: unpinned single-thread runs on these VMs are bimodal (the scheduler migrates
# them between the vCPUs). PIN=0 turns pinning off.
#
# Brian2 lives in a venv outside the repository:
#   PYENV_VERSION=3.13.0 python3.13 -m venv ~/.venvs/brian2 && ~/.venvs/brian2/bin/pip install 'brian2==2.11.*'
set -euo pipefail
cd "$(dirname "$0")/.."
# The other workloads have scripts of their own, reached from here too:
#   bash bench/compare.sh stdp                 (Song et al. 2000 against Brian2's STDP example)
#   bash bench/compare.sh microcircuit [SCALE]  (Potjans & Diesmann 2014 against NEST)
case "${1:-}" in
  stdp) shift; exec bash bench/compare_stdp.sh "$@" ;;
  microcircuit) shift; exec bash bench/compare_microcircuit.sh "$@" ;;
esac
anchors=${ANCHORS:-../shared/anchors}
py=${BRIAN2_PYTHON:-$HOME/.venvs/brian2/bin/python}
reps=${REPS:-5}
old=${OLD:-}
one=(); two_cpus=()
if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null; then
  one=(taskset -c 0); two_cpus=(taskset -c 0,1)
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(4000 16000 64000)
cargo build -q --release --example coba --example cuba
run_s() { sed -E 's/.*"run_s": ([0-9.]+).*/\1/' <<<"$1"; }
for model in coba cuba; do
  for n in "${sizes[@]}"; do
    ours=(); two=(); theirs=(); old1=(); old2=()
    for r in $(seq "$reps"); do
      args=(--neurons "$n" --duration-ms 1000 --seed "$r")
      line=$("${one[@]}" ./target/release/examples/$model "${args[@]}")
      echo "neurode     $line"
      ours+=("$(run_s "$line")")
      line=$("${two_cpus[@]}" ./target/release/examples/$model "${args[@]}" --threads 2)
      echo "neurode×2   $line"
      two+=("$(run_s "$line")")
      if [ -n "$old" ]; then
        line=$("${one[@]}" "$old/$model" "${args[@]}")
        echo "old         $line"
        old1+=("$(run_s "$line")")
        line=$("${two_cpus[@]}" "$old/$model" "${args[@]}" --threads 2)
        echo "old×2       $line"
        old2+=("$(run_s "$line")")
      fi
      b=$(cd "$anchors" && "${one[@]}" "$py" brian2_bench.py --model "$model" --N "$n" --T 1 --mode standalone --threads 1 --reps 1 | grep '^RESULT ')
      echo "brian2      ${b#RESULT }"
      theirs+=("$(sed -E 's/.*"run_s_median": ([0-9.]+).*/\1/' <<<"$b")")
    done
    python3 - "$model" "$n" "${ours[*]}" "${two[*]}" "${theirs[*]}" "${old1[*]:-}" "${old2[*]:-}" <<'PY'
import statistics, sys
model, n = sys.argv[1], sys.argv[2]
ours, two, theirs = (list(map(float, a.split())) for a in sys.argv[3:6])
o, w, t = statistics.median(ours), statistics.median(two), statistics.median(theirs)
line = (f"SUMMARY {model} N={n}: neurode {o:.4f} s (2 threads {w:.4f} s, speed-up {o/w:.2f}), "
        f"brian2 {t:.4f} s, ratio {o/t:.2f}")
if sys.argv[6].strip():
    o1, o2 = (statistics.median(list(map(float, a.split()))) for a in sys.argv[6:8])
    line += f"; old {o1:.4f} s (2 threads {o2:.4f} s), new/old {o/o1:.3f} (2 threads {w/o2:.3f})"
print(line)
PY
  done
done
