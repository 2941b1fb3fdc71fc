"""More student mistakes the self-checks must explain in plain words (see also test_selfchecks.py).

Each exercise in notebooks 01-06 is followed by a check_...() cell (tests/test_student.py
checks that the checker exists); these tests feed the checkers the mistakes students make.
"""

import numpy as np
import pytest

import nmf_helpers as nh


def forgot_return(*args):
    """A function whose author forgot the return line."""
    _ = args


@pytest.mark.parametrize("checker", [nh.check_log_likelihood, nh.check_row_normalize,
                                     nh.check_moonlighters])
def test_a_forgotten_return_is_named(checker):
    with pytest.raises(nh.SelfCheckError, match="returned None: did you forget the `return` line"):
        checker(forgot_return)


@pytest.mark.parametrize("checker", [nh.check_update, nh.check_nmf, nh.check_information_criteria])
def test_a_forgotten_return_says_what_should_come_back(checker):
    with pytest.raises(nh.SelfCheckError, match="should return a tuple|should return \\(W, H\\)"):
        checker(forgot_return)


def test_a_moonlighter_mask_instead_of_indices_is_explained():
    mask = lambda W, threshold: (nh.row_normalize(W) > threshold).sum(axis=1) >= 2
    with pytest.raises(nh.SelfCheckError, match="True/False mask.*np.flatnonzero"):
        nh.check_moonlighters(mask)
    nh.check_moonlighters(lambda W, threshold: np.flatnonzero(mask(W, threshold)))


def test_moonlighters_as_a_list_in_any_order_pass(capsys):
    nh.check_moonlighters(lambda W, threshold: sorted(nh.find_moonlighters(W, threshold).tolist(), reverse=True))
    assert "PASSED check_moonlighters" in capsys.readouterr().out


def test_a_log_likelihood_per_column_is_not_one_number():
    per_sample = lambda V, W, H: nh.log_likelihood(V, W, H) * np.ones(3)
    with pytest.raises(nh.SelfCheckError, match="should return one number"):
        nh.check_log_likelihood(per_sample)


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H: (-W, H), "negative entries"),
    (lambda V, W, H: (W * 2, H), "columns should sum to 1"),
    (lambda V, W, H: (W, H), r"your W differs at \[\d+, \d+\]: yours is"),
])
def test_update_mistakes_are_named(broken, message):
    with pytest.raises(nh.SelfCheckError, match=message):
        nh.check_update(broken)


def test_nmf_with_transposed_factors_names_the_shapes():
    transposed = lambda V, R: (np.ones((V.shape[1], R)), np.ones((R, V.shape[0])))
    with pytest.raises(nh.SelfCheckError, match=r"W should be \(30, 3\) and H \(3, 20\)"):
        nh.check_nmf(transposed)


def test_simulation_with_columns_not_summing_to_one_names_the_column():
    sim = nh.simulate(seed=1)
    W = sim.W.copy()
    W[:, 2] *= 3
    with pytest.raises(nh.SelfCheckError, match="column 2 sums to 3"):
        nh.check_simulation(W, sim.H, sim.V)
