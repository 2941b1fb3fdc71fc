"""Self-checks for Notebook 10, objectives, ratings and words: the squared-error step and a
masked (rated entries only) KL step."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course import frobenius, validation
from nmf_course.selfchecks.common import as_pair, fail, first_mismatch, passed, returned, small_problems

__all__ = ["check_frobenius_step", "check_masked_step"]

REFERENCES = {"check_frobenius_step": ("update_frobenius", "nmf_frobenius"),
              "check_masked_step": ("masked_step", "nmf", "fit_kl")}


def check_frobenius_step(fn):
    """Test fn(V, W, H) -> (W, H): one Lee & Seung step for the squared error ||V - WH||^2."""
    check = "check_frobenius_step"
    for V, W, H in small_problems()[:3]:
        W_new, H_new = as_pair(returned(fn(V.copy(), W.copy(), H.copy()), check), check)
        W_ref, H_ref = frobenius.update_frobenius(V, W, H)
        problem = first_mismatch(W_new, W_ref)
        if problem:
            fail(check, f"your new W {problem}; W <- W * (V @ H.T) / (W @ H @ H.T)")
        problem = first_mismatch(H_new, H_ref)
        if problem:
            H_old_W = H * (W.T @ V) / np.maximum(W.T @ W @ H, np.finfo(float).tiny)
            if np.allclose(H_new, H_old_W, rtol=1e-6):
                fail(check, "your H step used the old W: update H with the new W, "
                            "H <- H * (W.T @ V) / (W.T @ W @ H)")
            fail(check, f"your new H {problem}; H <- H * (W.T @ V) / (W.T @ W @ H) with the new W")
        before, after = frobenius.frobenius_error(V, W, H), frobenius.frobenius_error(V, W_new, H_new)
        if after > before * (1 + 1e-12):
            fail(check, f"the squared error went up, from {before:,.4f} to {after:,.4f}")
    passed(check, "your step matches update_frobenius on three small problems and lowers the squared error")


def masked_step(V, W, H, mask):
    """One KL multiplicative step that fits only the entries where mask is True.

        Q = mask * V / (W H)                         (hidden entries count for nothing)
        W <- W * (Q @ H.T) / (mask @ H.T)            then W's columns scaled to sum to 1
        H <- H * (W.T @ Q) / (W.T @ mask)            (Q recomputed)
    """
    V, W, H = validation.factors(V, W, H)
    M = np.asarray(mask, dtype=float)
    tiny = np.finfo(float).tiny
    Q = M * nh.ratio(V, W @ H)
    W = W * (Q @ H.T) / np.maximum(M @ H.T, tiny)
    W, H = nh.normalize_columns(W, H)
    Q = M * nh.ratio(V, W @ H)
    return W, H * (W.T @ Q) / np.maximum(W.T @ M, tiny)


def check_masked_step(fn):
    """Test fn(V, W, H, mask) -> (W, H): one KL step that fits only the entries where mask is True.

    Judged by W H after the step (scaling W's columns or not does not change it). The hidden
    entries of the test V hold made-up numbers, which must have no effect."""
    check = "check_masked_step"
    rng = np.random.default_rng(5)
    for V, W, H in small_problems()[:3]:
        mask = rng.random(V.shape) > 0.3
        mask[:, 0] = mask[0, :] = True
        V_junk = np.where(mask, V, 50.0)            # hidden entries hold junk
        W_new, H_new = as_pair(returned(fn(V_junk.copy(), W.copy(), H.copy(), mask.copy()), check), check)
        if W_new.shape != W.shape or H_new.shape != H.shape:
            fail(check, f"W and H should keep their shapes {W.shape} and {H.shape}, "
                        f"but yours have shapes {W_new.shape} and {H_new.shape}")
        W_ref, H_ref = masked_step(V_junk, W, H, mask)
        if np.allclose(W_new @ H_new, W_ref @ H_ref, rtol=1e-6):
            continue
        W_zero, H_zero = nh.update_matmul(np.where(mask, V, 0.0), W, H)
        W_all, H_all = nh.update_matmul(V_junk, W, H)
        if np.allclose(W_new @ H_new, W_zero @ H_zero, rtol=1e-6):
            fail(check, "your step treats hidden entries as zeros: the denominators must sum over "
                        "the rated entries only, mask @ H.T for W and W.T @ mask for H")
        if np.allclose(W_new @ H_new, W_all @ H_all, rtol=1e-6):
            fail(check, "your step fits every entry, hidden ones too: multiply the ratio by the "
                        "mask (Q = mask * V / (W H)) and sum the denominators over the mask")
        before = nh.deviance(V_junk, W, H, mask)
        after = nh.deviance(V_junk, W_new, H_new, mask) if (W_new >= 0).all() and (H_new >= 0).all() else np.nan
        problem = first_mismatch(W_new @ H_new, W_ref @ H_ref)
        fail(check, f"W H after your step {problem} (deviance of the rated entries: {before:,.3f} "
                    f"before, {after:,.3f} after)")
    passed(check, "your step fits only the rated entries (junk in hidden entries has no effect) "
                  "and matches the reference on three problems")
