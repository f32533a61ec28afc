#!/usr/bin/env python3
"""JAX reference for the Fashion-MNIST MLP exercise -- a second peer for torch_ref.py
(XLA CPU by default; --device gpu for the first GPU JAX sees).

Same model, data, split, preprocessing, loss and optimizer as torch_ref.py:
784-120-72-48-10 ReLU MLP with nn.Linear's default init (W and b ~ U(+-1/sqrt(fan_in))),
mean softmax cross-entropy, RMSprop exactly as torch.optim.RMSprop(lr=1e-4, momentum=0.9):
    v   = alpha*v + (1-alpha)*g^2          (alpha 0.99, v0 = 0)
    buf = mu*buf + g/(sqrt(v)+eps)        (mu 0.9, eps 1e-8)
    p  -= lr*buf
via optax.rmsprop(decay=0.99, eps=1e-8, eps_in_sqrt=False, momentum=0.9) when optax is
installed (--optimizer optax), else the hand-written update above (--optimizer manual).

One jax.jit'd train step per batch (batch 128, reshuffled each epoch, last partial batch kept);
the batch is gathered inside the step from the device-resident training set. Compilation
happens in an untimed warm-up on a throw-away copy of the parameters.

  bench/.venv/bin/python bench/jax_ref.py --epochs 10 --json results/jax.json
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def parse_args():
    ap = common.common_args(__doc__)
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="XLA CPU threads; values below os.cpu_count() are applied with taskset-like CPU affinity")
    ap.add_argument("--optimizer", choices=["auto", "optax", "manual"], default="auto")
    ap.add_argument("--device", default="cpu", help="JAX platform of the device that runs it: cpu (default), gpu or cuda")
    return ap.parse_args()


def main() -> None:
    args = parse_args()
    if args.flops:
        common.print_flops(args.batch_size)
        return

    # XLA's CPU thread pools size themselves from the CPUs this process may run on, so
    # restrict the affinity before jax is imported to use fewer threads.
    if (args.device == "cpu" and args.threads and args.threads < (os.cpu_count() or 1)
            and hasattr(os, "sched_setaffinity")):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.threads])
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    import numpy as np
    import jax
    import jax.numpy as jnp
    import jaxlib

    optax = None
    if args.optimizer in ("auto", "optax"):
        try:
            import optax  # type: ignore
        except ImportError:
            if args.optimizer == "optax":
                raise
    opt_name = f"optax {optax.__version__}" if optax else "manual"

    data = common.Data(args.data_dir, args.train_limit)
    print(data.describe())
    try:
        dev = jax.devices(args.device)[0]  # the device everything runs on ("cpu" unless --device)
    except RuntimeError as e:
        raise SystemExit(f"--device {args.device}: {e}")
    x_train = jax.device_put(data.x_train, dev)
    y_train = jax.device_put(data.y_train.astype(np.int32), dev)
    x_val = jax.device_put(data.x_val, dev)
    y_val = jax.device_put(data.y_val.astype(np.int32), dev)
    x_all = jax.device_put(data.x_all10k, dev)
    n_train = int(x_train.shape[0])
    B = args.batch_size

    # nn.Linear default init: kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(in), 1/sqrt(in)); bias the same.
    rng = np.random.default_rng(args.seed)
    params = []
    for n_in, n_out in zip(common.LAYERS[:-1], common.LAYERS[1:]):
        k = 1.0 / np.sqrt(n_in)
        w = rng.uniform(-k, k, size=(n_in, n_out)).astype(np.float32)
        b = rng.uniform(-k, k, size=(n_out,)).astype(np.float32)
        params.append((w, b))
    # Commit every argument of the jit'd step to the device: committed and uncommitted
    # arrays are different jit signatures and would trigger recompiles inside the timed loop.
    params = jax.device_put(params, dev)

    def forward(p, x):
        for w, b in p[:-1]:
            x = jax.nn.relu(x @ w + b)
        w, b = p[-1]
        return x @ w + b

    def loss_fn(p, x, y):
        logits = forward(p, x)
        logp = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    if optax is not None:
        tx = optax.rmsprop(common.LR, decay=common.ALPHA, eps=common.EPS, eps_in_sqrt=False,
                           momentum=common.MOMENTUM)
        opt_init = tx.init

        def opt_update(g, state, p):
            updates, state = tx.update(g, state, p)
            return optax.apply_updates(p, updates), state
    else:
        def opt_init(p):
            # two distinct buffers: both are donated to the jit'd step
            return (jax.tree_util.tree_map(jnp.zeros_like, p), jax.tree_util.tree_map(jnp.zeros_like, p))

        def opt_update(g, state, p):
            v, buf = state
            v = jax.tree_util.tree_map(lambda v, g: common.ALPHA * v + (1 - common.ALPHA) * g * g, v, g)
            buf = jax.tree_util.tree_map(lambda m, g, v: common.MOMENTUM * m + g / (jnp.sqrt(v) + common.EPS), buf, g, v)
            p = jax.tree_util.tree_map(lambda p, m: p - common.LR * m, p, buf)
            return p, (v, buf)

    def train_step(p, state, loss_acc, x_all_train, y_all_train, idx):
        x = x_all_train[idx]
        y = y_all_train[idx]
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        p, state = opt_update(g, state, p)
        return p, state, loss_acc + loss * idx.shape[0]

    train_step = jax.jit(train_step, donate_argnums=(0, 1, 2))

    @jax.jit
    def eval_batch(p, x, y):
        logits = forward(p, x)
        logp = jax.nn.log_softmax(logits)
        loss_sum = -jnp.sum(jnp.take_along_axis(logp, y[:, None], axis=1))
        correct = jnp.sum(jnp.argmax(logits, axis=1) == y)
        return loss_sum, correct

    predict = jax.jit(lambda p, x: jnp.argmax(forward(p, x), axis=1))

    opt_state = jax.device_put(opt_init(params), dev)

    # Untimed warm-up: compile the step for the full and the last partial batch shape, on copies.
    t0 = time.perf_counter()
    sizes = {min(B, n_train)} | ({n_train % B} if n_train % B else set())
    for s in sizes:
        p_copy = jax.device_put(jax.tree_util.tree_map(np.asarray, params), dev)
        st_copy = jax.device_put(jax.tree_util.tree_map(np.asarray, opt_state), dev)
        acc0 = jax.device_put(np.zeros((), np.float32), dev)
        out = train_step(p_copy, st_copy, acc0, x_train, y_train, jax.device_put(np.arange(s, dtype=np.int32), dev))
        jax.block_until_ready(out)
    n_val = len(data.y_val)
    val_batches = [(x_val[s : s + args.val_batch_size], y_val[s : s + args.val_batch_size])
                   for s in range(0, n_val, args.val_batch_size)]
    for xb, yb in val_batches:
        jax.block_until_ready(eval_batch(params, xb, yb))
    compile_s = time.perf_counter() - t0

    def validate(p):
        tot_loss, correct = 0.0, 0
        for xb, yb in val_batches:
            l, c = eval_batch(p, xb, yb)
            tot_loss += float(l)
            correct += int(c)
        return tot_loss / n_val, correct / n_val

    history, train_times, epoch_times = [], [], []
    for epoch in range(args.epochs):
        t_epoch = time.perf_counter()
        perm = rng.permutation(n_train).astype(np.int32)
        acc = jax.device_put(np.zeros((), np.float32), dev)
        for s in range(0, n_train, B):
            idx = jax.device_put(perm[s : s + B], dev)  # slicing on the host: no per-shape jit of the slice
            params, opt_state, acc = train_step(params, opt_state, acc, x_train, y_train, idx)
        loss_sum = float(acc)  # blocks until the epoch's steps are done
        common.end_epoch(epoch, t_epoch, loss_sum, n_train, lambda: validate(params), train_times, epoch_times, history)

    n_eval = int(x_all.shape[0])
    eval_rates = {}
    for eb in (1000, n_eval):
        chunks = [x_all[s : s + eb] for s in range(0, n_eval, eb)]

        def run(chunks=chunks):
            # Each chunk's predicted classes copied to host memory, as GoMLX's evaluation reads
            # them back.
            for c in chunks:
                np.asarray(predict(params, c))

        eval_rates[str(eb)] = common.best_throughput(run, n_eval, args.eval_repeats)
    best_eb = max(eval_rates, key=eval_rates.get)

    flops = common.flops_per_train_step(B)
    train_eps = args.epochs * n_train / sum(train_times)
    result = {
        "impl": "jax",
        "version": f"jax {jax.__version__}, jaxlib {jaxlib.__version__}",
        "device": f"{dev.platform}: {dev.device_kind}",
        "threads": threads,
        **common.speed_fields(train_eps, epoch_times, eval_rates, best_eb, history, args.epochs, B, n_train, len(data.y_val)),
        "optimizer": opt_name,
        "compile_seconds": compile_s,
        "seed": args.seed,
        "split": data.split_method,
        "train_gflops_achieved": train_eps * flops["flops_per_example"] / 1e9,
        "eval_gflops_achieved": eval_rates[best_eb] * flops["eval_flops_per_example"] / 1e9,
        "flops": flops,
        **common.machine_info(),
    }
    result["peak_rss_mb"] = common.peak_rss_mb()
    if dev.platform != "cpu":
        try:
            stats = dev.memory_stats() or {}
        except Exception:  # not every backend has memory_stats
            stats = {}
        if "peak_bytes_in_use" in stats:
            result["gpu_peak_bytes_in_use_mb"] = stats["peak_bytes_in_use"] / 2**20
        result["default_matmul_precision"] = str(jax.config.jax_default_matmul_precision)
    print(f"{result['device']}, {result['version']}, {threads} threads, optimizer {opt_name}, {result['cpu_model']}, "
          f"compile/warm-up {compile_s:.2f}s")
    print(f"train: {train_eps:,.0f} examples/s ({result['train_gflops_achieved']:.2f} GFLOP/s matmul), "
          f"{result['seconds_per_epoch']:.2f} s/epoch (train+val)")
    print("eval:  " + ", ".join(f"batch {k}: {v:,.0f} ex/s" for k, v in eval_rates.items())
          + f" -> best {eval_rates[best_eb]:,.0f} ex/s")
    print(f"peak RSS: {result['peak_rss_mb']:.0f} MB")
    if args.json:
        common.write_json(args.json, result)


if __name__ == "__main__":
    main()
