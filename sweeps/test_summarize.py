"""summarize.py and ablation.py without Ray or training (fast).

test_columns_follow_the_space: the per-trial table's columns are the
space's searched parameters (a one_of group's fields, not its name), not a
fixed list, and each trial's one_of set (a dict in Tune's config) fills
them.

test_ablation_plan_follows_the_winner: the ablation removes what the
winner has on, and only that.

test_ablation_read_from_the_json: summarize.py --ablation puts the
collected results into sweep.json, and the Markdown's ablation table is
rendered from that JSON (changing the JSON changes the table).
"""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import ablation  # noqa: E402
import summarize  # noqa: E402

SPACE = {"samples": 2, "params": {
    "epochs": 3, "hidden": [16],
    "lr": {"loguniform": [1e-3, 1e-2]},
    "norm": {"choice": ["none", "batch"]},
    "averaging": {"one_of": [{"ema": 0, "swa_epochs": 0}, {"ema": 0.999, "swa_epochs": 0}]},
}}


def write_sweep(tmp_path, space):
    """A finished one-trial sweep (tune.py --out and its record), the space file."""
    runs = tmp_path / "runs"
    (runs / "k1").mkdir(parents=True, exist_ok=True)
    config = {"epochs": 3, "lr": 0.002, "norm": "batch", "ema": 0.999, "swa_epochs": 0, "seed": 42, "dropout": [0.1], "mixup": 0}
    (runs / "k1" / "run.json").write_text(json.dumps({
        "key": "k1", "kept_epoch": 2, "test_accuracy": 0.80, "train_seconds": 1.0, "config": config,
        "history": [{"epoch": i, "val_accuracy": 0.7} for i in range(3)]}))
    results = tmp_path / "asha.json"
    results.write_text(json.dumps({"wall_seconds": 60, "scheduler": "asha", "search": "random", "trials": [{
        "trial_id": "t1", "key": "k1", "error": None, "epochs_reported": 3, "val_accuracy": 0.81,
        "kept_val_accuracy": 0.81, "kept_epoch": 2,
        "config": {"epochs": 3, "hidden": [16], "lr": 0.002, "norm": "batch", "averaging": {"ema": 0.999, "swa_epochs": 0}}}]}))
    space_path = tmp_path / "space.json"
    space_path.write_text(json.dumps(space))
    return results, runs, space_path, config


def run_summarize(tmp_path, *extra):
    results, runs, space_path, _ = write_sweep(tmp_path, SPACE)
    out_json, out_md = tmp_path / "sweep.json", tmp_path / "sweep.md"
    r = subprocess.run([sys.executable, str(HERE / "summarize.py"), "--space", str(space_path), "--sweep", f"asha={results}:{runs}",
                        "--winner-from", "asha", "--date", "today", "--json", str(out_json), "--md", str(out_md), *extra],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(out_json.read_text()), out_md.read_text()


def table_header(md, title):
    lines = md.splitlines()
    i = next(i for i, l in enumerate(lines) if l.startswith(title))
    return next(l for l in lines[i:] if l.startswith("| "))


def test_columns_follow_the_space(tmp_path):
    assert summarize.searched(SPACE) == ["ema", "lr", "norm", "swa_epochs"]
    _, md = run_summarize(tmp_path)
    header = table_header(md, "## asha")
    assert header == "| # | status | ema | lr | norm | swa_epochs | epochs | val acc (kept) | test acc |"
    row = next(l for l in md.splitlines() if l.startswith("| 1 | finished"))
    assert row.startswith("| 1 | finished | 0.999 | 0.002 | batch | 0 | 3 |"), row
    # Another space, other columns.
    other = {"samples": 2, "params": {"optimizer": {"grid": ["adam", "sgd"]}, "dropout": {"uniform": [0, 0.3]}, "epochs": 3}}
    assert summarize.searched(other) == ["dropout", "optimizer"]


def test_ablation_plan_follows_the_winner():
    base = {"ema": 0.999, "norm": "batch", "dropout": [0.1], "mixup": 0, "teacher": "", "schedule": "cosine", "warmup_epochs": 3, "max_norm": 0}
    plan = ablation.plan(base)
    assert list(plan) == ["no_ema", "no_dropout", "no_batchnorm", "constant_lr"]
    assert plan["constant_lr"][2] == {**base, "schedule": "constant", "warmup_epochs": 0}
    other = ablation.plan({"swa_epochs": 10, "teacher": "cnn", "mixup": 0.2, "max_norm": 3, "norm": "none", "dropout": [0], "schedule": "constant"})
    assert list(other) == ["no_swa", "no_distillation", "no_mixup", "no_max_norm"]


def test_ablation_read_from_the_json(tmp_path):
    _, _, _, config = write_sweep(tmp_path, SPACE)
    winner = tmp_path / "winner.json"
    winner.write_text(json.dumps(config))
    folder = tmp_path / "ablation"
    r = subprocess.run([sys.executable, str(HERE / "ablation.py"), "plan", str(winner), str(folder)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["no_ema", "no_dropout", "no_batchnorm"]
    assert json.loads((folder / "no_ema.json").read_text())["ema"] == 0
    done = {"event": "done", "key": "k2", "record": "x", "test_accuracy": 0.79, "best_epoch": 2, "kept_epoch": 2, "val_accuracy": 0.78, "cached": False}
    (folder / "no_ema.done.json").write_text(json.dumps(done) + "\n")
    (folder / "no_dropout.done.json").write_text(json.dumps({**done, "key": "k3", "val_accuracy": 0.83, "test_accuracy": 0.82}) + "\n")
    # no_batchnorm's run failed: no done line.
    r = subprocess.run([sys.executable, str(HERE / "ablation.py"), "collect", str(winner), str(folder)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    collected = tmp_path / "ablation.json"
    collected.write_text(r.stdout)
    out, md = run_summarize(tmp_path, "--ablation", str(collected))
    assert [(a["name"], a.get("val_accuracy")) for a in out["ablation"]] == [("no_ema", 0.78), ("no_dropout", 0.83), ("no_batchnorm", None)]
    assert "error" in out["ablation"][2]
    assert "| EMA of the weights | `ema=0` | 78.00% | -3.00 | 79.00% | -1.00 |" in md
    assert "| dropout | `dropout=[]` | 83.00% | +2.00 | 82.00% | +2.00 |" in md
    # The table is the JSON's: another value there, another row.
    out["ablation"][0]["val_accuracy"] = 0.70
    assert "| EMA of the weights | `ema=0` | 70.00% | -11.00 |" in summarize.markdown(out)
