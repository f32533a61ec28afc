#!/usr/bin/env bash
# Creates bench/.venv (git-ignored) with CPU-only PyTorch, numpy, psutil and, optionally, JAX.
# Idempotent: re-running only checks what is already there.
#
#   bash bench/setup.sh                     # torch + JAX
#   BENCH_NO_JAX=1 bash bench/setup.sh      # torch only
#   BENCH_TORCH_CUDA=full bash bench/setup.sh   # real nvidia-* wheels (~2.5 GB) instead of stubs
#   PYTHON=python3.11 bash bench/setup.sh   # choose the interpreter (default: python3)
#
# Why torch needs care: PyPI has no CPU-only torch wheel for Linux x86_64 (the CPU wheels live on
# download.pytorch.org, which is not reachable here). The PyPI wheel is the CUDA build and
# depends on ~2.5 GB of nvidia-*/cuda-*/triton wheels. We install it with --no-deps, add its
# pure-Python dependencies, and generate small stand-ins for the CUDA shared libraries it is
# linked against (bench/cuda_stubs.py, needs gcc + readelf). torch then imports and runs on the
# CPU (MKL, oneDNN, OpenMP) and torch.cuda.is_available() is False.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$BENCH_DIR/.venv"
PY="$VENV/bin/python"
PYTHON="${PYTHON:-python3}"
PIP=("$PY" -m pip --disable-pip-version-check)

log() { echo "[bench/setup] $*"; }

if [[ ! -x "$PY" ]]; then
  log "creating $VENV with $($PYTHON --version 2>&1)"
  "$PYTHON" -m venv "$VENV"
fi

log "pinned dependencies (requirements.txt)"
"${PIP[@]}" install -q -r "$BENCH_DIR/requirements.txt"

TORCH_PIN="$(grep -E '^torch==' "$BENCH_DIR/requirements-torch.txt" | head -1)"
TORCH_VER="${TORCH_PIN#torch==}"

torch_ok() {
  "$PY" - "$TORCH_VER" <<'PYEOF' >/dev/null 2>&1
import sys, torch
assert torch.__version__.split("+")[0] == sys.argv[1], torch.__version__
a = torch.ones(64, 64)
assert float((a @ a).sum()) == 64 ** 3
PYEOF
}

installed_torch="$("$PY" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true)"
if [[ "$installed_torch" != "$TORCH_VER" ]]; then
  if [[ "${BENCH_TORCH_CUDA:-stub}" == "full" ]]; then
    log "installing $TORCH_PIN with all its CUDA dependencies (~3 GB download)"
    "${PIP[@]}" install -q "$TORCH_PIN"
  else
    log "installing $TORCH_PIN --no-deps (539 MB wheel; its nvidia-*/triton deps are skipped)"
    "${PIP[@]}" install -q --no-deps -r "$BENCH_DIR/requirements-torch.txt"
  fi
fi

if ! torch_ok; then
  if ! command -v gcc >/dev/null || ! command -v readelf >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      log "installing gcc and binutils (needed to build the CUDA stand-in libraries)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc binutils >/dev/null
    else
      log "ERROR: gcc and readelf are needed for bench/cuda_stubs.py (or use BENCH_TORCH_CUDA=full)"; exit 1
    fi
  fi
  log "building CPU-only stand-ins for torch's CUDA libraries (bench/cuda_stubs.py)"
  "$PY" "$BENCH_DIR/cuda_stubs.py"
fi
torch_ok || { log "ERROR: torch does not import / run; see: $PY -c 'import torch'"; exit 1; }

if [[ "${BENCH_NO_JAX:-0}" != "1" ]]; then
  log "JAX (CPU) + optax (requirements-jax.txt)"
  if ! "${PIP[@]}" install -q -r "$BENCH_DIR/requirements-jax.txt"; then
    log "WARNING: JAX did not install; bench/jax_ref.py will be unavailable"
  fi
fi

log "check:"
"$PY" - <<'PYEOF'
import time, torch
a = torch.randn(1024, 1024)
t = time.perf_counter(); b = a @ a; dt = time.perf_counter() - t
print(f"  torch {torch.__version__}, threads {torch.get_num_threads()}, cuda available: {torch.cuda.is_available()}, "
      f"1024^2 matmul ok ({b.shape[0]}x{b.shape[1]}, {dt*1e3:.1f} ms)")
import numpy, psutil
print(f"  numpy {numpy.__version__}, psutil {psutil.__version__}")
try:
    import jax, jax.numpy as jnp
    x = jnp.ones((256, 256))
    print(f"  jax {jax.__version__} on {jax.devices()}, matmul ok ({float((x @ x)[0, 0]):.0f})")
except ImportError:
    print("  jax: not installed")
PYEOF
log "done: $VENV ($(du -sh "$VENV" 2>/dev/null | cut -f1))"
