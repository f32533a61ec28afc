"""The Ray Tune driver on a local two-node Ray cluster (head + one worker),
on loopback, with token authentication and no usage statistics.

test_tune_asha_on_two_nodes: six tiny trials (adam and sgd, three rates
each), one of them diverging (SGD at lr 10: a non-finite loss in its second
epoch), under ASHA. Checked: ASHA stops at least one trial and its child got
SIGTERM and said so; the diverging trial ends as an error (or stopped by ASHA
first) and stores nothing; no trial runner is left running; every finished
trial's record and weights are in the shared runs directory, and nothing
else; Tuner.restore of the finished sweep starts no trial.

test_restore_after_interrupt: a sweep interrupted by SIGINT with a trial
finished and others running, then restored: no finished trial is trained
again, the others finish.

test_gpus_per_trial: the tiny space (four trials) with --gpus-per-trial 0.5
on the same cluster, whose two nodes declare one GPU each (Ray accepts that
on a machine without any; the trials train on the pure-Go backend). Checked:
every trial finished; each requested {CPU: 0.25, GPU: 0.5}; Ray gave each
GPU "0" of its node and the trial's child got CUDA_VISIBLE_DEVICES=0; no
more than two trials ran on one node's GPU at once (the CPUs would allow
four).

test_gpus_per_trial_invalid, test_gpus_per_trial_valid: --gpus-per-trial 0,
-1, 1.5, nan, x are argparse errors naming the flag; 0.25, 1 and 2 are
accepted, and without the flag no GPU is requested (no Ray needed).

They share one cluster; bounded by the timeouts below (about a minute here,
< 3 min).
"""
import json
import os
import pathlib
import secrets
import signal
import subprocess
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import tune  # noqa: E402  (the driver: its parse_args, no Ray import)

EPOCHS = 4
# Three layers of 16 so that SGD at lr 10 overflows (one layer only grows
# large). Adam at 0.01 reaches ~57% in 4 epochs, SGD at 0.003 ~10%: ASHA has
# weak trials to stop.
LRS = [0.01, 0.003, 10]
OPTIMIZERS = ["adam", "sgd"]
SPACE = {"params": {
    "backend": "go", "hidden": [16, 16, 16], "train_limit": 600, "epochs": EPOCHS,
    "lr": {"grid": LRS}, "optimizer": {"grid": OPTIMIZERS},
}}


def running_children(marker):
    """PIDs of live processes whose command line holds marker (the runs dir)."""
    pids = []
    for d in pathlib.Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (d / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if marker in cmd and "fashion" in cmd and state != "Z":
            pids.append(int(d.name))
    return pids


@pytest.fixture(scope="module")
def cluster():
    """A head and one worker node, one CPU and one (declared) GPU each, on 127.0.0.1."""
    env = {
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": secrets.token_hex(16),
        # Loopback only: with this, Ray's get_node_ip_address is 127.0.0.1
        # (the mode Ray uses on macOS and Windows), so that the driver's
        # "127.0.0.1:port" is not rewritten to the machine's address.
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_DEDUP_LOGS": "0",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from ray.cluster_utils import Cluster  # after the environment: Ray reads it on import

    c = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 1, "num_gpus": 1, "node_ip_address": "127.0.0.1", "include_dashboard": False,
    })
    try:
        c.add_node(num_cpus=1, num_gpus=1, node_ip_address="127.0.0.1")
        c.wait_for_nodes()
        assert c.address.startswith("127.0.0.1:"), c.address
        yield c
    finally:
        c.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def wait_no_children(marker, seconds=20):
    deadline = time.time() + seconds
    while running_children(marker) and time.time() < deadline:
        time.sleep(0.5)
    return running_children(marker)


def test_tune_asha_on_two_nodes(fashion_bin, tmp_path, cluster):
    runs, storage, logs = tmp_path / "runs", tmp_path / "tune", tmp_path / "logs"
    space = tmp_path / "space.json"
    space.write_text(json.dumps(SPACE))
    if True:
        driver = [sys.executable, str(HERE / "tune.py"), "--address", cluster.address, "--fashion", str(fashion_bin),
                  "--runs-dir", str(runs), "--storage", str(storage), "--name", "t", "--log-dir", str(logs)]
        t0 = time.time()
        first = subprocess.run(driver + ["--space", str(space), "--scheduler", "asha", "--out", str(tmp_path / "r1.json")],
                               capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr[-3000:]
        fit_seconds = time.time() - t0
        res = json.loads((tmp_path / "r1.json").read_text())
        trials = {(t["config"]["optimizer"], t["config"]["lr"]): t for t in res["trials"]}
        assert sorted(trials) == sorted((o, lr) for o in OPTIMIZERS for lr in LRS)

        # No trial runner outlives its trial (stopped workers may take a
        # moment to go).
        assert wait_no_children(str(runs)) == []

        diverging = trials[("sgd", 10)]
        assert diverging["error"] or diverging["epochs_reported"] < EPOCHS, diverging
        if diverging["error"]:
            assert "not finite" in diverging["error"]
        assert not (runs / diverging["key"]).exists()
        stopped = [t for t in res["trials"] if not t["error"] and t["epochs_reported"] < EPOCHS and t is not diverging]
        assert stopped, f"ASHA stopped no trial: {res['trials']}"
        for t in stopped:  # their children were told, and said so (the diverging one may have failed first)
            lines = (logs / f"{t['trial_id']}.stderr").read_text().strip().splitlines()
            assert "stopped by SIGTERM at epoch " in lines[-1] and t["key"] in lines[-1], lines[-1]
            assert not (runs / t["key"]).exists(), f"stopped trial {t['key']} was stored"

        finished = [t for t in res["trials"] if not t["error"] and t["epochs_reported"] == EPOCHS]
        assert finished
        for t in finished:
            rec = json.loads((runs / t["key"] / "run.json").read_text())
            assert len(rec["history"]) == EPOCHS and rec["config"]["lr"] == t["config"]["lr"]
            assert (runs / t["key"] / "params.gob").stat().st_size > 0
        assert not [p for p in runs.iterdir() if p.name.startswith(".")], "temporary entries left"
        stored = {p.name for p in runs.iterdir()}
        assert stored == {t["key"] for t in finished}

        # A restore of the finished experiment trains nothing.
        starts = (logs / "starts.log").read_text().splitlines()
        again = subprocess.run(driver + ["--restore", "--out", str(tmp_path / "r2.json")], capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stderr[-3000:]
        assert (logs / "starts.log").read_text().splitlines() == starts
        assert {p.name for p in runs.iterdir()} == stored
        res2 = json.loads((tmp_path / "r2.json").read_text())
        assert len(res2["trials"]) == len(trials)
        print(f"\nfit {fit_seconds:.1f} s; stopped by ASHA: {[(t['config']['optimizer'], t['config']['lr'], t['epochs_reported']) for t in stopped]}; "
              f"finished: {[(t['config']['optimizer'], t['config']['lr']) for t in finished]}; diverging: {diverging['error'] or 'stopped'}")


def test_restore_after_interrupt(fashion_bin, tmp_path, cluster):
    """A sweep interrupted (SIGINT to the driver) with trials finished and
    others running, then restored: the finished ones are not started again,
    the others are, and every trial ends stored."""
    runs, storage, logs = tmp_path / "runs", tmp_path / "tune", tmp_path / "logs"
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"params": {
        "backend": "go", "hidden": [16], "train_limit": 600, "epochs": 40, "optimizer": "adam",
        "lr": {"grid": [0.001, 0.002, 0.003, 0.004]},
    }}))
    driver = [sys.executable, str(HERE / "tune.py"), "--address", cluster.address, "--fashion", str(fashion_bin),
              "--runs-dir", str(runs), "--storage", str(storage), "--name", "r", "--log-dir", str(logs)]
    first = subprocess.Popen(driver + ["--space", str(space)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 90
    while len(list(logs.glob("*.done.json"))) < 1 and time.time() < deadline and first.poll() is None:
        time.sleep(0.2)
    done_before = {p.name.split(".")[0] for p in logs.glob("*.done.json")}
    first.send_signal(signal.SIGINT)  # Tune saves the experiment and stops the running trials
    try:
        _, err = first.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        first.kill()
        raise
    done_before = {p.name.split(".")[0] for p in logs.glob("*.done.json")}
    assert 1 <= len(done_before) < 4, f"{len(done_before)} trials finished before the interrupt: {err[-2000:]}"
    assert wait_no_children(str(runs)) == []
    stored_before = {p.name: (p / "run.json").read_bytes() for p in runs.iterdir() if not p.name.startswith(".")}
    assert len(stored_before) == len(done_before)

    again = subprocess.run(driver + ["--restore"], capture_output=True, text=True, timeout=90)
    assert again.returncode == 0, again.stderr[-3000:]
    starts = [line.split()[1] for line in (logs / "starts.log").read_text().splitlines()]
    for trial in done_before:
        # Tune may not have recorded a trial as finished if the interrupt
        # came just after its last result; it then starts it again, and the
        # run cache answers: the trial runner replays the stored run.
        done = json.loads((logs / f"{trial}.done.json").read_text())
        assert starts.count(trial) == 1 or done["cached"], f"finished trial {trial} was retrained: {starts}, {done}"
    for key, record in stored_before.items():  # no stored run was trained again
        assert (runs / key / "run.json").read_bytes() == record
    assert len({p.name.split(".")[0] for p in logs.glob("*.done.json")}) == 4
    assert len([p for p in runs.iterdir() if not p.name.startswith(".")]) == 4
    assert wait_no_children(str(runs)) == []
    print(f"\nfinished before the interrupt: {sorted(done_before)}; starts: {starts}")


def max_overlap(intervals):
    """The most intervals (start, end) that hold one instant."""
    events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals], key=lambda e: (e[0], e[1]))
    most = now = 0
    for _, d in events:
        now += d
        most = max(most, now)
    return most


def test_gpus_per_trial(fashion_bin, tmp_path, cluster):
    runs, storage, logs = tmp_path / "runs", tmp_path / "tune", tmp_path / "logs"
    out = tmp_path / "r.json"
    t0 = time.time()
    # CPUs for four trials per node, GPU for two: the GPU is what limits.
    r = subprocess.run([sys.executable, str(HERE / "tune.py"), "--address", cluster.address, "--fashion", str(fashion_bin),
                        "--runs-dir", str(runs), "--storage", str(storage), "--name", "g", "--log-dir", str(logs),
                        "--space", str(HERE / "examples" / "tiny.json"), "--gpus-per-trial", "0.5", "--cpus-per-trial", "0.25",
                        "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "hold GPUs they do not use" in r.stderr  # the space says backend "go"
    res = json.loads(out.read_text())
    assert res["gpus_per_trial"] == 0.5
    trials = res["trials"]
    assert len(trials) == 4
    for t in trials:
        assert t["finished"], t
        assert t["resources"] == {"CPU": 0.25, "GPU": 0.5}, t["resources"]
        assert t["gpu_ids"] == ["0"], t  # each node has GPU 0 only
        assert t["cuda_visible_devices"] == "0", t  # what the child got
    by_node = {}
    for t in trials:
        by_node.setdefault(t["node_id"], []).append((t["started_at"], t["ended_at"]))
    # [setup, done] lies inside the time the trial held its GPU share.
    shared = {node: max_overlap(iv) for node, iv in by_node.items()}
    assert max(shared.values()) <= 2, shared
    print(f"\n{len(trials)} trials in {time.time() - t0:.1f} s; most at once per node's GPU: {sorted(shared.values())}")


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "nan", "x"])
def test_gpus_per_trial_invalid(value, capsys):
    with pytest.raises(SystemExit) as e:
        tune.parse_args(["--space", "s.json", "--runs-dir", "r", "--gpus-per-trial", value])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "argument --gpus-per-trial: want a fraction of a GPU in (0, 1]" in err and repr(value) in err, err


@pytest.mark.parametrize("value,want", [("0.25", 0.25), ("1", 1.0), ("2", 2.0), (None, 0)])
def test_gpus_per_trial_valid(value, want):
    argv = ["--space", "s.json", "--runs-dir", "r"] + (["--gpus-per-trial", value] if value else [])
    assert tune.parse_args(argv).gpus_per_trial == want


def test_one_of_space():
    """A one_of group is one Tune choice of its sets, and a trial's set
    gives its fields to the Config; Optuna cannot draw dicts: an error."""
    space = {"samples": 3, "params": {"epochs": 2, "averaging": {"one_of": [{"ema": 0.999, "swa_epochs": 0}, {"ema": 0, "swa_epochs": 1}]}}}
    param_space, samples = tune.tune_space(space, "random")
    assert samples == 3
    assert param_space["averaging"].categories == space["params"]["averaging"]["one_of"]
    assert tune.trial_config({"epochs": 2, "averaging": {"ema": 0, "swa_epochs": 1}, "dropout": 0.1}) == {"epochs": 2, "ema": 0, "swa_epochs": 1, "dropout": [0.1]}
    with pytest.raises(ValueError, match="one_of needs --search random"):
        tune.tune_space(space, "optuna")
