"""Self-checks for Notebooks 02 and 03, the log-likelihood, one update step and the fitting loop."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlogy

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
            WH, log_factorials = W @ H, gammaln(V + 1).sum()
            hints = {reference - log_factorials: "you subtracted log V!, the constant the course drops",
                     reference + log_factorials: "you added log V!, the constant the course drops",
                     float(np.sum(xlogy(V, WH))): "you left out the - W H term",
                     float(np.sum((xlogy(V, WH) - WH)[V > 0])): (
                         "you summed only where V > 0, which drops - W H where V = 0: "
                         "a zero count still adds - (W H)[i, mu]")}
            hint = next((f" ({text})" for ref, text in hints.items()
                         if np.isclose(value, ref, rtol=1e-9, atol=1e-6)), "")
            fail(check, f"on test case {k} you return {value:.8g}, expected {reference:.8g}{hint}")
    passed(check, "your log-likelihood matches the reference on 4 test cases, zero counts included")


# The step the exercises ask for, and what the course's reference (nh.update_matmul) does:
EXPECTED_STEP = ("the reference does (a) the W step with Q = V / (W H) from the W and H you were given, "
                 "(b) divides each column of W by its sum s[a] and multiplies row a of H by s[a] "
                 "(W H unchanged), (c) the H step with Q recomputed from the new W and H")


def _normalized(W, H):
    s = W.sum(axis=0)
    s = np.where(s > 0, s, 1.0)
    return W / s, H * s[:, np.newaxis]


def _w_step(W, H, Q):
    row_sums = H.sum(axis=1)
    return W * (Q @ H.T) / np.where(row_sums > 0, row_sums, 1.0)


def step_variants(V, W, H):
    """(W, H) after one step in each form a student may write: {name: (valid, (W, H))}.

    The valid forms never lower L; the others are the usual mistakes."""
    Q0 = nh.ratio(V, W @ H)
    W1, H1 = _normalized(_w_step(W, H, Q0), H)             # (a) and (b)
    H_first = H * (W.T @ Q0) / W.sum(axis=0)[:, np.newaxis]
    W2, H2 = _normalized(_w_step(W, H_first, nh.ratio(V, W @ H_first)), H_first)
    W3, H3 = _normalized(_w_step(W, H_first, Q0), H_first)
    return {
        "reference": (True, (W1, H1 * (W1.T @ nh.ratio(V, W1 @ H1)))),
        "slides": (True, (W1, H * (W1.T @ nh.ratio(V, W1 @ H)))),
        "h first": (True, (W2, H2)),
        "h first, H not rescaled": (True, (W2, H_first)),
        "old Q for H": (False, (W1, H1 * (W1.T @ Q0))),
        "old Q for H, H not rescaled": (False, (W1, H * (W1.T @ Q0))),
        "old Q for W": (False, (W3, H3)),
        "old Q for W, H not rescaled": (False, (W3, H_first)),
    }


ALTERNATIVES = {
    "slides": "the homework's and slides' form: H's rows are not rescaled in (b), so your H "
              "differs from nh.update_matmul's, but it never lowers L either",
    "h first": "you update H before W; the exercise asks for W first, but yours is a valid step too",
    "h first, H not rescaled": "you update H before W and do not rescale H's rows; the exercise asks "
                               "for W first, but yours is a valid step too",
}
MISTAKES = {
    "old Q for H": "you reused Q = V / (W H) from before the W step in the H step; the W step changed "
                   "W H, so recompute Q from the new W and H for step (c)",
    "old Q for W": "you update H first (a valid order) but reuse its Q = V / (W H) in the W step; the "
                   "H step changed W H, so recompute Q from the new H before updating W",
}


def _mismatch_hint(V, W, H, W_new, H_new, variants):
    """A sentence naming the likely mistake behind a step that matches no variant, or ''."""
    for name, (valid, (W_v, H_v)) in variants.items():
        if not valid and np.allclose(W_new, W_v, rtol=1e-6) and np.allclose(H_new, H_v, rtol=1e-6):
            return MISTAKES[name.split(",")[0]]
    W_ref, H_ref = variants["reference"][1]
    for name, mine, ref in (("W", W_new, W_ref), ("H", H_new, H_ref)):
        for axis, what in ((0, "row"), (1, "column")):
            zero = ~mine.any(axis=1 - axis) & ref.any(axis=1 - axis)
            if zero.any():
                index = int(np.flatnonzero(zero)[0])
                return (f"{what} {index} of your {name} is all zero: does a loop stop one short "
                        f"(range(n) runs from 0 to n - 1, range(1, n) skips 0)?")
    return ""


def check_update(fn):
    """Test one multiplicative step fn(V, W, H) -> (W, H) against update_matmul.

    The slides' form (H's rows not rescaled) and the H-first order are accepted as valid steps;
    reusing the first Q for the second half-step, a loop one index short, rows of W summing to 1
    instead of columns and (H, W) returned in the wrong order are named."""
    check = "check_update"
    forms = set()
    for k, (V, W, H) in enumerate(small_problems(), start=1):
        try:
            result = call_on_copies(fn, check, V, W, H)
        except ValueError as error:
            if "mismatch" in str(error) or "broadcast" in str(error) or "shape" in str(error):
                fail(check, f"on test case {k} (V {V.shape}, W {W.shape}, H {H.shape}) your function "
                            f"raised ValueError: {error}. Is something transposed? Q @ H.T is N x R "
                            "like W, W.T @ Q is R x M like H")
            raise
        W_new, H_new = as_pair(result, check)
        if W_new.shape != W.shape or H_new.shape != H.shape:
            hint = ""
            if W_new.shape == H.shape and H_new.shape == W.shape:
                hint = ": you returned (H, W); return (W, H)"
            elif W_new.shape == W.T.shape or H_new.shape == H.T.shape:
                hint = ": one of them is transposed"
            fail(check, f"on test case {k} W should keep shape {W.shape} and H shape {H.shape}, "
                         f"got {W_new.shape} and {H_new.shape}{hint}")
        if (W_new < 0).any() or (H_new < 0).any():
            fail(check, f"on test case {k} your W or H has negative entries; "
                         "multiplicative updates never make an entry negative")
        if np.isnan(W_new).any() or np.isnan(H_new).any():
            fail(check, f"on test case {k} your W or H has NaN entries "
                         "(test case 4 has a gene and a sample with no counts: take 0/0 as 0)")
        variants = step_variants(V, W, H)
        sums = W_new.sum(axis=0)
        if not np.allclose(sums, 1):
            hint = _mismatch_hint(V, W, H, W_new, H_new, variants)
            if not hint and np.allclose(W_new.sum(axis=1)[W_new.any(axis=1)], 1):
                hint = "your W's rows sum to 1: normalise its columns (axis=0), each module's profile over genes"
            elif not hint:
                hint = "step (b) divides each column of W by its sum and multiplies H's row by it"
            fail(check, f"on test case {k} W's columns should sum to 1 after the step, "
                         f"but they sum to {np.round(sums, 4)} ({hint})")
        form = next((name for name, (valid, (W_v, H_v)) in variants.items()
                     if valid and not first_mismatch(W_new, W_v) and not first_mismatch(H_new, H_v)), None)
        if form is None:
            W_ref, H_ref = variants["reference"][1]
            name, problem = next((name, first_mismatch(mine, ref)) for name, mine, ref
                                 in (("W", W_new, W_ref), ("H", H_new, H_ref)) if first_mismatch(mine, ref))
            hint = _mismatch_hint(V, W, H, W_new, H_new, variants) or EXPECTED_STEP
            fail(check, f"on test case {k} your {name} {problem}: {hint}")
        forms.add(form)
    V, W, H = small_problems(1)[0]
    before = nh.log_likelihood(V, W, H)
    for step in range(1, 21):
        W, H = as_pair(fn(V, W, H), check)
        after = nh.log_likelihood(V, W, H)
        if after < before - 1e-9 * abs(before):
            fail(check, f"the log-likelihood went down at step {step}: {before:.8g} -> {after:.8g}")
        before = after
    if forms == {"reference"}:
        passed(check, "your step matches the reference on 4 test cases and the log-likelihood "
                       "never went down in 20 steps")
    else:
        notes = "; ".join(ALTERNATIVES[f] for f in sorted(forms - {"reference"}))
        passed(check, f"your step is a valid multiplicative step on 4 test cases ({notes}), and the "
                       "log-likelihood never went down in 20 steps")


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
