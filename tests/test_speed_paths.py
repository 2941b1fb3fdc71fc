"""The fast matrix-form fit (nmf's default path) gives the teaching version's results.

No timings here: speed is measured by benchmarks/bench_nmf.py (`make bench`), never by a test.
"""

import numpy as np
import pytest

import nmf_helpers as nh


def problem(seed=0, N=60, M=40, R=3):
    rng = np.random.default_rng(seed)
    V = nh.simulate(N, M, R, n_moonlighters=2, depth=(2_000, 5_000), seed=rng).V.astype(float)
    W, H = nh.random_start(rng, N, M, R, V, np.float64)
    return V, W, H


def masked_step(V, W, H, mask):
    """One masked multiplicative step written plainly (the reference for the fast masked loop)."""
    Q = mask * V / (W @ H)
    W = W * (Q @ H.T) / (mask @ H.T)
    sums = W.sum(axis=0)
    W, H = W / sums, H * sums[:, np.newaxis]
    Q = mask * V / (W @ H)
    return W, H * (W.T @ Q) / (W.T @ mask)


def test_fast_path_matches_teaching_version_float64():
    V, W, H = problem()
    fast = nh.nmf(V, 3, init=(W, H), max_iter=80, tol=0)
    slow = nh.nmf(V, 3, init=(W, H), max_iter=80, tol=0, update="matmul-teaching")
    np.testing.assert_allclose(fast.W, slow.W, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fast.H, slow.H, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(fast.trace, slow.trace, rtol=1e-12)
    np.testing.assert_allclose(fast.W.sum(axis=0), 1.0)


def test_fast_path_with_zeros_in_the_start_and_the_data_matches_teaching_version():
    # a gene with no counts and no weight, a sample with no counts and no weight:
    # W H = 0 there, which the fast path avoids with its tiny floor instead of 0 / 0
    V, W, H = problem(1)
    V[4, :] = 0
    V[:, 7] = 0
    W[4, :] = 0
    W /= W.sum(axis=0)
    H[:, 7] = 0
    fast = nh.nmf(V, 3, init=(W, H), max_iter=60, tol=0)
    slow = nh.nmf(V, 3, init=(W, H), max_iter=60, tol=0, update="matmul-teaching")
    for fit in (fast, slow):
        assert np.isfinite(fit.W).all() and np.isfinite(fit.H).all() and np.isfinite(fit.trace).all()
    np.testing.assert_allclose(fast.W, slow.W, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fast.H, slow.H, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(fast.trace, slow.trace, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_masked_fast_path_matches_a_plain_masked_step(dtype):
    V, W, H = problem(2)
    mask = nh.holdout_mask(V.shape, 0.2, seed=3)
    W_ref, H_ref = W, H
    for _ in range(40):
        W_ref, H_ref = masked_step(V, W_ref, H_ref, mask)
    fit = nh.nmf(V, 3, init=(W, H), max_iter=40, tol=0, mask=mask, dtype=dtype)
    loose = dtype == np.float32
    np.testing.assert_allclose(fit.W, W_ref, rtol=1e-3 if loose else 1e-10, atol=1e-6 if loose else 1e-14)
    np.testing.assert_allclose(fit.H, H_ref, rtol=1e-3 if loose else 1e-10, atol=1e-3 if loose else 1e-10)
    WH = W_ref @ H_ref
    observed = float(np.sum((nh._xlogy(V, WH) - WH)[mask]))
    assert fit.log_likelihood == pytest.approx(observed, rel=1e-6 if loose else 1e-12)


def test_float32_fast_path_is_close_to_the_float64_teaching_version():
    V, W, H = problem(4)
    single = nh.nmf(V, 3, init=(W, H), max_iter=100, tol=0, dtype=np.float32)
    reference = nh.nmf(V, 3, init=(W, H), max_iter=100, tol=0, update="matmul-teaching")
    assert single.W.dtype == np.float64 and single.H.dtype == np.float64
    np.testing.assert_allclose(single.W, reference.W, rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(single.H, reference.H, rtol=1e-3, atol=1e-2)
    np.testing.assert_allclose(single.trace, reference.trace, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_path_gives_no_nan_for_empty_data_or_a_fully_hidden_gene_and_sample(dtype):
    empty = nh.nmf(np.zeros((8, 6)), 2, seed=0, max_iter=30, dtype=dtype)
    assert np.isfinite(empty.W).all() and np.isfinite(empty.H).all()
    assert abs(empty.log_likelihood) < 1e-6
    V, _, _ = problem(5)
    mask = np.ones(V.shape, dtype=bool)
    mask[2, :] = False
    mask[:, 5] = False
    fit = nh.nmf(V, 3, seed=0, max_iter=100, mask=mask, dtype=dtype)
    assert np.isfinite(fit.W).all() and np.isfinite(fit.H).all() and np.isfinite(fit.trace).all()


def test_log_likelihood_is_checked_every_check_every_iterations():
    V, W, H = problem(6)
    fit = nh.nmf(V, 3, init=(W, H), max_iter=95, tol=0, check_every=10)
    assert len(fit.trace) == 1 + 9 + 1  # the start, iterations 10, 20, ..., 90, and the last (95)
    assert fit.trace[-1] == pytest.approx(nh.log_likelihood(V, fit.W, fit.H), rel=1e-12)


def test_broadcast_guard_names_the_limit_and_points_to_the_matrix_form():
    assert nh.BROADCAST_MAX_BYTES == 2**30
    V, W, H = problem(7, N=20, M=10, R=2)
    with pytest.raises(ValueError, match=r"20 x 2 x 10 array of .* MiB.*limit.*update_matmul"):
        nh.update_broadcast(V, W, H, max_bytes=1000)
    nh.update_broadcast(V, W, H, max_bytes=20 * 2 * 10 * 8)  # exactly at the limit is allowed
