"""A real browser: JupyterLab runs notebook 01 as a student would, and its sliders redraw;
an instructor presents notebook 05 as slides (jupyterlab-slideshow) and drags a live slider.

Starts JupyterLab (this .venv) on a free local port with a token, serving a temporary
copy of notebook 01 (the committed notebook is never touched), opens it in headless
Chromium driven by Playwright, runs all cells from the Run menu, and checks that no cell
shows an error, that the sliders render, and that moving a slider with the keyboard
redraws its figure. A screenshot goes to tests/artifacts/browser_01.png.

Uses Debian's Chromium (/usr/bin/chromium); Playwright never downloads a browser here.
Without it the test is skipped: `apt-get install chromium` enables it (.ci/run does).
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from nmf_course import slide_metadata
from conftest import ROOT

NOTEBOOK = "01_simulating_counts.ipynb"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"no Chromium at {CHROMIUM}: `apt-get install chromium` enables the real-browser test")

# JupyterLab settings for the test server only: no news or update checks (no network),
# and every cell kept in the page (no windowing), so the test can see all outputs.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path, request):
    """A JupyterLab server on a temporary copy of a notebook (01 unless the test is
    parametrized indirectly with another name); yields (url, notebook path)."""
    NOTEBOOK = getattr(request, "param", globals()["NOTEBOOK"])
    (tmp_path / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / NOTEBOOK, tmp_path / "notebooks" / NOTEBOOK)
    (tmp_path / "data").symlink_to(ROOT / "data")
    for name, values in SETTINGS.items():
        path = tmp_path / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), "nmf-course-browser-test"
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
               "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
               f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + (tmp_path / "server.log").read_text()[-3000:])
            time.sleep(0.5)
        # Start the notebook's kernel first (what opening it does): JupyterLab then attaches to
        # it, and cannot race its kernel list into a "Select Kernel" dialog on a busy machine.
        request = urllib.request.Request(
            f"{url}/api/sessions?token={token}", method="POST",
            data=json.dumps({"path": f"notebooks/{NOTEBOOK}", "type": "notebook", "name": NOTEBOOK,
                             "kernel": {"name": "python3"}}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as reply:
            assert reply.status == 201
        yield f"{url}/lab/tree/notebooks/{NOTEBOOK}?token={token}", tmp_path / "notebooks" / NOTEBOOK
    finally:
        server.send_signal(signal.SIGTERM)       # JupyterLab shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)   # the server's own process group (start_new_session)
            server.wait(timeout=5)
        log.close()


ALL_CELLS_RAN = """(expected) => {
    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
        .map(p => p.textContent);
    return !prompts.some(t => t.includes('*')) && prompts.filter(t => /\\[\\d+\\]/.test(t)).length === expected;
}"""

ERRORS_SHOWN = """() => [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.textContent).filter(t => /Traceback|Error/.test(t))"""


def code_cells_to_run(notebook_json):
    """How many code cells Run All Cells executes (the ones with source)."""
    return sum(c["cell_type"] == "code" and "".join(c["source"]).strip() != ""
               for c in notebook_json["cells"])


@contextlib.contextmanager
def chromium_page(sync_api, viewport, failure_png, console=None):
    """A headless Chromium page (60 s default timeout), its console messages appended to
    console if given; a screenshot to failure_png if the block fails; closed either way."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = None
        try:
            page = browser.new_page(viewport=viewport)
            if console is not None:
                page.on("console", lambda message: console.append(message.text))
            page.set_default_timeout(60_000)
            yield page
        except Exception:
            if page is not None:
                page.screenshot(path=str(failure_png))
            raise
        finally:
            browser.close()


def open_notebook(page, url):
    """Open JupyterLab at url and wait until the notebook shows and its kernel is idle."""
    page.goto(url)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
    page.wait_for_timeout(1000)


def run_all_cells(page, n_code, timeout):
    """Run > Run All Cells, as a student would, and wait until n_code code cells have run."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    page.wait_for_function(ALL_CELLS_RAN, arg=n_code, timeout=timeout)


def test_notebook_01_runs_in_jupyterlab_and_its_slider_redraws(lab):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, notebook_copy = lab
    committed = (ROOT / "notebooks" / NOTEBOOK).read_bytes()
    n_code = code_cells_to_run(json.loads(committed))
    ARTIFACTS.mkdir(exist_ok=True)
    started = time.monotonic()
    with chromium_page(sync_api, {"width": 1400, "height": 1000},
                       ARTIFACTS / "browser_01_failure.png") as page:
        open_notebook(page, url)
        dialog = page.locator(".jp-Dialog")
        if dialog.count():          # should not happen; accept the default kernel if it does
            dialog.locator(".jp-mod-accept").first.click()

        run_all_cells(page, n_code, timeout=90_000)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
        assert page.evaluate(ERRORS_SHOWN) == []

        sliders = page.locator(".jp-OutputArea .widget-slider")
        sliders.first.wait_for()
        assert sliders.count() >= 2, "the notebook's sliders did not render"

        # the first slider's cell: its figure, then one step to the right with the keyboard
        cell = page.locator(".jp-CodeCell", has=page.locator(".widget-slider")).first
        cell.scroll_into_view_if_needed()
        figure = cell.locator(".widget-output img").first
        figure.wait_for()
        before = figure.get_attribute("src")
        readout = cell.locator(".widget-readout").first.inner_text()
        handle = cell.locator(".widget-slider .noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            """([cellIndex, before]) => {
                const cell = [...document.querySelectorAll('.jp-CodeCell')]
                    .filter(c => c.querySelector('.widget-slider'))[cellIndex];
                const img = cell && cell.querySelector('.widget-output img');
                return img !== null && img.complete && img.getAttribute('src') !== before;
            }""", arg=[0, before], timeout=30_000)
        assert cell.locator(".widget-readout").first.inner_text() != readout
        page.wait_for_timeout(500)
        cell.locator(".widget-slider").first.evaluate(
            "e => { e.scrollIntoView({block: 'start'}); e.closest('.jp-WindowedPanel-outer')?.scrollBy(0, -40); }")
        page.screenshot(path=str(ARTIFACTS / "browser_01.png"))
        assert page.evaluate(ERRORS_SHOWN) == []

        # save, and check the notebook file for error outputs too
        page.keyboard.press("Control+s")
        page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
    saved = json.loads(notebook_copy.read_text())
    errors = [o for c in saved["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == [], errors
    assert (ROOT / "notebooks" / NOTEBOOK).read_bytes() == committed, "the committed notebook changed"
    print(f"browser test took {time.monotonic() - started:.0f} s in the browser")


SLIDESHOW_NOTEBOOK = "05_reading_W.ipynb"
WIDGET_FAILURES = re.compile(r"Shared module .* doesn't exist|widget model not found|"
                             r"Failed to create module: package: @jupyter-widgets", re.I)


def visible_png(page, path):
    page.screenshot(path=str(path))
    return path.read_bytes()


@pytest.mark.parametrize("lab", [SLIDESHOW_NOTEBOOK], indirect=True)
def test_an_instructor_moves_a_live_slider_on_a_slide(lab):
    """Run notebook 05, start the slideshow (jupyterlab-slideshow's "Start Deck") from the
    first slide, page forward with Space to the slide with the threshold slider, move it,
    and see its figure redraw on the slide. The widget manager must load (no console error
    of the kind that broke jupyterlab_rise, jupyterlab-contrib/rise#119)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    url, copy = lab
    # the slide metadata the course's tool writes (the committed notebooks carry it once the
    # tool has run on them; test_slides checks that)
    copy.write_text(nbformat.writes(slide_metadata.with_slide_metadata(nbformat.read(copy, as_version=4))))
    ARTIFACTS.mkdir(exist_ok=True)
    console = []
    with chromium_page(sync_api, {"width": 1280, "height": 800}, ARTIFACTS / "slides_05_failure.png",
                       console) as page:
        open_notebook(page, url)
        n_code = code_cells_to_run(json.loads((ROOT / "notebooks" / SLIDESHOW_NOTEBOOK).read_text()))
        run_all_cells(page, n_code, timeout=180_000)
        assert page.locator(".jp-OutputArea .widget-slider").count() >= 1

        # the first slide: select the first cell, then Start Deck from the command palette
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("Control+Shift+c")
        page.keyboard.type("Start Deck")
        page.wait_for_timeout(500)
        page.keyboard.press("Enter")
        page.locator(".jp-Deck-Remote").wait_for()
        first = page.locator(".jp-Notebook .jp-Cell").first
        page.wait_for_function("e => e.classList.contains('jp-deck-mod-onscreen')",
                               arg=first.element_handle())
        visible_png(page, ARTIFACTS / "slides_05_first.png")

        # Space pages forward until a slide shows the slider
        on_slide = ".jp-Cell.jp-deck-mod-onscreen .widget-slider"
        for _ in range(80):
            if page.locator(on_slide).count():
                break
            page.keyboard.press("Space")
            page.wait_for_timeout(300)
        assert page.locator(on_slide).count(), "no slide shows a slider"
        cell = page.locator(".jp-Cell.jp-deck-mod-onscreen", has=page.locator(".widget-slider")).first
        figure = cell.locator(".widget-output img").first
        figure.wait_for()
        assert figure.is_visible() and cell.locator(".widget-slider").first.is_visible()
        page.wait_for_timeout(500)
        before_png = visible_png(page, ARTIFACTS / "slides_05_slider_before.png")
        before = figure.get_attribute("src")
        readout = cell.locator(".widget-readout").first.inner_text()
        cell.locator(".widget-slider .noUi-handle").first.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            """(before) => {
                const img = document.querySelector('.jp-Cell.jp-deck-mod-onscreen .widget-output img');
                return img !== null && img.complete && img.getAttribute('src') !== before;
            }""", arg=before, timeout=30_000)
        page.wait_for_timeout(500)
        assert cell.locator(".widget-readout").first.inner_text() != readout
        after_png = visible_png(page, ARTIFACTS / "slides_05_slider_after.png")
        assert after_png != before_png
        assert page.evaluate(ERRORS_SHOWN) == []
        text = page.locator(".jp-Cell.jp-deck-mod-onscreen").all_inner_texts()
        assert not any("interactive(children=" in t or "model not found" in t for t in text), text
    failures = [m for m in console if WIDGET_FAILURES.search(m)]
    assert not failures, failures
