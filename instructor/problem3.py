"""Problem 3 for graders: the reference analysis, the score of one answer, and the batch run.

    python instructor/problem3.py grade SUBMISSIONS KEYDIR [CSV]   # what `make grade` runs on a folder

KEYDIR is the folder `make problem3 SEED=... OUT=KEYDIR` wrote: the term's two tables and
answer_key.json. Nothing here is copied to student/; the key is read from KEYDIR, never from
the repository. instructor/06_answer_key.ipynb shows the same functions at work.
"""

import csv
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
import numpy as np

import nmf_helpers as nh
from nmf_course import counts_io, grading, paths

SEED, THRESHOLD = 2019, 0.1           # notebook 06's settings
MAIN, HARD = paths.PROBLEM3_FILES      # the term's tables, as make problem3 names them
KEY = "answer_key.json"
# the student's answers, as notebook 06's last code cell leaves them (read by the batch run)
READ_ANSWERS = ('import json\nprint("PROBLEM3_ANSWERS " + json.dumps(problem3_answers))')


def borderline(genes, shares, threshold=THRESHOLD, low=0.02):
    """Genes whose second-largest share is between low and the threshold: maybe moonlighters."""
    second = np.sort(shares, axis=1)[:, -2]
    return [(genes[i], float(second[i])) for i in np.flatnonzero((second >= low) & (second < threshold))]


def reference_answer(path, seed=SEED, threshold=THRESHOLD):
    """Notebook 06's solution on one table: R by the held-out 2 SE rule, a 10-restart fit,
    the moonlighters at the threshold and the borderline genes. Returns (answer, fit, genes)."""
    genes, V = counts_io.load_counts(path)
    scan = nh.rank_scan(V, range(1, 9), n_restarts=3, seed=seed, holdout=0.1)
    R = nh.heldout_se_rule(V, scan)
    fit = nh.nmf(V, R, n_restarts=10, seed=seed)
    answer = {"R": R, "moonlighters": [genes[i] for i in nh.find_moonlighters(fit.W, threshold)],
              "borderline": [g for g, _ in borderline(genes, nh.row_normalize(fit.W), threshold)]}
    return answer, fit, genes


def read_key(keydir):
    """The answer key make problem3 wrote into keydir."""
    path = Path(keydir) / KEY
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: give the folder `make problem3 SEED=... OUT=...` wrote")
    return json.loads(path.read_text(encoding="utf-8"))


def score_problem3(answer, keydir, table=MAIN, show=True):
    """Points for one table's answer {"R": int, "moonlighters": [names], "borderline": [names]}.

    The main table: R 3 (1 if off by one), moonlighters 3 x Jaccard index, rounded to half points
    (6 in all; the reasons and the modules are read by hand, instructor/README.md). The harder
    table, a bonus: R 2, moonlighters 2 x Jaccard, a missed moonlighter named as borderline
    counting as found. Returns (points, details)."""
    truth = read_key(keydir)[table]
    true_R, true_moon = truth["true_R"], {m["gene"] for m in truth["moonlighters"]}
    R, named = answer.get("R"), set(answer.get("moonlighters") or ())
    caught = (true_moon - named) & set(answer.get("borderline") or ()) if table == HARD else set()
    hits = (named & true_moon) | caught
    jaccard = len(hits) / len(named | true_moon) if named | true_moon else 1.0
    hard = table == HARD
    r_points = (2 if R == true_R else 0) if hard else (3 if R == true_R else 1 if R is not None and abs(R - true_R) == 1 else 0)
    points = r_points + round(2 * (2 if hard else 3) * jaccard) / 2 if R is not None else 0.0
    details = {"R": R, "true_R": true_R, "found": sorted(hits), "missed": sorted(true_moon - hits),
               "false": sorted(named - true_moon), "jaccard": jaccard, "points": points}
    if show:
        print(f"{table}: R {R} (true {true_R}); moonlighters found {len(hits)} of {len(true_moon)}, "
              f"missed {', '.join(details['missed']) or 'none'}, false calls {', '.join(details['false']) or 'none'}; "
              f"Jaccard {jaccard:.2f}; {points:g} points")
    return points, details


def run_submission(notebook, keydir, timeout=300):
    """Re-run one submitted notebook 06 on the term's tables (keydir); return
    (self-checks passed, their number, the answers it left or None, errors)."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(READ_ANSWERS))
    os.environ[paths.PROBLEM3_VARIABLE] = str(Path(keydir).resolve())
    with tempfile.TemporaryDirectory(prefix="problem3-") as tmp:
        copy = Path(tmp) / Path(notebook).name
        nbformat.write(nb, copy)
        records, stopped = grading.run_notebook(copy, timeout)
    checks = [r for r in records if grading._is_self_check(r["cell"])]
    passed = sum(not grading._error_of(r["outputs"]) and "PASSED" in grading._text_of(r["outputs"]) for r in checks)
    errors = [f"code cell {r['number'] + 1}: {r['message'].splitlines()[0]}" for r in records
              if grading._error_of(r["outputs"]) and r["cell"].source != READ_ANSWERS]
    answers = None
    for line in grading._text_of(records[-1]["outputs"]).splitlines() if records else []:
        if line.startswith("PROBLEM3_ANSWERS "):
            answers = json.loads(line.split(" ", 1)[1])
    if stopped:
        errors.append(stopped)
    return passed, len(checks), answers, errors


def grade_folder(submissions, keydir, out_csv, timeout=300):
    """One row per notebook in `submissions` (the student is the file's name without .ipynb):
    student, self-checks passed, Problem 3 score, errors. A broken submission gets its error
    and 0, and the run goes on."""
    notebooks = sorted(Path(submissions).glob("*.ipynb"))
    read_key(keydir)                                  # fail early on a wrong folder
    with open(out_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "self_checks_passed", "problem3_score", "errors"])
        for notebook in notebooks:
            try:
                passed, n_checks, answers, errors = run_submission(notebook, keydir, timeout)
                score = 0.0
                if answers is None:
                    errors.append("no answers: the notebook did not reach its last cell (problem3_answers)")
                else:
                    score = sum(score_problem3(answers.get(part) or {}, keydir, table, show=False)[0]
                                for part, table in (("main", MAIN), ("hard", HARD)))
                row = [notebook.stem, f"{passed}/{n_checks}", f"{score:g}", "; ".join(errors)]
            except Exception as error:                 # an unreadable file: note it and go on
                row = [notebook.stem, "0/0", "0", f"{type(error).__name__}: {error}"]
            writer.writerow(row)
            print(", ".join(row[:3]) + (f" ({row[3]})" if row[3] else ""))
    print(f"wrote {out_csv}: {len(notebooks)} submissions")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5) or sys.argv[1] != "grade":
        sys.exit("usage: python instructor/problem3.py grade SUBMISSIONS KEYDIR [CSV]")
    grade_folder(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else "problem3_grades.csv")
