#!/usr/bin/env python3
"""Prints a Markdown table from benchmark JSON files (torch_ref.py, jax_ref.py, or any program
that writes the same keys: impl, version, threads, train_examples_per_s, seconds_per_epoch,
eval_examples_per_s, peak_rss_mb, history[-1].val_accuracy).

  python3 bench/compare.py results/torch.json results/jax.json results/go.json [--peak results/peak.json]

--peak takes peak_flops.py's JSON (or any result with a "peak" entry is used): the
"% of peak" column is the training matmul GFLOP/s over the CPU's float32 matmul GFLOP/s.
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def flops_per_example(batch: int) -> float:
    from common import flops_per_train_step  # numpy is imported there; fall back if absent

    return flops_per_train_step(batch)["flops_per_example"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--peak", help="peak_flops.py --json output")
    args = ap.parse_args()
    results = [json.load(open(f)) for f in args.files]
    peak = None
    if args.peak:
        peak = json.load(open(args.peak))["peak_matmul_gflops"]
    else:
        for r in results:
            if isinstance(r.get("peak"), dict):
                peak = r["peak"]["peak_matmul_gflops"]
    try:
        fpe = flops_per_example(128)
    except ImportError:
        fpe = 451776.0  # 784-120-72-48-10, batch 128
    cols = ["impl", "version", "threads", "train ex/s", "train GFLOP/s", "s/epoch", "eval ex/s",
            "peak RSS MB", "final val acc"]
    if peak:
        cols.insert(5, f"% of peak ({peak:.0f} GFLOP/s)")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in results:
        bs = r.get("batch_size", 128)
        g = r["train_examples_per_s"] * (fpe if bs == 128 else flops_per_example(bs)) / 1e9
        hist = r.get("history") or [{}]
        row = [r.get("impl", "?"), str(r.get("version", "")), str(r.get("threads", "")),
               f"{r['train_examples_per_s']:,.0f}", f"{g:.2f}"]
        if peak:
            row.append(f"{100 * g / peak:.1f}%")
        acc = hist[-1].get("val_accuracy")
        row += [f"{r['seconds_per_epoch']:.2f}", f"{r['eval_examples_per_s']:,.0f}",
                f"{r.get('peak_rss_mb', float('nan')):.0f}", f"{acc:.4f}" if acc is not None else ""]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
