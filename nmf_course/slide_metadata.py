"""Give every notebook cell its slide type, so the notebooks present as slides.

    python -m nmf_course.slide_metadata            # update notebooks/ in place
    python -m nmf_course.slide_metadata --check    # exit 1 if a notebook lacks what it would add

Metadata only: it sets each cell's `metadata.slideshow.slide_type` and the notebook's
`metadata.rise` (RISE's options) and changes nothing else; no source, output or execution
count is touched (the script checks this before writing). Deterministic, so running it
twice changes nothing the second time. The rules, in order:

    first cell (navigation line and title)           slide
    markdown cell with a `## ` heading line           slide      (one per section)
    markdown cell with a `### ` heading line          subslide
    markdown cell holding only the navigation line    skip       (links are no use in a show)
    markdown cell right after a code cell             subslide   (a new idea after a result)
    any other markdown cell                           fragment   (appears on the next key press)
    code cell that displays a widget                  subslide   (the widget at the top of its own screen)
    any other code cell                               -          (stays with the text before it)

A code cell displays a widget when its stored outputs hold a widget view (ipywidgets'
`interact`, `interactive`, `display(widgets...)`). Its sub-slide starts with that cell, so
no text or code above pushes the slider and its figure down. When its code is longer than
DECK_CODE_LINES lines, the live deck also hides the code while presenting (DECK_HIDE_INPUT,
a jupyterlab-fonts cell style that jupyterlab-slideshow applies only in deck mode: the
notebook view, nbconvert and the static slides still show the code), so the slider and the
whole figure fit a 1280 x 720 screen (tests/test_browser.py measures every widget so).

"-" (continue the slide) is written as no slide_type at all, which nbconvert and RISE read
as "-" too: jupyterlab-slideshow, the live slideshow, does not know the string "-" and would
hide every such cell (all the code cells and their widgets) from the slides.

Used by jupyterlab-slideshow (JupyterLab: "Start Deck" in the command palette, live
widgets) and by `jupyter nbconvert --to slides` (`make slides`).
"""

import copy
import sys

import nbformat

from nmf_course.execute import metadata_tool_main, only_metadata_changed, rewrite_metadata

RISE_OPTIONS = {"scroll": True}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# a widget cell with more code lines than this has its code hidden in the live deck
DECK_CODE_LINES = 6
# jupyterlab-fonts' cell styles (its metadata key), scoped by jupyterlab-slideshow's presenting
# selector: in deck mode only, the cell's input (its code) is not displayed
FONTS_KEY = "@deathbeds/jupyterlab-fonts"
PRESENTING = "body[data-jp-deck-mode='presenting'] &"
DECK_HIDE_INPUT = {"styles": {"": {PRESENTING: {"& .jp-Cell-inputWrapper": {"display": "none"}}}}}


def _is_navigation(source):
    lines = [line for line in source.split("\n") if line.strip()]
    return len(lines) == 1 and "course map" in lines[0] and lines[0].lstrip().startswith("[")


def displays_widget(cell):
    """Whether a code cell's stored outputs show a widget (a slider, a dropdown ...)."""
    return cell.cell_type == "code" and any(
        WIDGET_MIME in output.get("data", {}) for output in cell.get("outputs", []))


def hides_code_in_deck(cell):
    """Whether the live deck hides this cell's code (a widget cell with long code)."""
    return displays_widget(cell) and len(cell.source.rstrip("\n").split("\n")) > DECK_CODE_LINES


def slide_type(cells, index):
    """The slide type the rules give cell `index` of a list of cells."""
    cell = cells[index]
    if index == 0:
        return "slide"
    if displays_widget(cell):
        return "subslide"
    if cell.cell_type != "markdown":
        return "-"
    lines = cell.source.split("\n")
    if any(line.startswith("## ") for line in lines):
        return "slide"
    if any(line.startswith("### ") for line in lines):
        return "subslide"
    if _is_navigation(cell.source):
        return "skip"
    if cells[index - 1].cell_type == "code":
        return "subslide"
    return "fragment"


def with_slide_metadata(nb):
    """A copy of the notebook with the slide metadata set; raises if anything else changed."""
    new = copy.deepcopy(nb)
    for index, cell in enumerate(new.cells):
        kind = slide_type(new.cells, index)
        slideshow = {k: v for k, v in cell.metadata.get("slideshow", {}).items() if k != "slide_type"}
        if kind != "-":
            slideshow["slide_type"] = kind
        if slideshow:
            cell.metadata["slideshow"] = nbformat.from_dict(slideshow)
        else:
            cell.metadata.pop("slideshow", None)
        # the deck's style is the tool's own: set where the rule says, removed (only if it is
        # exactly the tool's) where it no longer does; other jupyterlab-fonts styles are kept
        if hides_code_in_deck(cell):
            cell.metadata[FONTS_KEY] = nbformat.from_dict(copy.deepcopy(DECK_HIDE_INPUT))
        elif cell.metadata.get(FONTS_KEY) == DECK_HIDE_INPUT:
            del cell.metadata[FONTS_KEY]
    new.metadata["rise"] = nbformat.from_dict(dict(RISE_OPTIONS))
    only_metadata_changed(nb, new, "slide_metadata")
    return new


def process(paths, check=False):
    """Update (or, with check=True, only inspect) the notebooks; returns the paths that differ."""
    return rewrite_metadata(paths, lambda nb, path: with_slide_metadata(nb), check)


def main(argv=None):
    return metadata_tool_main(argv, process, "slide metadata", "nmf_course.slide_metadata")


if __name__ == "__main__":
    sys.exit(main())
