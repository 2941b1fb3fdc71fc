"""The committed notebooks as files: executed once top to bottom by nmf_course.execute,
normalised (no timestamps; the kernel named as JupyterLab names it), with a reviewable
jupytext text twin in notebooks/py/ that matches their sources, paired the standard way so that
`jupytext --sync` and JupyterLab keep it in step (and find nothing to change); and a printed check that once was a
tautology (notebook 02, the two update forms' H) recomputed from the stored output."""


import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course.execute import KERNELSPEC, PAIRING, text_twins, text_version
from conftest import NOTEBOOKS, ROOT

PAIRED = NOTEBOOKS + sorted((ROOT / "instructor").glob("[0-9][0-9]_*.ipynb"))

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


@pytest.mark.parametrize("path", PAIRED, ids=[p.name for p in PAIRED])
def test_text_twin_matches_the_notebook(path):
    nb = nbformat.read(path, as_version=4)
    pairing = nb.metadata.get("jupytext", {})
    assert {k: pairing.get(k) for k in PAIRING} == PAIRING, (
        f"{path.relative_to(ROOT)} is not paired with its text twin as jupytext pairs it: "
        f"its metadata needs jupytext {PAIRING}")
    twins = text_twins(path, nb)
    assert [twin.relative_to(path.parent) for twin, _ in twins] == [Path("py", path.stem + ".py")]
    for twin, fmt in twins:
        assert twin.exists(), f"{twin.relative_to(ROOT)} is missing; " + TO_FIX.format(
            path=path.relative_to(ROOT))
        assert twin.read_text(encoding="utf-8") == text_version(nb, fmt), (
            f"{twin.relative_to(ROOT)} differs from the notebook's sources; "
            + TO_FIX.format(path=path.relative_to(ROOT)))


@pytest.mark.parametrize("newest", ["ipynb", "py"])
def test_jupytext_sync_finds_nothing_to_change(tmp_path, newest):
    """`jupytext --sync` takes a pair's inputs from whichever file is newer (after a git clone or
    pull, either may be): either way, on copies of the notebooks and their twins, it rewrites
    nothing. Then JupyterLab (jupytext's contents manager) opening and saving a notebook changes
    nothing either."""
    copies = []
    for path in PAIRED:
        for source in (path, path.parent / "py" / (path.stem + ".py")):
            copy = tmp_path / source.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
            stamp = 2_000_000_000 if copy.suffix == "." + newest else 1_900_000_000
            os.utime(copy, (stamp, stamp))
            copies.append((source, copy))
    result = subprocess.run([sys.executable, "-m", "jupytext", "--sync",
                             *(str(copy) for source, copy in copies if copy.suffix == ".ipynb")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    changed = [str(source.relative_to(ROOT)) for source, copy in copies
               if copy.read_bytes() != source.read_bytes()]
    assert not changed, f"jupytext --sync ({newest} newer) rewrote {changed}:\n{result.stderr[-3000:]}"
    from jupytext import TextFileContentsManager
    manager = TextFileContentsManager(root_dir=str(tmp_path))
    for name in ("notebooks/05_reading_W.ipynb", "instructor/06_answer_key.ipynb"):
        manager.save(manager.get(name), name)
    changed = [str(source.relative_to(ROOT)) for source, copy in copies
               if copy.read_bytes() != source.read_bytes()]
    assert not changed, f"JupyterLab's save (jupytext's contents manager) rewrote {changed}"


def test_no_stray_text_twins():
    twins = {p.stem for p in (ROOT / "notebooks" / "py").glob("*.py")}
    assert twins <= {p.stem for p in NOTEBOOKS}


def stored_lines(path):
    """Every line a notebook's code cells printed, as stored in the file."""
    nb = nbformat.read(path, as_version=4)
    return [line for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
            if out.get("name") == "stdout" for line in out.text.splitlines()]


def test_notebook_02_compares_the_two_forms_H_for_real():
    """Notebook 02 (section 2) prints whether the slides' form and the course's form give the same H
    after one step from the same start. It once compared with an H step taken from the unrescaled H0,
    which is the slides' own step, so it printed True; the course's step (b) multiplies H's rows by
    W's column sums first, and the H that follows differs. The stored lines must be what the two
    forms give, recomputed here from the cell's start: the slides' step written out, the course's
    step as nh.update_matmul."""
    path = ROOT / "notebooks" / "02_update_rules_loops.ipynb"
    sim = nh.simulate(seed=2019)                       # the notebook's V and its start (SEED = 2019)
    V = sim.V
    rng = np.random.default_rng(2019)
    W0 = rng.uniform(0.1, 1.0, size=(V.shape[0], 4))
    W0 /= W0.sum(axis=0)
    H0 = rng.uniform(0.1, 1.0, size=(4, V.shape[1])) * V.sum(axis=0) / 2
    Q = nh.ratio(V, W0 @ H0)
    sums = (W0 * (Q @ H0.T) / H0.sum(axis=1)).sum(axis=0)
    W_slides = W0 * (Q @ H0.T)
    W_slides /= W_slides.sum(axis=0)
    H_slides = H0 * (W_slides.T @ nh.ratio(V, W_slides @ H0))
    W_course, H_course = nh.update_matmul(V, W0, H0)
    assert np.allclose(W_slides, W_course, rtol=1e-12, atol=0)
    difference = np.max(np.abs(H_slides - H_course) / H_course)
    assert difference > 0.01, "the two forms should differ in H by more than rounding"
    lines = stored_lines(path)
    assert (f"the course's form multiplies H's rows by {', '.join(f'{x:.2f}' for x in sums)}; "
            f"the slides' leaves H as it was") in lines
    expected = (f"the H steps that follow give the same H to 1e-12: False; "
                f"largest relative difference in H: {difference:.1%}")
    shown = [line for line in lines if line.startswith("the H steps that follow")]
    assert shown == [expected], f"{path.name} prints {shown}, but the two forms give {expected!r}"
