"""Tests of section 4b of nmf_helpers: the squared-error objective, its updates, the KL divergence."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nmf_helpers as nh


def random_problem(seed, N, M, R, zero_gene=False):
    """A small non-negative V (counts) with a random positive start."""
    rng = np.random.default_rng(seed)
    V = rng.poisson(rng.uniform(0, 20, size=(N, M))).astype(float)
    if zero_gene:
        V[0, :] = 0
        V[:, -1] = 0
    W, H = nh.random_start(rng, N, M, R, V, np.float64)
    return V, W, H


problems = st.builds(random_problem, st.integers(0, 10**6), st.integers(3, 10),
                     st.integers(3, 9), st.integers(1, 3), st.booleans())


def test_frobenius_error_by_hand():
    V = np.array([[4.0, 0, 2], [0, 3, 1], [2, 1, 3]])
    W = np.array([[2.0, 0], [0, 1.5], [1, 1]])
    H = np.array([[2.0, 0, 1], [0, 2, 1]])
    # W H = [[4, 0, 2], [0, 3, 1.5], [2, 2, 2]]: errors 0.5, 1 and 1 squared
    assert nh.frobenius_error(V, W, H) == pytest.approx(0.25 + 1 + 1)
    assert nh.frobenius_error(V, np.eye(3), V) == 0


@settings(max_examples=40, deadline=None)
@given(problems)
def test_update_frobenius_never_raises_the_error_and_stays_non_negative(problem):
    V, W, H = problem
    before = nh.frobenius_error(V, W, H)
    for _ in range(15):
        W, H = nh.update_frobenius(V, W, H)
        assert (W >= 0).all() and (H >= 0).all()
        assert np.isfinite(W).all() and np.isfinite(H).all()
        after = nh.frobenius_error(V, W, H)
        assert after <= before * (1 + 1e-12) + 1e-12
        before = after


def test_update_frobenius_does_not_modify_its_inputs():
    V, W, H = random_problem(0, 6, 5, 2)
    copies = V.copy(), W.copy(), H.copy()
    nh.update_frobenius(V, W, H)
    for before, after in zip(copies, (V, W, H)):
        assert np.array_equal(before, after)


def test_update_frobenius_is_scale_equivariant():
    V, W, H = random_problem(1, 7, 6, 3)
    D = np.array([0.5, 2.0, 7.0])
    W1, H1 = nh.update_frobenius(V, W, H)
    W2, H2 = nh.update_frobenius(V, W * D, H / D[:, np.newaxis])
    np.testing.assert_allclose(W1 @ H1, W2 @ H2, rtol=1e-10)


def test_a_module_with_no_weight_gives_no_nan():
    V, W, H = random_problem(2, 6, 5, 2)
    W[:, 1] = 0
    H[1, :] = 0
    W, H = nh.update_frobenius(V, W, H)
    assert np.isfinite(W).all() and np.isfinite(H).all()
    assert (W[:, 1] == 0).all() and (H[1, :] == 0).all()


def test_nmf_frobenius_fits_an_exact_product_and_is_seeded():
    rng = np.random.default_rng(3)
    W = rng.uniform(0, 1, size=(12, 2)) * (rng.uniform(size=(12, 2)) < 0.6)
    W[0] = [1, 0]
    W[1] = [0, 1]
    V = W @ rng.uniform(1, 5, size=(2, 9))
    fit = nh.nmf_frobenius(V, 2, seed=0, n_restarts=2, max_iter=5000, tol=1e-12)
    assert fit.error < 1e-6 * np.sum(V**2)
    np.testing.assert_allclose(fit.W.sum(axis=0), 1.0)
    assert np.all(np.diff(fit.trace) <= 1e-12 * fit.trace[:-1] + 1e-15)
    again = nh.nmf_frobenius(V, 2, seed=0, n_restarts=2, max_iter=5000, tol=1e-12)
    assert np.array_equal(fit.W, again.W)


def test_nmf_frobenius_checks_its_input():
    V = np.ones((4, 3))
    with pytest.raises(ValueError, match="R must be between"):
        nh.nmf_frobenius(V, 5)
    with pytest.raises(ValueError, match="not both"):
        nh.nmf_frobenius(V, 1, init=(np.ones((4, 1)), np.ones((1, 3))), n_restarts=2)
    with pytest.raises(ValueError, match="shapes do not fit"):
        nh.update_frobenius(V, np.ones((3, 1)), np.ones((1, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        nh.frobenius_error(-V, np.ones((4, 1)), np.ones((1, 3)))


@settings(max_examples=30, deadline=None)
@given(problems)
def test_generalized_kl_is_minus_log_likelihood_plus_a_constant(problem):
    V, W, H = problem
    constant = float(np.sum(nh._xlogy(V, V) - V))
    assert nh.generalized_kl(V, W, H) == pytest.approx(-nh.log_likelihood(V, W, H) + constant,
                                                       rel=1e-10, abs=1e-8)
    assert nh.generalized_kl(V, W, H) >= 0


def test_generalized_kl_is_zero_at_a_perfect_fit():
    V = np.array([[4.0, 0, 2], [0, 3, 1]])
    assert nh.generalized_kl(V, np.eye(2), V) == pytest.approx(0, abs=1e-12)


def sklearn_fit(V, W0, H0, beta_loss, n_iter):
    NMF = pytest.importorskip("sklearn.decomposition").NMF
    model = NMF(n_components=W0.shape[1], solver="mu", beta_loss=beta_loss, init="custom",
                max_iter=n_iter, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        W = model.fit_transform(V, W=W0.copy(), H=H0.copy())
    return model, W, model.components_


@pytest.mark.parametrize("seed", [0, 1])
def test_update_frobenius_agrees_with_sklearn_mu(seed):
    V, W, H = random_problem(seed, 8, 6, 2)
    model, W_sk, H_sk = sklearn_fit(V, W, H, "frobenius", 50)
    for _ in range(50):
        W, H = nh.update_frobenius(V, W, H)
    np.testing.assert_allclose(W, W_sk, rtol=1e-9)
    np.testing.assert_allclose(H, H_sk, rtol=1e-9)
    assert nh.frobenius_error(V, W, H) == pytest.approx(model.reconstruction_err_**2, rel=1e-10)


def test_poisson_updates_agree_with_sklearn_kl_mu():
    V, W, H = random_problem(4, 8, 6, 2)
    model, W_sk, H_sk = sklearn_fit(V, W, H, "kullback-leibler", 50)
    for _ in range(50):
        W, H = nh.update_matmul(V, W, H)
    # our W has columns summing to 1; the products agree
    np.testing.assert_allclose(W @ H, W_sk @ H_sk, rtol=1e-9)
    assert nh.generalized_kl(V, W, H) == pytest.approx(model.reconstruction_err_**2 / 2, rel=1e-9)
