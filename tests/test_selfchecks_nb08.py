"""Notebook 08's self-check of a multiplicative step with a background offset."""

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb08 import check_offset_step


def offset_step(V, W, H, b, normalise=True):
    Q = V / (W @ H + b)
    W = W * (Q @ H.T) / H.sum(axis=1)
    if normalise:
        sums = W.sum(axis=0)
        W, H = W / sums, H * sums[:, np.newaxis]
    Q = V / (W @ H + b)
    return W, H * (W.T @ Q) / W.sum(axis=0)[:, np.newaxis]


def test_check_offset_step_passes_correct_code(capsys):
    check_offset_step(offset_step)
    check_offset_step(lambda V, W, H, b: offset_step(V, W, H, b, normalise=False))
    assert capsys.readouterr().out.count("PASSED check_offset_step") == 2


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H, b: nh.update_matmul(V, W, H), "without the offset"),
    (lambda V, W, H, b: (offset_step(V, W, H, b)[0], offset_step(V, W, H, b)[1] + 0.01), "differs at"),
    (lambda V, W, H, b: (-W, H), "negative"),
    (lambda V, W, H, b: (W, H[:1]), "shapes"),
    (lambda V, W, H, b: None, "returned None"),
])
def test_check_offset_step_names_mistakes(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        check_offset_step(broken)
