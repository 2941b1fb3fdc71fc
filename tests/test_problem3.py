"""Problem 3 (notebook 06): a term's graded tables from `make problem3`, kept apart from the
practice tables notebook 06 teaches on; the reference analysis and score_problem3; the batch CSV."""

import csv
import json
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import DATA, ROOT

sys.path.insert(0, str(ROOT / "instructor"))
import problem3  # noqa: E402  (instructor/problem3.py)

from nmf_course import student_version  # noqa: E402

SEEDS = (12, 13)     # two made-up terms: R 5 and 3 on the main table, other genes, other moonlighters


def make_problem3(seed, out):
    """What `make problem3 SEED=seed OUT=out` runs; returns the answer key it wrote."""
    result = subprocess.run([sys.executable, str(DATA / "make_data.py"), "--problem3", str(seed), str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads((out / "answer_key.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def terms(tmp_path_factory):
    """{seed: (folder, key)} for the two made-up terms."""
    made = {}
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"term{seed}")
        made[seed] = (folder, make_problem3(seed, folder))
    return made


def test_the_makefile_runs_the_generator():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert 'data/make_data.py --problem3 "$(SEED)" "$(OUT)"' in makefile
    assert "instructor/problem3.py grade" in makefile


def test_one_seed_twice_gives_the_same_bytes(tmp_path, terms):
    folder, _ = terms[SEEDS[0]]
    make_problem3(SEEDS[0], tmp_path)
    for name in (*problem3.paths.PROBLEM3_FILES, "answer_key.json"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


def test_two_seeds_give_other_genes_R_and_moonlighters(terms):
    (_, a), (_, b) = (terms[seed] for seed in SEEDS)
    main = problem3.MAIN
    assert a[main]["true_R"] != b[main]["true_R"]
    genes = [{g for module in key[main]["modules"].values() for g in module} for key in (a, b)]
    assert genes[0] != genes[1]
    moon = [{m["gene"] for m in key[main]["moonlighters"]} for key in (a, b)]
    assert not moon[0] & moon[1]


def test_a_terms_tables_share_no_R_and_no_gene_with_the_practice_tables(terms):
    practice = json.loads((DATA / "practice_truth.json").read_text(encoding="utf-8"))
    practice_R = {truth["true_R"] for truth in practice.values()}
    practice_genes = {g for truth in practice.values() for module in truth["modules"].values() for g in module}
    for _, key in terms.values():
        for truth in key.values():
            assert truth["true_R"] not in practice_R
            assert not practice_genes & {g for module in truth["modules"].values() for g in module}


def notebook_text(path):
    """A notebook's sources and text outputs (no images: base64 can hold any short word)."""
    parts = []
    for cell in nbformat.read(path, as_version=4).cells:
        parts.append(cell.source)
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") if out.get("output_type") == "stream"
                         else out.get("data", {}).get("text/plain", "") + out.get("data", {}).get("text/markdown", ""))
    return "\n".join(parts)


# how notebook 06 states a chosen or true R ("You chose R = 4", "R = 4: picked by", "main: R 4"),
# not the rows of its scans nor "R = 6 to 8: not shown"
STATED_R = re.compile(r"(?:You chose R = |^R = |^\w+: R |true R\D{0,4})(\d+)(?! to)", re.M)


def test_no_notebook_names_a_graded_moonlighter_or_states_a_graded_R(terms):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "student").glob("*.ipynb"))
    sixes = [p for p in notebooks if p.name.startswith("06_")]
    assert len(sixes) == 2
    for _, key in terms.values():
        moonlighters = {m["gene"] for truth in key.values() for m in truth["moonlighters"]}
        graded_R = {truth["true_R"] for truth in key.values()}
        for path in notebooks:
            text = notebook_text(path)
            named = {g for g in moonlighters if re.search(rf"\b{g}\b", text)}
            assert not named, f"{path.relative_to(ROOT)} names graded moonlighters {named}"
        for path in sixes:
            stated = {int(R) for R in STATED_R.findall(notebook_text(path))}
            assert not stated & graded_R, f"{path.relative_to(ROOT)} states R {stated & graded_R}"
            assert stated or path.parent.name == "student"    # the complete notebook does state its R


def test_student_06_reads_the_graded_tables_and_says_plainly_when_they_are_missing(tmp_path, monkeypatch, capsys):
    cells = nbformat.read(ROOT / "student" / "06_provided_data.ipynb", as_version=4).cells
    assert [c.source for c in cells if student_version.TABLES_TAG in c.metadata.get("tags", [])] == [
        student_version.PROBLEM3_SOURCE]
    monkeypatch.setenv(problem3.paths.PROBLEM3_VARIABLE, str(tmp_path))
    main, hard = problem3.paths.problem3_tables()
    assert "MISSING" in capsys.readouterr().out and main.name == "atlas_counts.txt"
    make_problem3(SEEDS[0], tmp_path)
    assert problem3.paths.problem3_tables() == tuple(tmp_path / n for n in problem3.paths.PROBLEM3_FILES)


def test_score_problem3_counts_R_and_moonlighters(terms):
    folder, key = terms[SEEDS[0]]
    truth = key[problem3.MAIN]
    right = {"R": truth["true_R"], "moonlighters": [m["gene"] for m in truth["moonlighters"]]}
    assert problem3.score_problem3(right, folder)[0] == 6
    assert problem3.score_problem3({"R": None}, folder)[0] == 0          # an untouched notebook
    off = {"R": truth["true_R"] + 1, "moonlighters": right["moonlighters"][:1]}
    points, details = problem3.score_problem3(off, folder)
    assert details["missed"] and 1 < points < 6


def test_the_reference_analysis_scores_a_terms_main_table_full_marks(terms):
    folder, _ = terms[SEEDS[0]]
    answer, fit, _ = problem3.reference_answer(folder / problem3.MAIN)
    assert fit.converged and problem3.score_problem3(answer, folder)[0] == 6


def submission(kind):
    """Notebook 06 as a student hands it in: complete, partly wrong, untouched or raising."""
    if kind == "untouched":
        return nbformat.read(ROOT / "student" / "06_provided_data.ipynb", as_version=4)
    nb = nbformat.read(ROOT / "notebooks" / "06_provided_data.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if student_version.TABLES_TAG in cell.metadata.get("tags", []):
            cell.source = student_version.PROBLEM3_SOURCE
        if kind == "partly wrong" and cell.source.startswith("def my_assign("):
            cell.source = "def my_assign(W, threshold):\n    return W >= threshold\n"   # W itself, not shares
        if kind == "partly wrong" and cell.source.startswith("def final_fit("):
            cell.source = cell.source.replace("THRESHOLD = 0.1", "THRESHOLD = 0.45")
    if kind == "raises":
        nb.cells.insert(1, nbformat.v4.new_code_cell("raise RuntimeError('my kernel broke')"))
        nb.cells = nb.cells[:3] + [c for c in nb.cells[3:] if c.cell_type == "markdown"]
    return nb


def test_make_grade_writes_one_row_per_submission_and_goes_past_a_broken_one(tmp_path, terms):
    folder, _ = terms[SEEDS[0]]
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for student, kind in (("ada", "complete"), ("ben", "partly wrong"), ("cy", "raises"), ("dee", "untouched")):
        nbformat.write(submission(kind), submissions / f"{student}.ipynb")
    (submissions / "eve.ipynb").write_text("not a notebook", encoding="utf-8")
    out = tmp_path / "grades.csv"
    result = subprocess.run([sys.executable, str(ROOT / "instructor" / "problem3.py"), "grade",
                             str(submissions), str(folder), str(out)], capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {row["student"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert list(rows) == ["ada", "ben", "cy", "dee", "eve"]
    assert rows["ada"]["self_checks_passed"] == "4/4" and not rows["ada"]["errors"]
    assert float(rows["ada"]["problem3_score"]) >= 6
    assert 0 < float(rows["ben"]["problem3_score"]) < float(rows["ada"]["problem3_score"])
    assert rows["ben"]["self_checks_passed"] == "2/4" and "check_assign" in rows["ben"]["errors"]
    assert rows["cy"]["problem3_score"] == "0" and "my kernel broke" in rows["cy"]["errors"]
    assert rows["dee"]["problem3_score"] == "0" and rows["dee"]["self_checks_passed"] == "0/4"
    assert rows["eve"]["problem3_score"] == "0" and rows["eve"]["errors"]
