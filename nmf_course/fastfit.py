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

and every SAFEGUARD_EVERY steps a safeguard: if D(Y_k) is no higher than the deviance of the
last safe point, Y_k becomes the safe point and beta grows; otherwise the run goes back to
the safe point and beta shrinks. The deviance needs a logarithm of all N x M entries, about
as much work as a step's two divisions; paying it once per SAFEGUARD_EVERY steps instead of
every step is what brings a step close to the cost of a plain MU step (benchmarks/results.md).
The safe points' deviances never rise, and the returned point is a safe point. beta grows
while extrapolation keeps being accepted (times GROW, capped by beta_max, which itself creeps
up towards 1 by GROW_MAX) and is divided by SHRINK on a rejection, when beta_max becomes the
beta that failed.

Where the stopping rule holds, the fit may be near a saddle point rather than a minimum;
fit_kl tests the point with a random perturbation and a second run (see fit_kl), the
perturbed-descent idea (Jin et al. 2017, "How to escape saddle points efficiently", ICML).

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
GROW = 1.2         # beta <- min(beta_max, GROW * beta) after an accepted extrapolation
GROW_MAX = 1.01    # beta_max <- min(1, GROW_MAX * beta_max) after an accepted extrapolation
SHRINK = 1.5       # beta <- beta / SHRINK after a rejected one (and beta_max <- the old beta)
BETA_CEILING = 1.0  # beta_max never grows above this
SAFEGUARD_EVERY = 10  # steps between safeguard checks (each costs a logarithm of every entry)

# the test of a stopped point (see fit_kl)
ESCAPE_SIZE = 0.1     # each entry of W and H times exp(ESCAPE_SIZE z), z standard normal
ESCAPE_GAIN = 0.1     # go on if the perturbed run ends this many deviance units lower
ESCAPE_SEED = 0


@dataclass
class FitOutcome:
    """What fit_kl returns.

    W (N x R, each column sums to 1) and H (R x M, carrying the scale); deviance_trace: the
    deviance of the observed entries (summed in float64) at the start and at each check;
    n_iter: multiplicative steps taken (those of escape tests included); converged: whether
    the stopping rule was met; escape_tests: how many stopped points were tested.
    """
    W: np.ndarray
    H: np.ndarray
    deviance_trace: np.ndarray
    n_iter: int
    converged: bool
    escape_tests: int = 0


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
           check_every=50, escape=True) -> FitOutcome:
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

    and the run stops after two flat checks in a row (rules.has_stopped_falling).

    escape: near a saddle point a fit can be flat for thousands of steps and then fall again
    by several units, which no rule that looks at recent progress can see. So where the rule
    holds, the point is tested (escape_test): every entry of W and H is multiplied by
    exp(ESCAPE_SIZE z), z standard normal (a fixed seed: the same call gives the same fit),
    and a second run starts there, with the same stopping rule (it also stops as soon as it is
    ESCAPE_GAIN below the stopped point). If it gets more than ESCAPE_GAIN deviance units below the
    stopped point, the fit goes on from there (and is tested again when it stops next);
    otherwise the stopped point is returned. escape=False skips the test.

    Guarantees: the deviance of the returned point is never above the start's, and never
    above any point of deviance_trace. The trace holds the deviance at the start and at every
    check of the path to the returned point, check_every steps of that path apart; a test's
    run is not in it (it starts above the stopped point), and where a test succeeded the path
    goes on from the test's end point. n_iter counts every step, the tests' included.

    The inputs are not modified. Returns a FitOutcome (W's columns sum to 1).
    """
    dtype = np.dtype(W.dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"W must be float32 or float64, got {dtype}")
    shapes_fit(V, W, H)
    if mask is not None and np.shape(mask) != V.shape:
        raise ValueError(f"mask must have V's shape {V.shape}, got {np.shape(mask)}")
    problem = _Problem(V, mask, dtype, W.shape[1], offset)
    start = problem.point()
    _positive_start(W, H, problem.floor, out=start)
    run = _Run(problem, start)
    run.until_stopped(max_iter, tol, check_every)
    n_tests = 0
    rng = np.random.default_rng(ESCAPE_SEED)
    while escape and run.converged and run.n_iter < max_iter:
        n_tests += 1
        found = _escape_test(problem, run, rng, max_iter, tol, check_every)
        if not found:
            break
        run.until_stopped(max_iter, tol, check_every)
    W, H = normalize_columns(run.point.W, run.point.H)   # new arrays, W's columns summing to 1
    return FitOutcome(W=W, H=H, deviance_trace=np.array(run.trace), n_iter=run.n_iter,
                      converged=run.converged, escape_tests=n_tests)


class _Run:
    """A run of extrapolated MU steps with a safeguard, from one start.

    Each step: X_k = MU(Y_{k-1}), then Y_k = X_k * (X_k / X_{k-1})**beta. Every
    SAFEGUARD_EVERY steps (and at every check of the stopping rule) the deviance of Y is
    computed and compared with that of the last safe point: if it is not higher, Y becomes
    the safe point and beta grows; if it is higher, the run goes back to the safe point and
    beta shrinks. So the deviance of the safe points never rises, and the logarithm of all
    N x M entries that the deviance needs is paid once per SAFEGUARD_EVERY steps, not every
    step. self.point is the last safe point, self.deviance its deviance.
    """

    def __init__(self, problem, start, n_iter=0):
        self.problem = problem
        self.point = problem.point()                 # the last safe point
        np.copyto(self.point.flat, start.flat)
        self.deviance = problem.deviance(self.point)
        self.trace = [self.deviance]
        self.n_iter = n_iter
        self.converged = False
        self.schedule = _Schedule()

    def until_stopped(self, max_iter, tol, check_every, below=-np.inf):
        """Step until the stopping rule holds, max_iter steps in all, or the deviance < below."""
        problem, schedule = self.problem, self.schedule
        X, X_before, Y = problem.point(), problem.point(), problem.point()
        np.copyto(X.flat, self.point.flat)
        np.copyto(Y.flat, self.point.flat)
        problem.model(Y.W, Y.H)             # the MU step needs W H at Y
        self.converged = False
        while self.n_iter < max_iter:
            X, X_before = X_before, X       # the new X is written over the oldest point
            problem.mu_step(Y, out=X)
            problem.extrapolate(X, X_before, schedule.beta, out=Y)
            self.n_iter += 1
            at_check = self.n_iter % check_every == 0
            if not (at_check or self.n_iter % SAFEGUARD_EVERY == 0):
                problem.model(Y.W, Y.H)
                continue
            D = problem.deviance(Y)         # leaves W H at Y in problem.WH
            if D <= self.deviance:
                schedule.accepted()
                np.copyto(self.point.flat, Y.flat)
                self.deviance = D
            else:                           # back to the safe point, more carefully
                schedule.rejected()
                np.copyto(Y.flat, self.point.flat)
                np.copyto(X.flat, self.point.flat)
                problem.model(Y.W, Y.H)
            if at_check:
                self.trace.append(self.deviance)
                if self.deviance < below:
                    return
                if has_stopped_falling(self.trace, tol):
                    self.converged = True
                    return
        if self.trace[-1] != self.deviance:
            self.trace.append(self.deviance)


def _escape_test(problem, run, rng, max_iter, tol, check_every):
    """Test the stopped point of run: perturb it, run again, keep the better point.

    Returns True (and moves run to the new point) if the new run got more than ESCAPE_GAIN
    below the stopped deviance: the fit should go on from there. Returns False otherwise, and
    run keeps its stopped point: a run that ends a little lower (less than ESCAPE_GAIN) has
    found the same optimum, and which of two such points is lower is decided by rounding,
    which differs between CPUs; the stopped point does not depend on that comparison.
    """
    trial_start = problem.point()
    np.multiply(run.point.flat, np.exp(ESCAPE_SIZE * rng.standard_normal(trial_start.flat.size)),
                out=trial_start.flat)
    trial = _Run(problem, trial_start, n_iter=run.n_iter)
    # the fit's own rule: with a looser one the test's run can stop on the plateau it was
    # meant to leave (tests/test_fastfit.py, a plateau on the course's 100 x 60 table)
    trial.until_stopped(max_iter, tol, check_every, below=run.deviance - ESCAPE_GAIN)
    run.n_iter = trial.n_iter
    if trial.deviance >= run.deviance - ESCAPE_GAIN:
        return False
    run.point, run.deviance, run.schedule = trial.point, trial.deviance, trial.schedule
    return True


def _positive_start(W, H, floor, out):
    """W and H into the point out, floored, W's columns scaled to sum to 1 (W H unchanged)."""
    np.maximum(W, floor, out=out.W)   # cast to the point's dtype first, then scaled in it
    np.maximum(H, floor, out=out.H)
    out.W[...], out.H[...] = normalize_columns(out.W, out.H)


class _Schedule:
    """The extrapolation weight beta and its ceiling beta_max (managed as in Ang & Gillis 2019)."""

    def __init__(self):
        self.beta, self.beta_max = BETA_START, BETA_CEILING

    def accepted(self):  # be bolder
        self.beta = min(self.beta_max, GROW * self.beta)
        self.beta_max = min(BETA_CEILING, GROW_MAX * self.beta_max)

    def rejected(self):  # be more careful, and never as bold as what just failed
        self.beta, self.beta_max = self.beta / SHRINK, self.beta
