"""Shared fixtures of the Python tests under sweeps/.

The tests drive the Go command (bin/fashion, built by scripts/test.sh; built
here if missing) on tiny trials of the real data, which they skip without.
"""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = pathlib.Path(os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))

# A trial that trains in about a second on the pure-Go backend.
TINY = ["-backend", "go", "-hidden", "16", "-train-limit", "600", "-quiet"]


@pytest.fixture(scope="session")
def fashion_bin():
    if not DATA.is_dir():
        pytest.skip(f"Fashion-MNIST not installed in {DATA}")
    exe = ROOT / "bin" / "fashion"
    if not exe.exists():
        if shutil.which("go") is None:
            pytest.skip("bin/fashion missing and no go to build it")
        subprocess.run(["go", "build", "-o", str(exe), "./cmd/fashion"], cwd=ROOT, check=True)
    return exe
