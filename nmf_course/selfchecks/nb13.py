"""Self-checks for Notebook 13, algorithms: the majorizer's minimum (one multiplicative step of
one entry), one HALS row update, Hoyer's sparseness."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh
from nmf_course import algorithms
from nmf_course.selfchecks.common import fail, passed, returned

__all__ = ["check_majorizer_minimum", "check_hals_row", "check_hoyer"]
REFERENCES = {"check_majorizer_minimum": ("mu_entry", "update_matmul", "update_loops",
                                          "update_broadcast"),
              "check_hals_row": ("hals_step",),
              "check_hoyer": ("hoyer_sparseness",)}


def _case(seed=1300, N=12, M=9, R=3):
    rng = np.random.default_rng(seed)
    V = nh.simulate(N, M, R, n_moonlighters=1, depth=(300, 600), seed=rng).V.astype(float)
    W, H = nh.random_start(rng, N, M, R, V)
    W *= rng.uniform(0.5, 2.0, size=R)         # columns that do not sum to 1: s = sum_i W_ia matters
    return V, W, H


def check_majorizer_minimum(fn):
    """Test fn(V, W, H, a, j) -> the value of H[a, j] after one multiplicative step of it alone."""
    check = "check_majorizer_minimum"
    V, W, H = _case()
    for a, j in [(0, 0), (2, 5), (1, 8)]:
        V_in, W_in, H_in = V.copy(), W.copy(), H.copy()
        mine = returned(fn(V_in, W_in, H_in, a, j), check)
        if not (np.array_equal(V_in, V) and np.array_equal(W_in, W) and np.array_equal(H_in, H)):
            fail(check, "your function changed V, W or H; compute the new value without writing it back")
        try:
            mine = float(np.asarray(mine).item())
        except (TypeError, ValueError):
            fail(check, f"return one number, the new H[{a}, {j}], not an array of shape "
                        f"{np.shape(mine)}")
        expected = algorithms.mu_entry(V, W, H, a, j)
        if np.isclose(mine, expected, rtol=1e-9):
            continue
        w, h0 = W[:, a], H[a, j]
        b = h0 * np.sum(w * V[:, j] / (W @ H[:, j]))
        if np.isclose(mine, b / h0 / w.sum(), rtol=1e-9):
            fail(check, f"for H[{a}, {j}] you returned the factor b / (h0 s) = {mine:.4g}; the new "
                        f"value is that factor times the current value h0 = H[a, j] ({expected:.4g})")
        if np.isclose(mine, b, rtol=1e-9):
            fail(check, f"for H[{a}, {j}] you returned b = {mine:.4g} without dividing by "
                        "s = sum_i W[i, a] (W's columns here do not sum to 1)")
        if np.isclose(mine, b / H[a].sum(), rtol=1e-9) or np.isclose(mine, b / W.sum(), rtol=1e-9):
            fail(check, f"for H[{a}, {j}] divide b by s = sum_i W[i, a], the sum of column a of W, "
                        f"not by another sum (expected {expected:.4g}, got {mine:.4g})")
        if np.isclose(mine, h0 * np.sum(w * V[:, j] / (W @ H)[:, j] ** 2) / w.sum(), rtol=1e-9):
            fail(check, "the ratio is V / (W H), not V / (W H)^2")
        fail(check, f"for H[{a}, {j}] the majorizer's minimum is {expected:.6g}, but you returned "
                    f"{mine:.6g}")
    passed(check, "your value is the minimum of Lee & Seung's majorizer: one multiplicative step")


def check_hals_row(fn):
    """Test fn(V, W, H, a) -> a copy of H with row a replaced by its HALS update."""
    check = "check_hals_row"
    V, W, H = _case(1301)
    H = H * np.random.default_rng(5).uniform(0.2, 3.0, size=H.shape)   # far from the optimum
    for a in range(H.shape[0]):
        V_in, W_in, H_in = V.copy(), W.copy(), H.copy()
        mine = np.asarray(returned(fn(V_in, W_in, H_in, a), check), dtype=float)
        if not (np.array_equal(V_in, V) and np.array_equal(W_in, W) and np.array_equal(H_in, H)):
            fail(check, "your function changed its input; update a copy of H (H = H.copy())")
        if mine.shape != H.shape:
            hint = " (did you return only row a?)" if mine.shape == H[a].shape else ""
            fail(check, f"return the whole of H, shape {H.shape}, with row {a} updated; got shape "
                        f"{mine.shape}{hint}")
        WtW = W.T @ W
        unclipped = H[a] + (W.T @ V - WtW @ H)[a] / WtW[a, a]
        expected = H.copy()
        expected[a] = np.maximum(unclipped, 0)
        if np.allclose(mine, expected, rtol=1e-9, atol=1e-9):
            continue
        others = np.delete(np.arange(H.shape[0]), a)
        if not np.allclose(mine[others], H[others]):
            fail(check, f"only row {a} may change; the other rows stay as they are")
        if (mine < 0).any():
            fail(check, f"row {a} has negative entries: clip at 0 (np.maximum(0, ...)), the "
                        "minimum over h >= 0")
        if np.allclose(mine[a], np.maximum(0, H[a] + (W.T @ V - WtW @ H)[a]), rtol=1e-9):
            fail(check, f"divide the step by (W^T W)[a, a] (here {WtW[a, a]:.4g}), the curvature of "
                        f"row {a}")
        fail(check, f"row {a} should be max(0, H[a] + ((W^T V)[a] - (W^T W)[a] @ H) / (W^T W)[a, a]) "
                    f"= {np.round(expected[a][:3], 4)}..., but you returned {np.round(mine[a][:3], 4)}...")
    passed(check, "each row's HALS update is its exact non-negative least-squares minimum")


def check_hoyer(fn):
    """Test fn(x) -> Hoyer's sparseness of the 1-D array x."""
    check = "check_hoyer"
    cases = [np.ones(6), np.array([0.0, 0, 5, 0]), np.array([3.0, 1, 0, 0, 1, 2, 0, 0]),
             np.random.default_rng(7).exponential(size=20)]
    for x in cases:
        x_in = x.copy()
        mine = returned(fn(x_in), check)
        if not np.array_equal(x_in, x):
            fail(check, "your function changed x")
        try:
            mine = float(np.asarray(mine).item())
        except (TypeError, ValueError):
            fail(check, f"return one number, got an array of shape {np.shape(mine)}")
        expected = float(algorithms.hoyer_sparseness(x))
        if np.isclose(mine, expected, atol=1e-9):
            continue
        n, l1, l2 = len(x), np.abs(x).sum(), np.sqrt(np.sum(x**2))
        if np.isclose(mine, (np.sqrt(n) - l2 / l1) / (np.sqrt(n) - 1), atol=1e-9):
            fail(check, "the ratio is ||x||_1 / ||x||_2 (the L1 norm on top), not the other way round")
        if np.isclose(mine, np.sqrt(n) - l1 / l2, atol=1e-9):
            fail(check, "divide by sqrt(n) - 1, so that the sparseness runs from 0 to 1")
        if np.isclose(mine, (np.sqrt(n) - l1 / np.sum(x**2)) / (np.sqrt(n) - 1), atol=1e-9):
            fail(check, "||x||_2 is the square root of the sum of squares")
        fail(check, f"for x = {np.round(x, 3)} Hoyer's sparseness is {expected:.4f}, but you "
                    f"returned {mine:.4f}")
    passed(check, "0 for equal entries, 1 for a single non-zero entry, and in between")
