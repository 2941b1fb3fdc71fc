# %% [markdown] slideshow={"slide_type": "slide"}
# # Instructor: Problem 3 of a term, against its answer key
#
# **For instructors and graders only.** This notebook is not copied to `student/`. It reads the
# folder that `make problem3 SEED=<secret> OUT=<folder>` wrote (the term's two tables and
# `answer_key.json`; the key is never a file of the repository) and
#
# 1. repeats the reference analysis of [notebook 06](../notebooks/06_provided_data.ipynb) on the
#    term's tables (the solutions: the held-out 2 SE rule for R, 10 restarts, threshold 0.1);
# 2. compares it with the truth, module by module and gene by gene, with the borderline genes;
# 3. scores answers with `score_problem3` (in `instructor/problem3.py`, which also runs
#    `make grade SUBMISSIONS=... KEY=...` over a folder of hand-ins).
#
# Set `NMF_PROBLEM3_DIR` to the folder before starting JupyterLab (or edit `FOLDER` below). Without
# it, the notebook makes a **made-up term from the public seed 12** in a temporary folder: that is
# what its stored outputs show, never a real term's tables.

# %% slideshow={"slide_type": "-"}
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import nmf_helpers as nh
from nmf_course import paths

sys.path.insert(0, str(paths.COURSE_DIR / "instructor"))
from problem3 import HARD, MAIN, THRESHOLD, borderline, read_key, reference_answer, score_problem3  # noqa: E402

FOLDER = os.environ.get(paths.PROBLEM3_VARIABLE)
if not FOLDER:                       # a made-up term, for the stored outputs
    FOLDER = tempfile.mkdtemp(prefix="problem3-demo-")
    subprocess.run([sys.executable, str(paths.COURSE_DIR / "data" / "make_data.py"), "--problem3", "12", FOLDER],
                   check=True, capture_output=True)
    print("a made-up term (public seed 12); set NMF_PROBLEM3_DIR for a real one")
answer_key = read_key(FOLDER)
for table in (MAIN, HARD):
    truth = answer_key[table]
    sizes = ", ".join(f"{name} {size}" for name, size in truth["module_sizes"].items())
    print(f"{table}: true R = {truth['true_R']} ({sizes}); {len(truth['moonlighters'])} moonlighters")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The reference analysis
#
# Notebook 06's solution on each table (`reference_answer`): the scan of R = 1 to 8 (3 restarts,
# 10% held out, seed 2019), R by the held-out 2 SE rule, a fit of that R with 10 restarts, the
# moonlighters at threshold 0.1 and the borderline genes.

# %% slideshow={"slide_type": "-"}
reference = {}
for table in (MAIN, HARD):
    answer, fit, genes = reference_answer(Path(FOLDER) / table)
    reference[table] = {"answer": answer, "fit": fit, "genes": genes}
    print(f"{table}: R = {answer['R']} (converged: {fit.converged}); moonlighters at {THRESHOLD}: "
          f"{', '.join(answer['moonlighters']) or 'none'}; borderline: {', '.join(answer['borderline']) or 'none'}")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Module by module against the truth
#
# The fitted modules are lined up with the true ones (`nh.match_modules`, with the true
# membership as the reference); then memberships and moonlighters are compared gene by gene,
# and the *borderline* genes (second share between 0.02 and the threshold) are named.

# %% slideshow={"slide_type": "-"}
def compare_with_key(truth, genes, fit, threshold=THRESHOLD):
    """Print true R, module-by-module agreement and moonlighters."""
    true_names = list(truth["modules"])
    true_members = np.array([[g in truth["modules"][name] for name in true_names] for g in genes])
    fitted_members = nh.assign_modules(fit.W, threshold)
    print(f"true R = {truth['true_R']}, chosen R = {fit.W.shape[1]}")
    if fit.W.shape[1] < truth["true_R"]:
        print("fewer fitted modules than true ones: no one-to-one comparison")
        return
    perm = nh.match_modules(true_members.astype(float), fit.W)
    print(f"{'true module':<14}{'fitted':>7}{'true genes':>11}{'fitted genes':>13}{'agree':>7}  differences")
    for t, name in enumerate(true_names):
        mine, real = fitted_members[:, perm[t]], true_members[:, t]
        missed = [genes[i] for i in np.flatnonzero(real & ~mine)]
        extra = [genes[i] for i in np.flatnonzero(mine & ~real)]
        notes = ("missed " + ", ".join(missed) + " " if missed else "") + ("extra " + ", ".join(extra) if extra else "")
        print(f"{name:<14}{perm[t] + 1:>7}{real.sum():>11}{mine.sum():>13}{(mine & real).sum():>7}  {notes}")
    true_moon = {m["gene"]: m["shares"] for m in truth["moonlighters"]}
    for gene, share in borderline(genes, nh.row_normalize(fit.W), threshold):
        verdict = "a true moonlighter" if gene in true_moon else "not a moonlighter (noise)"
        print(f"  borderline {gene} (fitted second share {share:.3f}): {verdict}")


for table in (MAIN, HARD):
    print(table.upper())
    ref = reference[table]
    compare_with_key(answer_key[table], ref["genes"], ref["fit"])
    print()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Scoring Problem 3
#
# `score_problem3(answer, FOLDER, table)` compares an answer `{"R": ..., "moonlighters": [...],
# "borderline": [...]}` with the key: on the main table 3 points for R (1 if off by one) and 3 x the
# Jaccard index of the moonlighters, rounded to half points; on the harder table a bonus of 2 for R
# and 2 x Jaccard, a missed moonlighter named as borderline counting as found. The reasons and the
# modules are read by hand (`instructor/README.md`). The reference answers, scored:

# %% slideshow={"slide_type": "-"}
for table in (MAIN, HARD):
    _ = score_problem3(reference[table]["answer"], FOLDER, table)

# %% [markdown] slideshow={"slide_type": "subslide"}
# To score one hand-in by hand, copy the student's `problem3_answers` (printed at the end of their
# notebook 06) into the cell below; `make grade SUBMISSIONS=<folder> KEY=<FOLDER>` does this for a
# whole folder of notebooks and writes one CSV.

# %% slideshow={"slide_type": "-"}
# a made-up hand-in, to show the format: the right R, one moonlighter missed, one false call
truth = answer_key[MAIN]
student = {"R": truth["true_R"], "moonlighters": [m["gene"] for m in truth["moonlighters"]][1:] + ["Nogene1"]}
_ = score_problem3(student, FOLDER, MAIN)
