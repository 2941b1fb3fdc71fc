"""Choosing the rank by stability: consensus matrices and the cophenetic correlation.

Brunet, Tamayo, Golub & Mesirov, PNAS 101:4164-4169 (2004), picked the number of
metagenes R like this:

1. fit NMF many times from random starts;
2. in each run, put sample j in the cluster a for which H[a, j] is largest;
3. count, for every pair of samples, the fraction of runs in which they shared a
   cluster: the consensus matrix C (M x M);
4. cluster the samples by average linkage on the distance 1 - C and measure how well
   the tree reproduces those distances: the cophenetic correlation.

If the runs agree, C holds only 0s and 1s, the tree reproduces 1 - C exactly and the
cophenetic correlation is 1. When R is too large the runs disagree, C fills with
in-between values, and the correlation falls.

nmf_helpers re-exports consensus_matrix and cophenetic_correlation.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_clusters", "consensus_from_labels", "consensus_matrix",
           "cophenetic_correlation", "consensus_order", "consensus_clusters",
           "check_sample_clusters", "check_consensus_from_labels"]


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------

def _check_int(value, name, minimum, maximum=None):
    """Return value as an int after checking it is a whole number in [minimum, maximum]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} of type "
                        f"{type(value).__name__}")
    if value < minimum or (maximum is not None and value > maximum):
        allowed = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def _check_consensus(C, name="C"):
    """Return C as a float array after checking it is a valid consensus matrix."""
    if isinstance(C, (str, bytes)) or C is None:
        raise TypeError(f"{name} must be a square 2-D array of numbers, got {type(C).__name__}")
    array = np.asarray(C)
    if array.dtype == bool or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (int or float), got dtype {array.dtype}")
    array = array.astype(np.float64)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"{name} must be a square 2-D array (M x M), got shape {array.shape}")
    if array.shape[0] < 2:
        raise ValueError(f"{name} must compare at least 2 samples, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must not hold NaN or infinite entries")
    if array.min() < 0 or array.max() > 1:
        i, j = np.unravel_index(np.argmax((array < 0) | (array > 1)), array.shape)
        raise ValueError(f"{name} must hold fractions in [0, 1], but {name}[{i}, {j}] = "
                         f"{array[i, j]:g}")
    if not np.allclose(array, array.T, rtol=0, atol=1e-12):
        i, j = np.unravel_index(np.argmax(np.abs(array - array.T)), array.shape)
        raise ValueError(f"{name} must be symmetric, but {name}[{i}, {j}] = {array[i, j]:g} "
                         f"and {name}[{j}, {i}] = {array[j, i]:g}")
    diagonal = np.diag(array)
    if not np.allclose(diagonal, 1, rtol=0, atol=1e-12):
        i = int(np.argmax(np.abs(diagonal - 1)))
        raise ValueError(f"{name} must have ones on its diagonal (a sample always shares "
                         f"its own cluster), but {name}[{i}, {i}] = {diagonal[i]:g}")
    return array


# ---------------------------------------------------------------------------
# From H to labels, from labels to C
# ---------------------------------------------------------------------------

def sample_clusters(H):
    """Assign each sample to the metagene that dominates it.

    Parameters
    ----------
    H : array, shape (R, M)
        Non-negative weights of R metagenes in M samples.

    Returns
    -------
    labels : int array, shape (M,)
        labels[j] = argmax_a H[a, j], the row of H with the largest entry in column j
        (the first such row if there is a tie).
    """
    H = np.asarray(H)
    if H.dtype == bool or H.dtype.kind not in "iuf":
        raise TypeError(f"H must hold numbers (int or float), got dtype {H.dtype}")
    if H.ndim != 2 or H.size == 0:
        raise ValueError(f"H must be a non-empty 2-D array (R x M), got shape {H.shape}")
    return np.argmax(H, axis=0)


def consensus_from_labels(labels_per_run):
    """Consensus matrix of several clusterings of the same M samples.

    Parameters
    ----------
    labels_per_run : sequence of K label vectors, each of length M (or a K x M array)
        labels_per_run[k][j] is the cluster of sample j in run k. Only equality of
        labels matters: the numbering may differ from run to run.

    Returns
    -------
    C : float array, shape (M, M)
        C[i, j] = (1 / K) * sum_k [label_k(i) == label_k(j)], the fraction of runs in
        which samples i and j share a cluster. Symmetric, ones on the diagonal,
        entries in [0, 1].
    """
    if isinstance(labels_per_run, (str, bytes)) or labels_per_run is None:
        raise TypeError("labels_per_run must be a list of label vectors, got "
                        f"{type(labels_per_run).__name__}")
    runs = [np.asarray(labels) for labels in labels_per_run]
    if not runs:
        raise ValueError("labels_per_run is empty: give at least one run's labels")
    for k, labels in enumerate(runs):
        if labels.ndim != 1:
            raise ValueError(f"labels_per_run[{k}] must be a 1-D vector of labels, got "
                             f"shape {labels.shape}")
        if labels.shape != runs[0].shape:
            raise ValueError(f"every run must label the same number of samples: "
                             f"labels_per_run[0] has {runs[0].size}, labels_per_run[{k}] "
                             f"has {labels.size}")
    if runs[0].size == 0:
        raise ValueError("the label vectors are empty: there are no samples")
    M = runs[0].size
    C = np.zeros((M, M))
    for labels in runs:
        C += labels[:, None] == labels[None, :]   # connectivity: 1 where i and j agree
    return C / len(runs)


# ---------------------------------------------------------------------------
# Many NMF runs
# ---------------------------------------------------------------------------

def consensus_matrix(V, R, *, n_runs=50, seed=None, progress=False, **nmf_options):
    """Consensus matrix of n_runs NMF fits of V with R metagenes (Brunet et al. 2004).

    Parameters
    ----------
    V : array, shape (N, M)
        Non-negative data, N features (genes) by M samples.
    R : int
        Number of metagenes, between 1 and min(N, M).
    n_runs : int, default 50
        Number of fits, each from its own random start (nmf_helpers.nmf with one restart).
    seed : int or None
        Seeds the runs: the same seed gives the same C.
    progress : bool
        Show a progress bar over the runs (needs tqdm).
    **nmf_options
        Passed on to nmf_helpers.nmf (for example max_iter, tol, dtype); by default
        its own defaults. Only the clusters matter here, and they settle long before
        the log-likelihood does, so a looser tol than nmf's default is usually enough.

    Returns
    -------
    C : float array, shape (M, M)
        C[i, j] = fraction of runs in which argmax_a H[a, i] == argmax_a H[a, j],
        i.e. ``consensus_from_labels([sample_clusters(H_k) for each run k])``.

    Notes
    -----
    The fits run with one BLAS thread when threadpoolctl is installed: with R of a few
    metagenes the matrix products are thin, and extra threads cost more than they save.
    """
    import nmf_helpers as nh   # here, not at the top: nmf_helpers imports this module

    shape = np.shape(V)   # nh.nmf checks V's values; its shape is needed for R's range here
    if len(shape) != 2:
        raise ValueError(f"V must be a 2-D array (genes x samples), got shape {shape}")
    R = _check_int(R, "R", 1, min(shape))
    n_runs = _check_int(n_runs, "n_runs", 1)
    for name in ("seed", "n_restarts", "init", "progress", "mask"):
        if name in nmf_options:
            raise TypeError(f"consensus_matrix runs nmf itself: {name}= is not an nmf "
                            "option you can pass here")
    seeds = np.random.default_rng(seed).integers(0, 2**31, size=n_runs)
    runs = range(n_runs)
    if progress:
        from tqdm.auto import tqdm
        runs = tqdm(runs, desc=f"consensus R={R}", unit="run")
    with _one_blas_thread():
        labels_per_run = [sample_clusters(nh.nmf(V, R, seed=int(seeds[k]), **nmf_options).H)
                          for k in runs]
    return consensus_from_labels(labels_per_run)


def _one_blas_thread():
    """Limit BLAS to one thread if threadpoolctl is installed (else change nothing)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


# ---------------------------------------------------------------------------
# Reading C: the cophenetic correlation, an order for plotting, clusters
# ---------------------------------------------------------------------------

def _average_linkage(C):
    """Average-linkage tree on the distances 1 - C; returns (Z, condensed distances)."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    D = 1.0 - C
    np.fill_diagonal(D, 0.0)
    D = (D + D.T) / 2                  # exactly symmetric, as squareform requires
    d = squareform(D, checks=False)
    return linkage(d, method="average"), d


def cophenetic_correlation(C):
    """Cophenetic correlation of average-linkage clustering of 1 - C.

    Parameters
    ----------
    C : array, shape (M, M)
        A consensus matrix: symmetric, entries in [0, 1], ones on the diagonal.

    Returns
    -------
    rho : float
        The Pearson correlation, over all pairs i < j, between the distance
        d(i, j) = 1 - C[i, j] and the cophenetic distance t(i, j), the height at which
        average linkage first joins i and j:

            rho = sum (d - mean d)(t - mean t) / sqrt(sum (d - mean d)^2 * sum (t - mean t)^2)

        rho = 1 when C holds only 0s and 1s (every run agrees). If all distances are
        equal (for example R = 1, where C is all ones) the tree reproduces them exactly
        and rho is 1 by convention.
    """
    from scipy.cluster.hierarchy import cophenet

    C = _check_consensus(C)
    Z, d = _average_linkage(C)
    if np.ptp(d) == 0:
        return 1.0
    rho, _ = cophenet(Z, d)
    return float(rho)


def consensus_order(C):
    """Order of the samples along the average-linkage dendrogram of 1 - C.

    Plotting C[order][:, order] puts samples that cluster together next to each other,
    so a stable clustering shows as clean blocks on the diagonal.
    """
    from scipy.cluster.hierarchy import leaves_list

    Z, _ = _average_linkage(_check_consensus(C))
    return leaves_list(Z)


def consensus_clusters(C, k):
    """Cut the average-linkage tree of 1 - C into k clusters.

    Returns an int array of length M with labels 0..k-1, numbered in order of first
    appearance along consensus_order(C). This is how Brunet et al. read a clustering
    off a consensus matrix.
    """
    from scipy.cluster.hierarchy import fcluster

    C = _check_consensus(C)
    k = _check_int(k, "k", 1, C.shape[0])
    Z, _ = _average_linkage(C)
    raw = fcluster(Z, t=k, criterion="maxclust")
    order = consensus_order(C)
    renumber = {}
    for j in order:
        renumber.setdefault(raw[j], len(renumber))
    return np.array([renumber[r] for r in raw])


# ---------------------------------------------------------------------------
# Self-checks for notebook 11's exercises
# ---------------------------------------------------------------------------

def _fail(check, message):
    try:   # the course's own error type when it is there, else a plain AssertionError
        from nmf_course.selfchecks import SelfCheckError
    except ImportError:
        SelfCheckError = AssertionError
    raise SelfCheckError(f"{check}: {message}")


def check_sample_clusters(fn):
    """Test fn(H) -> labels, the row of H with the largest entry in each column."""
    check = "check_sample_clusters"
    H = np.array([[5.0, 0.1, 2.0, 0.0, 1.0],
                  [1.0, 3.0, 2.5, 0.2, 0.5],
                  [0.5, 0.2, 0.1, 7.0, 0.9]])
    result = fn(H.copy())
    if result is None:
        _fail(check, "your function returned None: did you forget the `return` line?")
    mine = np.asarray(result)
    expected = sample_clusters(H)
    if mine.shape != expected.shape:
        hint = (" (did you take the maximum along axis=1, over samples, instead of axis=0, "
                "over metagenes?)" if mine.shape == (H.shape[0],) else "")
        _fail(check, f"for H of shape {H.shape} (3 metagenes x 5 samples) you returned shape "
                     f"{mine.shape}; expected one label per sample, shape {expected.shape}{hint}")
    if mine.dtype.kind not in "iu":
        _fail(check, f"labels should be whole-number row indices, got dtype {mine.dtype} "
                     "(np.argmax gives indices; np.max gives the values)")
    wrong = np.flatnonzero(mine != expected)
    if wrong.size:
        j = wrong[0]
        _fail(check, f"sample {j} (column {H[:, j].tolist()}) should go to metagene "
                     f"{expected[j]}, the row with its largest entry, but you gave {mine[j]}")
    print(f"{'PASSED'} {check}: every sample goes to the metagene with its largest entry in H")


def check_consensus_from_labels(fn):
    """Test fn(labels_per_run) -> the M x M consensus matrix."""
    check = "check_consensus_from_labels"
    runs = [np.array([0, 0, 1, 1, 2]), np.array([1, 1, 0, 0, 0]), np.array([2, 0, 0, 1, 1])]
    result = fn([r.copy() for r in runs])
    if result is None:
        _fail(check, "your function returned None: did you forget the `return` line?")
    mine = np.asarray(result, dtype=float)
    expected = consensus_from_labels(runs)
    if mine.shape != expected.shape:
        _fail(check, f"with 3 runs over 5 samples C should be 5 x 5, but yours has shape "
                     f"{mine.shape}")
    if mine.max() > 1 + 1e-12:
        _fail(check, f"entries are fractions of runs and cannot exceed 1, but yours reach "
                     f"{mine.max():.3g}: did you forget to divide by the number of runs?")
    if not np.allclose(np.diag(mine), 1):
        _fail(check, "the diagonal should be all ones (a sample always shares its own "
                     f"cluster), but yours is {np.round(np.diag(mine), 3).tolist()}")
    if not np.allclose(mine, mine.T):
        _fail(check, "C should be symmetric (i with j is the same pair as j with i)")
    bad = np.argwhere(~np.isclose(mine, expected))
    if bad.size:
        i, j = bad[0]
        _fail(check, f"samples {i} and {j} share a cluster in {expected[i, j] * 3:.0f} of the "
                     f"3 runs, so C[{i}, {j}] should be {expected[i, j]:.3f}, but yours is "
                     f"{mine[i, j]:.3f}")
    print(f"{'PASSED'} {check}: C[i, j] is the fraction of runs in which i and j share a label")
