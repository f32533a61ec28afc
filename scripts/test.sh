#!/usr/bin/env bash
# The project's tests: go vet, the Go tests, the Python tests under sweeps/
# (TensorBoard read-back, the Ray Tune driver on a local two-node cluster)
# and bench/test_gpu.py (the GPU benchmark refuses a machine without a GPU),
# then the notebook executed headless in quick mode (FASHION_QUICK=1),
# failing on any error, panic or non-zero exit in its outputs. The Python
# tests need sweeps/setup.sh, the notebook step scripts/notebook-setup.sh
# --headless (CI runs both); without them, they are skipped.
#
# --short: the fast tier only: go vet and go test -short ./... (the tests
# that train or take over a second skip; no Python tests, no notebook).
set -euo pipefail
cd "$(dirname "$0")/.."

short=
case "${1:-}" in
  --short) short=1 ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--short]" >&2; exit 2 ;;
esac

go vet ./...
if [ -n "$short" ]; then
  go test -short ./...
  echo "short tier: the training tests, the sweeps' Python tests and the notebook were skipped"
  exit 0
fi
go test ./...

# The Python tests run the command as a trial runner: build it first.
go build -o bin/fashion ./cmd/fashion
if [ -x sweeps/.venv/bin/python ]; then
  sweeps/.venv/bin/python -m pytest sweeps bench/test_gpu.py -q
else
  echo "sweeps tests skipped: run bash sweeps/setup.sh first"
fi

export PATH="$(go env GOPATH)/bin:$PATH"
if [ -x .venv/bin/python ] && command -v gonb >/dev/null && command -v goimports >/dev/null; then
  runs="$(mktemp -d)"
  trap 'rm -rf "$runs"' EXIT
  FASHION_QUICK=1 FASHION_RUNS_DIR="$runs" \
    .venv/bin/python notebooks/run_notebook.py notebooks/fashion.ipynb --out "$runs/executed.ipynb"
else
  echo "notebook check skipped: run scripts/notebook-setup.sh --headless first"
fi
