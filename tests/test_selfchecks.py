"""nmf_course.selfchecks: every student self-check passes correct code and explains, in a
sentence, the mistakes students make (information_criteria's formulas are tested here too).

Each exercise in the notebooks is followed by a check_...() cell (tests/test_student.py checks
that the checker exists); these tests feed the checkers correct code and typical mistakes.
"""

import math

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course import selfchecks


def test_check_simulation():
    sim = nh.simulate(seed=0)
    selfchecks.check_simulation(sim.V, sim.W, sim.H, n_moonlighters=3)
    with pytest.raises(selfchecks.SelfCheckError, match="column 0 sums to"):
        selfchecks.check_simulation(sim.V, sim.W * [2, 1, 1, 1], sim.H)
    with pytest.raises(selfchecks.SelfCheckError, match="shapes do not fit"):
        selfchecks.check_simulation(sim.V, sim.W, sim.H[:, :5])
    with pytest.raises(selfchecks.SelfCheckError, match="Poisson"):
        selfchecks.check_simulation(sim.V * 2, sim.W, sim.H)
    with pytest.raises(selfchecks.SelfCheckError, match="whole non-negative counts"):
        selfchecks.check_simulation(sim.W @ sim.H, sim.W, sim.H)
    with pytest.raises(selfchecks.SelfCheckError, match="expected 5 moonlighting"):
        selfchecks.check_simulation(sim.V, sim.W, sim.H, n_moonlighters=5)


def test_check_log_likelihood(capsys):
    selfchecks.check_log_likelihood(lambda V, W, H: nh.log_likelihood(V, W, H))
    assert "PASSED check_log_likelihood" in capsys.readouterr().out
    naive = lambda V, W, H: np.sum(V * np.log(W @ H) - W @ H)  # 0 * log 0 -> nan
    with pytest.raises(selfchecks.SelfCheckError, match="NaN"):
        with np.errstate(all="ignore"):
            selfchecks.check_log_likelihood(naive)
    with pytest.raises(selfchecks.SelfCheckError, match="expected"):
        selfchecks.check_log_likelihood(lambda V, W, H: nh.log_likelihood(V, W, H) + 1)


def broken_no_normalise(V, W, H):
    Q = V / (W @ H)
    return W * (Q @ H.T), H


def broken_modifies_input(V, W, H):
    W_new, H_new = nh.update_matmul(V, W, H)
    W[:] = W_new
    return W_new, H_new


def broken_wrong_h(V, W, H):
    W_new, H_new = nh.update_matmul(V, W, H)
    H_new[1, 2] *= 1.5
    return W_new, H_new


@pytest.mark.parametrize("update", [nh.update_loops, nh.update_broadcast, nh.update_matmul])
def test_check_update_passes_reference_updates(update, capsys):
    selfchecks.check_update(update)
    assert "PASSED check_update" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (broken_no_normalise, "columns should sum to 1"),
    (broken_modifies_input, "changed its input W"),
    (broken_wrong_h, r"your H differs at \[1, 2\]"),
    (lambda V, W, H: [W, H], "should return a tuple"),
    (lambda V, W, H: (W[:, :1], H), "should keep shape"),
])
def test_check_update_explains_broken_updates(broken, message):
    with np.errstate(all="ignore"):
        with pytest.raises(selfchecks.SelfCheckError, match=message):
            selfchecks.check_update(broken)


def test_check_nmf(capsys):
    selfchecks.check_nmf(lambda V, R: nh.nmf(V, R, n_restarts=3, seed=1))
    selfchecks.check_nmf(lambda V, R: (nh.nmf(V, R, seed=2).W, nh.nmf(V, R, seed=2).H))
    assert capsys.readouterr().out.count("PASSED check_nmf") == 2
    with pytest.raises(selfchecks.SelfCheckError, match="did it stop before converging"):
        selfchecks.check_nmf(lambda V, R: nh.nmf(V, R, seed=1, max_iter=2))
    with pytest.raises(selfchecks.SelfCheckError, match="deviance trace went up at entry 2"):
        selfchecks.check_nmf(lambda V, R: (nh.nmf(V, R, seed=2).W, nh.nmf(V, R, seed=2).H, [3.0, 2.0, 2.5]))


def test_check_row_normalize():
    selfchecks.check_row_normalize(nh.row_normalize)
    with np.errstate(all="ignore"):
        with pytest.raises(selfchecks.SelfCheckError, match="not NaN"):
            selfchecks.check_row_normalize(lambda W: W / W.sum(axis=1, keepdims=True))
    with pytest.raises(selfchecks.SelfCheckError, match="you normalised the columns, axis=0"):
        selfchecks.check_row_normalize(lambda W: W / np.maximum(W.sum(axis=0), 1))


def test_check_moonlighters(capsys):
    selfchecks.check_moonlighters(nh.find_moonlighters)
    # the genes it names are the check's own test W's, not the student's data (notebook 05 has 3)
    assert ("PASSED check_moonlighters: on the check's own test W (40 simulated genes, not your data) "
            "you found its 4 moonlighting genes [1, 10, 18, 28]") in capsys.readouterr().out
    with pytest.raises(selfchecks.SelfCheckError, match="missed genes"):
        selfchecks.check_moonlighters(lambda W, t: nh.find_moonlighters(W, t)[1:])


# --- more mistakes, named in plain words ----------------------------------------------

def forgot_return(*args):
    """A function whose author forgot the return line."""
    _ = args


@pytest.mark.parametrize("checker", [selfchecks.check_log_likelihood, selfchecks.check_row_normalize,
                                     selfchecks.check_moonlighters])
def test_a_forgotten_return_is_named(checker):
    with pytest.raises(selfchecks.SelfCheckError, match="returned None: did you forget the `return` line"):
        checker(forgot_return)


@pytest.mark.parametrize("checker", [selfchecks.check_update, selfchecks.check_nmf, selfchecks.check_information_criteria])
def test_a_forgotten_return_says_what_should_come_back(checker):
    with pytest.raises(selfchecks.SelfCheckError, match="should return a tuple|should return \\(W, H\\)"):
        checker(forgot_return)


def test_a_moonlighter_mask_instead_of_indices_is_explained():
    mask = lambda W, threshold: (nh.row_normalize(W) > threshold).sum(axis=1) >= 2
    with pytest.raises(selfchecks.SelfCheckError, match="True/False mask.*np.flatnonzero"):
        selfchecks.check_moonlighters(mask)
    selfchecks.check_moonlighters(lambda W, threshold: np.flatnonzero(mask(W, threshold)))


def test_moonlighters_as_a_list_in_any_order_pass(capsys):
    selfchecks.check_moonlighters(lambda W, threshold: sorted(nh.find_moonlighters(W, threshold).tolist(), reverse=True))
    assert "PASSED check_moonlighters" in capsys.readouterr().out


def test_a_log_likelihood_per_column_is_not_one_number():
    per_sample = lambda V, W, H: nh.log_likelihood(V, W, H) * np.ones(3)
    with pytest.raises(selfchecks.SelfCheckError, match="should return one number"):
        selfchecks.check_log_likelihood(per_sample)


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H: (-W, H), "negative entries"),
    (lambda V, W, H: (W * 2, H), "columns should sum to 1"),
    (lambda V, W, H: (W, H), r"your W differs at \[\d+, \d+\]: yours is"),
])
def test_update_mistakes_are_named(broken, message):
    with pytest.raises(selfchecks.SelfCheckError, match=message):
        selfchecks.check_update(broken)


def test_nmf_with_transposed_factors_names_the_shapes():
    transposed = lambda V, R: (np.ones((V.shape[1], R)), np.ones((R, V.shape[0])))
    with pytest.raises(selfchecks.SelfCheckError, match=r"W should be \(30, 3\) and H \(3, 20\)"):
        selfchecks.check_nmf(transposed)


def test_simulation_with_columns_not_summing_to_one_names_the_column():
    sim = nh.simulate(seed=1)
    W = sim.W.copy()
    W[:, 2] *= 3
    with pytest.raises(selfchecks.SelfCheckError, match="column 2 sums to 3"):
        selfchecks.check_simulation(sim.V, W, sim.H)


# --- information criteria ---------------------------------------------------------------

def correct(L, k, n):
    return 2 * k - 2 * L, k * math.log(n) - 2 * L


def test_information_criteria_formulas():
    aic, bic = nh.information_criteria(-100.0, 5, 50)
    assert aic == pytest.approx(2 * 5 + 200)
    assert bic == pytest.approx(5 * math.log(50) + 200)
    assert isinstance(aic, float) and isinstance(bic, float)


def test_information_criteria_elementwise_matches_rank_scan():
    sim = nh.simulate(20, 12, 2, n_moonlighters=1, seed=5)
    scan = nh.rank_scan(sim.V, [1, 2, 3], n_restarts=1, seed=0)
    aic, bic = nh.information_criteria(scan.log_likelihood, scan.n_params, sim.V.size)
    np.testing.assert_allclose(aic, scan.aic)
    np.testing.assert_allclose(bic, scan.bic)


def test_information_criteria_rejects_bad_counts():
    with pytest.raises(ValueError, match="n_fitted"):
        nh.information_criteria(-1.0, 3, 0)
    with pytest.raises(ValueError, match="n_params"):
        nh.information_criteria(-1.0, -3, 10)


def test_check_information_criteria_passes_correct(capsys):
    selfchecks.check_information_criteria(correct)
    selfchecks.check_information_criteria(nh.information_criteria)
    selfchecks.check_information_criteria(lambda L, k, n: tuple(np.array(correct(L, k, n))))
    assert capsys.readouterr().out.count("PASSED check_information_criteria") == 3


@pytest.mark.parametrize("broken, message", [
    (lambda L, k, n: (2 * L - 2 * k, k * math.log(n) - 2 * L), "signs are swapped"),
    (lambda L, k, n: (k - L, k * math.log(n) - 2 * L), "factor 2"),
    (lambda L, k, n: (2 * k + 2 * L, k * math.log(n) - 2 * L), "minus sign"),
    (lambda L, k, n: (2 * k - 2 * L, k * math.log(k) - 2 * L), r"used ln\(k\)"),
    (lambda L, k, n: (2 * k - 2 * L, k * math.log10(n) - 2 * L), "log10"),
    (lambda L, k, n: (2 * k - 2 * L, 2 * L - k * math.log(n)), "BIC"),
    (lambda L, k, n: correct(L, k, n)[::-1], r"order \(aic, bic\)"),
    (lambda L, k, n: [2 * k - 2 * L, k * math.log(n) - 2 * L], "should return a tuple"),
    (lambda L, k, n: (2 * k - 2 * L, "big"), "should be numbers"),
    (lambda L, k, n: (2 * k - 2 * L + 1, k * math.log(n) - 2 * L), r"AIC should be 2k - 2L"),
])
def test_check_information_criteria_explains_mistakes(broken, message):
    with pytest.raises(selfchecks.SelfCheckError, match=message):
        selfchecks.check_information_criteria(broken)


def test_check_information_criteria_message_names_the_case():
    with pytest.raises(selfchecks.SelfCheckError, match=r"for L=-1234.5, k=10, n=600"):
        selfchecks.check_information_criteria(lambda L, k, n: (2 * L - 2 * k, 0.0))
