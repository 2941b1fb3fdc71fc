"""Tests of notebook 03's self-checks: check_h_step and check_intermediate_bytes."""

import numpy as np
import pytest

from nmf_course import selfchecks
from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb03 import check_h_step, check_intermediate_bytes


def h_step(V, W, H):
    WH = (W[:, :, np.newaxis] * H[np.newaxis, :, :]).sum(axis=1)
    Q = np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)
    return H * (W[:, :, np.newaxis] * Q[:, np.newaxis, :]).sum(axis=0)


def test_correct_h_step_passes(capsys):
    check_h_step(h_step)
    check_h_step(lambda V, W, H: h_step(V, W, H) / W.sum(axis=0)[:, np.newaxis])  # with the denominator
    assert capsys.readouterr().out.count("PASSED check_h_step") == 2


def naive(V, W, H):
    Q = V / (W @ H)
    return H * (W[:, :, np.newaxis] * Q[:, np.newaxis, :]).sum(axis=0)


def in_place(V, W, H):
    H *= 1.0
    H += 0.0
    H[0, 0] += 1.0
    return h_step(V, W, H)


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H: h_step(V, W, H) / H * 1.0, "multiply it by H"),
    (lambda V, W, H: (W[:, :, np.newaxis] * V[:, np.newaxis, :]).sum(axis=1), "shared index of the H update is i"),
    (lambda V, W, H: W[:, :, np.newaxis] * V[:, np.newaxis, :], "sum the 3-D product"),
    (naive, "NaN"),
    (lambda V, W, H: -h_step(V, W, H), "negative"),
    (lambda V, W, H: h_step(V, W, H) * 1.5, "differs at"),
    (in_place, "changed its input H"),
    (lambda V, W, H: None, "returned None"),
])
def test_h_step_mistakes_are_named(broken, message):
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(SelfCheckError, match=message):
            check_h_step(broken)


def test_h_step_names_the_helpers_update_as_a_reference():
    assert {"update_broadcast", "update_matmul"} <= set(selfchecks.check_h_step.references)


def test_correct_bytes_pass(capsys):
    check_intermediate_bytes(lambda N, R, M, itemsize=8: N * R * M * itemsize)
    check_intermediate_bytes(lambda N, R, M, itemsize=8: np.zeros((1, 1, 1)).nbytes // 8 * N * R * M * itemsize)
    assert capsys.readouterr().out.count("PASSED check_intermediate_bytes") == 2


@pytest.mark.parametrize("broken, message", [
    (lambda N, R, M, itemsize=8: N * R * M, "number of entries"),
    (lambda N, R, M, itemsize=8: N * M * itemsize, "V's size"),
    (lambda N, R, M, itemsize=8: 8 * N * R * M * itemsize, "in bits"),
    (lambda N, R, M, itemsize=8: N * R * M * 8, "not always 8"),
    (lambda N, R, M, itemsize=8: N + R + M, "N x R x M entries"),
    (lambda N, R, M, itemsize=4: N * R * M * itemsize, "float64's 8 bytes"),
    (lambda N, R, M, itemsize=8: f"{N * R * M * itemsize} bytes", "should return a number"),
    (lambda N, R, M, itemsize=8: None, "returned None"),
])
def test_bytes_mistakes_are_named(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        check_intermediate_bytes(broken)
