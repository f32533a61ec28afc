#!/usr/bin/env python3
"""Runs the Go (GoMLX) and Python (PyTorch, JAX) implementations of the exercise
side by side, alternating, several repetitions, and writes the table.

    python3 bench/run.py                       # 3 repetitions, 3 epochs each
    python3 bench/run.py --reps 5 --epochs 3 --backends go,xla:cpu
    python3 bench/run.py --smoke               # one short repetition (CI-sized)

Needs bench/setup.sh (PyTorch, and JAX where it installs) and, for the XLA
rows, scripts/xla/install-cpu-plugin.sh. Writes docs/bench.json (per
implementation and backend: median and range of train_examples_per_s,
seconds_per_epoch, eval_examples_per_s, peak_rss_mb; the Go/PyTorch ratio of
each repetition's pair) and docs/bench.md. Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
PY = ROOT / "bench" / ".venv" / "bin" / "python"
METRICS = ["train_examples_per_s", "seconds_per_epoch", "eval_examples_per_s", "peak_rss_mb"]


def run(cmd, out):
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    return json.loads(pathlib.Path(out).read_text())


def has_jax():
    return subprocess.run([PY, "-c", "import jax"], capture_output=True).returncode == 0


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--backends", default="go,xla:cpu")
    ap.add_argument("--train-limit", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="1 repetition, 2 epochs on 5000 images")
    ap.add_argument("--json", default=str(ROOT / "docs" / "bench.json"))
    ap.add_argument("--md", default=str(ROOT / "docs" / "bench.md"))
    args = ap.parse_args()
    if args.smoke:
        args.reps, args.epochs, args.train_limit = 1, 2, 5000
    if not PY.exists():
        sys.exit("bench/.venv missing: run bash bench/setup.sh")

    fashion = ROOT / "bin" / "fashion"
    subprocess.run(["go", "build", "-o", str(fashion), "./cmd/fashion"], check=True, cwd=ROOT)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-"))
    peak = run([PY, "bench/peak_flops.py", "--json", tmp / "peak.json"], tmp / "peak.json")

    impls = [("pytorch", "cpu")] + [("gomlx", b) for b in args.backends.split(",")]
    if has_jax():
        impls.append(("jax", "cpu"))
    limit = ["--train-limit", str(args.train_limit)] if args.train_limit else []
    results = {impl: [] for impl in impls}
    for rep in range(args.reps):
        order = impls if rep % 2 == 0 else impls[::-1]  # alternate who runs first
        for impl, backend in order:
            out = tmp / f"{impl}-{backend.replace(':', '_')}-{rep}.json"
            if impl == "pytorch":
                cmd = [PY, "bench/torch_ref.py", "--epochs", str(args.epochs), "--json", out] + limit
            elif impl == "jax":
                cmd = [PY, "bench/jax_ref.py", "--epochs", str(args.epochs), "--json", out] + limit
            else:
                cmd = [fashion, "bench", "-backend", backend, "-epochs", str(args.epochs), "-json", out] + \
                      (["-train-limit", str(args.train_limit)] if args.train_limit else [])
            results[(impl, backend)].append(run(cmd, out))

    rows = []
    torch_runs = results[("pytorch", "cpu")]
    for (impl, backend), runs in results.items():
        row = {"impl": impl, "backend": backend, "version": runs[0].get("version", ""), "runs": len(runs)}
        for m in METRICS:
            vals = [r[m] for r in runs]
            row[m] = statistics.median(vals)
            row[m + "_range"] = [min(vals), max(vals)]
        ratios = [r["train_examples_per_s"] / t["train_examples_per_s"] for r, t in zip(runs, torch_runs)]
        row["train_ratio_to_pytorch"] = statistics.median(ratios)
        row["train_ratio_to_pytorch_range"] = [min(ratios), max(ratios)]
        # FLOPs per training example (batch 128) over the CPU's float32 matmul peak.
        row["train_gflops"] = row["train_examples_per_s"] * 451776 / 1e9
        row["percent_of_peak"] = 100 * row["train_gflops"] / peak["peak_matmul_gflops"]
        rows.append(row)

    doc = {
        "command": "python3 bench/run.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "cpu_model": cpu_model(), "cores": os.cpu_count(),
        "epochs": args.epochs, "reps": args.reps, "train_limit": args.train_limit,
        "peak_matmul_gflops": peak["peak_matmul_gflops"],
        "flops_per_train_example": 451776,
        "results": rows,
    }
    pathlib.Path(args.json).write_text(json.dumps(doc, indent=2) + "\n")

    lines = [
        "# Speed: GoMLX next to PyTorch (and JAX) on the CPU", "",
        f"Made by `{doc['command']}` on {doc['date']}: {doc['cpu_model']}, {doc['cores']} cores; "
        f"{args.reps} alternating repetitions of {args.epochs} epochs"
        + (f" on {args.train_limit} images" if args.train_limit else "") + ", median [range].",
        "The exercise's configuration (MLP 784-120-72-48-10, batch 128, RMSprop). Training rates leave out "
        "validation and the first epoch's compilation; evaluation is the 10,000 test images, best of 5.",
        f"Peak: a 2048×2048 float32 matmul runs at {peak['peak_matmul_gflops']:.0f} GFLOP/s here; "
        "a training example costs 451,776 FLOPs. Where the time goes, and the targets: docs/performance.md.", "",
        "| implementation | backend | train examples/s | s/epoch | eval examples/s | peak RSS MB | ratio to PyTorch | % of matmul peak |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        rng = lambda m, f: f"{format(r[m], f)} [{format(r[m + '_range'][0], f)}–{format(r[m + '_range'][1], f)}]"
        lines.append(f"| {r['impl']} {r['version']} | {r['backend'].split(',')[0] if not r['backend'].startswith('xla:/') else 'xla:cpu'} | "
                     f"{rng('train_examples_per_s', ',.0f')} | {rng('seconds_per_epoch', '.2f')} | "
                     f"{rng('eval_examples_per_s', ',.0f')} | {r['peak_rss_mb']:.0f} | "
                     f"{r['train_ratio_to_pytorch']:.2f}× | {r['percent_of_peak']:.1f}% |")
    pathlib.Path(args.md).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
