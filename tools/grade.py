"""Grade a notebook: re-run it from a clean kernel and say what passes and what does not.

    make grade NB=path/to/notebook.ipynb
    python tools/grade.py path/to/notebook.ipynb [--details]

What it checks (the notebook file itself is never modified):

1. executed top to bottom: the submitted file's code cells carry execution counts
   1, 2, 3, ... in order (empty cells excepted), i.e. it was last run with
   "Restart Kernel and Run All Cells";
2. every cell runs again without error in a fresh kernel of the course environment
   (this .venv), and its text output matches the stored output: strict nbval with the
   course's tests/sanitize.cfg, exactly what `make test` does for the course notebooks.
   Cells tagged nbval-ignore-output are run but not compared; a cell that was never run
   (no execution count) is run but has nothing to compare with;
3. self-checks: each cell that calls a check_...() function from nmf_helpers, or is tagged
   `exercise-check` by tools/make_student.py, is reported as
       PASSED      it printed its PASSED line,
       UNFINISHED  the student's function still raises NotImplementedError (the stub),
       FAILED      the checker raised SelfCheckError (its message says what is wrong),
       ERROR       any other exception (e.g. a NameError).

The notebook runs where it is when it lies inside the course folder, so `../data/` works
from notebooks/ and student/; a notebook from elsewhere is copied into a temporary folder
next to a link to the course's data/ first.

Exit code: 0 when everything passes, 1 when anything fails, 2 when the file cannot be read.
"""

import argparse
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "tests" / "sanitize.cfg"
CHECK_CALL = re.compile(r"\b(check_[A-Za-z_]+)\s*\(")
CHECK_TAG = "exercise-check"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def execution_order(nb):
    """(ok, sentence) about whether the notebook was last run top to bottom in one kernel."""
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if not counts:
        return True, "yes (no code cells)"
    if all(c is None for c in counts):
        return False, "NO: it was never executed (no execution counts); run Kernel > Restart Kernel and Run All Cells"
    for position, count in enumerate(counts, start=1):
        if count != position:
            shown = "never run" if count is None else f"[{count}]"
            return False, (f"NO: code cell {position} is {shown} where [{position}] was expected "
                           "(cells were run out of order, re-run, or skipped); "
                           "run Kernel > Restart Kernel and Run All Cells before submitting")
    return True, f"yes (execution counts 1..{len(counts)})"


class _Recorder:
    """pytest plugin that keeps, for each notebook cell nbval ran, what happened."""

    def __init__(self):
        self.cells = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if not hasattr(item, "cell"):
            return
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.cells.append({
                "number": item.cell_num,          # 0-based among code cells, as nbval counts
                "cell": item.cell,
                "outputs": item.test_outputs or [],
                "outcome": report.outcome,        # passed / failed / skipped
                "message": ANSI.sub("", report.longreprtext or ""),
            })


def _run_nbval(path, timeout):
    """Run strict nbval on one notebook in-process; returns (records, pytest's text output)."""
    recorder = _Recorder()
    args = [str(path), "--nbval", "--nbval-sanitize-with", str(SANITIZE),
            f"--nbval-cell-timeout={timeout}", "--nbval-current-env",
            "-p", "no:cacheprovider", "-o", "addopts=", "-q", "--color=no",
            "--rootdir", str(path.parent)]
    text = io.StringIO()
    with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):
        pytest.main(args, plugins=[recorder])
    return recorder.cells, text.getvalue()


def _error_of(outputs):
    for out in outputs:
        if out.get("output_type") == "error":
            return out.get("ename", ""), out.get("evalue", "")
    return None


def _text_of(outputs):
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def _first_line(source):
    for line in source.split("\n"):
        if line.strip() and not line.strip().startswith("#"):
            return line.strip()[:70]
    return source.strip().split("\n")[0][:70]


def _is_self_check(cell):
    return CHECK_TAG in cell.metadata.get("tags", []) or bool(CHECK_CALL.search(cell.source))


def _diff_excerpt(message, max_lines=12):
    """The part of nbval's message after 'Traceback:' (the output diff), shortened."""
    lines = message.split("\n")
    for k, line in enumerate(lines):
        if line.startswith("Traceback:"):
            lines = lines[k + 1:]
            break
    lines = [line for line in lines if line.strip()]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines; --details shows all)"]
    return lines


def grade(path, timeout=300, details=False, out=sys.stdout):
    """Grade one notebook, print the report to `out`; returns True when it passes."""
    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    order_ok, order_text = execution_order(nb)

    start = time.perf_counter()
    if ROOT in path.parents:
        records, pytest_text = _run_nbval(path, timeout)
    else:
        with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
            work = Path(tmp) / "submission"
            work.mkdir()
            os.symlink(ROOT / "data", Path(tmp) / "data")
            shutil.copy2(path, work / path.name)
            records, pytest_text = _run_nbval(work / path.name, timeout)
    seconds = time.perf_counter() - start

    n_code = sum(c.cell_type == "code" for c in nb.cells)
    checks, problems = [], []
    for record in records:
        cell, number = record["cell"], record["number"] + 1
        label = f"code cell {number:>2}"
        error = _error_of(record["outputs"])
        if _is_self_check(cell):
            names = ", ".join(dict.fromkeys(CHECK_CALL.findall(cell.source))) or "self-check"
            exercise = cell.metadata.get("exercise")
            if exercise and exercise != "this cell":
                what = f"{names}({exercise})" if names != "self-check" else f"uses {exercise}"
            else:
                what = names
            if record["outcome"] == "skipped":
                checks.append(("SKIPPED", label, what, "skipped (nbval-skip)"))
            elif error and error[0] == "NotImplementedError":
                checks.append(("UNFINISHED", label, what,
                               'the exercise still raises NotImplementedError: replace "# YOUR CODE HERE" '
                               "and the raise line with your code"))
            elif error and error[0] == "SelfCheckError":
                checks.append(("FAILED", label, what, re.sub(r"^check_\w+: ", "", error[1])))
            elif error:
                checks.append(("ERROR", label, what, f"{error[0]}: {error[1]}"))
            elif record["outcome"] == "failed":
                passed = [l for l in _text_of(record["outputs"]).split("\n") if l.startswith("PASSED")]
                checks.append(("PASSED" if passed else "ERROR", label, what,
                               (passed[0] if passed else "no PASSED line") + "; but its output differs "
                               "from the stored output (see below)"))
                problems.append((label, cell, "output differs from the stored output",
                                 _diff_excerpt(record["message"], None if details else 12)))
            else:
                passed = [l for l in _text_of(record["outputs"]).split("\n") if l.startswith("PASSED")]
                if passed:
                    checks.append(("PASSED", label, what,
                                   "; ".join(re.sub(r"^PASSED check_\w+: ", "", l) for l in passed)))
                else:
                    checks.append(("ERROR", label, what, "ran, but printed no PASSED line"))
            continue
        if record["outcome"] == "failed":
            if error:
                problems.append((label, cell, f"raises {error[0]}: {error[1]}", []))
            else:
                problems.append((label, cell, "output differs from the stored output",
                                 _diff_excerpt(record["message"], None if details else 12)))

    n_failed = sum(r["outcome"] == "failed" for r in records)
    n_skipped = sum(r["outcome"] == "skipped" for r in records)
    ran_all = len(records) == n_code
    counts = {s: sum(c[0] == s for c in checks) for s in ("PASSED", "UNFINISHED", "FAILED", "ERROR")}
    ok = order_ok and ran_all and not problems and counts["PASSED"] == len(
        [c for c in checks if c[0] != "SKIPPED"])

    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    w = lambda line="": print(line, file=out)
    w(f"Grading {shown}")
    w(f"  executed top to bottom before submission: {order_text}")
    w(f"  re-run from a clean kernel (strict nbval, tests/sanitize.cfg): {len(records)} of {n_code} "
      f"code cells ran in {seconds:.0f} s; {len(records) - n_failed - n_skipped} passed, "
      f"{n_failed} failed, {n_skipped} skipped")
    if not ran_all:
        w("  the run stopped early; pytest said:")
        for line in pytest_text.strip().split("\n")[-15:]:
            w(f"      {line}")
    w(f"  self-checks: {len(checks)}" + ("" if not checks else ", ".join(
        [""] + [f"{n} {s.lower()}" for s, n in counts.items() if n]).replace(", ", " (", 1) + ")"))
    for status, label, what, message in checks:
        w(f"    {status:<10} {label}  {what}: {message}")
    if problems:
        w(f"  other cells that fail: {len(problems)}")
        if any(excerpt for _, _, _, excerpt in problems):
            w("    (in nbval's output differences, lines starting with + are the stored output and "
              "lines starting with - the output of the re-run)")
        for label, cell, message, excerpt in problems:
            w(f"    {label}  `{_first_line(cell.source)}`  {message}")
            for line in excerpt:
                w(f"        {line}")
    reasons = []
    if counts["UNFINISHED"]:
        unfinished = []
        for status, label, what, message in checks:
            name = re.sub(r"^uses |^check_\w+\(|\)$", "", what)
            if status == "UNFINISHED" and name not in unfinished:
                unfinished.append(name)
        reasons.append(f"unfinished exercise(s): {', '.join(unfinished)}")
    if counts["FAILED"] + counts["ERROR"]:
        reasons.append(f"{counts['FAILED'] + counts['ERROR']} failing self-check(s)")
    if problems:
        reasons.append(f"{len(problems)} other failing cell(s)")
    if not order_ok:
        reasons.append("not executed top to bottom")
    if not ran_all and not reasons:
        reasons.append("the run stopped early")
    w(f"RESULT: {'PASS' if ok else 'FAIL'}" + (f" ({'; '.join(reasons)})" if reasons else ""))
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description="Re-run a notebook from a clean kernel and grade it.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed per cell (default 300)")
    parser.add_argument("--details", action="store_true", help="show whole output differences")
    args = parser.parse_args(argv)
    try:
        nbformat.read(args.notebook, as_version=4)
    except (OSError, ValueError) as error:   # missing file, not JSON, not a notebook
        print(f"grade: cannot read {args.notebook}: {error}", file=sys.stderr)
        return 2
    return 0 if grade(args.notebook, args.timeout, args.details) else 1


if __name__ == "__main__":
    sys.exit(main())
