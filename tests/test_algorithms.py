"""Tests of nmf_course.algorithms: HALS, Newton coordinate descent, NNDSVD, penalties, sparseness."""

import numpy as np
import pytest
from sklearn.decomposition._nmf import _initialize_nmf

import nmf_helpers as nh
from nmf_course import algorithms as al
from nmf_course.fastfit import fit_kl
from nmf_course.frobenius import frobenius_error, update_frobenius


def table(seed=3, N=20, M=15, R=2):
    V = nh.simulate(N, M, R, n_moonlighters=1, depth=(2_000, 4_000), seed=seed).V.astype(float)
    W, H = nh.random_start(np.random.default_rng(seed), N, M, R, V)
    return V, W, H


@pytest.mark.parametrize("step, objective", [(al.hals_step, frobenius_error),
                                             (al.newton_kl_step, nh.deviance)])
def test_sweeps_never_raise_the_objective_and_stay_non_negative(step, objective):
    for seed in range(3):
        V, W, H = table(seed, R=3)
        V_in, W_in, H_in = V.copy(), W.copy(), H.copy()
        values = [objective(V, W, H)]
        for _ in range(60):
            W, H = step(V, W, H)
            assert (W >= 0).all() and (H >= 0).all()
            values.append(objective(V, W, H))
        assert np.all(np.diff(values) <= 1e-9 * values[0])
        assert np.array_equal(V, V_in) and np.array_equal(W_in, table(seed, R=3)[1])


def test_hals_reaches_the_optimum_of_a_long_multiplicative_run():
    V, W0, H0 = table()
    W, H = W0, H0
    for _ in range(20_000):
        W, H = update_frobenius(V, W, H)
    mu_optimum = frobenius_error(V, W, H)
    W, H = W0, H0
    for _ in range(500):
        W, H = al.hals_step(V, W, H)
    assert frobenius_error(V, W, H) == pytest.approx(mu_optimum, rel=1e-6)


def test_newton_reaches_the_optimum_of_a_long_multiplicative_run():
    V, W0, H0 = table()
    mu_optimum = fit_kl(V, W0, H0, max_iter=60_000, tol=0).deviance_trace[-1]
    W, H = W0, H0
    for _ in range(300):
        W, H = al.newton_kl_step(V, W, H)
    assert nh.deviance(V, W, H) == pytest.approx(mu_optimum, abs=1e-3)


@pytest.mark.parametrize("fill, init", [("zeros", "nndsvd"), ("mean", "nndsvda")])
def test_nndsvd_agrees_with_scikit_learn(fill, init):
    V, _, _ = table(R=3)
    W, H = al.nndsvd(V, 3, fill)
    W_sk, H_sk = _initialize_nmf(V, 3, init=init)
    np.testing.assert_allclose(W @ H, W_sk @ H_sk, rtol=1e-8, atol=1e-8)
    assert (W >= 0).all() and (H >= 0).all()
    with pytest.raises(ValueError, match="fill"):
        al.nndsvd(V, 3, "random")


def test_penalized_step_is_scikit_learns_and_lowers_its_objective():
    from sklearn.decomposition._nmf import _multiplicative_update_h, _multiplicative_update_w
    V, W, H = table()
    penalties = dict(l1_W=3.0, l1_H=2.0, l2_W=0.5, l2_H=0.25)
    W1, H1 = al.penalized_mu_step(V, W, H, **penalties)
    W_sk, *_ = _multiplicative_update_w(V, W.copy(), H, 1, 3.0, 0.5, 1.0)
    H_sk = _multiplicative_update_h(V, W_sk, H.copy(), 1, 2.0, 0.25, 1.0)
    np.testing.assert_allclose(W1, W_sk, rtol=1e-10)
    np.testing.assert_allclose(H1, H_sk, rtol=1e-10)
    values = [al.penalized_objective(V, W, H, **penalties)]
    for _ in range(50):
        W, H = al.penalized_mu_step(V, W, H, **penalties)
        values.append(al.penalized_objective(V, W, H, **penalties))
    assert np.all(np.diff(values) <= 1e-9 * values[0])


def test_hoyer_sparseness():
    assert al.hoyer_sparseness(np.ones(5)) == pytest.approx(0)
    assert al.hoyer_sparseness(np.array([0, 0, 3.0, 0])) == pytest.approx(1)
    X = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 2.0]])
    np.testing.assert_allclose(al.hoyer_sparseness(X), [0, 1], atol=1e-12)
    np.testing.assert_allclose(al.hoyer_sparseness(X.T, axis=1), [0, 1], atol=1e-12)


def test_mu_entry_is_the_multiplicative_step_of_that_entry():
    V, W, H = table(R=3)
    W_new, H_new = nh.update_matmul(V, W, H)   # W's columns already sum to 1 at the start
    W1 = W_new
    step_H = H * (W1.T @ (V / (W1 @ H))) / W1.sum(axis=0)[:, np.newaxis]
    assert al.mu_entry(V, W1, H, 1, 4) == pytest.approx(step_H[1, 4], rel=1e-12)
    h = np.linspace(0.2, 3, 50) * H[1, 4]
    column = [nh.deviance(V[:, [4]], W1, np.where(np.arange(3)[:, None] == 1, x, H[:, [4]])) for x in h]
    best = al.mu_entry(V, W1, H, 1, 4)
    H_best = H.copy()
    H_best[1, 4] = best
    assert nh.deviance(V[:, [4]], W1, H_best[:, [4]]) <= nh.deviance(V[:, [4]], W1, H[:, [4]])
    assert min(column) <= nh.deviance(V[:, [4]], W1, H_best[:, [4]]) + 1e-9
