"""Widget callbacks, driven in a kernel: every notebook with widgets runs with nbclient (in
its own folder), then, in the same kernel, each slider and dropdown is set to a few values;
no Output widget may show an error, and each interactive output must re-render a figure.

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
import ipywidgets as _widgets

def _drive():
    report = {"driven": 0, "errors": [], "no_figure": [], "redrawn": [], "silent": []}
    outputs = [w for w in list(_widgets.Widget.widgets.values()) if isinstance(w, _widgets.Output)]
    def _figures(out):
        return sum(1 for o in out.outputs if "image/png" in o.get("data", {}))
    def _errors(out):
        return [o.get("ename", "") + ": " + o.get("evalue", "") for o in out.outputs
                if o.get("output_type") == "error"]
    controls = [w for w in list(_widgets.Widget.widgets.values())
                if hasattr(w, "value") and (hasattr(w, "options") or (hasattr(w, "min") and hasattr(w, "max")))
                and not getattr(w, "disabled", False) and not isinstance(w, _widgets.Play)]
    for w in controls:
        if hasattr(w, "options") and not hasattr(w, "min"):
            values = [o[1] if isinstance(o, tuple) else o for o in list(w.options)]
            values = values[:1] + values[-1:] + values[len(values) // 2: len(values) // 2 + 1]
        else:
            lo, hi = w.min, w.max
            mid = lo + (hi - lo) / 2
            values = [lo, hi, type(w.value)(mid) if isinstance(w.value, int) else mid]
        original = w.value
        redrew = False
        for value in values + [original]:
            before = {id(o): [dict(x) for x in o.outputs] for o in outputs}
            w.value = value
            report["driven"] += 1
            for o in outputs:
                for e in _errors(o):
                    report["errors"].append(f"{w.description or type(w).__name__}={value!r}: {e}")
                changed = [dict(x) for x in o.outputs] != before[id(o)]
                redrew |= changed and _figures(o) > 0
                if changed and before[id(o)] and any("image/png" in x.get("data", {}) for x in before[id(o)]) \
                        and not _figures(o):
                    report["no_figure"].append(f"{w.description or type(w).__name__}={value!r}")
        name = w.description or type(w).__name__
        (report["redrawn"] if redrew else report["silent"]).append(name)
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
    assert report["no_figure"] == [], f"{path.name}: a redraw lost its figure: {report['no_figure'][:5]}"
    assert report["redrawn"], f"{path.name}: no control re-rendered a figure ({report['silent']})"
