#!/usr/bin/env python3
"""Writes docs/sweep.json and docs/sweep.md from sweeps run by tune.py.

    python3 sweeps/summarize.py --space sweeps/examples/exercise.json \\
        --sweep asha=data/sweep5/asha.json:data/sweep5/runs-asha \\
        --sweep fifo=data/sweep5/fifo.json:data/sweep5/runs-fifo \\
        --winner-from fifo --seeds data/sweep5/seeds.jsonl \\
        --command "…" --json docs/sweep.json --md docs/sweep.md

Each --sweep is NAME=RESULTS:RUNS_DIR (tune.py --out, its --runs-dir). The
winner is the finished trial of highest validation accuracy of its kept
epoch (fashion.Run.KeptValAccuracy), as the trial runner reported it in its
`done` line (tune.py --out: kept_val_accuracy, kept_epoch); nothing here
recomputes it. The test accuracy is reported, never used to choose. --seeds
holds the `done` JSON lines of the winner retrained with other seeds
(fashion train -progress jsonl), for the spread over seeds; they are read
with tune.py's parse_event (the schema sweeps/trial-events.schema.json).
--ablation is the winner's ablation as `sweeps/ablation.py collect` wrote
it; it goes into the JSON, and the Markdown's ablation table is read from
there. The per-trial tables' columns are the space's searched parameters
(a one_of group's fields). Standard library only.
"""
import argparse
import json
import pathlib
import statistics

from tune import load_event_schema, parse_event


DRAWN = ("grid", "choice", "uniform", "loguniform", "randint")


def searched(space):
    """The searched parameters of a space file's JSON, sorted: those drawn
    or on a grid, and the fields of a one_of group's sets (as `go doc
    ./fashion/sweep` Space.Searched)."""
    names = set()
    for name, spec in space.get("params", {}).items():
        if not isinstance(spec, dict):
            continue
        ((kind, arg),) = spec.items()
        if kind in DRAWN:
            names.add(name)
        elif kind == "one_of":
            names.update(k for s in arg for k in s)
    return sorted(names)


def flatten(config):
    """A Tune trial's config with each one_of set (a dict) spread into it."""
    out = {}
    for k, v in config.items():
        if isinstance(v, dict):
            out.update(flatten(v))
        else:
            out[k] = v
    return out


def load_record(runs, key):
    p = pathlib.Path(runs) / key / "run.json"
    return json.loads(p.read_text()) if p.exists() else None


def kept(t, rec):
    """(validation accuracy, epoch) of the kept epoch of trial t, whose run
    record is rec: the values of the runner's done line, which tune.py
    --out keeps (kept_val_accuracy, kept_epoch). A stored run whose done line
    did not reach Tune (an interrupted sweep) has none there: then the
    record's own values, its kept_epoch and that epoch's entry of its
    history."""
    if t.get("kept_val_accuracy") is not None:
        return t["kept_val_accuracy"], t["kept_epoch"] if t.get("kept_epoch") is not None else rec["kept_epoch"]
    entry = next(e for e in rec["history"] if e["epoch"] == rec["kept_epoch"])
    return entry["val_accuracy"], rec["kept_epoch"]


def summarize(name, results_path, runs):
    res = json.loads(pathlib.Path(results_path).read_text())
    trials = []
    for t in res["trials"]:
        rec = load_record(runs, t["key"]) if t.get("key") else None
        if t["error"]:
            status = "error"
        elif rec is not None:
            status = "finished"
        else:
            status = "stopped"
        row = {
            "trial_id": t.get("trial_id"), "status": status, "key": t.get("key"),
            "epochs_reported": t["epochs_reported"], "last_val_accuracy": t["val_accuracy"],
            "values": flatten(t["config"]),
        }
        if rec is not None:
            val, epoch = kept(t, rec)
            row.update(kept_val_accuracy=val, kept_epoch=epoch, epochs_trained=len(rec["history"]),
                       test_accuracy=rec["test_accuracy"], train_seconds=rec["train_seconds"], config=rec["config"])
        if t["error"]:
            row["error"] = t["error"].strip().splitlines()[-1][:300]
        trials.append(row)
    finished = [t for t in trials if t["status"] == "finished"]
    best = max(finished, key=lambda t: t["kept_val_accuracy"]) if finished else None
    # Epochs actually trained: a finished run's history (early stopping
    # reports its last epoch twice), else what was reported before the stop.
    epochs = sum(t.get("epochs_trained", t["epochs_reported"]) for t in trials)
    return {
        "name": name, "wall_seconds": res["wall_seconds"], "scheduler": res["scheduler"], "search": res["search"],
        "trials": trials, "counts": {s: sum(1 for t in trials if t["status"] == s) for s in ("finished", "stopped", "error")},
        "epochs_trained": epochs, "best_key": best["key"] if best else None,
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--space", required=True)
    p.add_argument("--sweep", action="append", required=True)
    p.add_argument("--winner-from", required=True)
    p.add_argument("--seeds")
    p.add_argument("--ablation", help="the winner's ablation: `sweeps/ablation.py collect` output")
    p.add_argument("--command", action="append", default=[])
    p.add_argument("--date", required=True)
    p.add_argument("--note", action="append", default=[])
    p.add_argument("--json", required=True)
    p.add_argument("--md", required=True)
    args = p.parse_args()

    sweeps = {}
    for s in args.sweep:
        name, rest = s.split("=", 1)
        results, runs = rest.split(":", 1)
        sweeps[name] = summarize(name, results, runs)
        sweeps[name]["runs_dir"] = runs
    src = sweeps[args.winner_from]
    best = next(t for t in src["trials"] if t["key"] == src["best_key"])
    winner = {
        "from": args.winner_from, "key": best["key"], "config": best["config"],
        "val_accuracy": best["kept_val_accuracy"], "kept_epoch": best["kept_epoch"], "test_accuracy": best["test_accuracy"],
    }
    if args.seeds and pathlib.Path(args.seeds).exists():
        kinds = load_event_schema()
        events = [parse_event(l, kinds) for l in pathlib.Path(args.seeds).read_text().splitlines() if l.strip()]
        runs = []
        for ev in events:
            if ev["event"] != "done":
                continue
            rec = json.loads(pathlib.Path(ev["record"]).read_text())  # for its seed
            runs.append({"seed": rec["config"]["seed"], "key": ev["key"], "val_accuracy": ev["val_accuracy"], "test_accuracy": ev["test_accuracy"]})
        all_runs = [{"seed": best["config"]["seed"], "key": best["key"], "val_accuracy": best["kept_val_accuracy"], "test_accuracy": best["test_accuracy"]}] + runs
        tests = [r["test_accuracy"] for r in all_runs]
        winner["seeds"] = all_runs
        winner["test_accuracy_mean"] = statistics.mean(tests)
        winner["test_accuracy_sd"] = statistics.stdev(tests) if len(tests) > 1 else 0.0
        winner["test_accuracy_range"] = [min(tests), max(tests)]
    out = {
        "date": args.date, "commands": args.command, "notes": args.note,
        "space_file": args.space, "space": json.loads(pathlib.Path(args.space).read_text()),
        "sweeps": sweeps, "winner": winner,
    }
    if args.ablation:
        out["ablation"] = json.loads(pathlib.Path(args.ablation).read_text())
    pathlib.Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    pathlib.Path(args.md).write_text(markdown(json.loads(pathlib.Path(args.json).read_text())))


def pct(v):
    return f"{100 * v:.2f}%" if v is not None else ""


def markdown(out):
    """docs/sweep.md from docs/sweep.json's contents (out)."""
    args = argparse.Namespace(date=out["date"], note=out["notes"], command=out["commands"],
                              space=out.get("space_file", "the space"), winner_from=out["winner"]["from"])
    sweeps, winner = out["sweeps"], out["winner"]
    md = [f"# A sweep over the exercise's architecture\n", f"Measured {args.date}.\n"]
    md += [f"- {n}" for n in args.note]
    md.append("\nCommands:\n")
    md += [f"    {c}" for c in args.command]
    md.append(f"\nSpace (`{args.space}`):\n")
    md.append("```json\n" + json.dumps(out["space"], indent=2) + "\n```\n")
    md.append("| sweep | trials | finished | stopped early | errors | epochs trained | wall time |")
    md.append("|---|---:|---:|---:|---:|---:|---:|")
    for s in sweeps.values():
        c = s["counts"]
        md.append(f"| {s['name']} ({s['scheduler']}) | {len(s['trials'])} | {c['finished']} | {c['stopped']} | {c['error']} | {s['epochs_trained']} | {s['wall_seconds'] / 60:.1f} min |")
    md.append("")
    md.append(f"**Winner** (best validation accuracy of the kept epoch among the finished trials of `{args.winner_from}`; "
              f"the test half played no part in choosing): key `{winner['key']}`, validation {100 * winner['val_accuracy']:.2f}% "
              f"(epoch {winner['kept_epoch']}), **test {100 * winner['test_accuracy']:.2f}%**.")
    if "seeds" in winner:
        md.append(f"Over seeds {[r['seed'] for r in winner['seeds']]}: test {100 * winner['test_accuracy_mean']:.2f}% ± "
                  f"{100 * winner['test_accuracy_sd']:.2f} (sd), range {100 * winner['test_accuracy_range'][0]:.2f}–{100 * winner['test_accuracy_range'][1]:.2f}%; "
                  "validation " + ", ".join(f"{100 * r['val_accuracy']:.2f}%" for r in winner["seeds"]) + ".")
    md.append("\nIts config (a `fashion train -config` file):\n")
    md.append("```json\n" + json.dumps(winner["config"], indent=2) + "\n```\n")
    for s in sweeps.values():
        md.append(f"\n## {s['name']}: every trial, by validation accuracy\n")
        keys = searched(out["space"])
        md.append("| # | status | " + " | ".join(keys) + " | epochs | val acc (kept) | test acc |")
        md.append("|---:|---|" + "---|" * len(keys) + "---:|---:|---:|")
        order = sorted(s["trials"], key=lambda t: (t["status"] != "finished", -(t.get("kept_val_accuracy") or t["last_val_accuracy"] or 0)))
        for i, t in enumerate(order, 1):
            vals = []
            for k in keys:
                v = t["values"].get(k)
                if isinstance(v, float):
                    v = f"{v:.4g}"
                elif isinstance(v, list):
                    v = ",".join(f"{x:.4g}" if isinstance(x, float) else str(x) for x in v)
                vals.append(str(v))
            if t["status"] == "finished":
                scores = f"{t['epochs_trained']} | {100 * t['kept_val_accuracy']:.2f}% | {100 * t['test_accuracy']:.2f}%"
            else:
                last = t["last_val_accuracy"]
                scores = f"{t['epochs_reported']} | ({100 * last:.2f}% last) | " if last is not None else f"{t['epochs_reported']} | | "
            status = t["status"] if t["status"] != "error" else "error: " + t.get("error", "")[:80].replace("|", "/")
            md.append(f"| {i} | {status} | " + " | ".join(vals) + f" | {scores} |")
    if "ablation" in out:
        md.append("\n## Ablation of the winner\n")
        md.append("The winner (seed " + str(winner["config"].get("seed")) + ") with one of the techniques it has on removed at a time "
                  "(sweeps/ablation.py chose them from its config); Δ against the winner's own run.")
        if "test_accuracy_sd" in winner:
            md.append(f"The winner's test accuracy varies by {100 * winner['test_accuracy_sd']:.2f} points (sd) over seeds: "
                      "a smaller Δ is within that noise.")
        md.append("\n| removed | edit | val acc (kept) | Δ val | test acc | Δ test |")
        md.append("|---|---|---:|---:|---:|---:|")
        for a in out["ablation"]:
            edit = " ".join(f"{k}={json.dumps(v)}" for k, v in a["edit"].items())
            if "error" in a:
                md.append(f"| {a['removed']} | `{edit}` | error: {a['error'][:80].replace('|', '/')} | | | |")
                continue
            dv, dt = a["val_accuracy"] - winner["val_accuracy"], a["test_accuracy"] - winner["test_accuracy"]
            md.append(f"| {a['removed']} | `{edit}` | {pct(a['val_accuracy'])} | {100 * dv:+.2f} | {pct(a['test_accuracy'])} | {100 * dt:+.2f} |")
    return "\n".join(md) + "\n"


if __name__ == "__main__":
    main()
