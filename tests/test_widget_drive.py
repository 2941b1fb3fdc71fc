"""The widget items that conftest.py adds after each notebook nbval runs: they fail when a
control raises, when there is no control, or when no control redraws a figure."""

import json
import os
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT
from tests.widget_drive import check_widgets


def report(**fields):
    base = {"driven": 3, "errors": [], "no_figure": [], "redrawn": ["x"], "silent": []}
    return "WIDGET-REPORT " + json.dumps({**base, **fields}) + "\n"


def test_a_good_report_passes():
    assert check_widgets("nb", report(), [])["driven"] == 3


@pytest.mark.parametrize("text, errors, message", [
    (report(), [["ValueError: boom"]], "driving the widgets raised"),
    (report(driven=0), [], "no slider or dropdown"),
    (report(errors=["x=10: ValueError"]), [], "widgets showed errors"),
    (report(redrawn=[], silent=["x"]), [], "no control re-rendered"),
])
def test_a_bad_report_fails_and_says_why(text, errors, message):
    with pytest.raises(AssertionError, match=message):
        check_widgets("nb", text, errors)


def test_a_slider_whose_callback_raises_fails_its_notebooks_widget_item(tmp_path):
    cells = [nbformat.v4.new_code_cell(
        "import ipywidgets as widgets\nimport matplotlib.pyplot as plt\n"
        "def draw(x):\n    if x > 5:\n        raise ValueError('x is too large')\n"
        "    plt.plot([0, x]); plt.show()\n"
        "_ = widgets.interact(draw, x=(0, 10))")]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider",
                             "--nbval-lax", str(path), "-q"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "broken.ipynb::widgets" in result.stdout and "widgets showed errors" in result.stdout, result.stdout[-2000:]
