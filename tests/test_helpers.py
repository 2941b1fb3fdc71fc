"""Unit and property tests of nmf_helpers: simulation, objective, updates, fitting, reading W."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nmf_helpers as nh

UPDATES = [nh.update_loops, nh.update_broadcast, nh.update_matmul]


@pytest.fixture(scope="module")
def sim():
    return nh.simulate(seed=1)


def random_problem(seed, N, M, R, zero_gene=False):
    """A small simulated V with a random positive start (W columns summing to 1)."""
    rng = np.random.default_rng(seed)
    V = nh.simulate(N, M, R, n_moonlighters=1 if R > 1 else 0, depth=(100, 1000), seed=rng).V.astype(float)
    if zero_gene:
        V[0, :] = 0
        V[:, -1] = 0
    W, H = nh.random_start(rng, N, M, R, V, np.float64)
    return V, W, H


problems = st.builds(random_problem, st.integers(0, 10**6), st.integers(4, 12),
                     st.integers(4, 10), st.integers(1, 4), st.booleans())


# --- simulate -----------------------------------------------------------------

def test_simulate_follows_the_model(sim):
    N, M, R = 100, 60, 4
    assert sim.V.shape == (N, M) and sim.W.shape == (N, R) and sim.H.shape == (R, M)
    assert sim.V.dtype.kind == "i" and (sim.V >= 0).all()
    np.testing.assert_allclose(sim.W.sum(axis=0), 1.0)
    assert ((sim.W > 0) == sim.modules).all()
    per_gene = sim.modules.sum(axis=1)
    assert set(np.flatnonzero(per_gene == 2)) == set(sim.moonlighters)
    assert len(sim.moonlighters) == 3 and (per_gene >= 1).all() and per_gene.max() == 2
    totals = sim.H.sum(axis=0)  # expected counts per sample
    assert totals.min() >= 90_000 and totals.max() <= 110_000
    assert len(sim.gene_names) == N and len(set(sim.gene_names)) == N
    # V is Poisson around W H: the total count is within a few standard deviations
    expected = (sim.W @ sim.H).sum()
    assert abs(sim.V.sum() - expected) < 6 * np.sqrt(expected)


def test_simulate_is_seeded():
    a, b, c = nh.simulate(seed=5), nh.simulate(seed=5), nh.simulate(seed=6)
    assert np.array_equal(a.V, b.V) and np.array_equal(a.W, b.W)
    assert not np.array_equal(a.V, c.V)


def test_simulate_alpha_controls_sparsity():
    sparse = nh.simulate(alpha=0.1, seed=0).H
    dense = nh.simulate(alpha=10, seed=0).H
    share = lambda H: (H / H.sum(axis=0)).max(axis=0).mean()  # largest module's share per sample
    assert share(sparse) > share(dense)


def test_simulate_module_sizes():
    s = nh.simulate(n_genes=20, n_modules=3, n_moonlighters=0, module_sizes=[10, 7, 3], seed=0)
    assert sorted(s.modules.sum(axis=0)) == [3, 7, 10]


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_modules=0), "n_modules"), (dict(n_genes=2.5), "n_genes"),
    (dict(n_modules=1, n_moonlighters=2), "two modules"), (dict(depth=(10, 5)), "depth"),
    (dict(alpha=0), "alpha"), (dict(n_genes=10, module_sizes=[5, 5, 5, 5]), "module_sizes"),
])
def test_simulate_rejects_bad_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        nh.simulate(**kwargs)


# --- log-likelihood -------------------------------------------------------------

def test_log_likelihood_by_hand():
    V = np.array([[2.0, 0.0], [1.0, 3.0]])
    W = np.array([[0.5], [0.5]])
    H = np.array([[2.0, 4.0]])
    WH = W @ H  # [[1, 2], [1, 2]]
    expected = 2 * np.log(1) - 1 + 0 - 2 + 1 * np.log(1) - 1 + 3 * np.log(2) - 2
    assert nh.log_likelihood(V, W, H) == pytest.approx(expected)
    assert WH.shape == V.shape


def test_log_likelihood_zero_counts_give_no_nan():
    V = np.zeros((3, 4))
    W = np.zeros((3, 2))
    H = np.ones((2, 4))
    assert nh.log_likelihood(V, W, H) == 0.0


def test_log_likelihood_of_the_truth_beats_a_random_guess(sim):
    W, H = nh.random_start(np.random.default_rng(0), 100, 60, 4, sim.V.astype(float), np.float64)
    assert nh.log_likelihood(sim.V, sim.W, sim.H) > nh.log_likelihood(sim.V, W, H)


# --- the update rules (property tests) ------------------------------------------

@settings(max_examples=25, deadline=None)
@given(problems)
def test_updates_agree_keep_non_negativity_and_normalise(problem):
    V, W, H = problem
    results = [update(V, W, H) for update in UPDATES]
    W_ref, H_ref = results[-1]
    for W_new, H_new in results:
        assert (W_new >= 0).all() and (H_new >= 0).all()
        assert not np.isnan(W_new).any() and not np.isnan(H_new).any()
        np.testing.assert_allclose(W_new.sum(axis=0), 1.0)
        np.testing.assert_allclose(W_new, W_ref, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(H_new, H_ref, rtol=1e-9, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(problems, st.sampled_from(UPDATES))
def test_log_likelihood_never_decreases(problem, update):
    V, W, H = problem
    before = nh.log_likelihood(V, W, H)
    for _ in range(15):
        W, H = update(V, W, H)
        after = nh.log_likelihood(V, W, H)
        assert after >= before - 1e-9 * abs(before)
        before = after


@pytest.mark.parametrize("update", UPDATES)
def test_updates_do_not_modify_their_inputs(update):
    V, W, H = random_problem(3, 6, 5, 2)
    copies = [x.copy() for x in (V, W, H)]
    update(V, W, H)
    for original, copy in zip((V, W, H), copies):
        assert np.array_equal(original, copy)


def test_broadcast_refuses_a_too_large_intermediate():
    V, W, H = random_problem(0, 10, 8, 3)
    with pytest.raises(ValueError, match="update_matmul"):
        nh.update_broadcast(V, W, H, max_bytes=100)


# --- fitting ----------------------------------------------------------------------

def test_nmf_result_and_trace(sim):
    fit = nh.nmf(sim.V, 4, n_restarts=2, seed=0)
    assert fit.W.shape == (100, 4) and fit.H.shape == (4, 60)
    np.testing.assert_allclose(fit.W.sum(axis=0), 1.0)
    assert fit.converged and fit.n_iter < 3000
    assert np.all(np.diff(fit.trace) >= -1e-9 * abs(fit.trace[-1]))
    assert fit.log_likelihood == pytest.approx(nh.log_likelihood(sim.V, fit.W, fit.H))
    assert fit.log_likelihood == max(fit.restart_log_likelihoods)
    # the fitted model beats the truth a little (it also fits some noise), never by much
    truth = nh.log_likelihood(sim.V, sim.W, sim.H)
    assert truth <= fit.log_likelihood < truth + 1000


def test_nmf_same_seed_same_result(sim):
    a = nh.nmf(sim.V, 3, seed=11, max_iter=200)
    b = nh.nmf(sim.V, 3, seed=11, max_iter=200)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.H, b.H)


def test_fast_path_matches_teaching_version(sim):
    W0, H0 = nh.random_start(np.random.default_rng(4), 100, 60, 4, sim.V.astype(float), np.float64)
    fast = nh.nmf(sim.V, 4, init=(W0, H0), max_iter=60, tol=0)
    slow = nh.nmf(sim.V, 4, init=(W0, H0), max_iter=60, tol=0, update="matmul-teaching")
    np.testing.assert_allclose(fast.W, slow.W, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fast.H, slow.H, rtol=1e-10)
    np.testing.assert_allclose(fast.trace, slow.trace, rtol=1e-12)


@pytest.mark.parametrize("update", ["loops", "broadcast"])
def test_nmf_with_teaching_updates_matches_fast_path(update):
    V, W, H = random_problem(8, 8, 6, 2)
    a = nh.nmf(V, 2, init=(W, H), max_iter=5, tol=0, update=update)
    b = nh.nmf(V, 2, init=(W, H), max_iter=5, tol=0)
    np.testing.assert_allclose(a.W, b.W, rtol=1e-9)


def test_float32_fit_is_close_to_float64(sim):
    a = nh.nmf(sim.V, 4, seed=0, dtype=np.float32, max_iter=300)
    b = nh.nmf(sim.V, 4, seed=0, max_iter=300)
    assert a.W.dtype == np.float64  # results are always returned as float64
    assert abs(a.log_likelihood - b.log_likelihood) < 1e-4 * abs(b.log_likelihood)


def test_zero_gene_and_sample_give_no_nan(sim):
    V = sim.V.copy()
    V[5, :] = 0
    V[:, 7] = 0
    fit = nh.nmf(V, 4, seed=0)
    assert np.isfinite(fit.W).all() and np.isfinite(fit.H).all() and np.isfinite(fit.log_likelihood)
    assert fit.W[5].max() < 1e-12 and fit.H[:, 7].max() < 1e-6
    assert not nh.row_normalize(fit.W[[5]]).any() or np.isfinite(nh.row_normalize(fit.W)).all()


def test_masked_fit_ignores_hidden_entries(sim):
    mask = nh.holdout_mask(sim.V.shape, 0.1, seed=0)
    V_damaged = sim.V.copy()
    V_damaged[~mask] = 10**6  # whatever is hidden must not matter
    a = nh.nmf(sim.V, 4, seed=0, mask=mask, max_iter=200)
    b = nh.nmf(V_damaged, 4, seed=0, mask=mask, max_iter=200)
    np.testing.assert_allclose(a.W, b.W)
    assert (~mask).sum() == 600


def test_progress_text_line(sim, capsys):
    nh.nmf(sim.V, 2, n_restarts=2, seed=0, max_iter=20, progress=True)
    assert "nmf restarts: 2/2" in capsys.readouterr().err


# --- choosing R and reading W: recovery on simulated data ---------------------------

def test_rank_scan_recovers_the_true_rank_and_moonlighters(sim):
    scan = nh.rank_scan(sim.V, range(1, 8), n_restarts=3, seed=0)
    assert scan.best_rank == 4 and scan.criterion == "bic"
    assert np.all(np.diff(scan.log_likelihood) > -1.0)  # L rises (to optimisation noise) with R
    assert list(scan.n_params) == [R * (100 - 1) + R * 60 for R in range(1, 8)]
    np.testing.assert_allclose(scan.aic, 2 * scan.n_params - 2 * scan.log_likelihood)
    fit = scan.fits[scan.ranks.tolist().index(4)]
    assert list(nh.find_moonlighters(fit.W)) == list(sim.moonlighters)
    perm = nh.match_modules(sim.W, fit.W)
    assert (nh.assign_modules(fit.W)[:, perm] == sim.modules).all()


def test_rank_scan_heldout(sim):
    scan = nh.rank_scan(sim.V, [2, 4, 6], seed=1, holdout=0.1, criterion="heldout")
    assert scan.best_rank == 4
    assert scan.heldout_log_likelihood.shape == (3,) and (~scan.mask).sum() == 600


def test_rank_scan_rejects_bad_ranks(sim):
    with pytest.raises(ValueError, match="empty"):
        nh.rank_scan(sim.V, [])
    with pytest.raises(ValueError, match="criterion"):
        nh.rank_scan(sim.V, [2], criterion="best")
    with pytest.raises(ValueError, match="holdout"):
        nh.rank_scan(sim.V, [2], criterion="heldout")


def test_row_normalize_assign_and_moonlighters():
    W = np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 0.0], [9.5, 0.5]])
    np.testing.assert_allclose(nh.row_normalize(W), [[1, 0], [0.5, 0.5], [0, 0], [0.95, 0.05]])
    assert nh.assign_modules(W).tolist() == [[True, False], [True, True], [False, False], [True, False]]
    assert nh.find_moonlighters(W).tolist() == [1]
    assert nh.find_moonlighters(W, threshold=0.05).tolist() == [1, 3]
    with pytest.raises(ValueError, match="threshold"):
        nh.assign_modules(W, threshold=1.5)
    with pytest.raises(TypeError, match="threshold"):
        nh.assign_modules(W, threshold="0.1")


def test_match_modules_undoes_a_permutation(sim):
    perm = np.array([2, 0, 3, 1])
    shuffled = sim.W[:, perm]
    found = nh.match_modules(sim.W, shuffled)
    assert np.array_equal(shuffled[:, found], sim.W)
    with pytest.raises(ValueError, match="fewer"):
        nh.match_modules(sim.W, sim.W[:, :2])


def test_match_modules_greedy_for_many_modules():
    big = nh.simulate(n_genes=60, n_modules=10, n_moonlighters=0, seed=2).W
    perm = np.random.default_rng(0).permutation(10)
    assert np.array_equal(big[:, perm][:, nh.match_modules(big, big[:, perm])], big)
