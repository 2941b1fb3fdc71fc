"""Slide metadata (nmf_course.slide_metadata) and the static slides (nmf_course.slides)."""

import base64
import os
import struct

import nbformat
import pytest

from nmf_course import slide_metadata as add_slide_metadata
from nmf_course import slides as make_slides
from conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

M, C = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def small_notebook():
    return nbformat.v4.new_notebook(cells=[
        M("[course map](../README.md#notebook-map) | [next →](02.ipynb)\n\n# 01 · Title"),
        M("Some words."),
        C("x = 1", execution_count=1,
          outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")]),
        M("What the result shows."),
        M("The end of one section.\n\n## 2. A section"),
        C("y = 2", execution_count=2),
        M("### A smaller part"),
        M("[← previous](00.ipynb) | [course map](../README.md#notebook-map) | [next →](02.ipynb)"),
    ])


def test_slide_types_follow_the_rules():
    nb = add_slide_metadata.with_slide_metadata(small_notebook())
    assert [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in nb.cells] == [
        "slide", "fragment", "-", "subslide", "slide", "-", "subslide", "skip"]
    # "-" is left unwritten (jupyterlab-slideshow hides cells whose slide_type is the string "-")
    assert "slideshow" not in nb.cells[2].metadata
    assert nb.metadata.rise == {"scroll": True}


def test_a_widget_cell_starts_a_subslide_and_the_deck_hides_its_long_code():
    widget = nbformat.v4.new_output("display_data", data={
        add_slide_metadata.WIDGET_MIME: {"model_id": "m", "version_major": 2, "version_minor": 0},
        "text/plain": "interactive(children=(FloatSlider(...)))"})
    nb = nbformat.v4.new_notebook(cells=[
        M("# 01 · Title"),
        M("## 9. Explore\n\nThe slider moves the line."),
        C("interact(f, x=1)", execution_count=1, outputs=[widget]),
        C("\n".join(f"line{i} = {i}" for i in range(20)) + "\ndisplay(w)", execution_count=2,
          outputs=[widget]),
        C("y = 2", execution_count=3),
    ])
    nb.cells[4].metadata[add_slide_metadata.FONTS_KEY] = add_slide_metadata.DECK_HIDE_INPUT  # stale
    nb = add_slide_metadata.with_slide_metadata(nb)
    assert [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in nb.cells] == [
        "slide", "slide", "subslide", "subslide", "-"]
    # short widget code stays on the slide; long code is hidden while presenting only
    assert add_slide_metadata.FONTS_KEY not in nb.cells[2].metadata
    style = nb.cells[3].metadata[add_slide_metadata.FONTS_KEY]["styles"][""]
    assert style == {"body[data-jp-deck-mode='presenting'] &": {"& .jp-Cell-inputWrapper": {"display": "none"}}}
    assert add_slide_metadata.FONTS_KEY not in nb.cells[4].metadata      # the tool's own style removed


def test_only_metadata_changes_and_a_second_run_changes_nothing(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nbformat.write(small_notebook(), path)
    before = nbformat.read(path, as_version=4)
    assert add_slide_metadata.process([path]) == [path]
    after = nbformat.read(path, as_version=4)
    for old, new in zip(before.cells, after.cells):
        assert (old.source, old.get("outputs"), old.get("execution_count"), old.id) == (
            new.source, new.get("outputs"), new.get("execution_count"), new.id)
        assert {k: v for k, v in new.metadata.items() if k != "slideshow"} == old.metadata
    text = path.read_bytes()
    assert add_slide_metadata.process([path]) == []
    assert path.read_bytes() == text


def test_static_slides_replace_widgets_by_a_note_and_need_no_network_when_offline():
    nb = small_notebook()
    nb.cells[2].outputs.append(nbformat.v4.new_output(
        "display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                              "text/plain": "VBox(...)"}))
    figure = {"output_type": "display_data", "metadata": {},
              "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {
        "abc": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_o"]}},
        "s": {"model_name": "FloatSliderModel", "state": {}},
        "o": {"model_name": "OutputModel", "state": {"outputs": [figure]}},
        "hidden": {"model_name": "OutputModel", "state": {"outputs": [figure, figure]}},
    }}}
    static = make_slides.static_copy(add_slide_metadata.with_slide_metadata(nb))
    assert "widgets" not in static.metadata
    assert static.cells[2].outputs[1]["data"] == {"text/html": make_slides.WIDGET_NOTE}
    assert static.cells[2].outputs[2]["data"]["image/png"] == "iVBORw0KGgo="
    assert len(static.cells[2].outputs) == 3       # only the displayed widget's Output
    html, _ = make_slides.exporter(offline=True).from_notebook_node(static)
    assert 'src="vendor/reveal.js/dist/reveal.js"' in html or "vendor/reveal.js/dist/reveal.js" in html
    assert "Interactive widget" in html
    for line in html.splitlines():
        if "<script src=" in line or "<link rel=\"stylesheet\" href=" in line:
            assert "http" not in line, line


def test_course_notebooks_carry_their_slide_metadata():
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = add_slide_metadata.process(paths, check=True)
    assert not missing, (f"{[p.name for p in missing]} lack slide metadata: run "
                         "`make slide-metadata` (python -m nmf_course.slide_metadata), then `make student`")


def test_fit_to_frame_moves_long_code_and_figures_below_and_splits_long_text():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 900, 500)
                           + b"\x08\x06\x00\x00\x00").decode()
    figure = nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})
    long_text = "\n\n".join(f"Paragraph {i}: " + "words " * 60 for i in range(8))
    nb = nbformat.v4.new_notebook(cells=[
        M("## 1. A section\n\nSome words."),
        C("\n".join(f"x{i} = {i}" for i in range(50)), execution_count=1, outputs=[figure]),
        M(long_text),
    ])
    nb = add_slide_metadata.with_slide_metadata(nb)
    fitted = make_slides.fit_to_frame(nb)
    kinds = [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in fitted.cells]
    code = fitted.cells[1]
    assert make_slides.LONG_CODE_TAG in code.metadata["tags"]     # a scroll box on its own sub-slide
    assert kinds[1] == "subslide" and kinds[2] == "subslide"     # the figure follows, below
    assert fitted.cells[2].metadata["transient"] == {"remove_source": True}
    assert fitted.cells[2].outputs[0]["data"]["image/png"] == png
    text = [c.source for c in fitted.cells[3:]]
    assert len(text) > 1 and "\n\n".join(text) == long_text      # split between paragraphs only
    assert all(k == "subslide" for k in kinds[4:])
    assert nb.cells[1].metadata.get("tags") is None               # the notebook itself is untouched


# Reveal.js renders the slides in Chromium with its configured frame (960 x 700) at scale 1;
# every slide is shown in turn and measured after Reveal has laid it out and MathJax typeset it.
MEASURE_SLIDES = """async () => {
    const Reveal = await new Promise(done => require(['vendor/reveal.js/dist/reveal.js'], done));
    Reveal.configure({minScale: 1, maxScale: 1, margin: 0});
    const {width, height} = Reveal.getConfig();
    const results = [];
    for (const slide of Reveal.getSlides()) {
        const {h, v} = Reveal.getIndices(slide);
        Reveal.slide(h, v);
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        const section = Reveal.getCurrentSlide();
        const clipped = [];
        for (const el of section.querySelectorAll('*')) {
            if (el.closest('.MJX_Assistive_MathML')) continue;     // MathJax's screen-reader copy
            const style = getComputedStyle(el);
            if (style.display === 'none') continue;
            const name = el.tagName + '.' + el.className;
            if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1)
                clipped.push(`${name}: ${el.scrollWidth} px wide in ${el.clientWidth}`);
            // only a code cell too long for any slide is a (deliberate) vertical scroll box
            if (style.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 4
                    && !el.closest('.celltag_nmf-long-code'))
                clipped.push(`${name}: ${el.scrollHeight} px tall in ${el.clientHeight}`);
        }
        results.push({h, v, width, height, scrollWidth: section.scrollWidth,
                      scrollHeight: section.scrollHeight, clipped,
                      // reveal's scroll fallback (nbconvert's reveal_scroll) made it scroll
                      scrolls: section.style.overflowY === 'scroll',
                      title: (section.querySelector('h1, h2, h3, p, pre') || {}).textContent || ''});
    }
    return results;
}"""


def test_every_static_slide_fits_the_frame(tmp_path, monkeypatch):
    """`make slides` for every notebook, each slide rendered by reveal.js in headless Chromium:
    no slide's content is wider or taller than the 960 x 700 frame (nothing cut off on the
    right, no scrolling), and no element inside a slide hides part of its content."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` enables this test")
    sync_api = pytest.importorskip("playwright.sync_api")
    if make_slides.vendor_files() is None:
        pytest.skip("reveal.js could not be vendored (no npm): the slides would need the network")
    monkeypatch.setattr(make_slides, "OUT", tmp_path)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert make_slides.main([str(p) for p in notebooks]) == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    failures, counted = [], 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for path in notebooks:
                page = browser.new_page(viewport={"width": 960, "height": 700})
                page.goto((tmp_path / f"{path.stem}.slides.html").as_uri())
                page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue"
                                       " && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running",
                                       timeout=60_000)
                page.wait_for_function("() => document.querySelector('.reveal.ready')", timeout=60_000)
                slides = page.evaluate(MEASURE_SLIDES)
                counted += len(slides)
                for s in slides:
                    where = f"{path.stem} slide {s['h'] + 1}.{s['v'] + 1} ({s['title'].strip()[:40]!r})"
                    if s["scrollWidth"] > s["width"] or s["scrollHeight"] > s["height"] or s["scrolls"]:
                        failures.append(f"{where}: {s['scrollWidth']} x {s['scrollHeight']} px "
                                        f"in the {s['width']} x {s['height']} frame")
                    failures += [f"{where}: {c}" for c in s["clipped"][:3]]
                # the tallest slide of each notebook, to look at
                tallest = max(slides, key=lambda s: s["scrollHeight"])
                page.evaluate(f"() => require(['vendor/reveal.js/dist/reveal.js'], "
                              f"R => R.slide({tallest['h']}, {tallest['v']}))")
                page.wait_for_timeout(200)
                page.screenshot(path=str(ARTIFACTS / f"static_slides_{path.stem[:2]}_tallest.png"))
                page.close()
        finally:
            browser.close()
    assert counted > 10 * len(notebooks)
    assert not failures, f"{len(failures)} slide problems:\n" + "\n".join(failures)
