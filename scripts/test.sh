#!/usr/bin/env bash
# The project's tests: go vet, the Go tests, then the notebook executed
# headless in quick mode (FASHION_QUICK=1), failing on any error, panic or
# non-zero exit in its outputs. The notebook step needs
# scripts/notebook-setup.sh --headless (CI runs it); without it, it is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

go vet ./...
go test ./...

export PATH="$(go env GOPATH)/bin:$PATH"
if [ -x .venv/bin/python ] && command -v gonb >/dev/null && command -v goimports >/dev/null; then
  runs="$(mktemp -d)"
  trap 'rm -rf "$runs"' EXIT
  FASHION_QUICK=1 FASHION_RUNS_DIR="$runs" \
    .venv/bin/python notebooks/run_notebook.py notebooks/fashion.ipynb --out "$runs/executed.ipynb"
else
  echo "notebook check skipped: run scripts/notebook-setup.sh --headless first"
fi
