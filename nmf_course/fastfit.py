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

__all__ = ["FitOutcome", "fit_kl", "fit_kl_many"]

# extrapolation schedule (its form after Ang & Gillis 2019; these values are the course's)
BETA_START = 0.5   # the first extrapolation weight
GROW = 1.2         # beta <- min(beta_max, GROW * beta) after an accepted extrapolation
GROW_MAX = 1.01    # beta_max <- min(1, GROW_MAX * beta_max) after an accepted extrapolation
SHRINK = 1.5       # beta <- beta / SHRINK after a rejected one (and beta_max <- the old beta)
BETA_CEILING = 1.0  # beta_max never grows above this
SAFEGUARD_EVERY = 10  # steps between safeguard checks (each costs a logarithm of every entry)

# the test of a stopped point (see fit_kl)
ESCAPE_SIZE = 0.1     # each entry of W and H times exp(ESCAPE_SIZE z), z standard normal
ESCAPE_GAIN = 0.1     # go on if the perturbed run ends this many deviance units lower,
ESCAPE_CHECKS = 10    # and lower than this many checks' worth of the rule's tolerance
ESCAPE_SEED = 0

# fit_kl_many: the runs stepping together hold at most about this many entries of V's shape
BATCH_ENTRIES = 2_000_000


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



class _Points:
    """K points (W, H) in one flat array: the K W's (N x R each) first, then the K H's (R x M).

    So W (K x N x R) and H (K x R x M) are each one contiguous stack, for the matrix
    products of K runs at once, and an extrapolation, which treats every entry alike, is a
    few NumPy calls on flat whatever the shapes: on small tables NumPy's per-call cost is a
    large part of a step, and K runs stepping together share it.
    """

    def __init__(self, problem, K=1):
        N, R, M = problem.shape
        self.flat = np.empty(K * problem.size, problem.dtype)
        self.W = self.flat[:K * N * R].reshape(K, N, R)   # views: writing W or H writes flat
        self.H = self.flat[K * N * R:].reshape(K, R, M)

    def set(self, k, other, j=0):
        """Point k becomes a copy of point j of other."""
        np.copyto(self.W[k], other.W[j])
        np.copyto(self.H[k], other.H[j])


class _Problem:
    """V, the optional mask and offset, and what every run of one table shares."""

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
        self.size = N * R + R * M
        self.WH = np.empty((N, M), dtype)   # scratch space for the deviance of a new start
        self.Q = np.empty((N, M), dtype)
        # the parts of D that depend on V only, in float64
        V64 = self.V.astype(np.float64)
        positive = V64 > 0
        self.v_log_v = float(np.sum(V64[positive] * np.log(V64[positive])))
        self.v_sum = float(V64.sum())

    def model(self, W, H, out):
        """The expected counts W @ H (+ the fixed offset, if any), into out."""
        WH = np.matmul(W, H, out=out)
        if self.offset is not None:
            WH += self.offset
        return WH

    def deviance(self, W, H, WH=None, Q=None):
        """D = 2 [sum V log V - sum V log WH - sum V + sum WH] over observed entries, in float64.

        Here WH is the model, W @ H (+ the offset, if any), at one point W (N x R), H (R x M),
        computed into the buffer WH (N x M; the next MU step starts from it); overwrites Q.
        """
        WH = self.model(W, H, out=self.WH if WH is None else WH)
        Q = self.Q if Q is None else Q
        if self.mask is not None:
            model_sum = float(np.multiply(WH, self.mask, out=Q).sum(dtype=np.float64))
        elif self.dtype == np.float32 or self.offset is not None:
            # float32: summing the rounded WH cancels its rounding against that in sum V log WH
            model_sum = float(WH.sum(dtype=np.float64))
        else:  # sum of W H = sum_a (column sum of W)_a (row sum of H)_a
            model_sum = float(W.sum(axis=0) @ H.sum(axis=1))
        log_wh = np.log(WH, out=Q)  # V = 0 (and hidden entries) add 0: WH > 0
        if self.dtype == np.float64:
            v_log_wh = float(np.vdot(self.V, log_wh))
        else:  # a float32 dot product would also add up in float32
            v_log_wh = float(np.multiply(log_wh, self.V, out=log_wh).sum(dtype=np.float64))
        return 2.0 * (self.v_log_v - v_log_wh - self.v_sum + model_sum)

    def mu_step(self, steps):
        """One multiplicative step of every run in steps, from its point Y into its point X.

            W <- W * (Q @ H.T) / (mask @ H.T)        Q = V / WH
            W's columns scaled to sum to 1, H's rows the other way (W H unchanged)
            H <- H * (W.T @ Q) / (W.T @ mask)        Q recomputed with the new W

        steps.WH must hold W @ H at Y. Without a mask, mask @ H.T is H's row sums and
        W.T @ mask is 1 (columns of W sum to 1). Every entry is kept at or above the floor,
        so W H > 0 everywhere. (All arrays are stacks, run k in row k.)
        """
        V, Q, floor = self.V, steps.Q, self.floor
        W_start, H_start = steps.Y.W, steps.Y.H
        W, H = steps.X.W, steps.X.H
        np.divide(V, steps.WH, out=Q)
        np.multiply(W_start, np.matmul(Q, _T(H_start), out=steps.grad_W), out=W)
        if self.mask is not None:
            W /= np.maximum(self.mask @ _T(H_start), floor)
        np.maximum(W, floor, out=W)
        scale = W.sum(axis=-2)                       # column sums of each W: K x R
        W /= scale[..., np.newaxis, :]
        if self.mask is None:  # dividing W's column a by H's row sum a cancels: it lands on H
            scale /= H_start.sum(axis=-1)
        np.multiply(H_start, scale[..., np.newaxis], out=H)
        np.divide(V, self.model(W, H, out=steps.WH), out=Q)
        H *= np.matmul(_T(W), Q, out=steps.grad_H)
        if self.mask is not None:
            H /= np.maximum(_T(W) @ self.mask, floor)
        np.maximum(H, floor, out=H)

    def extrapolate(self, steps):
        """Y = X * (X / X_before)**beta, entry by entry, floored (beta: each run's own).

        The extrapolation is geometric (on log W and log H): an entry that the last step
        multiplied by f is multiplied by f**beta once more. It keeps every entry positive,
        whereas the linear step X + beta (X - X_before) would have to clip shrinking
        entries to the floor, where a multiplicative update could never revive them.
        (W's columns need not sum to 1 here: the next MU step rescales them.) One np.power
        call raises every entry of every run to its run's beta (steps.exponent()), so a run
        gets the same bits alone as in a group, and K runs cost one call, not 2 K.
        """
        Y, X = steps.Y, steps.X
        np.divide(X.flat, steps.X_before.flat, out=Y.flat)
        np.power(Y.flat, steps.exponent(), out=Y.flat)
        Y.flat *= X.flat
        np.maximum(Y.flat, self.floor, out=Y.flat)


def _T(stack):
    """Each matrix of a stack transposed (a view)."""
    return np.swapaxes(stack, -1, -2)


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
    far enough below the stopped point). If it gets more than ESCAPE_GAIN deviance units below the
    stopped point (and more than ESCAPE_CHECKS checks' worth of tol: _Fit.escape_gain), the fit
    goes on from there (and is tested again when it stops next); otherwise the stopped point is
    returned. escape=False skips the test.

    Guarantees: the deviance of the returned point is never above the start's, and never
    above any point of deviance_trace. The trace holds the deviance at the start and at every
    check of the path to the returned point, check_every steps of that path apart; a test's
    run is not in it (it starts above the stopped point), and where a test succeeded the path
    goes on from the test's end point. n_iter counts every step, the tests' included.

    The inputs are not modified. Returns a FitOutcome (W's columns sum to 1).
    fit_kl_many fits several starts at once, with the same result for each.
    """
    return fit_kl_many(V, [(W, H)], mask, offset, max_iter=max_iter, tol=tol,
                       check_every=check_every, escape=escape)[0]


def fit_kl_many(V, starts, mask=None, offset=None, *, max_iter=50_000, tol=2e-9,
                check_every=50, escape=True, on_done=None) -> list[FitOutcome]:
    """fit_kl from each start (W, H) in starts, the runs stepping together; one FitOutcome each.

    Each run takes exactly the steps it would take alone (the same arithmetic, entry by
    entry, so the same result to the last bit: tests/test_fastfit.py); stepping K runs
    together only shares NumPy's per-call cost among them, a large part of a step's cost on
    small tables (restarts, consensus runs; 1.2x to 2x faster at 100 x 60 in
    benchmarks/bench_together.py). Every start must have the same shapes and
    dtype. At most BATCH_ENTRIES entries of V's shape per run group are held at once.
    on_done: None, or a function called with no arguments each time a fit ends (a progress bar).
    """
    starts = list(starts)
    if not starts:
        raise ValueError("starts is empty: give at least one start (W, H)")
    dtype = np.dtype(starts[0][0].dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"W must be float32 or float64, got {dtype}")
    for W, H in starts:
        shapes_fit(V, W, H)
        if W.shape != starts[0][0].shape or np.dtype(W.dtype) != dtype:
            raise ValueError(f"every start must have the first's shapes and dtype ({dtype}); "
                             f"got W {W.shape} {W.dtype}")
    if mask is not None and np.shape(mask) != V.shape:
        raise ValueError(f"mask must have V's shape {V.shape}, got {np.shape(mask)}")
    problem = _Problem(V, mask, dtype, starts[0][0].shape[1], offset)
    options = dict(max_iter=max_iter, tol=tol, check_every=check_every, escape=escape)
    per_group = max(1, BATCH_ENTRIES // V.size)
    outcomes = []
    for first in range(0, len(starts), per_group):
        fits = [_Fit(problem, W, H, **options) for W, H in starts[first:first + per_group]]
        _step_together(problem, fits, max_iter, check_every, on_done or (lambda: None))
        outcomes += [fit.outcome() for fit in fits]
    return outcomes



class _Run:
    """A run of extrapolated MU steps with a safeguard, from one start, until it stops.

    Each step: X_k = MU(Y_{k-1}), then Y_k = X_k * (X_k / X_{k-1})**beta. Every
    SAFEGUARD_EVERY steps (and at every check of the stopping rule) the deviance of Y is
    computed and compared with that of the last safe point: if it is not higher, Y becomes
    the safe point and beta grows; if it is higher, the run goes back to the safe point and
    beta shrinks. So the deviance of the safe points never rises, and the logarithm of all
    N x M entries that the deviance needs is paid once per SAFEGUARD_EVERY steps, not every
    step. self.point is the last safe point, self.deviance its deviance. The steps
    themselves are taken by _step_together, for several runs at once.
    """

    def __init__(self, problem, start, tol, n_iter=0, below=-np.inf):
        self.point = _Points(problem)                # the last safe point
        self.point.set(0, start)
        self.deviance = problem.deviance(self.point.W[0], self.point.H[0])
        self.trace = [self.deviance]
        self.n_iter = n_iter
        self.tol, self.below = tol, below            # stop on the rule, or once below this
        self.converged = False
        self.schedule = _Schedule()

    def safeguard(self, problem, steps, k, at_check):
        """The check of the run in row k of steps after a step; True if the run stops here."""
        Y = steps.Y
        D = problem.deviance(Y.W[k], Y.H[k], steps.WH[k], steps.Q[k])  # leaves W H at Y in WH[k]
        if D <= self.deviance:
            self.schedule.accepted()
            self.point.set(0, Y, k)
            self.deviance = D
        else:                                              # back to the safe point, more carefully
            self.schedule.rejected()
            Y.set(k, self.point)
            steps.X.set(k, self.point)
            problem.model(Y.W[k], Y.H[k], out=steps.WH[k])
        steps.beta[k] = self.schedule.beta
        if not at_check:
            return False
        self.trace.append(self.deviance)
        if self.deviance < self.below:
            return True
        self.converged = has_stopped_falling(self.trace, self.tol)
        return self.converged

    def out_of_steps(self):
        """The run ends at max_iter: its last safe point closes the trace."""
        if self.trace[-1] != self.deviance:
            self.trace.append(self.deviance)


class _Fit:
    """One start's fit: its run, and after each stop the escape test (see fit_kl)."""

    def __init__(self, problem, W, H, *, max_iter, tol, check_every, escape):
        self.problem, self.max_iter, self.escape = problem, max_iter, escape
        start = _Points(problem)
        _positive_start(W, H, problem.floor, start.W[0], start.H[0])
        self.run = _Run(problem, start, tol)
        self.trial = None                    # the escape test's run, while one is under way
        self.rng = np.random.default_rng(ESCAPE_SEED)
        self.n_tests = 0
        self.done = self.run.n_iter >= max_iter
        if self.done:
            self.run.out_of_steps()

    def stepping(self):
        """The run that takes the next steps: the escape test's, during one, else the fit's."""
        return self.run if self.trial is None else self.trial

    def stopped(self):
        """The stepping run has stopped (its rule, its bound or max_iter): what comes next."""
        run, trial = self.run, self.trial
        if trial is None:
            self.done = not (self.escape and run.converged and run.n_iter < self.max_iter)
            if not self.done:
                self._start_test()
            return
        # the test's run ended: keep the stopped point unless the test got escape_gain() below
        # it (a run that ends a little lower has found the same optimum, and which of two such
        # points is lower is decided by rounding, which differs between CPUs)
        self.trial = None
        run.n_iter = trial.n_iter
        if trial.deviance >= run.deviance - self.escape_gain():
            self.done = True
            return
        run.point, run.deviance, run.schedule = trial.point, trial.deviance, trial.schedule
        run.converged = False
        self.done = run.n_iter >= self.max_iter
        if self.done:
            run.out_of_steps()

    def _start_test(self):
        """Perturb the stopped point (each entry times exp(ESCAPE_SIZE z)) and run from there,
        on the fit's own rule: with a looser one the test's run can stop on the plateau it
        was meant to leave (tests/test_fastfit.py, a plateau on the course's 100 x 60 table)."""
        self.n_tests += 1
        run = self.run
        kick = np.exp(ESCAPE_SIZE * self.rng.standard_normal(self.problem.size))
        trial_start = _Points(self.problem)
        np.multiply(run.point.flat, kick, out=trial_start.flat)
        self.trial = _Run(self.problem, trial_start, run.tol, n_iter=run.n_iter,
                          below=run.deviance - self.escape_gain())

    def escape_gain(self):
        """How far below the stopped point a test's run must get for the fit to go on:

            max(ESCAPE_GAIN, ESCAPE_CHECKS * tol * max(D, 1))      D: the stopped point's deviance

        The rule calls a run flat while it still falls up to tol * max(D, 1) per check, so with
        a loose tol (consensus runs, tol=1e-4) a stopped point is still on a slope, and any
        perturbed run gets 0.1 below it: the test would then succeed again and again without a
        saddle. A test that goes on must gain more than ten checks' worth of what the rule calls
        flat. With the default tol (2e-9) the second term is below 0.1 unless D > 5 million."""
        slack = ESCAPE_CHECKS * self.run.tol * max(self.run.deviance, 1.0)
        return max(ESCAPE_GAIN, slack)

    def outcome(self):
        W, H = normalize_columns(self.run.point.W[0], self.run.point.H[0])
        return FitOutcome(W=W, H=H, deviance_trace=np.array(self.run.trace), n_iter=self.run.n_iter,
                          converged=self.run.converged, escape_tests=self.n_tests)


class _Steps:
    """The working points of the runs that step together: point k of X, X_before and Y
    (_Points) is run k's (the new X, the one before, the extrapolated point), WH[k] its model
    at Y and beta[k] its extrapolation weight."""

    def __init__(self, problem, runs, before=None, rows=()):
        """Point k is copied from point rows[k] of the _Steps before, where given (a run going
        on), otherwise set to run k's safe point (a run starting)."""
        K, (N, R, M), dtype = len(runs), problem.shape, problem.dtype
        self.X, self.X_before, self.Y = (_Points(problem, K) for _ in range(3))
        self.WH, self.Q = np.empty((K, N, M), dtype), np.empty((K, N, M), dtype)
        self.grad_W, self.grad_H = np.empty((K, N, R), dtype), np.empty((K, R, M), dtype)
        self.beta = [run.schedule.beta for run in runs]
        for k, (run, row) in enumerate(zip(runs, rows or [None] * K)):
            if row is not None:
                for name in ("X", "X_before", "Y"):
                    getattr(self, name).set(k, getattr(before, name), row)
                self.WH[k] = before.WH[row]
                self.beta[k] = before.beta[row]
                continue
            self.X.set(k, run.point)
            self.Y.set(k, run.point)
            problem.model(self.Y.W[k], self.Y.H[k], out=self.WH[k])
        self._sizes, self._dtype = (N * R, R * M), dtype
        self._exponent, self._exponent_of = None, None

    def exponent(self):
        """Each entry's extrapolation weight, laid out as the points' flat arrays (the K W's,
        then the K H's): run k's beta on its own entries. Rebuilt only when a beta has changed
        (at a safeguard)."""
        if self._exponent_of != self.beta:
            beta = np.array(self.beta, dtype=self._dtype)
            self._exponent = np.concatenate([np.repeat(beta, size) for size in self._sizes])
            self._exponent_of = list(self.beta)
        return self._exponent


def _step_together(problem, fits, max_iter, check_every, on_done):
    """Step the runs of fits together, one step each per round, until every fit is done.

    Every run has taken the same number of steps (a test's run starts where its fit stopped,
    at a check), so all reach a safeguard or a check in the same round. When runs stop,
    the rows are regrouped: a run going on keeps its points, a new run starts at its own."""
    for fit in fits:
        if fit.done:
            on_done()
    fits = [fit for fit in fits if not fit.done]
    runs = [fit.stepping() for fit in fits]
    steps = _Steps(problem, runs)
    while fits:
        steps.X, steps.X_before = steps.X_before, steps.X   # the new X over the oldest point
        problem.mu_step(steps)
        problem.extrapolate(steps)
        for run in runs:
            run.n_iter += 1
        n_iter = runs[0].n_iter
        at_check = n_iter % check_every == 0
        at_safeguard = at_check or n_iter % SAFEGUARD_EVERY == 0
        if not at_safeguard and n_iter < max_iter:
            problem.model(steps.Y.W, steps.Y.H, out=steps.WH)
            continue
        stopped = [at_safeguard and run.safeguard(problem, steps, k, at_check)
                   for k, run in enumerate(runs)]
        if n_iter >= max_iter:
            for run, stop in zip(runs, stopped):
                if not stop:
                    run.out_of_steps()
            stopped = [True] * len(runs)
        if not any(stopped):
            continue
        for fit, stop in zip(fits, stopped):
            if stop:
                fit.stopped()
                if fit.done:
                    on_done()
        # a fit going on keeps its row of steps (k); one whose run stopped starts a new run (None)
        going_on = [(fit, None if stop else k) for k, (fit, stop) in enumerate(zip(fits, stopped))
                    if not fit.done]
        fits = [fit for fit, _ in going_on]
        runs = [fit.stepping() for fit in fits]
        steps = _Steps(problem, runs, steps, [row for _, row in going_on])


def _positive_start(W, H, floor, out_W, out_H):
    """W and H into out_W and out_H, floored, W's columns scaled to sum to 1 (W H unchanged)."""
    np.maximum(W, floor, out=out_W)   # cast to the point's dtype first, then scaled in it
    np.maximum(H, floor, out=out_H)
    out_W[...], out_H[...] = normalize_columns(out_W, out_H)


class _Schedule:
    """The extrapolation weight beta and its ceiling beta_max (managed as in Ang & Gillis 2019)."""

    def __init__(self):
        self.beta, self.beta_max = BETA_START, BETA_CEILING

    def accepted(self):  # be bolder
        self.beta = min(self.beta_max, GROW * self.beta)
        self.beta_max = min(BETA_CEILING, GROW_MAX * self.beta_max)

    def rejected(self):  # be more careful, and never as bold as what just failed
        self.beta, self.beta_max = self.beta / SHRINK, self.beta
