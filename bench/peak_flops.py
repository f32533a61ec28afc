#!/usr/bin/env python3
"""Achievable float32 matmul throughput of this CPU, measured with torch (MKL/oneDNN).

Times C = A @ B for square float32 matrices (default 2048x2048, 2*n^3 FLOPs per product)
with all threads (or --threads), and prints the best GFLOP/s over --repeats runs. This is the
practical ceiling that the MLP benchmarks can be compared against (small matmuls like
128x784x120 reach only a fraction of it).

  bench/.venv/bin/python bench/peak_flops.py [--size 2048] [--threads N] [--repeats 10] [--json OUT]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def peak_matmul_gflops(size: int = 2048, threads: int | None = None, repeats: int = 10) -> dict:
    import torch

    if threads:
        torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=g)
    b = torch.randn(size, size, generator=g)
    c = torch.empty(size, size)
    flops = 2.0 * size**3
    torch.matmul(a, b, out=c)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.matmul(a, b, out=c)
        times.append(time.perf_counter() - t0)
    best = min(times)
    return {
        "size": size,
        "threads": torch.get_num_threads(),
        "repeats": repeats,
        "best_seconds": best,
        "median_seconds": sorted(times)[len(times) // 2],
        "peak_matmul_gflops": flops / best / 1e9,
        "median_matmul_gflops": flops / sorted(times)[len(times) // 2] / 1e9,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--json", help="write results to this JSON file")
    args = ap.parse_args()
    import torch

    r = peak_matmul_gflops(args.size, args.threads, args.repeats)
    print(f"float32 matmul {r['size']}x{r['size']}, {r['threads']} threads, torch {torch.__version__}: "
          f"best {r['peak_matmul_gflops']:.1f} GFLOP/s, median {r['median_matmul_gflops']:.1f} GFLOP/s")
    if args.json:
        common.write_json(args.json, {"impl": "pytorch-matmul", "version": torch.__version__, **r,
                                      **common.machine_info()})


if __name__ == "__main__":
    main()
