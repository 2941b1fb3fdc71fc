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
from threadpoolctl import threadpool_limits

import nmf_helpers as nh
from nmf_course import validation
from nmf_course.fastfit import fit_kl

__all__ = ["offset_model", "with_offset_module", "deviance_with_offset", "update_with_offset", "update_offset_b",
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


def with_offset_module(W, H, b):
    """W H + b as one product: [W | b] [H ; 1], the offset as one more module whose row of H is 1.

    A scalar b becomes a column of N equal entries. The offset model's deviance and
    log-likelihood are then nmf_helpers' own, on these factors."""
    column = np.broadcast_to(b, (W.shape[0], 1))
    return np.hstack([W, column]), np.vstack([H, np.ones((1, H.shape[1]))])


def deviance_with_offset(V, W, H, b):
    """Poisson deviance 2 sum [V log(V / (WH + b)) - V + WH + b]: 0 for a perfect fit.

    nh.deviance of the factors [W | b] and [H ; 1] (with_offset_module)."""
    V, W, H = validation.factors(V, W, H)
    return nh.deviance(V, *with_offset_module(W, H, _offset(b, V)))


def update_with_offset(V, W, H, b):
    """One multiplicative step for V ~ Poisson(W H + b), b fixed; returns new (W, H).

        Q = V / (W H + b)
        W <- W * (Q H^T) / H.sum(axis=1)        then W's columns are scaled to sum to 1
        H <- H * (W^T Q)                        (Q recomputed; sum_i W[i, a] = 1)

    The step of nh.update_matmul with W H + b in the ratio; with b = 0 it is that step. It is
    the reference for notebook 08's exercise; fits take the same step, extrapolated, in the
    engine (nmf_course.fastfit.fit_kl with offset=b).
    """
    V, W, H = validation.factors(V, W, H)
    b = _offset(b, V)
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
    return _b_step(V, W @ H, _offset(b, V))


def _b_step(V, WH, b):
    Q = nh.ratio(V, WH + b)
    return b * Q.mean() if b.ndim == 0 else b * Q.mean(axis=1, keepdims=True)


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
    """Fit V ~ Poisson(W H + b) with nmf's engine; return the best restart.

    ``b``: the offset to start from (or to keep, with estimate_b=False): a number or an N x 1
    column; None starts from the 10th percentile of V. W and H are fitted by
    nmf_course.fastfit.fit_kl with the offset b (extrapolated multiplicative steps). With
    ``estimate_b`` the fit alternates: check_every steps of W and H with b fixed, then
    as many multiplicative steps of b (update_offset_b) with W and H fixed, one number for all
    of V, or one per row with ``per_pixel=True``; no step raises the deviance. Stops when the
    deviance falls by at most tol * D over each of two checks in a row, check_every
    iterations apart (nh.has_stopped_falling), or after max_iter iterations of W and H.
    """
    V = validation.as_matrix(V, "V")
    R, max_iter, n_restarts, _ = validation.fit_options(V, R, max_iter, tol, n_restarts, None)
    rng = np.random.default_rng(validation.seed(seed))
    b0 = _offset(np.percentile(V, 10) if b is None else b, V)
    if estimate_b and per_pixel and b0.ndim == 0:
        b0 = np.full((V.shape[0], 1), float(b0))
    b0 = np.maximum(b0, 1e-3) if estimate_b else b0  # a zero offset could never grow again
    options = {"max_iter": max_iter, "tol": tol, "check_every": check_every}
    with threadpool_limits(limits=1, user_api="blas"):  # thin products: threads cost more than they save
        fits = [_fit_one(V, *nh.random_start(rng, *V.shape, R, np.maximum(V - b0, 0) + 1e-3), b0,
                         estimate_b, **options)
                for _ in range(n_restarts)]
    W, H, b_best, trace, n_iter, converged = min(fits, key=lambda fit: fit[3][-1])
    return OffsetResult(W=W, H=H, b=b_best, deviance=float(trace[-1]), n_iter=n_iter,
                        converged=converged, deviance_trace=trace, check_every=check_every,
                        restart_deviances=np.array([fit[3][-1] for fit in fits]))


def _fit_one(V, W, H, b, estimate_b, max_iter, tol, check_every):
    """One restart of nmf_with_offset from (W, H): (W, H, b, trace, n_iter, converged)."""
    if not estimate_b:  # b fixed: one call of the engine
        out = fit_kl(V, W, H, offset=b, max_iter=max_iter, tol=tol, check_every=check_every)
        return out.W, out.H, b, out.deviance_trace, out.n_iter, out.converged
    trace, n_iter = [deviance_with_offset(V, W, H, b)], 0
    while n_iter < max_iter:
        steps = min(check_every, max_iter - n_iter)  # one check: two points, so fit_kl never stops early
        out = fit_kl(V, W, H, offset=b, max_iter=steps, tol=tol, check_every=steps)
        W, H, n_iter = out.W, out.H, n_iter + out.n_iter
        WH = W @ H
        for _ in range(out.n_iter):  # as many steps of b as of W and H
            b = _b_step(V, WH, b)
        trace.append(deviance_with_offset(V, W, H, b))
        if nh.has_stopped_falling(trace, tol):
            return W, H, b, np.array(trace), n_iter, True
    return W, H, b, np.array(trace), n_iter, False
