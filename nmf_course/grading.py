"""Grade a notebook: re-run it from a clean kernel and say what passes and what does not.

    make grade NB=path/to/notebook.ipynb
    python -m nmf_course.grading path/to/notebook.ipynb [--details]

What it checks (the notebook file itself is never modified):

1. executed top to bottom: the submitted file's code cells carry execution counts
   1, 2, 3, ... in order (empty cells excepted), i.e. it was last run with
   "Restart Kernel and Run All Cells";
2. every cell runs again without error in a fresh kernel of the course environment
   (this .venv), and its text output matches the stored output under strict nbval's rules
   with the course's tests/sanitize.cfg, as `make test` checks the course notebooks. The
   notebook runs through nbclient's public API (NotebookClient.setup_kernel and
   execute_cell), never more than --timeout seconds per cell (default 300) nor --deadline
   seconds in all (default 1800); a cell that runs past either fails, named in the report,
   and the run stops there. Cells tagged nbval-ignore-output are run but not compared,
   nbval-skip are not run; a cell that was never run (no execution count) is run but has
   nothing to compare with;
3. self-checks (run in the mode where they raise: NMF_COURSE_CHECKS=raise in the kernel's
   environment, whereas in JupyterLab they print a box and go on): each cell that calls a check_...() function from nmf_helpers, or is tagged
   `exercise-check` by nmf_course.student_version, is reported as
       PASSED      it printed its PASSED line,
       UNFINISHED  the student's function still raises NotImplementedError (the stub),
       FAILED      the checker raised SelfCheckError (its message says what is wrong),
       ERROR       any other exception (e.g. a NameError).

The notebook runs where it is when it lies inside the course folder, so `../data/` works
from notebooks/ and student/; a notebook from elsewhere is copied into a temporary folder
next to a link to the course's data/ first.

Exit code: 0 when everything passes, 1 when anything fails, 2 when the file cannot be read.

Why not nbval itself: nbval is a pytest plugin in the test extras (pyproject.toml), not among
the course's dependencies, so a grader with the plain install has neither pytest nor nbval; and
its comparison is a method of its pytest item (nbval.plugin.IPyNbCell.compare_outputs), which
reports through pytest's failure text, not per cell as PASSED / UNFINISHED / FAILED, and has no
deadline for the whole run. So the execution is nbclient's public API (a dependency, via
nbconvert) and the comparison keeps nbval 0.11's rules in about 60 lines (SKIP_COMPARE,
_coalesce_streams, compare_outputs), including its quirk that the backspace step never runs;
tests/test_grading.py holds them to it.
"""

import argparse
import configparser
import copy
import difflib
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from nmf_course import paths
from nmf_course.execute import KernelManager
from nmf_course.paths import COURSE_DIR as ROOT

SANITIZE = ROOT / "tests" / "sanitize.cfg"
CHECK_CALL = re.compile(r"\b(check_[A-Za-z_]+)\s*\(")
CHECK_MODE_VARIABLE = "NMF_COURSE_CHECKS"     # nmf_course.selfchecks.common.MODE_VARIABLE
CHECK_TAG = "exercise-check"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _stopped_at(cell):
    """What an error output of a stored cell says, as a short phrase (None: no error)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            name, value = out.get("ename", ""), ANSI.sub("", out.get("evalue", ""))
            checks = list(dict.fromkeys(CHECK_CALL.findall(cell.source)))
            if checks and name in ("SelfCheckError", "NotImplementedError"):
                return f"{checks[0]} raised {name} (the self-check is reported below)"
            return f"{name}: {value}"[:160]
    return None


def execution_order(nb):
    """(ok, sentence) about whether the notebook was last run top to bottom in one kernel.

    A run that went 1, 2, ..., k and stopped at an error in code cell k (Run All stops at
    the first exception) counts as top to bottom: the error itself is what the report names
    (a failing self-check as a failing self-check), not the order."""
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    if not counts:
        return True, "yes (no code cells)"
    if all(c is None for c in counts):
        return False, "NO: it was never executed (no execution counts); run Kernel > Restart Kernel and Run All Cells"
    ran = next((k for k, count in enumerate(counts) if count is None), len(counts))
    if 0 < ran < len(counts) and counts[:ran] == list(range(1, ran + 1)) \
            and all(c is None for c in counts[ran:]):
        error = _stopped_at(code[ran - 1])
        if error:
            return True, (f"yes, until code cell {ran}, where Run All stopped at an error: {error}; "
                          f"the {len(counts) - ran} cell(s) after it were never run")
    for position, count in enumerate(counts, start=1):
        if count != position:
            shown = "never run" if count is None else f"[{count}]"
            return False, (f"NO: code cell {position} is {shown} where [{position}] was expected "
                           "(cells were run out of order, re-run, or skipped); "
                           "run Kernel > Restart Kernel and Run All Cells before submitting")
    return True, f"yes (execution counts 1..{len(counts)})"


# --- re-running the notebook: nbclient's public API, nbval's comparison rules -----------

# What strict nbval leaves out of the comparison (nbval's defaults, without nbdime).
SKIP_COMPARE = ("metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg")
_CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)


def sanitize_patterns(path=SANITIZE):
    """[(regex, replacement)] from an nbval sanitize file (sections with regex: and replace:)."""
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(path, encoding="utf-8"):
        raise FileNotFoundError(f"the sanitize file {path} is missing, so outputs cannot be compared "
                                f"as make test compares them: set {paths.ENVIRONMENT_VARIABLE} to the "
                                "course folder (the clone holding tests/sanitize.cfg)")
    patterns = [(re.compile(parser[s]["regex"]), parser[s]["replace"])
                for s in parser.sections() if "regex" in parser[s] and "replace" in parser[s]]
    if not patterns:
        raise ValueError(f"the sanitize file {path} holds no regex/replace section")
    return patterns


def _coalesce_streams(outputs):
    """Stream outputs of the same name joined, carriage returns applied (as nbval 0.11 does:
    its backspace step never runs, so neither does one here)."""
    merged, streams = [], {}
    for out in outputs:
        out = dict(out)
        if out.get("output_type") == "stream":
            if out["name"] in streams:
                streams[out["name"]]["text"] += out["text"]
                continue
            streams[out["name"]] = out
        merged.append(out)
    for out in streams.values():
        out["text"] = _CARRIAGE_RETURN.sub("", out["text"])
    return merged


def _flatten(outputs, patterns):
    """{key: [sanitized values]}: each output's keys and MIME types, streams keyed by name."""
    flat = {}
    for out in _coalesce_streams(outputs):
        if out.get("output_type") == "stream":
            out = {"output_type": "stream", out["name"]: out["text"]}
        for key, value in out.items():
            if key in SKIP_COMPARE:
                continue
            items = value.items() if key == "data" else [(key, value)]
            for name, item in items:
                if name in SKIP_COMPARE:
                    continue
                if isinstance(item, list):
                    item = "".join(item)
                if isinstance(item, str):
                    for regex, replacement in patterns:
                        item = regex.sub(replacement, item)
                flat.setdefault(name, []).append(item)
    return flat


def compare_outputs(stored, rerun, patterns):
    """None when the re-run's outputs match the stored ones under strict nbval's rules, else
    the lines that say how they differ (lines with + are stored, with - the re-run)."""
    old, new = _flatten(stored, patterns), _flatten(rerun, patterns)
    if set(old) - set(new):
        return [f"missing output fields from running code: {sorted(set(old) - set(new))}"]
    if set(new) - set(old):
        return [f"unexpected output fields from running code: {sorted(set(new) - set(old))}"]
    for key in old:
        if len(old[key]) != len(new[key]):
            return [f"dissimilar number of outputs for {key!r}: {len(old[key])} stored, "
                    f"{len(new[key])} in the re-run"]
        for was, now in zip(old[key], new[key]):
            if was != now:
                if not (isinstance(was, str) and isinstance(now, str)):
                    return [f"mismatch {key!r}", f"+ {was!r}", f"- {now!r}"]
                diff = difflib.unified_diff(now.split("\n"), was.split("\n"), lineterm="", n=1)
                return [f"mismatch {key!r}"] + [line for line in diff
                                                  if not line.startswith(("---", "+++", "@@"))]
    return None


def _tags(cell):
    return set(cell.metadata.get("tags", []))


def run_notebook(path, cell_timeout=300, deadline=1800, startup_timeout=60):
    """Run a copy of the notebook at `path` in a fresh kernel, cell by cell, with nbclient.

    Returns (records, stopped): one record per code cell that was reached ({number
    (0-based among code cells), cell (the stored one), outputs (the re-run's), outcome
    passed/failed/skipped, message}), and None or a sentence saying why the run stopped
    before the end: a cell that ran longer than `cell_timeout` seconds, the whole run
    passing `deadline` seconds, or a kernel that died or never started."""
    stored = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(stored)
    patterns = sanitize_patterns()
    end = time.monotonic() + deadline
    # the course's kernel manager: its client waits in 1 s slices, so a slider cell's burst of
    # widget messages cannot leave it waiting for a reply that has arrived (nmf_course.execute)
    client = NotebookClient(nb, timeout=cell_timeout, startup_timeout=startup_timeout,
                            kernel_name="python3", allow_errors=True, kernel_manager_class=KernelManager,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    records, stopped, number = [], None, -1
    name = Path(path).name
    # self-checks raise in the re-run (they only print a box in JupyterLab), so each one's
    # exception says PASSED / UNFINISHED / FAILED / ERROR without parsing printed text
    env = dict(os.environ, **{CHECK_MODE_VARIABLE: "raise"})
    try:
        with client.setup_kernel(env=env):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                number += 1
                record = {"number": number, "cell": stored.cells[index], "outputs": [],
                          "outcome": "passed", "message": ""}
                if "nbval-skip" in _tags(cell):
                    record["outcome"] = "skipped"
                    records.append(record)
                    continue
                remaining = end - time.monotonic()
                if remaining <= 0:
                    stopped = (f"{name}: the whole run passed its deadline of {deadline:g} s before "
                               f"code cell {number + 1}; stopped there")
                    break
                per_cell = remaining >= cell_timeout
                client.timeout = cell_timeout if per_cell else max(1, int(remaining))
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    limit = (f"its per-cell limit of {cell_timeout:g} s" if per_cell
                             else f"the whole run's deadline of {deadline:g} s")
                    record.update(outcome="failed", outputs=cell.outputs, fatal=True,
                                  message=f"timed out: still running at {limit}")
                    records.append(record)
                    stopped = f"{name}: code cell {number + 1} was still running at {limit}; stopped there"
                    break
                except DeadKernelError as error:
                    record.update(outcome="failed", outputs=cell.outputs, fatal=True,
                                  message=f"the kernel died: {error}")
                    records.append(record)
                    stopped = f"{name}: the kernel died in code cell {number + 1}; stopped there"
                    break
                record["outputs"] = cell.outputs
                error = _error_of(cell.outputs)
                if error and "raises-exception" not in _tags(cell):
                    record.update(outcome="failed", message=f"{error[0]}: {error[1]}")
                elif "nbval-ignore-output" not in _tags(cell) and (
                        stored.cells[index].execution_count is not None or stored.cells[index].outputs):
                    diff = compare_outputs(stored.cells[index].outputs, cell.outputs, patterns)
                    if diff:
                        record.update(outcome="failed", message="\n".join(diff))
                records.append(record)
    except (RuntimeError, TimeoutError) as error:        # the kernel did not start (in time)
        stopped = f"{name}: the kernel could not be started: {type(error).__name__}: {error}"
    return records, stopped


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
    """The output difference (compare_outputs' lines), shortened."""
    lines = [line for line in message.split("\n") if line.strip()]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines; --details shows all)"]
    return lines


def grade(path, timeout=300, details=False, out=sys.stdout, deadline=1800):
    """Grade one notebook, print the report to `out`; returns True when it passes."""
    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    order_ok, order_text = execution_order(nb)

    start = time.perf_counter()
    if ROOT in path.parents:
        records, stopped = run_notebook(path, timeout, deadline)
    else:
        with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
            work = Path(tmp) / "submission"
            work.mkdir()
            os.symlink(ROOT / "data", Path(tmp) / "data")
            shutil.copy2(path, work / path.name)
            records, stopped = run_notebook(work / path.name, timeout, deadline)
    seconds = time.perf_counter() - start

    n_code = sum(c.cell_type == "code" for c in nb.cells)
    checks, problems = [], []
    for record in records:
        cell, number = record["cell"], record["number"] + 1
        label = f"code cell {number:>2}"
        error = _error_of(record["outputs"])
        if record.get("fatal"):                 # timed out, or the kernel died
            problems.append((label, cell, record["message"], []))
            continue
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
    ok = order_ok and ran_all and not stopped and not problems and counts["PASSED"] == len(
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
    if not ran_all or stopped:
        w(f"  the run stopped early: {stopped or 'not every code cell ran'}")
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
    if (stopped or not ran_all) and not reasons:
        reasons.append("the run stopped early")
    w(f"RESULT: {'PASS' if ok else 'FAIL'}" + (f" ({'; '.join(reasons)})" if reasons else ""))
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description="Re-run a notebook from a clean kernel and grade it.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed per cell (default 300)")
    parser.add_argument("--deadline", type=float, default=1800,
                        help="seconds allowed for the whole notebook (default 1800)")
    parser.add_argument("--details", action="store_true", help="show whole output differences")
    args = parser.parse_args(argv)
    try:
        nbformat.read(args.notebook, as_version=4)
    except (OSError, ValueError) as error:   # missing file, not JSON, not a notebook
        print(f"grade: cannot read {args.notebook}: {error}", file=sys.stderr)
        return 2
    return 0 if grade(args.notebook, args.timeout, args.details, deadline=args.deadline) else 1


if __name__ == "__main__":
    sys.exit(main())
