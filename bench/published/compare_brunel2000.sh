#!/bin/sh
# Brunel (2000), neurode beside Brian2 2.11 C++ standalone (one thread each), in one run:
# for each state and seed, neurode's example then Brian2's script, alternating, one JSON line
# each (`run_s`: each simulator's own timing of its simulation loop, transient included).
#   bash bench/published/compare_brunel2000.sh [states] [seeds]
# Needs ~/.venvs/brian2 (see README.md) and `cargo build --release --example brunel2000`.
set -e
cd "$(dirname "$0")"
# Both simulators pinned to CPU 0 (PIN=0: not pinned): unpinned single-thread runs on these
# VMs are bimodal, as bench/compare.sh notes.
PINNED=""
if [ "${PIN:-1}" != 0 ] && command -v taskset >/dev/null; then PINNED="taskset -c 0"; fi
PY=${PY:-$HOME/.venvs/brian2/bin/python}
BIN=../../target/release/examples/brunel2000
STATES=${1:-"A B C D"}
SEEDS=${2:-"1 2"}
for s in $STATES; do
  for seed in $SEEDS; do
    $PINNED $BIN --state "$s" --scale 1 --duration 1.1 --discard 0.1 --seed "$seed"
    $PINNED $PY brunel2000.py --state "$s" --seed "$seed" --reps 1 --mode standalone | sed -n 's/^RESULT //p'
  done
done
