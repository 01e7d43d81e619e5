#!/bin/sh
# Brian2 reference runs of brunel_wang2001.py: N = 2000, T = 3 s, standalone, 1 thread;
# per-synapse NMDA (as the Brian2 example) with seeds 1, 2, and the presynaptic form with
# seeds 1, 2 (same dynamics, cheaper).
PY=${PY:-$HOME/.venvs/brian2/bin/python}
cd "$(dirname "$0")"
for nmda in synapse pre; do
  for seed in 1 2; do
    fig=""; [ $seed = 1 ] && [ $nmda = synapse ] && fig="--figure brian2_brunel_wang2001.png"
    $PY brunel_wang2001.py --N 2000 --nmda $nmda --seed $seed --reps 1 --mode standalone $fig | grep '^RESULT' | sed 's/^RESULT //'
  done
done
