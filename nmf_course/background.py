"""NMF with a background offset (notebook 08): V ~ Poisson(W H + b).

A camera adds background light to every pixel of every frame. Instead of subtracting an
estimate of it from the counts (which leaves numbers that are no longer Poisson counts,
and clipping at 0 biases them upwards), the model can carry it:

    V[i, mu] ~ Poisson((W H)[i, mu] + b[i])

with b one number per pixel (an N x 1 column) or one number for all (a scalar). The
multiplicative step is Lee & Seung's with the ratio Q = V / (W H + b): b is a fixed extra
"module" whose row of H is all ones, so the same EM / MM argument goes through and every
half-step never lowers the log-likelihood. b itself can be known (e.g. measured in dark
frames) or estimated by its own multiplicative step,

    b <- b * sum_{i,mu} Q[i, mu] / (N M)      (one constant b)
    b[i] <- b[i] * sum_mu Q[i, mu] / M        (one b per pixel)

which is the H-step of that extra module with its row fixed at 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy
from threadpoolctl import threadpool_limits

import nmf_helpers as nh  # used at call time only
from nmf_course import validation
from nmf_course.fastfit import fit_kl

__all__ = ["offset_model", "deviance_with_offset", "update_with_offset", "update_offset_b",
           "OffsetResult", "nmf_with_offset"]


def _offset(b, V):
    """b as a float scalar or an N x 1 column, checked against V."""
    b = np.asarray(b, dtype=float)
    if b.ndim == 0 or b.size == 1:
        b = b.reshape(())
    elif b.shape in ((V.shape[0],), (V.shape[0], 1)):
        b = b.reshape(V.shape[0], 1)
    else:
        raise ValueError(f"b must be one number or one per row of V (shape ({V.shape[0]}, 1)), "
                         f"not shape {b.shape}")
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError("b must be finite and non-negative")
    return b


def offset_model(W, H, b):
    """The expected counts W H + b (b a scalar or an N x 1 column)."""
    return W @ H + b


def deviance_with_offset(V, W, H, b):
    """Poisson deviance 2 sum [V log(V / (WH + b)) - V + WH + b]: 0 for a perfect fit."""
    V, W, H = validation.factors(V, W, H)
    b = _offset(b, V)
    model = offset_model(W, H, b)
    return float(2 * np.sum(xlogy(V, V) - xlogy(V, model) - V + model))


def update_with_offset(V, W, H, b):
    """One multiplicative step for V ~ Poisson(W H + b), b fixed; returns new (W, H).

        Q = V / (W H + b)
        W <- W * (Q H^T) / H.sum(axis=1)        then W's columns are scaled to sum to 1
        H <- H * (W^T Q)                        (Q recomputed; sum_i W[i, a] = 1)

    The step of update_matmul with W H + b in the ratio; with b = 0 it is that step.
    """
    V, W, H = validation.factors(V, W, H)
    return _step(V, W, H, _offset(b, V))


def _step(V, W, H, b):
    Q = nh.ratio(V, W @ H + b)
    H_row_sums = np.where(H.sum(axis=1) > 0, H.sum(axis=1), 1.0)
    W, H = nh.normalize_columns(W * (Q @ H.T) / H_row_sums, H)
    Q = nh.ratio(V, W @ H + b)
    return W, H * (W.T @ Q)


def update_offset_b(V, W, H, b):
    """One multiplicative step for the offset b (W and H fixed); returns the new b.

    A scalar b: b * mean(Q); an N x 1 column: b * Q.mean(axis=1), with Q = V / (W H + b).
    """
    V, W, H = validation.factors(V, W, H)
    return _b_step(V, W, H, _offset(b, V))


def _b_step(V, W, H, b):
    Q = nh.ratio(V, W @ H + b)
    return b * Q.mean() if b.ndim == 0 else b * Q.mean(axis=1, keepdims=True)


def _deviance(V, W, H, b, VlogV):
    model = W @ H + b
    return float(2 * np.sum(VlogV - xlogy(V, model) - V + model))


@dataclass
class OffsetResult:
    """The best fit of nmf_with_offset(): W (columns sum to 1), H, the offset b and how it went."""
    W: np.ndarray
    H: np.ndarray
    b: np.ndarray                 # a scalar (0-d array) or an N x 1 column
    deviance: float
    n_iter: int
    converged: bool
    deviance_trace: np.ndarray    # at the start and every check_every iterations
    check_every: int
    restart_deviances: np.ndarray


def nmf_with_offset(V, R, b=None, *, estimate_b=True, per_pixel=False, n_restarts=1, seed=None,
                    max_iter=50_000, tol=2e-9, check_every=50):
    """Fit V ~ Poisson(W H + b) by multiplicative steps; return the best restart.

    ``b``: the offset to start from (or to keep, with estimate_b=False): a number or an N x 1
    column; None starts from the 10th percentile of V. With ``estimate_b`` b takes its own
    multiplicative step (update_offset_b) after each step of W and H: one number for all of
    V, or one per row with ``per_pixel=True``. With b fixed the fit is nmf's fast one
    (nmf_course.fastfit.fit_kl with an offset); with b estimated, plain steps. Stops when
    the deviance falls by at most tol * D over each of two checks in a row, check_every
    iterations apart (nh.has_stopped_falling), or after max_iter iterations.
    """
    V = validation.as_matrix(V, "V")
    R, max_iter, n_restarts, _ = validation.fit_options(V, R, max_iter, tol, n_restarts, None)
    rng = np.random.default_rng(validation.seed(seed))
    b0 = _offset(np.percentile(V, 10) if b is None else b, V)
    if estimate_b and per_pixel and b0.ndim == 0:
        b0 = np.full((V.shape[0], 1), float(b0))
    b0 = np.maximum(b0, 1e-3) if estimate_b else b0  # a zero offset could never grow again
    VlogV = xlogy(V, V)
    with threadpool_limits(limits=1, user_api="blas"):  # thin products: threads cost more than they save
        fits = [_fit_one(V, R, b0, estimate_b, rng, max_iter, tol, check_every, VlogV)
                for _ in range(n_restarts)]
    W, H, b_best, trace, n_iter, converged = min(fits, key=lambda fit: fit[3][-1])
    return OffsetResult(W=W, H=H, b=b_best, deviance=float(trace[-1]), n_iter=n_iter,
                        converged=converged, deviance_trace=trace, check_every=check_every,
                        restart_deviances=np.array([fit[3][-1] for fit in fits]))


def _fit_one(V, R, b0, estimate_b, rng, max_iter, tol, check_every, VlogV):
    """One restart of nmf_with_offset: (W, H, b, trace, n_iter, converged)."""
    W, H = nh.random_start(rng, *V.shape, R, np.maximum(V - b0, 0) + 1e-3)
    if not estimate_b:  # b fixed: the course's fast, extrapolated fit with an offset
        out = fit_kl(V, W, H, offset=b0, max_iter=max_iter, tol=tol, check_every=check_every)
        return out.W, out.H, b0, out.deviance_trace, out.n_iter, out.converged
    b_now = b0.copy()
    trace = [_deviance(V, W, H, b_now, VlogV)]
    converged, n_iter = False, 0
    for n_iter in range(1, max_iter + 1):
        W, H = _step(V, W, H, b_now)
        if estimate_b:
            b_now = _b_step(V, W, H, b_now)
        if n_iter % check_every == 0 or n_iter == max_iter:
            trace.append(_deviance(V, W, H, b_now, VlogV))
            if nh.has_stopped_falling(trace, tol):
                converged = True
                break
    return W, H, b_now, np.array(trace), n_iter, converged
