"""Slide metadata (nmf_course.slide_metadata) and the static slides (nmf_course.slides)."""

import sys
from pathlib import Path

import nbformat

from nmf_course import slide_metadata as add_slide_metadata
from nmf_course import slides as make_slides

ROOT = Path(__file__).resolve().parent.parent

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
