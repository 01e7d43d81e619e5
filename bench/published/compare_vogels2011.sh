#!/bin/sh
# Vogels et al. (2011), neurode beside Brian2 2.11 C++ standalone (one thread each), in one
# run: for each seed, neurode's example then Brian2's script, one JSON line each (`run_s`: each
# simulator's own timing of the whole 10 s protocol).
#   bash bench/published/compare_vogels2011.sh [seeds] [T]
# Needs ~/.venvs/brian2 (see README.md) and `cargo build --release --example vogels2011`.
set -e
cd "$(dirname "$0")"
# Both simulators pinned to CPU 0 (PIN=0: not pinned): unpinned single-thread runs on these
# VMs are bimodal, as bench/compare.sh notes.
PINNED=""
if [ "${PIN:-1}" != 0 ] && command -v taskset >/dev/null; then PINNED="taskset -c 0"; fi
PY=${PY:-$HOME/.venvs/brian2/bin/python}
BIN=../../target/release/examples/vogels2011
SEEDS=${1:-"1 2"}
T=${2:-10}
for seed in $SEEDS; do
  $PINNED $BIN --scale 1 --duration "$T" --seed "$seed"
  $PINNED $PY vogels2011.py --T "$T" --seed "$seed" --reps 1 --mode standalone | sed -n 's/^RESULT //p'
done
