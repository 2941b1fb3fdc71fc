"""Build reveal.js slides of the course notebooks into slides/ (what `make slides` runs).

    python -m nmf_course.slides [NOTEBOOK ...]      # default: every notebooks/NN_*.ipynb

nbconvert's slides load reveal.js, require.js, jQuery and MathJax from the internet by
default. This script makes them work offline: the first time, it installs those four
JavaScript packages with npm into .slides-vendor/ (git-ignored), then copies what the
slides need into slides/vendor/, so the slides/ folder opens from disk with no network
(copy the whole folder to present elsewhere). Without npm it still builds the slides,
pointing at the internet copies, and says how to present live in JupyterLab instead.

The slides show the stored outputs (figures included). Widgets cannot move in a static
page, so each widget is replaced by a note and the figure it showed when the notebook was
saved; present the notebook live in JupyterLab (jupyterlab-slideshow: "Start Deck" in the
command palette) to drag its sliders.

Slide boundaries come from each cell's `slideshow` metadata (nmf_course.slide_metadata).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

from nmf_course.paths import COURSE_DIR as ROOT

OUT = ROOT / "slides"
VENDOR_CACHE = ROOT / ".slides-vendor"
NPM_PACKAGES = ["reveal.js@4", "requirejs@2", "jquery@3", "mathjax@2"]
# what the slides need from each package (MathJax 2 is large; only the CommonHTML output and TeX input)
COPY = {
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "requirejs/require.js": "require.js",
    "jquery/dist/jquery.min.js": "jquery.min.js",
    "mathjax/MathJax.js": "mathjax/MathJax.js",
    "mathjax/config": "mathjax/config",
    "mathjax/extensions": "mathjax/extensions",
    "mathjax/jax/input/TeX": "mathjax/jax/input/TeX",
    "mathjax/jax/output/CommonHTML": "mathjax/jax/output/CommonHTML",
    "mathjax/jax/element": "mathjax/jax/element",
    "mathjax/fonts/HTML-CSS/TeX/woff": "mathjax/fonts/HTML-CSS/TeX/woff",
    "mathjax/localization/en": "mathjax/localization/en",
}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ('<p><em>Interactive widget: present this notebook live in JupyterLab '
               '("Start Deck") to drag it.</em></p>')
LIVE_HELP = """\
To present offline without these files, present live inside JupyterLab (jupyterlab-slideshow,
installed with the course): make lab, open the notebook, Run All, click its first cell, then
Ctrl+Shift+C "Start Deck"; widgets stay live. Space / Shift+Space move through the slides."""


def vendor_files():
    """Local copies of the JavaScript the slides need, or None when they cannot be had."""
    modules = VENDOR_CACHE / "node_modules"
    if not all((modules / source).exists() for source in COPY):
        npm = shutil.which("npm")
        if npm is None:
            return None
        print(f"installing {', '.join(NPM_PACKAGES)} with npm into {VENDOR_CACHE.name}/ (once)")
        result = subprocess.run([npm, "install", "--prefix", str(VENDOR_CACHE), "--no-save", "--no-audit",
                                 "--no-fund", "--loglevel=error", *NPM_PACKAGES])
        if result.returncode != 0 or not all((modules / source).exists() for source in COPY):
            return None
    return modules


def copy_vendor(modules):
    target = OUT / "vendor"
    if target.exists():
        shutil.rmtree(target)
    for source, destination in COPY.items():
        src, dst = modules / source, target / destination
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)


def exporter(offline):
    slides = SlidesExporter()
    slides.reveal_scroll = True
    slides.reveal_theme = "white"      # its fonts ship with reveal.js (others fetch web fonts)
    slides.reveal_transition = "none"
    slides.reveal_number = "c/t"
    if offline:
        slides.reveal_url_prefix = "vendor/reveal.js"
        slides.require_js_url = "vendor/require.js"
        slides.jquery_url = "vendor/jquery.min.js"
        slides.mathjax_url = "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
        # no diagrams in the course: a do-nothing module instead of mermaid from the internet
        slides.mermaid_js_url = "data:text/javascript,export default {initialize() {}}"
    return slides


def _widget_outputs(state, model_id, seen=None):
    """The outputs (e.g. the figure) that a displayed widget's Output widgets held when saved."""
    seen = set() if seen is None else seen
    model = state.get(model_id)
    if model is None or model_id in seen:
        return []
    seen.add(model_id)
    if model.get("model_name") == "OutputModel":
        return list(model.get("state", {}).get("outputs", []))
    outputs = []
    for child in model.get("state", {}).get("children", []):
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            outputs += _widget_outputs(state, child[len("IPY_MODEL_"):], seen)
    return outputs


def static_copy(nb):
    """The notebook as a static page can show it: each widget becomes a note followed by the
    outputs (the figure) its Output widgets held when the notebook was saved."""
    nb = nbformat.from_dict(nb)
    widgets = nb.metadata.pop("widgets", {})
    state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_MIME)
            if view is None:
                outputs.append(output)
                continue
            outputs.append(nbformat.v4.new_output("display_data", data={"text/html": WIDGET_NOTE}))
            outputs += [nbformat.from_dict(o) for o in _widget_outputs(state, view.get("model_id"))]
        cell.outputs = outputs
    return nb


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    paths = [Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    OUT.mkdir(exist_ok=True)
    modules = vendor_files()
    offline = modules is not None
    if offline:
        copy_vendor(modules)
    slides = exporter(offline)
    for path in paths:
        nb = static_copy(nbformat.read(path, as_version=4))
        body, _ = slides.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        target = OUT / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    if offline:
        print(f"Slides work offline: open {OUT.relative_to(ROOT)}/NN_name.slides.html in a browser "
              "(arrow keys or Space; Esc for the overview; S for speaker notes).")
    else:
        print("npm was not found, so these slides load reveal.js and MathJax from the internet: they need "
              "a network connection when shown.\n" + LIVE_HELP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
