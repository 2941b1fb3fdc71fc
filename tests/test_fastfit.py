"""Tests of nmf_course.fastfit.fit_kl: the accelerated, converged Poisson (KL) NMF fit."""

import numpy as np
import pytest
from hypothesis import given, settings, HealthCheck
from hypothesis import strategies as st

import nmf_helpers as nh
from nmf_course.fastfit import FitOutcome, fit_kl, fit_kl_many


def deviance(V, W, H, mask=None):
    """2 * sum over observed entries of V log(V / WH) - V + WH, straight from the definition."""
    V, W, H = (np.asarray(x, dtype=np.float64) for x in (V, W, H))
    WH = W @ H
    keep = np.ones(V.shape, bool) if mask is None else np.asarray(mask, bool)
    positive = keep & (V > 0)
    return 2 * float(np.sum(V[positive] * np.log(V[positive] / WH[positive]))
                     - V[keep].sum() + WH[keep].sum())


def table(seed, N, M, R, depth=(2_000, 4_000)):
    """A small simulated count table (no all-zero rows or columns) and a random start."""
    V = nh.simulate(N, M, R, n_moonlighters=0, depth=depth, seed=seed).V.astype(np.float64)
    V[:, V.sum(axis=0) == 0] = 1.0   # the caller (nmf) removes empty rows and columns
    V[V.sum(axis=1) == 0, :] = 1.0
    W, H = nh.random_start(np.random.default_rng(seed + 1), N, M, R, V, np.float64)
    return V, W, H


small_tables = st.tuples(st.integers(0, 10_000), st.integers(3, 25), st.integers(3, 20),
                         st.integers(1, 3))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables, st.sampled_from([np.float64, np.float32]))
def test_factors_are_valid_and_trace_never_increases(case, dtype):
    seed, N, M, R = case
    R = min(R, N, M)
    V, W0, H0 = table(seed, N, M, R)
    before = (V.copy(), W0.copy(), H0.copy())
    out = fit_kl(V.astype(dtype), W0.astype(dtype), H0.astype(dtype), max_iter=400, check_every=10)
    assert isinstance(out, FitOutcome)
    for name, given_array in zip("VWH", (V, W0, H0)):   # inputs untouched
        assert np.array_equal(given_array, before["VWH".index(name)])
    assert out.W.dtype == dtype and out.H.dtype == dtype
    assert out.W.shape == (N, R) and out.H.shape == (R, M)
    assert np.all(np.isfinite(out.W)) and np.all(np.isfinite(out.H))
    assert np.all(out.W > 0) and np.all(out.H > 0)
    np.testing.assert_allclose(out.W.sum(axis=0), 1.0, rtol=1e-5 if dtype == np.float32 else 1e-12)
    # the trace is the deviance of what was returned, and of the start (float32: the terms
    # V log WH are rounded to about 1e-7 of their size before they are added up)
    rel, atol = (1e-4, 1e-6 * V.sum() * np.log(V.sum())) if dtype == np.float32 else (1e-9, 1e-9)
    trace = out.deviance_trace
    assert np.all(np.diff(trace) <= 1e-11 * np.abs(trace[1:]) + atol)
    assert 1 <= out.n_iter <= 400
    # one entry at the start, one per check, one per escape test that moved the fit lower
    assert len(trace) <= 1 + -(-out.n_iter // 10) + out.escape_tests
    assert trace[-1] == pytest.approx(deviance(V, out.W, out.H), rel=rel, abs=atol)
    assert trace[0] == pytest.approx(deviance(V, W0, H0), rel=rel, abs=atol)


@settings(max_examples=15, deadline=None)
@given(small_tables, st.floats(0.1, 0.6))
def test_hidden_entries_are_neither_fitted_nor_scored(case, hidden_fraction):
    seed, N, M, R = case
    R = min(R, N, M)
    V, W0, H0 = table(seed, N, M, R)
    rng = np.random.default_rng(seed)
    mask = rng.random(V.shape) >= hidden_fraction
    mask[:, 0] = True   # every row and column keeps an observed entry
    mask[0, :] = True
    V_zeroed = np.where(mask, V, 0.0)
    V_other = np.where(mask, V, rng.integers(0, 10**6, V.shape))   # nonsense where hidden
    one = fit_kl(V_zeroed, W0, H0, mask, max_iter=300, check_every=10)
    two = fit_kl(V_other, W0, H0, mask, max_iter=300, check_every=10)
    np.testing.assert_array_equal(one.W, two.W)
    np.testing.assert_array_equal(one.H, two.H)
    np.testing.assert_array_equal(one.deviance_trace, two.deviance_trace)
    assert one.deviance_trace[-1] == pytest.approx(deviance(V, one.W, one.H, mask), rel=1e-9, abs=1e-9 * V.sum())
    assert np.all(np.diff(one.deviance_trace) <= 1e-11 * one.deviance_trace[1:] + 1e-9)


def test_mask_of_all_true_is_no_mask():
    V, W0, H0 = table(3, 30, 20, 3)
    plain = fit_kl(V, W0, H0, max_iter=500)
    masked = fit_kl(V, W0, H0, np.ones(V.shape, bool), max_iter=500)
    np.testing.assert_allclose(masked.deviance_trace, plain.deviance_trace, rtol=1e-9)
    np.testing.assert_allclose(masked.W, plain.W, rtol=1e-6, atol=1e-12)


def test_float32_agrees_with_float64():
    sim = nh.simulate(seed=4)
    V = sim.V.astype(np.float64)
    W0, H0 = nh.random_start(np.random.default_rng(1), *V.shape, 4, V, np.float64)
    fit64 = fit_kl(V, W0, H0)
    fit32 = fit_kl(V.astype(np.float32), W0.astype(np.float32), H0.astype(np.float32))
    assert fit64.converged
    d64, d32 = fit64.deviance_trace[-1], deviance(V, fit32.W, fit32.H)
    # float32 resolves the ratio V / WH to about 1e-7, so its multiplicative steps stall a
    # few deviance units (here ~1e-3 of D) above float64's optimum, as plain MU's do
    assert abs(d32 - d64) < 3e-3 * d64
    np.testing.assert_allclose(fit32.W, fit64.W, atol=5e-3)


@pytest.mark.parametrize("case", [
    dict(seed=0, R=4),
    dict(seed=1, R=5),
    dict(seed=1, R=3),   # underfitted: pauses for one check near a saddle, then falls 12 units
    dict(seed=2, R=4, n_genes=150, n_samples=40),
    dict(seed=3, R=4, depth=(1_000, 2_000)),
    dict(seed=5, R=4, module_sizes=[50, 25, 15, 10]),
])
def test_defaults_converge_to_within_one_deviance_unit(case):
    """The default stopping rule ends within 1 unit of a run 5x as long (or more) without it."""
    case = dict(case)
    seed, R = case.pop("seed"), case.pop("R")
    V = nh.simulate(seed=seed, **case).V.astype(np.float64)
    W0, H0 = nh.random_start(np.random.default_rng(seed + 10), *V.shape, R, V, np.float64)
    fit = fit_kl(V, W0, H0)
    assert fit.converged
    long_run = fit_kl(V, W0, H0, tol=0.0, max_iter=max(5 * fit.n_iter, 20_000))
    assert fit.deviance_trace[-1] - long_run.deviance_trace[-1] < 1.0
    assert fit.deviance_trace[-1] >= long_run.deviance_trace[-1] - 1e-6


def saddle_start(V, R=2):
    """A start on a saddle point: R identical columns of W, R identical rows of H.

    Multiplicative steps keep them identical, so such a fit is a rank-1 fit in disguise; the
    rank-R deviance is stationary there but can still fall far, in directions the steps from
    this point never take."""
    N, M = V.shape
    return np.full((N, R), 1.0 / N), np.tile(V.sum(axis=0) / R, (R, 1))


def test_a_fit_started_on_a_saddle_point_leaves_it():
    V = nh.simulate(60, 30, 2, n_moonlighters=0, seed=4).V.astype(np.float64)
    W0, H0 = saddle_start(V)
    stuck = fit_kl(V, W0, H0, escape=False)
    fit = fit_kl(V, W0, H0)
    W1, H1 = nh.random_start(np.random.default_rng(0), *V.shape, 2, V, np.float64)
    optimum = fit_kl(V, W1, H1, tol=0.0, max_iter=20_000, escape=False).deviance_trace[-1]
    assert stuck.converged and stuck.escape_tests == 0
    assert stuck.deviance_trace[-1] - optimum > 1_000       # the rank-1 fit: a saddle point
    assert fit.converged and fit.escape_tests >= 1
    assert abs(fit.deviance_trace[-1] - optimum) < 1.0
    assert np.all(np.diff(fit.deviance_trace) <= 0)          # still monotone along its path
    assert fit.deviance_trace[-1] == pytest.approx(deviance(V, fit.W, fit.H), rel=1e-9)


def test_a_fit_that_stops_on_a_plateau_goes_on_from_it():
    """On the course's table (notebook 04), R = 5: the rule holds on a plateau that a longer run
    leaves some hundred steps later, falling by several units; the test of the stopped point
    finds that (its run stops on the fit's own rule: with a ten times looser one it did not)."""
    V = nh.simulate(n_genes=100, n_samples=60, n_modules=4, n_moonlighters=3, seed=0).V.astype(np.float64)
    rng = np.random.default_rng(5)
    nh.random_start(rng, *V.shape, 5, V)                 # the second start from this seed
    W0, H0 = nh.random_start(rng, *V.shape, 5, V)
    plateau = fit_kl(V, W0, H0, escape=False)
    long_run = fit_kl(V, W0, H0, tol=0.0, max_iter=20_000, escape=False)
    fit = fit_kl(V, W0, H0)
    assert plateau.converged
    assert plateau.deviance_trace[-1] - long_run.deviance_trace[-1] > 3.0   # it was a plateau
    assert fit.escape_tests >= 2                         # a test left it
    assert fit.deviance_trace[-1] - long_run.deviance_trace[-1] < 1.0


def test_with_a_loose_tol_the_slope_the_rule_allows_is_no_escape():
    """With tol=1e-4 (consensus runs) a stopped point still falls about tol * D per check, so a
    perturbed run always ends 0.1 below it; a test goes on only past ten checks' worth of that
    slope. Before, these fits took up to 22 tests each (on a slope, not a saddle)."""
    V = nh.simulate(n_genes=100, n_samples=60, n_modules=4, n_moonlighters=3, seed=0).V.astype(np.float64)
    for R in (5, 6, 7):
        starts = [nh.random_start(np.random.default_rng(seed), *V.shape, R, V) for seed in range(8)]
        tests = [fit.escape_tests for fit in fit_kl_many(V, starts, tol=1e-4)]
        assert max(tests) <= 3, f"R = {R}: escape tests per fit {tests}"
    V = nh.simulate(60, 30, 2, n_moonlighters=0, seed=4).V.astype(np.float64)
    W0, H0 = saddle_start(V)                                                     # a real saddle
    stuck, fit = fit_kl(V, W0, H0, tol=1e-4, escape=False), fit_kl(V, W0, H0, tol=1e-4)
    assert stuck.deviance_trace[-1] - fit.deviance_trace[-1] > 1_000   # is still left


def test_the_escape_test_is_deterministic_and_never_returns_a_worse_point():
    V, W0, H0 = table(7, 40, 25, 3)
    one, two = fit_kl(V, W0, H0), fit_kl(V, W0, H0)
    np.testing.assert_array_equal(one.W, two.W)
    np.testing.assert_array_equal(one.deviance_trace, two.deviance_trace)
    plain = fit_kl(V, W0, H0, escape=False)
    assert one.escape_tests >= 1 and one.n_iter > plain.n_iter   # a test was run, and paid for
    assert one.deviance_trace[-1] <= plain.deviance_trace[-1]


def test_bad_shapes_and_dtypes_are_refused():
    V, W0, H0 = table(0, 10, 8, 2)
    with pytest.raises(ValueError, match="shapes"):
        fit_kl(V, W0[:5], H0)
    with pytest.raises(ValueError, match="mask"):
        fit_kl(V, W0, H0, np.ones((3, 3), bool))
    with pytest.raises(TypeError, match="float32 or float64"):
        fit_kl(V, W0.astype(np.float16), H0)


@pytest.mark.parametrize("options", [dict(), dict(escape=False), dict(max_iter=777), dict(tol=1e-4),
                                     dict(dtype=np.float32), dict(mask=True), dict(offset=True)])
def test_fits_made_together_are_the_fits_made_alone_to_the_last_bit(options):
    """fit_kl_many only shares NumPy's calls among runs: each run's arithmetic is its own."""
    options = dict(options)
    dtype = options.pop("dtype", np.float64)
    V, _, _ = table(11, 40, 25, 3)
    mask = np.random.default_rng(1).random(V.shape) > 0.1 if options.pop("mask", False) else None
    offset = np.full((40, 1), 0.5) if options.pop("offset", False) else None
    if mask is not None:
        V = V * mask
    rng = np.random.default_rng(3)
    starts = [nh.random_start(rng, 40, 25, 3, V, dtype) for _ in range(4)]
    V = V.astype(dtype)
    together = fit_kl_many(V, starts, mask, offset, **options)
    for (W0, H0), one in zip(starts, together):
        alone = fit_kl(V, W0, H0, mask, offset, **options)
        np.testing.assert_array_equal(one.W, alone.W)
        np.testing.assert_array_equal(one.H, alone.H)
        np.testing.assert_array_equal(one.deviance_trace, alone.deviance_trace)
        assert (one.n_iter, one.converged, one.escape_tests) == (alone.n_iter, alone.converged, alone.escape_tests)
    assert len({one.n_iter for one in together}) > 1 or options.get("max_iter")  # they stopped apart


def test_fit_kl_many_refuses_mixed_starts_and_no_start():
    V, W0, H0 = table(0, 12, 8, 2)
    with pytest.raises(ValueError, match="first's shapes and dtype"):
        fit_kl_many(V, [(W0, H0), (W0.astype(np.float32), H0)])
    with pytest.raises(ValueError, match="starts is empty"):
        fit_kl_many(V, [])
