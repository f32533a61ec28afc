"""The trial runner's JSON lines as the Python side reads them.

test_runner_lines_match_schema: a real `fashion train -progress jsonl` (a
tiny run, then the same run from the cache, then a diverging one) writes
only lines that tune.parse_event accepts against sweeps/trial-events.schema.json
(generated from the Go types of internal/trialevent), with nothing the schema
does not name.

test_parse_event_refuses: lines that are not events are errors naming why.

test_summarize_reads_reported_values: summarize.py takes the kept epoch's
validation accuracy from what the runner reported (tune.py --out, the done
lines of --seeds), not from its own reading of the records.
"""
import json
import pathlib
import subprocess
import sys

import pytest

from conftest import TINY

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import tune  # noqa: E402

KINDS = tune.load_event_schema()


def runner_lines(fashion_bin, *args):
    r = subprocess.run([str(fashion_bin), "train", "-progress", "jsonl", *TINY, *args], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout.splitlines(), r.stderr


def test_runner_lines_match_schema(fashion_bin, tmp_path):
    runs = str(tmp_path / "runs")
    for cached in (False, True):
        code, lines, err = runner_lines(fashion_bin, "-runs-dir", runs, "-epochs", "2")
        assert code == 0, err
        events = [tune.parse_event(line, KINDS) for line in lines]
        assert [e["event"] for e in events] == ["epoch", "epoch", "done"]
        done = events[-1]
        assert done["cached"] is cached
        rec = json.loads(pathlib.Path(done["record"]).read_text())
        assert done["kept_epoch"] == rec["kept_epoch"] and done["key"] == rec["key"]
        for ev in events:  # every field is one the schema names
            required, props = KINDS[ev["event"]]
            assert set(ev) == set(required) == set(props), ev
    code, lines, err = runner_lines(fashion_bin, "-runs-dir", runs, "-epochs", "4", "-optimizer", "sgd", "-lr", "10", "-hidden", "16,16,16")
    assert code == 1, err
    events = [tune.parse_event(line, KINDS) for line in lines]
    assert events[-1]["event"] == "error" and "not finite" in events[-1]["error"], events


@pytest.mark.parametrize("line,want", [
    ("not json", "not a JSON line"),
    ("[1]", "not a JSON object"),
    ('{"key": "k"}', "unknown event None"),
    ('{"event": "epochs", "key": "k"}', "unknown event 'epochs'"),
    ('{"event": "error", "key": "k"}', "error event without 'error'"),
    ('{"event": "error", "key": "k", "error": 1}', "'error' is 1"),
    ('{"event": "done", "key": "k", "record": "/r", "test_accuracy": 0.8, "best_epoch": 1, "kept_epoch": true, '
     '"val_accuracy": 0.7, "cached": false}', "'kept_epoch' is True"),
    ('{"event": "done", "key": "k", "record": "/r", "test_accuracy": 0.8, "best_epoch": 1, "kept_epoch": 1.5, '
     '"val_accuracy": 0.7, "cached": false}', "'kept_epoch' is 1.5"),
])
def test_parse_event_refuses(line, want):
    with pytest.raises(ValueError) as e:
        tune.parse_event(line, KINDS)
    assert want in str(e.value), e.value


def test_parse_event_nulls_and_extras():
    ev = tune.parse_event('{"event": "epoch", "key": "k", "epoch": 0, "epochs": 2, "train_loss": null, "val_loss": null, '
                          '"val_accuracy": 0.1, "lr": 0.001, "seconds": 1, "new_field": 3}', KINDS)
    assert ev["train_loss"] is None and ev["seconds"] == 1


def test_summarize_reads_reported_values(tmp_path):
    """Records whose history says otherwise than the done lines: summarize
    takes the done lines' values (and the record's only for a stored run
    whose done line never reached Tune)."""
    runs = tmp_path / "runs"

    def record(key, seed, kept_epoch, vals):
        d = runs / key
        d.mkdir(parents=True)
        rec = {"key": key, "kept_epoch": kept_epoch, "test_accuracy": 0.5 + seed / 1000, "train_seconds": 1.0,
               "config": {"seed": seed, "lr": 0.01 * seed}, "history": [{"epoch": i, "val_accuracy": v} for i, v in enumerate(vals)]}
        (d / "run.json").write_text(json.dumps(rec))
        return str(d / "run.json")

    record("a", 1, 0, [0.10, 0.20])
    record("b", 2, 1, [0.30, 0.40])
    record("c", 3, 1, [0.35, 0.45])  # stored; its done line did not reach Tune
    trial = {"epochs_reported": 2, "val_accuracy": 0.2, "error": None}
    results = tmp_path / "fifo.json"
    results.write_text(json.dumps({"wall_seconds": 60, "scheduler": "fifo", "search": "random", "trials": [
        {**trial, "trial_id": "t1", "key": "a", "config": {"lr": 0.01}, "kept_val_accuracy": 0.9, "kept_epoch": 1},
        {**trial, "trial_id": "t2", "key": "b", "config": {"lr": 0.02}, "kept_val_accuracy": 0.4},  # an older --out: no kept_epoch
        {**trial, "trial_id": "t3", "key": "c", "config": {"lr": 0.03}, "kept_val_accuracy": None},
    ]}))
    seed_rec = record("s", 43, 0, [0.11, 0.22])
    done = {"event": "done", "key": "s", "record": seed_rec, "test_accuracy": 0.543, "best_epoch": 0, "kept_epoch": 1,
            "val_accuracy": 0.77, "cached": False}
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text(json.dumps(done) + "\n")
    space = tmp_path / "space.json"
    space.write_text('{"params": {}}')
    out_json, out_md = tmp_path / "sweep.json", tmp_path / "sweep.md"
    r = subprocess.run([sys.executable, str(HERE / "summarize.py"), "--space", str(space), "--sweep", f"fifo={results}:{runs}",
                        "--winner-from", "fifo", "--seeds", str(seeds), "--date", "today", "--json", str(out_json), "--md", str(out_md)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(out_json.read_text())
    rows = {t["key"]: t for t in out["sweeps"]["fifo"]["trials"]}
    assert (rows["a"]["kept_val_accuracy"], rows["a"]["kept_epoch"]) == (0.9, 1)  # the done line's, not history[0]
    assert (rows["b"]["kept_val_accuracy"], rows["b"]["kept_epoch"]) == (0.4, 1)
    assert (rows["c"]["kept_val_accuracy"], rows["c"]["kept_epoch"]) == (0.45, 1)  # the record's kept epoch
    w = out["winner"]
    assert (w["key"], w["val_accuracy"], w["kept_epoch"]) == ("a", 0.9, 1)
    assert [(s["key"], s["val_accuracy"], s["seed"]) for s in w["seeds"]] == [("a", 0.9, 1), ("s", 0.77, 43)]
    assert "validation 90.00%" in out_md.read_text()
