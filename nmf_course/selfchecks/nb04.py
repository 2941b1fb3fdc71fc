"""Self-checks for Notebook 04, choosing R."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course.selfchecks.common import fail, passed, returned

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
