#!/bin/sh
# Brian2 reference runs of brunel2000.py: 4 states x 2 seeds, full scale, standalone, 1 thread.
PY=${PY:-$HOME/.venvs/brian2/bin/python}
cd "$(dirname "$0")"
for s in A B C D; do
  for seed in 1 2; do
    fig=""; [ $seed = 1 ] && fig="--figure brian2_brunel2000_$s.png"
    $PY brunel2000.py --state $s --seed $seed --reps 3 --mode standalone $fig | grep '^RESULT' | sed 's/^RESULT //'
  done
done
