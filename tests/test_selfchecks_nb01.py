"""Tests of notebook 01's new self-check, check_compression (check_simulation is in test_selfchecks.py)."""

import numpy as np
import pytest

import nmf_helpers as nh

from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb01 import check_compression


def correct(N, M, R):
    stored = (N + M) * R
    return stored, stored < N * M


def test_correct_code_passes(capsys):
    check_compression(correct)
    assert "PASSED check_compression" in capsys.readouterr().out


def test_numpy_numbers_pass(capsys):
    check_compression(lambda N, M, R: (np.int64((N + M) * R), np.bool_((N + M) * R < N * M)))
    assert "PASSED check_compression" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (lambda N, M, R: (N * M * R, N * M * R < N * M), "N x R x M array"),
    (lambda N, M, R: (N * M, False), "size of V itself"),
    (lambda N, M, R: ((N + M) * R, (N + M) * R <= N * M), "use <, not <="),
    (lambda N, M, R: ((N + M) * R, (N + M) * R > N * M), "compresses should be True"),
    (lambda N, M, R: (N + M) * R, "should return a pair"),
    (lambda N, M, R: ((N + M) * R, "yes"), "True or False"),
    (lambda N, M, R: None, "returned None"),
])
def test_mistakes_are_named(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        check_compression(broken)


def test_check_simulator_runs_the_function_and_checks_its_result(capsys):
    from nmf_course.selfchecks.nb01 import check_simulator

    def simulator(N, M, R, n_moonlighters, rng):
        sim = nh.simulate(N, M, R, n_moonlighters, seed=rng)
        return sim.W, sim.H, sim.V

    check_simulator(simulator)
    assert "PASSED check_simulation" in capsys.readouterr().out
    with pytest.raises(SelfCheckError, match="should return a tuple \\(W, H, V\\)"):
        check_simulator(lambda N, M, R, n, rng: simulator(N, M, R, n, rng)[:2])
    with pytest.raises(SelfCheckError, match="returned None"):
        check_simulator(lambda *args: None)
    with pytest.raises(NotImplementedError):
        check_simulator(lambda *args: (_ for _ in ()).throw(NotImplementedError()))
