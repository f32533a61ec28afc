#!/usr/bin/env python3
"""GPU benchmark of the Fashion-MNIST exercise: GoMLX (xla:cuda) next to PyTorch (eager and
CUDA graph) and JAX on one NVIDIA GPU, plus end-to-end seconds of the exercise's command.

Normally started by bench/gpu.sh (which checks the GPU first) or by
`bash scripts/gpu-run.sh --from SITE --bench` (which also links the PJRT CUDA plugin).
Needs a prebuilt bin/fashion, python3 with torch (CUDA) and jax (CUDA), and the four
Fashion-MNIST .gz files; no Go, no network. Standard library only.

Steps, in this order (each with its own timeout, all within --budget seconds; a step that
fails or times out is recorded as an error and the next one runs; docs/bench-gpu.json and
docs/bench-gpu.md are rewritten after every step, so a run cut short leaves what it measured):

  1. GPU facts (nvidia-smi) and versions; memory.used is sampled every 0.5 s throughout
  2. throughput, repetition 1: GoMLX `fashion bench -backend xla:cuda`, PyTorch eager
     (bench/torch_ref.py --device cuda), PyTorch CUDA graph (bench/torch_cudagraph.py),
     JAX jit per step (bench/jax_ref.py --device gpu)
  3. end to end, 40 epochs (`fashion train -epochs 40 -backend xla:cuda -runs-dir R`):
     cold (empty R) with XLA's default autotuning, cold with XLA_FLAGS+=--xla_gpu_autotune_level=0,
     then both warm (same R, -force)
  4. throughput, repetition 2 (same order as 1), and further ones up to --reps
  5. end to end, 3 seeds (`fashion train -seeds 3 -epochs 40 -backend xla:cuda -runs-dir R`), cold, warm
  6. `fashion sweep -space bench/gpu-sweep.json` (8 trials of 10 epochs) with -parallel 4 and
     -parallel 1, each into its own empty runs directory

  python3 bench/gpu.py --data DIR                  # everything, results in docs/
  python3 bench/gpu.py --only throughput,e2e       # some groups (throughput, e2e, seeds, sweep)
  python3 bench/gpu.py --dry-run --out /tmp/x      # no GPU: fake steps, checks flow and writers
  python3 bench/gpu.py --cpu-check --python bench/.venv/bin/python --epochs 2 --e2e-epochs 2 --reps 1
                                                   # no GPU: the real programs on the CPU, 2000 images

Exit status: 0 when every step succeeded, 3 when all ran but some failed or were skipped (see
"errors" in the JSON), 1 when the run was interrupted, 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import pathlib
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
GROUPS = ["throughput", "e2e", "seeds", "sweep"]
IMPLS = ["gomlx", "pytorch-eager", "pytorch-cudagraph", "jax"]
RATIO_LABEL = {"pytorch-cudagraph": "PyTorch CUDA graph", "jax": "JAX", "pytorch-eager": "PyTorch eager"}
IMPL_LABEL = {
    "gomlx": "GoMLX v0.26.0, xla:cuda (`fashion bench`)",
    "pytorch-eager": "PyTorch eager, loss.item() every step (`torch_ref.py --device cuda`)",
    "pytorch-cudagraph": "PyTorch, whole step in a CUDA graph (`torch_cudagraph.py`)",
    "jax": "JAX, jit per step (`jax_ref.py --device gpu`)",
}
AUTOTUNE0 = "--xla_gpu_autotune_level=0"
# Per-step limits (s) and the least time left for which a step is still started.
LIMITS = {"throughput": (150, 30), "e2e": (180, 40), "seeds": (300, 60), "sweep": (300, 60)}


class Interrupted(Exception):
    """SIGTERM or SIGINT reached this process."""


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def quote(cmd) -> str:
    return " ".join(shlex.quote(str(c)) for c in cmd)


def tail(path: pathlib.Path, n: int = 1500) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-n:].decode("utf-8", "replace")


# ---------------------------------------------------------------- GPU memory sampler

class MemorySampler:
    """Polls `nvidia-smi --query-gpu=memory.used,utilization.gpu` every 0.5 s in a thread and keeps
    (time, MiB used, utilization %); with several GPUs, the highest of each. One-shot calls, not
    `nvidia-smi -lms`, whose output may sit in a pipe buffer until it exits."""

    INTERVAL = 0.5

    def __init__(self):
        self.samples: list[tuple[float, float, float]] = []
        self.error = None
        self.stopping = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        cmd = ["nvidia-smi", "--query-gpu=memory.used,utilization.gpu", "--format=csv,noheader,nounits"]
        failures = 0
        while not self.stopping.is_set():
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
                mems, utils = [], []
                for line in r.stdout.splitlines():
                    parts = [p.strip() for p in line.split(",")]
                    try:
                        mems.append(float(parts[0]))
                        utils.append(float(parts[1]))
                    except (ValueError, IndexError):
                        pass
                if r.returncode == 0 and mems:
                    self.samples.append((time.time(), max(mems), max(utils) if utils else float("nan")))
                    failures = 0
                else:
                    failures += 1
            except (OSError, subprocess.TimeoutExpired) as e:
                failures += 1
                self.error = str(e)
            if failures >= 10:
                self.error = self.error or "nvidia-smi failed 10 times in a row; sampling stopped"
                return
            self.stopping.wait(self.INTERVAL)

    def window(self, t0: float, t1: float) -> dict:
        s = [x for x in self.samples if t0 <= x[0] <= t1]
        if not s:
            return {}
        utils = [u for _, _, u in s if u == u]
        return {"gpu_mem_peak_mib": max(m for _, m, _ in s), "gpu_mem_first_mib": s[0][1],
                "gpu_util_mean_pct": round(statistics.fmean(utils), 1) if utils else None, "gpu_samples": len(s)}

    def stop(self) -> None:
        self.stopping.set()


# ---------------------------------------------------------------- the benchmark

class Bench:
    def __init__(self, args):
        self.args = args
        self.t_start = time.time()
        self.deadline = self.t_start + args.budget
        self.out = pathlib.Path(args.out)
        self.logs = pathlib.Path(args.logs)
        self.sampler = MemorySampler()
        self.current = None  # the child process running now
        self.doc = {
            "title": "Fashion-MNIST exercise on one NVIDIA GPU: GoMLX next to PyTorch and JAX",
            "dry_run": args.dry_run,
            "cpu_check": args.cpu_check,
            "date": now_iso(),
            "command": args.command,
            "argv": sys.argv[1:],
            "budget_s": args.budget,
            "elapsed_s": 0.0,
            "finished": False,
            "settings": {"backend": args.backend, "train_limit": args.train_limit,
                         "reps": args.reps, "epochs": args.epochs, "e2e_epochs": args.e2e_epochs,
                         "seeds": args.seeds, "sweep_space": str(args.sweep_space), "groups": args.only,
                         "data_dir": str(args.data), "logs_dir": str(self.logs), "fashion": str(args.fashion),
                         "python": args.python},
            "gpu": {},
            "versions": {},
            "env": {k: os.environ.get(k) for k in ("XLA_FLAGS", "GOMLX_NO_AUTO_INSTALL", "PJRT_PLUGIN_LIBRARY_PATH",
                                                   "GOXLA_DIR", "FASHION_XLA_MEMORY_FRACTION", "CUDA_VISIBLE_DEVICES")
                    if os.environ.get(k) is not None},
            "steps": [],
            "summary": {},
            "errors": [],
        }

    # ---- running one step

    def env(self, kind: str, extra: dict | None = None) -> dict:
        env = dict(os.environ)
        env["FASHION_MNIST_DIR"] = str(self.args.data)
        if kind == "python":
            # XLA_FLAGS is the Go program's (CUDA data dir, autotune cache); JAX reads it too, so
            # the Python references run with JAX's and PyTorch's own defaults instead.
            env.pop("XLA_FLAGS", None)
            env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"  # as GoMLX's client: grow, don't take 75%
        else:
            env["FASHION_RUNS_DIR"] = str(self.logs / "bench-runs")  # `fashion bench`'s autotune cache
        env.update(extra or {})
        return env

    def step(self, name: str, group: str, cmd: list, kind: str = "go", extra_env: dict | None = None,
             parse=None, prepare=None) -> dict:
        limit, least = LIMITS[group]
        if self.args.step_timeout:
            limit, least = min(limit, self.args.step_timeout), min(least, self.args.step_timeout)
        left = self.deadline - time.time()
        rec = {"name": name, "group": group, "command": quote(cmd)}
        if extra_env:
            rec["env"] = dict(extra_env)
        if left < least:
            rec.update(status="skipped", error=f"skipped: {left:.0f} s of the {self.args.budget:.0f} s budget left, "
                                               f"this step needs at least {least} s")
            return self.record(rec)
        timeout = min(limit, left)
        rec["timeout_s"] = round(timeout)
        out_path, err_path = self.logs / f"{name}.out", self.logs / f"{name}.err"
        rec["log"] = [str(out_path), str(err_path)]
        if prepare:
            try:
                prepare()
            except OSError as e:
                rec.update(status="error", error=f"could not prepare: {e}")
                return self.record(rec)
        run_cmd = cmd
        env = self.env(kind, extra_env)
        env["GPU_BENCH_STEP"] = name
        if self.args.dry_run:
            run_cmd = [sys.executable, str(pathlib.Path(__file__).resolve()), "--fake", "--", *map(str, cmd)]
        print(f"[gpu.py {time.time() - self.t_start:5.0f}s] {name}: {quote(cmd)}"
              + (f"  ({' '.join(f'{k}={v}' for k, v in extra_env.items())})" if extra_env else ""), flush=True)
        rec["started"] = now_iso()
        t0 = time.time()
        try:
            with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
                self.current = subprocess.Popen([str(c) for c in run_cmd], stdout=fo, stderr=fe, env=env,
                                                cwd=ROOT, start_new_session=True)
                try:
                    rc = self.current.wait(timeout=timeout)
                    rec["rc"] = rc
                    rec["status"] = "ok" if rc == 0 else "error"
                    if rc != 0:
                        rec["error"] = f"exit status {rc}"
                except subprocess.TimeoutExpired:
                    self.stop_child()
                    rec.update(status="timeout", error=f"timed out after {timeout:.0f} s (killed)")
                except Interrupted:
                    self.stop_child()
                    rec.update(status="interrupted", error="interrupted by a signal (killed)")
                    raise
                finally:
                    rec["wall_s"] = round(time.time() - t0, 3)
                    self.current = None
        except OSError as e:
            rec.update(status="error", error=f"could not start: {e}", wall_s=round(time.time() - t0, 3))
        except Interrupted:
            rec.update(self.sampler.window(t0, time.time()))
            self.record(rec)
            raise
        rec.update(self.sampler.window(t0, time.time()))
        if parse is not None and rec["status"] in ("ok", "error", "timeout"):
            try:
                parsed = parse(out_path, rec)
                if parsed is not None:
                    rec["result"] = parsed
            except Exception as e:  # a result that cannot be read is an error of the step
                if rec["status"] == "ok":
                    rec["status"] = "error"
                rec["error"] = (rec.get("error", "") + f"; result unreadable: {type(e).__name__}: {e}").lstrip("; ")
        if rec["status"] != "ok":
            rec["output_tail"] = (tail(err_path) + "\n" + tail(out_path, 500)).strip()
        print(f"[gpu.py {time.time() - self.t_start:5.0f}s] {name}: {rec['status']} in {rec.get('wall_s', 0):.1f} s"
              + (f" ({rec['error']})" if rec.get("error") else ""), flush=True)
        return self.record(rec)

    def stop_child(self) -> None:
        p = self.current
        if p is None or p.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(p.pid, sig)
            except OSError:
                return
            try:
                p.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def record(self, rec: dict) -> dict:
        self.doc["steps"].append(rec)
        if rec["status"] != "ok":
            self.doc["errors"].append(f"{rec['name']}: {rec.get('error', rec['status'])}")
        self.save()
        return rec

    # ---- result readers

    @staticmethod
    def read_json(path: pathlib.Path):
        def parse(_out, rec):
            if not path.exists():
                if rec["status"] == "ok":
                    raise FileNotFoundError(f"{path} was not written")
                return None
            r = json.loads(path.read_text())
            keep = ["impl", "version", "device", "backend", "train_examples_per_s", "seconds_per_epoch",
                    "eval_examples_per_s", "eval_best_batch", "eval_examples_per_s_by_batch", "peak_rss_mb",
                    "epochs", "gpu_name", "cuda_version", "allow_tf32_matmul", "float32_matmul_precision",
                    "gpu_max_memory_allocated_mb", "gpu_max_memory_reserved_mb", "gpu_peak_bytes_in_use_mb",
                    "default_matmul_precision", "optimizer", "compile_seconds", "capture_seconds", "warmup_seconds",
                    "steps_per_call", "first_epoch_seconds", "train_examples"]
            res = {k: r[k] for k in keep if k in r}
            hist = r.get("history") or []
            if hist:
                res["final_val_accuracy"] = hist[-1].get("val_accuracy", hist[-1].get("ValAccuracy"))
                res["epoch_seconds"] = [h.get("epoch_seconds", h.get("Seconds", h.get("seconds"))) for h in hist]
            res["json"] = str(path)
            return res
        return parse

    @staticmethod
    def read_train(out_path: pathlib.Path, rec: dict) -> dict:
        """`fashion train -progress jsonl`: epoch, done and error events."""
        epochs, done, errors = [], [], []
        for line in out_path.read_text(errors="replace").splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            if ev.get("event") == "epoch":
                epochs.append(ev)
            elif ev.get("event") == "done":
                done.append(ev)
            elif ev.get("event") == "error":
                errors.append(ev.get("error"))
        secs = [e.get("seconds") or 0.0 for e in epochs]
        res = {"runs_done": len(done), "epochs_run": len(epochs),
               "epoch_seconds_sum": round(sum(secs), 3),
               "first_epoch_s": secs[0] if secs else None,
               "median_epoch_s": statistics.median(secs) if secs else None,
               "outside_epochs_s": round(rec["wall_s"] - sum(secs), 3),
               "test_accuracy": [d.get("test_accuracy") for d in done],
               "cached": [d.get("cached") for d in done]}
        if errors:
            res["errors"] = errors
        if rec["status"] == "ok" and not done:
            raise ValueError("no \"done\" event on standard output")
        if any(res["cached"]):
            res["warning"] = "a run came from the cache: it was not trained"
        return res

    @staticmethod
    def autotune_files(runs_dir: pathlib.Path) -> dict:
        root = runs_dir / ".xla-autotune"
        if not root.is_dir():
            return {"dir": str(root), "exists": False}
        files = [p for p in root.rglob("*") if p.is_file()]
        return {"dir": str(root), "exists": True, "builds": sorted(p.name for p in root.iterdir() if p.is_dir()),
                "files": len(files), "bytes": sum(p.stat().st_size for p in files)}

    @staticmethod
    def read_sweep(sweep_out: pathlib.Path, runs_dir: pathlib.Path):
        def parse(_out, rec):
            finished = sum(1 for _ in runs_dir.glob("*/run.json")) if runs_dir.is_dir() else 0
            res = {"runs_in_cache": finished}
            p = sweep_out / "sweep.json"
            if p.exists():
                s = json.loads(p.read_text())
                trials = s.get("trials") or []
                res.update(trials=len(trials), trained=s.get("trained"), cached=s.get("cached"),
                           failed=s.get("failed"), sweep_seconds=s.get("seconds"), parallel=s.get("parallel"),
                           trial_errors=[t["error"] for t in trials if t.get("error")][:8],
                           best_val_accuracy=max((t.get("val_accuracy") or 0 for t in trials), default=None))
            elif rec["status"] == "ok":
                raise FileNotFoundError(f"{p} was not written")
            return res
        return parse

    # ---- facts

    def gpu_facts(self) -> None:
        g = {}
        if self.args.dry_run or self.args.cpu_check:
            g["note"] = "dry run or CPU check: no GPU queried"
        else:
            def smi(*a):
                try:
                    r = subprocess.run(["nvidia-smi", *a], capture_output=True, text=True, timeout=30)
                    return r.stdout.strip() if r.returncode == 0 else None
                except (OSError, subprocess.TimeoutExpired):
                    return None
            q = smi("--query-gpu=name,driver_version,memory.total,memory.used", "--format=csv,noheader,nounits")
            if q:
                lines = q.splitlines()
                parts = [p.strip() for p in lines[0].split(",")]
                g.update(name=parts[0], driver=parts[1], memory_total_mib=float(parts[2]),
                         memory_used_at_start_mib=float(parts[3]), count=len(lines))
            else:
                self.doc["errors"].append("nvidia-smi: the GPU query failed")
            cc = smi("--query-gpu=compute_cap", "--format=csv,noheader")
            if cc:
                g["compute_capability"] = cc.splitlines()[0].strip()
            head = smi()
            if head:
                m = re.search(r"CUDA Version:\s*([0-9.]+)", head)
                if m:
                    g["driver_cuda_version"] = m.group(1)
        self.doc["gpu"] = g

    def versions(self) -> None:
        v = {"python": platform.python_version(), "gomlx": "v0.26.0", "platform": platform.platform(),
             "cpu_count": os.cpu_count()}
        for pkg in ("torch", "jax", "jaxlib", "jax-cuda13-pjrt", "jax-cuda13-plugin", "optax", "numpy",
                    "nvidia-cuda-runtime", "nvidia-cudnn-cu13", "nvidia-cublas"):
            try:
                v[pkg] = importlib.metadata.version(pkg)
            except importlib.metadata.PackageNotFoundError:
                pass
        if self.args.python != sys.executable:
            v["python_used_for_references"] = self.args.python
        fb = pathlib.Path(self.args.fashion)
        if fb.is_file():
            v["fashion_binary"] = {"path": str(fb), "bytes": fb.stat().st_size,
                                   "sha256": hashlib.sha256(fb.read_bytes()).hexdigest(),
                                   "modified": dt.datetime.fromtimestamp(fb.stat().st_mtime).isoformat(timespec="seconds")}
        else:
            self.doc["errors"].append(f"{fb}: missing (build it with go build -o bin/fashion ./cmd/fashion)")
        try:
            r = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
            if r.returncode == 0:
                v["git_commit"] = r.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
        goxla = pathlib.Path(os.environ.get("GOXLA_DIR") or pathlib.Path.home() / ".local/lib/go-xla")
        marker = goxla / "nvidia" / ".cudainstall"
        if marker.is_file():
            v["cuda_plugin_install"] = marker.read_text(errors="replace").strip()[:500]
        plugin = goxla / "nvidia" / "pjrt_c_api_cuda_plugin.so"
        if plugin.exists():
            v["cuda_plugin"] = str(plugin.resolve())
        self.doc["versions"] = v

    # ---- the groups

    def throughput_rep(self, rep: int) -> None:
        a, py, d = self.args, self.args.python, self.args.data
        res = self.logs / "results"
        res.mkdir(parents=True, exist_ok=True)
        for impl in IMPLS:
            out = res / f"{impl}-{rep}.json"
            out.unlink(missing_ok=True)
            limit = ["--train-limit", a.train_limit] if a.train_limit else []
            if impl == "gomlx":
                cmd = [a.fashion, "bench", "-backend", a.backend, "-epochs", a.epochs, "-json", out]
                cmd += ["-train-limit", a.train_limit] if a.train_limit else []
                kind = "go"
            elif impl == "pytorch-eager":
                cmd = [py, "bench/torch_ref.py", "--device", a.torch_device, "--epochs", a.epochs, "--data-dir", d,
                       "--json", out] + limit
                kind = "python"
            elif impl == "pytorch-cudagraph":
                cmd = [py, "bench/torch_cudagraph.py", "--device", a.torch_device, "--epochs", a.epochs, "--data-dir", d,
                       "--json", out] + limit + (["--no-graph"] if a.cpu_check else [])
                kind = "python"
            else:
                cmd = [py, "bench/jax_ref.py", "--device", a.jax_device, "--epochs", a.epochs, "--data-dir", d,
                       "--json", out] + limit
                kind = "python"
            rec = self.step(f"throughput-{rep + 1}-{impl}", "throughput", cmd, kind, parse=self.read_json(out))
            rec["impl"], rec["rep"] = impl, rep

    def fresh(self, path: pathlib.Path):
        def prepare():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
        return prepare

    def train_cmd(self, runs_dir: pathlib.Path, warm: bool, seeds: int = 0) -> list:
        a = self.args
        cmd = [a.fashion, "train"]
        cmd += (["-seeds", a.seeds] if seeds else []) + ["-epochs", a.e2e_epochs]
        cmd += ["-train-limit", a.train_limit] if a.train_limit else []
        cmd += ["-backend", a.backend, "-runs-dir", runs_dir, "-data", a.data, "-quiet", "-progress", "jsonl"]
        return cmd + (["-force"] if warm else [])

    def e2e_step(self, name, group, runs_dir, warm, seeds=0, autotune0=False):
        extra = None
        if autotune0:
            flags = os.environ.get("XLA_FLAGS", "")
            extra = {"XLA_FLAGS": (flags + " " + AUTOTUNE0).strip()}
        rec = self.step(name, group, self.train_cmd(runs_dir, warm, seeds), "go", extra,
                        parse=self.read_train, prepare=None if warm else self.fresh(runs_dir))
        rec.update(phase="warm" if warm else "cold", autotune="level 0" if autotune0 else "default")
        if rec["status"] != "skipped":
            rec["autotune_cache"] = self.autotune_files(runs_dir)
        self.save()

    def e2e(self) -> None:
        r_def, r_0 = self.logs / "e2e-default", self.logs / "e2e-autotune0"
        for warm in (False, True):  # ABAB: default, level 0, default, level 0
            phase = "warm" if warm else "cold"
            self.e2e_step(f"e2e-{self.args.e2e_epochs}ep-default-{phase}", "e2e", r_def, warm)
            self.e2e_step(f"e2e-{self.args.e2e_epochs}ep-autotune0-{phase}", "e2e", r_0, warm, autotune0=True)

    def seeds(self) -> None:
        r = self.logs / "e2e-seeds"
        for warm in (False, True):
            self.e2e_step(f"e2e-seeds{self.args.seeds}-{'warm' if warm else 'cold'}", "seeds", r, warm,
                          seeds=self.args.seeds)

    def sweep(self) -> None:
        a = self.args
        space = a.sweep_space
        if a.cpu_check:  # the same trials on the CPU backend, 2 epochs on --train-limit images
            sp = json.loads((ROOT / space).read_text() if not os.path.isabs(space) else pathlib.Path(space).read_text())
            sp["params"].update(backend=a.backend, epochs=2, train_limit=a.train_limit)
            space = self.logs / "cpu-check-space.json"
            space.write_text(json.dumps(sp))
        for par in (4, 1):
            runs, out = self.logs / f"sweep-p{par}-runs", self.logs / f"sweep-p{par}"
            cmd = [a.fashion, "sweep", "-space", space, "-parallel", par, "-runs-dir", runs, "-out", out,
                   "-data", a.data]

            def prepare(runs=runs, out=out):
                self.fresh(runs)()
                self.fresh(out)()

            rec = self.step(f"sweep-parallel{par}", "sweep", cmd, "go", parse=self.read_sweep(out, runs),
                            prepare=prepare)
            rec["parallel"] = par
            self.save()

    # ---- summary and writers

    def summarize(self) -> dict:
        steps = self.doc["steps"]
        s = {"throughput": {}, "ratios": {}, "end_to_end": [], "sweep": {}}
        by_rep: dict[int, dict[str, dict]] = {}
        for impl in IMPLS:
            ok = [r for r in steps if r.get("impl") == impl and r["status"] == "ok" and "result" in r]
            row = {"runs": len(ok), "failed": sum(1 for r in steps if r.get("impl") == impl and r["status"] != "ok")}
            for m in ("train_examples_per_s", "seconds_per_epoch", "eval_examples_per_s"):
                vals = [r["result"][m] for r in ok if isinstance(r["result"].get(m), (int, float))]
                if vals:
                    row[m] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "values": vals}
            mems = [r["gpu_mem_peak_mib"] for r in ok if r.get("gpu_mem_peak_mib") is not None]
            if mems:
                row["gpu_mem_peak_mib"] = max(mems)
            if ok:
                row["version"] = ok[0]["result"].get("version")
                row["final_val_accuracy"] = [r["result"].get("final_val_accuracy") for r in ok]
            s["throughput"][impl] = row
            for r in ok:
                by_rep.setdefault(r["rep"], {})[impl] = r["result"]
        for other in ("pytorch-cudagraph", "jax", "pytorch-eager"):
            ratio = {}
            for m, key in (("train_examples_per_s", "train"), ("eval_examples_per_s", "eval")):
                vals = [reps["gomlx"][m] / reps[other][m] for reps in by_rep.values()
                        if "gomlx" in reps and other in reps and reps[other].get(m)]
                if vals:  # per repetition, then the median: drift hits both of a pair alike
                    ratio[key] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}
            if ratio:
                s["ratios"][f"gomlx/{other}"] = ratio
        rows = {}
        for r in steps:
            if r["group"] not in ("e2e", "seeds"):
                continue
            label = (f"{self.args.seeds} seeds × {self.args.e2e_epochs} epochs (`-seeds {self.args.seeds}`)"
                     if r["group"] == "seeds" else
                     f"{self.args.e2e_epochs} epochs, autotune " + ("level 0" if r.get("autotune") == "level 0" else "default"))
            row = rows.setdefault(label, {"label": label})
            ph = r.get("phase", "cold")
            row[ph] = {"status": r["status"], "wall_s": r.get("wall_s"), "error": r.get("error"),
                       "gpu_mem_peak_mib": r.get("gpu_mem_peak_mib")}
            if "result" in r:
                row[ph].update({k: r["result"].get(k) for k in ("epoch_seconds_sum", "first_epoch_s", "median_epoch_s",
                                                                 "outside_epochs_s", "test_accuracy", "runs_done")})
        s["end_to_end"] = list(rows.values())
        for r in steps:
            if r["group"] == "sweep":
                s["sweep"][f"parallel_{r.get('parallel')}"] = {
                    "status": r["status"], "wall_s": r.get("wall_s"), "error": r.get("error"),
                    "gpu_mem_peak_mib": r.get("gpu_mem_peak_mib"), **(r.get("result") or {})}
        p1, p4 = s["sweep"].get("parallel_1"), s["sweep"].get("parallel_4")
        if p1 and p4 and p4.get("status") == "ok" and p4.get("wall_s") and p1.get("wall_s") and p1["status"] in ("ok", "timeout"):
            s["sweep"]["throughput_ratio_parallel4_to_1"] = p1["wall_s"] / p4["wall_s"]
            s["sweep"]["ratio_is_lower_bound"] = p1["status"] == "timeout"
        return s

    def save(self) -> None:
        self.doc["elapsed_s"] = round(time.time() - self.t_start, 1)
        try:
            self.doc["summary"] = self.summarize()
        except Exception as e:  # the raw steps must reach the disk even if summarizing fails
            self.doc["summary"] = {"error": f"{type(e).__name__}: {e}"}
        self.out.mkdir(parents=True, exist_ok=True)
        for name, text in (("bench-gpu.json", json.dumps(self.doc, indent=2) + "\n"), ("bench-gpu.md", self.markdown())):
            path = self.out / name
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text)
            os.replace(tmp, path)

    def markdown(self) -> str:
        d, s = self.doc, self.doc.get("summary") or {}
        g, v = d.get("gpu") or {}, d.get("versions") or {}
        fmt = lambda x, f=",.0f": "–" if x is None else format(x, f)
        tp = s.get("throughput") or {}
        torch_v = v.get("torch") or (tp.get("pytorch-eager") or {}).get("version") or "?"
        jax_v = v.get("jax") or (tp.get("jax") or {}).get("version") or "?"
        L = [f"# {d['title']}", ""]
        if d["dry_run"]:
            L += ["**DRY RUN: every number below is fake** (bench/gpu.py --dry-run checks the flow and the writers).", ""]
        if d.get("cpu_check"):
            L += [f"**CPU CHECK: no GPU; GoMLX on `{self.args.backend}`, PyTorch and JAX on the CPU, the CUDA-graph "
                  f"script's steps run eagerly, {self.args.train_limit} training images** (bench/gpu.py --cpu-check "
                  "checks the script on the real programs; these are not GPU figures).", ""]
        gpu = (f"{g.get('name', '?')} ({fmt(g.get('memory_total_mib'))} MiB, driver {g.get('driver', '?')}, "
               f"CUDA {g.get('driver_cuda_version', '?')})") if g.get("name") else "GPU not queried"
        L += [f"Made by `{d['command']}` on {d['date'][:10]} ({d['elapsed_s']:.0f} s"
              + ("" if d["finished"] else ", **incomplete**: the run stopped before its last step") + f"): {gpu}; "
              f"{v.get('cpu_count', '?')} CPUs. GoMLX {v.get('gomlx', '?')} with jax-cuda13-pjrt "
              f"{v.get('jax-cuda13-pjrt', '?')}; PyTorch {torch_v}; JAX {jax_v}. "
              "Raw numbers, commands and versions: bench-gpu.json.", ""]
        L += ["## Training and evaluation speed", "",
              f"The exercise's configuration (MLP 784-120-72-48-10, batch 128, RMSprop lr 1e-4 momentum 0.9), "
              f"{self.args.epochs} epochs per run, {self.args.reps} repetitions in the order "
              f"{', '.join(IMPLS)} each time; median [range]. Training examples/s leave out validation, warm-up "
              "and compilation (GoMLX: its first epoch); evaluation is the 10,000 test images, forward + argmax "
              "with the predicted classes copied to host memory (GoMLX also sums loss and accuracy in the same pass), "
              "best batch of 1000 / 5000 (GoMLX only) / 10000, best of 5. GPU MiB: the card's memory.used, "
              "highest sample (every 0.5 s) during the run.", "",
              "| implementation | runs | train examples/s | s/epoch | eval images/s | GPU MiB | final val acc |",
              "|---|---:|---:|---:|---:|---:|---:|"]
        for impl in IMPLS:
            r = (s.get("throughput") or {}).get(impl) or {}
            rng = lambda m, f=",.0f": (f"{fmt(r[m]['median'], f)} [{fmt(r[m]['min'], f)}–{fmt(r[m]['max'], f)}]"
                                       if m in r else "–")
            acc = [a for a in r.get("final_val_accuracy") or [] if a is not None]
            runs = f"{r.get('runs', 0)}" + (f" ({r['failed']} failed)" if r.get("failed") else "")
            L.append(f"| {IMPL_LABEL[impl]} | {runs} | {rng('train_examples_per_s')} | {rng('seconds_per_epoch', '.3f')} | "
                     f"{rng('eval_examples_per_s')} | {fmt(r.get('gpu_mem_peak_mib'))} | "
                     f"{', '.join(f'{100 * a:.2f}%' for a in acc) or '–'} |")
        L += ["", "GoMLX over the others (per repetition's pair, median [range]):", "",
              "| ratio | training | evaluation |", "|---|---:|---:|"]
        for key, ratio in (s.get("ratios") or {}).items():
            cell = lambda k: (f"{ratio[k]['median']:.2f}× [{ratio[k]['min']:.2f}–{ratio[k]['max']:.2f}]"
                              if k in ratio else "–")
            L.append(f"| GoMLX / {RATIO_LABEL.get(key.split('/', 1)[1], key)} | {cell('train')} | {cell('eval')} |")
        if not s.get("ratios"):
            L.append("| (no pair measured) | – | – |")
        L += ["", "## End to end", "",
              "Wall seconds from process start to exit of `fashion train ... -backend xla:cuda -runs-dir R "
              "-progress jsonl` (data loading, CUDA client, compilation, autotuning, training, test evaluation, "
              "writing the run). Cold: R empty (no stored run, no autotune cache in R/.xla-autotune/); warm: the "
              "same R again with `-force` (retrained, autotune cache filled). Cold means an empty R only: earlier steps "
              "have already brought the program and the CUDA libraries into the file cache. Autotune level 0: "
              f"`XLA_FLAGS` += `{AUTOTUNE0}`. In brackets: the seconds inside the epochs.", "",
              "| run | cold s | warm s | test accuracy (warm) |", "|---|---:|---:|---:|"]
        for row in s.get("end_to_end") or []:
            def cell(ph):
                c = row.get(ph)
                if not c:
                    return "–"
                if c["status"] != "ok":
                    return f"{c['status']}" + (f" ({c['wall_s']:.0f} s)" if c.get("wall_s") else "")
                inner = c.get("epoch_seconds_sum")
                return f"{c['wall_s']:.1f}" + (f" ({inner:.1f})" if inner is not None else "")
            acc = ((row.get("warm") or row.get("cold") or {}).get("test_accuracy")) or []
            L.append(f"| {row['label']} | {cell('cold')} | {cell('warm')} | "
                     f"{', '.join(f'{100 * a:.2f}%' for a in acc if a is not None) or '–'} |")
        if not s.get("end_to_end"):
            L.append("| (not run) | – | – | – |")
        sw = s.get("sweep") or {}
        L += ["", "## Sweep: parallel trials on one card", "",
              f"`fashion sweep -space {self.args.sweep_space} -parallel N -runs-dir R` (8 trials of 10 epochs: "
              "optimizer rmsprop/adam × 4 learning rates, backend xla:cuda), each N into its own empty R, so no "
              "trial is a cache hit and each starts with an empty autotune cache. -parallel 1 trains the trials "
              "in one process; -parallel 4 runs four `fashion train` processes at once.", "",
              "| -parallel | wall s | trials trained | failed | GPU MiB | best val acc |", "|---:|---:|---:|---:|---:|---:|"]
        for par in (1, 4):
            c = sw.get(f"parallel_{par}")
            if not c:
                L.append(f"| {par} | – | – | – | – | – |")
                continue
            wall = f"{c['wall_s']:.1f}" if c.get("wall_s") is not None else "–"
            if c["status"] != "ok":
                wall = f"{c['status']}" + (f" after {c['wall_s']:.0f}" if c.get("wall_s") else "")
            trained = c.get("trained", c.get("runs_in_cache"))
            bva = c.get("best_val_accuracy")
            L.append(f"| {par} | {wall} | {fmt(trained, 'd') if isinstance(trained, int) else '–'} | "
                     f"{fmt(c.get('failed'), 'd') if isinstance(c.get('failed'), int) else '–'} | "
                     f"{fmt(c.get('gpu_mem_peak_mib'))} | {f'{100 * bva:.2f}%' if bva else '–'} |")
        if "throughput_ratio_parallel4_to_1" in sw:
            L += ["", f"Throughput of -parallel 4 over -parallel 1 (wall time of 1 / wall time of 4): "
                      f"{'at least ' if sw.get('ratio_is_lower_bound') else ''}"
                      f"{sw['throughput_ratio_parallel4_to_1']:.2f}×."]
        if d["errors"]:
            L += ["", "## Errors and skipped steps", ""] + [f"- {e}" for e in d["errors"]]
            L += ["", "Each failed step's last output is in bench-gpu.json (`steps[].output_tail`)."]
        return "\n".join(L) + "\n"

    # ---- main

    def run(self) -> int:
        self.logs.mkdir(parents=True, exist_ok=True)
        if not (self.args.dry_run or self.args.cpu_check):
            self.sampler.start()
        self.gpu_facts()
        self.versions()
        self.save()
        only = self.args.only
        plan = []  # (group, function): the order of the run
        if "throughput" in only and self.args.reps > 0:
            plan.append(("throughput", lambda: self.throughput_rep(0)))
        if "e2e" in only:
            plan.append(("e2e", self.e2e))
        if "throughput" in only:
            plan += [("throughput", lambda rep=rep: self.throughput_rep(rep)) for rep in range(1, self.args.reps)]
        if "seeds" in only:
            plan.append(("seeds", self.seeds))
        if "sweep" in only:
            plan.append(("sweep", self.sweep))
        try:
            for group, fn in plan:
                try:
                    fn()
                except Interrupted:
                    raise
                except Exception as e:  # a bug here must not cost the rest of the one run
                    self.doc["errors"].append(f"bench/gpu.py: {group}: {type(e).__name__}: {e}")
                    self.save()
            self.doc["finished"] = True
        except Interrupted:
            self.doc["errors"].append("bench/gpu.py: interrupted by a signal; later steps did not run")
        finally:
            self.sampler.stop()
            if self.sampler.samples:
                self.doc["gpu"]["memory_used_peak_mib"] = max(m for _, m, _ in self.sampler.samples)
            elif self.sampler.error:
                self.doc["gpu"]["sampler_error"] = self.sampler.error
            self.save()
        print(f"wrote {self.out / 'bench-gpu.json'} and {self.out / 'bench-gpu.md'} "
              f"({len(self.doc['errors'])} errors; logs in {self.logs})")
        if not self.doc["finished"]:
            return 1
        return 3 if self.doc["errors"] else 0


# ---------------------------------------------------------------- dry run: fake steps

def fake(cmd: list[str]) -> int:
    """Imitates a step's program (fake numbers) for --dry-run; GPU_BENCH_FAKE_FAIL and
    GPU_BENCH_FAKE_SLEEP (substrings of step names; SLEEP as NAME=SECONDS) make steps fail or hang."""
    step = os.environ.get("GPU_BENCH_STEP", "")
    for spec in filter(None, os.environ.get("GPU_BENCH_FAKE_SLEEP", "").split(",")):
        name, _, secs = spec.partition("=")
        if name and name in step:
            time.sleep(float(secs or 3600))
    fail = os.environ.get("GPU_BENCH_FAKE_FAIL", "")
    if fail and any(f and f in step for f in fail.split(",")):
        print(f"fake failure of {step}", file=sys.stderr)
        return 3

    def arg(flag):
        return cmd[cmd.index(flag) + 1] if flag in cmd else None

    seed = int(hashlib.sha256(step.encode()).hexdigest()[:6], 16) % 1000 / 1000  # deterministic spread
    time.sleep(0.05)
    if "bench" in cmd[1:2] or any(c.endswith(".py") for c in cmd):
        out = arg("-json") or arg("--json")
        impl = next((i for i in IMPLS if i in step), "gomlx")
        base = {"gomlx": 900e3, "pytorch-eager": 250e3, "pytorch-cudagraph": 1.5e6, "jax": 700e3}[impl]
        r = {"impl": impl, "version": "fake", "train_examples_per_s": base * (1 + 0.1 * seed),
             "seconds_per_epoch": 60000 / base + 0.02, "eval_examples_per_s": base * 20 * (1 + 0.1 * seed),
             "history": [{"val_accuracy": 0.8 + 0.01 * seed, "epoch_seconds": 0.1}]}
        pathlib.Path(out).write_text(json.dumps(r))
        return 0
    if cmd[1:2] == ["train"]:
        runs = pathlib.Path(arg("-runs-dir"))
        (runs / ".xla-autotune" / "fakebuild").mkdir(parents=True, exist_ok=True)
        (runs / ".xla-autotune" / "fakebuild" / "x.textproto").write_text("fake")
        n = int(arg("-seeds") or 1)
        epochs = int(arg("-epochs"))
        for k in range(n):
            for e in range(epochs):
                print(json.dumps({"event": "epoch", "key": f"k{k}", "epoch": e, "epochs": epochs, "seconds": 0.2 + 0.01 * seed}))
            print(json.dumps({"event": "done", "key": f"k{k}", "test_accuracy": 0.88 + 0.001 * k, "cached": False}))
        print("Test: fake", file=sys.stderr)
        return 0
    if cmd[1:2] == ["sweep"]:
        runs, out = pathlib.Path(arg("-runs-dir")), pathlib.Path(arg("-out"))
        par = int(arg("-parallel"))
        for i in range(8):
            (runs / f"t{i}").mkdir(parents=True, exist_ok=True)
            (runs / f"t{i}" / "run.json").write_text("{}")
        out.mkdir(parents=True, exist_ok=True)
        trials = [{"val_accuracy": 0.85 + 0.001 * i} for i in range(8)]
        (out / "sweep.json").write_text(json.dumps({"trials": trials, "trained": 8, "cached": 0, "failed": 0,
                                                    "seconds": 10.0 / par, "parallel": par}))
        time.sleep(0.2 / par)
        return 0
    print(f"fake: unknown command {cmd}", file=sys.stderr)
    return 2


# ---------------------------------------------------------------- arguments

def find_data(given: str | None) -> pathlib.Path | None:
    for d in [given, os.environ.get("FASHION_MNIST_DIR"), str(ROOT / "data" / "fashion-mnist"),
              "/usr/share/datasets/fashion-mnist"]:
        if d and all((pathlib.Path(d) / f).is_file() for f in DATA_FILES):
            return pathlib.Path(d).resolve()
        if d and d == given:
            return None  # a folder that was asked for must hold the files
    return None


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="bench/gpu.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="folder with the four Fashion-MNIST .gz files (default $FASHION_MNIST_DIR, "
                                   "data/fashion-mnist, /usr/share/datasets/fashion-mnist)")
    ap.add_argument("--out", help="where bench-gpu.json and bench-gpu.md go (default docs/; "
                                  "with --dry-run a temporary folder)")
    ap.add_argument("--logs", help="every step's output, result JSONs, runs directories "
                                   "(default data/bench-gpu/ of the checkout, git-ignored)")
    ap.add_argument("--budget", type=float, default=420, help="seconds for all steps together (default 420); "
                    "a step is cut at what is left, and not started with too little")
    ap.add_argument("--step-timeout", type=float, help="caps every step's own limit (defaults: throughput "
                    + ", ".join(f"{g} {lim[0]}" for g, lim in LIMITS.items()) + " s)")
    ap.add_argument("--reps", type=int, default=2, help="throughput repetitions (default 2)")
    ap.add_argument("--epochs", type=int, default=3, help="epochs of each throughput run (default 3)")
    ap.add_argument("--e2e-epochs", type=int, default=40, help="epochs of the end-to-end runs (default 40, the exercise)")
    ap.add_argument("--seeds", type=int, default=3, help="seeds of the -seeds run (default 3)")
    ap.add_argument("--only", default=",".join(GROUPS), help=f"groups to run, comma-separated (default {','.join(GROUPS)})")
    ap.add_argument("--fashion", default=str(ROOT / "bin" / "fashion"), help="the fashion binary (default bin/fashion)")
    ap.add_argument("--python", default=sys.executable, help="interpreter of the Python references (default: this one)")
    ap.add_argument("--sweep-space", default="bench/gpu-sweep.json", help="space of the sweep comparison")
    ap.add_argument("--command", default="python3 bench/gpu.py " + " ".join(map(shlex.quote, argv)),
                    help=argparse.SUPPRESS)  # how the run was started, as bench/gpu.sh puts it
    ap.add_argument("--cpu-check", action="store_true", help="check the script without a GPU on the real programs: "
                    "GoMLX on the pure-Go backend, PyTorch and JAX on the CPU (the CUDA-graph script's steps run "
                    "eagerly), --train-limit 2000 unless given; the documents say CPU CHECK")
    ap.add_argument("--train-limit", type=int, default=0, help="train on the first N images only (0: all)")
    ap.add_argument("--dry-run", action="store_true", help="run fake steps (no GPU, no bin/fashion needed) "
                    "to check the flow and the JSON/Markdown writers; the documents say DRY RUN")
    ap.add_argument("--fake", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.fake:
        return args
    if args.rest:
        ap.error(f"unexpected arguments: {' '.join(args.rest)}")
    only = [g.strip() for g in args.only.split(",") if g.strip()]
    bad = [g for g in only if g not in GROUPS]
    if bad or not only:
        ap.error(f"--only {args.only!r}: want some of {', '.join(GROUPS)}")
    args.only = only
    if args.reps < 0 or args.epochs < 1 or args.e2e_epochs < 1 or args.seeds < 1 or args.budget <= 0:
        ap.error("--reps >= 0, --epochs, --e2e-epochs, --seeds >= 1 and --budget > 0, please")
    data = find_data(args.data)
    if data is None:
        if not args.dry_run:
            where = args.data or "$FASHION_MNIST_DIR, data/fashion-mnist or /usr/share/datasets/fashion-mnist"
            ap.error(f"no Fashion-MNIST files in {where} (want {', '.join(DATA_FILES)}); pass --data DIR")
        data = pathlib.Path(args.data or "/nonexistent-fashion-mnist")
    args.data = data
    if args.cpu_check and args.dry_run:
        ap.error("--cpu-check and --dry-run: one or the other")
    if args.cpu_check:
        args.backend, args.torch_device, args.jax_device = "go", "cpu", "cpu"
        args.train_limit = args.train_limit or 2000
    else:
        args.backend, args.torch_device, args.jax_device = "xla:cuda", "cuda", "gpu"
    if args.out is None:
        args.out = ((pathlib.Path("/tmp") / f"bench-gpu-check-{os.getpid()}") if args.dry_run or args.cpu_check
                    else ROOT / "docs")
    if args.logs is None:
        args.logs = pathlib.Path(args.out) / "logs" if args.dry_run or args.cpu_check else ROOT / "data" / "bench-gpu"
    args.out, args.logs = pathlib.Path(args.out).resolve(), pathlib.Path(args.logs).resolve()
    args.fashion = str(pathlib.Path(args.fashion).resolve())
    sp = pathlib.Path(args.sweep_space)
    args.sweep_space = str(sp.relative_to(ROOT) if sp.is_absolute() and sp.is_relative_to(ROOT) else sp)
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.fake:
        rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
        return fake(rest)

    def interrupted(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
