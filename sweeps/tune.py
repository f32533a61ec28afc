#!/usr/bin/env python3
"""Ray Tune driver for fashion-gomlx sweeps.

Reads the same space file as `fashion sweep` (see `go doc ./fashion/sweep`),
translates it into a Tune search space, and runs every trial as the Go trial
runner:

    bin/fashion train -config - -progress jsonl -runs-dir RUNS -quiet

with the trial's Config on standard input. Each epoch's JSON line is
reported to Tune (tune.report), so ASHA can stop weak trials; a stopped
trial's child gets SIGTERM and exits (it stores nothing half-done), killed
after a timeout as a fallback. Finished trials are stored in the run cache
RUNS (record and weights), which must be on storage every node sees: a trial
trained once is a cache hit for every later sweep, here or with
`fashion sweep`.

    sweeps/.venv/bin/python sweeps/tune.py --space sweeps/examples/tiny.json \\
        --runs-dir /shared/runs --storage /shared/tune --name tiny --scheduler asha
    # resume an interrupted sweep (finished trials are not retrained):
    sweeps/.venv/bin/python sweeps/tune.py --restore --storage /shared/tune --name tiny --runs-dir /shared/runs

--address connects to an existing Ray cluster (nodes started with
`ray start`); without it a local Ray instance is started.

GPUs: --gpus-per-trial F (default 0: no GPU requested) makes each trial
request {"cpu": --cpus-per-trial, "gpu": F} (tune.with_resources). F is a
fraction in (0, 1] (Ray packs 1/F trials on one GPU: 0.25 runs four at once
per GPU) or a whole number of GPUs. Ray sets CUDA_VISIBLE_DEVICES for each
trial to the GPUs it assigned, and the trial's child inherits it unchanged,
so GoMLX's XLA CUDA client sees only those. tune.py never sets a backend:
leave the space's `backend` at its default "auto" (XLA CUDA when the CUDA
plugin is installed and the node has a GPU) or set "xla:cuda"; with "go" a
trial holds a GPU share it does not use (a warning says so). The GPU ids
Ray gave a trial (ray.get_gpu_ids()) and the CUDA_VISIBLE_DEVICES its child
got are in every result and in --out (`gpu_ids`, `cuda_visible_devices`,
with the trial's `resources`, `node_id`, `started_at` and `ended_at`). A
restored sweep keeps the resources Tune stored with each trial; give the
same --gpus-per-trial for the trials it has yet to create.

    sweeps/.venv/bin/python sweeps/tune.py --address auto --space s.json \\
        --runs-dir /shared/runs --storage /shared/tune --gpus-per-trial 0.25
"""
import argparse
import ctypes
import json
import math
import os
import pathlib
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The trial runner's JSON lines (epoch, done, error), defined once in Go
# (internal/trialevent) and kept here as the JSON Schema generated from those
# types (a Go test fails when they differ, or when this file reads a field,
# ev["…"], that no event has).
EVENT_SCHEMA = pathlib.Path(__file__).resolve().parent / "trial-events.schema.json"

# Config fields that are lists: a number drawn for one of them is a
# one-element list, as `fashion sweep` does (fashion/sweep: asField).
LIST_FIELDS = ("hidden", "dropout")

# How long a stopped trial's child has to exit after SIGTERM before it is
# killed: it stops between steps, so a second is plenty on CPU.
TERM_TIMEOUT_S = 20


def gpus_per_trial(text):
    """--gpus-per-trial: a fraction in (0, 1] or a whole number >= 1."""
    try:
        f = float(text)
    except ValueError:
        f = math.nan
    # Ray's resource quantities have a granularity of 0.0001.
    if not math.isfinite(f) or f < 0.0001 or (f > 1 and not f.is_integer()):
        raise argparse.ArgumentTypeError(
            f"want a fraction of a GPU in (0, 1] (at least 0.0001) or a whole number of GPUs >= 1, got {text!r} "
            "(leave the flag out for trials without GPUs)")
    return f


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--space", help="search space file (JSON), as for `fashion sweep -space`")
    p.add_argument("--runs-dir", required=True, help="run cache shared by every node (absolute path on shared storage)")
    p.add_argument("--fashion", default=str(ROOT / "bin" / "fashion"), help="the trial runner binary, at this path on every node (default: bin/fashion)")
    p.add_argument("--address", help="address of an existing Ray cluster (e.g. 10.0.0.1:6379 or 'auto'); default: start Ray here")
    p.add_argument("--storage", default=str(ROOT / "data" / "tune"), help="Tune's experiment storage (shared by every node for a cluster)")
    p.add_argument("--name", default="fashion", help="experiment name (a directory under --storage)")
    p.add_argument("--scheduler", choices=["fifo", "asha"], default="fifo", help="asha stops weak trials early")
    p.add_argument("--search", choices=["random", "optuna"], default="random", help="random: Tune's grid/random search; optuna: TPE through OptunaSearch (grids become choices)")
    p.add_argument("--samples", type=int, help="override the space's samples")
    p.add_argument("--max-t", type=int, help="ASHA's maximum epochs (default: the space's fixed epochs, else 40)")
    p.add_argument("--grace-period", type=int, default=1, help="ASHA: epochs before a trial can be stopped")
    p.add_argument("--reduction-factor", type=float, default=2, help="ASHA: keep 1/factor of the trials at each rung")
    p.add_argument("--cpus-per-trial", type=float, default=1)
    p.add_argument("--gpus-per-trial", type=gpus_per_trial, default=0,
                   help="GPUs each trial requests: a fraction in (0, 1] (0.25: four trials per GPU) or a whole number; default: none")
    p.add_argument("--max-concurrent", type=int, default=0, help="trials at once (0: as many as the CPUs allow)")
    p.add_argument("--num-cpus", type=int, help="CPUs of a local Ray instance (without --address)")
    p.add_argument("--restore", action="store_true", help="resume the experiment --storage/--name (Tuner.restore): finished trials are kept, unfinished ones resumed")
    p.add_argument("--log-dir", help="where each trial's child writes its standard error (default: STORAGE/NAME-logs)")
    p.add_argument("--out", help="write the results (every trial, the best) as JSON here")
    args = p.parse_args(argv)
    if not args.restore and not args.space:
        p.error("--space is required (unless --restore)")
    args.runs_dir = os.path.abspath(args.runs_dir)
    args.storage = os.path.abspath(args.storage)
    args.fashion = os.path.abspath(args.fashion)
    args.log_dir = os.path.abspath(args.log_dir or os.path.join(args.storage, args.name + "-logs"))
    return args


def load_event_schema(path=EVENT_SCHEMA):
    """{kind: (required fields, {field: JSON Schema property})} of the events."""
    schema = json.loads(pathlib.Path(path).read_text())
    return {kind: (d["required"], d["properties"]) for kind, d in schema["$defs"].items()}


_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "null": type(None)}


def _has_type(value, types):
    if isinstance(types, str):
        types = [types]
    for t in types:
        # JSON has no booleans among its numbers: True is not the integer 1.
        if isinstance(value, _JSON_TYPES[t]) and (t in ("boolean", "null") or not isinstance(value, bool)):
            return True
    return False


def parse_event(line, kinds):
    """One line of `fashion train -progress jsonl`, checked against the
    schema (kinds: load_event_schema()): a JSON object whose "event" is one
    of the kinds, with every field of that kind, each of its type (null for a
    number that is not finite). Fields the schema does not name are ignored,
    as the Go reader (trialevent.Parse) does. Raises ValueError."""
    if isinstance(line, bytes):
        line = line.decode()
    try:
        ev = json.loads(line)
    except ValueError as e:
        raise ValueError(f"trial runner: not a JSON line ({e}): {line!r}") from None
    if not isinstance(ev, dict):
        raise ValueError(f"trial runner: not a JSON object: {line!r}")
    kind = ev.get("event")
    if kind not in kinds:
        raise ValueError(f"trial runner: unknown event {kind!r} (want {', '.join(kinds)}): {line!r}")
    required, props = kinds[kind]
    for name in required:
        if name not in ev:
            raise ValueError(f"trial runner: {kind} event without {name!r}: {line!r}")
        prop = props[name]
        if "const" in prop and ev[name] != prop["const"] or "type" in prop and not _has_type(ev[name], prop["type"]):
            raise ValueError(f"trial runner: {kind} event: {name!r} is {ev[name]!r}, want {prop.get('type', prop.get('const'))}: {line!r}")
    return ev


def check_space(fashion, space_path):
    """Checks the space with the Go parser, so errors read as `fashion sweep`'s."""
    r = subprocess.run([fashion, "sweep", "-check", "-space", space_path], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr.strip() or f"fashion sweep -check failed ({r.returncode})")


def tune_space(space, search):
    """Translates a space file into Tune's param_space and num_samples.

    fixed -> the value; grid -> tune.grid_search (with --search optuna, a
    choice: OptunaSearch has no grids, and the samples are multiplied by the
    grid's size); choice -> tune.choice; uniform, loguniform -> the same;
    randint [lo, hi] (both included) -> tune.randint(lo, hi + 1); one_of
    (a group of sets of fields, see `go doc ./fashion/sweep`) -> tune.choice
    of the sets, each a dict that trial_config spreads into the Config.
    """
    from ray import tune

    samples = space.get("samples", 1)
    grid_points = 1
    out = {}
    for name, spec in space["params"].items():
        if not isinstance(spec, dict):
            out[name] = spec
            continue
        ((kind, arg),) = spec.items()
        if kind == "value":
            out[name] = arg
        elif kind == "grid":
            if search == "optuna":
                out[name] = tune.choice(arg)
                grid_points *= len(arg)
            else:
                out[name] = tune.grid_search(arg)
        elif kind == "choice":
            out[name] = tune.choice(arg)
        elif kind == "uniform":
            out[name] = tune.uniform(*arg)
        elif kind == "loguniform":
            out[name] = tune.loguniform(*arg)
        elif kind == "randint":
            out[name] = tune.randint(int(arg[0]), int(arg[1]) + 1)
        elif kind == "one_of":
            if search == "optuna":
                # Optuna's categorical distributions take None, booleans,
                # numbers and strings only, not the sets' dicts.
                raise ValueError(f"params.{name}: one_of needs --search random (Optuna's choices cannot be sets of fields)")
            out[name] = tune.choice(arg)
        else:  # fashion sweep -check has refused it already
            raise ValueError(f"params.{name}: unknown kind {kind!r}")
    return out, samples * grid_points


def trial_config(config):
    """The Config JSON of a trial: its values, lists where the field is a
    list; a one_of group's set (a dict under the group's name) gives its
    fields."""
    cfg = {}
    for name, v in config.items():
        if isinstance(v, dict):
            cfg.update(trial_config(v))
            continue
        if name in LIST_FIELDS and isinstance(v, (int, float)):
            v = [v]
        elif isinstance(v, float) and name in ("epochs", "batch_size", "step_size", "patience", "early_stop", "train_limit", "seed", "split_seed", "eval_batch_size"):
            v = int(v)
        cfg[name] = v
    return cfg


def _die_with_parent():
    """Runs in the child before exec: SIGTERM when the Tune worker dies.

    A trial stopped by Tune may have its worker process killed outright;
    PR_SET_PDEATHSIG makes the kernel send the Go child SIGTERM then, so no
    trial runner outlives its trial.
    """
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def child_env_var(pid, name, default):
    """name's value in process pid's environment as it started (Linux's
    /proc/PID/environ; default elsewhere or when it cannot be read)."""
    try:
        raw = pathlib.Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return default
    if not raw:  # exited already
        return default
    for entry in raw.split(b"\0"):
        k, sep, v = entry.partition(b"=")
        if sep and k.decode(errors="replace") == name:
            return v.decode(errors="replace")
    return None


def make_trainable(fashion, runs_dir, log_dir, cwd, event_kinds):
    """A Tune class trainable: one step per epoch of the Go child, whose
    lines are read with parse_event(line, event_kinds).

    A class, not a function, for its cleanup(): Tune calls it in the trial's
    worker when it stops the trial (ASHA) or the trial ends, before the
    worker goes, so the child gets SIGTERM and is waited for there. (Ray
    kills a worker's remaining child processes with SIGKILL when the worker
    exits; a function trainable's thread races that and loses.)
    """
    import ray
    from ray import tune

    class FashionTrial(tune.Trainable):
        def setup(self, config):
            started = time.time()
            os.makedirs(log_dir, exist_ok=True)
            with open(os.path.join(log_dir, "starts.log"), "a") as f:
                f.write(f"{time.time():.3f} {self.trial_id}\n")
            self.stderr = open(os.path.join(log_dir, f"{self.trial_id}.stderr"), "ab")
            self.proc = subprocess.Popen(
                [fashion, "train", "-config", "-", "-progress", "jsonl", "-runs-dir", runs_dir, "-quiet"],
                # The driver's directory, not Ray's trial directory: "backend
                # auto" finds the XLA plugin of the checkout (.xla/) from there.
                cwd=cwd,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
                # Its own process group, so that nothing aimed at the
                # worker's group hits it before cleanup() has stopped it.
                start_new_session=True,
                # The environment is inherited as it is: with GPUs requested,
                # CUDA_VISIBLE_DEVICES as Ray set it for this trial.
            )
            resources = self.trial_resources.required_resources if self.trial_resources else {}
            # Where the trial ran and on what, in every result (--out).
            self.placement = {
                "node_id": ray.get_runtime_context().get_node_id(),
                "resources": dict(resources),
                "gpu_ids": [str(i) for i in ray.get_gpu_ids()],
                # What the child got (read back from it on Linux).
                "cuda_visible_devices": child_env_var(self.proc.pid, "CUDA_VISIBLE_DEVICES", os.environ.get("CUDA_VISIBLE_DEVICES")),
                "started_at": started,
            }
            self.proc.stdin.write(json.dumps(trial_config(config)).encode())
            self.proc.stdin.close()
            self.last_error = None
            self.last_metrics = {}

        def _next(self):
            line = self.proc.stdout.readline()
            if not line:
                code = self.proc.wait()
                raise RuntimeError(f"trial runner exited {code} before it finished: {self.last_error or 'see ' + self.stderr.name}")
            ev = parse_event(line, event_kinds)
            if ev["event"] == "error":
                self.last_error = ev["error"]
                return self._next()
            return ev

        def step(self):
            return {**self._step(), **self.placement}

        def _step(self):
            ev = self._next()
            if ev["event"] == "done":
                # A run that early stopping ended before Config.Epochs: its
                # last epoch was reported already; report it again, with the
                # run's record (one more Tune iteration than epochs).
                return self._done(self.last_metrics, ev)
            metrics = {
                "epoch": ev["epoch"], "val_accuracy": ev["val_accuracy"], "val_loss": ev["val_loss"],
                "train_loss": ev["train_loss"], "lr": ev["lr"], "seconds": ev["seconds"], "key": ev["key"],
            }
            self.last_metrics = metrics
            if ev["epoch"] == ev["epochs"] - 1:
                # The last epoch is reported once the run is stored (the
                # "done" line): a scheduler that stops the trial at its last
                # report then cannot stop it between training and storing.
                return self._done(metrics, self._next())
            return metrics

        def _done(self, metrics, ev):
            if ev["event"] != "done":
                raise RuntimeError(f"trial runner: want a done line, got {ev}")
            code = self.proc.wait()
            if code != 0:
                raise RuntimeError(f"trial runner exited {code}")
            with open(os.path.join(log_dir, f"{self.trial_id}.done.json"), "w") as f:
                json.dump(ev, f)
            # The kept epoch and its validation accuracy are the runner's
            # (fashion.Run.KeptValAccuracy), never recomputed here.
            return {**metrics, "key": ev["key"], "record": ev["record"], "test_accuracy": ev["test_accuracy"],
                    "kept_val_accuracy": ev["val_accuracy"], "kept_epoch": ev["kept_epoch"], "best_epoch": ev["best_epoch"],
                    "cached": ev["cached"], "done": True, "ended_at": time.time()}

        def cleanup(self):
            stop(self.proc)
            self.stderr.close()

    return FashionTrial


def stop(proc):
    """SIGTERM, then SIGKILL after TERM_TIMEOUT_S: the child never outlives the trial."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=TERM_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv=None):
    args = parse_args(argv)
    # Explicit, whatever the environment says: no usage statistics; token
    # authentication for a local instance (Ray >= 2.52 turns it on by
    # default and stores a token in ~/.ray; set RAY_AUTH_TOKEN to choose it).
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    import ray
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler, FIFOScheduler

    if not os.access(args.fashion, os.X_OK):
        sys.exit(f"{args.fashion}: not an executable: build it with go build -o bin/fashion ./cmd/fashion")
    space = None
    if args.space:
        check_space(args.fashion, args.space)
        with open(args.space) as f:
            space = json.load(f)

    if args.address:
        ray.init(address=args.address, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)

    resources = {"cpu": args.cpus_per_trial}
    if args.gpus_per_trial:
        resources["gpu"] = args.gpus_per_trial
        backend = (space or {}).get("params", {}).get("backend")
        if isinstance(backend, str) and backend.split(":")[0] == "go":
            print(f"tune.py: --gpus-per-trial {args.gpus_per_trial:g} with the space's backend {backend!r}: "
                  "the trials hold GPUs they do not use (leave backend at \"auto\" or set \"xla:cuda\")", file=sys.stderr)
    trainable = tune.with_resources(make_trainable(args.fashion, args.runs_dir, args.log_dir, os.getcwd(), load_event_schema()), resources)
    path = os.path.join(args.storage, args.name)
    if args.restore:
        tuner = tune.Tuner.restore(path, trainable=trainable, resume_unfinished=True, resume_errored=False, restart_errored=False)
    else:
        param_space, num_samples = tune_space(space, args.search)
        if args.samples:
            num_samples = args.samples
        epochs = param_space.get("epochs")
        max_t = args.max_t or (epochs if isinstance(epochs, int) else 40)
        if args.scheduler == "asha":
            scheduler = ASHAScheduler(time_attr="training_iteration", max_t=max_t, grace_period=args.grace_period, reduction_factor=args.reduction_factor)
        else:
            scheduler = FIFOScheduler()
        search_alg = None
        if args.search == "optuna":
            from ray.tune.search.optuna import OptunaSearch
            search_alg = OptunaSearch(seed=space.get("seed"))
        elif "seed" in space:
            from ray.tune.search import BasicVariantGenerator
            search_alg = BasicVariantGenerator(random_state=space["seed"])
        tuner = tune.Tuner(
            trainable,
            param_space=param_space,
            tune_config=tune.TuneConfig(
                metric="val_accuracy", mode="max", scheduler=scheduler, search_alg=search_alg,
                num_samples=num_samples, max_concurrent_trials=args.max_concurrent or None,
                # A fresh worker per trial: a stopped trial's worker goes,
                # and its child with it (see _die_with_parent).
                reuse_actors=False,
            ),
            # No Tune checkpoints: the run cache is the checkpoint (a trial
            # that finished is a cache hit), and an unfinished trial
            # restarts from its first epoch on restore.
            run_config=tune.RunConfig(name=args.name, storage_path=args.storage, verbose=1,
                                      checkpoint_config=tune.CheckpointConfig(checkpoint_at_end=False, checkpoint_frequency=0)),
        )
    start = time.time()
    results = tuner.fit()
    wall = time.time() - start

    trials = []
    for r in results:
        m = r.metrics or {}
        trials.append({
            "trial_id": m.get("trial_id"), "config": r.config, "error": str(r.error) if r.error else None,
            "epochs_reported": m.get("training_iteration", 0), "epoch": m.get("epoch"), "val_accuracy": m.get("val_accuracy"),
            "key": m.get("key"), "finished": bool(m.get("done")) and not r.error,
            "kept_val_accuracy": m.get("kept_val_accuracy"), "kept_epoch": m.get("kept_epoch"), "test_accuracy": m.get("test_accuracy"),
            **{k: m.get(k) for k in ("node_id", "resources", "gpu_ids", "cuda_visible_devices", "started_at", "ended_at")},
        })
    # The best finished trial by the validation accuracy of its kept epoch
    # (the run record's choice), never by the test accuracy.
    ok = [t for t in trials if t["finished"] and t["kept_val_accuracy"] is not None]
    best = max(ok, key=lambda t: t["kept_val_accuracy"]) if ok else None
    summary = {"name": args.name, "wall_seconds": wall, "scheduler": args.scheduler, "search": args.search,
               "cpus_per_trial": args.cpus_per_trial, "gpus_per_trial": args.gpus_per_trial, "trials": trials, "best": best}
    print(f"{len(trials)} trials in {wall:.1f} s ({sum(1 for t in trials if t['error'])} errored)", file=sys.stderr)
    if best:
        print(f"best (val_accuracy of its kept epoch {best['kept_val_accuracy']:.4f}): {json.dumps(trial_config(best['config']))}", file=sys.stderr)
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(summary, indent=2, default=str) + "\n")
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
