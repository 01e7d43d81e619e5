#!/bin/sh
# Brian2 reference runs of vogels2011.py: T = 10 s, 2 seeds, standalone, 1 thread.
PY=${PY:-$HOME/.venvs/brian2/bin/python}
cd "$(dirname "$0")"
for seed in 1 2; do
  fig=""; [ $seed = 1 ] && fig="--figure brian2_vogels2011.png"
  $PY vogels2011.py --T 10 --seed $seed --reps 1 --mode standalone $fig | grep '^RESULT' | sed 's/^RESULT //'
done
# longer runs: does the excitatory rate reach rho0 = 3 Hz?
for seed in 1 2; do
  $PY vogels2011.py --T 60 --seed $seed --reps 1 --mode standalone | grep '^RESULT' | sed 's/^RESULT //'
done
