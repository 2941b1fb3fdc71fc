"""Reading a factorization the way the field's tools do (the R package NMF, Gaujoux &
Seoighe 2010; Kim & Park 2007; Frigyesi & Höglund 2008): shuffled data for rank selection,
the dispersion and silhouettes of a consensus matrix, feature scores, and new samples
projected onto known metagenes. Floor 2: built on nmf_helpers and consensus.

Each function says where it follows R NMF's definition and where it differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

import nmf_helpers as nh
from nmf_course import validation
from nmf_course.rules import has_stopped_falling

__all__ = ["shuffled_like", "rank_against_null", "dispersion", "consensus_silhouette", "feature_scores",
           "select_features", "Projection", "project"]


def shuffled_like(V, seed=None, within="rows"):
    """A null table: V with the entries of each row (or each column) put in random order.

    Shuffling within rows keeps every gene's counts and breaks which samples they go
    with; any structure NMF then finds is structure that noise alone gives, so a rank
    criterion computed on the real and on the shuffled table side by side shows where
    the real data stop gaining more than noise (Frigyesi & Höglund 2008). R NMF's
    ``randomize()`` permutes within each *column* (``apply(x, 2, sample)``: each
    sample keeps its counts, the genes are shuffled); ``within="columns"`` does that.
    """
    V = validation.as_matrix(V, "V")
    validation.choice(within, "within", ("rows", "columns"))
    rng = np.random.default_rng(validation.seed(seed))
    axis = 1 if within == "rows" else 0
    return rng.permuted(V, axis=axis)


def rank_against_null(ranks, real, null, higher_is_better=True):
    """The R where the real curve stops gaining more than the null one.

    ``real`` and ``null`` hold a criterion at each of ``ranks`` (in increasing order), on the
    data and on a shuffled copy (shuffled_like). Going up in R, the step from R - 1 to R
    counts when it improves the real criterion by more than it improves the null one;
    the answer is the last R before the first step that does not (the largest R if every
    step does). This is how Frigyesi & Höglund 2008 and R NMF's vignette read a criterion
    against randomised data: a module is worth adding while it explains more than the
    same module explains in data without structure.
    """
    ranks = [int(R) for R in ranks]
    real = np.asarray(real, dtype=float)
    null = np.asarray(null, dtype=float)
    if not (len(ranks) == real.size == null.size) or len(ranks) < 2:
        raise ValueError(f"ranks, real and null must have the same length (at least 2), got "
                         f"{len(ranks)}, {real.size} and {null.size}")
    if any(b <= a for a, b in zip(ranks, ranks[1:])):
        raise ValueError(f"ranks must increase, got {ranks}")
    sign = 1.0 if higher_is_better else -1.0
    gain_real = sign * np.diff(real)
    gain_null = sign * np.diff(null)
    for j in range(gain_real.size):
        if not gain_real[j] > gain_null[j]:
            return ranks[j]
    return ranks[-1]


def dispersion(C):
    """Kim & Park 2007's dispersion coefficient of a consensus matrix C (M x M):

        rho = (1 / M^2) sum_{i,j} 4 (C[i, j] - 1/2)^2

    1 when every entry is 0 or 1 (all runs agree), lower as entries move towards 1/2;
    R NMF's ``dispersion()`` is the same formula.
    """
    C = validation.consensus(C)
    return float(np.mean(4.0 * (C - 0.5) ** 2))


def consensus_silhouette(C, labels):
    """Each sample's silhouette in the clustering ``labels``, with the distance 1 - C.

    With a(i) the mean distance of sample i to the other members of its cluster and b(i)
    the smallest mean distance to the members of another cluster,

        s(i) = (b(i) - a(i)) / max(a(i), b(i))        (0 for a cluster of one sample)

    near 1: i sits firmly in its cluster; near 0 or below: between clusters. This is
    ``cluster::silhouette`` on ``1 - consensus``, as R NMF's ``silhouette(fit,
    what="consensus")`` computes it; R NMF takes the labels from cutting the consensus
    tree, here you pass them (for example consensus.consensus_clusters(C, R)).
    """
    C = validation.consensus(C)
    labels = np.asarray(labels)
    if labels.shape != (C.shape[0],):
        raise ValueError(f"labels must give one cluster per sample ({C.shape[0]}), got shape {labels.shape}")
    clusters = np.unique(labels)
    if clusters.size < 2:
        raise ValueError("a silhouette needs at least two clusters; labels has one")
    D = 1.0 - C
    np.fill_diagonal(D, 0.0)
    members = labels[None, :] == clusters[:, None]               # k x M
    sizes = members.sum(axis=1)
    mean_to = (D @ members.T) / sizes                              # M x k: mean distance to each cluster
    own = np.searchsorted(clusters, labels)
    own_size = sizes[own]
    a = np.where(own_size > 1, mean_to[np.arange(D.shape[0]), own] * own_size / np.maximum(own_size - 1, 1), 0.0)
    mean_to[np.arange(D.shape[0]), own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0.0)
    return s


def feature_scores(W):
    """Kim & Park 2007's score of how specific each gene (row of W) is to one metagene:

        p(i, a) = W[i, a] / sum_b W[i, b]
        score(i) = 1 + (1 / log2 R) sum_a p(i, a) log2 p(i, a)

    1 for a gene in one metagene only, 0 for a gene spread evenly over all R. The same as
    R NMF's ``featureScore(method="kim")``, except that here 0 log 0 = 0 (R gives NaN for
    a row with an exact zero) and a row of zeros scores 0.
    """
    W = validation.as_matrix(W, "W")
    R = W.shape[1]
    if R < 2:
        raise ValueError(f"feature scores compare metagenes: W needs at least 2 columns, got {R}")
    p = nh.row_normalize(W)
    score = 1.0 + xlogy(p, p).sum(axis=1) / np.log(R)    # natural logs: the ratio is log2's
    return np.where(W.sum(axis=1) > 0, score, 0.0)


def select_features(W):
    """Kim & Park 2007's selection of the genes specific to each metagene.

    A gene is kept when (1) its score is at least median + 3 MAD of all scores (MAD
    scaled by 1.4826, as R's ``mad``) and (2) its largest entry in W is at least the
    median of all entries of W; it is listed under the metagene of that largest entry.
    Returns a list of R integer arrays (row indices, highest score first), as R NMF's
    ``extractFeatures(method="kim")``, which returns NA for a metagene with none; here an
    empty array. Criterion (2) depends on W's scale: our W's columns sum to 1.
    """
    W = validation.as_matrix(W, "W")
    scores = feature_scores(W)
    median = np.median(scores)
    threshold = median + 3 * 1.4826 * np.median(np.abs(scores - median))
    kept = (scores >= threshold) & (W.max(axis=1) >= np.median(W))
    home = W.argmax(axis=1)
    return [np.array(sorted(np.flatnonzero(kept & (home == a)), key=lambda i: -scores[i]), dtype=int)
            for a in range(W.shape[1])]


@dataclass
class Projection:
    """What project() returns: H (R x M_new), its deviance, and how the fit went."""
    H: np.ndarray
    deviance: float
    converged: bool
    deviance_trace: np.ndarray


def project(V, W, *, max_iter=200_000, tol=None, check_every=None):
    """H >= 0 for the columns of V (counts, N x M) with the metagenes W (N x R) held fixed.

    Only the H half of the multiplicative update is taken, again and again:

        H <- H * (W.T @ (V / W H)) / (column sums of W)

    until the deviance stops falling by nmf's own rule (rules.has_stopped_falling, with nmf's
    tol and check_every). With W fixed the problem is convex (one optimum when W's columns
    are linearly independent), so the start matters only for time: each metagene starts
    with an equal share of each sample's counts. This is scikit-learn's ``transform`` for
    a fitted NMF, with the Poisson objective; R NMF has no projection of new samples.
    """
    V = np.asarray(V, dtype=float)
    W = np.asarray(W, dtype=float)
    if W.ndim == 1:
        W = W[:, None]
    if V.ndim != 2 or W.ndim != 2 or W.shape[0] != V.shape[0]:
        raise ValueError(f"V (N x M) and W (N x R) must have the same number of rows, "
                         f"got shapes {V.shape} and {W.shape}")
    if (V < 0).any() or (W < 0).any():
        raise ValueError("V and W must be non-negative")
    defaults = nh.ENGINE_DEFAULTS["fast"]      # nmf's own tol and check_every
    tol = defaults["tol"] if tol is None else tol
    check_every = defaults["check_every"] if check_every is None else check_every
    column_sums = W.sum(axis=0)
    if (column_sums == 0).any():
        raise ValueError(f"W's column {int(np.argmin(column_sums))} is all zeros")
    R = W.shape[1]
    H = np.tile(V.sum(axis=0) / R, (R, 1))
    trace = [nh.deviance(V, W, H)]
    for step in range(1, max_iter + 1):
        H = H * (W.T @ nh.ratio(V, W @ H)) / column_sums[:, None]
        if step % check_every == 0:
            trace.append(nh.deviance(V, W, H))
            if has_stopped_falling(trace, tol):
                return Projection(H=H, deviance=trace[-1], converged=True, deviance_trace=np.array(trace))
    return Projection(H=H, deviance=nh.deviance(V, W, H), converged=False, deviance_trace=np.array(trace))
