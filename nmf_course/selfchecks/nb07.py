"""Self-checks for Notebook 07, time series: the scaling ambiguity and the always-on factory."""

from __future__ import annotations

import numpy as np

from nmf_course import compare
from nmf_course.selfchecks.common import as_pair, fail, first_mismatch, passed, returned

__all__ = ["check_rescale", "check_always_on"]

REFERENCES = {"check_rescale": ("rescale",), "check_always_on": ()}


def _small_factors():
    rng = np.random.default_rng(7)
    W = rng.uniform(0.1, 1.0, size=(6, 3))
    H = rng.uniform(0.5, 5.0, size=(3, 8))
    return W, H, np.array([2.0, 0.5, 4.0])


def check_rescale(fn):
    """Test fn(W, H, s) -> (W s, H / s): column a of W times s[a], row a of H divided by s[a]."""
    check = "check_rescale"
    W, H, s = _small_factors()
    W_s, H_s = as_pair(returned(fn(W.copy(), H.copy(), s.copy()), check), check)
    W_ref, H_ref = compare.rescale(W, H, s)
    if W_s.shape != W.shape or H_s.shape != H.shape:
        fail(check, f"W s should keep W's shape {W.shape} and H / s H's shape {H.shape}, "
                    f"but yours have shapes {W_s.shape} and {H_s.shape}")
    if np.allclose(W_s, W / s) and np.allclose(H_s, H * s[:, np.newaxis]):
        fail(check, "you divided W's columns by s and multiplied H's rows by it: the other way round "
                    "(W H is unchanged either way, but W s means W's column a times s[a])")
    if not np.allclose(W_s @ H_s, W @ H, rtol=1e-9):
        fail(check, "(W s)(H / s) should equal W H, but it does not")
    problem = first_mismatch(W_s, W_ref)
    if problem:
        fail(check, f"W s {problem}: column a of W should be multiplied by s[a]")
    problem = first_mismatch(H_s, H_ref)
    if problem:
        fail(check, f"H / s {problem}: row a of H should be divided by s[a]")
    passed(check, "W's columns are scaled by s, H's rows by 1 / s, and W H is unchanged")


def _reference_always_on(H, threshold):
    return (np.asarray(H) > threshold).all(axis=1)


def check_always_on(fn, threshold=0.5):
    """Test fn(H, threshold) -> one True/False per row of H: on (above threshold) on every day."""
    check = "check_always_on"
    H = np.array([[1.1, 0.9, 1.0, 1.2, 0.95, 1.05],    # on every day
                  [1.0, 0.0, 1.1, 0.0, 0.9, 0.0],      # on some days
                  [0.0, 0.02, 0.0, 0.01, 0.0, 0.03],   # never on
                  [0.8, 0.7, 0.9, 0.6, 0.55, 0.4]])    # on every day but the last
    result = np.asarray(returned(fn(H.copy(), threshold), check))
    expected = _reference_always_on(H, threshold)
    if result.shape == (H.shape[1],):
        fail(check, f"your function returned {result.size} values, one per day (column of H); "
                    f"return one per factor (row of H): {H.shape[0]} values")
    if result.shape != expected.shape:
        fail(check, f"your function should return one True/False per row of H, shape {expected.shape}, "
                    f"but returned shape {result.shape}")
    result = result.astype(bool)
    if np.array_equal(result, (H > threshold).any(axis=1)):
        fail(check, "your function says a factor is always on when it is on on *some* day: "
                    "it must be on on every day (.all, not .any)")
    if not np.array_equal(result, expected):
        wrong = int(np.flatnonzero(result != expected)[0])
        fail(check, f"row {wrong} of the test H (values {H[wrong].tolist()}) should give "
                    f"{bool(expected[wrong])} with threshold {threshold}, yours gives {bool(result[wrong])}")
    passed(check, f"of the {H.shape[0]} test factors you found the always-on one(s): "
                  f"rows {np.flatnonzero(expected).tolist()}")
