#!/usr/bin/env bash
# The sweep of docs/sweep-2026-12-02.md (the earlier one): sweeps/examples/exercise.json with Ray Tune on
# this machine (a local Ray, 2 CPUs, one trial per CPU), with ASHA and without
# (FIFO) on the same 60 sampled configs, each into its own run cache so that
# neither reuses the other's runs; then the FIFO winner (by validation
# accuracy) retrained with seeds 43 and 44, and docs/sweep.{json,md}.
#
#   bash sweeps/setup.sh && go build -o bin/fashion ./cmd/fashion && bash sweeps/exercise_sweep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=data/sweep5
mkdir -p "$out"
export RAY_USAGE_STATS_ENABLED=0 RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
for sched in asha fifo; do
  /usr/bin/time -v sweeps/.venv/bin/python sweeps/tune.py --space sweeps/examples/exercise.json \
    --runs-dir "$out/runs-$sched" --storage "$out/tune" --name "exercise-$sched" \
    --scheduler "$sched" --max-t 30 --grace-period 3 --reduction-factor 3 --num-cpus 2 \
    --out "$out/$sched.json" > "$out/$sched.log" 2>&1
done
sweeps/.venv/bin/python - "$out" <<'PY'
import json, sys
out = sys.argv[1]
best = json.load(open(f"{out}/fifo.json"))["best"]
rec = json.load(open(f"{out}/runs-fifo/{best['key']}/run.json"))
json.dump(rec["config"], open(f"{out}/winner.json", "w"), indent=2)
PY
for s in 43 44; do
  bin/fashion train -config "$out/winner.json" -seed "$s" -progress jsonl -runs-dir "$out/runs-seeds" 2>>"$out/seeds.log" | tail -1
done > "$out/seeds.jsonl"
