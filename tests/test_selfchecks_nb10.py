"""Notebook 10's self-checks: the squared-error step and a masked KL step."""

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb10 import check_frobenius_step, check_masked_step, masked_step


def frobenius_step(V, W, H):
    W = W * (V @ H.T) / (W @ H @ H.T)
    H = H * (W.T @ V) / (W.T @ W @ H)
    return W, H


def old_W_step(V, W, H):
    W_new = W * (V @ H.T) / (W @ H @ H.T)
    return W_new, H * (W.T @ V) / (W.T @ W @ H)


def test_check_frobenius_step_passes_correct_code(capsys):
    check_frobenius_step(frobenius_step)
    assert "PASSED check_frobenius_step" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (old_W_step, "used the old W"),
    (lambda V, W, H: (W * (V @ H.T) / (W @ H @ H.T), H), "your new H"),
    (lambda V, W, H: nh.update_matmul(V, W, H), "your new W"),
    (lambda V, W, H: None, "returned None"),
])
def test_check_frobenius_step_names_mistakes(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        check_frobenius_step(broken)


def my_masked(V, W, H, mask):
    Q = np.where(mask, V / (W @ H), 0.0)
    W = W * (Q @ H.T) / (mask @ H.T)
    Q = np.where(mask, V / (W @ H), 0.0)
    return W, H * (W.T @ Q) / (W.T @ mask)


def test_check_masked_step_passes_correct_code(capsys):
    check_masked_step(my_masked)                 # without normalising W's columns
    check_masked_step(masked_step)
    assert capsys.readouterr().out.count("PASSED check_masked_step") == 2


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H, mask: nh.update_matmul(np.where(mask, V, 0.0), W, H), "treats hidden entries as zeros"),
    (lambda V, W, H, mask: nh.update_matmul(V, W, H), "fits every entry"),
    (lambda V, W, H, mask: (my_masked(V, W, H, mask)[0], 2 * my_masked(V, W, H, mask)[1]), "differs at"),
    (lambda V, W, H, mask: (W, H[:, :2]), "shapes"),
])
def test_check_masked_step_names_mistakes(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        check_masked_step(broken)
