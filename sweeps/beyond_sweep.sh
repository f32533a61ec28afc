#!/usr/bin/env bash
# The sweep of docs/sweep.md (issue 17; the earlier one is docs/sweep-2026-12-02.md): sweeps/examples/beyond.json
# (the exercise's architecture with the techniques beyond the exercise added:
# augmentation, label smoothing, mixup, EMA, distillation from the CNN
# teacher) with Ray Tune and ASHA on this machine (a local Ray, 2 CPUs, one
# trial per CPU), up to 100 epochs, chosen by validation accuracy only; then
# the winner retrained with seeds 43 and 44, and docs/sweep.{json,md}.
# Trials share the run cache data/runs, where the teacher is stored once
# (bin/fashion train -teacher cnn trains it first if it is missing).
#
#   bash sweeps/setup.sh && go build -o bin/fashion ./cmd/fashion && bash sweeps/beyond_sweep.sh
#
# Note (2026-12-07): beyond.json predates the rule that a teacher goes without
# shift/flip/erase (Config.Validate), so `fashion sweep -check` now refuses it
# and this script stops at once; it stays as the record of the 2026-12-04
# sweep. Issue 22's search is sweeps/search_sweep.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! bin/fashion sweep -check -space sweeps/examples/beyond.json > /dev/null; then
  echo "beyond_sweep.sh: sweeps/examples/beyond.json predates the teacher/augmentation rule (see this script's note); run sweeps/search_sweep.sh" >&2
  exit 1
fi
out=data/sweep17
runs=data/runs
mkdir -p "$out"
export RAY_USAGE_STATS_ENABLED=0 RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
# The teacher first, so that no trial trains it: a 1-epoch student does.
bin/fashion train -teacher cnn -epochs 1 -runs-dir "$runs" -quiet > "$out/teacher.log" 2>&1
/usr/bin/time -v sweeps/.venv/bin/python sweeps/tune.py --space sweeps/examples/beyond.json \
  --runs-dir "$runs" --storage "$out/tune" --name beyond-asha \
  --scheduler asha --max-t 100 --grace-period 3 --reduction-factor 3 --num-cpus 2 \
  --out "$out/asha.json" > "$out/asha.log" 2>&1
sweeps/.venv/bin/python - "$out" "$runs" <<'PY'
import json, sys
out, runs = sys.argv[1:]
best = json.load(open(f"{out}/asha.json"))["best"]
rec = json.load(open(f"{runs}/{best['key']}/run.json"))
json.dump(rec["config"], open(f"{out}/winner.json", "w"), indent=2)
PY
for s in 43 44; do
  bin/fashion train -config "$out/winner.json" -seed "$s" -progress jsonl -runs-dir "$runs" 2>>"$out/seeds.log" | tail -1
done > "$out/seeds.jsonl"
# The ablation: the winner with one of its techniques removed at a time
# (seed 42, as the winning trial).
mkdir -p "$out/ablation"
sweeps/.venv/bin/python - "$out" <<'PY'
import json, sys
out = sys.argv[1]
w = json.load(open(f"{out}/winner.json"))
for name, edit in {"no_mixup": {"mixup": 0}, "no_dropout": {"dropout": []},
                   "no_batchnorm": {"norm": "none"}, "constant_lr": {"schedule": "constant"}}.items():
    json.dump({**w, **edit}, open(f"{out}/ablation/{name}.json", "w"), indent=2)
PY
for n in no_mixup no_dropout no_batchnorm constant_lr; do
  bin/fashion train -config "$out/ablation/$n.json" -name "ablation_$n" -runs-dir "$runs" -progress jsonl -quiet \
    2>>"$out/ablation/$n.log" | tail -1 > "$out/ablation/$n.done.json"
done
