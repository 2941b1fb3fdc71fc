"""Notebook 04's new self-checks: counting NMF's parameters and the held-out score."""

import numpy as np
import pytest
from scipy.special import xlogy

import nmf_helpers as nh
from nmf_course import selfchecks
from nmf_course.selfchecks import nb04
from nmf_course.selfchecks.common import SelfCheckError


def test_n_params_passes_correct_code(capsys):
    nb04.check_n_params(lambda N, M, R: R * (N - 1) + R * M)
    assert "PASSED check_n_params" in capsys.readouterr().out
    nb04.check_n_params(lambda N, M, R: np.int64(R * (N - 1 + M)))  # a NumPy integer is fine


@pytest.mark.parametrize("broken, message", [
    (lambda N, M, R: N * R + R * M, "each column of W sums to 1"),
    (lambda N, M, R: R * (N + M - R), r"R\(N \+ M - R\)"),
    (lambda N, M, R: R * (N - 1) + R * (M - 1), "H's entries are all free"),
    (lambda N, M, R: N * M, "number of observations"),
    (lambda N, M, R: R * (N - 1), "left out H"),
    (lambda N, M, R: R * M, "left out W"),
    (lambda N, M, R: (R - 1) * (N - 1 + M), "R - 1 modules: is R off by one"),
    (lambda N, M, R: (R + 1) * (N - 1 + M), "R \\+ 1 modules: is R off by one"),
    (lambda N, M, R: R * (N - 1) + R * M + 1, r"k should be R\(N - 1\) \+ RM = 636"),
    (lambda N, M, R: None, "returned None"),
    (lambda N, M, R: [R, N, M], "one number"),
])
def test_n_params_explains_mistakes(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        nb04.check_n_params(broken)


def reference_heldout(V, W, H, mask):
    WH = W @ H
    return float(np.sum((xlogy(V, WH) - WH)[~mask]))


def test_heldout_passes_correct_code(capsys):
    nb04.check_heldout_log_likelihood(reference_heldout)
    assert "PASSED check_heldout_log_likelihood" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H, mask: reference_heldout(V, W, H, ~mask), "summed over the fitted entries"),
    (lambda V, W, H, mask: nh.log_likelihood(V, W, H), "summed over all entries"),
    (lambda V, W, H, mask: float(np.sum(xlogy(V, W @ H)[~mask])), r"left out the - W H term"),
    (lambda V, W, H, mask: float(np.sum((xlogy(V, W @ H) + W @ H)[~mask])), "minus sign"),
    (lambda V, W, H, mask: reference_heldout(V, W, H, mask) / (~mask).sum(), "averaged"),
    (lambda V, W, H, mask: (xlogy(V, W @ H) - W @ H)[~mask], "one number"),
    (lambda V, W, H, mask: None, "returned None"),
])
def test_heldout_explains_mistakes(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        nb04.check_heldout_log_likelihood(broken)


def test_heldout_with_0_log_0_as_nan_is_explained():
    def naive(V, W, H, mask):
        WH = W @ H
        return float(np.sum((V * np.log(WH) - WH)[~mask]))
    with np.errstate(all="ignore"), pytest.raises(SelfCheckError, match="0 log 0"):
        nb04.check_heldout_log_likelihood(naive)


def test_the_checks_refuse_the_helpers_own_answer():
    assert "log_likelihood" in selfchecks.check_heldout_log_likelihood.references
    assert "rank_scan" in selfchecks.check_n_params.references


# --- check_shuffled_like: the null table of notebook 04's section 9 ---------------------------

def _rows_in_place(V, seed):
    rng = np.random.default_rng(seed)
    for row in V:
        rng.shuffle(row)
    return V


@pytest.mark.parametrize("correct", [
    lambda V, seed: np.random.default_rng(seed).permuted(V, axis=1),
    lambda V, seed: np.array([np.random.default_rng([seed, i]).permutation(row) for i, row in enumerate(V)]),
    lambda V, seed: _rows_in_place(V.copy(), seed),
])
def test_shuffled_like_passes_correct_code(correct, capsys):
    nb04.check_shuffled_like(correct)
    assert "PASSED check_shuffled_like" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (lambda V, seed: np.random.default_rng(seed).permuted(V, axis=0), "within each column"),
    (lambda V, seed: V[:, np.random.default_rng(seed).permutation(V.shape[1])], "same permutation"),
    (lambda V, seed: np.random.default_rng(seed).permutation(V.ravel()).reshape(V.shape), "all entries together"),
    (lambda V, seed: _rows_in_place(V, seed), "changed V itself"),
    (lambda V, seed: V.copy(), "unchanged"),
    (lambda V, seed: np.random.default_rng(seed).permuted(V, axis=1).T, "transpose"),
    (lambda V, seed: np.random.default_rng().permuted(V, axis=1), "same seed gave a different"),
    (lambda V, seed: np.random.default_rng(7).permuted(V, axis=1), "seeds 0 and 1 gave the same"),
    (lambda V, seed: np.random.default_rng(seed).poisson(V), "does not hold V's entries"),
])
def test_shuffled_like_names_the_mistake(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        nb04.check_shuffled_like(broken)


def test_shuffled_like_reference_passes_and_delegating_is_caught(capsys):
    from nmf_course import readouts
    nb04.check_shuffled_like(readouts.shuffled_like)
    assert "PASSED" in capsys.readouterr().out
