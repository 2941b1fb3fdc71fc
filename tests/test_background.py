"""nmf_course.background: NMF with a background offset, V ~ Poisson(W H + b)."""

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course.background import (deviance_with_offset, nmf_with_offset, update_offset_b,
                                   update_with_offset)


def problem(seed=0, b=4.0):
    rng = np.random.default_rng(seed)
    W = rng.uniform(0, 1, size=(20, 2)) * (rng.random((20, 2)) < 0.5)
    H = rng.uniform(0, 30, size=(2, 40)) * (rng.random((2, 40)) < 0.5)
    return rng.poisson(W @ H + b).astype(float), rng


def test_offset_zero_is_the_plain_step():
    V, rng = problem()
    W, H = nh.random_start(rng, *V.shape, 2, V)
    for a, b in zip(update_with_offset(V, W, H, 0.0), nh.update_matmul(V, W, H)):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("b", [4.0, np.linspace(1, 6, 20)[:, None]])
def test_steps_never_raise_the_deviance(b):
    V, rng = problem()
    W, H = nh.random_start(rng, *V.shape, 2, V)
    D = deviance_with_offset(V, W, H, b)
    for _ in range(30):
        W, H = update_with_offset(V, W, H, b)
        b_new = update_offset_b(V, W, H, b)
        D_new = deviance_with_offset(V, W, H, b_new)
        assert D_new <= D + 1e-9 * D
        assert (W >= 0).all() and (H >= 0).all() and np.all(b_new > 0)
        D, b = D_new, b_new
    np.testing.assert_allclose(W.sum(axis=0), 1)


def test_fit_recovers_a_known_offset_and_estimates_one():
    V, _ = problem(b=4.0)
    fixed = nmf_with_offset(V, 2, b=4.0, estimate_b=False, seed=0)
    assert fixed.converged and float(fixed.b) == 4.0
    estimated = nmf_with_offset(V, 2, b=1.0, n_restarts=2, seed=0)
    assert 3.0 < float(estimated.b) < 5.0
    # blocks of the engine's W, H steps and of b steps: neither raises the deviance
    assert np.all(np.diff(estimated.deviance_trace) <= 1e-9 * estimated.deviance)
    assert estimated.deviance <= deviance_with_offset(V, fixed.W, fixed.H, 4.0) + 1.0
    # one b per pixel nests one b for all, so its converged fit is at least as close to V
    per_pixel = nmf_with_offset(V, 2, per_pixel=True, seed=0)
    assert per_pixel.converged and per_pixel.b.shape == (20, 1) and (per_pixel.b >= 0).all()
    assert per_pixel.deviance <= estimated.deviance


def test_bad_offsets_are_refused():
    V, _ = problem()
    W, H = np.ones((20, 2)), np.ones((2, 40))
    with pytest.raises(ValueError, match="one per row"):
        update_with_offset(V, W, H, np.ones(7))
    with pytest.raises(ValueError, match="non-negative"):
        update_with_offset(V, W, H, -1.0)


def test_fixed_offset_uses_the_fast_fit_and_converges():
    """With b fixed, nmf_with_offset runs fit_kl with an offset: its deviance is the model's
    W H + b deviance, and it ends within 1 unit of a run 20,000 steps long."""
    V, _ = problem()
    fit = nmf_with_offset(V, 2, b=4.0, estimate_b=False, seed=0)
    assert fit.converged
    assert abs(fit.deviance - deviance_with_offset(V, fit.W, fit.H, 4.0)) < 1e-8 * fit.deviance
    assert np.allclose(fit.W.sum(axis=0), 1.0)
    long_run = nmf_with_offset(V, 2, b=4.0, estimate_b=False, seed=0, tol=0.0, max_iter=20_000)
    assert fit.deviance - long_run.deviance < 1.0
    assert np.all(np.diff(long_run.deviance_trace) <= 1e-9 * long_run.deviance)  # never rises
