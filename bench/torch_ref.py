#!/usr/bin/env python3
"""PyTorch reference for the Fashion-MNIST MLP exercise (CPU by default; --device cuda for a GPU).

Model 784-120-72-48-10 (nn.Linear default init, ReLU), CrossEntropyLoss (mean),
RMSprop(lr=1e-4, momentum=0.9), batch 128, reshuffled every epoch; training in train mode,
validation in eval mode under no_grad. Inputs scaled x/255 then (x-0.2860)/0.3530.
Validation = a stratified half (5,000, 500 per class) of the 10,000 test images.

  bench/.venv/bin/python bench/torch_ref.py --epochs 10 --json results/torch.json
  bench/.venv/bin/python bench/torch_ref.py --flops          # FLOPs per training step
  bench/.venv/bin/python bench/torch_ref.py --epochs 1 --train-limit 5000   # smoke run

Batches are sliced from one preprocessed in-memory tensor with a fresh torch.randperm each
epoch (the last, partial batch is kept, as DataLoader's drop_last=False); --dataloader uses
torch.utils.data.DataLoader(TensorDataset, shuffle=True) instead, which adds per-sample
Python overhead.

With --device cuda the data set, the model and the optimizer live on the GPU; the loop is the
same (loss.item() every step, which waits for the GPU each step); the permutation is drawn on
the CPU as before and sent once per epoch; evaluation passes end with torch.cuda.synchronize(), and
the timed evaluation copies each chunk's predicted classes to host memory.
"""
from __future__ import annotations

import copy
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def parse_args():
    ap = common.common_args(__doc__)
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch.set_num_threads (default: os.cpu_count())")
    ap.add_argument("--warmup-steps", type=int, default=5, help="untimed steps on a throw-away copy of the model before epoch 0")
    ap.add_argument("--dataloader", action="store_true", help="feed batches through torch.utils.data.DataLoader")
    ap.add_argument("--peak", action="store_true", help="also measure the CPU's float32 matmul peak (peak_flops.py)")
    ap.add_argument("--device", default="cpu", help="torch device: cpu (default) or cuda[:N]")
    return ap.parse_args()


def build_model(torch):
    nn = torch.nn
    layers = []
    widths = common.LAYERS
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(n_in, n_out))  # default init: kaiming_uniform(a=sqrt(5)), bias U(+-1/sqrt(in))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def make_optimizer(torch, model):
    return torch.optim.RMSprop(model.parameters(), lr=common.LR, momentum=common.MOMENTUM,
                               alpha=common.ALPHA, eps=common.EPS)


def cuda_info(torch, device) -> dict:
    """GPU facts and the process's peak GPU memory, for the JSON of a CUDA run."""
    return {
        "gpu_name": torch.cuda.get_device_name(device),
        "cuda_version": torch.version.cuda,
        "cudnn_version": torch.backends.cudnn.version(),
        "allow_tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "gpu_max_memory_allocated_mb": torch.cuda.max_memory_allocated(device) / 2**20,
        "gpu_max_memory_reserved_mb": torch.cuda.max_memory_reserved(device) / 2**20,
    }


def main() -> None:
    args = parse_args()
    if args.flops:
        common.print_flops(args.batch_size)
        return

    import torch

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(args.threads)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    if cuda and not torch.cuda.is_available():
        raise SystemExit(f"--device {args.device}: torch {torch.__version__} sees no CUDA device")
    if cuda and args.dataloader:
        raise SystemExit("--dataloader is for the CPU only")

    def sync():
        if cuda:
            torch.cuda.synchronize(device)

    data = common.Data(args.data_dir, args.train_limit)
    print(data.describe())
    x_train = torch.from_numpy(data.x_train).to(device)
    y_train = torch.from_numpy(data.y_train).to(device)
    x_val, y_val = torch.from_numpy(data.x_val).to(device), torch.from_numpy(data.y_val).to(device)
    x_all = torch.from_numpy(data.x_all10k).to(device)
    n_train = len(y_train)
    B = args.batch_size

    model = build_model(torch).to(device)
    opt = make_optimizer(torch, model)
    loss_fn = torch.nn.CrossEntropyLoss()  # reduction="mean"
    gen = torch.Generator().manual_seed(args.seed)

    def train_step(m, o, xb, yb):
        o.zero_grad(set_to_none=True)
        loss = loss_fn(m(xb), yb)
        loss.backward()
        o.step()
        return loss

    # Warm-up (allocator, oneDNN/MKL kernel selection) on a throw-away copy, so the real run
    # starts from the untouched initial weights.
    t0 = time.perf_counter()
    if args.warmup_steps > 0:
        wm = copy.deepcopy(model).train()
        wo = make_optimizer(torch, wm)
        for i in range(args.warmup_steps):
            s = (i * B) % max(1, n_train - B)
            train_step(wm, wo, x_train[s : s + B], y_train[s : s + B])
        del wm, wo
    sync()
    warmup_s = time.perf_counter() - t0

    if args.dataloader:
        ds = torch.utils.data.TensorDataset(x_train, y_train)
        loader = torch.utils.data.DataLoader(ds, batch_size=B, shuffle=True, generator=gen)

        def batches():
            yield from loader
    else:
        def batches():
            perm = torch.randperm(n_train, generator=gen).to(device)
            for s in range(0, n_train, B):
                idx = perm[s : s + B]
                yield x_train[idx], y_train[idx]

    def validate():
        model.eval()
        total_loss, correct = 0.0, 0
        with torch.no_grad():
            for s in range(0, len(y_val), args.val_batch_size):
                xb, yb = x_val[s : s + args.val_batch_size], y_val[s : s + args.val_batch_size]
                logits = model(xb)
                total_loss += torch.nn.functional.cross_entropy(logits, yb, reduction="sum").item()
                correct += (logits.argmax(dim=1) == yb).sum().item()
        return total_loss / len(y_val), correct / len(y_val)

    history, train_times, epoch_times = [], [], []
    for epoch in range(args.epochs):
        t_epoch = time.perf_counter()
        model.train()
        loss_sum = 0.0
        for xb, yb in batches():
            loss = train_step(model, opt, xb, yb)
            loss_sum += loss.item() * len(yb)
        common.end_epoch(epoch, t_epoch, loss_sum, n_train, validate, train_times, epoch_times, history)

    # Inference throughput on all 10,000 test images: eval mode, no_grad, batch 1000 and 10000,
    # each chunk's predicted classes copied to host memory, as GoMLX's evaluation reads them back
    # (a no-op on the CPU; on a GPU it waits for the chunk).
    model.eval()
    n_eval = len(x_all)
    eval_rates = {}
    with torch.no_grad():
        for eb in (1000, n_eval):
            chunks = [x_all[s : s + eb] for s in range(0, n_eval, eb)]

            def run(chunks=chunks):
                for c in chunks:
                    model(c).argmax(dim=1).cpu()
                sync()

            eval_rates[str(eb)] = common.best_throughput(run, n_eval, args.eval_repeats)
    best_eb = max(eval_rates, key=eval_rates.get)

    flops = common.flops_per_train_step(B)
    train_eps = args.epochs * n_train / sum(train_times)
    result = {
        "impl": "pytorch",
        "version": torch.__version__,
        "device": str(device),
        "threads": torch.get_num_threads(),
        **common.speed_fields(train_eps, epoch_times, eval_rates, best_eb, history, args.epochs, B, n_train, len(y_val)),
        "loader": "DataLoader" if args.dataloader else "tensor-slicing",
        "warmup_steps": args.warmup_steps,
        "warmup_seconds": warmup_s,
        "seed": args.seed,
        "split": data.split_method,
        "train_gflops_achieved": train_eps * flops["flops_per_example"] / 1e9,
        "eval_gflops_achieved": eval_rates[best_eb] * flops["eval_flops_per_example"] / 1e9,
        "flops": flops,
        **common.machine_info(),
    }
    if args.peak:
        import peak_flops

        result["peak"] = peak_flops.peak_matmul_gflops(threads=args.threads)
    result["peak_rss_mb"] = common.peak_rss_mb()
    if cuda:
        result.update(cuda_info(torch, device))

    print(f"torch {result['version']}, {result['threads']} threads, {result['cpu_model']}"
          + (f", {result['gpu_name']}" if cuda else ""))
    print(f"train: {train_eps:,.0f} examples/s ({result['train_gflops_achieved']:.2f} GFLOP/s matmul), "
          f"{result['seconds_per_epoch']:.2f} s/epoch (train+val)")
    print("eval:  " + ", ".join(f"batch {k}: {v:,.0f} ex/s" for k, v in eval_rates.items())
          + f" -> best {eval_rates[best_eb]:,.0f} ex/s")
    if args.peak:
        p = result["peak"]
        print(f"peak:  float32 matmul {p['size']}^2: {p['peak_matmul_gflops']:.1f} GFLOP/s "
              f"(training reaches {100 * result['train_gflops_achieved'] / p['peak_matmul_gflops']:.1f}%)")
    print(f"peak RSS: {result['peak_rss_mb']:.0f} MB")
    if args.json:
        common.write_json(args.json, result)


if __name__ == "__main__":
    main()
