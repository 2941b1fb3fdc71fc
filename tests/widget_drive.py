"""Widget callbacks, driven in the kernel that has just run the notebook.

make test runs every notebook once, under nbval; the root conftest.py adds one more item to
each notebook that uses ipywidgets, `<notebook>::widgets`, which runs after its last cell in
the same kernel and calls check_widgets: each slider and dropdown is set to a few values; no
callback may raise (ipywidgets would show it in the Output widget), and the sliders and
dropdowns must re-render figures. No timing is asserted (benchmarks/ is the place for speed).
"""

import json

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



def check_widgets(name, stream_text, errors):
    """Assert what the DRIVE code reported for notebook `name` (its printed text, its errors)."""
    assert not errors, f"{name}: driving the widgets raised {errors[0]}"
    report = json.loads(stream_text.split("WIDGET-REPORT ", 1)[1].splitlines()[0])
    assert report["driven"] > 0, f"{name}: no slider or dropdown found"
    assert report["errors"] == [], f"{name}: widgets showed errors: {report['errors'][:5]}"
    assert report["redrawn"], f"{name}: no control re-rendered a figure ({report['silent']})"
    return report


def uses_widgets(path):
    return "ipywidgets" in path.read_text(encoding="utf-8")
