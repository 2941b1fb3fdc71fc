"""nmf_helpers: the maths of the NMF course, in the order the notebooks teach it.

Non-negative matrix factorization (NMF) writes a non-negative N x M matrix V as the
product of two smaller non-negative matrices, V ~ W H, with W of shape N x R and H of
shape R x M. In the course V holds gene-expression counts (N genes, M samples), the R
columns of W are gene modules and H says how much each module contributes to each sample.

1. the model        -- simulate(): V ~ Poisson(W H), genes in modules, moonlighters
2. the objective    -- log_likelihood(), deviance()
3. the update rules -- Lee & Seung's multiplicative step, written three ways
4. fitting          -- nmf(): restarts, convergence on the deviance
5. choosing R       -- rank_scan(): log-likelihood, AIC, BIC, held-out entries and their 2 SE rule
6. reading W        -- row-normalise, assign genes to modules, find moonlighters

Every function takes NumPy arrays, never modifies its inputs, and checks them with one
call into nmf_course.validation, which raises ValueError or TypeError naming the
problem. Below this file, and imported by it: the input checks (nmf_course.validation),
the fast fitting loop (nmf_course.fastfit) and the stopping rule both loops share
(nmf_course.rules). Above it, each importing this file and never imported by it: reading
count files, plots, self-checks and the maths of the later notebooks (consensus, the
squared-error objective, comparing profiles, offsets), in nmf_course; notebooks import
those by name, e.g. ``from nmf_course import consensus``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy  # x log y, with 0 log 0 = 0
from tqdm.auto import tqdm

from nmf_course import validation as check
from nmf_course.fastfit import fit_kl, fit_kl_many
# The stopping rule and W's column scaling live one floor down, shared with the fast engine
# (nmf_course/rules.py, 40 lines): read them there.
from nmf_course.rules import has_converged, has_stopped_falling, normalize_columns

__all__ = [
    "Simulation", "simulate",
    "log_likelihood", "deviance",
    "ratio", "normalize_columns", "update_loops", "update_broadcast", "update_matmul",
    "BROADCAST_MAX_BYTES",
    "NMFResult", "random_start", "has_converged", "has_stopped_falling", "nmf", "nmf_each",
    "largest_module_first",
    "RankScan", "information_criteria", "holdout_mask", "rank_scan", "heldout_differences",
    "heldout_se_rule",
    "row_normalize", "assign_modules", "find_moonlighters", "match_modules",
]


# ---- 1. The model ----------------------------------------------------------

@dataclass
class Simulation:
    """A simulated data set: counts V drawn from Poisson(W H), with the truth that made them."""
    V: np.ndarray             # N x M integer counts
    W: np.ndarray             # N x R, each column sums to 1 (a module's expression profile)
    H: np.ndarray             # R x M, in counts: E[V] = W @ H
    modules: np.ndarray       # N x R bool, True where gene i belongs to module a
    moonlighters: np.ndarray  # indices of the genes that belong to two modules
    gene_names: list


def simulate(n_genes=100, n_samples=60, n_modules=4, n_moonlighters=3,
             depth=(90_000, 110_000), alpha=1.0, seed=None, module_sizes=None):
    """Simulate gene-expression counts from the homework's model.

    * Each gene belongs to one module; ``n_moonlighters`` genes belong to two.
      Module sizes are as even as possible unless ``module_sizes`` is given.
    * W (N x R): gene i's weight in module a is Uniform(0.5, 1.5) if i is in a, else 0;
      then each column is divided by its sum, so sum_i W[i, a] = 1.
    * H (R x M): sample mu's module proportions are a Dirichlet(alpha, ..., alpha) draw,
      times its total count, drawn uniformly from ``depth = (low, high)``.
      Small alpha gives sparse samples (few modules on).
    * V[i, mu] ~ Poisson((W H)[i, mu]): the counts we observe. Because W's columns
      sum to 1, the expected total count of sample mu is sum_a H[a, mu].

    Returns a Simulation with V, W, H, modules, moonlighters and gene_names.
    """
    N, M, R, n_moon, (low, high), alpha, sizes = check.simulation_options(
        n_genes, n_samples, n_modules, n_moonlighters, depth, alpha, module_sizes)
    rng = np.random.default_rng(check.seed(seed))

    home_module = rng.permutation(np.repeat(np.arange(R), sizes))
    modules = np.zeros((N, R), dtype=bool)
    modules[np.arange(N), home_module] = True
    moonlighters = np.sort(rng.choice(N, size=n_moon, replace=False))
    for gene in moonlighters:
        others = [a for a in range(R) if a != home_module[gene]]
        modules[gene, rng.choice(others)] = True

    W = np.where(modules, rng.uniform(0.5, 1.5, size=(N, R)), 0.0)
    W /= W.sum(axis=0)
    proportions = rng.dirichlet(np.full(R, alpha), size=M).T  # R x M, columns sum to 1
    H = proportions * rng.uniform(low, high, size=M)
    V = rng.poisson(W @ H)
    names = [f"gene{i + 1:03d}" for i in range(N)]
    return Simulation(V=V, W=W, H=H, modules=modules, moonlighters=moonlighters, gene_names=names)


# ---- 2. The objective ------------------------------------------------------

def log_likelihood(V, W, H, mask=None):
    """Poisson log-likelihood of V given W and H, up to a constant.

        log P(V | W, H) = sum_{i,mu} [ V log (WH) - WH - log V! ]

    The term log V! does not depend on W or H, so it is dropped: it cannot change which
    W and H are best, and it cancels from any difference of log-likelihoods.
    0 log 0 is taken as 0, so entries with V = 0 contribute just -WH.
    ``mask`` (optional, N x M bool): sum only over the entries where it is True.
    """
    V, W, H = check.factors(V, W, H)
    return _log_likelihood(V, W, H, None if mask is None else check.observed_mask(mask, V))


def _log_likelihood(V, W, H, mask=None):
    """log_likelihood() of input already checked (mask: None or a bool N x M array).

        sum_{i,mu} [ V log (WH) - WH ]        with 0 log 0 = 0
    """
    WH = W @ H
    terms = xlogy(V, WH) - WH
    return float(terms.sum() if mask is None else terms[mask].sum())


def deviance(V, W, H, mask=None):
    """Poisson deviance: how far the fit is from a perfect one.

        D = 2 sum_{i,mu} [ V log(V / WH) - V + WH ]  =  2 (L_perfect - L)

    where L_perfect is the log-likelihood of the model WH = V. D >= 0, it is 0 only for
    a perfect fit, and it has no dropped constant, so "the fit is within 1 unit of its
    optimum" means the same on any data. It is twice generalized_kl(V, W, H).
    ``mask`` (optional, N x M bool): sum only over the entries where it is True.
    """
    V, W, H = check.factors(V, W, H)
    return _deviance(V, W, H, None if mask is None else check.observed_mask(mask, V))


def _deviance(V, W, H, mask=None):
    """deviance() of input already checked (mask: None or a bool N x M array).

        D = 2 sum_{i,mu} [ V log(V / WH) - V + WH ]
    """
    WH = W @ H
    terms = 2 * (xlogy(V, V) - xlogy(V, WH) - V + WH)
    return float(terms.sum() if mask is None else terms[mask].sum())


# ---- 3. The update rules (Lee & Seung, Poisson / KL form), written three ways ----

def ratio(V, WH):
    """Q = V / WH elementwise, with 0 where WH is 0 (0/0 = 0, like 0 log 0 = 0)."""
    return np.divide(V, WH, out=np.zeros_like(WH), where=WH > 0)




def update_loops(V, W, H):
    """One multiplicative step, written with explicit nested for loops (slow; for learning).

    With Q = V / (W H), the ratio of data to model:

        W[i, a] <- W[i, a] * sum_mu Q[i, mu] H[a, mu] / sum_mu H[a, mu]
        normalise: divide each column of W by its sum, multiply H's row by it (W H unchanged)
        H[a, mu] <- H[a, mu] * sum_i W[i, a] Q[i, mu]      (Q recomputed; sum_i W[i, a] = 1)

    Each half-step never lowers the log-likelihood, and multiplying by non-negative
    factors keeps W and H non-negative. Returns the new (W, H).
    """
    V, W, H = check.factors(V, W, H)
    N, M = V.shape
    R = W.shape[1]

    Q = ratio(V, W @ H)
    H_row_sums = H.sum(axis=1)
    W_new = np.zeros_like(W)
    for i in range(N):
        for a in range(R):
            total = 0.0
            for mu in range(M):
                total += Q[i, mu] * H[a, mu]
            W_new[i, a] = W[i, a] * total / (H_row_sums[a] if H_row_sums[a] > 0 else 1.0)
    W, H = normalize_columns(W_new, H)

    Q = ratio(V, W @ H)
    H_new = np.zeros_like(H)
    for a in range(R):
        for mu in range(M):
            total = 0.0
            for i in range(N):
                total += W[i, a] * Q[i, mu]
            H_new[a, mu] = H[a, mu] * total
    return W, H_new


BROADCAST_MAX_BYTES = 2**30  # 1 GiB: the largest 3-D intermediate update_broadcast will build


def update_broadcast(V, W, H, max_bytes=BROADCAST_MAX_BYTES):
    """The same step as update_loops, with NumPy broadcasting instead of loops.

    Each sum over a shared index becomes: lift both 2-D arrays into 3-D with np.newaxis
    so the shared index lines up, multiply elementwise, and sum over that axis:

        sum_mu Q[i, mu] H[a, mu]  ->  (Q[:, np.newaxis, :] * H[np.newaxis, :, :]).sum(axis=2)
        sum_i  W[i, a] Q[i, mu]   ->  (W[:, :, np.newaxis] * Q[:, np.newaxis, :]).sum(axis=0)

    The 3-D intermediate has N x R x M entries; above ``max_bytes`` (1 GiB) the function
    refuses with a ValueError pointing to update_matmul, which needs none.
    """
    V, W, H = check.factors(V, W, H)
    check.broadcast_size(V.shape[0], W.shape[1], V.shape[1], max_bytes)

    Q = ratio(V, W @ H)
    H_row_sums = np.where(H.sum(axis=1) > 0, H.sum(axis=1), 1.0)
    W_new = W * (Q[:, np.newaxis, :] * H[np.newaxis, :, :]).sum(axis=2) / H_row_sums
    W, H = normalize_columns(W_new, H)

    Q = ratio(V, W @ H)
    H_new = H * (W[:, :, np.newaxis] * Q[:, np.newaxis, :]).sum(axis=0)
    return W, H_new


def update_matmul(V, W, H):
    """The same step as update_loops, in matrix form: each sum is a matrix product.

        W <- W * (Q @ H.T) / H.sum(axis=1)      with Q = V / (W @ H)
        normalise W's columns (and rescale H's rows)
        H <- H * (W.T @ Q)                      with Q recomputed
    """
    V, W, H = check.factors(V, W, H)
    Q = ratio(V, W @ H)
    H_row_sums = np.where(H.sum(axis=1) > 0, H.sum(axis=1), 1.0)
    W, H = normalize_columns(W * (Q @ H.T) / H_row_sums, H)
    Q = ratio(V, W @ H)
    return W, H * (W.T @ Q)


# ---- 4. Fitting ------------------------------------------------------------

@dataclass
class NMFResult:
    """The best fit of nmf(): W (N x R, columns sum to 1), H (R x M) and how it went.

    W and H are float64 arrays even for a fit run with dtype=np.float32 (its values, widened)."""
    W: np.ndarray
    H: np.ndarray
    log_likelihood: float            # of the fitted entries (all of V unless a mask was given)
    deviance: float                  # 2 (L_perfect - L): 0 for a perfect fit
    n_iter: int                      # iterations of the best restart
    converged: bool                  # whether the best restart met tol before max_iter
    deviance_trace: np.ndarray       # the deviance at the start and every check_every iterations
    check_every: int
    restart_log_likelihoods: np.ndarray  # the final log-likelihood of every restart


def random_start(rng, N, M, R, V, dtype=np.float64):
    """A random positive start: W's columns sum to 1, H's columns have V's sample totals."""
    W = rng.uniform(0.1, 1.0, size=(N, R))
    W /= W.sum(axis=0)
    H = rng.uniform(0.1, 1.0, size=(R, M))
    H *= np.maximum(V.sum(axis=0), 1.0) / H.sum(axis=0)
    return W.astype(dtype), H.astype(dtype)






def fit_step_by_step(V, W, H, update, objective, max_iter, tol, check_every):
    """Call update(V, W, H) step after step until has_stopped_falling() on objective(V, W, H)."""
    trace = [objective(V, W, H)]
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        W, H = update(V, W, H)
        if n_iter % check_every == 0 or n_iter == max_iter:
            trace.append(objective(V, W, H))
            if has_stopped_falling(trace, tol):
                return W, H, np.array(trace), n_iter, True
    return W, H, np.array(trace), n_iter, False


TEACHING_UPDATES = {"loops": update_loops, "broadcast": update_broadcast, "matmul": update_matmul}
ENGINE_DEFAULTS = {"fast": fit_kl.__kwdefaults__,  # max_iter, tol and check_every of fit_kl
                   "teaching": {**fit_kl.__kwdefaults__, "max_iter": 20_000}}


def nmf(V, R, *, update="fast", max_iter=None, tol=None, n_restarts=1, seed=None,
        progress=False, check_every=None, dtype=np.float64, mask=None, init=None):
    """Fit V ~ W H by maximising the Poisson log-likelihood; return the best of the restarts.

    Each restart starts from random_start() (or ``init``) and takes multiplicative steps
    until the deviance D = 2 sum[V log(V / WH) - V + WH] stops falling: until

        D_before - D_now <= tol * D_now    over ``check_every`` iterations,

    at two checks in a row (has_stopped_falling).

    Maximising L and minimising D are the same thing (D = 2 (L_perfect - L)), but D has
    no dropped constant, so the rule is scale-free. The restart with the smallest D
    (largest L) is returned, its modules ordered by decreasing total (largest_module_first;
    with ``init``, in init's order). NMF is not convex: different starts can end in
    different local optima, which restarts reveal.

    A gene (or sample) with no counts at all is best fitted by a row of W (column of H)
    of exact zeros: it is left out of the fit and given zeros. A V with no counts at all
    leaves nothing to fit: a ValueError.

    Parameters
    ----------
    update : "fast" (default: an accelerated matrix-form loop, nmf_course.fastfit), or
        "loops" / "broadcast" / "matmul" to call the teaching functions step by step.
    max_iter, tol, check_every : stop after max_iter iterations, or when the rule above
        holds; None takes the defaults of nmf_course.fastfit.fit_kl (tol 2e-9, checked
        every 50 iterations, at most 50,000 iterations; 20,000 for the teaching steps).
        With them a fit ends within 1 deviance unit of where a far longer run ends.
    dtype : np.float64 (default) or np.float32 (fast path only): the precision of the fit's
        arithmetic. W and H are returned as float64 either way (a float32 fit's values,
        widened), and log_likelihood and deviance are computed from them in float64.
    mask : optional N x M bool array; False entries are hidden: neither fitted nor scored.
        A mask that hides every entry (or every count) is a ValueError. A gene (or sample)
        whose entries are all hidden has no data: its row of W (column of H) is not
        determined by the fit and comes back near zero (the engine's floor, about 1e-77;
        3e-10 in float32) but finite, so the model predicts about 0 there: do not read its
        modules.
    init : optional (W, H) start; then n_restarts must be 1.
    seed : seeds np.random.default_rng, so the same seed gives the same fit.
    """
    V, R, options, dtype, n_restarts, mask, init = check.nmf_options(
        V, R, update, max_iter, tol, n_restarts, check_every, dtype, mask, init, ENGINE_DEFAULTS)
    rng = np.random.default_rng(check.seed(seed))
    return _fit(V, R, update, options, dtype, n_restarts, mask, init, rng, progress)


def _fit(V, R, update, options, dtype, n_restarts, mask, init, rng, progress):
    """nmf() on arguments already checked (check.nmf_options): restarts, then the best fit."""
    V_seen = V if mask is None else V * mask  # hidden entries count for nothing (nor in the starts)
    starts = [init] if init is not None else [random_start(rng, *V.shape, R, V_seen)
                                              for _ in range(n_restarts)]
    fits = _fits(V, V_seen, mask, starts, update, options, dtype, progress)
    return _result(V_seen, mask, best_restart(fits), fits, options, order_modules=init is None)


def nmf_each(V, R, seeds, *, update="fast", max_iter=None, tol=None, check_every=None,
             dtype=np.float64, mask=None, progress=False):
    """[nmf(V, R, seed=s, ...) for s in seeds]: the same fits, one per seed, made together.

    The fast engine steps the fits together (nmf_course.fastfit.fit_kl_many), each taking
    exactly the steps it would take alone, so each result is exactly nmf's; on small tables,
    where NumPy's cost per call is a large part of a step, together is faster. The keywords
    are nmf's.
    """
    V, R, options, dtype, _, mask, _ = check.nmf_options(
        V, R, update, max_iter, tol, 1, check_every, dtype, mask, None, ENGINE_DEFAULTS)
    V_seen = V if mask is None else V * mask
    starts = [random_start(np.random.default_rng(check.seed(seed)), *V.shape, R, V_seen)
              for seed in seeds]
    fits = _fits(V, V_seen, mask, starts, update, options, dtype, progress)
    return [_result(V_seen, mask, fit, [fit], options, order_modules=True) for fit in fits]


def _fits(V, V_seen, mask, starts, update, options, dtype, progress):
    """A fit (W, H, trace, n_iter, converged) of V_seen (V * mask) from each start (W, H).

    A gene (sample) with no counts in V is left out of the fits and gets zeros in W (H).
    The fast engine fits all starts together; the teaching updates one after another."""
    genes, samples = V.sum(axis=1) > 0, V.sum(axis=0) > 0  # leave out rows/columns of zeros
    V_fit = V_seen[np.ix_(genes, samples)]
    mask_fit = None if mask is None else mask[np.ix_(genes, samples)]
    starts = [(W[genes].astype(dtype), H[:, samples].astype(dtype)) for W, H in starts]
    if not starts:
        return []
    with tqdm(total=len(starts), desc="nmf restarts", disable=not progress) as bar:
        if update == "fast":
            fits = [(f.W, f.H, f.deviance_trace, f.n_iter, f.converged) for f in
                    fit_kl_many(V_fit, starts, mask_fit, on_done=bar.update, **options)]
        else:
            fits = []
            for W, H in starts:
                fits.append(fit_step_by_step(V_fit, W, H, TEACHING_UPDATES[update], _deviance, **options))
                bar.update()
    return [_put_back_zeros(fit, genes, samples) for fit in fits]


def _result(V, mask, fit, restarts, options, order_modules):
    """The NMFResult of fit (W, H, trace, n_iter, converged), the best of restarts."""
    W, H, trace, n_iter, converged = fit
    if order_modules:
        W, H = largest_module_first(W, H)
    return NMFResult(W=W, H=H, log_likelihood=_log_likelihood(V, W, H, mask),
                     deviance=_deviance(V, W, H, mask), n_iter=n_iter, converged=converged,
                     deviance_trace=trace, check_every=options["check_every"],
                     restart_log_likelihoods=np.array([_log_likelihood(V, f[0], f[1], mask)
                                                       for f in restarts]))


def best_restart(fits):
    """The fit (W, H, trace, n_iter, converged) whose objective ended lowest."""
    return min(fits, key=lambda fit: fit[2][-1])


def largest_module_first(W, H):
    """Modules in decreasing order of their totals, H's row sums (W's columns sum to 1).

    NMF gives its modules no order (tied restarts number them differently); a fixed order
    prints the same on every CPU. It is unrelated to the true modules' order."""
    order = np.argsort(-H.sum(axis=1), kind="stable")
    return W[:, order], H[order]


def _put_back_zeros(fit, genes, samples):
    """Embed a fit of V's non-zero rows and columns into W (N x R) and H (R x M) of zeros.

    W and H are float64 whatever the fit's dtype (a float32 fit is widened)."""
    W_part, H_part, *rest = fit
    W = np.zeros((genes.size, W_part.shape[1]), dtype=np.float64)
    H = np.zeros((H_part.shape[0], samples.size), dtype=np.float64)
    W[genes], H[:, samples] = W_part, H_part
    return (W, H, *rest)


# ---- 5. Choosing R ---------------------------------------------------------

@dataclass
class RankScan:
    """What rank_scan() found for each R in ``ranks`` (arrays are in the order of ranks)."""
    ranks: np.ndarray
    log_likelihood: np.ndarray      # best log-likelihood over restarts (up to the log V! constant)
    n_params: np.ndarray            # free parameters: R (N - 1) + R M
    aic: np.ndarray                 # 2 k - 2 L   (lower is better)
    bic: np.ndarray                 # k ln(n) - 2 L, n = number of fitted entries (lower is better)
    best_rank: int                  # the R chosen by ``criterion``
    criterion: str
    fits: list                      # the NMFResult of each R
    heldout_log_likelihood: np.ndarray | None = None  # of the hidden entries, if holdout > 0
    mask: np.ndarray | None = None  # True = fitted, False = held out


def information_criteria(L, n_params, n_fitted):
    """AIC and BIC of a fit with log-likelihood L, k = n_params free parameters and n = n_fitted
    observations:

        AIC = 2 k - 2 L        BIC = k ln(n) - 2 L        (lower is better)

    Both reward a high log-likelihood and charge for parameters: AIC 2 per parameter,
    BIC ln(n) per parameter, more than AIC as soon as n > e^2 (about 7.4).
    Works elementwise on arrays (one entry per R, as in rank_scan). Returns (aic, bic).
    """
    L, k, n = check.criteria_inputs(L, n_params, n_fitted)
    aic = 2 * k - 2 * L
    bic = k * np.log(n) - 2 * L
    return (float(aic), float(bic)) if aic.ndim == 0 else (aic, bic)


def holdout_mask(shape, holdout, seed=None):
    """A bool mask of ``shape`` with a random fraction ``holdout`` of its entries False (hidden)."""
    holdout = check.fraction(holdout, "holdout", 0, 0.5)
    rng = np.random.default_rng(check.seed(seed))
    mask = np.ones(shape[0] * shape[1], dtype=bool)
    mask[rng.choice(mask.size, size=int(round(holdout * mask.size)), replace=False)] = False
    return mask.reshape(shape)


def rank_scan(V, ranks, *, n_restarts=3, seed=None, progress=False, holdout=0.0,
              criterion="bic", **nmf_options):
    """Fit NMF for each R in ``ranks`` and compare the fits.

    The log-likelihood always rises with R (a bigger model can fit the noise too), so it
    cannot choose R on its own. Each R is scored with

        AIC = 2 k - 2 L    and    BIC = k ln(n) - 2 L,

    k = R (N - 1) + R M free parameters (W's columns sum to 1, so each has N - 1 free
    entries) and n the number of fitted entries of V. ``criterion`` ("bic", "aic" or
    "heldout") picks best_rank. With ``holdout`` > 0 that fraction of entries (the same
    ones for every R) is hidden from every fit and scored under it afterwards: a model
    that fits noise predicts them worse.
    """
    V = check.as_matrix(V, "V")
    ranks = check.ranks(ranks, V)
    check.choice(criterion, "criterion", ("bic", "aic", "heldout"))
    if criterion == "heldout" and not holdout:
        raise ValueError("criterion='heldout' needs holdout > 0, for example holdout=0.1")
    rng = np.random.default_rng(check.seed(seed))
    mask = holdout_mask(V.shape, holdout, seed=rng) if holdout else None
    check.something_to_fit(V, mask)
    fits = [_fit(V, *_settings(V, R, n_restarts, mask, **nmf_options), rng, progress=False)
            for R in tqdm(ranks, desc="rank scan", disable=not progress)]

    N, M = V.shape
    L = np.array([fit.log_likelihood for fit in fits])
    k = np.array([R * (N - 1) + R * M for R in ranks])
    aic, bic = information_criteria(L, k, V.size if mask is None else int(mask.sum()))
    heldout = None if mask is None else np.array([_log_likelihood(V, f.W, f.H, ~mask) for f in fits])
    score = {"bic": bic, "aic": aic, "heldout": None if heldout is None else -heldout}[criterion]
    return RankScan(ranks=np.array(ranks), log_likelihood=L, n_params=k, aic=aic, bic=bic,
                    best_rank=ranks[int(np.argmin(score))], criterion=criterion, fits=fits,
                    heldout_log_likelihood=heldout, mask=mask)


def _settings(V, R, n_restarts, mask, update="fast", max_iter=None, tol=None, check_every=None,
              dtype=np.float64, init=None):
    """rank_scan's settings for one R of a V already checked: _fit's arguments before rng.

    The keywords are nmf()'s, with its defaults."""
    R, options, dtype, n_restarts, mask, init = check.nmf_settings(
        V, R, update, max_iter, tol, n_restarts, check_every, dtype, mask, init, ENGINE_DEFAULTS)
    return R, update, options, dtype, n_restarts, mask, init


def heldout_differences(V, scan):
    """How far each R's held-out log-likelihood is behind the best R's, and its standard error.

    With t_R[e] = V log(WH) - WH, R's Poisson term at hidden entry e, and b the R whose
    held-out log-likelihood is highest, over the n hidden entries:

        behind_R = sum_e (t_b[e] - t_R[e])        se_R = sqrt(n) * std_e(t_b[e] - t_R[e])

    The two fits are scored on the same entries, so the differences are paired entry by entry
    and their spread gives the standard error of their sum. Returns (behind, se), arrays in
    the order of scan.ranks (0 and 0 at the best R).
    """
    V = check.as_matrix(V, "V")
    hidden = ~check.scan_with_holdout(scan, V)
    terms = np.array([xlogy(V[hidden], WH) - WH for WH in ((f.W @ f.H)[hidden] for f in scan.fits)])
    differences = terms[np.argmax(terms.sum(axis=1))] - terms
    return differences.sum(axis=1), np.sqrt(hidden.sum()) * differences.std(axis=1, ddof=1)


def heldout_se_rule(V, scan, n_se=2.0):
    """The smallest R whose held-out log-likelihood is within n_se standard errors of the best:

        the smallest R with behind_R <= n_se * se_R          (heldout_differences)

    Cross-validation's "one-standard-error rule" (Hastie, Tibshirani & Friedman, The Elements
    of Statistical Learning, 2nd ed., 2009, section 7.10, p. 244: "choose the most
    parsimonious model whose error is no more than one standard error above the error of the
    best model"), with n_se standard errors (the course uses 2) and the held-out
    log-likelihood as the score. A larger R must beat the smaller one clearly to be chosen.
    """
    behind, se = heldout_differences(V, scan)
    return int(scan.ranks[np.flatnonzero(behind <= check.positive(n_se, "n_se") * se)[0]])


# ---- 6. Reading W ----------------------------------------------------------

def row_normalize(W):
    """Divide each row of W by its sum: entry [i, a] becomes W[i, a] / sum_b W[i, b].

    A row of zeros (a gene with no counts) stays zero instead of becoming NaN.
    """
    W = check.as_matrix(W, "W")
    sums = W.sum(axis=1, keepdims=True)
    return np.divide(W, sums, out=np.zeros_like(W), where=sums > 0)


def assign_modules(W, threshold=0.1):
    """Gene-by-module membership: True where row_normalize(W)[i, a] >= threshold."""
    return row_normalize(W) >= check.threshold(threshold)


def find_moonlighters(W, threshold=0.1):
    """Indices of the genes that belong to two or more modules at this threshold."""
    return np.flatnonzero(assign_modules(W, threshold).sum(axis=1) >= 2)


def match_modules(W_ref, W_fit):
    """The order of W_fit's columns that best lines them up with W_ref's.

    NMF's modules come out in an arbitrary order. Returns ``perm`` (length R_ref) so that
    W_fit[:, perm][:, a] is the fitted module most like reference module a: the pairing
    with the largest total cosine similarity, trying every pairing for up to 8 modules
    and taking the best remaining pair first beyond that. W_fit may have more columns.
    """
    W_ref, W_fit = check.as_matrix(W_ref, "W_ref"), check.as_matrix(W_fit, "W_fit")
    check.same_rows(W_ref, W_fit)
    unit = [X / np.where(np.linalg.norm(X, axis=0) > 0, np.linalg.norm(X, axis=0), 1.0)
            for X in (W_ref, W_fit)]
    similarity = unit[0].T @ unit[1]  # R_ref x R_fit cosine similarities
    R_ref, R_fit = similarity.shape
    if R_ref <= 8:
        return np.array(max(itertools.permutations(range(R_fit), R_ref),
                            key=lambda perm: similarity[np.arange(R_ref), list(perm)].sum()))
    perm = np.zeros(R_ref, dtype=int)
    for _ in range(R_ref):
        a, b = np.unravel_index(np.argmax(similarity), similarity.shape)
        perm[a] = b
        similarity[a, :] = similarity[:, b] = -np.inf
    return perm
