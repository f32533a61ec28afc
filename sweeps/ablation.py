#!/usr/bin/env python3
"""The ablation of a sweep's winner: the winner with one of its techniques
removed at a time, chosen from what its Config has on (not a fixed list).

    python3 sweeps/ablation.py plan WINNER.json DIR      # DIR/NAME.json; prints the NAMEs
    bin/fashion train -config DIR/NAME.json -progress jsonl ... | tail -1 > DIR/NAME.done.json
    python3 sweeps/ablation.py collect WINNER.json DIR > ablation.json

WINNER.json is a `fashion train -config` file (the winning run's record's
config); every edit sets a technique to its off value of
fashion.DefaultConfig(). collect reads each NAME.done.json (the trial
runner's done line, checked against sweeps/trial-events.schema.json) and
writes a JSON list of {name, removed, edit, key, val_accuracy, kept_epoch,
test_accuracy}, or {name, removed, edit, error} for a run that did not
finish; summarize.py --ablation puts it into docs/sweep.json. Standard
library only.
"""
import json
import pathlib
import sys

from tune import load_event_schema, parse_event

# (name, what is removed, is it on in config c, the edit that turns it off).
# Order: the table's.
TECHNIQUES = [
    ("no_ema", "EMA of the weights", lambda c: c.get("ema", 0) > 0, {"ema": 0}),
    ("no_swa", "SWA", lambda c: c.get("swa_epochs", 0) > 0, {"swa_epochs": 0}),
    ("no_distillation", "distillation from the teacher", lambda c: c.get("teacher", "") != "", {"teacher": ""}),
    ("no_mixup", "mixup", lambda c: c.get("mixup", 0) > 0, {"mixup": 0}),
    ("no_label_smoothing", "label smoothing", lambda c: c.get("label_smoothing", 0) > 0, {"label_smoothing": 0}),
    ("no_dropout", "dropout", lambda c: any(p > 0 for p in c.get("dropout") or []), {"dropout": []}),
    ("no_batchnorm", "batch norm", lambda c: c.get("norm", "none") == "batch", {"norm": "none"}),
    ("no_layernorm", "layer norm", lambda c: c.get("norm", "none") == "layer", {"norm": "none"}),
    ("no_max_norm", "max-norm", lambda c: c.get("max_norm", 0) > 0, {"max_norm": 0}),
    ("no_l2", "L2", lambda c: c.get("l2", 0) > 0, {"l2": 0}),
    ("no_weight_decay", "AdamW's weight decay", lambda c: c.get("weight_decay", 0) > 0, {"weight_decay": 0}),
    ("constant_lr", "the schedule", lambda c: c.get("schedule", "constant") != "constant", {"schedule": "constant", "warmup_epochs": 0}),
    ("no_shift", "shifts", lambda c: c.get("shift", 0) > 0, {"shift": 0}),
    ("no_flip", "flips", lambda c: bool(c.get("flip", False)), {"flip": False}),
    ("no_erase", "erasing", lambda c: c.get("erase", 0) > 0, {"erase": 0}),
]


def plan(config):
    """{name: (what is removed, edit, the edited config)} for every
    technique config has on, in TECHNIQUES' order."""
    return {name: (removed, edit, {**config, **edit}) for name, removed, on, edit in TECHNIQUES if on(config)}


def collect(config, folder, kinds=None):
    """The ablation's results: one entry per planned run, from DIR/NAME.done.json."""
    kinds = kinds or load_event_schema()
    out = []
    for name, (removed, edit, _) in plan(config).items():
        row = {"name": name, "removed": removed, "edit": edit}
        done = pathlib.Path(folder) / f"{name}.done.json"
        text = done.read_text().strip() if done.exists() else ""
        ev = parse_event(text, kinds) if text else None
        if ev is None or ev["event"] != "done":
            row["error"] = ev["error"] if ev and ev["event"] == "error" else f"no done line in {done}"
        else:
            row.update(key=ev["key"], val_accuracy=ev["val_accuracy"], kept_epoch=ev["kept_epoch"], test_accuracy=ev["test_accuracy"])
        out.append(row)
    return out


def main(argv):
    if len(argv) != 4 or argv[1] not in ("plan", "collect"):
        sys.exit("usage: ablation.py plan|collect WINNER.json DIR")
    cmd, winner, folder = argv[1:]
    config = json.loads(pathlib.Path(winner).read_text())
    if cmd == "plan":
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        for name, (_, _, cfg) in plan(config).items():
            (pathlib.Path(folder) / f"{name}.json").write_text(json.dumps(cfg, indent=2) + "\n")
            print(name)
    else:
        json.dump(collect(config, folder), sys.stdout, indent=2)
        print()


if __name__ == "__main__":
    main(sys.argv)
