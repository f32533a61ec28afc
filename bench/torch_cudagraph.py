#!/usr/bin/env python3
"""PyTorch on CUDA with the whole training step captured in a CUDA graph.

The model, loss and optimizer are torch_ref.py's (784-120-72-48-10 ReLU MLP, nn.Linear init,
mean cross-entropy, RMSprop lr 1e-4 momentum 0.9 alpha 0.99 eps 1e-8, here with
capturable=True so that its step counter lives on the GPU). One graph per batch shape (the
full batch of 128 and the last, partial one: 60000 % 128 = 96) holds the whole step: gather
of the batch from the GPU-resident training set by a static index tensor, forward, loss,
backward, optimizer step, and the loss added (times the batch size) to an accumulator on the
GPU. Per step the host copies the batch's indices into the static index tensor and replays
the graph; the loss is read once per epoch (torch_ref.py reads loss.item() every step).

Before capture, three warm-up steps run on a side stream (as the PyTorch documentation on
whole-network capture does); the weights and optimizer state are then put back in place to
their initial values, so training starts from the same point as torch_ref.py with the same
seed. Validation runs eagerly under no_grad. Evaluation throughput (the 10,000 test images,
batch 1000 and 10000, forward + argmax, the predicted classes copied to host memory) replays one
captured graph per batch size.

  python3 bench/torch_cudagraph.py --epochs 3 --json OUT.json

Needs a CUDA device; the JSON has torch_ref.py's keys.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import torch_ref  # noqa: E402


def parse_args():
    ap = common.common_args(__doc__)
    ap.add_argument("--device", default="cuda", help="CUDA device (default cuda)")
    ap.add_argument("--warmup-steps", type=int, default=3, help="side-stream steps before capture (weights restored after)")
    ap.add_argument("--no-graph", action="store_true",
                    help="check mode: run the same steps eagerly, without capture (any device, e.g. --device cpu)")
    return ap.parse_args()


def main() -> None:
    args = parse_args()
    if args.flops:
        common.print_flops(args.batch_size)
        return

    import torch

    device = torch.device(args.device)
    use_graph = not args.no_graph
    if use_graph and (device.type != "cuda" or not torch.cuda.is_available()):
        raise SystemExit(f"--device {args.device}: CUDA graphs need a CUDA device "
                         f"(torch {torch.__version__}, cuda available: {torch.cuda.is_available()})")
    torch.manual_seed(args.seed)

    data = common.Data(args.data_dir, args.train_limit)
    print(data.describe())
    x_train = torch.from_numpy(data.x_train).to(device)
    y_train = torch.from_numpy(data.y_train).to(device)
    x_val, y_val = torch.from_numpy(data.x_val).to(device), torch.from_numpy(data.y_val).to(device)
    x_all = torch.from_numpy(data.x_all10k).to(device)
    n_train = len(y_train)
    B = args.batch_size
    gen = torch.Generator().manual_seed(args.seed)

    model = torch_ref.build_model(torch).to(device).train()
    opt = torch.optim.RMSprop(model.parameters(), lr=common.LR, momentum=common.MOMENTUM,
                              alpha=common.ALPHA, eps=common.EPS, capturable=device.type == "cuda")
    loss_fn = torch.nn.CrossEntropyLoss()
    initial = [p.detach().clone() for p in model.parameters()]
    loss_acc = torch.zeros((), device=device)

    def step_body(idx):
        xb = x_train.index_select(0, idx)
        yb = y_train.index_select(0, idx)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        loss_acc.add_(loss.detach() * idx.shape[0])

    def reset():
        """Initial weights, empty optimizer state, zero loss: in place, as the graphs hold the tensors."""
        with torch.no_grad():
            for p, p0 in zip(model.parameters(), initial):
                p.copy_(p0)
            for state in opt.state.values():
                for v in state.values():
                    if torch.is_tensor(v):
                        v.zero_()
            loss_acc.zero_()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    t0 = time.perf_counter()
    sizes = [min(B, n_train)] + ([n_train % B] if n_train % B and n_train > B else [])
    static_idx = {size: torch.arange(size, device=device) for size in sizes}
    steps = {}  # batch size -> a function that runs one step on static_idx[size]
    if use_graph:
        side = torch.cuda.Stream(device)
        side.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(side):
            for size in sizes:
                for _ in range(args.warmup_steps):
                    opt.zero_grad(set_to_none=True)
                    step_body(static_idx[size])
        torch.cuda.current_stream(device).wait_stream(side)
        sync()
        for size in sizes:
            g = torch.cuda.CUDAGraph()
            opt.zero_grad(set_to_none=True)  # grads are allocated inside the graph's private pool
            with torch.cuda.graph(g):
                step_body(static_idx[size])
            steps[size] = g.replay
    else:
        for size in sizes:
            for _ in range(args.warmup_steps):
                opt.zero_grad(set_to_none=True)
                step_body(static_idx[size])

            def eager(size=size):
                opt.zero_grad(set_to_none=True)
                step_body(static_idx[size])

            steps[size] = eager
    reset()
    sync()
    capture_s = time.perf_counter() - t0

    def validate():
        model.eval()
        total_loss, correct = 0.0, 0
        with torch.no_grad():
            for s in range(0, len(y_val), args.val_batch_size):
                xb, yb = x_val[s : s + args.val_batch_size], y_val[s : s + args.val_batch_size]
                logits = model(xb)
                total_loss += torch.nn.functional.cross_entropy(logits, yb, reduction="sum").item()
                correct += (logits.argmax(dim=1) == yb).sum().item()
        model.train()
        return total_loss / len(y_val), correct / len(y_val)

    history, train_times, epoch_times = [], [], []
    for epoch in range(args.epochs):
        t_epoch = time.perf_counter()
        perm = torch.randperm(n_train, generator=gen).to(device)
        loss_acc.zero_()
        for s in range(0, n_train, B):
            idx = perm[s : s + B]
            static_idx[len(idx)].copy_(idx)
            steps[len(idx)]()
        loss_sum = loss_acc.item()  # waits for the epoch's steps
        common.end_epoch(epoch, t_epoch, loss_sum, n_train, validate, train_times, epoch_times, history)

    # Evaluation: one graph per batch size covering all 10,000 images (forward + argmax); after
    # each replay the predicted classes are copied to host memory, as GoMLX's evaluation reads
    # them back.
    model.eval()
    n_eval = len(x_all)
    eval_rates = {}
    with torch.no_grad():
        for eb in (1000, n_eval):
            chunks = [x_all[s : s + eb] for s in range(0, n_eval, eb)]

            def forward(chunks=chunks):
                return [model(c).argmax(dim=1) for c in chunks]

            if use_graph:
                side.wait_stream(torch.cuda.current_stream(device))
                with torch.cuda.stream(side):
                    forward()
                torch.cuda.current_stream(device).wait_stream(side)
                g = torch.cuda.CUDAGraph()
                with torch.cuda.graph(g):
                    preds = forward()  # the graph writes into them at each replay

                def forward(g=g, preds=preds):
                    g.replay()
                    return preds

            def run(forward=forward):
                for p in forward():
                    p.cpu()
                sync()

            eval_rates[str(eb)] = common.best_throughput(run, n_eval, args.eval_repeats)
    best_eb = max(eval_rates, key=eval_rates.get)

    flops = common.flops_per_train_step(B)
    train_eps = args.epochs * n_train / sum(train_times)
    result = {
        "impl": "pytorch-cudagraph" if use_graph else "pytorch-cudagraph-logic-eager",
        "version": torch.__version__,
        "device": str(device),
        "threads": torch.get_num_threads(),
        **common.speed_fields(train_eps, epoch_times, eval_rates, best_eb, history, args.epochs, B, n_train, len(y_val)),
        "loader": "CUDA graph per batch shape, index_select from the GPU-resident set",
        "graph_batch_sizes": sizes,
        "warmup_steps": args.warmup_steps,
        "capture_seconds": capture_s,
        "seed": args.seed,
        "split": data.split_method,
        "train_gflops_achieved": train_eps * flops["flops_per_example"] / 1e9,
        "eval_gflops_achieved": eval_rates[best_eb] * flops["eval_flops_per_example"] / 1e9,
        "flops": flops,
        **common.machine_info(),
    }
    result["peak_rss_mb"] = common.peak_rss_mb()
    if device.type == "cuda":
        result.update(torch_ref.cuda_info(torch, device))
    print(f"torch {result['version']} {'CUDA graphs' if use_graph else 'no graph (check mode)'} on {device}, "
          f"capture {capture_s:.2f}s")
    print(f"train: {train_eps:,.0f} examples/s, {result['seconds_per_epoch']:.2f} s/epoch (train+val)")
    print("eval:  " + ", ".join(f"batch {k}: {v:,.0f} ex/s" for k, v in eval_rates.items())
          + f" -> best {eval_rates[best_eb]:,.0f} ex/s")
    if args.json:
        common.write_json(args.json, result)


if __name__ == "__main__":
    main()
