"""nmf_course.readouts: each read-out on a case with a known answer."""

import numpy as np
import pytest
from sklearn.metrics import silhouette_samples

import nmf_helpers as nh
from nmf_course import consensus
from nmf_course.readouts import (consensus_silhouette, dispersion, feature_scores, project, rank_against_null,
                                 select_features, shuffled_like)


def blocks(labels):
    labels = np.asarray(labels)
    return (labels[:, None] == labels[None, :]).astype(float)


def test_shuffled_like_permutes_within_each_row_or_column_and_keeps_v():
    V = np.arange(24).reshape(4, 6)
    before = V.copy()
    rows = shuffled_like(V, seed=1)
    assert np.array_equal(V, before)
    assert all(sorted(a) == sorted(b) for a, b in zip(rows, V)) and not np.array_equal(rows, V)
    cols = shuffled_like(V, seed=1, within="columns")
    assert all(sorted(a) == sorted(b) for a, b in zip(cols.T, V.T)) and not np.array_equal(cols, V)
    assert np.array_equal(shuffled_like(V, seed=1), rows)
    with pytest.raises(ValueError, match="within"):
        shuffled_like(V, within="diagonals")


def test_a_perfect_block_consensus_has_dispersion_1_and_silhouettes_1():
    labels = [0, 0, 1, 1, 1, 2, 2]
    C = blocks(labels)
    assert dispersion(C) == pytest.approx(1.0)
    np.testing.assert_allclose(consensus_silhouette(C, labels), 1.0)


def test_dispersion_of_a_consensus_of_coin_flips():
    M = 5
    C = np.full((M, M), 0.5)
    np.fill_diagonal(C, 1.0)
    assert dispersion(C) == pytest.approx(1 / M)     # only the diagonal is away from 1/2


def test_silhouettes_agree_with_scikit_learn_and_flag_a_sample_between_clusters():
    runs = [np.r_[np.zeros(4, int), np.ones(4, int)] for _ in range(10)]
    for run in runs[:4]:
        run[3] = 1                                   # sample 3 goes to the other cluster in 4 runs of 10
    C = consensus.consensus_from_labels(runs)
    labels = np.r_[np.zeros(4, int), np.ones(4, int)]
    s = consensus_silhouette(C, labels)
    D = 1 - C
    np.fill_diagonal(D, 0)
    np.testing.assert_allclose(s, silhouette_samples(D, labels, metric="precomputed"), atol=1e-12)
    assert s[3] == s.min() < s[0]
    single = consensus_silhouette(blocks([0, 0, 1]), [0, 0, 1])
    assert single[2] == 0                            # a cluster of one sample


def test_feature_scores_are_1_for_one_metagene_and_0_for_all_alike():
    W = np.array([[0.5, 0.0, 0.0], [0.2, 0.2, 0.2], [0.0, 0.0, 0.0], [0.3, 0.1, 0.0]])
    s = feature_scores(W)
    assert s[0] == pytest.approx(1.0) and s[1] == pytest.approx(0.0) and s[2] == 0
    assert 0 < s[3] < 1
    with pytest.raises(ValueError, match="at least 2 columns"):
        feature_scores(W[:, :1])


def test_select_features_keeps_the_specific_genes_under_their_metagene():
    rng = np.random.default_rng(3)
    W = rng.uniform(0.5, 1.0, size=(40, 3))          # genes spread over all three metagenes
    W[5] = [3.0, 0.0, 0.0]                           # specific to metagene 0
    W[17] = [0.0, 0.0, 2.5]                          # specific to metagene 2
    W[30] = [0.0, 0.01, 0.0]                         # specific, but too small (criterion 2)
    W /= W.sum(axis=0)
    selected = select_features(W)
    assert [list(genes) for genes in selected] == [[5], [], [17]]


def test_projecting_counts_made_by_w_returns_their_h():
    sim = nh.simulate(60, 12, 3, n_moonlighters=2, seed=4)
    V = sim.W @ sim.H                                 # expected counts: W H exactly
    result = project(V, sim.W)
    assert result.converged
    np.testing.assert_allclose(result.H, sim.H, rtol=1e-3)
    assert np.all(np.diff(result.deviance_trace) <= 1e-9)    # never rises
    with pytest.raises(ValueError, match="same number of rows"):
        project(V[:10], sim.W)


def test_rank_against_null_is_the_last_rank_before_the_real_gain_falls_to_the_null_one():
    ranks = [1, 2, 3, 4, 5]
    real = [0, 100, 180, 190, 195]       # gains 100, 80, 10, 5
    null = [0, 20, 40, 60, 80]           # gains 20 each
    assert rank_against_null(ranks, real, null) == 3
    # lower is better (an AIC, a deviance): the same reading with the signs turned
    assert rank_against_null(ranks, [-x for x in real], [-x for x in null], higher_is_better=False) == 3
    assert rank_against_null(ranks, [0, 50, 100, 150, 200], null) == 5   # never stops gaining more
    assert rank_against_null(ranks, [0, 10, 100, 150, 200], null) == 1   # the first step already fails
    with pytest.raises(ValueError, match="same length"):
        rank_against_null(ranks, real, null[:-1])
    with pytest.raises(ValueError, match="increase"):
        rank_against_null([1, 3, 2, 4, 5], real, null)
