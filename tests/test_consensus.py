"""nmf_course.consensus: consensus matrices and the cophenetic correlation (Brunet 2004)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nmf_course.consensus import (consensus_clusters, consensus_from_labels, consensus_matrix,
                                  consensus_order, cophenetic_correlation, sample_clusters)


def block_diagonal(sizes):
    labels = np.repeat(np.arange(len(sizes)), sizes)
    return (labels[:, None] == labels[None, :]).astype(float)


label_runs = st.integers(2, 12).flatmap(lambda M: st.lists(
    st.lists(st.integers(0, 3), min_size=M, max_size=M), min_size=1, max_size=8))


@pytest.mark.parametrize("sizes", [[3, 4], [2, 2, 5], [1, 6], [4, 4, 4, 4]])
def test_block_diagonal_consensus_has_cophenetic_correlation_one(sizes):
    assert cophenetic_correlation(block_diagonal(sizes)) == pytest.approx(1.0, abs=1e-12)


def test_all_ones_is_one_by_convention():
    assert cophenetic_correlation(np.ones((5, 5))) == 1.0


def test_disagreeing_runs_lower_the_correlation():
    rng = np.random.default_rng(0)
    C = consensus_from_labels([rng.integers(0, 3, size=20) for _ in range(10)])
    assert cophenetic_correlation(C) < 0.95


@settings(max_examples=50, deadline=None)
@given(label_runs)
def test_consensus_is_symmetric_with_unit_diagonal_and_fractions(runs):
    C = consensus_from_labels(runs)
    M = len(runs[0])
    assert C.shape == (M, M)
    assert np.array_equal(C, C.T)
    assert np.all(np.diag(C) == 1)
    assert C.min() >= 0 and C.max() <= 1
    assert np.allclose(C * len(runs), np.round(C * len(runs)))   # whole numbers of runs
    rho = cophenetic_correlation(C)
    assert -1 - 1e-12 <= rho <= 1 + 1e-12


@settings(max_examples=50, deadline=None)
@given(label_runs, st.randoms(use_true_random=False))
def test_permuting_samples_permutes_consensus(runs, random):
    M = len(runs[0])
    perm = list(range(M))
    random.shuffle(perm)
    C = consensus_from_labels(runs)
    C_perm = consensus_from_labels([[labels[p] for p in perm] for labels in runs])
    assert np.array_equal(C_perm, C[np.ix_(perm, perm)])


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 15), st.integers(0, 2**32 - 1))
def test_cophenetic_correlation_ignores_sample_order_without_ties(M, seed):
    # (with tied distances average linkage may merge in another order, so use distinct ones)
    rng = np.random.default_rng(seed)
    C = rng.uniform(0, 1, size=(M, M))
    C = np.triu(C, 1) + np.triu(C, 1).T + np.eye(M)
    perm = rng.permutation(M)
    assert cophenetic_correlation(C[np.ix_(perm, perm)]) == pytest.approx(
        cophenetic_correlation(C), abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(label_runs)
def test_relabelling_a_run_changes_nothing(runs):
    renamed = [[10 - x for x in labels] for labels in runs]
    assert np.array_equal(consensus_from_labels(runs), consensus_from_labels(renamed))


def test_sample_clusters_is_the_row_with_the_largest_entry():
    H = np.array([[5.0, 0.1, 2.0], [1.0, 3.0, 2.5]])
    assert list(sample_clusters(H)) == [0, 1, 1]


def test_order_and_clusters_recover_blocks():
    labels = np.array([1, 0, 1, 2, 0, 2, 1])
    C = consensus_from_labels([labels])
    order = consensus_order(C)
    assert sorted(order) == list(range(7))
    found = consensus_clusters(C, 3)
    # the same partition, whatever the numbering
    assert np.array_equal(consensus_from_labels([found]), C)
    # blocks are contiguous along the order
    runs = np.flatnonzero(np.diff(labels[order]) != 0)
    assert len(runs) == 2


def test_consensus_matrix_on_clear_blocks_is_reproducible():
    rng = np.random.default_rng(1)
    W = np.zeros((30, 2)); W[:15, 0] = 1; W[15:, 1] = 1
    H = np.zeros((2, 12)); H[0, :6] = 200; H[1, 6:] = 200
    V = rng.poisson(W @ H + 1.0)
    C1 = consensus_matrix(V, 2, n_runs=5, seed=3, tol=1e-6)
    C2 = consensus_matrix(V, 2, n_runs=5, seed=3, tol=1e-6)
    assert np.array_equal(C1, C2)
    truth = consensus_from_labels([np.repeat([0, 1], 6)])
    assert np.array_equal(C1, truth)
    assert cophenetic_correlation(C1) == pytest.approx(1.0)


@pytest.mark.parametrize("C, error, message", [
    (np.ones((3, 4)), ValueError, "square"),
    (np.ones(4), ValueError, "square"),
    (np.ones((1, 1)), ValueError, "at least 2"),
    (np.array([[1, 0.5], [0.4, 1]]), ValueError, "symmetric"),
    (np.array([[1, 1.5], [1.5, 1]]), ValueError, r"\[0, 1\]"),
    (np.array([[1, -0.1], [-0.1, 1]]), ValueError, r"\[0, 1\]"),
    (np.array([[0.5, 0.2], [0.2, 1]]), ValueError, "diagonal"),
    (np.array([[1, np.nan], [np.nan, 1]]), ValueError, "NaN"),
    ("C", TypeError, "square 2-D array"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "numbers"),
])
def test_cophenetic_correlation_rejects_bad_input(C, error, message):
    with pytest.raises(error, match=message):
        cophenetic_correlation(C)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(R=0), ValueError, r"R must be between 1 and min\(N, M\) = 4 for V of shape \(6, 4\), got R = 0"),
    (dict(R=2, V=np.ones(6)), ValueError, "V must be a 2-D array"),
    (dict(R=5), ValueError, r"R must be between 1 and min\(N, M\) = 4 for V of shape \(6, 4\), got R = 5"),
    (dict(R=2.0), TypeError, "R must be an integer"),
    (dict(R=2, n_runs=0), ValueError, "n_runs must be at least 1, got 0"),
    (dict(R=2, n_runs=2.5), TypeError, "n_runs must be an integer"),
    (dict(R=2, n_restarts=3), TypeError, "n_restarts="),
])
def test_consensus_matrix_rejects_bad_input(kwargs, error, message):
    kwargs.setdefault("V", np.ones((6, 4)))
    with pytest.raises(error, match=message):
        consensus_matrix(**kwargs)


def test_consensus_matrix_rejects_negative_data():
    with pytest.raises(ValueError, match="non-negative"):
        consensus_matrix(-np.ones((6, 4)), 2)


@pytest.mark.parametrize("runs, error, message", [
    ([], ValueError, "empty"),
    ("abc", TypeError, "list of label vectors"),
    ([[0, 1, 1], [0, 1]], ValueError, "same number of samples"),
    ([[[0, 1]]], ValueError, "1-D"),
])
def test_consensus_from_labels_rejects_bad_input(runs, error, message):
    with pytest.raises(error, match=message):
        consensus_from_labels(runs)


def test_brunet_rank_is_the_rank_where_the_correlation_begins_to_fall():
    from nmf_course.consensus import brunet_rank, highest_cophenetic_rank
    # falls after 3, then a higher peak at 5: Brunet's rule takes 3, the highest value takes 5
    rho = {2: 0.95, 3: 0.97, 4: 0.93, 5: 0.99, 6: 0.90}
    assert brunet_rank(rho) == 3
    assert highest_cophenetic_rank(rho) == 5
    assert brunet_rank({3: 0.90, 4: 0.95, 5: 0.97}) == 5               # never falls: the largest R
    assert brunet_rank({2: 1.0, 3: 0.99}) == 2                          # falls at once
    assert brunet_rank({4: 0.99, 3: 0.97, 5: 0.98}) == 4                # order of the dict is irrelevant
    assert brunet_rank({3: 0.98, 4: 0.98 - 1e-9, 5: 0.90}) == 4         # a rounding-level dip is no drop
    assert highest_cophenetic_rank({3: 0.98, 4: 0.98 - 1e-9}) == 4      # ties go to the larger R
