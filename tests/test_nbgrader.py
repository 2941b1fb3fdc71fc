"""nbgrader itself on the course: notebooks/ with nmf_course.nbgrader_metadata's cell metadata
is a valid nbgrader source; `nbgrader generate_assignment` releases the same stubs as `make
student`; `nbgrader autograde` gives a complete submission full marks and an untouched one 0.

Runs on temporary copies of notebooks 02, 03 and 05 (the committed notebooks are never
touched). nbgrader lives in its own virtual environment, .venv/nbgrader (`make
nbgrader-venv`), which sees the course's .venv through a .pth file: nbgrader brings notebook 7
and its own JupyterLab extensions, which the course's JupyterLab should not load. Skipped,
saying so, when that environment is missing.
"""

import json
import os
import shutil
import subprocess

import nbformat
import pytest

from nmf_course import nbgrader_metadata, student_version
from conftest import ROOT

NBGRADER_BIN = ROOT / ".venv" / "nbgrader" / "bin"
NOTEBOOKS = ["02_update_rules_loops.ipynb", "03_update_rules_broadcasting.ipynb", "05_reading_W.ipynb"]
ASSIGNMENT = "homework"

pytestmark = pytest.mark.skipif(not (NBGRADER_BIN / "nbgrader").exists(),
                                reason="no nbgrader: `make nbgrader-venv` installs it in .venv/nbgrader")

SCORES = """
import json, sys
from nbgrader.api import Gradebook
with Gradebook(sys.argv[1]) as gb:
    out = {}
    for sub in gb.assignment_submissions(sys.argv[2]):
        for nb in sub.notebooks:
            out.setdefault(sub.student.id, {})[nb.name] = {
                "score": nb.score, "max_score": nb.max_score,
                "cells": {g.name: g.score for g in nb.grades}}
print(json.dumps(out))
"""


def nbgrader(course, *args):
    env = dict(os.environ, PATH=f"{NBGRADER_BIN}{os.pathsep}{os.environ['PATH']}")
    env.pop("NMF_COURSE_CHECKS", None)      # nbgrader's own NBGRADER_EXECUTION must decide
    result = subprocess.run([str(NBGRADER_BIN / "nbgrader"), *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Exception while loading config" not in result.stderr, result.stderr[-3000:]
    return result


def test_the_metadata_tool_is_idempotent_and_changes_metadata_only(tmp_path):
    path = tmp_path / "05_reading_W.ipynb"
    before = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
    for cell in before.cells:  # the course's copy carries the metadata already: start without it
        cell.metadata.pop("nbgrader", None)
    nbformat.write(before, path)
    assert nbgrader_metadata.process([path]) == [path]
    after = nbformat.read(path, as_version=4)
    text = path.read_bytes()
    assert nbgrader_metadata.process([path]) == [] and path.read_bytes() == text
    kinds = []
    for old, new in zip(before.cells, after.cells):
        assert (old.source, old.get("outputs"), old.get("execution_count")) == (
            new.source, new.get("outputs"), new.get("execution_count"))
        meta = new.metadata.get("nbgrader")
        if meta:
            kinds.append("solution" if meta["solution"] else "check")
            assert meta["schema_version"] == 3 and meta["grade_id"].startswith("05_reading_W-")
            if meta["grade"]:
                assert meta["locked"] and meta["points"] == 1 and "check_" in new.source
            else:
                assert "### BEGIN SOLUTION" in new.source and not meta["locked"]
    n_exercises = sum("### BEGIN SOLUTION" in cell.source for cell in before.cells)
    assert n_exercises >= 1 and kinds == ["solution", "check"] * n_exercises


def test_the_course_notebooks_carry_their_nbgrader_metadata():
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert nbgrader_metadata.process(paths, check=True) == [], "run `make nbgrader-metadata`"


def test_nbgrader_releases_what_make_student_writes_and_autogrades_it(tmp_path):
    course = tmp_path / "course"
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy2(ROOT / "notebooks" / name, source / name)
    nbgrader_metadata.process(sorted(source.glob("*.ipynb")))
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.root = __file__.rsplit('/', 1)[0]\n"
        "from nmf_course.nbgrader_metadata import configure\n"
        "configure(c)\n")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")

    release = course / "release" / ASSIGNMENT
    for name in NOTEBOOKS:
        released = nbformat.read(release / name, as_version=4)
        ours, _ = student_version.make_student_notebook(nbformat.read(source / name, as_version=4))
        assert [(c.cell_type, c.source) for c in released.cells] == [
            (c.cell_type, c.source) for c in ours.cells], f"{name}: nbgrader and make student differ"

    for student, folder in (("complete", source), ("untouched", release)):
        target = course / "submitted" / student / ASSIGNMENT
        target.mkdir(parents=True)
        for name in NOTEBOOKS:
            shutil.copy2(folder / name, target / name)
    nbgrader(course, "autograde", ASSIGNMENT, "--force")

    result = subprocess.run([str(NBGRADER_BIN / "python"), "-c", SCORES,
                             f"sqlite:///{course / 'gradebook.db'}", ASSIGNMENT],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    print(json.dumps(scores, indent=1))
    for name in NOTEBOOKS:
        stem = name[:-len(".ipynb")]
        complete, untouched = scores["complete"][stem], scores["untouched"][stem]
        assert complete["max_score"] >= 2 and complete["score"] == complete["max_score"], complete
        assert untouched["score"] == 0 and untouched["max_score"] == complete["max_score"], untouched
