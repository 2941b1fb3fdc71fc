"""Tests of nh.rescale and nh.column_correlations (used by notebooks 07 and 08)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nmf_helpers as nh


def random_factors(seed, N=7, M=9, R=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 2, (N, R)), rng.uniform(0, 5, (R, M))


# --- rescale --------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.lists(st.floats(1e-3, 1e3), min_size=3, max_size=3))
def test_rescale_keeps_the_product_and_the_log_likelihood(seed, scale):
    W, H = random_factors(seed)
    V = np.random.default_rng(seed).poisson(W @ H)
    W2, H2 = nh.rescale(W, H, scale)
    np.testing.assert_allclose(W2 @ H2, W @ H, rtol=1e-10)
    np.testing.assert_allclose(nh.log_likelihood(V, W2, H2), nh.log_likelihood(V, W, H), rtol=1e-10)
    np.testing.assert_allclose(W2, W * np.array(scale))
    np.testing.assert_allclose(H2, H / np.array(scale)[:, None])


def test_rescale_accepts_one_number_and_does_not_touch_its_inputs():
    W, H = random_factors(0)
    W0, H0 = W.copy(), H.copy()
    W2, H2 = nh.rescale(W, H, 2)
    np.testing.assert_allclose(W2, 2 * W0)
    np.testing.assert_allclose(H2, H0 / 2)
    assert np.array_equal(W, W0) and np.array_equal(H, H0)


def test_rescale_undoes_itself():
    W, H = random_factors(1)
    s = np.array([0.5, 3.0, 10.0])
    W2, H2 = nh.rescale(*nh.rescale(W, H, s), 1 / s)
    np.testing.assert_allclose(W2, W)
    np.testing.assert_allclose(H2, H)


@pytest.mark.parametrize("scale, error, words", [
    ([1.0, 2.0], ValueError, "one entry per column"),
    ([1.0, 0.0, 2.0], ValueError, "positive"),
    ([1.0, -1.0, 2.0], ValueError, "positive"),
    ([1.0, np.inf, 2.0], ValueError, "finite"),
    ("2", TypeError, "number"),
    (None, TypeError, "number"),
    ([True, False, True], TypeError, "numbers"),
])
def test_rescale_rejects_bad_scales(scale, error, words):
    W, H = random_factors(2)
    with pytest.raises(error, match=words):
        nh.rescale(W, H, scale)


def test_rescale_rejects_factors_that_do_not_fit():
    W, H = random_factors(3)
    with pytest.raises(ValueError, match="columns but H has"):
        nh.rescale(W, H[:2], 1.0)


# --- column_correlations ----------------------------------------------------------

def test_column_correlations_match_numpy():
    A, B = random_factors(4, N=20, R=4)[0], random_factors(5, N=20, R=4)[0]
    expected = [np.corrcoef(A[:, a], B[:, a])[0, 1] for a in range(4)]
    np.testing.assert_allclose(nh.column_correlations(A, B), expected, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.floats(1e-3, 1e3), st.floats(0, 10))
def test_column_correlations_ignore_scale_and_offset(seed, factor, offset):
    A = random_factors(seed, N=12)[0]
    r = nh.column_correlations(A, factor * A + offset)
    np.testing.assert_allclose(r, 1.0, atol=1e-9)
    assert np.all(np.abs(nh.column_correlations(A, A[::-1])) <= 1 + 1e-12)


def test_column_correlations_of_a_constant_column_are_zero_not_nan():
    A = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    B = np.array([[2.0, 5.0], [2.0, 5.0], [2.0, 5.0]])
    r = nh.column_correlations(A, B)
    assert np.array_equal(r, [0.0, 0.0])


def test_column_correlations_need_the_same_shape():
    with pytest.raises(ValueError, match="same shape"):
        nh.column_correlations(np.ones((3, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        nh.column_correlations(-np.ones((3, 2)), np.ones((3, 2)))
