#!/usr/bin/env bash
# Trains the exercise's baseline on an NVIDIA GPU with GoMLX's XLA CUDA backend,
# in one go. It checks the GPU, installs the PJRT CUDA plugin (idempotent),
# trains 40 epochs on xla:cuda, saves data/gpu-baseline.json, and prints
# seconds per epoch and test accuracy. Where there is no GPU it exits with
# status 1 and a message.
#
#   bash scripts/gpu-run.sh                 # plugin (if missing) + 40 epochs on xla:cuda
#   bash scripts/gpu-run.sh --compare 2     # also 2 epochs on xla:cpu and on go, for s/epoch
#   bash scripts/gpu-run.sh --epochs 5      # a shorter run (same output file)
#   bash scripts/gpu-run.sh --from SITE     # offline: link a pip-installed jax-cuda13-pjrt
#                                           # (SITE: the site-packages holding jax_plugins/ and nvidia/)
#   bash scripts/gpu-run.sh --data DIR      # the four Fashion-MNIST .gz files are in DIR
#   bash scripts/gpu-run.sh --from SITE --bench [-- OPTIONS]
#                                           # instead of training: the GPU benchmark, bench/gpu.sh
#                                           # (docs/bench-gpu.{json,md}; OPTIONS go to it, e.g. --out DIR)
#
# The plugin goes to ~/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so (or
# $GOXLA_DIR/nvidia), through scripts/cudainstall:
#   1. if it is already installed, it is kept;
#   2. with --from SITE, SITE is linked (no network);
#   3. otherwise go-xla v0.1.4's installer (go.mod's) downloads jax-cuda13-pjrt
#      0.11.2 and the NVIDIA wheels from PyPI (about 4 GB);
#   4. if that fails (no network), a python3 whose site-packages holds
#      jax-cuda13-pjrt and the nvidia-* wheels is linked instead.
# Go 1.26 builds bin/fashion and bin/cudainstall. Where Go is missing, prebuilt
# ones are used: go build -o bin/ ./cmd/fashion ./scripts/cudainstall
#
# Environment: GOXLA_DIR (default ~/.local/lib/go-xla), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "gpu-run: $*" >&2; exit 1; }
note() { echo "gpu-run: $*"; }

epochs=40
compare=0
from=""
data=""
bench=0
bench_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) [ $# -ge 2 ] || die "--epochs needs a number"; epochs="$2"; shift ;;
    --compare) [ $# -ge 2 ] || die "--compare needs a number of epochs"; compare="$2"; shift ;;
    --from) [ $# -ge 2 ] || die "--from needs a site-packages directory"; from="$2"; shift ;;
    --data) [ $# -ge 2 ] || die "--data needs a directory"; data="$2"; shift ;;
    --bench) bench=1 ;;
    --) shift; bench_args=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-run: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$epochs$compare" in *[!0-9]*) die "--epochs and --compare take whole numbers" ;; esac
[ "$epochs" -ge 1 ] || die "--epochs must be at least 1"
[ "${#bench_args[@]}" -eq 0 ] || [ "$bench" = 1 ] || die "options after -- are for --bench"
if [ -n "$data" ]; then
  [ -d "$data" ] || die "--data $data: not a directory"
  export FASHION_MNIST_DIR="$(cd "$data" && pwd)"
fi

# 1. The GPU.
command -v nvidia-smi >/dev/null 2>&1 ||
  die "no nvidia-smi: this script needs an NVIDIA GPU and its driver (on a CPU machine use: go run ./cmd/fashion train)"
gpus="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null)" ||
  die "nvidia-smi failed: no usable NVIDIA GPU"
[ -n "$gpus" ] || die "nvidia-smi lists no GPU"
note "GPU: $gpus"
[ -e /dev/nvidia0 ] ||
  note "warning: /dev/nvidia0 is missing, so backend \"auto\" would not pick CUDA; this run asks for xla:cuda explicitly"

# 2. The programs.
mkdir -p bin data
if command -v go >/dev/null 2>&1; then
  note "$(go version)"
  go build -o bin/fashion ./cmd/fashion
  go build -o bin/cudainstall ./scripts/cudainstall
elif [ -x bin/fashion ] && [ -x bin/cudainstall ]; then
  note "no Go toolchain: using the prebuilt bin/fashion and bin/cudainstall"
else
  die "needs Go 1.26 (or prebuilt bin/fashion and bin/cudainstall: go build -o bin/ ./cmd/fashion ./scripts/cudainstall)"
fi

# 3. The PJRT CUDA plugin.
goxla="${GOXLA_DIR:-$HOME/.local/lib/go-xla}"
python="${PYTHON:-python3}"
local_site() { # the site-packages of a pip-installed jax-cuda13-pjrt with the nvidia wheels, or nothing
  command -v "$python" >/dev/null 2>&1 || return 0
  "$python" - <<'EOF' 2>/dev/null || true
import importlib.util, os
spec = importlib.util.find_spec("jax_plugins.xla_cuda13")
if spec and spec.submodule_search_locations:
    site = os.path.dirname(os.path.dirname(list(spec.submodule_search_locations)[0]))
    if os.path.isfile(os.path.join(site, "jax_plugins", "xla_cuda13", "xla_cuda_plugin.so")) and os.path.isdir(os.path.join(site, "nvidia")):
        print(site)
EOF
}
if bin/cudainstall -dir "$goxla" -check; then
  :
elif [ -n "$from" ]; then
  bin/cudainstall -dir "$goxla" -from "$from"
elif bin/cudainstall -dir "$goxla"; then
  :
else
  site="$(local_site)"
  [ -n "$site" ] || die "could not install the PJRT CUDA plugin: go-xla's installer failed (above) and no local jax-cuda13-pjrt was found (pass --from SITE)"
  note "go-xla's installer failed; linking the pip-installed plugin in $site"
  bin/cudainstall -dir "$goxla" -from "$site"
fi

# 4. The environment GoMLX reads when it starts.
export GOMLX_NO_AUTO_INSTALL=1
case " ${XLA_FLAGS:-} " in
  *--xla_gpu_cuda_data_dir=*) ;;
  *) export XLA_FLAGS="${XLA_FLAGS:+$XLA_FLAGS }--xla_gpu_cuda_data_dir=$goxla/nvidia" ;;
esac
if [ -n "${GOXLA_DIR:-}" ]; then
  # Not a default location: point go-xla's search (and the fashion package's) at it.
  export PJRT_PLUGIN_LIBRARY_PATH="$goxla:$goxla/nvidia${PJRT_PLUGIN_LIBRARY_PATH:+:$PJRT_PLUGIN_LIBRARY_PATH}"
  note "PJRT_PLUGIN_LIBRARY_PATH=$PJRT_PLUGIN_LIBRARY_PATH"
fi
note "GOMLX_NO_AUTO_INSTALL=1 XLA_FLAGS=$XLA_FLAGS"
for d in "${FASHION_MNIST_DIR:-}" data/fashion-mnist /usr/share/datasets/fashion-mnist; do
  [ -n "$d" ] && [ -d "$d" ] && { note "data: $d"; break; }
done

if [ "$bench" = 1 ]; then
  # The benchmark instead of the baseline training; it finds the data through FASHION_MNIST_DIR.
  cmd="bash scripts/gpu-run.sh"
  [ -n "$from" ] && cmd+=" --from $(printf '%q' "$from")"
  [ -n "$data" ] && cmd+=" --data $(printf '%q' "$data")"
  cmd+=" --bench"
  [ "${#bench_args[@]}" -gt 0 ] && cmd+=" --$(printf ' %q' "${bench_args[@]}")"
  note "bench/gpu.sh ${bench_args[*]:-}"
  GPU_BENCH_COMMAND="$cmd" exec bash bench/gpu.sh ${bench_args[@]+"${bench_args[@]}"}
fi

# 5. Training. summary LABEL LOG prints the seconds per epoch and test accuracy
# of the "Test: ..." line that "fashion train" ends with.
summaries=()
summary() {
  local line acc spe
  line="$(grep '^Test:' "$2" | tail -1)"
  acc="$(sed -n 's/.*accuracy \([0-9.]*\)%.*/\1/p' <<<"$line")"
  spe="$(sed -n 's/.*; \([0-9.]*\) s\/epoca.*/\1/p' <<<"$line")"
  if [ -n "$acc" ] && [ -n "$spe" ]; then
    summaries+=("$(printf '%-9s %3s epochs: %8s s/epoch, test accuracy %s%%' "$1" "$3" "$spe" "$acc")")
  else
    summaries+=("$1: $line")
  fi
}
train() { # BACKEND EPOCHS OUT
  local log="${3%.json}.log"
  note "fashion train -backend $1 -epochs $2 -out $3   (as: go run ./cmd/fashion train ...; log: $log)"
  bin/fashion train -backend "$1" -epochs "$2" -quiet -force -out "$3" 2>&1 | tee "$log"
  summary "$1" "$log" "$2"
}

train xla:cuda "$epochs" data/gpu-baseline.json
bin/fashion compare data/gpu-baseline.json

if [ "$compare" -gt 0 ]; then
  if bash scripts/xla/install-cpu-plugin.sh --check >/dev/null 2>&1 || bash scripts/xla/install-cpu-plugin.sh; then
    train xla:cpu "$compare" data/gpu-compare-xla-cpu.json
  else
    summaries+=("xla:cpu: skipped (the CPU plugin could not be installed)")
  fi
  train go "$compare" data/gpu-compare-go.json
fi

echo
echo "== gpu-run summary ($gpus) =="
printf '%s\n' "${summaries[@]}"
