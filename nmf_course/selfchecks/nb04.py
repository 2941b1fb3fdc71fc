"""Self-checks for Notebook 04, choosing R."""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course.selfchecks.common import fail, passed, returned, small_problems

__all__ = ["check_information_criteria"]


def check_information_criteria(fn):
    """Test fn(L, n_params, n_fitted) -> (aic, bic) against information_criteria
    (the formulas rank_scan uses): AIC = 2k - 2L, BIC = k ln(n) - 2L."""
    check = "check_information_criteria"
    cases = [(-1234.5, 10, 600), (37_768_400.25, 636, 6000), (-50.0, 3, 20)]
    for L, k, n in cases:
        result = fn(L, k, n)
        if not (isinstance(result, tuple) and len(result) == 2):
            fail(check, f"your function should return a tuple (aic, bic), "
                         f"but it returned {type(result).__name__}")
        try:
            aic, bic = float(result[0]), float(result[1])
        except (TypeError, ValueError):
            fail(check, f"aic and bic should be numbers, got {result!r}")
        ref_aic, ref_bic = nh.information_criteria(L, k, n)
        where = f"for L={L:g}, k={k}, n={n}"
        if not np.isclose(aic, ref_aic, rtol=1e-9, atol=1e-9):
            if np.isclose(aic, ref_bic, rtol=1e-9) and np.isclose(bic, ref_aic, rtol=1e-9):
                fail(check, f"you returned (bic, aic) {where}; return them in the order (aic, bic)")
            hints = {2 * L - 2 * k: "the signs are swapped: a higher log-likelihood must LOWER the AIC",
                     k - L: "you left out the factor 2 on both terms",
                     2 * k + 2 * L: "the log-likelihood enters with a minus sign"}
            hint = next((text for value, text in hints.items() if np.isclose(aic, value, rtol=1e-9)), "")
            fail(check, f"AIC should be 2k - 2L = {ref_aic:.10g}: you returned {aic:.10g} "
                         f"{where}" + (f" ({hint})" if hint else ""))
        if not np.isclose(bic, ref_bic, rtol=1e-9, atol=1e-9):
            hints = {k * np.log(k) - 2 * L: "you used ln(k); the penalty is k ln(n), with n the "
                                            "number of observations (entries of V)",
                     k * np.log10(n) - 2 * L: "you used log10; BIC uses the natural log, np.log",
                     2 * L - k * np.log(n): "the signs are swapped: a higher log-likelihood must "
                                            "LOWER the BIC",
                     k * np.log(n) / 2 - L: "you left out the factor 2 (BIC = k ln(n) - 2L)",
                     2 * k * np.log(n) - 2 * L: "the penalty is k ln(n), not 2k ln(n)"}
            hint = next((text for value, text in hints.items() if np.isclose(bic, value, rtol=1e-9)), "")
            fail(check, f"BIC should be k ln(n) - 2L = {ref_bic:.10g}: you returned {bic:.10g} "
                         f"{where}" + (f" ({hint})" if hint else ""))
    passed(check, f"your AIC and BIC match the formulas on {len(cases)} test cases")


REFERENCES = {
    "check_n_params": ("rank_scan",),
    "check_heldout_log_likelihood": ("log_likelihood", "deviance", "rank_scan"),
}
__all__ += ["check_n_params", "check_heldout_log_likelihood"]


def check_n_params(fn):
    """Test fn(N, M, R) -> the number of free parameters k = R (N - 1) + R M that the course
    (and rank_scan) counts for an NMF whose W has columns summing to 1."""
    check = "check_n_params"
    for N, M, R in [(100, 60, 4), (7, 5, 2), (30, 12, 1), (1000, 200, 6)]:
        result = returned(fn(N, M, R), check)
        if isinstance(result, (bool, np.bool_)) or not isinstance(result, (int, np.integer, float, np.floating)):
            fail(check, f"your function should return one number, but it returned {type(result).__name__}")
        expected = R * (N - 1) + R * M
        if result == expected:
            continue
        where = f"for N={N}, M={M}, R={R}"
        hints = {N * R + R * M: "you counted every entry of W; each column of W sums to 1, so only "
                                "N - 1 of its N entries are free",
                 R * (N + M - R): "that is R(N + M - R), the dimension once the full R x R freedom "
                                  "(W A, A^-1 H) is removed; the course, like rank_scan, counts "
                                  "k = R(N - 1) + RM (columns of W sum to 1)",
                 R * (N - 1) + R * (M - 1): "H's entries are all free: R M of them, not R (M - 1)",
                 N * M: "that is the number of observations n = N M, not of parameters",
                 (N - 1) + M: "that is one module's worth; multiply by R",
                 R * (N - 1): "you left out H's R M parameters",
                 R * M: "you left out W's R (N - 1) parameters"}
        if R > 1:
            hints.setdefault((R - 1) * (N - 1 + M), "that is the count for R - 1 modules: is R off by one?")
        hints.setdefault((R + 1) * (N - 1 + M), "that is the count for R + 1 modules: is R off by one?")
        hint = hints.get(result, "")
        fail(check, f"k should be R(N - 1) + RM = {expected:,} {where}, but you returned {result:,}"
                    + (f" ({hint})" if hint else ""))
    passed(check, "k = R(N - 1) + RM on 4 test cases")


def _heldout_cases():
    cases = []
    for seed, (V, W, H) in enumerate(small_problems()):
        mask = nh.holdout_mask(V.shape, 0.3, seed=seed)
        if seed == 3:                       # gene 0 has no counts and W H = 0: hide two of them
            mask[0, :2] = False
        cases.append((V, W, H, mask))
    return cases


def check_heldout_log_likelihood(fn):
    """Test fn(V, W, H, mask) -> sum of V log(WH) - WH over the hidden entries (mask False)."""
    check = "check_heldout_log_likelihood"
    for k, (V, W, H, mask) in enumerate(_heldout_cases()):
        result = returned(fn(V.copy(), W.copy(), H.copy(), mask.copy()), check)
        try:
            mine = float(result)
        except (TypeError, ValueError):
            fail(check, f"your function should return one number (a sum), but it returned "
                        f"{type(result).__name__}" + (f" of shape {np.shape(result)}" if np.ndim(result) else ""))
        expected = nh.log_likelihood(V, W, H, ~mask)
        if np.isclose(mine, expected, rtol=1e-9, atol=1e-9):
            continue
        where = f"in test case {k + 1} ({V.shape[0]} x {V.shape[1]}, {int((~mask).sum())} hidden entries)"
        if np.isnan(mine):
            fail(check, f"you returned NaN {where}: a hidden entry with V = 0 and W H = 0 gives 0 log 0, "
                        "which counts as 0 (use scipy.special.xlogy(V, WH), or np.where)")
        WH = W @ H
        hints = {nh.log_likelihood(V, W, H, mask): "you summed over the fitted entries (mask True); "
                                                   "the held-out score sums over the hidden ones (mask False)",
                 nh.log_likelihood(V, W, H): "you summed over all entries; sum only where mask is False",
                 float(np.sum(xlogy(V, WH)[~mask])): "you left out the - W H term",
                 float(np.sum((xlogy(V, WH) + WH)[~mask])): "the W H term enters with a minus sign",
                 float(np.sum((xlogy(V, WH) - WH)[~mask]) / max((~mask).sum(), 1)): "you averaged; return the sum"}
        hint = next((text for value, text in hints.items() if np.isclose(mine, value, rtol=1e-9)), "")
        fail(check, f"the held-out log-likelihood should be {expected:.10g}, you returned {mine:.10g} "
                    f"{where}" + (f" ({hint})" if hint else ""))
    passed(check, "your held-out sums match on 4 test cases (including a hidden 0 log 0 entry)")


REFERENCES["check_shuffled_like"] = ("rank_scan",)
__all__ += ["check_shuffled_like"]


def _same_permutation_per_row(V, out):
    """p_i with out[i] == V[i, p_i] for each row i (V's rows hold distinct values), or None."""
    perms = []
    for v, o in zip(V, out):
        where = {value: j for j, value in enumerate(v)}
        if sorted(o) != sorted(v):
            return None
        perms.append(tuple(where[x] for x in o))
    return perms


def check_shuffled_like(fn):
    """Test fn(V, seed) -> V with the entries of each row put in random order, each row on its
    own (readouts.shuffled_like): the null table of the rank criteria against shuffled data."""
    check = "check_shuffled_like"
    rng = np.random.default_rng(4)
    V = rng.permutation(np.arange(1, 121)).reshape(6, 20)     # every entry distinct
    before = V.copy()
    result = returned(fn(V, 0), check)
    if not np.array_equal(V, before):
        fail(check, "your function changed V itself (np.random.shuffle and rng.shuffle work in place); "
                    "shuffle a copy, or use rng.permuted(V, axis=1), which returns a new array")
    out = np.asarray(result)
    if out.shape != V.shape:
        if out.shape == V.T.shape:
            fail(check, f"you returned shape {out.shape}, the transpose of V's {V.shape}: return genes x samples")
        fail(check, f"the shuffled table should have V's shape {V.shape}, you returned shape {out.shape}")
    if np.array_equal(out, V):
        fail(check, "you returned V unchanged: permute the entries of each row")
    if sorted(out.ravel()) != sorted(V.ravel()):
        fail(check, "your table does not hold V's entries: shuffling only reorders them, "
                    "it never draws new values")
    perms = _same_permutation_per_row(V, out)
    if perms is None:
        if all(sorted(o) == sorted(v) for o, v in zip(out.T, V.T)):
            fail(check, "you shuffled within each column (each sample kept its values, the genes moved "
                        "between rows): that is R NMF's randomize(); this exercise keeps each gene's own "
                        "counts and shuffles which sample they go with: permute within each row (axis=1)")
        fail(check, "a row of your table does not hold that row's values of V: you shuffled all "
                    "entries together, so genes swapped counts; permute within each row (axis=1)")
    if len(set(perms)) == 1:
        fail(check, "every row got the same permutation: you moved whole columns (samples), which only "
                    "renames the samples and keeps all the structure NMF finds; give each row its own "
                    "permutation (rng.permuted(V, axis=1), not rng.permutation(M) applied to all rows)")
    again = np.asarray(fn(V.copy(), 0))
    if not np.array_equal(again, out):
        fail(check, "the same seed gave a different shuffle: draw from np.random.default_rng(seed), "
                    "not from np.random's global generator")
    if np.array_equal(np.asarray(fn(V.copy(), 1)), out):
        fail(check, "seeds 0 and 1 gave the same shuffle: make the generator from the seed you are given")
    passed(check, "each row keeps its own values in its own random order, seeded, and V is untouched")
