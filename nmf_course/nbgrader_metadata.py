"""Give the course notebooks nbgrader's cell metadata, so notebooks/ is a valid nbgrader source.

    python -m nmf_course.nbgrader_metadata            # update notebooks/NN_*.ipynb in place
    python -m nmf_course.nbgrader_metadata --check    # exit 1 if a notebook lacks what it would add
    python -m nmf_course.nbgrader_metadata PATH ...   # other notebooks (e.g. copies in a course dir)

nbgrader refuses a notebook whose `### BEGIN SOLUTION` markers sit in cells without its
metadata ("Solution region detected in a non-solution cell"). The metadata follows from the
exercise markers the course already has, and nothing else is changed (no source, output,
execution count or other metadata; the script checks this before writing). Running it
twice changes nothing the second time. The rules:

- a code cell with `### BEGIN SOLUTION` ... `### END SOLUTION` is a solution cell:
  {"solution": true, "grade": false, "locked": false, "task": false,
   "grade_id": "<notebook stem>-<function>", "schema_version": 3}
  where <function> is the function whose body holds the (first) region;
- the code cell right after it, when it calls a check (`check_...(`), is an autograded,
  locked test cell worth one point:
  {"grade": true, "solution": false, "locked": true, "task": false, "points": 1,
   "grade_id": "<notebook stem>-<function>-check", "schema_version": 3};
- any other cell carries no nbgrader metadata (stale metadata is removed).

nbgrader's ClearSolutions writes the same stub as `make student` (`# YOUR CODE HERE` and
`raise NotImplementedError()` at the BEGIN marker's indentation), and MoveReferenceSolutions
below (put first in GenerateAssignment.preprocessors by `configure`) moves the cells tagged
`reference-solution` to the end as `make student` does, so both routes show students the
same cells (tests/test_nbgrader.py checks it).

Under nbgrader's autograde a check cell must fail for a wrong or unfinished answer, though in
JupyterLab it only prints a box: nbgrader sets NBGRADER_EXECUTION=autograde (validate) while
it runs a notebook, and the checks raise when that is set (nmf_course.selfchecks.common.
check_mode), so the locked cell raises and scores 0.
"""

from __future__ import annotations

import copy
import re
import sys

import nbformat

from nmf_course.execute import metadata_tool_main, only_metadata_changed, rewrite_metadata
from nmf_course.student_version import BEGIN, END, PROBLEM3_SOURCE, TABLES_TAG, move_reference_solutions

SCHEMA_VERSION = 3
CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")
DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)")


def _solution_function(source):
    """The name of the function whose body holds the first solution region (None: none)."""
    lines = source.split("\n")
    for number, line in enumerate(lines):
        begin = BEGIN.match(line)
        if begin:
            indent = len(begin.group("indent"))
            for previous in reversed(lines[:number]):
                match = DEF.match(previous)
                if match and len(match.group(1)) < indent:
                    return match.group(2)
            return None
    return None


def _has_solution(cell):
    return cell.cell_type == "code" and any(BEGIN.match(line) for line in cell.source.split("\n"))


def nbgrader_cells(nb, stem):
    """{cell index: nbgrader metadata} the rules give the notebook's cells."""
    found = {}
    code = [k for k, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    for position, index in enumerate(code):
        cell = nb.cells[index]
        if not _has_solution(cell):
            continue
        name = _solution_function(cell.source) or f"cell{position + 1}"
        grade_id = f"{stem}-{name}"
        found[index] = {"grade": False, "grade_id": grade_id, "locked": False,
                        "schema_version": SCHEMA_VERSION, "solution": True, "task": False}
        following = code[position + 1] if position + 1 < len(code) else None
        if following is not None and not _has_solution(nb.cells[following]) \
                and CHECK_CALL.search(nb.cells[following].source):
            found[following] = {"grade": True, "grade_id": f"{grade_id}-check", "locked": True,
                                "points": 1, "schema_version": SCHEMA_VERSION, "solution": False,
                                "task": False}
    for cell in nb.cells:
        if cell.cell_type != "code" and any(BEGIN.match(l) or END.match(l) for l in cell.source.split("\n")):
            raise ValueError(f"{stem}: solution markers in a {cell.cell_type} cell")
    return found


def with_nbgrader_metadata(nb, stem):
    """A copy of nb with nbgrader's metadata set by the rules; raises if anything else changed."""
    new = copy.deepcopy(nb)
    wanted = nbgrader_cells(new, stem)
    for index, cell in enumerate(new.cells):
        if index in wanted:
            cell.metadata["nbgrader"] = nbformat.from_dict(wanted[index])
        else:
            cell.metadata.pop("nbgrader", None)
    only_metadata_changed(nb, new, "nbgrader_metadata")
    rest = lambda c: {k: v for k, v in c.metadata.items() if k != "nbgrader"}   # noqa: E731
    if any(rest(old) != rest(cell) for old, cell in zip(nb.cells, new.cells)) or nb.metadata != new.metadata:
        raise RuntimeError("nbgrader_metadata would change other metadata: refusing")
    return new


def process(paths, check=False):
    """Update (or, with check=True, only inspect) the notebooks; returns the paths that differ."""
    return rewrite_metadata(paths, lambda nb, path: with_nbgrader_metadata(nb, path.stem), check)


# --- nbgrader's side: the same student view as make student ------------------------------

try:                                            # nbgrader's own base class when it is installed
    from nbgrader.preprocessors import NbGraderPreprocessor as _Base
except ImportError:                             # (the course's .venv has no nbgrader)
    from nbconvert.preprocessors import Preprocessor as _Base


class MoveReferenceSolutions(_Base):
    """nbgrader preprocessor: cells tagged `reference-solution` go to a final section, the cell
    tagged `problem3-tables` reads Problem 3's graded tables, and jupytext's pairing is
    dropped, as in `make student` (nmf_course.student_version)."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("jupytext", None)
        for cell in nb.cells:
            if TABLES_TAG in cell.metadata.get("tags", []):
                cell.source = PROBLEM3_SOURCE
        return move_reference_solutions(nb), resources


def configure(c):
    """Set up an nbgrader config object `c` (in nbgrader_config.py: `from
    nmf_course.nbgrader_metadata import configure; configure(get_config())`): the reference
    solutions move to the end of the release, the checks raise while nbgrader runs them, and
    nbgrader's executor uses the course's kernel manager (nmf_course.execute.KernelManager: its
    client waits in 1 s slices, so a slider cell cannot leave it waiting for ever)."""
    from nbgrader.converters import GenerateAssignment

    defaults = list(GenerateAssignment.class_traits()["preprocessors"].default())
    c.GenerateAssignment.preprocessors = [MoveReferenceSolutions] + defaults
    c.Execute.kernel_manager_class = "nmf_course.execute.KernelManager"
    return c


def main(argv=None):
    return metadata_tool_main(argv, process, "nbgrader metadata", "nmf_course.nbgrader_metadata")


if __name__ == "__main__":
    sys.exit(main())
