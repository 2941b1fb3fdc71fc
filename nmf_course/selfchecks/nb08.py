"""Self-checks for Notebook 08, calcium imaging: one multiplicative step with a background offset."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course.selfchecks.common import as_pair, fail, passed, returned

__all__ = ["check_offset_step"]

REFERENCES = {"check_offset_step": ("update_with_offset", "nmf_with_offset")}


def _problem():
    rng = np.random.default_rng(11)
    N, M, R = 9, 7, 2
    W_true, H_true = rng.uniform(0, 1, size=(N, R)), rng.uniform(0, 20, size=(R, M))
    V = rng.poisson(W_true @ H_true + 3.0).astype(float)
    W, H = nh.random_start(rng, N, M, R, V)
    return V, W, H


def check_offset_step(fn):
    """Test fn(V, W, H, b) -> (W, H): one multiplicative step for V ~ Poisson(W H + b).

    Judged by the model W H + b after the step (W's column scaling may be done or not),
    with b a number and with b an N x 1 column."""
    from nmf_course.background import deviance_with_offset, update_with_offset
    check = "check_offset_step"
    V, W, H = _problem()
    for b in (3.0, np.linspace(1.0, 4.0, V.shape[0])[:, np.newaxis]):
        kind = "a number" if np.ndim(b) == 0 else "an N x 1 column"
        W_new, H_new = as_pair(returned(fn(V.copy(), W.copy(), H.copy(), np.copy(b)), check), check)
        if W_new.shape != W.shape or H_new.shape != H.shape:
            fail(check, f"W and H should keep their shapes {W.shape} and {H.shape}, "
                        f"but yours have shapes {W_new.shape} and {H_new.shape}")
        if (W_new < 0).any() or (H_new < 0).any() or not np.isfinite(W_new).all() or not np.isfinite(H_new).all():
            fail(check, "your W or H has a negative, NaN or infinite entry")
        W_ref, H_ref = update_with_offset(V, W, H, b)
        mine, reference = W_new @ H_new + b, W_ref @ H_ref + b
        if np.allclose(mine, reference, rtol=1e-6):
            continue
        W_plain, H_plain = nh.update_matmul(V, W, H)
        if np.allclose(W_new @ H_new, W_plain @ H_plain, rtol=1e-6):
            fail(check, f"with b {kind}, your step is the step without the offset: "
                        "the ratio must be Q = V / (W H + b)")
        if np.allclose(W_new @ H_new, W_ref @ H_ref + b, rtol=1e-6):
            fail(check, "return W and H only: the step changes W and H, and b is added when the "
                        "model W H + b is computed, not stored in W H")
        before, after = deviance_with_offset(V, W, H, b), deviance_with_offset(V, W_new, H_new, b)
        went = f"the deviance went from {before:,.2f} to {after:,.2f}"
        index = np.unravel_index(np.argmax(np.abs(mine - reference)), mine.shape)
        fail(check, f"with b {kind}, W H + b after your step differs at {list(map(int, index))}: "
                    f"yours is {mine[index]:.6g}, expected {reference[index]:.6g} ({went})")
    passed(check, "one step with the offset, for b a number and b one per pixel, matches the helper's "
                  "and lowers the deviance")
