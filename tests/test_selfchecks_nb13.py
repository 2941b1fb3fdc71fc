"""Self-checks of notebook 13: correct code passes, typical mistakes get their sentence."""

import numpy as np
import pytest

from nmf_course import algorithms, selfchecks
from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb13 import check_hals_row, check_hoyer, check_majorizer_minimum


def majorizer_minimum(V, W, H, a, j):
    h0, w = H[a, j], W[:, a]
    return h0 * np.sum(w * V[:, j] / (W @ H[:, j])) / w.sum()


def hals_row(V, W, H, a):
    WtW = W.T @ W
    H = H.copy()
    H[a] = np.maximum(0, H[a] + (W.T @ V - WtW @ H)[a] / WtW[a, a])
    return H


def hoyer(x):
    n = len(x)
    return (np.sqrt(n) - np.abs(x).sum() / np.sqrt(np.sum(x**2))) / (np.sqrt(n) - 1)


def test_correct_code_passes(capsys):
    check_majorizer_minimum(majorizer_minimum)
    check_hals_row(hals_row)
    check_hoyer(hoyer)
    check_majorizer_minimum(algorithms.mu_entry)
    check_hoyer(algorithms.hoyer_sparseness)
    assert capsys.readouterr().out.count("PASSED") == 5


def test_the_checks_are_registered():
    for name in ("check_majorizer_minimum", "check_hals_row", "check_hoyer"):
        assert callable(getattr(selfchecks, name))
        assert name in selfchecks.RAW_CHECKS


def without_h0(V, W, H, a, j):
    return majorizer_minimum(V, W, H, a, j) / H[a, j]


def without_s(V, W, H, a, j):
    return majorizer_minimum(V, W, H, a, j) * W[:, a].sum()


def wrong_sum(V, W, H, a, j):
    return majorizer_minimum(V, W, H, a, j) * W[:, a].sum() / H[a].sum()


def squared_ratio(V, W, H, a, j):
    w = W[:, a]
    return H[a, j] * np.sum(w * V[:, j] / (W @ H[:, j]) ** 2) / w.sum()


def writes_back(V, W, H, a, j):
    H[a, j] = majorizer_minimum(V, W, H, a, j)
    return H[a, j]


@pytest.mark.parametrize("fn, message", [
    (without_h0, "times the current value h0"),
    (without_s, "without dividing by\\s+s = sum_i W\\[i, a\\]"),
    (wrong_sum, "divide b by s = sum_i W\\[i, a\\]"),
    (squared_ratio, "not V / \\(W H\\)\\^2"),
    (writes_back, "changed V, W or H"),
    (lambda V, W, H, a, j: H[:, j], "return one number"),
    (lambda V, W, H, a, j: None, "returned None"),
    (lambda V, W, H, a, j: 1.0, "the majorizer's minimum is"),
])
def test_majorizer_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_majorizer_minimum(fn)


def unclipped(V, W, H, a):
    WtW = W.T @ W
    H = H.copy()
    H[a] = H[a] + (W.T @ V - WtW @ H)[a] / WtW[a, a]
    return H


def undivided(V, W, H, a):
    WtW = W.T @ W
    H = H.copy()
    H[a] = np.maximum(0, H[a] + (W.T @ V - WtW @ H)[a])
    return H


def only_the_row(V, W, H, a):
    return hals_row(V, W, H, a)[a]


def in_place(V, W, H, a):
    H[a] = hals_row(V, W, H, a)[a]
    return H


def every_row(V, W, H, a):
    for b in range(H.shape[0]):
        H = hals_row(V, W, H, b)
    return H


@pytest.mark.parametrize("fn, message", [
    (unclipped, "negative entries: clip at 0"),
    (undivided, "divide the step by \\(W\\^T W\\)\\[a, a\\]"),
    (only_the_row, "did you return only row a"),
    (in_place, "changed its input"),
    (every_row, "only row 0 may change"),
    (lambda V, W, H, a: None, "returned None"),
])
def test_hals_row_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_hals_row(fn)


@pytest.mark.parametrize("fn, message", [
    (lambda x: (np.sqrt(len(x)) - np.sqrt(np.sum(x**2)) / np.abs(x).sum()) / (np.sqrt(len(x)) - 1),
     "the L1 norm on top"),
    (lambda x: np.sqrt(len(x)) - np.abs(x).sum() / np.sqrt(np.sum(x**2)), "divide by sqrt\\(n\\) - 1"),
    (lambda x: (np.sqrt(len(x)) - np.abs(x).sum() / np.sum(x**2)) / (np.sqrt(len(x)) - 1),
     "square root of the sum of squares"),
    (lambda x: np.array([0.5, 0.5]), "return one number"),
    (lambda x: None, "returned None"),
    (lambda x: 0.5, "Hoyer's sparseness is"),
])
def test_hoyer_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_hoyer(fn)
