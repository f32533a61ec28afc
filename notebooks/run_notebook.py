#!/usr/bin/env python3
"""Executes a GoNB notebook headless and fails on any cell that went wrong.

GoNB reports a cell whose program panicked or exited non-zero as a success,
so besides Jupyter's error outputs this scans every output for a panic, a
non-zero exit status or a compilation error.

    run_notebook.py notebooks/fashion.ipynb --out /tmp/executed.ipynb
    run_notebook.py notebooks/fashion.ipynb --in-place      # refresh the committed outputs

The notebook is its own source: edit its cells in JupyterLab and save, then
refresh its outputs with --in-place (it rewrites outputs, execution counts
and execution times; cell sources and ids stay as they are). The file is
written even when a cell fails, so that the failure shows in the notebook;
the exit status is then 1, and fashion/lab's TestNotebookStructure refuses a
committed notebook with a failed output.
"""
import argparse
import base64
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

BAD = [
    (re.compile(r"^panic: ", re.M), "a panic"),
    (re.compile(r"exit status [1-9]"), "a non-zero exit"),
    (re.compile(r"goroutine \d+ \[running\]"), "a goroutine dump"),
    (re.compile(r"^# gonb_\w+|\.go:\d+:\d+: .+", re.M), "a compilation error"),
    (re.compile(r"failed to run|Failed to execute", re.I), "a failed execution"),
]


def output_text(out):
    if out.get("output_type") == "stream":
        return out.get("text", "")
    if out.get("output_type") == "error":
        return "\n".join(out.get("traceback", [])) or out.get("evalue", "")
    data = out.get("data", {})
    return data.get("text/plain", "") if isinstance(data.get("text/plain", ""), str) else ""


# A cell that draws (lab.Experiment, lab.Display...) must end with a
# display output: a process that exits with data still in GoNB's pipe can
# lose it without any error.
DRAWS = re.compile(r"lab\.(Experiment|Display\w*)\(")


def problems(nb):
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if DRAWS.search(cell.source) and not any(o.get("output_type") in ("display_data", "update_display_data")
                                                 for o in cell.get("outputs", [])):
            found.append((i, "no display output", cell.source.splitlines()[-1]))
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append((i, "an error output", out.get("ename", "") + ": " + out.get("evalue", "")))
                continue
            text = output_text(out)
            for pattern, what in BAD:
                m = pattern.search(text)
                if m:
                    line = text[max(0, m.start() - 80): m.end() + 120].strip()
                    found.append((i, what, line))
    return found


def add_pngs(nb):
    """Adds a PNG next to every SVG output: JupyterLab does not draw SVG (nor
    inline HTML) for a notebook it does not trust, such as one just opened
    from disk, but it does draw PNG. Needs rsvg-convert (librsvg2-bin)."""
    rsvg = shutil.which("rsvg-convert")
    if not rsvg:
        print("rsvg-convert not found (apt-get install librsvg2-bin): no PNG copies of the charts", file=sys.stderr)
        return 0
    added = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            svg = data.get("image/svg+xml")
            if svg and "image/png" not in data:
                svg = "".join(svg) if isinstance(svg, list) else svg
                png = subprocess.run([rsvg, "-f", "png"], input=svg.encode(), capture_output=True, check=True).stdout
                data["image/png"] = base64.b64encode(png).decode()
                added += 1
    return added


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("--out", help="where to write the executed notebook")
    ap.add_argument("--in-place", action="store_true", help="overwrite the notebook with its outputs")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = ap.parse_args()

    path = pathlib.Path(args.notebook)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="gonb", timeout=args.timeout,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.time()
    # GoNB logs every cell to its stderr; keep that out of the way, in a
    # file of this run's own (two runs at once must not share one).
    log = tempfile.NamedTemporaryFile("w", prefix="gonb-kernel-", suffix=".log", delete=False)
    log_path = log.name
    try:
        client.execute(stderr=log)
    finally:
        out = path if args.in_place else (pathlib.Path(args.out) if args.out else None)
        log.close()
        print(f"kernel log: {log_path}")
        if out:
            print(f"added {add_pngs(nb)} PNG copies of SVG charts")
            nbformat.write(nb, out)
            print(f"wrote {out} ({out.stat().st_size} bytes)")
    found = problems(nb)
    cells = sum(1 for c in nb.cells if c.cell_type == "code")
    print(f"executed {cells} code cells in {time.time() - start:.0f} s")
    for i, what, line in found:
        print(f"cell {i}: {what}: {line}", file=sys.stderr)
    if found:
        print(f"0 passed, {len(found)} failed", file=sys.stderr)
        sys.exit(1)
    print(f"notebook: {cells} passed, 0 failed")


if __name__ == "__main__":
    main()
