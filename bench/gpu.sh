#!/usr/bin/env bash
# GPU benchmark: GoMLX (xla:cuda) next to PyTorch (eager, CUDA graph) and JAX on one NVIDIA GPU,
# end-to-end seconds of `fashion train` (40 epochs; 3 seeds; cold and warm autotune cache;
# XLA autotune level 0 against the default) and `fashion sweep -parallel 4` against -parallel 1.
# Writes docs/bench-gpu.json and docs/bench-gpu.md (rewritten after every step, so a run cut
# short keeps what it measured). Every step has a timeout; a failing step is recorded and the
# next one runs. The steps and their order: bench/gpu.py --help.
#
#   bash bench/gpu.sh --data DIR               # all of it, within --budget 420 s
#   bash bench/gpu.sh --out DIR --logs DIR     # elsewhere than docs/ and data/bench-gpu/
#   bash bench/gpu.sh --only throughput,e2e    # some groups: throughput, e2e, seeds, sweep
#   bash scripts/gpu-run.sh --from SITE --bench [-- OPTIONS]   # link the PJRT CUDA plugin first
#
# Options (passed to bench/gpu.py): --data DIR (else $FASHION_MNIST_DIR, data/fashion-mnist,
# /usr/share/datasets/fashion-mnist), --out DIR (default docs/), --logs DIR (default
# data/bench-gpu/), --budget S (420), --step-timeout S, --reps N (2), --epochs N (3),
# --e2e-epochs N (40), --seeds N (3), --only GROUPS, --fashion BIN (bin/fashion),
# --python PY, --sweep-space FILE (bench/gpu-sweep.json), --train-limit N, --dry-run (fake
# steps), --cpu-check (the real programs on the CPU; for checking the script without a GPU).
#
# Needs: an NVIDIA GPU (nvidia-smi), a prebuilt bin/fashion, the PJRT CUDA plugin installed
# (scripts/gpu-run.sh or scripts/cudainstall), python3 with torch and jax for CUDA. No Go, no
# network. Without a GPU it prints one line on standard error and exits 1.
#
# Environment: PYTHON (default python3), GOXLA_DIR (plugin folder, default ~/.local/lib/go-xla),
# XLA_FLAGS (kept; --xla_gpu_autotune_level=0 is added for the level-0 runs only).
set -uo pipefail

me="bench/gpu.sh"
for a in "$@"; do
  case "$a" in
    -h|--help)
      while IFS= read -r line; do
        case "$line" in
          '#!'*) ;;
          '#'*) line="${line#\#}"; echo "${line# }" ;;
          *) break ;;
        esac
      done <"${BASH_SOURCE[0]}"
      exit 0 ;;
    --) break ;;
  esac
done

# The GPU: bash builtins only until here, so this works on any PATH.
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "$me: no NVIDIA GPU (nvidia-smi not found); this benchmark needs one" >&2
  exit 1
fi
to=()
command -v timeout >/dev/null 2>&1 && to=(timeout 30)
gpus="$(${to[@]+"${to[@]}"} nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null)"
rc=$?
if [ "$rc" -eq 124 ]; then
  echo "$me: no usable NVIDIA GPU (nvidia-smi did not answer within 30 s); this benchmark needs one" >&2
  exit 1
elif [ "$rc" -ne 0 ]; then
  echo "$me: no usable NVIDIA GPU (nvidia-smi failed with exit status $rc); this benchmark needs one" >&2
  exit 1
elif [ -z "${gpus//[[:space:]]/}" ]; then
  echo "$me: no NVIDIA GPU (nvidia-smi lists none); this benchmark needs one" >&2
  exit 1
fi

here="${BASH_SOURCE[0]%/*}"
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
cd "$here/.." || exit 1

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || { echo "$me: $python not found (set PYTHON)" >&2; exit 1; }

# As scripts/gpu-run.sh: never download a plugin; a plugin folder that is not a default one is
# named to go-xla's search. The Go program adds the CUDA data dir and the autotune cache to
# XLA_FLAGS itself.
export GOMLX_NO_AUTO_INSTALL="${GOMLX_NO_AUTO_INSTALL:-1}"
if [ -n "${GOXLA_DIR:-}" ]; then
  case ":${PJRT_PLUGIN_LIBRARY_PATH:-}:" in
    *":$GOXLA_DIR:"*) ;;
    *) export PJRT_PLUGIN_LIBRARY_PATH="$GOXLA_DIR:$GOXLA_DIR/nvidia${PJRT_PLUGIN_LIBRARY_PATH:+:$PJRT_PLUGIN_LIBRARY_PATH}" ;;
  esac
fi
echo "$me: GPU: ${gpus//$'\n'/; }"

cmd="${GPU_BENCH_COMMAND:-bash bench/gpu.sh}" # scripts/gpu-run.sh --bench sets its own command line
[ -n "${GPU_BENCH_COMMAND:-}" ] || for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
exec "$python" bench/gpu.py --command "$cmd" "$@"
