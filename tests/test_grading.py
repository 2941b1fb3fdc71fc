"""Homework that holds: the checks students call report instead of raising inside a kernel
(so Run All reaches the end), fail a function that only calls the helper's own answer, and
`make grade` (nmf_course.grading) names a failing check as a failing check, also when the
submitted run stopped there."""

import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from nmf_course import grading, selfchecks
from nmf_course.selfchecks import nb02
from nmf_course.selfchecks.common import SelfCheckError

C = nbformat.v4.new_code_cell
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def run(cells, env_mode=None):
    nb = nbformat.v4.new_notebook(cells=[C(source) for source in cells])
    nb.metadata["kernelspec"] = KERNEL
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True)
    with client.setup_kernel(**({"env": {"NMF_COURSE_CHECKS": env_mode, **__import__("os").environ}}
                                if env_mode else {})):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    return nb


def shown(cell):
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def test_raw_checks_and_checks_outside_a_kernel_raise():
    with pytest.raises(SelfCheckError, match="changed its input|sum to"):
        nb02.check_update(lambda V, W, H: (W * 2, H))
    with pytest.raises(SelfCheckError):
        selfchecks.check_update(lambda V, W, H: (W * 2, H))
    with pytest.raises(NotImplementedError):
        selfchecks.check_row_normalize(lambda W: (_ for _ in ()).throw(NotImplementedError()))
    assert set(selfchecks.RAW_CHECKS) == {n for n in selfchecks.__all__ if n.startswith("check_")}


def test_in_a_kernel_checks_report_a_box_and_run_all_goes_on():
    nb = run([
        "import nmf_helpers as nh\nfrom nmf_course import selfchecks",
        "def my_update_loops(V, W, H):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\n"
        "selfchecks.check_update(my_update_loops)",
        "def my_row_normalize(W):\n    return W / W.sum(axis=1, keepdims=True)\n\n"
        "selfchecks.check_row_normalize(my_row_normalize)",
        "def my_row_normalize(W):\n    return W[7]\n\nselfchecks.check_row_normalize(my_row_normalize)",
        "selfchecks.check_row_normalize(nh.row_normalize)\nprint('the end')",
    ])
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.outputs)
    assert re.match(r"UNFINISHED check_update: replace \"# YOUR CODE HERE\".* in my_update_loops", shown(nb.cells[1]))
    assert "FAILED check_row_normalize: your row-normalised W differs" in shown(nb.cells[2])
    assert "ERROR check_row_normalize: your function my_row_normalize raised IndexError" in shown(nb.cells[3])
    assert "PASSED check_row_normalize" in shown(nb.cells[4]) and "the end" in shown(nb.cells[4])
    assert "text/html" in nb.cells[1].outputs[0]["data"]          # the box
    nb = run(["import nmf_helpers as nh\nfrom nmf_course import selfchecks",
              "def f(W):\n    raise NotImplementedError()\n\nselfchecks.check_row_normalize(f)"], env_mode="raise")
    assert nb.cells[1].outputs[-1]["ename"] == "NotImplementedError"


@pytest.mark.parametrize("body, name", [
    ("return nh.update_loops(V, W, H)", "update_loops"),
    ("return update_matmul(V, W, H)", "update_matmul"),          # from nmf_helpers import ...
    ("return helper(V, W, H)", "update_broadcast"),               # through another notebook function
    ("return (lambda: h.update_matmul(V, W, H))()", "update_matmul"),   # an alias, inside a lambda
])
def test_a_function_that_calls_the_helpers_answer_fails(body, name):
    nb = run([
        "import nmf_helpers as nh\nimport nmf_helpers as h\nfrom nmf_helpers import update_matmul\nfrom nmf_course import selfchecks",
        "def helper(V, W, H):\n    return nh.update_broadcast(V, W, H)",
        f"def my_update(V, W, H):\n    {body}\n\nselfchecks.check_update(my_update)",
    ])
    assert (f"FAILED check_update: your function my_update calls nh.{name}, the helper's own answer: "
            "write the steps yourself") in shown(nb.cells[2])


def test_calling_other_helpers_is_fine():
    nb = run(["import numpy as np\nimport nmf_helpers as nh\nfrom nmf_course import selfchecks",
              "def my_find(W, threshold):\n    shares = nh.row_normalize(W)\n"
              "    return np.flatnonzero((shares >= threshold).sum(axis=1) >= 2)\n\n"
              "selfchecks.check_moonlighters(my_find)"])
    assert "PASSED check_moonlighters" in shown(nb.cells[1])


def grade(path):
    return subprocess.run([sys.executable, "-m", "nmf_course.grading", str(path)],
                          capture_output=True, text=True, timeout=600)


def test_a_run_that_stopped_at_a_failing_check_is_reported_as_that_check(tmp_path):
    cells = [
        C("import nmf_helpers as nh\nfrom nmf_course import selfchecks", execution_count=1),
        C("def my_row_normalize(W):\n    return W / W.sum(axis=1, keepdims=True)", execution_count=2),
        C("selfchecks.check_row_normalize(my_row_normalize)", execution_count=3, outputs=[nbformat.v4.new_output(
            "error", ename="SelfCheckError", evalue="check_row_normalize: your row-normalised W differs",
            traceback=[])]),
        C("print(1 + 1)"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNEL
    path = tmp_path / "stopped.ipynb"
    nbformat.write(nb, path)
    result = grade(path)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "yes, until code cell 3, where Run All stopped at an error: check_row_normalize raised SelfCheckError" in out
    assert "where [4] was expected" not in out and "not executed top to bottom" not in out, out
    assert re.search(r"FAILED +code cell +3 +check_row_normalize: your row-normalised W differs", out), out
    assert "RESULT: FAIL (1 failing self-check(s))" in out, out


def test_delegation_is_a_failed_check_in_make_grade(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        C("import nmf_helpers as nh\nfrom nmf_course import selfchecks"),
        C("def my_row_normalize(W):\n    return nh.row_normalize(W)"),
        C("selfchecks.check_row_normalize(my_row_normalize)")])
    nb.metadata["kernelspec"] = KERNEL
    path = tmp_path / "delegates.ipynb"
    nbformat.write(nb, path)
    out = grade(path).stdout
    assert re.search(r"FAILED +code cell +3 +check_row_normalize: your function my_row_normalize calls "
                     r"nh.row_normalize, the helper's own answer", out), out


def test_a_missing_or_empty_sanitize_file_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="sanitize file .* is missing"):
        grading.sanitize_patterns(tmp_path / "nothing.cfg")
    empty = tmp_path / "empty.cfg"
    empty.write_text("[note]\ntext: no patterns\n")
    with pytest.raises(ValueError, match="no regex/replace section"):
        grading.sanitize_patterns(empty)
    assert len(grading.sanitize_patterns()) >= 2   # the course's own file
