"""information_criteria and its self-check: correct code passes, common mistakes are named."""

import math

import numpy as np
import pytest

import nmf_helpers as nh


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
    with pytest.raises(ValueError, match="n_obs"):
        nh.information_criteria(-1.0, 3, 0)
    with pytest.raises(ValueError, match="n_params"):
        nh.information_criteria(-1.0, -3, 10)


def test_check_information_criteria_passes_correct(capsys):
    nh.check_information_criteria(correct)
    nh.check_information_criteria(nh.information_criteria)
    nh.check_information_criteria(lambda L, k, n: tuple(np.array(correct(L, k, n))))
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
    with pytest.raises(nh.SelfCheckError, match=message):
        nh.check_information_criteria(broken)


def test_check_information_criteria_message_names_the_case():
    with pytest.raises(nh.SelfCheckError, match=r"for L=-1234.5, k=10, n=600"):
        nh.check_information_criteria(lambda L, k, n: (2 * L - 2 * k, 0.0))
