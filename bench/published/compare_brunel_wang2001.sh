#!/bin/sh
# Brunel & Wang (2001), neurode beside Brian2 2.11 C++ standalone (one thread each), in one
# run: for each seed, neurode's example then Brian2's script (the example's per-synapse NMDA),
# one JSON line each (`run_s`: each simulator's own timing of the whole 3 s protocol).
#   bash bench/published/compare_brunel_wang2001.sh [seeds] [N]
# Needs ~/.venvs/brian2 (see README.md) and `cargo build --release --example brunel_wang2001`.
# NMDA=pre runs Brian2's cheaper form (gating on the presynaptic neuron) instead.
set -e
cd "$(dirname "$0")"
# Both simulators pinned to CPU 0 (PIN=0: not pinned), as bench/compare.sh does.
PINNED=""
if [ "${PIN:-1}" != 0 ] && command -v taskset >/dev/null; then PINNED="taskset -c 0"; fi
PY=${PY:-$HOME/.venvs/brian2/bin/python}
BIN=../../target/release/examples/brunel_wang2001
SEEDS=${1:-"1 2"}
N=${2:-2000}
for seed in $SEEDS; do
  $PINNED $BIN --n "$N" --seed "$seed"
  $PINNED $PY brunel_wang2001.py --N "$N" --nmda "${NMDA:-synapse}" --seed "$seed" --reps 1 \
    --mode standalone | sed -n 's/^RESULT //p'
done
