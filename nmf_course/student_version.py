"""Write the students' exercise versions (student/) from the complete notebooks (notebooks/).

    python -m nmf_course.student_version               # what `make student` runs
    python -m nmf_course.student_version --dest DIR    # write somewhere else (the tests do)
    python -m nmf_course.student_version --force       # also overwrite generated files edited since

It never deletes or overwrites a file it did not write, nor one it wrote that someone has
edited since: student/README.md ends with a comment (the manifest) listing each file it
wrote with a hash of its content. A file not in the manifest (a student's own notebook, a
copy of an exercise under another name) is never touched, not even with --force (unless
it is at a generated name and has exactly the content that would be written). A listed
file whose content no longer matches its hash (an exercise someone worked on in place)
makes the script stop, list the edited files and write nothing, unless --force. Students
work on copies in my_work/, which no command touches.

"Content" is what JupyterLab does not rewrite when it merely opens and saves a notebook:
cell types, sources, outputs, execution counts, the cell metadata this course uses (tags,
`exercise`, slideshow) and the kernel's name; not the kernel's display name,
language_info, widget state, cell ids, the nbformat minor version nor any other metadata
(see `content`). So opening and saving a student notebook changes nothing that counts.

Why not nbgrader's generate_assignment (ClearSolutions makes the same stub from the same
markers): nbgrader is not installable beside the course (it brings notebook 7 and its own
JupyterLab extensions, so the Makefile keeps it in .venv/nbgrader) and it needs a course
directory, a gradebook database and its cell metadata; it writes a release/ folder of its own,
while make student writes student/ beside students' files and must never overwrite an edited
one (the manifest). What the course adds beyond ClearSolutions: the exercise / exercise-check
tags found by following calls of the stubbed functions, the reference-solution section moved to
the end, and Problem 3's tables cell. tests/test_nbgrader.py checks that nbgrader releases and
autogrades what this module writes, so the two stay equivalent.

Every notebook in notebooks/ is copied to student/ (all of them, so the previous/next links
work there too), with these changes and nothing else:

* In a code cell, each region between a line `### BEGIN SOLUTION` and a line
  `### END SOLUTION` (nbgrader's markers) becomes two lines, indented like the BEGIN
  marker:  `# YOUR CODE HERE`  and  `raise NotImplementedError()`.
  Markers must come in pairs inside a code cell; anything else is an error.
* All outputs are cleared and execution counts set to None; per-cell execution timing
  metadata and saved widget state are dropped (so a student notebook reads as never run),
  and so is jupytext's pairing (JupyterLab writes no py/ twin of a student's notebook).
* Cells tagged `reference-solution` (they print the helper's own answer, e.g.
  `print(inspect.getsource(nh.update_loops))`, right after an exercise in notebooks/) are
  moved, in order, to a final section "Reference solutions" at the end of the student
  notebook, under a sentence that says to look only after one's own version passed.
* The cell tagged `problem3-tables` (notebook 06: the practice tables) gets PROBLEM3_SOURCE,
  which reads the term's graded tables for Problem 3 (or says plainly that they are missing).
* Tags, so a grader can tell the exercises apart (see nmf_course.grading):
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

Only notebooks/NN_*.ipynb are read: the instructor's material (instructor/: the answer key
and its notebook) is never copied to student/. nbgrader's route (nmf_course.nbgrader_metadata)
uses the same stubs and the same move of the reference solutions, so a release made with
nbgrader shows students the same cells.
"""

import argparse
import ast
import copy
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

from nmf_course.paths import COURSE_DIR as ROOT

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
EXERCISE_TAG = "exercise"
CHECK_TAG = "exercise-check"
REFERENCE_TAG = "reference-solution"
# notebook 06: the cell tagged so reads the practice tables in notebooks/; in student/ it reads
# Problem 3's graded tables (nmf_course.paths.problem3_tables), so the two versions never drift apart
TABLES_TAG = "problem3-tables"
PROBLEM3_SOURCE = """# Problem 3: the term's graded tables, from problem3/ in the course folder (see student/README.md).
# Numbers quoted in the text are those of the practice tables of notebooks/06: read your own outputs.
MAIN, HARD = paths.problem3_tables()"""
REFERENCE_HEADING = """## Reference solutions

Look at these only after your own version of each exercise passed its self-check: they
print the helper module's own answers (the code `nh` runs), which the notebook showed right
after each exercise in its complete version."""


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
    student.metadata.pop("jupytext", None)   # no py/ twin for students (see execute.PAIRING)
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
        if TABLES_TAG in cell.metadata.get("tags", []):
            new.source = PROBLEM3_SOURCE
        source, solutions, stubs = strip_solutions(new.source, f"{where}, cell {index}")
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
    return move_reference_solutions(student), all_solutions


def move_reference_solutions(nb):
    """nb (changed in place, and returned) with its cells tagged `reference-solution` moved,
    in order, to a final "Reference solutions" section; nb unchanged when it has none."""
    moved = [c for c in nb.cells if REFERENCE_TAG in c.metadata.get("tags", [])]
    if not moved:
        return nb
    nb.cells = [c for c in nb.cells if REFERENCE_TAG not in c.metadata.get("tags", [])]
    heading = nbformat.v4.new_markdown_cell(REFERENCE_HEADING)
    heading["id"] = "reference-solutions"
    heading.metadata["slideshow"] = {"slide_type": "slide"}
    nb.cells += [heading] + moved
    return nb


STUDENT_README = """\
# Exercise versions of the course notebooks

Generated from `../notebooks/` by `make student` (`python -m nmf_course.student_version`).

**Work on a copy in `my_work/`, not here.** Copy the exercise into the course's `my_work/`
folder (create it the first time) and work there:

    mkdir -p my_work
    cp student/02_update_rules_loops.ipynb my_work/

No course command reads, changes or deletes anything in `my_work/` (and git ignores it), and
a copy there finds the data through `../data/` just as these files do. The files in this
folder are regenerated when the course changes; `make student` refuses to overwrite one that
has been edited, but an edited file here still makes `make test` fail.

In every notebook, each exercise is a function whose body reads

    # YOUR CODE HERE
    raise NotImplementedError()

Replace those two lines with your code and run the next cell: its self-check prints a line
starting with PASSED, or a short box that says `UNFINISHED` (still the stub) or `FAILED`
and what is wrong (a wrong shape, negative entries, columns of W that do not sum to 1, a
log-likelihood that went down, the first entry that differs, or a function that only calls
the helper's own answer). The rest of each notebook uses the helper module's own functions,
so Run All goes to the end even before you have finished an exercise. Where the helper module
has its own answer to an exercise (notebooks 01, 02, 03 and 10), it is printed in a last
section, "Reference solutions": look only after your own version passed.

**Problem 3 (notebook 06)** is graded on your class's own tables. Put the two files your
instructor hands out, `problem3_counts.txt` and `problem3_counts_hard.txt`, into the folder
`problem3/` in the course folder (beside `data/`; git ignores it):

    mkdir -p problem3
    cp ~/Downloads/problem3_counts*.txt problem3/

`06_provided_data.ipynb` reads them from there; when they are missing it says so plainly at the
top and analyses the self-study tables of `data/` instead (working alone, that is what you want:
their truth is in `instructor/answer_key.json`, to read after you have answered). The complete
`notebooks/06` teaches the same analysis on a practice table; the numbers its text quotes are
the practice table's, not yours.

Before you hand a notebook in, run Kernel > Restart Kernel and Run All Cells, and save.
`make grade NB=my_work/02_update_rules_loops.ipynb` (from the course folder) re-runs it the
way a grader will and lists what passes and what is unfinished.
"""

MANIFEST_START = ("<!-- make_student manifest: the files nmf_course.student_version wrote here and the "
                  "sha256 of their content; do not edit")
# the manifest's opening line as written before the generator moved into nmf_course (still read)
MANIFEST_STARTS = (MANIFEST_START, "<!-- make_student manifest: the files tools/make_student.py wrote here and the "
                   "sha256 of their content; do not edit")
MANIFEST_LINE = re.compile(r"^(\S+) ([0-9a-f]{64})$")
# what counts as a notebook's content (everything else is what editors rewrite on save)
NOTEBOOK_METADATA = ("rise",)
CELL_METADATA = ("tags", "exercise", "slideshow")


class EditedError(RuntimeError):
    """Generated files were edited since they were written; the message lists them."""


def content(nb):
    """The part of a notebook that counts: what opening and saving it in JupyterLab keeps.

    Left out: cell ids, the nbformat minor version, the kernel's display name,
    language_info, widget state, the generator's own record and any other notebook or
    cell metadata (execution timing, collapsed/scrolled, editor settings)."""
    kernelspec = nb.get("metadata", {}).get("kernelspec", {})
    cells = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        entry = {"cell_type": cell.get("cell_type"),
                 "source": "".join(source) if isinstance(source, list) else source,
                 "metadata": {k: cell.get("metadata", {})[k] for k in CELL_METADATA
                              if k in cell.get("metadata", {})}}
        if cell.get("cell_type") == "code":
            entry["outputs"] = cell.get("outputs", [])
            entry["execution_count"] = cell.get("execution_count")
        cells.append(entry)
    return {"kernel": kernelspec.get("name"),
            "metadata": {k: nb["metadata"][k] for k in NOTEBOOK_METADATA if k in nb.get("metadata", {})},
            "cells": cells}


def content_hash(nb):
    text = json.dumps(content(nb), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def same_content(a, b):
    """Whether two notebooks (dicts or NotebookNodes) differ only in what editors rewrite."""
    return content(a) == content(b)


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def readme_text(hashes):
    """student/README.md: the text for students, then the manifest {file name: content hash}."""
    lines = [MANIFEST_START, f"README.md {_sha256(STUDENT_README)}"]
    lines += [f"{name} {hashes[name]}" for name in sorted(hashes)]
    return STUDENT_README + "\n" + "\n".join(lines) + "\n-->\n"


def read_manifest(dest):
    """{file name: content hash} from dest/README.md's manifest ({} when there is none)."""
    try:
        text = (Path(dest) / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    start = next((marker for marker in MANIFEST_STARTS if marker in text), None)
    if start is None:
        return {}
    found = {}
    for line in text.split(start, 1)[1].split("\n"):
        match = MANIFEST_LINE.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def file_hash(path):
    """The hash the manifest records for a file: of a notebook's content (see `content`),
    of README.md's text above the manifest. None when it cannot be read as such."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        if path.name == "README.md":
            for start in MANIFEST_STARTS:
                if start in text:
                    return _sha256(text.split("\n" + start, 1)[0])
            return _sha256(text)
        return content_hash(json.loads(text))
    except (OSError, ValueError, AttributeError, TypeError):
        return None


def status(path, manifest=None):
    """What make_student may do with an existing file in student/:
    'generated' (it wrote the file and nobody changed its content since: may be replaced),
    'edited' (it wrote the file, and its content changed since) or 'foreign' (it did not
    write the file, as far as the manifest knows)."""
    path = Path(path)
    if manifest is None:
        manifest = read_manifest(path.parent)
    if path.name not in manifest:
        return "foreign"
    return "generated" if file_hash(path) == manifest[path.name] else "edited"


def notebook_paths(src):
    return sorted(Path(src).glob("[0-9][0-9]_*.ipynb"))


def student_notebook_text(path):
    """The exercise version of the notebook at `path`, as the text make_student writes."""
    nb = nbformat.read(path, as_version=4)
    student, _ = make_student_notebook(nb, where=Path(path).name)
    text = nbformat.writes(student)
    return text if text.endswith("\n") else text + "\n"


def planned_files(src=ROOT / "notebooks"):
    """{file name: text} of everything make_student writes for the notebooks in src."""
    files = {path.name: student_notebook_text(path) for path in notebook_paths(src)}
    hashes = {name: content_hash(json.loads(text)) for name, text in files.items()}
    return {"README.md": readme_text(hashes), **files}


def write_student(src=ROOT / "notebooks", dest=ROOT / "student", force=False, out=None):
    """Write the exercise version of every notebook of src into dest; returns the paths
    written. Never touches a file it did not write; raises EditedError, before writing
    anything, when files it wrote were edited since (unless force)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    planned = planned_files(src)
    manifest = read_manifest(dest)
    edited, foreign = [], []
    for name, text in planned.items():
        target = dest / name
        if not target.exists():
            continue
        state = status(target, manifest)
        if state == "foreign" and file_hash(target) == file_hash_of_text(name, text):
            continue        # same content as what would be written (e.g. no manifest yet): safe
        if state == "edited" and not force:
            edited.append(target)
        elif state == "foreign" and not force:
            foreign.append(target)
    if edited or foreign:
        lines = [f"make_student: wrote nothing: these files in {dest} were changed since make_student "
                 "wrote them, or were not written by it:"]
        lines += [f"    {p.name}  ({'edited since it was generated' if p in edited else 'not written by make_student'})"
                  for p in edited + foreign]
        lines += ["If one of them is a student's work, copy it into my_work/ (which no command touches) first.",
                  "To replace them with freshly generated files anyway: make student FORCE=1 "
                  "(python -m nmf_course.student_version --force); other files are never touched."]
        raise EditedError("\n".join(lines))

    # a notebook renamed or removed in src: delete its old exercise version only if unchanged
    for name, recorded in manifest.items():
        target = dest / name
        if name not in planned and target.exists() and status(target, manifest) == "generated":
            target.unlink()
            if out:
                print(f"removed {target} (generated, unchanged, its notebook is gone from {src})", file=out)
    written = []
    for name, text in planned.items():
        target = dest / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def file_hash_of_text(name, text):
    if name == "README.md":
        return _sha256(text.split("\n" + MANIFEST_START, 1)[0])
    return content_hash(json.loads(text))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", default=ROOT / "notebooks", type=Path)
    parser.add_argument("--dest", default=ROOT / "student", type=Path)
    parser.add_argument("--force", action="store_true",
                        help="also overwrite files at the generated names that were edited since "
                             "(files under other names are never touched)")
    args = parser.parse_args(argv)
    try:
        written = write_student(args.src, args.dest, force=args.force, out=sys.stdout)
    except MarkerError as error:
        sys.exit(f"make_student: {error}")
    except EditedError as error:
        sys.exit(str(error))
    for path in written:
        if path.suffix != ".ipynb":
            continue
        nb = nbformat.read(path, as_version=4)
        n_ex = sum(EXERCISE_TAG in c.metadata.get("tags", []) for c in nb.cells)
        n_check = sum(CHECK_TAG in c.metadata.get("tags", []) for c in nb.cells)
        print(f"wrote {path.relative_to(args.dest.parent) if args.dest.is_absolute() else path}: "
              f"{n_ex} exercise cell(s), {n_check} cell(s) calling them")


if __name__ == "__main__":
    main()
