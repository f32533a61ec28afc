"""Shared pieces of the Python reference benchmarks (torch_ref.py, jax_ref.py).

Only numpy and the standard library here: data loading (IDX .gz files), the stratified
val/test split of the 10,000 test images, preprocessing, FLOP counting and machine facts.
"""
from __future__ import annotations

import gzip
import json
import os
import platform
import resource
import struct
import sys
import time

import numpy as np

DEFAULT_DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
MEAN, STD = 0.2860, 0.3530
LAYERS = [784, 120, 72, 48, 10]  # MLP widths: 784-120-72-48-10
NUM_CLASSES = 10
LR, MOMENTUM, ALPHA, EPS = 1e-4, 0.9, 0.99, 1e-8  # RMSprop (alpha, eps: PyTorch defaults)
SPLIT_SEED = 42


def common_args(description: str):
    """An argument parser with the flags both references share."""
    import argparse

    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--train-limit", type=int, default=None, help="use only the first N training examples (smoke runs)")
    ap.add_argument("--seed", type=int, default=42, help="seed for init and shuffling (the val split always uses 42)")
    ap.add_argument("--json", metavar="OUT", help="write the results as JSON to OUT")
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    ap.add_argument("--val-batch-size", type=int, default=1000, help="batch size of the per-epoch validation pass")
    ap.add_argument("--eval-repeats", type=int, default=5, help="timed repeats of the eval-throughput pass (best is kept)")
    ap.add_argument("--flops", action="store_true", help="print the FLOPs per training step and exit")
    return ap


def epoch_record(epoch, loss_sum, n_train, val_loss, val_acc, train_s, epoch_s) -> dict:
    """One history entry, printed as both references print it."""
    rec = {"epoch": epoch, "train_loss": loss_sum / n_train, "val_loss": val_loss, "val_accuracy": val_acc,
           "train_seconds": train_s, "epoch_seconds": epoch_s, "train_examples_per_s": n_train / train_s}
    print(f"epoch {epoch}: train_loss {rec['train_loss']:.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}  "
          f"train {train_s:.2f}s ({n_train / train_s:,.0f} ex/s)  epoch {epoch_s:.2f}s")
    return rec


def end_epoch(epoch, t_epoch, loss_sum, n_train, validate, train_times, epoch_times, history) -> None:
    """Ends an epoch that began at t_epoch (time.perf_counter): times its training,
    validates (validate() returns loss and accuracy), and records the epoch in the
    three lists."""
    train_s = time.perf_counter() - t_epoch
    val_loss, val_acc = validate()
    epoch_s = time.perf_counter() - t_epoch
    train_times.append(train_s)
    epoch_times.append(epoch_s)
    history.append(epoch_record(epoch, loss_sum, n_train, val_loss, val_acc, train_s, epoch_s))


def speed_fields(train_eps, epoch_times, eval_rates, best_eb, history, epochs, batch, n_train, n_val) -> dict:
    """The result keys that every reference reports alike (bench/run.py and
    bench/gpu.py read them)."""
    return {
        "train_examples_per_s": train_eps,
        "seconds_per_epoch": sum(epoch_times) / len(epoch_times),
        "eval_examples_per_s": eval_rates[best_eb],
        "eval_best_batch": int(best_eb),
        "eval_examples_per_s_by_batch": eval_rates,
        "peak_rss_mb": None,  # filled in after everything ran
        "history": history,
        "epochs": epochs,
        "batch_size": batch,
        "train_examples": n_train,
        "val_examples": n_val,
    }


def read_idx(path: str) -> np.ndarray:
    """Reads a gzip'ed IDX file (ubyte data only, as Fashion-MNIST uses)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims} = {np.prod(dims)} values, found {arr.size}")
    return arr.reshape(dims)


def preprocess(images: np.ndarray) -> np.ndarray:
    """uint8 (N,28,28) -> float32 (N,784): x/255, then (x-0.2860)/0.3530."""
    x = images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(255.0)
    return (x - np.float32(MEAN)) / np.float32(STD)


def stratified_halves(y: np.ndarray, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray, str]:
    """Splits indices of y into two stratified halves (val, test).

    Uses sklearn's train_test_split(test_size=0.5, random_state=seed, stratify=y) when
    sklearn is installed; otherwise a per-class permutation from np.random.default_rng(seed),
    first half of each class -> val. Returns (val_idx, test_idx, method).
    """
    idx = np.arange(len(y))
    try:
        from sklearn.model_selection import train_test_split  # type: ignore

        val_idx, test_idx = train_test_split(idx, test_size=0.5, random_state=seed, stratify=y)
        return np.sort(val_idx), np.sort(test_idx), f"sklearn.train_test_split(stratify, random_state={seed})"
    except ImportError:
        pass
    rng = np.random.default_rng(seed)
    val, test = [], []
    for c in np.unique(y):
        members = rng.permutation(idx[y == c])
        half = len(members) // 2
        val.append(members[:half])
        test.append(members[half:])
    return (np.sort(np.concatenate(val)), np.sort(np.concatenate(test)),
            f"numpy per-class permutation (default_rng({seed}))")


class Data:
    """Preprocessed float32 arrays: train (60k or --train-limit), val (5k), test (5k), all10k (10k)."""

    def __init__(self, data_dir: str = DEFAULT_DATA_DIR, train_limit: int | None = None):
        t0 = time.perf_counter()
        paths = {k: os.path.join(data_dir, v) for k, v in FILES.items()}
        missing = [p for p in paths.values() if not os.path.exists(p)]
        if missing:
            raise SystemExit(f"missing Fashion-MNIST files: {missing} (set --data-dir or FASHION_MNIST_DIR)")
        xtr, ytr = read_idx(paths["train_images"]), read_idx(paths["train_labels"])
        xte, yte = read_idx(paths["test_images"]), read_idx(paths["test_labels"])
        if train_limit:
            xtr, ytr = xtr[:train_limit], ytr[:train_limit]
        self.x_train = preprocess(xtr)
        self.y_train = ytr.astype(np.int64)
        self.x_all10k = preprocess(xte)
        self.y_all10k = yte.astype(np.int64)
        val_idx, test_idx, self.split_method = stratified_halves(self.y_all10k)
        self.x_val, self.y_val = self.x_all10k[val_idx], self.y_all10k[val_idx]
        self.x_test, self.y_test = self.x_all10k[test_idx], self.y_all10k[test_idx]
        self.load_seconds = time.perf_counter() - t0

    def describe(self) -> str:
        per_class = np.bincount(self.y_val, minlength=NUM_CLASSES)
        return (f"data: train {len(self.y_train)}, val {len(self.y_val)} (per class {per_class.min()}-{per_class.max()}), "
                f"test {len(self.y_test)}; split: {self.split_method}; loaded in {self.load_seconds:.2f}s")


def flops_per_train_step(batch: int, layers: list[int] = LAYERS) -> dict:
    """Matmul FLOPs (multiply+add = 2) of one training step of the MLP.

    forward  = 2*B*sum(in*out)
    backward = dW for every layer (2*B*in*out) + dX for every layer but the first
               (the input needs no gradient) -> about 2x forward.
    Bias adds, ReLU, softmax/cross-entropy and the RMSprop update are O(B*width) or
    O(#params) and listed separately; they are small next to the matmuls.
    """
    pairs = list(zip(layers[:-1], layers[1:]))
    fwd = sum(2 * batch * i * o for i, o in pairs)
    bwd_dw = fwd
    bwd_dx = sum(2 * batch * i * o for i, o in pairs[1:])
    params = sum(i * o + o for i, o in pairs)
    elementwise = batch * sum(o for _, o in pairs) * 4 + batch * layers[-1] * 6
    optimizer = params * 8
    total = fwd + bwd_dw + bwd_dx
    return {
        "batch": batch,
        "params": params,
        "forward_flops": fwd,
        "backward_flops": bwd_dw + bwd_dx,
        "matmul_flops_per_step": total,
        "other_flops_per_step_approx": elementwise + optimizer,
        "flops_per_example": total / batch,
        "eval_flops_per_example": fwd / batch,
    }


def print_flops(batch: int) -> dict:
    f = flops_per_train_step(batch)
    print(f"MLP {'-'.join(map(str, LAYERS))}, {f['params']} parameters, batch {batch}")
    print(f"  forward  matmul FLOPs/step: {f['forward_flops']:>12,d}  (2*B*sum(in*out))")
    print(f"  backward matmul FLOPs/step: {f['backward_flops']:>12,d}  (dW all layers + dX all but first)")
    print(f"  total    matmul FLOPs/step: {f['matmul_flops_per_step']:>12,d}  = {f['matmul_flops_per_step']/1e6:.2f} MFLOP")
    print(f"  per training example:       {f['flops_per_example']:>12,.0f}")
    print(f"  per eval example (forward): {f['eval_flops_per_example']:>12,.0f}")
    print(f"  other (bias, ReLU, softmax-CE, RMSprop), approx: {f['other_flops_per_step_approx']:,d} FLOPs/step")
    print("  achieved GFLOP/s = train_examples_per_s * flops_per_example / 1e9")
    return f


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return sorted(x for x in flags if x in ("avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "avx512_vnni"))
    except OSError:
        pass
    return []


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def machine_info() -> dict:
    return {
        "cpu_model": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cpu_count": os.cpu_count(),
        # A loaded machine (other jobs on the cores) distorts multi-threaded timings badly.
        "loadavg_1m_at_end": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(path: str, obj: dict) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    print(f"wrote {path}")


def best_throughput(fn, n_examples: int, repeats: int) -> float:
    """Runs fn() (one pass over n_examples) once to warm up, then `repeats` times; best examples/s."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n_examples / best
