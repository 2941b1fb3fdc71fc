"""rules: the fit's stopping rule and W's column scaling, below both fitting loops.

nmf_helpers' fit loop (the one students read) and the fast engine (nmf_course.fastfit) stop on
the same rule and scale W the same way, so both import these three functions from here, the
bottom floor: this module imports NumPy only, and nothing of the course.
"""

from __future__ import annotations

import numpy as np

__all__ = ["normalize_columns", "has_converged", "has_stopped_falling"]

def normalize_columns(W, H):
    """Scale W's columns to sum to 1 and H's rows the other way, so W H is unchanged."""
    sums = W.sum(axis=0)
    sums[sums == 0] = 1.0  # an all-zero module stays all zero
    return W / sums, H * sums[:, np.newaxis]


def has_converged(deviance_before, deviance_now, tol):
    """The stopping rule: the deviance fell by at most tol * D over the last check.

        D_before - D_now <= tol * max(D_now, 1)

    D has no dropped constant (it is 0 for a perfect fit, where max(D, 1) keeps the rule
    from asking for an impossible relative drop), so the rule means the same on any data.
    """
    return deviance_before - deviance_now <= tol * max(deviance_now, 1.0)


def has_stopped_falling(trace, tol):
    """nmf's stopping rule: has_converged held at each of the last two checks.

    trace holds the deviance at the start and at every check. One flat check is not enough:
    near a saddle point a fit can pause for a check and then fall again, by several units.
    """
    return len(trace) >= 3 and all(has_converged(trace[-k - 1], trace[-k], tol) for k in (1, 2))
