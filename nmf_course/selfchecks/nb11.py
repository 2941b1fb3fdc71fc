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


__all__ += ["check_project_step"]
REFERENCES["check_project_step"] = ("update_matmul", "update_broadcast", "update_loops", "nmf")


def _reference_project_step(V, W, H):
    WH = W @ H
    ratio = np.divide(V, WH, out=np.zeros_like(WH), where=WH > 0)
    return H * (W.T @ ratio) / W.sum(axis=0)[:, None]


def check_project_step(fn):
    """Test fn(V_new, W, H) -> H after one multiplicative H step with W held fixed:
    H * (W.T @ (V_new / (W H))) / (column sums of W), on a W whose columns do NOT sum to 1."""
    check = "check_project_step"
    rng = np.random.default_rng(11)
    N, R, M = 12, 3, 5
    W = rng.random((N, R)) * np.array([2.5, 0.4, 1.0])      # column sums about 15, 2.4 and 6
    H = rng.random((R, M)) * 50 + 1
    V = rng.poisson(W @ H).astype(float)
    V[0, 0] = 0.0
    inputs = (V.copy(), W.copy(), H.copy())
    try:
        result = fn(*inputs)
    except NotImplementedError:                               # an unfinished exercise: reported as such
        raise
    except Exception as error:                                # a shape error names the transpose
        fail(check, f"your function raised {type(error).__name__}: {error}. With W of shape {W.shape} "
                    f"(genes x metagenes) and H of shape {H.shape}, the step needs W.T @ (V / (W @ H)) "
                    "(R x M) divided by W.sum(axis=0)[:, None] (one sum per metagene)")
    for name, before, after in zip(("V_new", "W", "H"), (V, W, H), inputs):
        if not np.array_equal(before, after):
            fail(check, f"your function changed its input {name}; return a new H instead")
    if isinstance(result, tuple):
        fail(check, "you returned a tuple: projecting keeps W fixed, so return only the new H")
    mine = np.asarray(returned(result, check), dtype=float)
    expected = _reference_project_step(V, W, H)
    if mine.shape != expected.shape:
        fail(check, f"the new H should have H's shape {expected.shape}, you returned shape {mine.shape}")
    if np.allclose(mine, expected, rtol=1e-9, atol=1e-12):
        passed(check, "one H step with W fixed, on a W whose columns do not sum to 1")
        return
    WH = W @ H
    ratio = np.divide(V, WH, out=np.zeros_like(WH), where=WH > 0)
    hints = [
        (H * (W.T @ ratio), "you left out the division by W's column sums. It is 1 when W's columns "
                            "are normalised, as nmf's are, so the step looked right on them; a W "
                            "from anywhere else (rescaled, read from a file, a reference) needs it: "
                            "divide by W.sum(axis=0)[:, None]"),
        (H * (W.T @ ratio) / W.sum(), "you divided by the sum of all of W; each metagene a has its own "
                                      "sum over genes, W.sum(axis=0)[:, None]"),
        (H * (W.T @ ratio) / (W / W.sum(axis=0)).sum(axis=0)[:, None],
         "you normalised W's columns before the step: the step must use the W it is given"),
        (H * ((W / W.sum(axis=0)).T @ np.divide(V, (W / W.sum(axis=0)) @ H)),
         "you normalised W's columns before the step: the step must use the W it is given"),
        (H * (W.T @ (V - WH)) / W.sum(axis=0)[:, None], "the ratio is V / (W H), not V - W H"),
        (H * (W.T @ ratio) / H.sum(axis=0), "you divided by H's column sums; the denominator is W's "
                                            "column sums, W.sum(axis=0)[:, None]"),
    ]
    for value, text in hints:
        if text and value is not None and value.shape == mine.shape and np.allclose(mine, value, rtol=1e-9):
            fail(check, text)
    if np.isnan(mine).any():
        fail(check, "your H has NaN where V = 0 and W H = 0: count those entries of V / (W H) as 0")
    i, j = np.unravel_index(np.argmax(np.abs(mine - expected)), expected.shape)
    fail(check, f"your H differs at [{i}, {j}]: yours is {mine[i, j]:.6g}, expected {expected[i, j]:.6g} "
                "(H * (W.T @ (V_new / (W @ H))) / W.sum(axis=0)[:, None])")
