"""The other classic objective: squared error (notebook 10).

Everything in nmf_helpers maximises the Poisson log-likelihood, which is the same as
minimising the generalised Kullback-Leibler divergence D_KL(V || WH) (generalized_kl).
The other classic objective is the squared error

    ||V - WH||_F^2 = sum_{i,mu} (V[i, mu] - (WH)[i, mu])^2,

the right one when the noise is Gaussian with the same spread everywhere, while the
KL / Poisson objective suits counts, whose spread grows with their mean. Its Lee & Seung
multiplicative step is the rule scikit-learn's NMF(solver="mu", beta_loss="frobenius") uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import nmf_helpers as nh  # used at call time only (nmf_helpers imports this module)
from nmf_course import validation


def frobenius_error(V, W, H):
    """Squared error ||V - W H||_F^2 = sum_{i,mu} (V - WH)^2 (the full sum, not half of it).

    The right objective when the noise is Gaussian with the same spread everywhere; the
    Poisson/KL objective suits counts, whose spread grows with their mean. scikit-learn's
    NMF(beta_loss="frobenius") reports reconstruction_err_ = the square root of this.
    """
    V, W, H = validation.factors(V, W, H)
    return float(np.sum((V - W @ H) ** 2))


def generalized_kl(V, W, H):
    """Generalised Kullback-Leibler divergence D_KL(V || WH) = sum [V log(V / WH) - V + WH].

    It is half the deviance, and D_KL = -log_likelihood(V, W, H) + sum [V log V - V]: the
    last sum depends on V only, so minimising D_KL is maximising the Poisson likelihood.
    scikit-learn's NMF(beta_loss="kullback-leibler") reports reconstruction_err_ = sqrt(2 D_KL).
    """
    return nh.deviance(V, W, H) / 2


FROBENIUS_FLOOR = np.finfo(np.float64).tiny  # the smallest a denominator may be (avoids 0/0)


def update_frobenius(V, W, H):
    """One multiplicative step for the squared error (Lee & Seung); returns new (W, H).

        W <- W * (V H^T) / (W H H^T)
        H <- H * (W^T V) / (W^T W H)      (with the new W)

    It never raises the squared error and keeps W and H non-negative. A denominator of
    exactly 0 (a module with no weight at all) is replaced by FROBENIUS_FLOOR, so the
    entry stays 0 instead of becoming NaN. W's columns are not normalised: the step is
    scale-equivariant, so normalising before or after never changes W H.
    """
    V, W, H = validation.factors(V, W, H)
    W = W * (V @ H.T) / np.maximum(W @ (H @ H.T), FROBENIUS_FLOOR)
    H = H * (W.T @ V) / np.maximum((W.T @ W) @ H, FROBENIUS_FLOOR)
    return W, H


@dataclass
class FrobeniusResult:
    """The best fit of nmf_frobenius(): W (N x R, columns sum to 1), H (R x M) and how it went."""
    W: np.ndarray
    H: np.ndarray
    squared_error: float      # ||V - W H||_F^2 at the end
    n_iter: int
    converged: bool
    trace: np.ndarray         # squared error at the start and every check_every iterations
    check_every: int


def nmf_frobenius(V, R, *, max_iter=20_000, tol=1e-9, n_restarts=1, seed=None,
                  check_every=10, init=None):
    """Fit V ~ W H by minimising ||V - WH||_F^2 with update_frobenius.

    Like nmf(update="matmul") but for the squared error: the same random starts and
    restarts, and the same stopping rule on the squared error E (it has no dropped
    constant either): E_before - E_now <= tol * E_now over check_every iterations.
    Returns the restart with the smallest error, W's columns scaled to sum to 1.
    """
    V = validation.as_matrix(V, "V")
    R, max_iter, n_restarts, init = validation.fit_options(V, R, max_iter, tol, n_restarts, init)
    check_every = validation.integer(check_every, "check_every")
    rng = np.random.default_rng(validation.seed(seed))
    fits = []
    for _ in range(n_restarts):
        W, H = init if init is not None else nh.random_start(rng, *V.shape, R, V)
        fits.append(nh.fit_step_by_step(V, W, H, update_frobenius, frobenius_error,
                                        max_iter, tol, check_every))
    W, H, trace, n_iter, converged = nh.best_restart(fits)
    W, H = nh.normalize_columns(W, H)
    return FrobeniusResult(W=W, H=H, squared_error=float(trace[-1]), n_iter=n_iter,
                           converged=converged, trace=trace, check_every=check_every)
