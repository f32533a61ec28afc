#!/usr/bin/env bash
# Creates sweeps/.venv (git-ignored) with the pinned Python packages of the
# Ray Tune driver and of the Python tests (TensorBoard read-back, Ray test).
#
#   bash sweeps/setup.sh          # idempotent: reuses the venv if the pins match
#
# Pins: change them here only, together, after running the tests.
set -euo pipefail
cd "$(dirname "$0")"

pins=(
  "ray[tune]==2.60.0"
  "optuna==4.6.0"
  "tensorboard==2.21.0"
  "pytest==9.0.2"
  "psutil==7.1.3"
)

stamp=.venv/.pins
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${pins[*]}" ]; then
  echo "sweeps/.venv is up to date"
  exit 0
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check "${pins[@]}"
echo "${pins[*]}" > "$stamp"
.venv/bin/python -c 'import ray, optuna, tensorboard, pytest, psutil; print("sweeps/.venv: ray", ray.__version__, "optuna", optuna.__version__, "tensorboard", tensorboard.__version__)'
