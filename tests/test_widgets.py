"""Widget callbacks, driven in a kernel: every notebook with widgets runs with nbclient (in
its own folder), then, in the same kernel, each slider and dropdown is set to a few values;
no callback may raise (ipywidgets would show it in the Output widget), and the sliders and
dropdowns must re-render figures.

This replaces asserts and hidden `with widgets.Output():` blocks inside notebook cells. No
timing is asserted here (benchmarks/ is the place for speed).
"""

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                   if "ipywidgets" in p.read_text(encoding="utf-8"))

DRIVE = r'''
import json as _json
import traceback as _traceback
import ipywidgets as _widgets
from IPython import get_ipython as _get_ipython

def _drive():
    # A kernel without a browser fills no Output widget: what a callback displays is published
    # from the cell that set the value, so it is captured here; a callback's exception goes to
    # the shell's showtraceback (ipywidgets' interactive catches it), which is recorded.
    report = {"driven": 0, "errors": [], "no_figure": [], "redrawn": [], "silent": []}
    shell = _get_ipython()
    caught = []
    original_showtraceback = shell.showtraceback
    def _record(*args, **kwargs):
        caught.append(_traceback.format_exc().strip().splitlines()[-1])
    shell.showtraceback = _record
    published = []
    original_publish = shell.display_pub.publish
    def _publish(data, *args, **kwargs):
        published.append(sorted(data))
        return original_publish(data, *args, **kwargs)
    shell.display_pub.publish = _publish
    controls = [w for w in list(_widgets.Widget.widgets.values())
                if hasattr(w, "value") and (hasattr(w, "options") or (hasattr(w, "min") and hasattr(w, "max")))
                and not getattr(w, "disabled", False) and not isinstance(w, _widgets.Play)]
    try:
        for w in controls:
            if hasattr(w, "options") and not hasattr(w, "min"):
                values = [o[1] if isinstance(o, tuple) else o for o in list(w.options)]
                values = values[:1] + values[-1:] + values[len(values) // 2: len(values) // 2 + 1]
            else:
                lo, hi = w.min, w.max
                mid = lo + (hi - lo) / 2
                values = [lo, hi, int(mid) if isinstance(w.value, int) else mid]
            name = w.description or type(w).__name__
            original, figures = w.value, 0
            for value in values + [original]:
                del caught[:], published[:]
                images = {id(i): i.value for i in list(_widgets.Widget.widgets.values())
                          if isinstance(i, _widgets.Image)}
                w.value = value
                figures += sum(1 for i in list(_widgets.Widget.widgets.values())     # an Image widget redrawn
                               if isinstance(i, _widgets.Image) and id(i) in images and i.value != images[id(i)])
                report["driven"] += 1
                report["errors"] += [f"{name}={value!r}: {e}" for e in caught]
                figures += sum("image/png" in keys for keys in published)
            (report["redrawn"] if figures else report["silent"]).append(name)
    finally:
        shell.showtraceback = original_showtraceback
        shell.display_pub.publish = original_publish
    return report

print("WIDGET-REPORT " + _json.dumps(_drive()))
'''


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name[:2] for p in NOTEBOOKS])
def test_every_widget_redraws_without_error(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, startup_timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        probe = nbformat.v4.new_code_cell(DRIVE)
        nb.cells.append(probe)
        client.execute_cell(probe, len(nb.cells) - 1)
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    errors = [o for o in probe.outputs if o.get("output_type") == "error"]
    assert not errors, errors[0].get("traceback", errors)[-3:]
    report = json.loads(text.split("WIDGET-REPORT ", 1)[1].splitlines()[0])
    assert report["driven"] > 0, f"{path.name}: no slider or dropdown found"
    assert report["errors"] == [], f"{path.name}: widgets showed errors: {report['errors'][:5]}"
    assert report["redrawn"], f"{path.name}: no control re-rendered a figure ({report['silent']})"
