"""Self-checks for Notebook 03, update rules with broadcasting."""

from __future__ import annotations

import numbers

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course.selfchecks.common import call_on_copies, fail, first_mismatch, passed, returned, small_problems

__all__ = ["check_h_step", "check_intermediate_bytes"]

REFERENCES = {"check_h_step": ("update_loops", "update_broadcast", "update_matmul"),
              "check_intermediate_bytes": ()}


def check_h_step(fn):
    """Test the H half-step fn(V, W, H) -> H * (W^T Q), Q = V / (W H), on small cases
    (W's columns sum to 1; the last case has a gene with W H = 0 and a sample with no counts)."""
    check = "check_h_step"
    for k, (V, W, H) in enumerate(small_problems(), start=1):
        H_new = np.asarray(returned(call_on_copies(fn, check, V, W, H), check), dtype=float)
        if H_new.shape != H.shape:
            hint = ""
            if H_new.shape == V.shape:
                hint = " (you summed over the module axis a; the shared index of the H update is i, axis 0)"
            elif H_new.ndim == 3:
                hint = " (sum the 3-D product over the shared axis i)"
            fail(check, f"on test case {k} the new H should have H's shape {H.shape}, got {H_new.shape}{hint}")
        if np.isnan(H_new).any():
            fail(check, f"on test case {k} your H has NaN entries (test case 4 has a gene with W H = 0: "
                        "take V / (W H) as 0 there)")
        if (H_new < 0).any():
            fail(check, f"on test case {k} your H has negative entries")
        Q = nh.ratio(V, W @ H)
        reference = H * (W.T @ Q)
        if np.allclose(H_new, W.T @ Q, rtol=1e-6) and not np.allclose(H_new, reference, rtol=1e-6):
            fail(check, f"on test case {k} you return sum_i W[i, a] Q[i, mu] alone: multiply it by H")
        problem = first_mismatch(H_new, reference)
        if problem:
            fail(check, f"on test case {k} your H {problem}")
    passed(check, "your H half-step matches H * (W^T Q) on 4 test cases, zero counts included")


def check_intermediate_bytes(fn):
    """Test fn(N, R, M, itemsize=8) -> bytes of an N x R x M array, against NumPy's nbytes."""
    check = "check_intermediate_bytes"
    cases = [(4, 3, 5, 8), (100, 4, 60, 8), (100, 4, 60, 4), (20_000, 20, 1_000, 8)]
    for N, R, M, itemsize in cases:
        value = returned(fn(N, R, M, itemsize=itemsize), check)
        expected = N * R * M * itemsize
        if not isinstance(value, (numbers.Number, np.number)) or isinstance(value, bool):
            fail(check, f"your function should return a number of bytes, got {value!r}")
        if value == expected:
            continue
        where = f"for N, R, M = {N:,}, {R}, {M:,} and itemsize {itemsize}"
        if value == N * R * M:
            why = f"that is the number of entries: each takes itemsize = {itemsize} bytes"
        elif value == N * M * itemsize:
            why = "that is V's size (N x M); the intermediate has R times as many entries"
        elif value == 8 * expected:
            why = "that is in bits: a byte has 8 bits"
        elif value == N * R * M * 8:
            why = "use the itemsize you are given, not always 8"
        else:
            why = "the array has N x R x M entries of itemsize bytes each"
        fail(check, f"{where} the intermediate takes {expected:,} bytes, yours says {value!r}: {why}")
    shape = (4, 3, 5)
    if fn(*shape) != np.zeros(shape).nbytes:
        fail(check, "called without itemsize, your function should count float64's 8 bytes per entry "
                    f"({np.zeros(shape).nbytes} bytes for shape {shape}, NumPy's nbytes)")
    passed(check, "your byte counts match N x R x M x itemsize (NumPy's nbytes) on "
                  f"{len(cases)} sizes, float32 included")
