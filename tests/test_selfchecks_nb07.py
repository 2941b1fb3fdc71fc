"""Notebook 07's self-checks pass correct code and name the usual mistakes."""

import numpy as np
import pytest

from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb07 import check_always_on, check_rescale


def test_check_rescale_passes_correct_code(capsys):
    check_rescale(lambda W, H, s: (W * s, H / s[:, np.newaxis]))
    assert "PASSED check_rescale" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (lambda W, H, s: (W / s, H * s[:, np.newaxis]), "the other way round"),
    (lambda W, H, s: (W * s, H), "should equal W H"),
    (lambda W, H, s: W * s, "tuple"),
    (lambda W, H, s: None, "returned None"),
    (lambda W, H, s: (W.T * 1.0, H), "shape"),
])
def test_check_rescale_names_mistakes(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        check_rescale(broken)


def test_check_always_on_passes_correct_code(capsys):
    check_always_on(lambda H, threshold: (H > threshold).all(axis=1))
    assert "PASSED check_always_on" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (lambda H, threshold: (H > threshold).any(axis=1), r"\.all, not \.any"),
    (lambda H, threshold: (H > threshold).all(axis=0), "one per day"),
    (lambda H, threshold: (H > threshold), "shape"),
    (lambda H, threshold: (H > 0.1 * threshold).all(axis=1), "row 3"),
])
def test_check_always_on_names_mistakes(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        check_always_on(broken)
