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
Every slide must fit reveal.js's 960 x 700 frame (tests/test_slides.py measures them in
Chromium), so `fit_to_frame` paginates each slide on estimated heights: what does not fit
moves to a new sub-slide below (a long markdown cell is split between paragraphs, a code
cell's figure goes below its code when both do not fit), a code cell too long for any
slide gets a sub-slide of its own with the code in a scroll box, and each figure is scaled
down (proportionally) to the room left on its slide. SLIDE_CSS sets a smaller font for
code and outputs only, wraps long code lines and caps every image at the frame's size.

Why own code beside nbconvert's SlidesExporter: the export itself is SlidesExporter's
(exporter()); what it lacks is kept here: it links reveal.js, require.js and MathJax from the
internet (no offline copy), it never splits or scales a slide taller than the 960 x 700 frame,
and a widget it exports needs the live widget manager (nothing shows its saved figure in a
static page). fit_to_frame, the vendoring (vendor_files, copy_vendor) and static_copy are
those three gaps, no more.
"""

import base64
import copy
import re
import shutil
import struct
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
# reveal.js's frame (the slide size nbconvert configures; reveal scales it to the window)
FRAME_WIDTH, FRAME_HEIGHT = 960, 700
# Heights estimated in frame pixels, for the sizes SLIDE_CSS sets; a slide is filled to
# BUDGET (the rest is reveal's own padding and a safety margin for estimation errors).
BUDGET = 580
CODE_LINE, CODE_CHARS, CODE_PAD = 18.2, 100, 30     # 14 px code, 1.3 line height, ~905 px wide
OUTPUT_LINE, OUTPUT_CHARS, OUTPUT_PAD = 16.9, 110, 12  # 13 px output text
TEXT_LINE, TEXT_CHARS, BLOCK_GAP = 26, 72, 22       # 20 px markdown paragraphs
LIST_LINE, LIST_CHARS = 32, 68
MARKDOWN_PAD = 16                                   # a markdown cell's own padding
HEADING = {1: (62, 30), 2: (40, 48), 3: (34, 60)}   # line height and characters a line, by level
FIGURE_PAD = 30            # the output area around a figure
MIN_FIGURE = 260            # a figure is not squeezed below this height: it moves on instead
SCROLL_CODE = 600           # the scroll box of a code cell too long for any slide
LONG_CODE_TAG = "nmf-long-code"
SLIDE_CSS = f"""<style type="text/css">
/* nmf_course.slides: every slide fits the {FRAME_WIDTH} x {FRAME_HEIGHT} frame */
.reveal div.jp-InputArea-editor pre {{
  font-size: 14px; line-height: 1.3; white-space: pre-wrap; overflow-wrap: anywhere;
  box-sizing: border-box; width: 100%; margin: 0; }}
.reveal .jp-InputArea-editor {{ overflow: visible; }}
.reveal div.jp-OutputArea-output pre {{
  font-size: 13px; line-height: 1.3; white-space: pre-wrap; overflow-wrap: anywhere;
  box-sizing: border-box; width: 100%; }}
.reveal .jp-OutputArea-output img {{
  max-width: 100%; max-height: {BUDGET}px; width: auto; height: auto; object-fit: contain; }}
.reveal .jp-RenderedHTMLCommon table {{ font-size: 14px; }}
.reveal .celltag_{LONG_CODE_TAG} div.jp-InputArea-editor pre {{ max-height: {SCROLL_CODE}px; overflow-y: auto; }}
.reveal .nmf-scroll-note {{ font-size: 14px; color: #666; margin: 4px 0 0 0; }}
</style>
"""
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
    # no "In [n]:" / "Out[n]:" column: the code and its outputs get the frame's full width
    slides.exclude_input_prompt = True
    slides.exclude_output_prompt = True
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


def _slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def _set_slide_type(cell, kind):
    cell.metadata.setdefault("slideshow", {})["slide_type"] = kind


def _text_lines(text, width):
    return sum(max(1, -(-len(line) // width)) for line in text.split("\n"))


_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")


def _markdown_blocks(source):
    """The source cut into pieces (paragraphs, headings, list items, fenced code and $$ math
    kept whole) such that "".join(pieces) == source: a cell can be split between any two."""
    pieces, current, fence, blank, heading = [], [], None, False, False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        starts = fence is None and current and (
            ((blank or heading) and stripped) or _LIST_ITEM.match(line) or stripped.startswith("#"))
        if starts:
            pieces.append("".join(current))
            current = []
        current.append(line)
        blank, heading = not stripped, fence is None and stripped.startswith("#")
        if fence != "$$" and stripped.startswith("```"):
            fence = None if fence == "```" else "```"
        elif fence != "```" and stripped.count("$$") % 2:   # display math opened or closed here
            fence = None if fence == "$$" else "$$"
    if current:
        pieces.append("".join(current))
    return pieces


def _block_height(block):
    """Estimated height of one piece of markdown on a slide (white theme, 20 px text)."""
    block = block.strip("\n")
    lines = block.split("\n")
    first = lines[0].lstrip()
    if not block.strip():
        return 0
    if first.startswith("#"):
        level = len(first) - len(first.lstrip("#"))
        per_line, chars = HEADING.get(level, (34, 60))
        return _text_lines(first.lstrip("# "), chars) * per_line + 24
    if first.startswith("```") or all(line.startswith("    ") for line in lines):
        return len(lines) * CODE_LINE + BLOCK_GAP + 10
    if first.startswith("$$"):
        return max(80, 40 * len(lines)) + BLOCK_GAP
    if first.startswith("|"):
        return 40 * len(lines) + BLOCK_GAP
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", block)        # links show their text only
    text = " ".join(text.split())
    if _LIST_ITEM.match(block):                                  # list items: taller lines, indented
        return _text_lines(text, LIST_CHARS) * LIST_LINE + 4
    tall = "$" in text or "\\(" in text                          # inline math makes lines taller
    return _text_lines(text, TEXT_CHARS) * (LIST_LINE if tall else TEXT_LINE) + BLOCK_GAP


def _png_size(data):
    raw = base64.b64decode(data[:44])
    return struct.unpack(">II", raw[16:24])


def _output_height(output):
    data = output.get("data", {})
    if output.get("output_type") == "stream":
        return _text_lines(output.get("text", "").rstrip("\n"), OUTPUT_CHARS) * OUTPUT_LINE + OUTPUT_PAD
    if "image/png" in data:
        width, height = _png_size(data["image/png"])
        return height * min(1, FRAME_WIDTH / width) + FIGURE_PAD
    if "text/html" in data:
        return 60
    if "text/plain" in data:
        return _text_lines(data["text/plain"], OUTPUT_CHARS) * OUTPUT_LINE + OUTPUT_PAD
    return 60


def _code_height(source):
    return _text_lines(source, CODE_CHARS) * CODE_LINE + CODE_PAD


def _figure_as_html(output, max_height):
    """A PNG output as an <img> scaled (proportionally) to at most max_height frame pixels."""
    return nbformat.v4.new_output("display_data", data={"text/html": (
        f'<img src="data:image/png;base64,{output["data"]["image/png"]}" '
        f'style="max-height: {int(max_height)}px" alt="figure"/>')})


def fit_to_frame(nb):
    """The notebook with its slides paginated so that each fits the frame (see the module's
    docstring); its cells' slide types change, and cells may be split, in this copy only."""
    nb = copy.deepcopy(nb)
    cells, used, fitted = list(nb.cells), 0.0, []

    def new_page(cell):
        nonlocal used
        if _slide_type(cell) not in ("slide", "subslide"):
            _set_slide_type(cell, "subslide")
        used = 0.0

    while cells:
        cell = cells.pop(0)
        kind = _slide_type(cell)
        if kind in ("skip", "notes"):
            fitted.append(cell)
            continue
        if kind in ("slide", "subslide"):
            used = 0.0
        if cell.cell_type == "markdown":
            blocks = _markdown_blocks(cell.source)
            heights = [_block_height(b) for b in blocks] or [0]
            heights[0] += MARKDOWN_PAD
            # a cell that does not fit below what is there starts a new sub-slide when it
            # fits one whole (or its first part does not fit here either)
            if used > 0 and used + sum(heights) > BUDGET and (
                    sum(heights) <= BUDGET or used + heights[0] > BUDGET):
                new_page(cell)
            # split the cell at the first block that does not fit
            total, split = used, None
            for index, height in enumerate(heights):
                if total + height > BUDGET and index > 0:
                    split = index
                    break
                total += height
            if split is None:
                used = total
                fitted.append(cell)
                continue
            rest = nbformat.v4.new_markdown_cell("".join(blocks[split:]))
            rest.metadata = copy.deepcopy(cell.metadata)
            rest.metadata.pop("slideshow", None)
            _set_slide_type(rest, "subslide")
            cell.source = "".join(blocks[:split]).rstrip("\n")
            fitted.append(cell)
            cells.insert(0, rest)
            continue
        if cell.cell_type != "code":
            fitted.append(cell)
            continue
        removed = cell.metadata.get("transient", {}).get("remove_source", False)
        code = 0.0 if removed else _code_height(cell.source)
        if code > BUDGET:                    # too long for any slide: a sub-slide of its own
            if used > 0:
                new_page(cell)
            cell.metadata.setdefault("tags", []).append(LONG_CODE_TAG)
            lines = cell.source.count("\n") + 1
            code = SCROLL_CODE + CODE_PAD + 40     # the box and the note below it
            cell.outputs.insert(0, nbformat.v4.new_output("display_data", data={"text/html": (
                f'<p class="nmf-scroll-note">{lines} lines of code: scroll the box above.</p>')},
                metadata={"nmf_scroll_note": True}))
        elif used > 0 and used + code > BUDGET:
            new_page(cell)
        used += code
        for index, output in enumerate(cell.outputs):
            if output.get("metadata", {}).get("nmf_scroll_note"):
                continue                     # counted with the code
            height = _output_height(output)
            is_figure = "image/png" in output.get("data", {})
            room = BUDGET - used
            if is_figure and height > room and room >= MIN_FIGURE:
                cell.outputs[index] = _figure_as_html(output, room - FIGURE_PAD)
                height = room
            if used + height > BUDGET and (used > 0 if removed else True) and not (removed and index == 0):
                # the rest of the outputs go below, on a sub-slide of their own
                rest = nbformat.v4.new_code_cell("", execution_count=cell.execution_count)
                rest.outputs = cell.outputs[index:]
                rest.metadata = {"transient": {"remove_source": True}, "slideshow": {"slide_type": "subslide"}}
                cell.outputs = cell.outputs[:index]
                cells.insert(0, nbformat.from_dict(rest))
                break
            if is_figure and height > BUDGET:
                cell.outputs[index] = _figure_as_html(output, BUDGET - FIGURE_PAD)
                height = BUDGET
            used += height
        fitted.append(cell)
    nb.cells = fitted
    return nb


def slides_html(slides, nb, name):
    """The reveal.js page of one notebook: widgets made static, slides fitted to the frame."""
    body, _ = slides.from_notebook_node(fit_to_frame(static_copy(nb)), resources={"metadata": {"name": name}})
    return body.replace("</head>", SLIDE_CSS + "</head>", 1)


def _shown(path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


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
        body = slides_html(slides, nbformat.read(path, as_version=4), path.stem)
        target = OUT / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        print(f"wrote {_shown(target)}")
    if offline:
        print(f"Slides work offline: open {_shown(OUT)}/NN_name.slides.html in a browser "
              "(arrow keys or Space; Esc for the overview; S for speaker notes).")
    else:
        print("npm was not found, so these slides load reveal.js and MathJax from the internet: they need "
              "a network connection when shown.\n" + LIVE_HELP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
