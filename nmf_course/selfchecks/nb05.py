"""Self-checks for Notebooks 05 and 06, reading W."""

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
        hint = " (a gene with no weight should stay all zero, not NaN)" if np.isnan(mine).any() else ""
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
    passed(check, f"you found the {len(expected)} moonlighting genes {expected.tolist()}")
