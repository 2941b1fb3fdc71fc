"""Self-checks for students: check_...() functions that test a student's code.

Each check runs the student's function on small cases, compares with the helper's own
answer, and either prints one PASSED line or raises SelfCheckError with a sentence that
says what is wrong (a shape, a negative entry, a log-likelihood that went down, the first
entry that differs).
"""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh  # the reference answers (imported while nmf_helpers loads: used only at call time)


class SelfCheckError(AssertionError):
    """Raised by a check_...() function when a student's code does not do what it should."""


def _fail(check, message):
    raise SelfCheckError(f"{check}: {message}")


def _passed(check, message):
    print(f"PASSED {check}: {message}")


def _small_problems(n=4):
    """Small (V, W, H) test cases; the last has a gene with W H = 0 and a sample with no counts."""
    problems = []
    for seed in range(n):
        rng = np.random.default_rng(1000 + seed)
        N, M, R = 6 + seed, 5 + seed, 2 + seed % 2
        sim = nh.simulate(N, M, R, n_moonlighters=1, depth=(200, 400), seed=rng)
        V = sim.V.astype(float)
        W, H = nh.random_start(rng, N, M, R, V, np.float64)
        if seed == n - 1:  # gene 0 has no counts and no weight (as after a fit), sample 0 no counts
            V[0, :] = 0
            V[:, 0] = 0
            W[0, :] = 0
            W /= W.sum(axis=0)
        problems.append((V, W, H))
    return problems


def _returned(result, check):
    """The student's result, or a plain failure when the function returned nothing."""
    if result is None:
        _fail(check, "your function returned None: did you forget the `return` line?")
    return result


def _as_pair(result, check):
    if not (isinstance(result, tuple) and len(result) == 2):
        _fail(check, f"your function should return a tuple (W, H), but it returned {type(result).__name__}")
    return np.asarray(result[0], dtype=float), np.asarray(result[1], dtype=float)


def _first_mismatch(mine, reference, rtol=1e-6, atol=1e-9):
    """'' if the arrays agree, else a sentence naming the first differing entry."""
    if mine.shape != reference.shape:
        return f"has shape {mine.shape} but should have shape {reference.shape}"
    close = np.isclose(mine, reference, rtol=rtol, atol=atol)
    if close.all():
        return ""
    index = tuple(int(k) for k in np.argwhere(~close)[0])
    return f"differs at {list(index)}: yours is {mine[index]:.6g}, expected {reference[index]:.6g}"


def check_simulation(V, W, H, n_moonlighters=None):
    """Check a simulated (V, W, H): shapes fit, W's columns sum to 1, each gene in 1 or 2 modules,
    H non-negative, V whole non-negative counts whose size matches W H."""
    check = "check_simulation"
    V, W, H = (np.asarray(x) for x in (V, W, H))
    if W.ndim != 2 or H.ndim != 2 or V.ndim != 2:
        _fail(check, f"W, H and V must be 2-D; got {W.ndim}-D, {H.ndim}-D and {V.ndim}-D")
    if W.shape[1] != H.shape[0] or V.shape != (W.shape[0], H.shape[1]):
        _fail(check, f"shapes do not fit: W {W.shape} times H {H.shape} cannot give V {V.shape}")
    if (W < 0).any() or (H < 0).any():
        _fail(check, "W and H must be non-negative, but have negative entries")
    sums = W.sum(axis=0)
    if not np.allclose(sums, 1):
        a = int(np.argmax(np.abs(sums - 1)))
        _fail(check, f"each column of W must sum to 1, but column {a} sums to {sums[a]:.4g}")
    per_gene = (W > 0).sum(axis=1)
    if per_gene.min() < 1 or per_gene.max() > 2:
        i = int(np.flatnonzero((per_gene < 1) | (per_gene > 2))[0])
        _fail(check, f"each gene should be in one module (two for a moonlighter), "
                     f"but gene {i} has {per_gene[i]} non-zero entries in W")
    if n_moonlighters is not None and (per_gene == 2).sum() != n_moonlighters:
        _fail(check, f"expected {n_moonlighters} moonlighting genes (two non-zeros in a row of W), "
                     f"found {(per_gene == 2).sum()}")
    if (V < 0).any() or not np.all(V == np.round(V)):
        _fail(check, "V must hold whole non-negative counts (draw them with rng.poisson)")
    expected, observed = (W @ H).sum(), V.sum()
    if abs(observed - expected) > 6 * np.sqrt(expected) + 1:
        _fail(check, f"V's total count {observed:.6g} is far from W @ H's total {expected:.6g}: "
                     "is V drawn as Poisson(W @ H)?")
    _passed(check, f"W {W.shape}, H {H.shape} and V {V.shape} follow the model "
                   f"({(per_gene == 2).sum()} moonlighting genes)")


def check_log_likelihood(fn):
    """Test fn(V, W, H) against log_likelihood on small cases (including zero counts)."""
    check = "check_log_likelihood"
    for k, (V, W, H) in enumerate(_small_problems(), start=1):
        try:
            value = float(_returned(fn(V.copy(), W.copy(), H.copy()), check))
        except (TypeError, ValueError) as error:
            _fail(check, f"on test case {k} your function should return one number, but: {error}")
        reference = nh.log_likelihood(V, W, H)
        if np.isnan(value):
            _fail(check, f"test case {k} has zero counts and you returned NaN: "
                         "treat 0 * log(0) as 0 (only take the log where V > 0)")
        if not np.isclose(value, reference, rtol=1e-9, atol=1e-6):
            hint = " (did you include log V!? It is dropped here)" if value < reference else ""
            _fail(check, f"on test case {k} you return {value:.8g}, expected {reference:.8g}{hint}")
    _passed(check, "your log-likelihood matches the reference on 4 test cases, zero counts included")


def check_update(fn):
    """Test one multiplicative step fn(V, W, H) -> (W, H) against update_matmul."""
    check = "check_update"
    for k, (V, W, H) in enumerate(_small_problems(), start=1):
        inputs = (V.copy(), W.copy(), H.copy())
        W_new, H_new = _as_pair(fn(*inputs), check)
        for name, before, after in (("V", V, inputs[0]), ("W", W, inputs[1]), ("H", H, inputs[2])):
            if not np.array_equal(before, after):
                _fail(check, f"your function changed its input {name}; work on a copy instead")
        if W_new.shape != W.shape or H_new.shape != H.shape:
            _fail(check, f"on test case {k} W should keep shape {W.shape} and H shape {H.shape}, "
                         f"got {W_new.shape} and {H_new.shape}")
        if (W_new < 0).any() or (H_new < 0).any():
            _fail(check, f"on test case {k} your W or H has negative entries; "
                         "multiplicative updates never make an entry negative")
        if np.isnan(W_new).any() or np.isnan(H_new).any():
            _fail(check, f"on test case {k} your W or H has NaN entries "
                         "(test case 4 has a gene and a sample with no counts: take 0/0 as 0)")
        sums = W_new.sum(axis=0)
        if not np.allclose(sums, 1):
            _fail(check, f"on test case {k} W's columns should sum to 1 after the step, "
                         f"but they sum to {np.round(sums, 4)}")
        W_ref, H_ref = nh.update_matmul(V, W, H)
        for name, mine, ref in (("W", W_new, W_ref), ("H", H_new, H_ref)):
            problem = _first_mismatch(mine, ref)
            if problem:
                _fail(check, f"on test case {k} your {name} {problem}")
    V, W, H = _small_problems(1)[0]
    before = nh.log_likelihood(V, W, H)
    for step in range(1, 21):
        W, H = _as_pair(fn(V, W, H), check)
        after = nh.log_likelihood(V, W, H)
        if after < before - 1e-9 * abs(before):
            _fail(check, f"the log-likelihood went down at step {step}: {before:.8g} -> {after:.8g}")
        before = after
    _passed(check, "your step matches the reference on 4 test cases and the log-likelihood "
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
        _fail(check, f"your function should return (W, H) or (W, H, trace), got {type(result).__name__}")
    if W.shape != (30, 3) or H.shape != (3, 20):
        _fail(check, f"for V of shape (30, 20) and R = 3, W should be (30, 3) and H (3, 20); "
                     f"got {W.shape} and {H.shape}")
    if (W < 0).any() or (H < 0).any() or np.isnan(W).any() or np.isnan(H).any():
        _fail(check, "W and H must be non-negative numbers (no negatives, no NaN)")
    if trace is not None and len(trace) > 1:
        rises = np.flatnonzero(np.diff(trace) > 1e-9 * np.abs(trace[1:]))
        if rises.size:
            k = int(rises[0]) + 1
            _fail(check, f"the deviance trace went up at entry {k}: {trace[k - 1]:.8g} -> "
                         f"{trace[k]:.8g} (it must never rise; is it the deviance, not L?)")
    mine = nh.deviance(sim.V, W, H)
    reference = nh.nmf(sim.V, 3, n_restarts=3, seed=0).deviance
    if mine > 1.01 * reference:
        _fail(check, f"your fit's deviance {mine:.6g} is well above the reference "
                     f"{reference:.6g}: did it stop before converging?")
    _passed(check, f"your fit reaches deviance {mine:.6g} (reference {reference:.6g})")


def check_row_normalize(fn):
    """Test fn(W) -> W with rows summing to 1 (zero rows stay zero)."""
    check = "check_row_normalize"
    W = np.array([[2.0, 2.0, 0.0], [0.0, 0.0, 0.0], [1.0, 3.0, 4.0]])
    mine = np.asarray(_returned(fn(W.copy()), check), dtype=float)
    problem = _first_mismatch(mine, nh.row_normalize(W))
    if problem:
        hint = " (a gene with no weight should stay all zero, not NaN)" if np.isnan(mine).any() else ""
        _fail(check, f"your row-normalised W {problem}{hint}")
    _passed(check, "each row sums to 1 and the all-zero row stays zero")


def check_moonlighters(fn, threshold=0.1):
    """Test fn(W, threshold) -> indices of genes in two or more modules."""
    check = "check_moonlighters"
    sim = nh.simulate(40, 10, 3, n_moonlighters=4, seed=3)
    result = np.asarray(_returned(fn(sim.W.copy(), threshold), check))
    if result.dtype == bool:
        _fail(check, "your function returned a True/False mask; return the indices of the "
                     "moonlighting genes instead (np.flatnonzero(mask) turns one into the other)")
    mine = np.sort(result.astype(int).ravel())
    expected = nh.find_moonlighters(sim.W, threshold)
    if not np.array_equal(mine, expected):
        missing = sorted(set(expected.tolist()) - set(mine.tolist()))
        extra = sorted(set(mine.tolist()) - set(expected.tolist()))
        _fail(check, f"on the true W of a simulation you missed genes {missing} and "
                     f"wrongly included {extra}")
    _passed(check, f"you found the {len(expected)} moonlighting genes {expected.tolist()}")


def check_information_criteria(fn):
    """Test fn(L, n_params, n_fitted) -> (aic, bic) against information_criteria
    (the formulas rank_scan uses): AIC = 2k - 2L, BIC = k ln(n) - 2L."""
    check = "check_information_criteria"
    cases = [(-1234.5, 10, 600), (37_768_400.25, 636, 6000), (-50.0, 3, 20)]
    for L, k, n in cases:
        result = fn(L, k, n)
        if not (isinstance(result, tuple) and len(result) == 2):
            _fail(check, f"your function should return a tuple (aic, bic), "
                         f"but it returned {type(result).__name__}")
        try:
            aic, bic = float(result[0]), float(result[1])
        except (TypeError, ValueError):
            _fail(check, f"aic and bic should be numbers, got {result!r}")
        ref_aic, ref_bic = nh.information_criteria(L, k, n)
        where = f"for L={L:g}, k={k}, n={n}"
        if not np.isclose(aic, ref_aic, rtol=1e-9, atol=1e-9):
            if np.isclose(aic, ref_bic, rtol=1e-9) and np.isclose(bic, ref_aic, rtol=1e-9):
                _fail(check, f"you returned (bic, aic) {where}; return them in the order (aic, bic)")
            hints = {2 * L - 2 * k: "the signs are swapped: a higher log-likelihood must LOWER the AIC",
                     k - L: "you left out the factor 2 on both terms",
                     2 * k + 2 * L: "the log-likelihood enters with a minus sign"}
            hint = next((text for value, text in hints.items() if np.isclose(aic, value, rtol=1e-9)), "")
            _fail(check, f"AIC should be 2k - 2L = {ref_aic:.10g}: you returned {aic:.10g} "
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
            _fail(check, f"BIC should be k ln(n) - 2L = {ref_bic:.10g}: you returned {bic:.10g} "
                         f"{where}" + (f" ({hint})" if hint else ""))
    _passed(check, f"your AIC and BIC match the formulas on {len(cases)} test cases")
