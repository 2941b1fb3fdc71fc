"""Tests of notebook 01's new self-check, check_compression (check_simulation is in test_selfchecks.py)."""

import numpy as np
import pytest

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
