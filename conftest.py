"""What every test shares (test files import these names: `from conftest import ROOT`), how
make test spreads its tests over the CPU's cores, and the one place it drives the notebooks' widgets.

Under nbval each notebook runs once in make test, its cells in order in one kernel (the
real-browser, papermill and Problem 3 tests run some notebooks again, each a check of its
own: JupyterLab, papermill, a term's grading). make test spreads the tests over the cores
with pytest-xdist (`-n auto`), and the scheduler below gives each notebook's items to one
worker, in order, and every other test to whichever worker is free.
For a notebook that uses ipywidgets, one more item, `<notebook>::widgets`, runs after its last
cell in nbval's kernel and drives every slider and dropdown (tests/widget_drive.py): no second
execution of the notebook is needed.
`--no-widgets` leaves those items out (make test's second pass, on NumPy's AVX2 code).

The other time limits (per test, per session) are pytest-timeout's, in pyproject.toml; nbval's
limit for a cell is the Makefile's, the same CELL_TIMEOUT.
"""

import hashlib
import re
from pathlib import Path

import pytest

from nmf_course.execute import CELL_TIMEOUT  # one limit for a cell, wherever a notebook runs

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KERNEL_STARTUP_TIMEOUT = 60   # seconds a kernel may take to start

__all__ = ["ROOT", "DATA", "NOTEBOOKS", "CELL_TIMEOUT", "KERNEL_STARTUP_TIMEOUT", "sha256",
           "assert_readme_lists_checksum"]


def sha256(path):
    """The SHA-256 of a file's bytes, in hex (what the data folders' READMEs list)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def assert_readme_lists_checksum(folder, name, expected):
    """The file folder/name has the checksum expected, and folder/README.md lists it as `name` <hex>."""
    assert sha256(folder / name) == expected, f"{folder.name}/{name} changed"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"`{re.escape(name)}` {expected}", readme), \
        f"data/{folder.name}/README.md does not list the checksum of {name}"


def load_from_another_directory(monkeypatch, tmp_path, load, data_dir, folder):
    """load() run from tmp_path: a loader finds its data from its own module (data_dir, which
    must be folder in the course's data/), never from the working directory."""
    assert data_dir == folder
    monkeypatch.chdir(tmp_path)
    return load()


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's load scheduling, except that a notebook's items go to one worker together.

    nbval runs a notebook's cells in one kernel, each after the one before, so they must stay
    together and in order (xdist's --dist loadfile does that too, but also keeps the 17 slow
    browser tests of one file on one worker, the last ten minutes of make test). With
    --dist given other than load, xdist's own scheduler is used.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return path if path.endswith(".ipynb") else nodeid

    return NotebookScheduling(config, log)


def pytest_addoption(parser):
    parser.addoption("--no-widgets", action="store_true",
                     help="do not drive the widgets of the notebooks nbval runs")


class WidgetItem(pytest.Item):
    """Drive the widgets of the notebook nbval has just run, in its kernel."""

    def runtest(self):
        from tests.widget_drive import DRIVE, check_widgets
        kernel = self.parent.kernel
        if kernel is None or not kernel.is_alive():
            pytest.fail(f"{self.parent.name}: its kernel is not running (an earlier cell failed?)")
        msg_id = kernel.execute_cell_input(DRIVE, allow_stdin=False)
        text, errors = [], []
        while True:
            msg = kernel.get_message("iopub", timeout=CELL_TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                text.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                errors.append(msg["content"]["traceback"][-3:])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        check_widgets(self.parent.name, "".join(text), errors)

    def reportinfo(self):
        return self.parent.path, None, f"{self.parent.name}::widgets"


def pytest_collection_modifyitems(session, config, items):
    """After the last cell of each notebook that uses ipywidgets, its WidgetItem."""
    runs_notebooks = getattr(config.option, "nbval", False) or getattr(config.option, "nbval_lax", False)
    if config.getoption("--no-widgets") or not runs_notebooks:
        return
    from tests.widget_drive import uses_widgets
    last = {}
    for index, item in enumerate(items):
        if type(item.parent).__name__ == "IPyNbFile":
            last[item.parent] = index
    for notebook, index in sorted(last.items(), key=lambda pair: -pair[1]):
        if uses_widgets(notebook.path):
            items.insert(index + 1, WidgetItem.from_parent(notebook, name="widgets"))
