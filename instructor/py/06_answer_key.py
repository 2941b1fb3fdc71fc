# %% [markdown] slideshow={"slide_type": "slide"}
# # Instructor: notebook 06 against the answer key
#
# **For instructors and graders only.** This notebook is not copied to `student/`. It reads
# `answer_key.json` (in this folder, written by `data/make_data.py` together with the tables)
# and compares two things with the truth behind the provided tables:
#
# 1. the reference analysis of [notebook 06](../notebooks/06_provided_data.ipynb) (its solutions:
#    the held-out 2 SE rule for R, threshold 0.1), module by module and gene by gene;
# 2. any student's answers to Problem 3, with `score_problem3` (section 3).
#
# Run it from this folder (`instructor/`); the tables are found with `paths.data_file`.

# %% slideshow={"slide_type": "-"}
import json
from pathlib import Path

import numpy as np

import nmf_helpers as nh
from nmf_course import counts_io, paths

SEED = 2019          # the settings of notebook 06
THRESHOLD = 0.1
TABLES = ("atlas_counts.txt", "atlas_counts_hard.txt")
KEY = Path("answer_key.json")   # beside this notebook
answer_key = json.loads(KEY.read_text(encoding="utf-8"))
for table in TABLES:
    truth = answer_key[table]
    sizes = ", ".join(f"{name} {size}" for name, size in truth["module_sizes"].items())
    print(f"{table}: true R = {truth['true_R']} ({sizes}); {len(truth['moonlighters'])} moonlighters")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The reference analysis, repeated
#
# The same scan as notebook 06 (R = 1 to 8, 3 restarts, 10% held out, seed 2019), R by the
# held-out 2 SE rule (the solution of `my_choose_R`), then a fit of that R with 10 restarts.

# %% slideshow={"slide_type": "-"}
reference = {}
for table in TABLES:
    genes, V = counts_io.load_counts(paths.data_file(table))
    scan = nh.rank_scan(V, range(1, 9), n_restarts=3, seed=SEED, holdout=0.1)
    R = nh.heldout_se_rule(V, scan)
    fit = nh.nmf(V, R, n_restarts=10, seed=SEED)
    reference[table] = {"genes": genes, "R": R, "fit": fit}
    print(f"{table}: R = {R} (AIC {int(scan.ranks[np.argmin(scan.aic)])}, BIC {scan.best_rank}); "
          f"moonlighters at {THRESHOLD}: {', '.join(genes[i] for i in nh.find_moonlighters(fit.W, THRESHOLD))}")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Module by module against the truth
#
# The fitted modules are lined up with the true ones (`nh.match_modules`, with the true
# membership as the reference); then memberships and moonlighters are compared gene by gene,
# and the *borderline* genes (second share between 0.02 and the threshold) are named.

# %% slideshow={"slide_type": "-"}
def borderline(genes, shares, threshold=0.1, low=0.02):
    """Genes whose second-largest share is between low and the threshold: maybe moonlighters."""
    second = np.sort(shares, axis=1)[:, -2]
    return [(genes[i], second[i]) for i in np.flatnonzero((second >= low) & (second < threshold))]


def compare_with_key(truth, genes, fit, threshold=0.1):
    """Print true R, module-by-module agreement and moonlighters; return the numbers compared."""
    true_names = list(truth["modules"])
    true_members = np.array([[g in truth["modules"][name] for name in true_names] for g in genes])
    fitted_members = nh.assign_modules(fit.W, threshold)
    print(f"true R = {truth['true_R']}, chosen R = {fit.W.shape[1]}")
    if fit.W.shape[1] < truth["true_R"]:
        print("fewer fitted modules than true ones: no one-to-one comparison")
        return None
    perm = nh.match_modules(true_members.astype(float), fit.W)
    print(f"{'true module':<14}{'fitted':>7}{'true genes':>11}{'fitted genes':>13}{'agree':>7}  differences")
    n_wrong = 0
    for t, name in enumerate(true_names):
        mine, real = fitted_members[:, perm[t]], true_members[:, t]
        missed = [genes[i] for i in np.flatnonzero(real & ~mine)]
        extra = [genes[i] for i in np.flatnonzero(mine & ~real)]
        n_wrong += len(missed) + len(extra)
        notes = ("missed " + ", ".join(missed) + " " if missed else "") + ("extra " + ", ".join(extra) if extra else "")
        print(f"{name:<14}{perm[t] + 1:>7}{real.sum():>11}{mine.sum():>13}{(mine & real).sum():>7}  {notes}")
    true_moon = {m["gene"]: m["shares"] for m in truth["moonlighters"]}
    found = {genes[i] for i in nh.find_moonlighters(fit.W, threshold)}
    print(f"moonlighters: {len(true_moon)} true, {len(found)} found, {len(found & set(true_moon))} in common")
    for gene in sorted(set(true_moon) - found):
        print(f"  missed {gene} (true shares {true_moon[gene][0]:.3f} and {true_moon[gene][1]:.3f})")
    for gene in sorted(found - set(true_moon)):
        print(f"  false call {gene}")
    for gene, share in borderline(genes, nh.row_normalize(fit.W), threshold):
        verdict = "a true moonlighter" if gene in true_moon else "not a moonlighter (noise)"
        print(f"  borderline {gene} (fitted second share {share:.3f}): {verdict}")
    return {"R_ok": fit.W.shape[1] == truth["true_R"], "membership_errors": n_wrong,
            "missed": sorted(set(true_moon) - found), "false": sorted(found - set(true_moon))}


results = {}
for table in TABLES:
    print(table.upper())
    ref = reference[table]
    results[table] = compare_with_key(answer_key[table], ref["genes"], ref["fit"], THRESHOLD)
    print()

# %% slideshow={"slide_type": "-"}
for table, result in results.items():
    print(f"{table}: true R recovered: {result['R_ok']}; membership errors: {result['membership_errors']}; "
          f"moonlighters missed: {', '.join(result['missed']) or 'none'}; "
          f"false calls: {', '.join(result['false']) or 'none'}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# How the reference analysis did, in words (the numbers are above): on the provided table the
# data alone give the true R and every moonlighter, because the main table's moonlighters were
# generated with clear shares in both modules (between about a third and two thirds) at 100,000
# counts per sample. On the harder table a moonlighter whose true second share lies just under
# the threshold can be missed; it then appears among the borderline genes, next to genes that
# are not moonlighters, which is why notebook 06 asks students to report the borderline genes too.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Scoring a student's Problem 3
#
# `score_problem3(student_R, student_moonlighters, table)` compares a student's answers with the
# key: the R they chose (from `my_choose_R`, printed in section 6 of their notebook 06) and the
# names of the genes they call moonlighters (section 6, or their `my_moonlighter_names` at their
# threshold). It prints what is right and wrong and returns the numbers; the points are in
# `instructor/README.md`.

# %% slideshow={"slide_type": "-"}
def score_problem3(student_R, student_moonlighters, table="atlas_counts.txt", student_borderline=()):
    """Compare a student's R and moonlighter names (and optional borderline names) with the key."""
    truth = answer_key[table]
    true_R, true_moon = truth["true_R"], {m["gene"] for m in truth["moonlighters"]}
    named = set(student_moonlighters)
    unknown = sorted(named - {g for genes in truth["modules"].values() for g in genes})
    hits, missed, false = named & true_moon, sorted(true_moon - named), sorted(named - true_moon)
    caught_borderline = sorted(set(missed) & set(student_borderline))
    jaccard = len(hits) / len(named | true_moon) if named | true_moon else 1.0
    print(f"{table}: R {student_R} (true {true_R}): {'right' if student_R == true_R else 'wrong'}")
    print(f"  moonlighters: {len(hits)} of {len(true_moon)} found; missed: {', '.join(missed) or 'none'}; "
          f"false calls: {', '.join(false) or 'none'}; Jaccard {jaccard:.2f}")
    if unknown:
        print(f"  not genes of this table: {', '.join(unknown)}")
    if caught_borderline:
        print(f"  missed but listed as borderline: {', '.join(caught_borderline)}")
    return {"R_right": student_R == true_R, "R_off_by": abs(student_R - true_R), "found": len(hits),
            "missed": missed, "false": false, "jaccard": jaccard, "borderline_caught": caught_borderline}


# %% [markdown] slideshow={"slide_type": "subslide"}
# The reference answers, scored (a student who matches the reference analysis scores the same):

# %% slideshow={"slide_type": "-"}
for table in TABLES:
    ref = reference[table]
    named = [ref["genes"][i] for i in nh.find_moonlighters(ref["fit"].W, THRESHOLD)]
    near = [gene for gene, _ in borderline(ref["genes"], nh.row_normalize(ref["fit"].W), THRESHOLD)]
    _ = score_problem3(ref["R"], named, table, student_borderline=near)

# %% [markdown] slideshow={"slide_type": "subslide"}
# To grade a hand-in, copy a student's answers into the cell below (their R and the names
# their notebook printed) and run it; or call `score_problem3` in a cell of your own.

# %% slideshow={"slide_type": "-"}
# a made-up hand-in, to show the format: replace with a student's answers
student = {"atlas_counts.txt": (4, ["Mak1", "Ten2", "Bak9"])}
for table, (R_chosen, names) in student.items():
    _ = score_problem3(R_chosen, names, table)
