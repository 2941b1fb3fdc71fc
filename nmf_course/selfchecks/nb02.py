"""Self-checks for Notebooks 02 and 03, the log-likelihood, one update step and the fitting loop."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course.selfchecks.common import (as_pair, call_on_copies, fail, first_mismatch, passed,
                                          returned, small_problems)

__all__ = ["check_log_likelihood", "check_update", "check_nmf", "check_em_counts"]

REFERENCES = {"check_em_counts": ("update_loops", "update_broadcast", "update_matmul")}


def check_log_likelihood(fn):
    """Test fn(V, W, H) against log_likelihood on small cases (including zero counts)."""
    check = "check_log_likelihood"
    for k, (V, W, H) in enumerate(small_problems(), start=1):
        try:
            value = float(returned(fn(V.copy(), W.copy(), H.copy()), check))
        except (TypeError, ValueError) as error:
            fail(check, f"on test case {k} your function should return one number, but: {error}")
        reference = nh.log_likelihood(V, W, H)
        if np.isnan(value):
            fail(check, f"test case {k} has zero counts and you returned NaN: "
                         "treat 0 * log(0) as 0 (only take the log where V > 0)")
        if not np.isclose(value, reference, rtol=1e-9, atol=1e-6):
            hint = " (did you include log V!? It is dropped here)" if value < reference else ""
            fail(check, f"on test case {k} you return {value:.8g}, expected {reference:.8g}{hint}")
    passed(check, "your log-likelihood matches the reference on 4 test cases, zero counts included")


def check_update(fn):
    """Test one multiplicative step fn(V, W, H) -> (W, H) against update_matmul."""
    check = "check_update"
    for k, (V, W, H) in enumerate(small_problems(), start=1):
        W_new, H_new = as_pair(call_on_copies(fn, check, V, W, H), check)
        if W_new.shape != W.shape or H_new.shape != H.shape:
            fail(check, f"on test case {k} W should keep shape {W.shape} and H shape {H.shape}, "
                         f"got {W_new.shape} and {H_new.shape}")
        if (W_new < 0).any() or (H_new < 0).any():
            fail(check, f"on test case {k} your W or H has negative entries; "
                         "multiplicative updates never make an entry negative")
        if np.isnan(W_new).any() or np.isnan(H_new).any():
            fail(check, f"on test case {k} your W or H has NaN entries "
                         "(test case 4 has a gene and a sample with no counts: take 0/0 as 0)")
        sums = W_new.sum(axis=0)
        if not np.allclose(sums, 1):
            fail(check, f"on test case {k} W's columns should sum to 1 after the step, "
                         f"but they sum to {np.round(sums, 4)}")
        W_ref, H_ref = nh.update_matmul(V, W, H)
        for name, mine, ref in (("W", W_new, W_ref), ("H", H_new, H_ref)):
            problem = first_mismatch(mine, ref)
            if problem:
                fail(check, f"on test case {k} your {name} {problem}")
    V, W, H = small_problems(1)[0]
    before = nh.log_likelihood(V, W, H)
    for step in range(1, 21):
        W, H = as_pair(fn(V, W, H), check)
        after = nh.log_likelihood(V, W, H)
        if after < before - 1e-9 * abs(before):
            fail(check, f"the log-likelihood went down at step {step}: {before:.8g} -> {after:.8g}")
        before = after
    passed(check, "your step matches the reference on 4 test cases and the log-likelihood "
                   "never went down in 20 steps")


def check_nmf(fn):
    """Test a fitting function fn(V, R) -> (W, H) or (W, H, trace) on a simulated problem.

    trace, if returned, holds the deviance at the start and after each step: it must never rise,
    and the fit must end within 1% of the deviance of the helper's own converged fit.
    """
    check = "check_nmf"
    sim = nh.simulate(30, 20, 3, n_moonlighters=1, seed=7)
    result = fn(sim.V.copy(), 3)
    if isinstance(result, nh.NMFResult):
        W, H, trace = result.W, result.H, result.deviance_trace
    elif isinstance(result, tuple) and len(result) in (2, 3):
        W, H = np.asarray(result[0], float), np.asarray(result[1], float)
        trace = np.asarray(result[2], float) if len(result) == 3 else None
    else:
        fail(check, f"your function should return (W, H) or (W, H, trace), got {type(result).__name__}")
    if W.shape != (30, 3) or H.shape != (3, 20):
        fail(check, f"for V of shape (30, 20) and R = 3, W should be (30, 3) and H (3, 20); "
                     f"got {W.shape} and {H.shape}")
    if (W < 0).any() or (H < 0).any() or np.isnan(W).any() or np.isnan(H).any():
        fail(check, "W and H must be non-negative numbers (no negatives, no NaN)")
    if trace is not None and len(trace) > 1:
        rises = np.flatnonzero(np.diff(trace) > 1e-9 * np.abs(trace[1:]))
        if rises.size:
            k = int(rises[0]) + 1
            fail(check, f"the deviance trace went up at entry {k}: {trace[k - 1]:.8g} -> "
                         f"{trace[k]:.8g} (it must never rise; is it the deviance, not L?)")
    mine = nh.deviance(sim.V, W, H)
    reference = nh.nmf(sim.V, 3, n_restarts=3, seed=0).deviance
    if mine > 1.01 * reference:
        fail(check, f"your fit's deviance {mine:.6g} is well above the reference "
                     f"{reference:.6g}: did it stop before converging?")
    passed(check, f"your fit reaches deviance {mine:.6g} (reference {reference:.6g})")


def expected_counts(V, W, H):
    """The E step: C[i, a, mu] = V[i, mu] W[i, a] H[a, mu] / (W H)[i, mu], 0 where W H = 0."""
    Q = nh.ratio(V, W @ H)
    return W[:, :, np.newaxis] * H[np.newaxis, :, :] * Q[:, np.newaxis, :]


def check_em_counts(fn):
    """Test fn(V, W, H) -> the N x R x M expected hidden counts of the E step, on small cases."""
    check = "check_em_counts"
    for k, (V, W, H) in enumerate(small_problems(), start=1):
        C = np.asarray(returned(call_on_copies(fn, check, V, W, H), check), dtype=float)
        (N, M), R = V.shape, W.shape[1]
        if C.shape != (N, R, M):
            hint = " (the axes should be gene, module, sample)" if sorted(C.shape) == sorted((N, R, M)) else ""
            fail(check, f"on test case {k} the counts should have shape (N, R, M) = {(N, R, M)}, "
                        f"got {C.shape}{hint}")
        if np.isnan(C).any():
            fail(check, f"on test case {k} your counts have NaN entries (test case 4 has a gene with "
                        "W H = 0: take V / (W H) as 0 there)")
        if (C < 0).any():
            fail(check, f"on test case {k} your counts have negative entries")
        sums, fitted = C.sum(axis=1), (W @ H) > 0
        if not np.allclose(sums[fitted], V[fitted], rtol=1e-9, atol=1e-9):
            if np.allclose(sums[fitted], 1):
                why = "they sum to 1: multiply the shares by V"
            elif np.allclose(C, W[:, :, np.newaxis] * H[np.newaxis, :, :]):
                why = "they are W H's terms: multiply by V / (W H)"
            else:
                why = "is each share W[i, a] H[a, mu] / (W H)[i, mu] times V[i, mu]?"
            fail(check, f"on test case {k} your counts summed over modules (axis 1) should give V, "
                        f"but they do not: {why}")
        problem = first_mismatch(C, expected_counts(V, W, H))
        if problem:
            fail(check, f"on test case {k} your counts {problem}")
    passed(check, "your expected counts match the E step on 4 test cases, and summed over "
                  "modules they give V back")
