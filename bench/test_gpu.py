"""Tests of bench/gpu.sh and bench/gpu.py that need no GPU.

    sweeps/.venv/bin/python -m pytest bench/test_gpu.py -q

Without a usable GPU the script must say so in one line on standard error and exit 1; with a
(fake) GPU, --dry-run runs fake steps through the whole flow and writes the JSON and the
Markdown; failing and hanging steps are recorded and the run goes on.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
GPU_SH = ROOT / "bench" / "gpu.sh"
BASH = "/bin/bash"


def run_sh(args, path, env_extra=None, timeout=120):
    env = {"PATH": path, "HOME": os.environ.get("HOME", "/tmp")}
    env.update(env_extra or {})
    return subprocess.run([BASH, str(GPU_SH), *args], capture_output=True, text=True, env=env, timeout=timeout)


def fake_smi(tmp_path, body):
    d = tmp_path / "fakebin"
    d.mkdir(exist_ok=True)
    smi = d / "nvidia-smi"
    smi.write_text("#!/bin/sh\n" + body + "\n")
    smi.chmod(0o755)
    return d


def assert_one_line_exit_1(r):
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("bench/gpu.sh: no ") and "NVIDIA GPU" in lines[0], lines[0]
    assert r.stdout == ""


def test_no_nvidia_smi(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_sh(["--data", "/nowhere"], str(empty))
    assert_one_line_exit_1(r)
    assert "nvidia-smi not found" in r.stderr


def test_nvidia_smi_fails(tmp_path):
    d = fake_smi(tmp_path, 'echo "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver." >&2\nexit 9')
    r = run_sh([], f"{d}:/usr/bin:/bin")  # the fake comes first, whatever the machine has
    assert_one_line_exit_1(r)
    assert "exit status 9" in r.stderr


def test_nvidia_smi_fails_without_coreutils(tmp_path):
    d = fake_smi(tmp_path, "exit 6")
    r = run_sh([], str(d))  # no `timeout` on PATH either
    assert_one_line_exit_1(r)


def test_nvidia_smi_lists_no_gpu(tmp_path):
    d = fake_smi(tmp_path, "exit 0")
    r = run_sh([], f"{d}:/usr/bin:/bin")
    assert_one_line_exit_1(r)
    assert "lists none" in r.stderr


def test_help_needs_no_gpu(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_sh(["--help"], str(empty))
    assert r.returncode == 0, r.stderr
    assert "docs/bench-gpu.json" in r.stdout and "--data DIR" in r.stdout


def dry_run(tmp_path, extra_args=(), env_extra=None):
    d = fake_smi(tmp_path, 'echo "NVIDIA H200, 570.00, 143771 MiB"')
    out = tmp_path / "out"
    env = {"PYTHON": sys.executable}
    env.update(env_extra or {})
    r = run_sh(["--dry-run", "--out", str(out), *extra_args], f"{d}:/usr/bin:/bin", env)
    doc = json.loads((out / "bench-gpu.json").read_text())
    md = (out / "bench-gpu.md").read_text()
    return r, doc, md


def test_dry_run_whole_flow(tmp_path):
    r, doc, md = dry_run(tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert doc["dry_run"] and doc["finished"] and doc["errors"] == []
    assert doc["command"].startswith("bash bench/gpu.sh --dry-run")
    names = [s["name"] for s in doc["steps"]]
    # ABAB: the implementations alternate; cold before warm, default and level 0 alternate
    assert names[:4] == ["throughput-1-gomlx", "throughput-1-pytorch-eager", "throughput-1-pytorch-cudagraph",
                         "throughput-1-jax"]
    assert names[4:8] == ["e2e-40ep-default-cold", "e2e-40ep-autotune0-cold", "e2e-40ep-default-warm",
                          "e2e-40ep-autotune0-warm"]
    assert names[8:12] == [n.replace("-1-", "-2-") for n in names[:4]]
    assert names[12:] == ["e2e-seeds3-cold", "e2e-seeds3-warm", "sweep-parallel4", "sweep-parallel1"]
    steps = {s["name"]: s for s in doc["steps"]}
    assert steps["e2e-40ep-autotune0-cold"]["env"]["XLA_FLAGS"].endswith("--xla_gpu_autotune_level=0")
    assert "-force" in steps["e2e-40ep-default-warm"]["command"]
    assert "-force" not in steps["e2e-40ep-default-cold"]["command"]
    assert "-seeds 3" in steps["e2e-seeds3-cold"]["command"]
    s = doc["summary"]
    assert set(s["ratios"]) == {"gomlx/pytorch-cudagraph", "gomlx/jax", "gomlx/pytorch-eager"}
    assert s["sweep"]["throughput_ratio_parallel4_to_1"] > 0
    assert "DRY RUN" in md and "GoMLX / PyTorch CUDA graph" in md and "| 3 seeds × 40 epochs" in md
    assert "Throughput of -parallel 4 over -parallel 1" in md


def test_dry_run_failures_are_recorded(tmp_path):
    env = {"GPU_BENCH_FAKE_FAIL": "pytorch-cudagraph,sweep-parallel1",
           "GPU_BENCH_FAKE_SLEEP": "e2e-40ep-default-cold=60"}
    r, doc, md = dry_run(tmp_path, ["--step-timeout", "2", "--only", "throughput,e2e,sweep", "--reps", "1"], env)
    assert r.returncode == 3, r.stdout + r.stderr
    assert doc["finished"]
    status = {s["name"]: s["status"] for s in doc["steps"]}
    assert status["throughput-1-pytorch-cudagraph"] == "error"
    assert status["e2e-40ep-default-cold"] == "timeout"
    assert status["e2e-40ep-default-warm"] == "ok"  # the run went on
    assert status["sweep-parallel1"] == "error" and status["sweep-parallel4"] == "ok"
    assert "e2e-seeds3-cold" not in status
    assert len(doc["errors"]) == 3
    failed = next(s for s in doc["steps"] if s["name"] == "throughput-1-pytorch-cudagraph")
    assert "fake failure" in failed["output_tail"]
    assert "## Errors and skipped steps" in md and "timed out after 2 s" in md
    assert "gomlx/pytorch-cudagraph" not in doc["summary"]["ratios"]


def test_budget_skips_steps(tmp_path):
    r, doc, _ = dry_run(tmp_path, ["--budget", "1", "--only", "e2e"])
    assert r.returncode == 3
    assert {s["status"] for s in doc["steps"]} == {"skipped"}


@pytest.mark.parametrize("bad", [["--only", "nope"], ["--reps", "-1"], ["--bogus"]])
def test_bad_arguments(bad):
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu.py"), "--dry-run", *bad],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr


def test_memory_sampler_reads_nvidia_smi(tmp_path, monkeypatch):
    import importlib.util
    import time

    spec = importlib.util.spec_from_file_location("gpu_bench", ROOT / "bench" / "gpu.py")
    gpu = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu)
    d = fake_smi(tmp_path, 'echo "1234, 56"\necho "2048, 10"')  # two GPUs: the highest of each is kept
    monkeypatch.setenv("PATH", f"{d}:{os.environ['PATH']}")
    monkeypatch.setattr(gpu.MemorySampler, "INTERVAL", 0.05)
    s = gpu.MemorySampler()
    t0 = time.time()
    s.start()
    time.sleep(0.5)
    s.stop()
    w = s.window(t0, time.time())
    assert w["gpu_mem_peak_mib"] == 2048 and w["gpu_samples"] >= 2 and w["gpu_util_mean_pct"] == 56
    assert s.window(0, 1) == {}
