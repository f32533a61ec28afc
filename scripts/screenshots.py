#!/usr/bin/env python3
"""Takes the notebook's screenshots in JupyterLab, in a real browser.

    .venv/bin/python scripts/screenshots.py                        # from notebooks/fashion.ipynb
    .venv/bin/python scripts/screenshots.py --source /tmp/run.ipynb  # from a freshly executed copy

Needs Debian's chromium (`apt-get install chromium`) and PyPI's playwright in
.venv (`.venv/bin/pip install playwright`; no `playwright install`: it drives
the system's Chromium), and the notebook tools of `scripts/setup.sh`.

It copies the notebook into a temporary folder inside notebooks/ (the first
cell finds the checkout by walking up from the notebook's folder to go.mod, so
the copy must stay inside the repository; the folder is removed at the end,
whatever happens), starts JupyterLab headless on a free loopback port with a
token and user settings of its own (no news pop-up, every cell rendered),
opens the copy as a new user would and writes five PNGs:

  screenshot-architecture.png    "Construcción de arquitectura" down to the
                                 model summary: the GoMLX code printed from the
                                 package and the variables (stored outputs)
  screenshot-rerun-versions.png  "Volver a ejecutar una celda: versiones": runs
                                 the set-up cells, then edits the value of
                                 cfg.Dropout in the re-run cell (the copy starts
                                 with the earlier 0.2, as the story goes), runs
                                 it with Shift+Enter and shows its fresh output
                                 (the versions' curves and the answer line) down
                                 to its first stored run's line
  screenshot-technique.png       "Max-norm, con dropout" ("Tu propia técnica"):
                                 edits the comment line of the max_norm cell,
                                 runs it with Shift+Enter and shows its output
                                 down to its first run's line: the stored runs,
                                 the same version, nothing trained (the run
                                 cache keys a technique by its code without
                                 comments)
  screenshot-technique-v2.png    the same cell after editing its code (the
                                 bound 3.0 -> 4.0) and running it again: a new
                                 version, trained (3 seeds, minutes on a CPU)
                                 and drawn against the previous one
  screenshot-comparison.png      "Comparación de todos los entrenamientos"
                                 (stored outputs)

The cells it runs read the stored runs of data/runs (or $FASHION_RUNS_DIR):
with the notebook's runs stored the dropout re-run and the comment edit take
seconds; the code edit always trains. The kernel works on a temporary copy of
that runs directory (JupyterLab, hence the kernel and the programs GoNB
builds, get $FASHION_RUNS_DIR pointing at it), so that the versions these
runs record never enter the notebook's real index and the run trained for
the code edit is not kept; the copy is removed at the end. --no-rerun shows
the stored output of the dropout cell instead, without a kernel, and skips
the technique screenshots (they need a kernel).
"""
import argparse
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "fashion.ipynb"

# Where each screenshot starts (a markdown cell, by its first line) and which
# code cell after it ends it (by a piece of its source).
SHOTS = {
    "architecture": ("# Construcción de arquitectura", "lab.BuildModel("),
    "rerun-versions": ("### Volver a ejecutar una celda: versiones", 'lab.Experiment("dropout"'),
    "technique": ("## Max-norm, con dropout", 'lab.Experiment("max_norm"'),
    "comparison": ("# Comparación de todos los entrenamientos", "lab.DisplayComparison("),
}
# The shots that need a kernel to run a cell: their cells are run first, in
# this order, and they are taken there (the technique's two, between its
# two edits); the others are taken afterwards.
KERNEL_SHOTS = ["rerun-versions", "technique"]
# The re-run cell's output is long (every epoch of its first seed): the
# screenshot ends with the line that says its first seed was read back.
RERUN_LAST_LINE = re.compile(r"no se vuelve a entrenar|semilla 42: ")
# The cells a fresh kernel needs first: go.mod pointed at the checkout, then
# the imports (GoNB keeps a cell's imports for the later cells).
SETUP = ["go mod edit -replace", "fashion/lab\""]
DROPOUT_RE = re.compile(r"(cfg\.Dropout = \[\]float64\{)([0-9.]+)(\})")
# The technique cell needs the graph and context imports of the section's
# first code cell; then its comment is edited (the code stays the same) and
# then its max-norm bound (the code changes).
TECH_IMPORTS = 'mlcontext "github.com/gomlx/gomlx/pkg/ml/context"'
TECH_COMMENT = "// w es [entradas, salidas]: una columna por neurona."
TECH_NEW_COMMENT = "// Una columna de w por neurona: sus pesos de entrada."
TECH_BOUND = ("graph.Scalar(g, v.DType(), ", "3.0", "4.0")
# The answer line of the technique cell and each seed's summary line
# (" (guardado)" when read back from the run cache).
TECH_ANSWER = re.compile(r"^max_norm v(\d+)(?: frente a |: primera versión).*$", re.M)
TECH_SEED = re.compile(r"^max_norm semilla \d+( \(guardado\))?: mejor pérdida", re.M)

SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    # Every cell in the page, so that a screenshot can span several.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

BAD_OUTPUT = re.compile(r"^panic: |exit status [1-9]|\.go:\d+:\d+: |failed to run", re.M)


def log(*args):
    print("screenshots:", *args, file=sys.stderr, flush=True)


def source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def find_cells(nb):
    """Index of the first and last cell of each screenshot, of the set-up
    cells, and of the cell with the technique's imports."""
    cells = nb["cells"]
    spans = {}
    for name, (heading, last) in SHOTS.items():
        first = next((i for i, c in enumerate(cells)
                      if c["cell_type"] == "markdown" and source(c).lstrip().startswith(heading)), None)
        if first is None:
            sys.exit(f"screenshots: no markdown cell starting with {heading!r}")
        end = next((i for i in range(first + 1, len(cells))
                    if cells[i]["cell_type"] == "code" and last in source(cells[i])), None)
        if end is None:
            sys.exit(f"screenshots: no code cell with {last!r} after {heading!r}")
        spans[name] = (first, end)
    setup = []
    for piece in SETUP:
        i = next((i for i, c in enumerate(cells) if c["cell_type"] == "code" and piece in source(c)), None)
        if i is None:
            sys.exit(f"screenshots: no set-up cell with {piece!r}")
        setup.append(i)
    tech = spans["technique"][1]
    imports = next((i for i in range(tech - 1, -1, -1)
                    if cells[i]["cell_type"] == "code" and TECH_IMPORTS in source(cells[i])), None)
    if imports is None:
        sys.exit(f"screenshots: no code cell with {TECH_IMPORTS!r} before the technique cell")
    text = source(cells[tech])
    if TECH_COMMENT not in text or "".join(TECH_BOUND[:2]) not in text:
        sys.exit(f"screenshots: the technique cell has no {TECH_COMMENT!r} or no {''.join(TECH_BOUND[:2])!r}")
    return spans, setup, imports


def prepare_copy(src, dst, run, rerun_cell, tech_cell, prev_value):
    """Writes the copy the browser opens: the re-run cell back at the
    earlier dropout value, without outputs, for the browser to edit; the
    technique cell without outputs; the cells it runs (run) without an
    execution count, so that a number in their prompt says they ran."""
    nb = json.loads(src.read_text())
    new_value = None
    for i in run:
        nb["cells"][i]["execution_count"] = None
    if tech_cell is not None:
        nb["cells"][tech_cell]["outputs"] = []
    if rerun_cell is not None:
        cell = nb["cells"][rerun_cell]
        text = source(cell)
        m = DROPOUT_RE.search(text)
        if not m:
            sys.exit("screenshots: the re-run cell has no `cfg.Dropout = []float64{...}`")
        new_value = m.group(2)
        cell["source"] = DROPOUT_RE.sub(lambda m: m.group(1) + prev_value + m.group(3), text, count=1)
        cell["outputs"], cell["execution_count"] = [], None
    dst.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n")
    return new_value


def previous_dropout(nb, rerun_cell):
    """The dropout of the last "dropout" cell before the re-run cell (0.2)."""
    for i in range(rerun_cell - 1, -1, -1):
        c = nb["cells"][i]
        if c["cell_type"] == "code" and 'lab.Experiment("dropout"' in source(c):
            m = DROPOUT_RE.search(source(c))
            if m:
                return m.group(2)
    sys.exit("screenshots: no earlier dropout cell to start the re-run cell from")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_runs(private):
    """A copy of the runs directory the notebook reads (as
    fashion.DefaultRunsDir finds it) for the kernel to work on."""
    src = pathlib.Path(os.environ.get("FASHION_RUNS_DIR") or REPO / "data" / "runs")
    dst = private / "runs"
    if not src.is_dir():
        log(f"no runs directory at {src}: every cell run trains")
        dst.mkdir()
        return dst
    t0 = time.time()
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
    log(f"copied {src} to {dst} ({time.time() - t0:.0f} s)")
    return dst


def start_lab(root, port, token, private, runs_dir):
    settings = private / "settings"
    for rel, value in SETTINGS.items():
        p = settings / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(value))
    env = dict(os.environ)
    gopath = subprocess.run(["go", "env", "GOPATH"], capture_output=True, text=True).stdout.strip()
    if gopath:
        env["PATH"] = f"{gopath}/bin:{env.get('PATH', '')}"
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(private / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(private / "runtime"),
        # The kernel, and the programs GoNB builds for its cells, inherit
        # it: the runs they record go to the copy (see the docstring).
        FASHION_RUNS_DIR=str(runs_dir),
        # Share the machine: at most two Go packages built at once.
        GOFLAGS=(env.get("GOFLAGS", "") + " -p=2").strip(),
    )
    cmd = [str(REPO / ".venv" / "bin" / "jupyter"), "lab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    out = open(private / "jupyter.log", "w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=lambda: os.nice(5))
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        if proc.poll() is not None:
            tail = (private / "jupyter.log").read_text()[-3000:]
            sys.exit(f"screenshots: JupyterLab exited ({proc.returncode}):\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    sys.exit("screenshots: JupyterLab did not answer in 60 s")


def stop_lab(proc, url, token):
    if proc.poll() is not None:
        return
    try:  # kernels first, so that none is left behind
        with urllib.request.urlopen(f"{url}/api/kernels?token={token}", timeout=5) as r:
            for k in json.load(r):
                req = urllib.request.Request(f"{url}/api/kernels/{k['id']}?token={token}", method="DELETE")
                urllib.request.urlopen(req, timeout=30).close()
    except OSError as e:
        log(f"shutting the kernels down: {e}")
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# JavaScript run in the page. cells() lists the open notebook's cell nodes in
# order (windowing off, so all of them); the scroller is the notebook's
# scrolling element.
JS_HELPERS = r"""
window.__shot = {
  cells() { return Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')); },
  scroller(el) {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowY === 'auto' || s.overflowY === 'scroll') && p.scrollHeight > p.clientHeight) return p;
    }
    return document.scrollingElement;
  },
  // Bottom (page coordinates) of the line of cell i's output that matches re.
  lineBottom(i, re) {
    const cell = this.cells()[i];
    const walker = document.createTreeWalker(cell.querySelector('.jp-OutputArea') || cell, NodeFilter.SHOW_TEXT);
    const rx = new RegExp(re);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const m = rx.exec(n.data);
      if (!m) continue;
      let end = n.data.indexOf('\n', m.index);
      if (end < 0) end = n.data.length;
      const r = document.createRange();
      r.setStart(n, m.index); r.setEnd(n, end);
      return r.getBoundingClientRect().bottom;
    }
    return null;
  },
};
"""


def wait_images(page):
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.jp-Notebook img'))
        .every(img => img.complete && img.naturalWidth > 0)""", timeout=60_000)


def cell(page, i):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(i)


def wait_kernel(page, timeout_s=180):
    """Waits until the notebook is connected to its kernel (Go, GoNB) and has
    its kernel_info. (JupyterLab shows GoNB's status as "Unknown" until a cell
    runs: it ignores the status messages of kernel_info requests.)"""
    page.wait_for_function("""() => { const w = window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return k && k.connectionStatus === 'connected'; }""", timeout=timeout_s * 1000, polling=500)
    page.evaluate("""async () => { await window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.info; }""")


def started(page, i, timeout_s):
    """Whether cell i's prompt shows it queued, running or done within timeout_s."""
    prompt = cell(page, i).locator(".jp-InputPrompt").first
    try:
        page.wait_for_function("el => /\\[(\\*|\\d+)\\]/.test(el.textContent)",
                               arg=prompt.element_handle(), timeout=timeout_s * 1000, polling=200)
        return True
    except Exception:
        return False


def run_cell(page, i, timeout_s):
    """Selects cell i as a user would (a click on its prompt), runs it with
    Shift+Enter and waits until its prompt has a number again."""
    c = cell(page, i)
    for attempt in range(3):
        c.scroll_into_view_if_needed()
        c.locator(".jp-InputPrompt").first.click()
        page.keyboard.press("Shift+Enter")
        if started(page, i, 20):
            break
        log(f"cell {i} did not start; selecting it again")
    else:
        sys.exit(f"screenshots: cell {i} does not run with Shift+Enter")
    return wait_done(page, i, timeout_s)


def wait_done(page, i, timeout_s, before=None):
    """Waits until cell i's prompt has a number (other than before, the
    prompt of its previous run) and returns its output's text; exits on an
    output that says the cell failed, and logs what it wrote to stderr."""
    prompt = cell(page, i).locator(".jp-InputPrompt").first
    page.wait_for_function("""([el, before]) => /\\[\\d+\\]/.test(el.textContent) && el.textContent !== before""",
                           arg=[prompt.element_handle(), before], timeout=timeout_s * 1000, polling=500)
    text = cell(page, i).locator(".jp-OutputArea").first.inner_text()
    m = BAD_OUTPUT.search(text)
    if m:
        sys.exit(f"screenshots: cell {i} failed: ...{text[max(0, m.start() - 300):m.end() + 300]}")
    for err in cell(page, i).locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts():
        log(f"cell {i} wrote to stderr: {err[:500]!r}")
    return text


def run_focused(page, i, timeout_s):
    """Runs cell i, whose editor has the cursor, with Shift+Enter, and
    waits for its new output (its prompt may show a number already)."""
    prompt = cell(page, i).locator(".jp-InputPrompt").first
    before = prompt.text_content()
    page.keyboard.press("Shift+Enter")
    try:
        page.wait_for_function("([el, before]) => el.textContent !== before",
                               arg=[prompt.element_handle(), before], timeout=20_000, polling=200)
    except Exception:
        sys.exit(f"screenshots: cell {i} did not start with Shift+Enter")
    return wait_done(page, i, timeout_s, before)


def edit_dropout(page, i, value):
    """Puts the cursor in the cfg.Dropout line of cell i and types the new value over the old one."""
    line = cell(page, i).locator(".cm-line", has_text="cfg.Dropout").first
    line.click()
    page.keyboard.press("End")  # after the closing brace
    page.keyboard.press("ArrowLeft")
    old = DROPOUT_RE.search(line.inner_text()).group(2)
    for _ in old:
        page.keyboard.press("Backspace")
    page.keyboard.type(value, delay=80)
    got = DROPOUT_RE.search(line.inner_text())
    if not got or got.group(2) != value:
        sys.exit(f"screenshots: editing the dropout cell gave {line.inner_text()!r}")


def edit_line(page, i, has_text, old, new):
    """In the line of cell i that shows has_text, puts the cursor after the
    last `old`, deletes it and types `new`, as a user would."""
    line = cell(page, i).locator(".cm-line", has_text=has_text).first
    line.click()
    page.keyboard.press("End")
    text = line.inner_text()
    at = text.rfind(old)
    if at < 0:
        sys.exit(f"screenshots: no {old!r} in the line {text!r} of cell {i}")
    for _ in range(len(text) - at - len(old)):
        page.keyboard.press("ArrowLeft")
    for _ in old:
        page.keyboard.press("Backspace")
    page.keyboard.type(new, delay=40)
    want = text[:at] + new + text[at + len(old):]
    lines = cell(page, i).locator(".cm-line").all_inner_texts()
    if want not in lines or text in lines:
        sys.exit(f"screenshots: editing cell {i} did not give the line {want!r}")


def technique_answer(text, stored):
    """The version number in the technique cell's answer line and its
    answer line; exits unless every seed was read back from the run cache
    (stored) or every seed trained (not stored)."""
    m = TECH_ANSWER.search(text)
    if not m:
        sys.exit(f"screenshots: no answer line `max_norm vN ...` in the technique cell's output:\n{text[:2000]}")
    seeds = TECH_SEED.findall(text)
    if not seeds or any(bool(g) != stored for g in seeds):
        how = "read back from the run cache" if stored else "trained"
        sys.exit(f"screenshots: not every seed of the technique cell was {how}:\n{text[:3000]}")
    return int(m.group(1)), m.group(0)


def shoot(page, first, last, path, bottom_line=None, side=8):
    """Screenshot of cells first..last (stopping after the output line that
    matches bottom_line in cell last, if given), in a window tall enough for
    all of them and wide enough for their widest output (a wide table would
    otherwise scroll sideways and lose its last columns)."""
    page.evaluate(JS_HELPERS)
    vp = page.viewport_size
    width = vp["width"]
    for _ in range(3):
        height = page.evaluate("""([a, b]) => { const c = window.__shot.cells();
            return c[b].getBoundingClientRect().bottom - c[a].getBoundingClientRect().top; }""", [first, last])
        page.set_viewport_size({"width": width, "height": int(min(max(height + 200, 900), 15000))})
        page.wait_for_timeout(300)
        overflow = page.evaluate("""([a, b]) => { let most = 0;
            for (const c of window.__shot.cells().slice(a, b + 1))
              for (const el of c.querySelectorAll('.jp-OutputArea-output, .jp-RenderedMarkdown, .jp-RenderedHTMLCommon'))
                most = Math.max(most, el.scrollWidth - el.clientWidth);
            return most; }""", [first, last])
        if overflow <= 1 or width >= 2000:
            break
        width = min(width + overflow + 16, 2000)
    page.evaluate("""a => { const c = window.__shot.cells()[a]; const s = window.__shot.scroller(c);
        s.scrollTop += c.getBoundingClientRect().top - s.getBoundingClientRect().top - 8; }""", first)
    # The mouse off the cells: a heading under it shows its collapse button.
    page.mouse.move(vp["width"] - 5, 5)
    page.wait_for_timeout(500)
    wait_images(page)
    box = page.evaluate("""([a, b]) => { const c = window.__shot.cells();
        const t = c[a].getBoundingClientRect(), u = c[b].getBoundingClientRect();
        return {x: Math.min(t.left, u.left), y: t.top, right: Math.max(t.right, u.right), bottom: u.bottom}; }""",
                        [first, last])
    if bottom_line is not None:
        b = page.evaluate("([i, re]) => window.__shot.lineBottom(i, re)", [last, bottom_line.pattern])
        if b is None:
            log(f"no line matching {bottom_line.pattern!r} in the output of cell {last}: the whole cell")
        else:
            box["bottom"] = b + 3
    # The cells' own padding is the margin above and below.
    clip = {"x": max(box["x"] - side, 0), "y": box["y"]}
    clip["width"] = box["right"] - clip["x"] + side
    clip["height"] = box["bottom"] - clip["y"]
    if clip["width"] < 100 or clip["height"] < 100:
        raise RuntimeError(f"cells {first}-{last} not laid out yet: {box}")
    page.screenshot(path=str(path), clip=clip)
    log(f"wrote {path} ({int(clip['width'])}x{int(clip['height'])}, window {width} wide)")
    page.set_viewport_size(vp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=pathlib.Path, default=NOTEBOOK, help="the notebook to copy (its stored outputs are shown)")
    ap.add_argument("--out-dir", type=pathlib.Path, default=REPO / "docs")
    ap.add_argument("--only", choices=list(SHOTS), action="append", help="take only this screenshot (repeatable)")
    ap.add_argument("--no-rerun", action="store_true",
                    help="show the re-run cell's stored output, without a kernel (and skip the technique's screenshots)")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--width", type=int, default=1160, help="browser window width (CSS pixels)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell run")
    args = ap.parse_args()

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("screenshots: no playwright: .venv/bin/pip install playwright (and apt-get install chromium)")
    if not os.access(args.chromium, os.X_OK):
        sys.exit(f"screenshots: no Chromium at {args.chromium} (apt-get install chromium, or --chromium PATH)")

    # A kill (SIGTERM) still runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wanted = args.only or list(SHOTS)
    if args.no_rerun and "technique" in wanted:
        log("--no-rerun: no technique screenshots (they need a kernel)")
        wanted.remove("technique")
    nb = json.loads(args.source.read_text())
    spans, setup, imports = find_cells(nb)
    st = argparse.Namespace(nb=nb, spans=spans, setup=setup, imports=imports, wanted=wanted, value=None,
                            kernel=[n for n in KERNEL_SHOTS if n in wanted and not args.no_rerun])
    st.rerun_cell = spans["rerun-versions"][1] if "rerun-versions" in st.kernel else None
    st.tech_cell = spans["technique"][1] if "technique" in st.kernel else None
    run = (setup if st.kernel else []) + ([imports, st.tech_cell] if st.tech_cell is not None else [])
    args.out_dir.mkdir(parents=True, exist_ok=True)

    # Inside the repository (see the docstring), under a name git status
    # shows, removed in the finally below.
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=".screenshots-tmp-", dir=REPO / "notebooks"))
    private = pathlib.Path(tempfile.mkdtemp(prefix="fashion-screenshots-"))
    proc = None
    console = []
    try:
        copy = tmp / NOTEBOOK.name
        st.value = prepare_copy(args.source, copy, run, st.rerun_cell, st.tech_cell,
                                previous_dropout(nb, st.rerun_cell) if st.rerun_cell is not None else None)
        st.runs = copy_runs(private) if st.kernel else private / "no-runs"
        port, token = free_port(), secrets.token_hex(16)
        proc, url = start_lab(tmp, port, token, private, st.runs)
        log(f"JupyterLab at {url}/lab (log {private / 'jupyter.log'})")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=["--disable-gpu"])
            page = browser.new_page(viewport={"width": args.width, "height": 1000})
            # What a user would see in the browser's console.
            page.on("pageerror", lambda e: console.append(f"page error: {e}"))
            page.on("console", lambda m: console.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            try:
                take(page, args, url, token, copy, st)
            except BaseException:
                shutil.copy(private / "jupyter.log", pathlib.Path(tempfile.gettempdir()) / "screenshots-failed-jupyter.log")
                log(f"JupyterLab's log: {pathlib.Path(tempfile.gettempdir()) / 'screenshots-failed-jupyter.log'}")
                shot = pathlib.Path(tempfile.gettempdir()) / "screenshots-failed.png"
                try:
                    page.screenshot(path=str(shot))
                    log(f"the page when it failed: {shot}")
                except Exception:
                    pass
                raise
            browser.close()
    finally:
        for line in console:
            log(f"browser: {line[:500]}")
        if proc is not None:
            stop_lab(proc, url, token)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


def index_file(runs, name):
    """The notebook's index of experiment name in the runs directory runs
    (fashion/lab's IndexDir)."""
    quick = os.environ.get("FASHION_QUICK", "") not in ("", "0", "false")
    return runs / ("notebook-quick" if quick else "notebook") / f"{name}.json"


def take(page, args, url, token, copy, st):
    """Opens the copy, runs the cells of the kernel's shots (taking the
    technique's there), then takes the other screenshots."""
    page.goto(f"{url}/lab/tree/{copy.name}?token={token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=60_000)
    page.evaluate("() => window.jupyterapp.started")
    # The notebook alone, as wide as the window.
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.wait_for_timeout(1000)
    page.evaluate(JS_HELPERS)
    # All the cells in the page (a big notebook takes a while), their images loaded.
    try:
        page.wait_for_function("n => window.__shot.cells().length === n", arg=len(st.nb["cells"]), timeout=120_000)
    except Exception:
        n = page.evaluate("() => window.__shot.cells().length")
        sys.exit(f"screenshots: the page shows {n} cells, the notebook has {len(st.nb['cells'])}")
    wait_images(page)

    if st.kernel:
        t0 = time.time()
        wait_kernel(page)
        log(f"kernel connected ({time.time() - t0:.0f} s)")
        for i in st.setup:
            run_cell(page, i, args.timeout)
            log(f"ran set-up cell {i} ({time.time() - t0:.0f} s)")
    if st.rerun_cell is not None:
        edit_dropout(page, st.rerun_cell, st.value)
        t0 = time.time()
        text = run_focused(page, st.rerun_cell, args.timeout)
        answer = next((l for l in text.splitlines() if " frente a " in l or "primera versión" in l), "(no answer line)")
        log(f"re-ran cell {st.rerun_cell} with dropout {st.value} in {time.time() - t0:.0f} s: {answer}")
    if st.tech_cell is not None:
        technique(page, args, st)
    for name in st.wanted:
        if name in st.kernel and name != "rerun-versions":
            continue  # taken above
        bottom = RERUN_LAST_LINE if name == "rerun-versions" else None
        shoot_again(page, st.spans[name], args.out_dir / f"screenshot-{name}.png", bottom)


def technique(page, args, st):
    """The technique's two screenshots: its cell run after a comment edit
    (the stored runs, the same version), then after a code edit (a new
    version, trained). Checks that the runs went to the copy of the runs
    directory and that the notebook's own index did not change."""
    cell_i = st.tech_cell
    real = index_file(pathlib.Path(os.environ.get("FASHION_RUNS_DIR") or REPO / "data" / "runs"), "max_norm")
    real_before = real.read_bytes() if real.exists() else None
    run_cell(page, st.imports, args.timeout)
    log(f"ran the technique's imports, cell {st.imports}")

    edit_line(page, cell_i, TECH_COMMENT, TECH_COMMENT, TECH_NEW_COMMENT)
    t0 = time.time()
    text = run_focused(page, cell_i, args.timeout)
    n, answer = technique_answer(text, stored=True)
    if "no se vuelve a entrenar" not in text:
        sys.exit(f"screenshots: the technique cell after a comment edit does not say `no se vuelve a entrenar`:\n{text[:3000]}")
    log(f"ran cell {cell_i} with its comment edited in {time.time() - t0:.0f} s: {answer}")
    shoot_again(page, st.spans["technique"], args.out_dir / "screenshot-technique.png", RERUN_LAST_LINE)

    prefix, old, new = TECH_BOUND
    edit_line(page, cell_i, prefix + old, old, new)
    t0 = time.time()
    text = run_focused(page, cell_i, args.timeout)
    n2, answer = technique_answer(text, stored=False)
    if n2 != n + 1 or f"frente a v{n}:" not in answer:
        sys.exit(f"screenshots: after the code edit the technique cell answers {answer!r}, not `max_norm v{n + 1} frente a v{n}`")
    log(f"ran cell {cell_i} with its code edited ({old} -> {new}) in {time.time() - t0:.0f} s: {answer}")
    shoot_again(page, st.spans["technique"], args.out_dir / "screenshot-technique-v2.png", RERUN_LAST_LINE)

    copied = index_file(st.runs, "max_norm")
    versions = json.loads(copied.read_text())["versions"] if copied.exists() else []
    if not any(v.get("version") == n2 for v in versions):
        sys.exit(f"screenshots: the kernel did not record max_norm v{n2} in the copy {copied}: did it get FASHION_RUNS_DIR?")
    if (real.read_bytes() if real.exists() else None) != real_before:
        sys.exit(f"screenshots: the notebook's index {real} changed")


def shoot_again(page, span, path, bottom):
    """shoot, up to three times: a page still settling gets a second try."""
    first, last = span
    for attempt in range(3):
        try:
            shoot(page, first, last, path, bottom_line=bottom)
            return
        except Exception as e:
            if attempt == 2:
                raise
            log(f"{path.name}: {e}; again")
            page.wait_for_timeout(2000)


if __name__ == "__main__":
    main()
