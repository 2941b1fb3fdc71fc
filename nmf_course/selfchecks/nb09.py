"""Self-checks for Notebook 09, parts versus wholes."""

from __future__ import annotations

import numpy as np

from nmf_course.selfchecks.common import fail, first_mismatch, passed, returned

__all__ = ["check_svd_reconstruct"]

# The answer is plain numpy (np.linalg.svd): no helper function to refuse.
REFERENCES = {"check_svd_reconstruct": ()}


def svd_reconstruction(V, k):
    """The rank-k truncated SVD of V (not centred): U_k diag(s_k) Q_k^T, the best rank-k
    approximation of V in squared error (Eckart-Young)."""
    U, s, Qt = np.linalg.svd(np.asarray(V, dtype=float), full_matrices=False)
    return (U[:, :k] * s[:k]) @ Qt[:k]


def _test_cases():
    """(V, k) pairs: non-negative matrices, tall and wide, with distinct singular values."""
    cases = []
    for seed, (n, m, k) in enumerate([(9, 6, 1), (7, 12, 2), (15, 10, 3), (10, 10, 4)]):
        rng = np.random.default_rng(900 + seed)
        cases.append((rng.uniform(0, 1, (n, m)) + rng.uniform(0, 1, (n, 1)), k))
    return cases


def _diagnose(mine, V, k):
    """A sentence for a typical mistake, or '' when none of them fits."""
    U, s, Qt = np.linalg.svd(V, full_matrices=False)
    mean = V.mean(axis=1, keepdims=True)
    Uc, sc, Qtc = np.linalg.svd(V - mean, full_matrices=False)
    guesses = [
        ((Uc[:, :k] * sc[:k]) @ Qtc[:k] + mean,
         "it equals the PCA reconstruction (mean image + k directions of the centred data); "
         "here do not subtract the mean: take the SVD of V itself"),
        ((Uc[:, :k] * sc[:k]) @ Qtc[:k],
         "it equals the rank-k approximation of the centred data V - mean, without the mean; "
         "take the SVD of V itself"),
        (U[:, :k] @ Qt[:k], "the singular values are missing: multiply by diag(s) (U[:, :k] * s[:k])"),
        ((U[:, -k:] * s[-k:]) @ Qt[-k:],
         "you kept the k smallest singular values; numpy sorts them largest first, so keep the first k"),
        ((U[:, :k + 1] * s[:k + 1]) @ Qt[:k + 1], f"you kept k + 1 = {k + 1} terms instead of k = {k}"),
        ((U[:, :k - 1] * s[:k - 1]) @ Qt[:k - 1], f"you kept k - 1 = {k - 1} terms instead of k = {k}"),
    ]
    for guess, sentence in guesses:
        if guess.shape == mine.shape and np.allclose(mine, guess, rtol=1e-6, atol=1e-9):
            return sentence
    return ""


def check_svd_reconstruct(my_svd_reconstruct):
    """my_svd_reconstruct(V, k) must return the rank-k truncated SVD of V (same shape as V)."""
    name = "check_svd_reconstruct"
    cases = _test_cases()
    for V, k in cases:
        result = returned(my_svd_reconstruct(V.copy(), k), name)
        mine = np.asarray(result, dtype=float)
        expected = svd_reconstruction(V, k)
        if mine.shape != V.shape:
            fail(name, f"for V of shape {V.shape} and k = {k} your function returned shape {mine.shape}; "
                       f"the reconstruction has the shape of V, {V.shape}")
        problem = first_mismatch(mine, expected, rtol=1e-6, atol=1e-9)
        if problem:
            sentence = _diagnose(mine, V, k)
            detail = f": {sentence}" if sentence else ""
            fail(name, f"for V of shape {V.shape} and k = {k} your reconstruction {problem}{detail}")
    passed(name, f"your rank-k reconstruction agrees with numpy's SVD on {len(cases)} matrices "
                 f"(k = {', '.join(str(k) for _, k in cases)})")
