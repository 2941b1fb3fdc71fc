"""Notebook 09's self-check: my_svd_reconstruct(V, k), the rank-k truncated SVD of V.

Correct code passes; each typical mistake is named in a sentence."""

import numpy as np
import pytest

from nmf_course import selfchecks
from nmf_course.selfchecks import SelfCheckError
from nmf_course.selfchecks.nb09 import check_svd_reconstruct, svd_reconstruction


def correct(V, k):
    U, s, Qt = np.linalg.svd(V, full_matrices=False)
    return U[:, :k] @ np.diag(s[:k]) @ Qt[:k, :]


def test_correct_code_passes(capsys):
    check_svd_reconstruct(correct)
    assert "PASSED check_svd_reconstruct" in capsys.readouterr().out


def test_full_matrices_svd_passes(capsys):
    def full(V, k):
        U, s, Qt = np.linalg.svd(V)                       # full_matrices=True also works
        return U[:, :k] @ np.diag(s[:k]) @ Qt[:k, :]
    check_svd_reconstruct(full)
    assert "PASSED" in capsys.readouterr().out


def test_reference_is_the_best_rank_k_matrix():
    rng = np.random.default_rng(1)
    V = rng.uniform(size=(8, 6))
    for k in range(1, 6):
        A = svd_reconstruction(V, k)
        assert np.linalg.matrix_rank(A) == k
        other = rng.uniform(size=(8, k)) @ rng.uniform(size=(k, 6))
        assert np.linalg.norm(V - A) <= np.linalg.norm(V - other)


def pca(V, k):
    mean = V.mean(axis=1, keepdims=True)
    U, s, Qt = np.linalg.svd(V - mean, full_matrices=False)
    return mean + (U[:, :k] * s[:k]) @ Qt[:k]


def centred_without_mean(V, k):
    return pca(V, k) - V.mean(axis=1, keepdims=True)


def no_singular_values(V, k):
    U, s, Qt = np.linalg.svd(V, full_matrices=False)
    return U[:, :k] @ Qt[:k]


def smallest(V, k):
    U, s, Qt = np.linalg.svd(V, full_matrices=False)
    return (U[:, -k:] * s[-k:]) @ Qt[-k:]


def one_too_many(V, k):
    return correct(V, k + 1)


def one_too_few(V, k):
    return correct(V, k - 1)


@pytest.mark.parametrize("mistake, sentence", [
    (pca, "PCA reconstruction"),
    (centred_without_mean, "centred data V - mean, without the mean"),
    (no_singular_values, "singular values are missing"),
    (smallest, "k smallest singular values"),
    (one_too_many, "k \\+ 1 = 2 terms instead of k = 1"),
    (one_too_few, "k - 1 = 0 terms instead of k = 1"),
])
def test_typical_mistakes_are_named(mistake, sentence):
    with pytest.raises(SelfCheckError, match=sentence):
        check_svd_reconstruct(mistake)


def test_wrong_shape_and_none():
    with pytest.raises(SelfCheckError, match="returned shape \\(6, 9\\)"):
        check_svd_reconstruct(lambda V, k: correct(V, k).T)
    with pytest.raises(SelfCheckError, match="returned None"):
        check_svd_reconstruct(lambda V, k: None)


def test_other_errors_name_the_entry():
    with pytest.raises(SelfCheckError, match="differs at \\[0, 0\\]"):
        check_svd_reconstruct(lambda V, k: correct(V, k) + 0.5)


def test_selfchecks_exports_the_check():
    assert selfchecks.check_svd_reconstruct.raw is check_svd_reconstruct
