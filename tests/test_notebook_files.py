"""The committed notebooks as files: executed once top to bottom by nmf_course.execute,
normalised (no timestamps; the kernel named as JupyterLab names it), with a reviewable
jupytext text twin in notebooks/py/ that matches their sources."""


import nbformat
import pytest

from nmf_course.execute import KERNELSPEC, text_twin, text_version
from conftest import NOTEBOOKS, ROOT

TO_FIX = "re-run it with: .venv/bin/python -m nmf_course.execute {path}"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_executed_once_top_to_bottom(notebook):
    path, nb = notebook
    counts = [cell.execution_count for cell in nb.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), TO_FIX.format(path=path.relative_to(ROOT))


def test_normalised_kernel_and_no_timestamps(notebook):
    path, nb = notebook
    assert nb.metadata.kernelspec == KERNELSPEC, TO_FIX.format(path=path.relative_to(ROOT))
    stamped = [k for k, cell in enumerate(nb.cells) if "execution" in cell.metadata]
    assert not stamped, f"cells {stamped} carry execution timestamps; " + TO_FIX.format(
        path=path.relative_to(ROOT))


def test_text_twin_matches_the_notebook(notebook):
    path, nb = notebook
    twin = text_twin(path)
    assert twin.exists(), f"{twin.relative_to(ROOT)} is missing; " + TO_FIX.format(
        path=path.relative_to(ROOT))
    assert twin.read_text(encoding="utf-8") == text_version(nb), (
        f"{twin.relative_to(ROOT)} differs from the notebook's sources; "
        + TO_FIX.format(path=path.relative_to(ROOT)))


def test_no_stray_text_twins():
    twins = {p.stem for p in (ROOT / "notebooks" / "py").glob("*.py")}
    assert twins <= {p.stem for p in NOTEBOOKS}
