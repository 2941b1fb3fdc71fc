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

from nmf_course import lab as nmf_lab
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

# JupyterLab settings for the test servers, on top of the course's own (make lab's: the deck
# off, no news or update checks): every cell kept in the page (no windowing), so the test can
# see all outputs.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TOKEN = "nmf-course-browser-test"


@contextlib.contextmanager
def jupyterlab_server(root, settings_dir, log_path):
    """A JupyterLab server (this .venv) on root, on a free local port with a token, reading and
    writing its settings in settings_dir as `make lab` does (nmf_course.lab); yields its URL.
    Stopped with SIGTERM (JupyterLab shuts its kernels down), killed if it does not stop."""
    port = free_port()
    command = nmf_lab.command(["--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
                               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
                               f"--LabApp.workspaces_dir={root / 'workspaces'}"], settings_dir=settings_dir)
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    log = open(log_path, "wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.5)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)       # JupyterLab shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)   # the server's own process group (start_new_session)
            server.wait(timeout=5)
        log.close()


def course_settings(settings_dir):
    """The settings `make lab` starts with (deck off, no news), plus the test's own."""
    nmf_lab.prepare_settings(settings_dir)
    for name, values in SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return settings_dir


def start_kernel(url, notebook):
    """Start the notebook's kernel first (what opening it does): JupyterLab then attaches to
    it, and cannot race its kernel list into a "Select Kernel" dialog on a busy machine."""
    request = urllib.request.Request(
        f"{url}/api/sessions?token={TOKEN}", method="POST",
        data=json.dumps({"path": f"notebooks/{notebook}", "type": "notebook", "name": notebook,
                         "kernel": {"name": "python3"}}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        assert reply.status == 201


@pytest.fixture
def lab(tmp_path, request):
    """A JupyterLab server on a temporary copy of a notebook (01 unless the test is
    parametrized indirectly with another name); yields (url, notebook path)."""
    NOTEBOOK = getattr(request, "param", globals()["NOTEBOOK"])
    (tmp_path / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / NOTEBOOK, tmp_path / "notebooks" / NOTEBOOK)
    (tmp_path / "data").symlink_to(ROOT / "data")
    settings = course_settings(tmp_path / "settings")
    with jupyterlab_server(tmp_path, settings, tmp_path / "server.log") as url:
        start_kernel(url, NOTEBOOK)
        yield f"{url}/lab/tree/notebooks/{NOTEBOOK}?token={TOKEN}", tmp_path / "notebooks" / NOTEBOOK


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


def palette(page, command):
    """Run a command by name from JupyterLab's command palette (Ctrl+Shift+C)."""
    search = page.locator(".lm-CommandPalette-input")
    for _ in range(10):
        page.keyboard.press("Control+Shift+c")
        page.wait_for_timeout(500)
        if search.is_visible():
            break
    search.fill(command)        # typed into the palette's search box, never into the notebook
    page.locator(".lm-CommandPalette-item.lm-mod-active", has_text=command).wait_for()
    page.keyboard.press("Enter")


def start_deck(page):
    """Select the first cell and run "Start Deck" from the command palette."""
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.keyboard.press("Escape")
    palette(page, "Start Deck")
    page.locator(".jp-Deck-Remote").wait_for()
    first = page.locator(".jp-Notebook .jp-Cell").first
    page.wait_for_function("e => e.classList.contains('jp-deck-mod-onscreen')", arg=first.element_handle())


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

        start_deck(page)     # from the first slide
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


# ---------------------------------------------------------------------------------------------
# The live deck at a projector's 1280 x 720: every widget's control and whole figure on screen
# on arrival at its slide.

DECK_VIEWPORT = {"width": 1280, "height": 720}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# a widget's controls (ipywidgets 8 classes) and the figures its Output widgets show
CONTROLS = (".widget-slider, .widget-dropdown, .widget-play, .widget-toggle-buttons, "
            ".widget-checkbox, .widget-button, .widget-select, .widget-text")


def widget_cell_indices(notebook_json):
    """The indices of the code cells that display a widget (their stored outputs say so)."""
    return [i for i, c in enumerate(notebook_json["cells"]) if c["cell_type"] == "code"
            and any(WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", []))]


WIDGET_NOTEBOOKS = [p.name for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
                    if widget_cell_indices(json.loads(p.read_text()))]

# the boxes of the widgets' controls and figures in the cells on screen, in viewport pixels
ONSCREEN_WIDGET_BOXES = """([controls]) => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
    const box = e => { const r = e.getBoundingClientRect();
        return {top: Math.round(r.top), bottom: Math.round(r.bottom),
                left: Math.round(r.left), right: Math.round(r.right)}; };
    const out = [];
    cells.forEach((cell, index) => {
        if (!cell.classList.contains('jp-deck-mod-onscreen')) return;
        const widget = cell.querySelector('.jp-OutputArea .widget-interact, .jp-OutputArea .jupyter-widgets');
        if (!widget) return;
        const imgs = [...cell.querySelectorAll('.jp-OutputArea img')];   // Output widgets' figures, Image widgets
        out.push({index, controls: [...cell.querySelectorAll(controls)].map(box),
                  figures: imgs.map(box), loaded: imgs.every(i => i.complete && i.naturalHeight > 0)});
    });
    return out;
}"""


def outside(box, viewport):
    return box["top"] < 0 or box["left"] < 0 or box["bottom"] > viewport["height"] \
        or box["right"] > viewport["width"]


@pytest.mark.parametrize("lab", WIDGET_NOTEBOOKS, indirect=True)
def test_the_deck_shows_every_widget_and_its_whole_figure_at_1280x720(lab):
    """Present the notebook live (jupyterlab-slideshow) in a 1280 x 720 window: on arrival at
    each slide that shows a widget, its controls and every figure it draws lie inside the window
    (bounding boxes, not CSS visibility), with nothing scrolled by hand."""
    sync_api = pytest.importorskip("playwright.sync_api")
    url, copy = lab
    copy.write_text(nbformat.writes(slide_metadata.with_slide_metadata(nbformat.read(copy, as_version=4))))
    notebook_json = json.loads(copy.read_text())
    expected = widget_cell_indices(notebook_json)
    name = copy.stem[:2]
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page(sync_api, DECK_VIEWPORT, ARTIFACTS / f"deck_{name}_failure.png") as page:
        open_notebook(page, url)
        run_all_cells(page, code_cells_to_run(notebook_json), timeout=600_000)
        start_deck(page)
        seen, problems = {}, []
        for _ in range(400):
            page.wait_for_timeout(400)
            for widget in page.evaluate(ONSCREEN_WIDGET_BOXES, [CONTROLS]):
                if widget["index"] in seen:
                    continue
                page.wait_for_timeout(600)     # the figure's image decoded and laid out
                widget = next(w for w in page.evaluate(ONSCREEN_WIDGET_BOXES, [CONTROLS])
                              if w["index"] == widget["index"])
                seen[widget["index"]] = widget
                page.screenshot(path=str(ARTIFACTS / f"deck_{name}_cell{widget['index']}.png"))
                print(name, widget)
                if not widget["controls"] or not widget["figures"]:
                    problems.append(f"cell {widget['index']}: no control or no figure shown: {widget}")
                for kind in ("controls", "figures"):
                    for box in widget[kind]:
                        if outside(box, DECK_VIEWPORT):
                            problems.append(f"cell {widget['index']}: a {kind[:-1]} at {box} is not "
                                            f"inside the 1280 x 720 window on arrival")
            if set(expected) <= set(seen):
                break
            page.keyboard.press("Space")
        assert set(seen) == set(expected), f"slides never showed the widgets of cells {set(expected) - set(seen)}"
        assert not problems, "\n".join(problems)


DECK_MODE = "() => document.body.dataset.jpDeckMode || ''"


def deck_setting(settings_dir):
    """jupyterlab-slideshow's saved "active" setting in a user settings folder."""
    text = (settings_dir / "jupyterlab-slideshow" / "plugin.jupyterlab-settings").read_text()
    return re.search(r'"active"\s*:\s*(true|false)', text).group(1) == "true"


def test_a_deck_left_running_does_not_outlast_the_server(tmp_path):
    """An instructor starts the deck and closes the browser without "Stop Deck";
    jupyterlab-slideshow saves "active": true (in the course's settings folder, not the
    account's). The next `make lab` (nmf_course.lab resets the course's settings) opens a
    notebook as a notebook, menus and all; there "Start Deck" then "Stop Deck" and a reload
    leave it a notebook too."""
    sync_api = pytest.importorskip("playwright.sync_api")
    (tmp_path / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / NOTEBOOK, tmp_path / "notebooks" / NOTEBOOK)
    (tmp_path / "data").symlink_to(ROOT / "data")
    settings = course_settings(tmp_path / "settings")
    assert not deck_setting(settings)
    ARTIFACTS.mkdir(exist_ok=True)
    path = f"/lab/tree/notebooks/{NOTEBOOK}?token={TOKEN}"
    with jupyterlab_server(tmp_path, settings, tmp_path / "server1.log") as url:
        with chromium_page(sync_api, DECK_VIEWPORT, ARTIFACTS / "deck_left_failure.png") as page:
            open_notebook(page, url + path)
            start_deck(page)
            assert page.evaluate(DECK_MODE) == "presenting"
            deadline = time.monotonic() + 30
            while not deck_setting(settings) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert deck_setting(settings), "jupyterlab-slideshow no longer saves the deck as active"
    # a new server, as make lab starts it: the course's settings copied over its folder first
    course_settings(settings)
    assert not deck_setting(settings)
    with jupyterlab_server(tmp_path, settings, tmp_path / "server2.log") as url:
        with chromium_page(sync_api, DECK_VIEWPORT, ARTIFACTS / "deck_next_failure.png") as page:
            open_notebook(page, url + path)
            page.wait_for_timeout(2000)     # the deck extension has loaded its settings
            assert page.evaluate(DECK_MODE) != "presenting"
            assert page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text="Run").first.is_visible()
            assert page.locator(".jp-Deck-Remote").count() == 0
            page.screenshot(path=str(ARTIFACTS / "deck_next_server.png"))
            # within one server: Start Deck, Stop Deck, reload: a notebook again
            start_deck(page)
            palette(page, "Stop Deck")
            page.wait_for_function(f"() => ({DECK_MODE})() !== 'presenting'")
            page.reload()
            open_notebook(page, url + path)
            page.wait_for_timeout(2000)
            assert page.evaluate(DECK_MODE) != "presenting"
            assert not deck_setting(settings)
