#!/usr/bin/env bash
# Installs what the notebook needs: goimports and GoNB (built from inside this
# module, so go.mod's pinned v0.11.1 is used), the GoNB Jupyter kernel, and a
# Python virtual environment .venv with JupyterLab (or, with --headless, only
# what executes notebooks: nbclient).
#
#   bash scripts/notebook-setup.sh              # then: .venv/bin/jupyter lab notebooks/fashion.ipynb
#   bash scripts/notebook-setup.sh --headless   # CI: no JupyterLab
set -euo pipefail
cd "$(dirname "$0")/.."

headless=0
[ "${1:-}" = "--headless" ] && headless=1

gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"
# goimports: GoNB runs it on every cell. Built outside the module (it is not a
# dependency of ours), at the version known to build with Go 1.26 here.
command -v goimports >/dev/null || (cd /tmp && GOFLAGS=-mod=mod go install golang.org/x/tools/cmd/goimports@v0.42.0)
# GoNB: "go install pkg@version" needs the proxy's version list, which some
# proxies refuse; inside the module the version comes from go.mod.
go install github.com/janpfeifer/gonb

if ! python3 -m venv .venv 2>/dev/null; then
  # Debian's python3 ships venv separately.
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
  python3 -m venv .venv
fi
if [ "$headless" = 1 ]; then
  .venv/bin/pip install -q -r notebooks/requirements-headless.txt
else
  .venv/bin/pip install -q -r notebooks/requirements.txt
fi
# Registers the kernel for this user, pointing at the gonb binary.
PATH="$PWD/.venv/bin:$PATH" gonb --install --force_deps --logtostderr=false
# GoNB runs goimports (and go) from PATH: put Go's bin directories in the
# kernel's environment, so JupyterLab works without changing the user's PATH.
kernel="$(.venv/bin/jupyter --data-dir)/kernels/gonb/kernel.json"
.venv/bin/python - "$kernel" "$gobin:$(dirname "$(command -v go)")" <<'PY'
import json, sys
path, dirs = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec.setdefault("env", {})["PATH"] = dirs + ":${PATH}"  # jupyter_client expands ${PATH}
json.dump(spec, open(path, "w"))
PY
echo "GoNB kernel installed; goimports and gonb are in $gobin (add it to PATH)."
