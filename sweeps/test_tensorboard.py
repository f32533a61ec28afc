"""TensorBoard reads back what `fashion tensorboard` writes.

Every scalar of every epoch is compared with the run records (as float32,
the type of a TensorBoard scalar), and the HParams plugin's session and
experiment are parsed with TensorBoard's own protos.
"""
import json
import pathlib
import subprocess

import numpy as np
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from conftest import TINY

SCALARS = {
    "loss/train": "train_loss",
    "loss/val": "val_loss",
    "accuracy/train": "train_accuracy",
    "accuracy/val": "val_accuracy",
    "lr": "lr",
}


def load(path):
    acc = event_accumulator.EventAccumulator(
        str(path), size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0}
    )
    acc.Reload()
    return acc


def test_event_files_read_back(fashion_bin, tmp_path):
    runs, out = tmp_path / "runs", tmp_path / "tb"
    for lr, name in [("0.001", "a"), ("0.003", "")]:
        args = [str(fashion_bin), "train", "-runs-dir", str(runs), "-epochs", "3", "-optimizer", "adam", "-lr", lr, *TINY]
        if name:
            args += ["-name", name]
        subprocess.run(args, check=True, capture_output=True)
    subprocess.run([str(fashion_bin), "tensorboard", "-runs", str(runs), "-out", str(out)], check=True, capture_output=True)

    records = [json.loads(p.read_text()) for p in sorted(runs.glob("*/run.json"))]
    assert len(records) == 2
    for rec in records:
        run_dir = out / (f"{rec['name']}-{rec['key']}" if rec.get("name") else rec["key"])
        acc = load(run_dir)
        tags = acc.Tags()["scalars"]
        for tag, field in SCALARS.items():
            assert tag in tags, (tag, tags)
            events = acc.Scalars(tag)
            assert [e.step for e in events] == [h["epoch"] for h in rec["history"]]
            for e, h in zip(events, rec["history"]):
                assert e.value == np.float32(h[field]), (tag, e.step, e.value, h[field])
        kept = rec["history"][rec["kept_epoch"]]["val_accuracy"]
        for tag, want in [("accuracy/test", rec["test_accuracy"]), ("loss/test", rec["test_loss"]), ("accuracy/val_kept", kept)]:
            (e,) = acc.Scalars(tag)
            assert e.value == np.float32(want), (tag, e.value, want)
            assert e.step == rec["history"][-1]["epoch"]

        content = acc.PluginTagToContent("hparams")
        start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
        hp = start.session_start_info.hparams
        cfg = rec["config"]
        assert hp["lr"].number_value == cfg["lr"]
        assert hp["epochs"].number_value == cfg["epochs"]
        assert hp["optimizer"].string_value == cfg["optimizer"]
        assert hp["hidden"].string_value == ",".join(str(h) for h in cfg["hidden"])
        assert hp["nesterov"].bool_value == cfg["nesterov"]
        end = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"])
        assert end.session_end_info.status == 1  # STATUS_SUCCESS

    exp = load(out).PluginTagToContent("hparams")["_hparams_/experiment"]
    experiment = plugin_data_pb2.HParamsPluginData.FromString(exp).experiment
    infos = {h.name: h for h in experiment.hparam_infos}
    assert set(records[0]["config"]) <= set(infos)
    assert infos["lr"].differs and not infos["epochs"].differs
    assert sorted(v.string_value for v in infos["optimizer"].domain_discrete.values) == ["adam"]
    assert [m.name.tag for m in experiment.metric_infos][:3] == ["accuracy/val_kept", "accuracy/val", "loss/val"]
