#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine with Go >= 1.26 and Python 3:
# installs what the project needs, then trains the exercise's baseline (40
# epochs) on the default backend through the run cache (data/runs/<key>/)
# and writes a copy of its record to data/baseline.json.
#
#   bash scripts/setup.sh                 # set-up + baseline training
#   bash scripts/setup.sh --no-train      # set-up only
#   bash scripts/setup.sh --no-notebook   # without GoNB and JupyterLab
#   bash scripts/setup.sh --no-sweeps     # without sweeps/.venv (Ray Tune, TensorBoard)
#   bash scripts/setup.sh -- -epochs 5    # extra flags for "fashion train"
set -euo pipefail
cd "$(dirname "$0")/.."

train=1 notebook=1 sweeps=1
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-train) train=0 ;;
    --no-notebook) notebook=0 ;;
    --no-sweeps) sweeps=0 ;;
    --) shift; args=("$@"); break ;;
    *) echo "setup.sh: unknown option $1 (want --no-train, --no-notebook, --no-sweeps or -- FLAGS)" >&2; exit 2 ;;
  esac
  shift
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# The data: Debian's dataset-fashion-mnist puts the four IDX files in
# /usr/share/datasets/fashion-mnist. Where apt is missing, "fashion train"
# downloads them into data/fashion-mnist and verifies their checksums.
if [ ! -d /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist
fi

go version
go mod download

# The XLA CPU plugin from PyPI (the auto backend then uses XLA, much faster
# than the pure-Go backend); training still works without it.
bash scripts/xla/install-cpu-plugin.sh || echo "setup: XLA CPU plugin not installed; the pure-Go backend will be used"

if [ "$notebook" = 1 ]; then
  bash scripts/notebook-setup.sh
fi

# Ray Tune, Optuna and TensorBoard (pinned) for sweeps/ and its tests.
if [ "$sweeps" = 1 ]; then
  bash sweeps/setup.sh
fi

go build -o bin/fashion ./cmd/fashion

if [ "$train" = 1 ]; then
  ./bin/fashion train -out data/baseline.json "${args[@]}"
fi
