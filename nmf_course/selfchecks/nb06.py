"""Self-checks for Notebook 06, the provided data set (Problem 3 of the homework).

These checks test form and consistency, never the answer: a chosen R must be one that the
student's own rank scan supports under some criterion, and assignments and moonlighter
names must follow from the student's own fitted W's. They never read the answer key."""

from __future__ import annotations

import functools

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course import consensus
from nmf_course.selfchecks.common import fail, passed, returned

__all__ = ["check_choose_R", "check_assign", "check_moonlighter_names"]

REFERENCES = {
    "check_choose_R": (),
    "check_assign": ("assign_modules", "find_moonlighters"),
    "check_moonlighter_names": ("find_moonlighters",),
}


def criteria_picks(V, scan, cophenetic=None):
    """{criterion: R} for the criteria notebook 06 defines that a rank scan (and optionally a
    cophenetic correlation per R, a dict {R: value}) can support: AIC, BIC, the best held-out
    log-likelihood, the held-out 2 SE rule and Brunet's consensus rule."""
    ranks = [int(R) for R in scan.ranks]
    picks = {"AIC (lowest)": ranks[int(np.argmin(scan.aic))],
             "BIC (lowest)": ranks[int(np.argmin(scan.bic))]}
    if scan.heldout_log_likelihood is not None:
        picks["held-out (best)"] = ranks[int(np.argmax(scan.heldout_log_likelihood))]
        if V is not None:
            picks["held-out (2 SE rule)"] = nh.heldout_se_rule(V, scan, 2.0)
    if cophenetic:
        picks["consensus (Brunet's rule)"] = consensus.brunet_rank(cophenetic)
    return picks


@functools.lru_cache(maxsize=1)
def _simulated_scan():
    """A small simulated table with 3 modules whose scan points every criterion at R = 3."""
    sim = nh.simulate(60, 24, 3, n_moonlighters=0, depth=(20_000, 30_000), seed=606)
    scan = nh.rank_scan(sim.V, range(1, 6), n_restarts=1, seed=6, holdout=0.1)
    return sim.V, scan


def check_choose_R(fn, V, scan, cophenetic=None):
    """Test fn(V, scan) -> an R: an int among scan.ranks that some criterion of this scan picks,
    and on a simulated scan where every criterion picks R = 3, 3 (so it reads the scan).
    Returns the student's R when the check passes (so a notebook can go on with it)."""
    check = "check_choose_R"
    result = returned(fn(V, scan), check)
    if isinstance(result, (bool, np.bool_)) or not isinstance(result, (int, np.integer)):
        fail(check, f"your function should return one whole number R (an int), but it returned "
                    f"{type(result).__name__} {result!r}")
    ranks = [int(R) for R in scan.ranks]
    if int(result) not in ranks:
        fail(check, f"R = {int(result)} is not one of the ranks your scan fitted ({ranks[0]} to {ranks[-1]})")
    picks = criteria_picks(V, scan, cophenetic)
    if int(result) not in picks.values():
        listed = "; ".join(f"{name}: {R}" for name, R in picks.items())
        fail(check, f"no criterion of your scan picks R = {int(result)} ({listed}): choose by a "
                    "criterion you can state, and return its R")
    V_sim, scan_sim = _simulated_scan()
    other = returned(fn(V_sim, scan_sim), check)
    if not isinstance(other, (int, np.integer)) or int(other) != 3:
        fail(check, f"on a simulated scan where every criterion points to R = 3, your function returned "
                    f"{other!r}: read the choice from the scan it is given, do not return a fixed number (and do not read "
                    "a global such as `cophenetic`, which belongs to the notebook's own table: compute what you need "
                    "from the V and scan your function gets)")
    agreeing = sorted(name for name, R in picks.items() if R == int(result))
    passed(check, f"an R among your scan's ranks, picked by {', '.join(agreeing)}; "
                  "and R = 3 on a simulated scan")
    return int(result)


def _fits_to_test(scan):
    """W's to test on: every fit of the student's scan and a W with a gene of zeros and a tie."""
    Ws = [np.asarray(fit.W, dtype=float) for fit in scan.fits]
    edge = np.array([[0.6, 0.4, 0.0], [0.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.25, 0.25, 0.5]])
    return Ws + [edge]


def check_assign(fn, scan, threshold=0.1):
    """Test fn(W, threshold) -> N x R bool membership (row-normalised W >= threshold) on every
    W of the student's scan and on a small edge case (a zero row, a share exactly at the threshold)."""
    check = "check_assign"
    for k, W in enumerate(_fits_to_test(scan)):
        t = 0.1 if k == len(scan.fits) else threshold
        result = np.asarray(returned(fn(W.copy(), t), check))
        expected = nh.assign_modules(W, t)
        what = f"the fitted W of R = {scan.ranks[k]}" if k < len(scan.fits) else "a small test W"
        if result.shape != expected.shape:
            extra = " (return a genes x modules True/False table, not indices)" if result.ndim == 1 else ""
            fail(check, f"on {what} your table has shape {result.shape}, expected {expected.shape}{extra}")
        if result.dtype != bool and not np.isin(result, (0, 1)).all():
            fail(check, f"on {what} your table holds numbers other than True/False: compare the shares "
                        "with the threshold (shares >= threshold)")
        result = result.astype(bool)
        if not np.array_equal(result, expected):
            i, a = (int(x) for x in np.argwhere(result != expected)[0])
            share = nh.row_normalize(W)[i, a]
            hint = ""
            if np.array_equal(result, W >= t):
                hint = " (you compared W itself; compare the row-normalised shares)"
            elif np.array_equal(result, nh.row_normalize(W) > t):
                hint = " (a share exactly at the threshold counts: use >=)"
            fail(check, f"on {what}, gene {i}, module {a}: share {share:.3f}, threshold {t}: you said "
                        f"{bool(result[i, a])}{hint}")
    passed(check, f"your assignments follow from the row-normalised W on all {len(scan.fits)} fits "
                  "of your scan and a small edge case")


def check_moonlighter_names(fn, scan, gene_names, threshold=0.1):
    """Test fn(W, gene_names, threshold) -> the names of the genes in two or more modules, on
    every W of the student's scan: names that exist in the table, consistent with that W."""
    check = "check_moonlighter_names"
    names = list(gene_names)
    for k, fit in enumerate(scan.fits):
        W = np.asarray(fit.W, dtype=float)
        result = returned(fn(W.copy(), list(names), threshold), check)
        try:
            mine = list(result)
        except TypeError:
            fail(check, f"your function should return a list of gene names, got {type(result).__name__}")
        if any(not isinstance(x, str) for x in mine):
            bad = next(x for x in mine if not isinstance(x, str))
            fail(check, f"your list holds {bad!r} ({type(bad).__name__}); return gene names, "
                        "e.g. gene_names[i] for each index i")
        unknown = sorted(set(mine) - set(names))
        if unknown:
            fail(check, f"{', '.join(unknown[:3])} is not a gene of this table")
        if len(set(mine)) != len(mine):
            fail(check, "a name appears twice in your list")
        expected = {names[i] for i in nh.find_moonlighters(W, threshold)}
        if set(mine) != expected:
            shares = nh.row_normalize(W)
            missing, extra = sorted(expected - set(mine)), sorted(set(mine) - expected)
            gene = (missing or extra)[0]
            n = int((shares[names.index(gene)] >= threshold).sum())
            fail(check, f"on the fitted W of R = {scan.ranks[k]} at threshold {threshold}: "
                        + (f"you left out {gene}, which has a share >= {threshold} in {n} modules"
                           if missing else
                           f"you named {gene}, which has a share >= {threshold} in only {n} module(s)"))
    passed(check, f"your names exist in the table and follow from the W of each of the "
                  f"{len(scan.fits)} fits of your scan")
