#!/usr/bin/env bash
# Installs an XLA PJRT CPU plugin from PyPI into <repo>/.xla/ for GoMLX's "xla" backend.
#
# GoMLX v0.26.0 / go-xla v0.1.4 would otherwise auto-install the CPU plugin from
# GitHub (gomlx/pjrt-cpu-binaries v0.83.3), and GitHub can't be reached from our
# machines. PyPI can. See docs/xla-notes.md for the details and the test results.
#
# Usage:
#   scripts/xla/install-cpu-plugin.sh [--plugin lammps|openxla]   install (idempotent) and select
#   scripts/xla/install-cpu-plugin.sh --check                      exit 0 if installed (no network)
#   scripts/xla/install-cpu-plugin.sh --print-env                  print the exports (no network)
#
# Then select it (the env vars must be set before the Go program starts):
#   eval "$(scripts/xla/install-cpu-plugin.sh --print-env)"
#   GOMLX_BACKEND=xla:cpu go run ./...
# or, with no other environment variable, GOMLX_BACKEND="xla:$PWD/.xla/lib/pjrt_c_api_cpu_plugin.so,shared_buffers"
#
# Plugins (both pinned by wheel and .so SHA-256; both pass go-xla's and GoMLX's test suites):
#   lammps  (default) lammps-jax-pjrt-cpu==0.11.2: XLA CPU plugin built from jaxlib 0.11.2's XLA,
#                     PJRT C API v0.115. Fast (Eigen/threaded matmuls).
#   openxla           xla-cpu-pjrt==0.0.1 ("The OpenXLA Authors", 2025-11): PJRT C API v0.81.
#                     Works, but matmuls are 5-25x slower; keep it as a fallback only.
#
# Environment: XLA_DIR (default <repo>/.xla), PYTHON (default python3).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
XLA_DIR="${XLA_DIR:-$REPO_ROOT/.xla}"
PYTHON="${PYTHON:-python3}"
LIB_DIR="$XLA_DIR/lib"
PLUGIN_LINK="$LIB_DIR/pjrt_c_api_cpu_plugin.so" # go-xla only finds names like pjrt_c_api_<name>_plugin.so

die() { echo "install-cpu-plugin: $*" >&2; exit 1; }

# select_plugin sets the pins of the named plugin.
select_plugin() {
  case "$1" in
    lammps)
      PKG=lammps-jax-pjrt-cpu VERSION=0.11.2
      WHEEL=lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl
      WHEEL_SHA256=1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1
      MEMBER=lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so
      SO_SHA256=ad1309ac822b1b24d51b7f9947c7c9fa9ef5d67f390584cbc3d1fa2428fed9c2
      ;;
    openxla)
      PKG=xla-cpu-pjrt VERSION=0.0.1
      WHEEL=xla_cpu_pjrt-0.0.1-py3-none-manylinux_2_27_x86_64.whl
      WHEEL_SHA256=55837b6b7b47daa717f2d9a5a03563ea0ceaa338d06a81a1e2d3f060d960decc
      MEMBER=xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so
      SO_SHA256=88c3f28c5900f48ad4a82cab9e79bba9537809743395e341485f8794268820dc
      ;;
    *) die "unknown plugin \"$1\" (want lammps or openxla)" ;;
  esac
  PLUGIN_DIR="$XLA_DIR/plugins/$PKG-$VERSION"
  PLUGIN_SO="$PLUGIN_DIR/pjrt_c_api_cpu_plugin.so"
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }

print_env() {
  echo "export PJRT_PLUGIN_LIBRARY_PATH=\"$LIB_DIR\""
  echo "export GOMLX_NO_AUTO_INSTALL=1"
}

# check: the selected plugin is in place, with one of the pinned hashes. No network.
check() {
  [[ -e "$PLUGIN_LINK" ]] || { echo "not installed: $PLUGIN_LINK missing" >&2; return 1; }
  local got name
  got="$(sha256 "$PLUGIN_LINK")"
  for name in lammps openxla; do
    select_plugin "$name"
    if [[ "$got" == "$SO_SHA256" ]]; then
      echo "installed: $PLUGIN_LINK -> $(readlink -f "$PLUGIN_LINK") ($PKG==$VERSION)"
      return 0
    fi
  done
  echo "unexpected plugin at $PLUGIN_LINK (sha256 $got)" >&2
  return 1
}

download_wheel() { # into $1
  local dest="$1"
  if "$PYTHON" -m pip --version >/dev/null 2>&1; then
    local req="$dest/requirements.txt"
    echo "$PKG==$VERSION --hash=sha256:$WHEEL_SHA256" >"$req"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: \
      --platform manylinux_2_27_x86_64 --require-hashes -r "$req" -d "$dest"
  else
    command -v curl >/dev/null || die "need pip ($PYTHON -m pip) or curl"
    local url
    url="$(curl -fsSL "https://pypi.org/pypi/$PKG/$VERSION/json" |
      "$PYTHON" -c 'import json,sys; print([u["url"] for u in json.load(sys.stdin)["urls"] if u["filename"]==sys.argv[1]][0])' "$WHEEL")"
    curl -fsSL -o "$dest/$WHEEL" "$url"
  fi
  [[ -f "$dest/$WHEEL" ]] || die "download did not produce $dest/$WHEEL"
  [[ "$(sha256 "$dest/$WHEEL")" == "$WHEEL_SHA256" ]] || die "sha256 mismatch for $WHEEL"
}

install() {
  if [[ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]]; then
    die "only linux/x86_64 wheels are pinned here (got $(uname -s)/$(uname -m))"
  fi
  if [[ -f "$PLUGIN_SO" && "$(sha256 "$PLUGIN_SO")" == "$SO_SHA256" ]]; then
    echo "already present: $PLUGIN_SO ($PKG==$VERSION)"
  else
    mkdir -p "$XLA_DIR"
    local tmp
    tmp="$(mktemp -d "$XLA_DIR/tmp.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    echo "downloading $PKG==$VERSION from PyPI ..."
    download_wheel "$tmp"
    "$PYTHON" - "$tmp/$WHEEL" "$MEMBER" "$tmp/plugin.so" <<'EOF'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
EOF
    [[ "$(sha256 "$tmp/plugin.so")" == "$SO_SHA256" ]] || die "sha256 mismatch for $MEMBER in $WHEEL"
    chmod 0755 "$tmp/plugin.so"
    mkdir -p "$PLUGIN_DIR"
    mv -f "$tmp/plugin.so" "$PLUGIN_SO"
    rm -rf "$tmp"
    trap - EXIT
    echo "installed $PLUGIN_SO"
  fi
  mkdir -p "$LIB_DIR"
  ln -sfn "../plugins/$PKG-$VERSION/pjrt_c_api_cpu_plugin.so" "$PLUGIN_LINK"
  print_env >"$XLA_DIR/env.sh"
  echo "selected: $PLUGIN_LINK -> plugins/$PKG-$VERSION/pjrt_c_api_cpu_plugin.so"
  echo
  echo "To use it (set before the Go program starts):"
  echo "  source $XLA_DIR/env.sh   # PJRT_PLUGIN_LIBRARY_PATH=$LIB_DIR GOMLX_NO_AUTO_INSTALL=1"
  echo "  export GOMLX_BACKEND=xla:cpu"
  echo "or, with no other variable:"
  echo "  export GOMLX_BACKEND=\"xla:$PLUGIN_LINK,shared_buffers\""
}

MODE=install
PLUGIN=lammps
while [[ $# -gt 0 ]]; do
  case "$1" in
    --plugin) [[ $# -ge 2 ]] || die "--plugin needs a value"; PLUGIN="$2"; shift 2 ;;
    --plugin=*) PLUGIN="${1#--plugin=}"; shift ;;
    --check) MODE=check; shift ;;
    --print-env) MODE=print-env; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \"$1\" (see --help)" ;;
  esac
done

case "$MODE" in
  check) check ;;
  print-env) print_env ;;
  install) select_plugin "$PLUGIN"; install ;;
esac
