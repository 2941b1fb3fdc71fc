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

Notebooks import this module by name (from nmf_course import consensus); the fits are
nmf_helpers.nmf_each's.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import cophenet, fcluster, leaves_list, linkage
from scipy.spatial.distance import squareform
from threadpoolctl import threadpool_limits

import nmf_helpers as nh
from nmf_course import validation

__all__ = ["sample_clusters", "consensus_from_labels", "consensus_matrix",
           "cophenetic_correlation", "brunet_rank", "highest_cophenetic_rank", "consensus_order",
           "consensus_clusters"]


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
        Number of fits, each from its own random start (nmf_helpers.nmf with one restart;
        nmf_helpers.nmf_each makes them together).
    seed : int or None
        Seeds the runs: the same seed gives the same C.
    progress : bool
        Show a progress bar over the runs (tqdm).
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
    The fits run with one BLAS thread: with R of a few metagenes the matrix products are
    thin, and extra threads cost more than they save.
    """
    shape = np.shape(V)   # nh.nmf checks V's values; its shape is needed for R's range here
    if len(shape) != 2:
        raise ValueError(f"V must be a 2-D array (genes x samples), got shape {shape}")
    R = validation.rank(R, np.empty(shape))
    n_runs = validation.integer(n_runs, "n_runs")
    for name in ("seed", "n_restarts", "init", "progress", "mask"):
        if name in nmf_options:
            raise TypeError(f"consensus_matrix runs nmf itself: {name}= is not an nmf "
                            "option you can pass here")
    seeds = np.random.default_rng(seed).integers(0, 2**31, size=n_runs)
    with threadpool_limits(limits=1, user_api="blas"):  # thin products: threads cost more than they save
        fits = nh.nmf_each(V, R, [int(s) for s in seeds], progress=progress, **nmf_options)
    return consensus_from_labels([sample_clusters(fit.H) for fit in fits])


# ---------------------------------------------------------------------------
# Reading C: the cophenetic correlation, an order for plotting, clusters
# ---------------------------------------------------------------------------

def _average_linkage(C):
    """Average-linkage tree on the distances 1 - C; returns (Z, condensed distances)."""
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
    C = validation.consensus(C)
    Z, d = _average_linkage(C)
    if np.ptp(d) == 0:
        return 1.0
    rho, _ = cophenet(Z, d)
    return float(rho)


def _rounded(cophenetic, decimals):
    """{R: correlation rounded to decimals}, in increasing R."""
    return {int(R): round(float(c), decimals) for R, c in sorted(dict(cophenetic).items())}


def brunet_rank(cophenetic, decimals=4):
    """Brunet et al.'s choice of R: the rank at which the cophenetic correlation begins to fall.

    Brunet, Tamayo, Golub & Mesirov 2004 (PNAS 101:4164-4169, p. 4167): "we select values of k
    where the magnitude of the cophenetic correlation coefficient begins to fall". Going up in
    R, that is the last R before the first drop: the first R whose next rank has a lower
    correlation (the largest R scanned if none falls). ``cophenetic`` is {R: correlation};
    correlations are compared at ``decimals`` places, so rounding noise makes no drop.
    """
    values = _rounded(cophenetic, decimals)
    ranks = list(values)
    for R, R_next in zip(ranks, ranks[1:]):
        if values[R_next] < values[R]:
            return R
    return ranks[-1]


def highest_cophenetic_rank(cophenetic, decimals=4):
    """The R with the highest cophenetic correlation (at ``decimals`` places; on a tie the
    larger R). Not Brunet's rule (brunet_rank): a later, higher peak wins here."""
    values = _rounded(cophenetic, decimals)
    top = max(values.values())
    return max(R for R, v in values.items() if v == top)


def consensus_order(C):
    """Order of the samples along the average-linkage dendrogram of 1 - C.

    Plotting C[order][:, order] puts samples that cluster together next to each other,
    so a stable clustering shows as clean blocks on the diagonal.
    """
    Z, _ = _average_linkage(validation.consensus(C))
    return leaves_list(Z)


def consensus_clusters(C, k):
    """Cut the average-linkage tree of 1 - C into k clusters.

    Returns an int array of length M with labels 0..k-1, numbered in order of first
    appearance along consensus_order(C). This is how Brunet et al. read a clustering
    off a consensus matrix.
    """
    C = validation.consensus(C)
    k = validation.integer(k, "k")
    if k > C.shape[0]:
        raise ValueError(f"k must be at most the number of samples {C.shape[0]}, got {k}")
    Z, _ = _average_linkage(C)
    raw = fcluster(Z, t=k, criterion="maxclust")
    order = consensus_order(C)
    renumber = {}
    for j in order:
        renumber.setdefault(raw[j], len(renumber))
    return np.array([renumber[r] for r in raw])
