"""Self-checks for Notebook 05, reading W."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course.selfchecks.common import fail, passed, returned, first_mismatch

__all__ = ["check_row_normalize", "check_moonlighters"]


def check_row_normalize(fn):
    """Test fn(W) -> W with rows summing to 1 (zero rows stay zero)."""
    check = "check_row_normalize"
    W = np.array([[2.0, 2.0, 0.0], [0.0, 0.0, 0.0], [1.0, 3.0, 4.0]])
    mine = np.asarray(returned(fn(W.copy()), check), dtype=float)
    problem = first_mismatch(mine, nh.row_normalize(W))
    if problem:
        columns = W / np.where(W.sum(axis=0) > 0, W.sum(axis=0), 1.0)
        hint = ""
        if np.isnan(mine).any():
            hint = " (a gene with no weight should stay all zero, not NaN)"
        elif mine.shape == W.shape and np.allclose(mine, columns):
            hint = " (you normalised the columns, axis=0; each gene's row should sum to 1: axis=1)"
        fail(check, f"your row-normalised W {problem}{hint}")
    passed(check, "each row sums to 1 and the all-zero row stays zero")


def check_moonlighters(fn, threshold=0.1):
    """Test fn(W, threshold) -> indices of genes in two or more modules."""
    check = "check_moonlighters"
    sim = nh.simulate(40, 10, 3, n_moonlighters=4, seed=3)
    result = np.asarray(returned(fn(sim.W.copy(), threshold), check))
    if result.dtype == bool:
        fail(check, "your function returned a True/False mask; return the indices of the "
                     "moonlighting genes instead (np.flatnonzero(mask) turns one into the other)")
    mine = np.sort(result.astype(int).ravel())
    expected = nh.find_moonlighters(sim.W, threshold)
    if not np.array_equal(mine, expected):
        missing = sorted(set(expected.tolist()) - set(mine.tolist()))
        extra = sorted(set(mine.tolist()) - set(expected.tolist()))
        fail(check, f"on the true W of a simulation you missed genes {missing} and "
                     f"wrongly included {extra}")
    passed(check, f"on the check's own test W ({sim.W.shape[0]} simulated genes, not your data) you "
                  f"found its {len(expected)} moonlighting genes {expected.tolist()}")


REFERENCES = {"check_read_shares": ()}
__all__ += ["check_read_shares"]


def check_read_shares(fn):
    """Test fn(W, H) -> each gene's share of its reads per module: W diag(sum_mu H) row-normalised."""
    check = "check_read_shares"
    W = np.array([[0.5, 0.1, 0.0], [0.0, 0.0, 0.0], [0.3, 0.1, 0.5], [0.2, 0.8, 0.5]])
    H = np.array([[100.0, 300.0], [5.0, 15.0], [40.0, 0.0]])   # module totals 400, 20, 40
    mine = np.asarray(returned(fn(W.copy(), H.copy()), check), dtype=float)
    expected = nh.row_normalize(W * H.sum(axis=1))
    if mine.shape != expected.shape:
        fail(check, f"your shares have shape {mine.shape}; they should be genes x modules, {expected.shape}")
    if np.isnan(mine).any():
        fail(check, "your shares contain NaN: a gene with no weight (row 2 here) should stay all zero")
    problem = first_mismatch(mine, expected)
    if problem:
        hints = [(nh.row_normalize(W), "that is row_normalize(W): multiply each column of W by its "
                                       "module's total H[a, :].sum() first"),
                 (W * H.sum(axis=1), "the totals are right, but divide each row by its sum"),
                 (nh.row_normalize(W / H.sum(axis=1)), "multiply by the module totals, do not divide")]
        hint = next((text for ref, text in hints if ref.shape == mine.shape and np.allclose(mine, ref)), "")
        fail(check, f"your shares {problem}" + (f" ({hint})" if hint else ""))
    passed(check, "each gene's reads split over the modules, weighted by the modules' totals")
