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
opens the copy as a new user would and writes three PNGs:

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
  screenshot-comparison.png      "Comparación de todos los entrenamientos"
                                 (stored outputs)

The re-run reads the stored runs of data/runs (or $FASHION_RUNS_DIR): with the
notebook's runs stored it takes seconds; without them it trains 3 seeds.
It records a version of "dropout" in the notebook's index exactly as running
the notebook does (dropout 0.5 stays the latest). --no-rerun shows that
cell's stored output instead, without a kernel.
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
    "comparison": ("# Comparación de todos los entrenamientos", "lab.DisplayComparison("),
}
# The re-run cell's output is long (every epoch of its first seed): the
# screenshot ends with the line that says its first seed was read back.
RERUN_LAST_LINE = re.compile(r"no se vuelve a entrenar|semilla 42: ")
# The cells a fresh kernel needs first: go.mod pointed at the checkout, then
# the imports (GoNB keeps a cell's imports for the later cells).
SETUP = ["go mod edit -replace", "fashion/lab\""]
DROPOUT_RE = re.compile(r"(cfg\.Dropout = \[\]float64\{)([0-9.]+)(\})")

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
    """Index of the first and last cell of each screenshot, and of the set-up cells."""
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
    return spans, setup


def prepare_copy(src, dst, setup, rerun_cell, prev_value):
    """Writes the copy the browser opens: the re-run cell back at the
    earlier dropout value, without outputs, for the browser to edit; the
    cells it runs without an execution count, so that a number in their
    prompt says they ran."""
    nb = json.loads(src.read_text())
    new_value = None
    if rerun_cell is not None:
        for i in setup:
            nb["cells"][i]["execution_count"] = None
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


def start_lab(root, port, token, private):
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


def wait_done(page, i, timeout_s):
    prompt = cell(page, i).locator(".jp-InputPrompt").first
    page.wait_for_function("""el => /\\[\\d+\\]/.test(el.textContent)""",
                           arg=prompt.element_handle(), timeout=timeout_s * 1000, polling=500)
    text = cell(page, i).locator(".jp-OutputArea").first.inner_text()
    m = BAD_OUTPUT.search(text)
    if m:
        sys.exit(f"screenshots: cell {i} failed: ...{text[max(0, m.start() - 300):m.end() + 300]}")
    return text


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
    ap.add_argument("--no-rerun", action="store_true", help="show the re-run cell's stored output, without a kernel")
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
    nb = json.loads(args.source.read_text())
    spans, setup = find_cells(nb)
    rerun = "rerun-versions" in wanted and not args.no_rerun
    rerun_cell = spans["rerun-versions"][1] if rerun else None
    args.out_dir.mkdir(parents=True, exist_ok=True)

    # Inside the repository (see the docstring), under a name git status
    # shows, removed in the finally below.
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=".screenshots-tmp-", dir=REPO / "notebooks"))
    private = pathlib.Path(tempfile.mkdtemp(prefix="fashion-screenshots-"))
    proc = None
    try:
        copy = tmp / NOTEBOOK.name
        value = prepare_copy(args.source, copy, setup, rerun_cell,
                             previous_dropout(nb, rerun_cell) if rerun else None)
        port, token = free_port(), secrets.token_hex(16)
        proc, url = start_lab(tmp, port, token, private)
        log(f"JupyterLab at {url}/lab (log {private / 'jupyter.log'})")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=["--disable-gpu"])
            page = browser.new_page(viewport={"width": args.width, "height": 1000})
            try:
                take(page, args, url, token, copy, nb, spans, setup, wanted, rerun, rerun_cell, value)
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
        if proc is not None:
            stop_lab(proc, url, token)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


def take(page, args, url, token, copy, nb, spans, setup, wanted, rerun, rerun_cell, value):
    """Opens the copy, re-runs the cell if asked, and takes the screenshots."""
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
        page.wait_for_function("n => window.__shot.cells().length === n", arg=len(nb["cells"]), timeout=120_000)
    except Exception:
        n = page.evaluate("() => window.__shot.cells().length")
        sys.exit(f"screenshots: the page shows {n} cells, the notebook has {len(nb['cells'])}")
    wait_images(page)

    if rerun:
        t0 = time.time()
        wait_kernel(page)
        log(f"kernel connected ({time.time() - t0:.0f} s)")
        for i in setup:
            run_cell(page, i, args.timeout)
            log(f"ran set-up cell {i} ({time.time() - t0:.0f} s)")
        edit_dropout(page, rerun_cell, value)
        t0 = time.time()
        page.keyboard.press("Shift+Enter")
        if not started(page, rerun_cell, 20):
            sys.exit(f"screenshots: cell {rerun_cell} did not start with Shift+Enter")
        text = wait_done(page, rerun_cell, args.timeout)
        answer = next((l for l in text.splitlines() if " frente a " in l or "primera versión" in l), "(no answer line)")
        log(f"re-ran cell {rerun_cell} with dropout {value} in {time.time() - t0:.0f} s: {answer}")
    for name in wanted:
        first, last = spans[name]
        bottom = RERUN_LAST_LINE if name == "rerun-versions" else None
        for attempt in range(3):
            try:
                shoot(page, first, last, args.out_dir / f"screenshot-{name}.png", bottom_line=bottom)
                break
            except Exception as e:  # a page still settling: again, a little later
                if attempt == 2:
                    raise
                log(f"{name}: {e}; again")
                page.wait_for_timeout(2000)


if __name__ == "__main__":
    main()
