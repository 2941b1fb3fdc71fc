"""fastfit: a fast, converged Poisson (KL) NMF fit, V ~ W H.

One public function, fit_kl(). It minimises the Poisson deviance of the observed entries

    D(W, H) = 2 * sum_{i,mu observed} [ V log(V / WH) - V + WH ]      (0 log 0 = 0),

which is -2 times the Poisson log-likelihood plus a constant that depends on V only, so
minimising D is maximising the likelihood, and differences of D are differences of
-2 log-likelihood (in "deviance units").

The method: Lee & Seung's multiplicative update (MU), made faster by an extrapolation with
a monotone safeguard. What is borrowed and what is the course's own:

- Ang & Gillis 2019 ("Accelerating nonnegative matrix factorization algorithms using
  extrapolation", Neural Computation 31(2):417-439) treat least-squares NMF solved by HALS
  and ANLS, and extrapolate *linearly*, Y = X + beta (X - X_before), projected onto the
  non-negative orthant, discarding Y when the error rises. From them the course takes the
  idea of extrapolating between steps with a safeguard, and the way beta is managed (grow
  it while extrapolation is accepted, under a ceiling that creeps up; shrink it and lower
  the ceiling on a rejection); the constants below are the course's settings.
- The course's own: applying it to MU steps on the Poisson (KL) deviance, and extrapolating
  *geometrically*, on log W and log H, which suits multiplicative steps, never produces a
  negative entry (so nothing is clipped) and keeps an entry at 0 at 0. No paper analyses this
  variant; its only guarantee is the safeguard below (D never rises), and the benchmarks
  (benchmarks/results.md) are the evidence that it is faster. For a published MU method with
  extrapolation for the KL (beta = 1) divergence, with convergence guarantees, see Hien,
  Leplat & Gillis, "Block majorization minimization with extrapolation and application to
  beta-NMF" (arXiv:2401.06646, 2024).


    X_k = MU(Y_{k-1})                               a plain MU step from the point Y
    Y_k = X_k * (X_k / X_{k-1})**beta               extrapolate along the last move
          (elementwise, on every entry of W and H)
    accept Y_k if D(Y_k) <= D(Y_{k-1}); otherwise take Y_k = X_k (no extrapolation)
    and make beta smaller.

One MU step never increases D, so D(X_k) <= D(Y_{k-1}): the fallback is always allowed, and
the deviance of the points the MU steps start from never increases. The safeguard is
cheap: the MU step from Y_k needs the product W H at Y_k anyway, and D needs only a
logarithm of it. beta grows while extrapolation keeps being accepted (times GROW, capped
by beta_max, which itself creeps up towards 1 by GROW_MAX) and is divided by SHRINK on a
rejection, when beta_max becomes the beta that failed.

nmf_helpers.nmf() calls fit_kl. The stopping rule, the one the notebooks teach, is
nmf_course.rules.has_stopped_falling, which nmf_helpers' own fit loop uses too; this module
imports nothing of the course above it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nmf_course.rules import has_stopped_falling, normalize_columns
from nmf_course.validation import shapes_fit

__all__ = ["FitOutcome", "fit_kl"]

# extrapolation schedule (its form after Ang & Gillis 2019; these values are the course's)
BETA_START = 0.5   # the first extrapolation weight
GROW = 1.05        # beta <- min(beta_max, GROW * beta) after an accepted extrapolation
GROW_MAX = 1.01    # beta_max <- min(1, GROW_MAX * beta_max) after an accepted extrapolation
SHRINK = 1.5       # beta <- beta / SHRINK after a rejected one (and beta_max <- the old beta)


@dataclass
class FitOutcome:
    """What fit_kl returns.

    W (N x R, each column sums to 1) and H (R x M, carrying the scale); deviance_trace: the
    deviance of the observed entries (summed in float64) at the start and at each check;
    n_iter: multiplicative steps taken; converged: whether the stopping rule was met.
    """
    W: np.ndarray
    H: np.ndarray
    deviance_trace: np.ndarray
    n_iter: int
    converged: bool


class _Point:
    """One point (W, H): W (N x R) and H (R x M) stored one after the other in one flat array.

    An extrapolation treats every entry of W and H alike, so on the flat array it is four
    NumPy calls whatever the shapes (on small tables the calls, not the arithmetic, cost).
    """

    def __init__(self, N, R, M, dtype):
        self.flat = np.empty(N * R + R * M, dtype)
        self.W = self.flat[:N * R].reshape(N, R)   # views: writing W or H writes flat
        self.H = self.flat[N * R:].reshape(R, M)


class _Problem:
    """V, the optional mask, and the buffers the steps write into (allocated once)."""

    def __init__(self, V, mask, dtype, R, offset=None):
        self.dtype = dtype
        self.offset = None if offset is None else np.asarray(offset).astype(dtype)
        self.floor = np.finfo(dtype).tiny ** 0.25  # about 1e-77 (float64), 3e-10 (float32)
        self.V = np.asarray(V).astype(dtype, copy=False)
        self.mask = None if mask is None else np.asarray(mask).astype(dtype)
        if self.mask is not None:
            self.V = self.V * self.mask  # hidden entries count for nothing
        N, M = self.V.shape
        self.shape = (N, R, M)
        self.WH = np.empty((N, M), dtype)   # the model W @ H
        self.Q = np.empty((N, M), dtype)    # V / WH, and scratch space for the deviance
        self.grad_W = np.empty((N, R), dtype)
        self.grad_H = np.empty((R, M), dtype)
        # the parts of D that depend on V only, in float64
        V64 = self.V.astype(np.float64)
        positive = V64 > 0
        self.v_log_v = float(np.sum(V64[positive] * np.log(V64[positive])))
        self.v_sum = float(V64.sum())

    def model(self, W, H):
        """The expected counts W @ H (+ the fixed offset, if any), into the buffer WH."""
        WH = np.matmul(W, H, out=self.WH)
        if self.offset is not None:
            WH += self.offset
        return WH

    def point(self):
        """A new, empty point (W, H) of this problem's shapes."""
        return _Point(*self.shape, self.dtype)

    def deviance(self, point):
        """D = 2 [sum V log V - sum V log WH - sum V + sum WH] over observed entries, in float64.

        Here WH is the model, W @ H (+ the offset, if any), computed at the point into the
        buffer WH (the next MU step starts from it); overwrites the buffer Q.
        """
        W, H = point.W, point.H
        WH = self.model(W, H)
        if self.mask is not None:
            model_sum = float(np.multiply(WH, self.mask, out=self.Q).sum(dtype=np.float64))
        elif self.dtype == np.float32 or self.offset is not None:
            # float32: summing the rounded WH cancels its rounding against that in sum V log WH
            model_sum = float(WH.sum(dtype=np.float64))
        else:  # sum of W H = sum_a (column sum of W)_a (row sum of H)_a
            model_sum = float(W.sum(axis=0) @ H.sum(axis=1))
        log_wh = np.log(WH, out=self.Q)  # V = 0 (and hidden entries) add 0: WH > 0
        if self.dtype == np.float64:
            v_log_wh = float(np.vdot(self.V, log_wh))
        else:  # a float32 dot product would also add up in float32
            v_log_wh = float(np.multiply(log_wh, self.V, out=log_wh).sum(dtype=np.float64))
        return 2.0 * (self.v_log_v - v_log_wh - self.v_sum + model_sum)

    def mu_step(self, start, out):
        """One multiplicative step from the point start into the point out.

            W <- W * (Q @ H.T) / (mask @ H.T)        Q = V / WH
            W's columns scaled to sum to 1, H's rows the other way (W H unchanged)
            H <- H * (W.T @ Q) / (W.T @ mask)        Q recomputed with the new W

        The buffer WH must hold W @ H at start (deviance() leaves it there). Without a mask,
        mask @ H.T is H's row sums and W.T @ mask is 1 (columns of W sum to 1). Every entry
        is kept at or above the floor, so W H > 0 everywhere.
        """
        V, Q, floor = self.V, self.Q, self.floor
        W, H = out.W, out.H
        np.divide(V, self.WH, out=Q)
        np.multiply(start.W, np.matmul(Q, start.H.T, out=self.grad_W), out=W)
        if self.mask is not None:
            W /= np.maximum(self.mask @ start.H.T, floor)
        np.maximum(W, floor, out=W)
        scale = W.sum(axis=0)
        W /= scale
        if self.mask is None:  # dividing W's column a by H's row sum a cancels: it lands on H
            scale /= start.H.sum(axis=1)
        np.multiply(start.H, scale[:, np.newaxis], out=H)
        np.divide(V, self.model(W, H), out=Q)
        H *= np.matmul(W.T, Q, out=self.grad_H)
        if self.mask is not None:
            H /= np.maximum(W.T @ self.mask, floor)
        np.maximum(H, floor, out=H)

    def extrapolate(self, X, X_before, beta, out):
        """out = X * (X / X_before)**beta, entry by entry, floored.

        The extrapolation is geometric (on log W and log H): an entry that the last step
        multiplied by f is multiplied by f**beta once more. It keeps every entry positive,
        whereas the linear step X + beta (X - X_before) would have to clip shrinking
        entries to the floor, where a multiplicative update could never revive them.
        (W's columns need not sum to 1 here: the next MU step rescales them.)
        """
        Y = out.flat
        np.divide(X.flat, X_before.flat, out=Y)
        np.power(Y, beta, out=Y)
        Y *= X.flat
        np.maximum(Y, self.floor, out=Y)


def fit_kl(V, W, H, mask=None, offset=None, *, max_iter=50_000, tol=2e-9,
           check_every=50) -> FitOutcome:
    """Fit V ~ W H by minimising the Poisson deviance with extrapolated multiplicative updates.

    V: N x M non-negative float array (float32 or float64), zero where mask hides it.
    W (N x R), H (R x M): a positive start; W's dtype sets the precision of the products
    (float32 about twice as fast); the deviance is always summed in float64.
    mask: None, or an N x M bool array, True where an entry is observed. Hidden entries are
    neither fitted nor scored.
    offset: None, or a fixed background b (a number or an N x 1 column): the model is then
    W H + b (notebook 08), b enters the ratio V / (W H + b) and the deviance, and the
    steps are otherwise the same.

    Stopping rule (scale-free, and no dropped constant enters it): every check_every
    steps, with D_now and D_before the deviance now and check_every steps earlier,

        the check is flat when  D_before - D_now <= tol * max(D_now, 1)   (rules.has_converged),

    and the fit stops after two flat checks in a row (rules.has_stopped_falling): near a
    saddle point a fit can pause for one check and then fall again by several units.
    With the defaults (a drop of at most 2e-9 of D in 50 steps, twice: 1e-5 deviance
    units at D = 5,000) fits end within 1 deviance unit of where a far longer run ends
    (checked on simulated and course tables from 40 x 200 to 1,000 x 200, underfitted and
    overfitted). A fit can still sit on a long plateau near a saddle point and stop there;
    restarts handle that.

    The inputs are not modified. Returns a FitOutcome (W's columns sum to 1).
    """
    dtype = np.dtype(W.dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"W must be float32 or float64, got {dtype}")
    shapes_fit(V, W, H)
    if mask is not None and np.shape(mask) != V.shape:
        raise ValueError(f"mask must have V's shape {V.shape}, got {np.shape(mask)}")
    problem = _Problem(V, mask, dtype, W.shape[1], offset)
    X, X_before, Y = problem.point(), problem.point(), problem.point()
    _positive_start(W, H, problem.floor, out=Y)  # Y: the point the next MU step starts from
    np.copyto(X.flat, Y.flat)                    # X: the last MU step's result (X_0: the start)
    D = problem.deviance(Y)                      # D: the deviance at Y
    trace = [D]
    schedule = _Schedule()
    converged, n_iter = False, 0
    while n_iter < max_iter:
        X, X_before = X_before, X                # the new X is written over the oldest point
        problem.mu_step(Y, out=X)                # D(X) <= D
        n_iter += 1
        D = _safeguarded_extrapolation(problem, X, X_before, D, schedule, out=Y)
        if n_iter % check_every == 0:
            trace.append(D)
            if has_stopped_falling(trace, tol):
                converged = True
                break
    if n_iter % check_every != 0:
        trace.append(D)
    W, H = normalize_columns(Y.W, Y.H)   # new arrays, W's columns summing to 1
    return FitOutcome(W=W, H=H, deviance_trace=np.array(trace), n_iter=n_iter,
                      converged=converged)


def _positive_start(W, H, floor, out):
    """W and H into the point out, floored, W's columns scaled to sum to 1 (W H unchanged)."""
    np.maximum(W, floor, out=out.W)   # cast to the point's dtype first, then scaled in it
    np.maximum(H, floor, out=out.H)
    out.W[...], out.H[...] = normalize_columns(out.W, out.H)


class _Schedule:
    """The extrapolation weight beta and its ceiling beta_max (managed as in Ang & Gillis 2019)."""

    def __init__(self):
        self.beta, self.beta_max = BETA_START, 1.0

    def accepted(self):  # be bolder
        self.beta = min(self.beta_max, GROW * self.beta)
        self.beta_max = min(1.0, GROW_MAX * self.beta_max)

    def rejected(self):  # be more careful, and never as bold as what just failed
        self.beta, self.beta_max = self.beta / SHRINK, self.beta


def _safeguarded_extrapolation(problem, X, X_before, D, schedule, out):
    """Write the next starting point Y into out and return its deviance.

    Y = X * (X / X_before)**beta is kept if D(Y) <= D (the deviance of the point X was
    stepped from); otherwise Y = X, whose deviance is <= D because an MU step never
    raises it. Either way problem.WH ends up holding the product at Y.
    """
    problem.extrapolate(X, X_before, schedule.beta, out=out)
    D_y = problem.deviance(out)
    if D_y <= D:
        schedule.accepted()
        return D_y
    schedule.rejected()
    np.copyto(out.flat, X.flat)
    return problem.deviance(out)
