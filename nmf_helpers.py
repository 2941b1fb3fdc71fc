"""nmf_helpers: the small helper module of the NMF course.

Non-negative matrix factorization (NMF) writes a non-negative N x M matrix V as
the product of two smaller non-negative matrices, V ~ W H, with W of shape N x R
and H of shape R x M. In the course V holds gene-expression counts (N genes,
M samples), the R columns of W are gene modules and H says how much each module
contributes to each sample.

The sections follow the order in which a student meets them:

1. simulate and load   -- the generative model V ~ Poisson(W H); the text format
2. the objective       -- the Poisson log-likelihood
3. the update rules    -- Lee & Seung's multiplicative updates, written three ways
4. fitting             -- nmf(): restarts, convergence, a fast matrix-form loop
4b. squared error      -- the Frobenius objective and its updates; the KL divergence
5. choosing R          -- rank_scan(): log-likelihood, AIC, BIC, held-out entries
6. reading W           -- row-normalise, assign genes to modules, moonlighters;
                          match, rescale and correlate with a known truth
7. plots               -- small plotting helpers shared by the notebooks
8. self-checks         -- check_...() functions that test a student's code

Every public function takes NumPy arrays, never modifies its inputs, and raises
ValueError (bad values or shapes) or TypeError (wrong kinds of input) with a
message that names the problem.
"""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "Simulation", "simulate", "load_counts", "save_counts",
    "log_likelihood",
    "update_loops", "update_broadcast", "update_matmul",
    "NMFResult", "random_start", "nmf", "RankScan", "information_criteria", "rank_scan", "holdout_mask",
    "frobenius_error", "generalized_kl", "update_frobenius", "FrobeniusResult", "nmf_frobenius",
    "row_normalize", "assign_modules", "find_moonlighters", "match_modules",
    "rescale", "column_correlations",
    "plot_heatmap", "plot_trace",
    "SelfCheckError", "check_simulation", "check_log_likelihood", "check_update",
    "check_nmf", "check_information_criteria", "check_row_normalize", "check_moonlighters",
]


# ---------------------------------------------------------------------------
# Input checks (used by every public function; written once, here)
# ---------------------------------------------------------------------------

def _as_matrix(X, name):
    """Return a float64 copy of X after checking it is a finite, non-negative 2-D array."""
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"{name} must be a 2-D array of numbers, got {type(X).__name__}")
    try:
        array = np.asarray(X)
    except (ValueError, TypeError) as error:  # ragged nested lists, for example
        raise ValueError(f"{name} could not be read as a 2-D array: {error}") from None
    if array.dtype == bool or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (int or float), got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got {array.ndim}-D with shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    array = np.array(array, dtype=np.float64)  # a copy: the caller's array is never touched
    bad = ~np.isfinite(array)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{name} has {bad.sum()} NaN or infinite entries, "
                         f"the first at [{i}, {j}] ({array[i, j]})")
    if (array < 0).any():
        i, j = np.argwhere(array < 0)[0]
        raise ValueError(f"{name} must be non-negative, but {name}[{i}, {j}] = {array[i, j]:g} "
                         f"({(array < 0).sum()} negative entries)")
    return array


def _check_rank(R, V):
    """Check that R is a whole number between 1 and min(N, M)."""
    if isinstance(R, (bool, np.bool_)) or not isinstance(R, (int, np.integer)):
        raise TypeError(f"R must be an integer, got {R!r} of type {type(R).__name__}")
    N, M = V.shape
    if not 1 <= R <= min(N, M):
        raise ValueError(f"R must be between 1 and min(N, M) = {min(N, M)} for V of "
                         f"shape {V.shape}, got R = {R}")
    return int(R)


def _check_factors(V, W, H):
    """Check V, W and H and that W (N x R) and H (R x M) fit V (N x M); return float copies."""
    V = _as_matrix(V, "V")
    W = _as_matrix(W, "W")
    H = _as_matrix(H, "H")
    _check_shapes(V, W, H)
    return V, W, H


def _check_shapes(V, W, H):
    """Check that W (N x R) and H (R x M) fit V (N x M)."""
    N, M = V.shape
    if W.shape[0] != N or H.shape[1] != M or W.shape[1] != H.shape[0]:
        raise ValueError(f"shapes do not fit: V is {V.shape}, so W must be ({N}, R) and H "
                         f"(R, {M}), but W is {W.shape} and H is {H.shape}")


def _check_fit_options(V, R, max_iter, tol, n_restarts, check_every, init):
    """Check the options nmf() and nmf_frobenius() share (V already checked).

    Returns R, max_iter, n_restarts, check_every and init as a checked (W0, H0) pair or None.
    """
    R = _check_rank(R, V)
    max_iter = _check_positive_int(max_iter, "max_iter")
    n_restarts = _check_positive_int(n_restarts, "n_restarts")
    check_every = _check_positive_int(check_every, "check_every")
    if not (isinstance(tol, (int, float, np.floating)) and tol >= 0):
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    if init is not None:
        if n_restarts != 1:
            raise ValueError("give either init or n_restarts > 1, not both")
        W0, H0 = _as_matrix(init[0], "W"), _as_matrix(init[1], "H")
        _check_shapes(V, W0, H0)
        if W0.shape[1] != R:
            raise ValueError(f"init has {W0.shape[1]} modules but R = {R}")
        init = (W0, H0)
    return R, max_iter, n_restarts, check_every, init


def _check_positive_int(value, name, minimum=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_threshold(threshold):
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, (int, float, np.number)):
        raise TypeError(f"threshold must be a number, got {threshold!r}")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    return float(threshold)


# ---------------------------------------------------------------------------
# 1. Simulate and load
# ---------------------------------------------------------------------------

@dataclass
class Simulation:
    """A simulated data set: counts V drawn from Poisson(W H), with the truth that made them."""
    V: np.ndarray             # N x M integer counts
    W: np.ndarray             # N x R, each column sums to 1 (a module's expression profile)
    H: np.ndarray             # R x M, in counts: E[V] = W @ H
    modules: np.ndarray       # N x R bool, True where gene i belongs to module a
    moonlighters: np.ndarray  # indices of the genes that belong to two modules
    gene_names: list = field(default_factory=list)


def simulate(n_genes=100, n_samples=60, n_modules=4, n_moonlighters=3,
             depth=(90_000, 110_000), alpha=1.0, seed=None, module_sizes=None):
    """Simulate gene-expression counts from the homework's model.

    * Each gene belongs to one module; ``n_moonlighters`` genes belong to two.
      Module sizes are as even as possible unless ``module_sizes`` is given.
    * W (N x R): gene i's weight in module a is drawn from Uniform(0.5, 1.5) if i is
      in a, else 0; then each column is divided by its sum, so sum_i W[i, a] = 1.
    * H (R x M): each column (sample) is a Dirichlet(alpha, ..., alpha) draw, the
      module proportions of that sample, times the sample's total count, drawn
      uniformly from ``depth``. Small alpha gives sparse samples (few modules on).
    * V = Poisson(W H): the counts we observe. Because W's columns sum to 1, the
      expected total count of sample mu is sum_a H[a, mu].
    """
    N = _check_positive_int(n_genes, "n_genes")
    M = _check_positive_int(n_samples, "n_samples")
    R = _check_positive_int(n_modules, "n_modules")
    n_moon = _check_positive_int(n_moonlighters, "n_moonlighters", minimum=0)
    if R > N:
        raise ValueError(f"n_modules = {R} is more than n_genes = {N}: every module needs a gene")
    if n_moon > 0 and R < 2:
        raise ValueError("moonlighting genes need at least two modules (n_modules >= 2)")
    if n_moon > N:
        raise ValueError(f"n_moonlighters = {n_moon} is more than n_genes = {N}")
    low, high = depth
    if not 0 < low <= high:
        raise ValueError(f"depth must be (low, high) with 0 < low <= high, got {depth}")
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha}")
    if module_sizes is None:
        module_sizes = [N // R + (a < N % R) for a in range(R)]
    module_sizes = [int(s) for s in module_sizes]
    if len(module_sizes) != R or sum(module_sizes) != N or min(module_sizes) < 1:
        raise ValueError(f"module_sizes must be {R} positive sizes adding up to {N}, got {module_sizes}")

    rng = np.random.default_rng(seed)
    home_module = rng.permutation(np.repeat(np.arange(R), module_sizes))
    modules = np.zeros((N, R), dtype=bool)
    modules[np.arange(N), home_module] = True
    moonlighters = np.sort(rng.choice(N, size=n_moon, replace=False))
    for gene in moonlighters:
        others = [a for a in range(R) if a != home_module[gene]]
        modules[gene, rng.choice(others)] = True

    W = np.where(modules, rng.uniform(0.5, 1.5, size=(N, R)), 0.0)
    W /= W.sum(axis=0)
    proportions = rng.dirichlet(np.full(R, float(alpha)), size=M).T  # R x M, columns sum to 1
    totals = rng.uniform(low, high, size=M)
    H = proportions * totals
    V = rng.poisson(W @ H)
    names = [f"gene{i + 1:03d}" for i in range(N)]
    return Simulation(V=V, W=W, H=H, modules=modules, moonlighters=moonlighters, gene_names=names)


def _parse_count(token, where):
    """Read one whole-number count from a text token, or raise ValueError saying why not."""
    try:
        return int(token)  # int("-3") works; the sign is checked below
    except ValueError:
        pass
    try:
        value = float(token)
    except ValueError:
        raise ValueError(f"{where}: {token!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: {token!r} is not a finite count")
    if value != int(value):
        raise ValueError(f"{where}: {token!r} is a fractional count; counts are whole numbers")
    return int(value)


def load_counts(path):
    """Read a count table in the course's text format; return (gene_names, V).

    One gene per line: its name, then one whole-number count per sample, separated by
    spaces or tabs. Lines starting with '#' are comments; blank lines are skipped.
    The file must be UTF-8 text (a byte-order mark and Windows line endings are fine).
    Errors name the file, the line number and what is wrong. No pickle is involved.
    """
    path = Path(path)
    data = path.read_bytes()
    try:  # a file saved in another encoding (or a binary file) gets a message naming the line
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line = len(before.splitlines()) + (not before or before.endswith((b"\n", b"\r")))
        raise ValueError(f"{path}, line {line}: byte {data[error.start]:#04x} is not UTF-8 text; "
                         "save the file as UTF-8 (plain text)") from None
    names, rows, first_line_of = [], [], {}
    expected, expected_line = None, None
    with open(path, encoding="utf-8-sig", newline=None) as handle:  # newline=None reads \r\n too
        for number, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            where = f"{path}, line {number}"
            name, tokens = fields[0], fields[1:]
            if not tokens:
                raise ValueError(f"{where}: gene {name!r} has no counts")
            if expected is None:
                expected, expected_line = len(tokens), number
            elif len(tokens) != expected:
                raise ValueError(f"{where}: ragged row, gene {name!r} has {len(tokens)} counts "
                                 f"but line {expected_line} has {expected}")
            if name in first_line_of:
                raise ValueError(f"{where}: duplicate gene name {name!r} "
                                 f"(first seen on line {first_line_of[name]})")
            counts = [_parse_count(token, f"{where}, column {k + 2}") for k, token in enumerate(tokens)]
            negative = [c for c in counts if c < 0]
            if negative:
                raise ValueError(f"{where}: negative count {negative[0]} for gene {name!r}")
            first_line_of[name] = number
            names.append(name)
            rows.append(counts)
    if not rows:
        raise ValueError(f"{path}: the file has no data lines (it is empty or only comments)")
    return names, np.array(rows, dtype=np.int64)


def save_counts(path, gene_names, V, comment=None):
    """Write gene names and counts V (N x M whole numbers) in the course's text format.

    ``comment`` (optional) is written first, each of its lines prefixed with '# '.
    """
    counts = _as_matrix(V, "V")
    if not np.all(counts == np.round(counts)):
        raise ValueError("V must hold whole-number counts to be saved as a count table")
    names = list(gene_names)
    if len(names) != counts.shape[0]:
        raise ValueError(f"got {len(names)} gene names for {counts.shape[0]} rows of V")
    for name in names:
        if not isinstance(name, str) or not name or any(c.isspace() for c in name) or name.startswith("#"):
            raise ValueError(f"gene name {name!r} must be a non-empty string without spaces, not starting with '#'")
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"duplicate gene name {duplicate!r}")
    lines = [f"# {text}" for text in (comment.splitlines() if comment else [])]
    lines += [" ".join([name, *(str(int(c)) for c in row)]) for name, row in zip(names, counts)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# 2. The objective
# ---------------------------------------------------------------------------

def _xlogy(x, y):
    """x * log(y) with the convention 0 * log(0) = 0."""
    out = np.zeros(np.broadcast(x, y).shape)
    positive = np.broadcast_to(x > 0, out.shape)
    np.log(y, out=out, where=positive)
    return x * out


def log_likelihood(V, W, H):
    """Poisson log-likelihood of V given W and H, up to a constant.

        log P(V | W, H) = sum_{i,mu} [ V log (WH) - WH - log V! ]

    The term log V! does not depend on W or H, so it is dropped: it cannot change
    which W and H are best, and it cancels from any difference of log-likelihoods.
    0 log 0 is taken as 0, so entries with V = 0 contribute just -WH.
    """
    V, W, H = _check_factors(V, W, H)
    WH = W @ H
    return float(np.sum(_xlogy(V, WH) - WH))


# ---------------------------------------------------------------------------
# 3. The update rules (Lee & Seung, Poisson / KL form), written three ways
# ---------------------------------------------------------------------------
# One multiplicative step, with Q = V / (W H) the ratio of data to model:
#
#   W[i, a] <- W[i, a] * sum_mu Q[i, mu] H[a, mu] / sum_mu H[a, mu]
#   normalise: each column of W is divided by its sum, and the matching row of H is
#              multiplied by it, so W H (and the log-likelihood) does not change
#   H[a, mu] <- H[a, mu] * sum_i W[i, a] Q[i, mu]     (Q recomputed with the new W;
#                                                      sum_i W[i, a] = 1 after normalising)
#
# Each half-step never lowers the log-likelihood, and multiplying by non-negative
# factors keeps W and H non-negative. Where W H is 0 we take Q = 0 (0/0 = 0, like
# 0 log 0 = 0), so a gene or sample with no counts at all gives no NaN.

def _ratio(V, WH):
    """Q = V / WH elementwise, with 0 where WH is 0."""
    return np.divide(V, WH, out=np.zeros_like(WH), where=WH > 0)


def _normalize_columns(W, H):
    """Scale W's columns to sum to 1 and H's rows the other way, so W H is unchanged."""
    sums = W.sum(axis=0)
    sums[sums == 0] = 1.0  # an all-zero module stays all zero
    return W / sums, H * sums[:, np.newaxis]


def update_loops(V, W, H):
    """One multiplicative step written with explicit nested for loops (slow; for learning).

    Returns new (W, H). See the comment above the three update functions for the maths.
    """
    V, W, H = _check_factors(V, W, H)
    N, M = V.shape
    R = W.shape[1]

    WH = W @ H
    Q = _ratio(V, WH)
    W_new = np.zeros_like(W)
    for i in range(N):
        for a in range(R):
            total = 0.0
            for mu in range(M):
                total += Q[i, mu] * H[a, mu]
            W_new[i, a] = W[i, a] * total
    H_row_sums = H.sum(axis=1)
    for a in range(R):
        for i in range(N):
            W_new[i, a] /= H_row_sums[a] if H_row_sums[a] > 0 else 1.0
    W, H = _normalize_columns(W_new, H)

    WH = W @ H
    Q = _ratio(V, WH)
    H_new = np.zeros_like(H)
    for a in range(R):
        for mu in range(M):
            total = 0.0
            for i in range(N):
                total += W[i, a] * Q[i, mu]
            H_new[a, mu] = H[a, mu] * total
    return W, H_new


def update_broadcast(V, W, H, max_bytes=None):
    """One multiplicative step written with NumPy broadcasting.

    Each sum over a shared index becomes: lift both 2-D arrays into 3-D with np.newaxis
    so the shared index lines up, multiply elementwise, and sum over that axis:

        sum_mu Q[i, mu] H[a, mu]  ->  (Q[:, np.newaxis, :] * H[np.newaxis, :, :]).sum(axis=2)
        sum_i  W[i, a] Q[i, mu]   ->  (W[:, :, np.newaxis] * Q[:, np.newaxis, :]).sum(axis=0)

    The 3-D intermediate has N x R x M entries. If it would take more than
    ``max_bytes`` (default BROADCAST_MAX_BYTES, 1 GiB) the function refuses with a
    ValueError pointing to update_matmul, which needs no such intermediate.
    """
    V, W, H = _check_factors(V, W, H)
    N, M = V.shape
    R = W.shape[1]
    limit = BROADCAST_MAX_BYTES if max_bytes is None else max_bytes
    needed = N * R * M * 8
    if needed > limit:
        raise ValueError(f"update_broadcast would build an N x R x M = {N} x {R} x {M} array of "
                         f"{needed / 2**20:,.0f} MiB, more than the limit of {limit / 2**20:,.0f} MiB; "
                         "use update_matmul (the matrix form) for data this size")

    Q = _ratio(V, W @ H)
    W_new = W * (Q[:, np.newaxis, :] * H[np.newaxis, :, :]).sum(axis=2)
    H_row_sums = H.sum(axis=1)
    W_new /= np.where(H_row_sums > 0, H_row_sums, 1.0)
    W, H = _normalize_columns(W_new, H)

    Q = _ratio(V, W @ H)
    H_new = H * (W[:, :, np.newaxis] * Q[:, np.newaxis, :]).sum(axis=0)
    return W, H_new


BROADCAST_MAX_BYTES = 2**30  # 1 GiB: the largest 3-D intermediate update_broadcast will build


def update_matmul(V, W, H):
    """One multiplicative step in matrix form (the teaching version of the fast path).

        W <- W * (Q @ H.T) / H.sum(axis=1)      with Q = V / (W @ H)
        normalise W's columns (and rescale H's rows)
        H <- H * (W.T @ Q)                      with Q recomputed
    """
    V, W, H = _check_factors(V, W, H)
    Q = _ratio(V, W @ H)
    H_row_sums = H.sum(axis=1)
    W_new = W * (Q @ H.T) / np.where(H_row_sums > 0, H_row_sums, 1.0)
    W, H = _normalize_columns(W_new, H)
    Q = _ratio(V, W @ H)
    return W, H * (W.T @ Q)


_UPDATES = {"loops": update_loops, "broadcast": update_broadcast, "matmul": update_matmul}


# ---------------------------------------------------------------------------
# 4. Fitting
# ---------------------------------------------------------------------------

@dataclass
class NMFResult:
    """The best fit of nmf(): W (N x R, columns sum to 1), H (R x M) and how it went."""
    W: np.ndarray
    H: np.ndarray
    log_likelihood: float     # of the observed entries (all of V unless a mask was given)
    n_iter: int               # iterations of the best restart
    converged: bool           # whether the best restart met tol before max_iter
    trace: np.ndarray         # log-likelihood every check_every iterations (first entry: the start)
    check_every: int = 1
    restart_log_likelihoods: np.ndarray = field(default_factory=lambda: np.zeros(0))


class _Progress:
    """A progress display: an ipywidgets bar inside Jupyter, a text line on stderr elsewhere."""

    def __init__(self, total, label):
        self.total, self.label, self.bar = total, label, None
        try:
            shell = get_ipython().__class__.__name__  # noqa: F821 (defined inside IPython only)
        except NameError:
            shell = ""
        if shell == "ZMQInteractiveShell":
            import ipywidgets
            from IPython.display import display
            self.bar = ipywidgets.IntProgress(value=0, min=0, max=total, description=label)
            display(self.bar)

    def update(self, done, text=""):
        if self.bar is not None:
            self.bar.value = done
            self.bar.description = f"{self.label} {text}".strip()
        else:
            print(f"\r{self.label}: {done}/{self.total} {text}", end="", file=sys.stderr, flush=True)

    def close(self):
        if self.bar is None:
            print(file=sys.stderr)


def random_start(rng, N, M, R, V, dtype):
    """A random positive start: W's columns sum to 1, H's columns have the right totals."""
    W = rng.uniform(0.1, 1.0, size=(N, R))
    W /= W.sum(axis=0)
    sample_totals = np.maximum(V.sum(axis=0), 1.0)
    H = rng.uniform(0.1, 1.0, size=(R, M))
    H *= sample_totals / H.sum(axis=0)
    return W.astype(dtype), H.astype(dtype)


def _fit_matmul(V, W, H, mask, max_iter, tol, check_every):
    """The fast matrix-form fit: update_matmul's maths with preallocated buffers.

    Per iteration it does only the work no iteration can avoid: W @ H twice, Q @ H.T,
    W.T @ Q and the two divisions Q = V / (W H), each written into an N x M (or
    N x R, R x M) buffer allocated once (``out=``); everything else touches only the
    N x R or R x M numbers of W and H. In float32 V, W, H and the buffers are all
    float32, so every product runs in single precision (about twice as fast).

    The log-likelihood costs one more product, a logarithm of every entry and a few
    passes over them (up to half an iteration), so it is computed only every
    ``check_every`` iterations, when convergence is tested:
    stop when |L_now - L_before| <= tol * |L_now|. It is summed in float64.

    W and H are kept at or above ``floor`` (about 1e-77 in float64, 3e-10 in float32),
    at the start and after every half-step, so W H > 0 everywhere: Q needs no 0/0
    guard and log(W H) is finite, even for a gene or sample with no counts.

    With a mask (1 = observed, 0 = hidden) the hidden entries count for nothing:
    V is zeroed there, so Q is too, and the sums in the denominators run only over
    observed entries (mask @ H.T and W.T @ mask: two more products per iteration).
    """
    dtype = W.dtype
    floor = np.finfo(dtype).tiny ** 0.25  # far too small to change the fit
    V = V.astype(dtype, copy=False)
    mask = None if mask is None else mask.astype(dtype)
    WH = np.empty(V.shape, dtype)        # the model W @ H
    Q = np.empty(V.shape, dtype)         # V / (W H); also scratch space for the log-likelihood
    grad_W = np.empty(W.shape, dtype)    # Q @ H.T
    grad_H = np.empty(H.shape, dtype)    # W.T @ Q
    if mask is not None:
        observed_W = np.empty(W.shape, dtype)  # mask @ H.T: sum of H over each gene's observed samples
        observed_H = np.empty(H.shape, dtype)  # W.T @ mask: sum of W over each sample's observed genes
    np.maximum(W, floor, out=W)
    np.maximum(H, floor, out=H)

    def current_log_likelihood():
        # sum of V log(WH) - WH, in place in Q; V = 0 gives 0 because log(WH) is finite
        np.matmul(W, H, out=WH)
        terms = np.log(WH, out=Q)
        terms *= V
        terms -= WH
        if mask is not None:
            terms *= mask
        return float(terms.sum(dtype=np.float64))

    trace = [current_log_likelihood()]
    converged, n_iter = False, 0
    for n_iter in range(1, max_iter + 1):
        # W half-step: W <- W * (Q @ H.T) / (row sums of H), then normalise W's columns
        np.matmul(W, H, out=WH)
        np.divide(V, WH, out=Q)
        np.matmul(Q, H.T, out=grad_W)
        W *= grad_W
        if mask is not None:  # a gene hidden in every sample has 0 / 0 here: the floor makes it 0
            W /= np.maximum(np.matmul(mask, H.T, out=observed_W), floor, out=observed_W)
        np.maximum(W, floor, out=W)
        scale = W.sum(axis=0)
        W /= scale  # W's columns now sum to 1; H's rows take the scale, so W H does not change
        if mask is None:  # dividing column a of W by H's row sum a would cancel in W: it lands on H
            scale /= H.sum(axis=1)
        H *= scale[:, np.newaxis]
        # H half-step: H <- H * (W.T @ Q), Q recomputed (W's columns sum to 1)
        np.matmul(W, H, out=WH)
        np.divide(V, WH, out=Q)
        np.matmul(W.T, Q, out=grad_H)
        H *= grad_H
        if mask is not None:
            H /= np.maximum(np.matmul(W.T, mask, out=observed_H), floor, out=observed_H)
        np.maximum(H, floor, out=H)

        if n_iter % check_every == 0 or n_iter == max_iter:
            trace.append(current_log_likelihood())
            if abs(trace[-1] - trace[-2]) <= tol * abs(trace[-1]):
                converged = True
                break
    return W, H, np.array(trace), n_iter, converged


def _fit_step_by_step(V, W, H, update, objective, max_iter, tol, check_every):
    """Fit by calling update(V, W, H) step after step (a teaching update, or update_frobenius).

    objective(V, W, H) is evaluated every check_every steps; stop when it changed by at
    most tol * |objective|.
    """
    trace = [objective(V, W, H)]
    converged, n_iter = False, 0
    for n_iter in range(1, max_iter + 1):
        W, H = update(V, W, H)
        if n_iter % check_every == 0 or n_iter == max_iter:
            trace.append(objective(V, W, H))
            if abs(trace[-1] - trace[-2]) <= tol * abs(trace[-1]):
                converged = True
                break
    return W, H, np.array(trace), n_iter, converged


def nmf(V, R, *, update="matmul", max_iter=3000, tol=1e-8, n_restarts=1, seed=None,
        progress=False, check_every=10, dtype=np.float64, mask=None, init=None):
    """Fit V ~ W H by maximising the Poisson log-likelihood with multiplicative updates.

    Each restart starts from a random positive W (columns summing to 1) and H, and
    repeats the update until the relative change of the log-likelihood over
    ``check_every`` iterations is at most ``tol`` (or ``max_iter`` is reached).
    The restart with the highest log-likelihood is returned. NMF's problem is not
    convex, so different starts can end in different local optima.

    update:      "matmul" (default: the fast matrix-form loop with preallocated
                 buffers), or "loops" / "broadcast" / "matmul-teaching", which call
                 the teaching functions step by step (slow; for comparison).
    check_every: iterations between log-likelihood evaluations (and convergence
                 tests). trace holds the log-likelihood at the start and at each check.
                 Why 10: one evaluation (a product W @ H, a logarithm of every entry and
                 a sum) costs up to half an iteration, so checking every 10th iteration
                 adds about 5%, and a fit that has met tol runs at most 9 iterations too
                 many (fits take hundreds). The change is measured over check_every
                 iterations, so a larger check_every makes the same tol stricter.
    dtype:       np.float64 (default) or np.float32 (fast path only).
    mask:        optional N x M array of 0/1 or bool; entries with 0 are hidden and
                 neither fitted nor scored (used for held-out checks).
    init:        optional (W, H) start; then n_restarts must be 1.
    seed:        seeds np.random.default_rng, so the same seed gives the same fit.
    """
    V = _as_matrix(V, "V")
    R, max_iter, n_restarts, check_every, init = _check_fit_options(
        V, R, max_iter, tol, n_restarts, check_every, init)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float64 or float32, got {dtype}")
    choices = ("matmul", "matmul-teaching", "loops", "broadcast")
    if update not in choices:
        raise ValueError(f"update must be one of {choices}, got {update!r}")
    if update != "matmul" and (dtype != np.float64 or mask is not None):
        raise ValueError("dtype and mask are supported by the fast path (update='matmul') only")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != V.shape:
            raise ValueError(f"mask must have V's shape {V.shape}, got {mask.shape}")
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("mask must hold only 0/1 (or False/True)")
        mask = mask.astype(bool)
        V = V * mask

    rng = np.random.default_rng(seed)
    N, M = V.shape
    display = _Progress(n_restarts, "nmf restarts") if progress else None
    best, finals = None, []
    for restart in range(n_restarts):
        W, H = (init[0].astype(dtype), init[1].astype(dtype)) if init is not None else \
            random_start(rng, N, M, R, V, dtype)
        if update == "matmul":
            fit = _fit_matmul(V, W, H, mask, max_iter, tol, check_every)
        else:
            teaching = update_matmul if update == "matmul-teaching" else _UPDATES[update]
            fit = _fit_step_by_step(V, W, H, teaching, log_likelihood, max_iter, tol, check_every)
        finals.append(fit[2][-1])
        if best is None or fit[2][-1] > best[2][-1]:
            best = fit
        if display:
            display.update(restart + 1, f"best L = {max(finals):.6g}")
    if display:
        display.close()
    W, H, trace, n_iter, converged = best
    W, H = W.astype(np.float64), H.astype(np.float64)
    return NMFResult(W=W, H=H, log_likelihood=float(trace[-1]), n_iter=n_iter,
                     converged=converged, trace=trace, check_every=check_every,
                     restart_log_likelihoods=np.array(finals))


# ---------------------------------------------------------------------------
# 4b. Another objective: squared error (Frobenius)
# ---------------------------------------------------------------------------
# Everything above maximises the Poisson log-likelihood, which is the same as
# minimising the generalised Kullback-Leibler divergence D(V || WH) (see
# generalized_kl). The other classic objective is the squared error
#
#     ||V - WH||_F^2 = sum_{i,mu} (V[i, mu] - (WH)[i, mu])^2,
#
# the right one when the noise is Gaussian with the same spread everywhere, while
# the KL / Poisson objective suits counts, whose spread grows with their mean.
# Lee & Seung's multiplicative step for the squared error is
#
#     W <- W * (V H^T) / (W H H^T)        then        H <- H * (W^T V) / (W^T W H)
#
# (elementwise * and /). It never raises the squared error and keeps W and H
# non-negative. It is the rule scikit-learn's NMF(solver="mu", beta_loss="frobenius")
# uses; scikit-learn reports reconstruction_err_ = ||V - WH||_F, the square root of
# frobenius_error below.

FROBENIUS_FLOOR = np.finfo(np.float64).tiny  # the smallest a denominator may be (avoids 0/0)


def frobenius_error(V, W, H):
    """Squared error ||V - W H||_F^2 = sum_{i,mu} (V - WH)^2 (the full sum, not half of it).

    scikit-learn's NMF(beta_loss="frobenius") reports reconstruction_err_ = the square
    root of this number.
    """
    V, W, H = _check_factors(V, W, H)
    return float(np.sum((V - W @ H) ** 2))


def generalized_kl(V, W, H):
    """Generalised Kullback-Leibler divergence D(V || WH) = sum [V log(V / WH) - V + WH].

    0 log 0 is taken as 0. It is 0 when WH = V and positive otherwise, and

        D(V || WH) = -log_likelihood(V, W, H) + sum [V log V - V],

    where the last sum depends on V only: minimising D is maximising the Poisson
    log-likelihood. scikit-learn's NMF(beta_loss="kullback-leibler") reports
    reconstruction_err_ = sqrt(2 D).
    """
    V, W, H = _check_factors(V, W, H)
    WH = W @ H
    return float(np.sum(_xlogy(V, V) - _xlogy(V, WH) - V + WH))


def update_frobenius(V, W, H):
    """One multiplicative step for the squared error (Lee & Seung); returns new (W, H).

        W <- W * (V H^T) / (W H H^T)
        H <- H * (W^T V) / (W^T W H)      (with the new W)

    A denominator that is exactly 0 (a module with no weight at all) is replaced by
    FROBENIUS_FLOOR, the smallest positive float, so the entry stays 0 instead of
    becoming NaN; any other denominator is used as it is. W's columns are not
    normalised: this step is scale-equivariant (W D, D^-1 H give W_new D, D^-1 H_new
    for a positive diagonal D), so normalising before or after never changes W H.
    """
    V, W, H = _check_factors(V, W, H)
    W = W * (V @ H.T) / np.maximum(W @ (H @ H.T), FROBENIUS_FLOOR)
    H = H * (W.T @ V) / np.maximum((W.T @ W) @ H, FROBENIUS_FLOOR)
    return W, H


@dataclass
class FrobeniusResult:
    """The best fit of nmf_frobenius(): W (N x R, columns sum to 1), H (R x M) and how it went."""
    W: np.ndarray
    H: np.ndarray
    error: float              # ||V - W H||_F^2 at the end
    n_iter: int
    converged: bool
    trace: np.ndarray         # squared error at the start and every check_every iterations
    check_every: int = 1


def nmf_frobenius(V, R, *, max_iter=3000, tol=1e-8, n_restarts=1, seed=None,
                  check_every=10, init=None):
    """Fit V ~ W H by minimising the squared error ||V - WH||_F^2 with update_frobenius.

    Works like nmf() (same random starts, restarts, tol and check_every; stop when the
    error changes by at most tol * error over check_every iterations) but for the
    Gaussian-noise objective. The restart with the smallest error is returned, with
    W's columns scaled to sum to 1 and H's rows scaled the other way (W H unchanged).
    init: optional (W, H) start; then n_restarts must be 1.
    """
    V = _as_matrix(V, "V")
    R, max_iter, n_restarts, check_every, init = _check_fit_options(
        V, R, max_iter, tol, n_restarts, check_every, init)
    rng = np.random.default_rng(seed)
    N, M = V.shape
    best = None
    for _ in range(n_restarts):
        W, H = init if init is not None else random_start(rng, N, M, R, V, np.float64)
        fit = _fit_step_by_step(V, W, H, update_frobenius, frobenius_error, max_iter, tol, check_every)
        if best is None or fit[2][-1] < best[2][-1]:
            best = fit
    W, H, trace, n_iter, converged = best
    W, H = _normalize_columns(W, H)
    return FrobeniusResult(W=W, H=H, error=float(trace[-1]), n_iter=n_iter, converged=converged,
                           trace=trace, check_every=check_every)


# ---------------------------------------------------------------------------
# 5. Choosing R
# ---------------------------------------------------------------------------

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


def information_criteria(log_likelihood, n_params, n_obs):
    """AIC and BIC of a fit with log-likelihood L, k free parameters and n observations.

        AIC = 2 k - 2 L        BIC = k ln(n) - 2 L        (lower is better)

    Both reward a high log-likelihood and charge for parameters: AIC 2 per parameter,
    BIC ln(n) per parameter, more than AIC as soon as n > e^2 (about 7.4).
    Works elementwise on arrays (one entry per R, as in rank_scan). Returns (aic, bic).
    """
    L = np.asarray(log_likelihood, dtype=float)
    k = np.asarray(n_params, dtype=float)
    n = np.asarray(n_obs, dtype=float)
    if (k < 0).any() or (n < 1).any():
        raise ValueError(f"n_params must be >= 0 and n_obs >= 1, got {n_params!r} and {n_obs!r}")
    aic = 2 * k - 2 * L
    bic = k * np.log(n) - 2 * L
    if aic.ndim == 0:
        return float(aic), float(bic)
    return aic, bic


def holdout_mask(shape, fraction, seed=None):
    """A bool mask of the given shape with a random ``fraction`` of entries False (held out)."""
    if not 0 < fraction < 1:
        raise ValueError(f"holdout fraction must be between 0 and 1, got {fraction}")
    rng = np.random.default_rng(seed)
    n_hidden = int(round(fraction * shape[0] * shape[1]))
    mask = np.ones(shape[0] * shape[1], dtype=bool)
    mask[rng.choice(mask.size, size=n_hidden, replace=False)] = False
    return mask.reshape(shape)


def rank_scan(V, ranks, *, n_restarts=3, seed=None, progress=False, holdout=0.0,
              criterion="bic", **nmf_options):
    """Fit NMF for each R in ``ranks`` and compare the fits.

    The log-likelihood always rises with R (a bigger model can fit the noise too),
    so it cannot choose R on its own. Each R is scored with
        AIC = 2 k - 2 L    and    BIC = k ln(n) - 2 L,
    with k = R (N - 1) + R M free parameters (W's columns sum to 1, so each has N - 1
    free entries) and n the number of fitted entries of V.

    best_rank uses BIC by default: its penalty grows with the size of the data, so
    with thousands of counts it does not keep adding modules that only fit Poisson
    noise, which AIC tends to do. ``criterion="aic"`` or ``"heldout"`` choose otherwise.

    holdout: if > 0, that fraction of entries (the same ones for every R) is hidden,
    every fit uses only the rest, and heldout_log_likelihood scores the hidden
    entries under each fit: a model that fits noise predicts them worse.
    """
    V = _as_matrix(V, "V")
    ranks = list(ranks)
    if not ranks:
        raise ValueError("ranks is empty: give at least one R to try")
    ranks = [_check_rank(R, V) for R in ranks]
    if criterion not in ("bic", "aic", "heldout"):
        raise ValueError(f"criterion must be 'bic', 'aic' or 'heldout', got {criterion!r}")
    if criterion == "heldout" and not holdout:
        raise ValueError("criterion='heldout' needs holdout > 0")
    rng = np.random.default_rng(seed)
    mask = holdout_mask(V.shape, holdout, seed=rng) if holdout else None
    n_fitted = V.size if mask is None else int(mask.sum())
    N, M = V.shape

    display = _Progress(len(ranks), "rank scan") if progress else None
    fits, heldout = [], []
    for done, R in enumerate(ranks, start=1):
        fit = nmf(V, R, n_restarts=n_restarts, seed=rng, mask=mask, **nmf_options)
        fits.append(fit)
        if mask is not None:
            WH = fit.W @ fit.H
            hidden = ~mask
            heldout.append(float(np.sum(_xlogy(V[hidden], WH[hidden]) - WH[hidden])))
        if display:
            display.update(done, f"R = {R}")
    if display:
        display.close()

    L = np.array([fit.log_likelihood for fit in fits])
    k = np.array([R * (N - 1) + R * M for R in ranks])
    aic, bic = information_criteria(L, k, n_fitted)
    heldout = np.array(heldout) if mask is not None else None
    score = {"bic": bic, "aic": aic, "heldout": None if heldout is None else -heldout}[criterion]
    best = ranks[int(np.argmin(score))]
    return RankScan(ranks=np.array(ranks), log_likelihood=L, n_params=k, aic=aic, bic=bic,
                    best_rank=best, criterion=criterion, fits=fits,
                    heldout_log_likelihood=heldout, mask=mask)


# ---------------------------------------------------------------------------
# 6. Reading W
# ---------------------------------------------------------------------------

def row_normalize(W):
    """Divide each row of W by its sum: entry [i, a] becomes gene i's share in module a.

    A row of zeros (a gene with no counts) stays zero instead of becoming NaN.
    """
    W = _as_matrix(W, "W")
    sums = W.sum(axis=1, keepdims=True)
    return np.divide(W, sums, out=np.zeros_like(W), where=sums > 0)


def assign_modules(W, threshold=0.1):
    """Gene-by-module membership: True where gene i's row-normalised share in module a >= threshold."""
    threshold = _check_threshold(threshold)
    return row_normalize(W) >= threshold


def find_moonlighters(W, threshold=0.1):
    """Indices of the genes that belong to two or more modules at this threshold."""
    return np.flatnonzero(assign_modules(W, threshold).sum(axis=1) >= 2)


def match_modules(W_ref, W_fit):
    """The order of W_fit's columns that best lines them up with W_ref's.

    NMF's modules come out in an arbitrary order. Returns ``perm`` (length R_ref) so
    that W_fit[:, perm][:, a] is the fitted module most like reference module a,
    choosing the one-to-one pairing with the largest total cosine similarity. All
    pairings are tried for up to 8 reference modules; beyond that a greedy choice is
    made (best remaining pair first). W_fit may have more columns than W_ref.
    """
    W_ref = _as_matrix(W_ref, "W_ref")
    W_fit = _as_matrix(W_fit, "W_fit")
    if W_ref.shape[0] != W_fit.shape[0]:
        raise ValueError(f"W_ref and W_fit must have the same genes (rows): {W_ref.shape} vs {W_fit.shape}")
    R_ref, R_fit = W_ref.shape[1], W_fit.shape[1]
    if R_fit < R_ref:
        raise ValueError(f"W_fit has {R_fit} modules, fewer than W_ref's {R_ref}")

    def unit_columns(X):
        norms = np.linalg.norm(X, axis=0)
        return X / np.where(norms > 0, norms, 1.0)

    similarity = unit_columns(W_ref).T @ unit_columns(W_fit)  # R_ref x R_fit
    if R_ref <= 8:
        rows = np.arange(R_ref)
        best = max(itertools.permutations(range(R_fit), R_ref),
                   key=lambda perm: similarity[rows, list(perm)].sum())
        return np.array(best)
    perm = -np.ones(R_ref, dtype=int)
    remaining = similarity.copy()
    for _ in range(R_ref):
        a, b = np.unravel_index(np.argmax(remaining), remaining.shape)
        perm[a] = b
        remaining[a, :] = -np.inf
        remaining[:, b] = -np.inf
    return perm


def rescale(W, H, scale):
    """Move a positive factor s_a from row a of H to column a of W: return (W s, H / s).

        W'[i, a] = W[i, a] * s_a      H'[a, mu] = H[a, mu] / s_a

    so W' H' = sum_a (W[:, a] s_a)(H[a, :] / s_a) = W H: the fit, and its
    log-likelihood, do not change. This is NMF's scaling ambiguity; choosing s is
    choosing the units in which to read W and H (nmf() makes W's columns sum to 1).
    ``scale`` is one positive number per column of W (a single number is used for all).
    """
    W = _as_matrix(W, "W")
    H = _as_matrix(H, "H")
    if W.shape[1] != H.shape[0]:
        raise ValueError(f"W has {W.shape[1]} columns but H has {H.shape[0]} rows; they must match")
    if isinstance(scale, (str, bytes)) or scale is None:
        raise TypeError(f"scale must be a number or an array of numbers, got {type(scale).__name__}")
    s = np.asarray(scale)
    if s.dtype == bool or s.dtype.kind not in "iuf":
        raise TypeError(f"scale must hold numbers, got dtype {s.dtype}")
    s = np.broadcast_to(s.astype(np.float64), (W.shape[1],)) if s.ndim == 0 else s.astype(np.float64)
    if s.shape != (W.shape[1],):
        raise ValueError(f"scale must have one entry per column of W ({W.shape[1]}), got shape {s.shape}")
    if not (np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError(f"scale must be finite and positive, got {s}")
    return W * s, H / s[:, np.newaxis]


def column_correlations(X_ref, X_fit):
    """Pearson correlation of each column of X_fit with the same column of X_ref.

        r[a] = sum_i (x_i - mean x)(y_i - mean y) / sqrt(sum_i (x_i - mean x)^2 sum_i (y_i - mean y)^2)

    with x = X_ref[:, a] and y = X_fit[:, a]. Correlation ignores scale, so it compares
    the *shape* of a recovered profile with the true one whatever units NMF chose.
    Line the columns up first (``X_fit[:, match_modules(X_ref, X_fit)]``). A constant
    column has no shape to compare; its correlation is reported as 0.
    """
    X_ref = _as_matrix(X_ref, "X_ref")
    X_fit = _as_matrix(X_fit, "X_fit")
    if X_ref.shape != X_fit.shape:
        raise ValueError(f"X_ref and X_fit must have the same shape, got {X_ref.shape} and {X_fit.shape}")
    x = X_ref - X_ref.mean(axis=0)
    y = X_fit - X_fit.mean(axis=0)
    denominator = np.sqrt((x * x).sum(axis=0) * (y * y).sum(axis=0))
    numerator = (x * y).sum(axis=0)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


# ---------------------------------------------------------------------------
# 7. Plots
# ---------------------------------------------------------------------------

def plot_heatmap(ax, X, title, xlabel, ylabel, cmap="viridis", colorbar_label=None, **imshow_options):
    """Draw matrix X as a heatmap on ax with a title, axis labels and a colour bar; return the image."""
    image = ax.imshow(np.asarray(X), aspect="auto", interpolation="nearest", cmap=cmap, **imshow_options)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    colorbar = ax.figure.colorbar(image, ax=ax)
    if colorbar_label:
        colorbar.set_label(colorbar_label)
    return image


def plot_trace(ax, result, label=None):
    """Plot the log-likelihood trace of an NMFResult against the iteration number."""
    iterations = np.arange(len(result.trace)) * result.check_every
    iterations[-1] = result.n_iter
    ax.plot(iterations, result.trace, marker=".", label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("log-likelihood (up to a constant)")
    ax.set_title("Log-likelihood during the fit")
    return ax


# ---------------------------------------------------------------------------
# 8. Self-checks for students
# ---------------------------------------------------------------------------

class SelfCheckError(AssertionError):
    """Raised by a check_...() function when a student's code does not do what it should."""


def _fail(check, message):
    raise SelfCheckError(f"{check}: {message}")


def _passed(check, message):
    print(f"PASSED {check}: {message}")


def _small_problems(n=4):
    """Small (V, W, H) test cases; the last has a gene with W H = 0 and a sample with no counts."""
    problems = []
    for seed in range(n):
        rng = np.random.default_rng(1000 + seed)
        N, M, R = 6 + seed, 5 + seed, 2 + seed % 2
        sim = simulate(N, M, R, n_moonlighters=1, depth=(200, 400), seed=rng)
        V = sim.V.astype(float)
        W, H = random_start(rng, N, M, R, V, np.float64)
        if seed == n - 1:  # gene 0 has no counts and no weight (as after a fit), sample 0 no counts
            V[0, :] = 0
            V[:, 0] = 0
            W[0, :] = 0
            W /= W.sum(axis=0)
        problems.append((V, W, H))
    return problems


def _returned(result, check):
    """The student's result, or a plain failure when the function returned nothing."""
    if result is None:
        _fail(check, "your function returned None: did you forget the `return` line?")
    return result


def _as_pair(result, check):
    if not (isinstance(result, tuple) and len(result) == 2):
        _fail(check, f"your function should return a tuple (W, H), but it returned {type(result).__name__}")
    return np.asarray(result[0], dtype=float), np.asarray(result[1], dtype=float)


def _first_mismatch(mine, reference, rtol=1e-6, atol=1e-9):
    """'' if the arrays agree, else a sentence naming the first differing entry."""
    if mine.shape != reference.shape:
        return f"has shape {mine.shape} but should have shape {reference.shape}"
    close = np.isclose(mine, reference, rtol=rtol, atol=atol)
    if close.all():
        return ""
    index = tuple(int(k) for k in np.argwhere(~close)[0])
    return f"differs at {list(index)}: yours is {mine[index]:.6g}, expected {reference[index]:.6g}"


def check_simulation(W, H, V, n_moonlighters=None):
    """Check a simulated (W, H, V): shapes fit, W's columns sum to 1, each gene in 1 or 2 modules,
    H non-negative, V whole non-negative counts whose size matches W H."""
    check = "check_simulation"
    W, H, V = (np.asarray(x) for x in (W, H, V))
    if W.ndim != 2 or H.ndim != 2 or V.ndim != 2:
        _fail(check, f"W, H and V must be 2-D; got {W.ndim}-D, {H.ndim}-D and {V.ndim}-D")
    if W.shape[1] != H.shape[0] or V.shape != (W.shape[0], H.shape[1]):
        _fail(check, f"shapes do not fit: W {W.shape} times H {H.shape} cannot give V {V.shape}")
    if (W < 0).any() or (H < 0).any():
        _fail(check, "W and H must be non-negative, but have negative entries")
    sums = W.sum(axis=0)
    if not np.allclose(sums, 1):
        a = int(np.argmax(np.abs(sums - 1)))
        _fail(check, f"each column of W must sum to 1, but column {a} sums to {sums[a]:.4g}")
    per_gene = (W > 0).sum(axis=1)
    if per_gene.min() < 1 or per_gene.max() > 2:
        i = int(np.flatnonzero((per_gene < 1) | (per_gene > 2))[0])
        _fail(check, f"each gene should be in one module (two for a moonlighter), "
                     f"but gene {i} has {per_gene[i]} non-zero entries in W")
    if n_moonlighters is not None and (per_gene == 2).sum() != n_moonlighters:
        _fail(check, f"expected {n_moonlighters} moonlighting genes (two non-zeros in a row of W), "
                     f"found {(per_gene == 2).sum()}")
    if (V < 0).any() or not np.all(V == np.round(V)):
        _fail(check, "V must hold whole non-negative counts (draw them with rng.poisson)")
    expected, observed = (W @ H).sum(), V.sum()
    if abs(observed - expected) > 6 * np.sqrt(expected) + 1:
        _fail(check, f"V's total count {observed:.6g} is far from W @ H's total {expected:.6g}: "
                     "is V drawn as Poisson(W @ H)?")
    _passed(check, f"W {W.shape}, H {H.shape} and V {V.shape} follow the model "
                   f"({(per_gene == 2).sum()} moonlighting genes)")


def check_log_likelihood(fn):
    """Test fn(V, W, H) against log_likelihood on small cases (including zero counts)."""
    check = "check_log_likelihood"
    for k, (V, W, H) in enumerate(_small_problems(), start=1):
        try:
            value = float(_returned(fn(V.copy(), W.copy(), H.copy()), check))
        except (TypeError, ValueError) as error:
            _fail(check, f"on test case {k} your function should return one number, but: {error}")
        reference = log_likelihood(V, W, H)
        if np.isnan(value):
            _fail(check, f"test case {k} has zero counts and you returned NaN: "
                         "treat 0 * log(0) as 0 (only take the log where V > 0)")
        if not np.isclose(value, reference, rtol=1e-9, atol=1e-6):
            hint = " (did you include log V!? It is dropped here)" if value < reference else ""
            _fail(check, f"on test case {k} you return {value:.8g}, expected {reference:.8g}{hint}")
    _passed(check, "your log-likelihood matches the reference on 4 test cases, zero counts included")


def check_update(fn):
    """Test one multiplicative step fn(V, W, H) -> (W, H) against update_matmul."""
    check = "check_update"
    for k, (V, W, H) in enumerate(_small_problems(), start=1):
        inputs = (V.copy(), W.copy(), H.copy())
        W_new, H_new = _as_pair(fn(*inputs), check)
        for name, before, after in (("V", V, inputs[0]), ("W", W, inputs[1]), ("H", H, inputs[2])):
            if not np.array_equal(before, after):
                _fail(check, f"your function changed its input {name}; work on a copy instead")
        if W_new.shape != W.shape or H_new.shape != H.shape:
            _fail(check, f"on test case {k} W should keep shape {W.shape} and H shape {H.shape}, "
                         f"got {W_new.shape} and {H_new.shape}")
        if (W_new < 0).any() or (H_new < 0).any():
            _fail(check, f"on test case {k} your W or H has negative entries; "
                         "multiplicative updates never make an entry negative")
        if np.isnan(W_new).any() or np.isnan(H_new).any():
            _fail(check, f"on test case {k} your W or H has NaN entries "
                         "(test case 4 has a gene and a sample with no counts: take 0/0 as 0)")
        sums = W_new.sum(axis=0)
        if not np.allclose(sums, 1):
            _fail(check, f"on test case {k} W's columns should sum to 1 after the step, "
                         f"but they sum to {np.round(sums, 4)}")
        W_ref, H_ref = update_matmul(V, W, H)
        for name, mine, ref in (("W", W_new, W_ref), ("H", H_new, H_ref)):
            problem = _first_mismatch(mine, ref)
            if problem:
                _fail(check, f"on test case {k} your {name} {problem}")
    V, W, H = _small_problems(1)[0]
    before = log_likelihood(V, W, H)
    for step in range(1, 21):
        W, H = _as_pair(fn(V, W, H), check)
        after = log_likelihood(V, W, H)
        if after < before - 1e-9 * abs(before):
            _fail(check, f"the log-likelihood went down at step {step}: {before:.8g} -> {after:.8g}")
        before = after
    _passed(check, "your step matches the reference on 4 test cases and the log-likelihood "
                   "never went down in 20 steps")


def check_nmf(fn):
    """Test a fitting function fn(V, R) returning (W, H) or (W, H, trace) on a simulated problem."""
    check = "check_nmf"
    sim = simulate(30, 20, 3, n_moonlighters=1, seed=7)
    result = fn(sim.V.copy(), 3)
    if isinstance(result, NMFResult):
        W, H, trace = result.W, result.H, result.trace
    elif isinstance(result, tuple) and len(result) in (2, 3):
        W, H = np.asarray(result[0], float), np.asarray(result[1], float)
        trace = np.asarray(result[2], float) if len(result) == 3 else None
    else:
        _fail(check, f"your function should return (W, H) or (W, H, trace), got {type(result).__name__}")
    if W.shape != (30, 3) or H.shape != (3, 20):
        _fail(check, f"for V of shape (30, 20) and R = 3, W should be (30, 3) and H (3, 20); "
                     f"got {W.shape} and {H.shape}")
    if (W < 0).any() or (H < 0).any() or np.isnan(W).any() or np.isnan(H).any():
        _fail(check, "W and H must be non-negative numbers (no negatives, no NaN)")
    if trace is not None and len(trace) > 1:
        drops = np.flatnonzero(np.diff(trace) < -1e-9 * np.abs(trace[1:]))
        if drops.size:
            k = int(drops[0]) + 1
            _fail(check, f"the log-likelihood trace went down at entry {k}: "
                         f"{trace[k - 1]:.8g} -> {trace[k]:.8g}")
    mine = log_likelihood(sim.V, W, H)
    reference = nmf(sim.V, 3, n_restarts=3, seed=0).log_likelihood
    if mine < reference - 1e-3 * abs(reference):
        _fail(check, f"your fit's log-likelihood {mine:.8g} is well below the reference "
                     f"{reference:.8g}: did it stop before converging?")
    _passed(check, f"your fit reaches log-likelihood {mine:.8g} (reference {reference:.8g})")


def check_row_normalize(fn):
    """Test fn(W) -> W with rows summing to 1 (zero rows stay zero)."""
    check = "check_row_normalize"
    W = np.array([[2.0, 2.0, 0.0], [0.0, 0.0, 0.0], [1.0, 3.0, 4.0]])
    mine = np.asarray(_returned(fn(W.copy()), check), dtype=float)
    problem = _first_mismatch(mine, row_normalize(W))
    if problem:
        hint = " (a gene with no weight should stay all zero, not NaN)" if np.isnan(mine).any() else ""
        _fail(check, f"your row-normalised W {problem}{hint}")
    _passed(check, "each row sums to 1 and the all-zero row stays zero")


def check_moonlighters(fn, threshold=0.1):
    """Test fn(W, threshold) -> indices of genes in two or more modules."""
    check = "check_moonlighters"
    sim = simulate(40, 10, 3, n_moonlighters=4, seed=3)
    result = np.asarray(_returned(fn(sim.W.copy(), threshold), check))
    if result.dtype == bool:
        _fail(check, "your function returned a True/False mask; return the indices of the "
                     "moonlighting genes instead (np.flatnonzero(mask) turns one into the other)")
    mine = np.sort(result.astype(int).ravel())
    expected = find_moonlighters(sim.W, threshold)
    if not np.array_equal(mine, expected):
        missing = sorted(set(expected.tolist()) - set(mine.tolist()))
        extra = sorted(set(mine.tolist()) - set(expected.tolist()))
        _fail(check, f"on the true W of a simulation you missed genes {missing} and "
                     f"wrongly included {extra}")
    _passed(check, f"you found the {len(expected)} moonlighting genes {expected.tolist()}")


def check_information_criteria(fn):
    """Test fn(log_likelihood, n_params, n_obs) -> (aic, bic) against information_criteria
    (the formulas rank_scan uses): AIC = 2k - 2L, BIC = k ln(n) - 2L."""
    check = "check_information_criteria"
    cases = [(-1234.5, 10, 600), (37_768_400.25, 636, 6000), (-50.0, 3, 20)]
    for L, k, n in cases:
        result = fn(L, k, n)
        if not (isinstance(result, tuple) and len(result) == 2):
            _fail(check, f"your function should return a tuple (aic, bic), "
                         f"but it returned {type(result).__name__}")
        try:
            aic, bic = float(result[0]), float(result[1])
        except (TypeError, ValueError):
            _fail(check, f"aic and bic should be numbers, got {result!r}")
        ref_aic, ref_bic = information_criteria(L, k, n)
        where = f"for L={L:g}, k={k}, n={n}"
        if not np.isclose(aic, ref_aic, rtol=1e-9, atol=1e-9):
            if np.isclose(aic, ref_bic, rtol=1e-9) and np.isclose(bic, ref_aic, rtol=1e-9):
                _fail(check, f"you returned (bic, aic) {where}; return them in the order (aic, bic)")
            hints = {2 * L - 2 * k: "the signs are swapped: a higher log-likelihood must LOWER the AIC",
                     k - L: "you left out the factor 2 on both terms",
                     2 * k + 2 * L: "the log-likelihood enters with a minus sign"}
            hint = next((text for value, text in hints.items() if np.isclose(aic, value, rtol=1e-9)), "")
            _fail(check, f"AIC should be 2k - 2L = {ref_aic:.10g}: you returned {aic:.10g} "
                         f"{where}" + (f" ({hint})" if hint else ""))
        if not np.isclose(bic, ref_bic, rtol=1e-9, atol=1e-9):
            hints = {k * np.log(k) - 2 * L: "you used ln(k); the penalty is k ln(n), with n the "
                                            "number of observations (entries of V)",
                     k * np.log10(n) - 2 * L: "you used log10; BIC uses the natural log, np.log",
                     2 * L - k * np.log(n): "the signs are swapped: a higher log-likelihood must "
                                            "LOWER the BIC",
                     k * np.log(n) / 2 - L: "you left out the factor 2 (BIC = k ln(n) - 2L)",
                     2 * k * np.log(n) - 2 * L: "the penalty is k ln(n), not 2k ln(n)"}
            hint = next((text for value, text in hints.items() if np.isclose(bic, value, rtol=1e-9)), "")
            _fail(check, f"BIC should be k ln(n) - 2L = {ref_bic:.10g}: you returned {bic:.10g} "
                         f"{where}" + (f" ({hint})" if hint else ""))
    _passed(check, f"your AIC and BIC match the formulas on {len(cases)} test cases")
