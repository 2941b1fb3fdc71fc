"""Tests of notebook 02's new self-check, check_em_counts (the older checks of notebook 02 are in
test_selfchecks.py)."""

import numpy as np
import pytest

from nmf_course import selfchecks
from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb02 import check_em_counts


def em_counts(V, W, H):
    WH = W @ H
    Q = np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)
    return W[:, :, np.newaxis] * H[np.newaxis, :, :] * Q[:, np.newaxis, :]


def test_correct_code_passes(capsys):
    check_em_counts(em_counts)
    assert "PASSED check_em_counts" in capsys.readouterr().out


def test_a_loop_version_passes(capsys):
    def loops(V, W, H):
        WH = W @ H
        C = np.zeros((V.shape[0], W.shape[1], V.shape[1]))
        for i in range(V.shape[0]):
            for a in range(W.shape[1]):
                for mu in range(V.shape[1]):
                    if WH[i, mu] > 0:
                        C[i, a, mu] = V[i, mu] * W[i, a] * H[a, mu] / WH[i, mu]
        return C
    check_em_counts(loops)
    assert "PASSED check_em_counts" in capsys.readouterr().out


def naive(V, W, H):
    return W[:, :, np.newaxis] * H[np.newaxis, :, :] * (V / (W @ H))[:, np.newaxis, :]


def in_place(V, W, H):
    W /= 1.0 + W.sum()
    return em_counts(V, W, H)


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H: np.transpose(em_counts(V, W, H), (0, 2, 1)), "axes should be gene, module, sample"),
    (lambda V, W, H: em_counts(V, W, H).sum(axis=2), "should have shape"),
    (naive, "NaN"),
    (lambda V, W, H: em_counts(np.ones_like(V), W, H), "they sum to 1"),
    (lambda V, W, H: W[:, :, np.newaxis] * H[np.newaxis, :, :], "W H's terms"),
    (lambda V, W, H: em_counts(V, W, H)[:, ::-1, :], "differs at"),
    (lambda V, W, H: 2 * em_counts(V, W, H), "should give V"),
    (in_place, "changed its input W"),
    (lambda V, W, H: None, "returned None"),
])
def test_mistakes_are_named(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        with np.errstate(divide="ignore", invalid="ignore"):
            check_em_counts(broken)



def test_the_check_names_its_references():
    assert {"update_loops", "update_matmul"} <= set(selfchecks.check_em_counts.references)
