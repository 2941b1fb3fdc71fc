"""Self-checks for Notebook 11, leukemia: consensus and cophenetic correlation."""

from __future__ import annotations

import numpy as np

from nmf_course import consensus
from nmf_course.selfchecks.common import fail, passed, returned

__all__ = ["check_sample_clusters", "check_consensus_from_labels"]
REFERENCES = {"check_sample_clusters": ("sample_clusters",),
              "check_consensus_from_labels": ("consensus_from_labels", "consensus_matrix")}


def check_sample_clusters(fn):
    """Test fn(H) -> labels, the row of H with the largest entry in each column."""
    check = "check_sample_clusters"
    H = np.array([[5.0, 0.1, 2.0, 0.0, 1.0],
                  [1.0, 3.0, 2.5, 0.2, 0.5],
                  [0.5, 0.2, 0.1, 7.0, 0.9]])
    result = fn(H.copy())
    mine = np.asarray(returned(result, check))
    expected = consensus.sample_clusters(H)
    if mine.shape != expected.shape:
        hint = (" (did you take the maximum along axis=1, over samples, instead of axis=0, "
                "over metagenes?)" if mine.shape == (H.shape[0],) else "")
        fail(check, f"for H of shape {H.shape} (3 metagenes x 5 samples) you returned shape "
                     f"{mine.shape}; expected one label per sample, shape {expected.shape}{hint}")
    if mine.dtype.kind not in "iu":
        fail(check, f"labels should be whole-number row indices, got dtype {mine.dtype} "
                     "(np.argmax gives indices; np.max gives the values)")
    wrong = np.flatnonzero(mine != expected)
    if wrong.size:
        j = wrong[0]
        fail(check, f"sample {j} (column {H[:, j].tolist()}) should go to metagene "
                     f"{expected[j]}, the row with its largest entry, but you gave {mine[j]}")
    passed(check, "every sample goes to the metagene with its largest entry in H")


def check_consensus_from_labels(fn):
    """Test fn(labels_per_run) -> the M x M consensus matrix."""
    check = "check_consensus_from_labels"
    runs = [np.array([0, 0, 1, 1, 2]), np.array([1, 1, 0, 0, 0]), np.array([2, 0, 0, 1, 1])]
    result = fn([r.copy() for r in runs])
    mine = np.asarray(returned(result, check), dtype=float)
    expected = consensus.consensus_from_labels(runs)
    if mine.shape != expected.shape:
        fail(check, f"with 3 runs over 5 samples C should be 5 x 5, but yours has shape "
                     f"{mine.shape}")
    if mine.max() > 1 + 1e-12:
        fail(check, f"entries are fractions of runs and cannot exceed 1, but yours reach "
                     f"{mine.max():.3g}: did you forget to divide by the number of runs?")
    if not np.allclose(np.diag(mine), 1):
        fail(check, "the diagonal should be all ones (a sample always shares its own "
                     f"cluster), but yours is {np.round(np.diag(mine), 3).tolist()}")
    if not np.allclose(mine, mine.T):
        fail(check, "C should be symmetric (i with j is the same pair as j with i)")
    bad = np.argwhere(~np.isclose(mine, expected))
    if bad.size:
        i, j = bad[0]
        fail(check, f"samples {i} and {j} share a cluster in {expected[i, j] * 3:.0f} of the "
                     f"3 runs, so C[{i}, {j}] should be {expected[i, j]:.3f}, but yours is "
                     f"{mine[i, j]:.3f}")
    passed(check, "C[i, j] is the fraction of runs in which i and j share a label")
