#!/bin/sh
# All Brian2 reference runs (about 25 minutes on one core), one JSON line each.
cd "$(dirname "$0")"
{ ./run_brunel2000.sh; ./run_vogels2011.sh; ./run_brunel_wang2001.sh; } > results-brian2.jsonl
