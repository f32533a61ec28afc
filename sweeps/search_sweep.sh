#!/usr/bin/env bash
# Issue 22's search: sweeps/examples/search.json (the exercise's 784-120-72-48-10
# with EMA or SWA, batch norm, dropout, mixup, the schedules, the optimizers,
# distillation from the CNN teacher and max-norm; one_of groups keep SWA and
# EMA apart) with Ray Tune and ASHA on this machine (a local Ray, 2 CPUs, one
# trial per CPU), up to 60 epochs, grace period 10 (averaging needs epochs to
# show), reduction factor 3; chosen by validation accuracy only. Then the
# winner retrained with seeds 43 and 44, its ablation (sweeps/ablation.py: one
# technique it has on removed at a time, seed 42 as the winning trial), and
# docs/sweep.{json,md} by summarize.py, the ablation's results in the JSON.
#
#   bash sweeps/setup.sh && go build -o bin/fashion ./cmd/fashion && bash sweeps/search_sweep.sh
#
# Cost (estimated, not measured as a whole): ASHA's rungs are at 10 and 30
# epochs, and 60 ends a trial, so ideally 60×10 + 20×20 + 7×30 ≈ 1,200
# epochs; the asynchronous promotions of the 2026-12-04 sweep trained 1.7×
# its ideal (924 epochs), fewer rungs here, so count 1,500–1,700. A 40-epoch
# run of this network takes 20–25 s on xla:cpu on a quiet machine (≈0.55 s
# an epoch), two at once on the 2 cores about half that each per epoch of
# the pair: ≈ 10 min, plus each trial's start (data, compilation: a few s ×
# 60 / 2) ≈ 3 min. The teacher (12 CNN epochs, cached in data/runs after its
# first time) ≈ 5 min, the two seeds ≈ 1.5 min, the ablation (up to 5 runs
# of 60 epochs) ≈ 3 min: about 25 min on a quiet machine. Loaded, it is
# slower in proportion: a 10-epoch run with batch norm, mixup, EMA, dropout
# and max-norm took 19.8 s (1.88 s an epoch) at load 7 on 2026-12-07, which
# would make the search about an hour.
#
# SPACE, OUT, RUNS, MAX_T, GRACE and DOCS override the defaults (a smoke run
# on a tiny space into a temporary folder, leaving docs/ alone).
set -euo pipefail
cd "$(dirname "$0")/.."
space=${SPACE:-sweeps/examples/search.json}
out=${OUT:-data/search22}
runs=${RUNS:-data/runs}
max_t=${MAX_T:-60}
grace=${GRACE:-10}
docs=${DOCS:-docs}
py=sweeps/.venv/bin/python
# The space first, its errors on the terminal (tune.py's go to asha.log).
bin/fashion sweep -check -space "$space" > /dev/null
mkdir -p "$out" "$docs"
export RAY_USAGE_STATS_ENABLED=0 RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
start=$(date -u +'%Y-%m-%d %H:%M')
# The teacher first, so that no trial trains it (a 1-epoch student does; the
# teacher is trained on the space's train_limit, as the trials' teachers are).
limit=$($py -c 'import json, sys; print(json.load(open(sys.argv[1]))["params"].get("train_limit", 0))' "$space")
bin/fashion train -teacher cnn -epochs 1 -train-limit "$limit" -runs-dir "$runs" -quiet > "$out/teacher.log" 2>&1 ||
  { echo "search_sweep.sh: the teacher failed: see $out/teacher.log" >&2; exit 1; }
/usr/bin/time -v $py sweeps/tune.py --space "$space" \
  --runs-dir "$runs" --storage "$out/tune" --name search-asha \
  --scheduler asha --max-t "$max_t" --grace-period "$grace" --reduction-factor 3 --num-cpus 2 \
  --out "$out/asha.json" > "$out/asha.log" 2>&1 ||
  { echo "search_sweep.sh: tune.py failed: see $out/asha.log" >&2; exit 1; }
# The winner: tune.py's best, by the validation accuracy of its kept epoch.
$py - "$out" "$runs" <<'PY'
import json, sys
out, runs = sys.argv[1:]
best = json.load(open(f"{out}/asha.json"))["best"]
rec = json.load(open(f"{runs}/{best['key']}/run.json"))
json.dump(rec["config"], open(f"{out}/winner.json", "w"), indent=2)
PY
for s in 43 44; do
  bin/fashion train -config "$out/winner.json" -seed "$s" -progress jsonl -runs-dir "$runs" 2>>"$out/seeds.log" | tail -1
done > "$out/seeds.jsonl"
# The ablation: what the winner has on, one technique off at a time.
rm -rf "$out/ablation"
for n in $($py sweeps/ablation.py plan "$out/winner.json" "$out/ablation"); do
  if ! bin/fashion train -config "$out/ablation/$n.json" -progress jsonl -runs-dir "$runs" -quiet \
    2>>"$out/ablation/$n.log" | tail -1 > "$out/ablation/$n.done.json"; then
    echo "ablation $n failed: see $out/ablation/$n.log" >&2
  fi
done
$py sweeps/ablation.py collect "$out/winner.json" "$out/ablation" > "$out/ablation.json"
$py sweeps/summarize.py --space "$space" --sweep "asha=$out/asha.json:$runs" --winner-from asha \
  --seeds "$out/seeds.jsonl" --ablation "$out/ablation.json" --date "$start–$(date -u +%H:%M) UTC" \
  --note "Machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at the end; backend of the space ($space), $(git rev-parse --short HEAD)." \
  --note "Ray Tune, local Ray with 2 CPUs, 1 CPU per trial, random search, ASHA with max_t $max_t, grace period $grace, reduction factor 3; chosen by validation accuracy only. The teacher was trained once before the sweep (data/runs)." \
  --command "bash sweeps/search_sweep.sh" --json "$docs/sweep.json" --md "$docs/sweep.md"
