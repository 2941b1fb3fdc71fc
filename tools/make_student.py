"""Write the students' exercise versions (student/) from the complete notebooks (notebooks/).

    python tools/make_student.py                 # what `make student` runs
    python tools/make_student.py --dest DIR      # write somewhere else (the tests do)

Every notebook in notebooks/ is copied to student/ (all ten, so the previous/next links
work there too), with these changes and nothing else:

* In a code cell, each region between a line `### BEGIN SOLUTION` and a line
  `### END SOLUTION` (nbgrader's markers) becomes two lines, indented like the BEGIN
  marker:  `# YOUR CODE HERE`  and  `raise NotImplementedError()`.
  Markers must come in pairs inside a code cell; anything else is an error.
* All outputs are cleared and execution counts set to None; per-cell execution timing
  metadata and saved widget state are dropped (so a student notebook reads as never run).
* Tags, so a grader can tell the exercises apart (see tools/grade.py):
    - `exercise`        the cell where the student writes code (it holds a stub);
    - `exercise-check`  every cell that calls a stubbed function (the self-check right
                        after an exercise, and any other cell calling the student's
                        function, directly or through a function defined later that
                        calls it). In an untouched student notebook these, and only
                        these, cells raise NotImplementedError; the cell metadata key
                        `exercise` names the student's function(s) the cell calls.
  A cell whose stub is not inside a function (so the cell itself raises) gets both tags.

Cells that define a stubbed function do not raise: they only define it. The notebooks
are written so that nothing after a self-check depends on the student's function (they
use nmf_helpers' version instead), so an untouched student notebook runs everywhere
except at the `exercise-check` cells; tests/test_student.py checks exactly that.

The output is deterministic: running this twice gives byte-identical files, and
tests/test_student.py fails when student/ is not what this script writes.
"""

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
EXERCISE_TAG = "exercise"
CHECK_TAG = "exercise-check"


class MarkerError(ValueError):
    """Unpaired or misplaced solution markers."""


def strip_solutions(source, where="cell"):
    """Return (student_source, solutions, stubs).

    solutions: list of the marked regions' lines (markers excluded), one list per region;
    stubs: list of (indent, line_number_of_BEGIN) for each region, line numbers 0-based in
    the original source.
    """
    out, solutions, stubs = [], [], []
    region = None
    lines = source.split("\n")
    for number, line in enumerate(lines):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if region is not None:
                raise MarkerError(f"{where}: line {number + 1} opens a solution inside another one")
            region = (begin.group("indent"), number, [])
        elif end:
            if region is None:
                raise MarkerError(f"{where}: line {number + 1} closes a solution that was never opened")
            indent, start, body = region
            out.extend(indent + stub for stub in STUB)
            solutions.append(body)
            stubs.append((indent, start))
            region = None
        elif region is not None:
            region[2].append(line)
        else:
            out.append(line)
    if region is not None:
        raise MarkerError(f"{where}: the solution opened on line {region[1] + 1} is never closed")
    return "\n".join(out), solutions, stubs


def _parse(source):
    """ast of a cell, with IPython magics and shell lines blanked out; None if it cannot parse."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _loaded_names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _names_in(source):
    """Names a cell uses (ast when it parses; a word match, comments dropped, when it does not)."""
    tree = _parse(source)
    if tree is not None:
        return _loaded_names(tree)
    code = "\n".join(line.split("#", 1)[0] for line in source.split("\n"))
    return set(re.findall(r"[A-Za-z_]\w*", code))


def _stubbed_functions(original, stubs):
    """Names of the functions (in the ORIGINAL source) whose bodies hold a solution region.

    A region not inside any def gives None (the cell itself will raise)."""
    lines = original.split("\n")
    names = []
    for indent, start in stubs:
        name = None
        for line in reversed(lines[:start]):
            match = re.match(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)", line)
            if match and len(match.group(1)) < len(indent):
                name = match.group(2)
                break
        names.append(name)
    return names


def _top_level_uses(source):
    """Names a cell uses when it runs: outside the bodies of the functions it defines."""
    tree = _parse(source)
    if tree is None:
        return _names_in(source)
    used = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for part in statement.decorator_list + statement.args.defaults + statement.args.kw_defaults:
                if part is not None:
                    used |= _loaded_names(part)
            continue
        used |= _loaded_names(statement)
    return used


def _functions_using(source, names):
    """{function defined at the top of the cell: the `names` its body uses}."""
    tree = _parse(source)
    if tree is None:
        return {}
    found = {}
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            uses = _loaded_names(statement) & names
            if uses:
                found[statement.name] = uses
    return found


def _add_tag(cell, tag):
    tags = list(cell.metadata.get("tags", []))
    if tag not in tags:
        tags.append(tag)
    cell.metadata["tags"] = tags


def make_student_notebook(nb, where="notebook"):
    """Return (student_nb, solutions): the exercise version of a complete notebook and the
    solution regions in order (a list of line lists)."""
    student = copy.deepcopy(nb)
    student.metadata.pop("widgets", None)
    student.cells = []
    all_solutions = []
    stubbed = {}        # function name -> the student's functions it calls (itself for a stub)
    for index, cell in enumerate(nb.cells):
        new = copy.deepcopy(cell)
        new.metadata.pop("execution", None)
        if cell.cell_type != "code":
            if any(BEGIN.match(line) or END.match(line) for line in cell.source.split("\n")):
                raise MarkerError(f"{where}, cell {index}: solution markers in a {cell.cell_type} cell")
            student.cells.append(new)
            continue
        new.outputs = []
        new.execution_count = None
        source, solutions, stubs = strip_solutions(cell.source, f"{where}, cell {index}")
        new.source = source
        calls = set()
        if stubs:
            all_solutions.extend(solutions)
            _add_tag(new, EXERCISE_TAG)
            names = _stubbed_functions(cell.source, stubs)
            if None in names:           # a stub outside any function: this cell raises itself
                calls.add("this cell")
            for name in names:
                if name:
                    stubbed[name] = {name}
        # a function defined here that calls a stub raises when it is called later
        for name, uses in _functions_using(source, set(stubbed)).items():
            if name not in stubbed:
                stubbed[name] = set().union(*(stubbed[u] for u in uses))
        for name in _top_level_uses(source) & set(stubbed):
            calls |= stubbed[name]
        if calls:
            _add_tag(new, CHECK_TAG)
            new.metadata["exercise"] = ", ".join(sorted(calls))
        student.cells.append(new)
    return student, all_solutions


STUDENT_README = """\
# Exercise versions of the course notebooks

Generated from `../notebooks/` by `make student` (tools/make_student.py): do not edit these
files by hand, your changes would be overwritten. Copy a notebook if you want to keep your
own version elsewhere; it finds its data through `../data/`, so keep it in a folder next to
`data/` (this one is).

In notebooks 01-06, each exercise is a function whose body reads

    # YOUR CODE HERE
    raise NotImplementedError()

Replace those two lines with your code and run the next cell: its self-check prints a line
starting with PASSED, or says what is wrong (a wrong shape, negative entries, columns of W
that do not sum to 1, a log-likelihood that went down, the first entry that differs). The
rest of each notebook uses the helper module's own functions, so it runs even before you
have finished an exercise. Notebooks 07-10 have no exercises; they are here, outputs
cleared, so the previous/next links work.

Before you hand a notebook in, run Kernel > Restart Kernel and Run All Cells, and save.
`make grade NB=student/02_update_rules_loops.ipynb` (from the course folder) re-runs it the
way a grader will and lists what passes and what is unfinished.
"""


def notebook_paths(src):
    return sorted(Path(src).glob("[0-9][0-9]_*.ipynb"))


def write_student(src=ROOT / "notebooks", dest=ROOT / "student"):
    """Write every notebook of src into dest; returns the paths written."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    sources = notebook_paths(src)
    for stale in notebook_paths(dest):      # a notebook renamed or removed in src
        if stale.name not in {p.name for p in sources}:
            stale.unlink()
    written = []
    (dest / "README.md").write_text(STUDENT_README, encoding="utf-8")
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        student, _ = make_student_notebook(nb, where=path.name)
        target = dest / path.name
        text = nbformat.writes(student)
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", default=ROOT / "notebooks", type=Path)
    parser.add_argument("--dest", default=ROOT / "student", type=Path)
    args = parser.parse_args(argv)
    try:
        written = write_student(args.src, args.dest)
    except MarkerError as error:
        sys.exit(f"make_student: {error}")
    for path in written:
        nb = nbformat.read(path, as_version=4)
        n_ex = sum(EXERCISE_TAG in c.metadata.get("tags", []) for c in nb.cells)
        n_check = sum(CHECK_TAG in c.metadata.get("tags", []) for c in nb.cells)
        print(f"wrote {path.relative_to(args.dest.parent) if args.dest.is_absolute() else path}: "
              f"{n_ex} exercise cell(s), {n_check} cell(s) calling them")


if __name__ == "__main__":
    main()
