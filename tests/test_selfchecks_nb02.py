"""Tests of notebook 02's new self-check, check_em_counts (the older checks of notebook 02 are in
test_selfchecks.py)."""

import numpy as np
import pytest
from scipy.special import gammaln, xlogy

import nmf_helpers as nh

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


# --- check_update and check_log_likelihood: every valid form passes, each usual mistake is named ---

def Q_of(V, W, H):
    WH = W @ H
    return np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)


def w_step(V, W, H, Q):
    row_sums = H.sum(axis=1)
    return W * (Q @ H.T) / np.where(row_sums > 0, row_sums, 1.0)


def normalise(W, H):
    s = W.sum(axis=0)
    s[s == 0] = 1.0
    return W / s, H * s[:, np.newaxis]


def slides_step(V, W, H):
    """The homework's and slides' step: no denominator, W's columns normalised, H not rescaled."""
    W = W * (Q_of(V, W, H) @ H.T)
    W = W / W.sum(axis=0)
    return W, H * (W.T @ Q_of(V, W, H))


def h_first(V, W, H):
    H = H * (W.T @ Q_of(V, W, H))
    return normalise(w_step(V, W, H, Q_of(V, W, H)), H)


def old_q_for_h(V, W, H):
    Q = Q_of(V, W, H)
    W, H = normalise(w_step(V, W, H, Q), H)
    return W, H * (W.T @ Q)


def old_q_for_h_slides(V, W, H):
    Q = Q_of(V, W, H)
    W = W * (Q @ H.T)
    W = W / W.sum(axis=0)
    return W, H * (W.T @ Q)


def old_q_for_w(V, W, H):
    Q = Q_of(V, W, H)
    H = H * (W.T @ Q)
    return normalise(w_step(V, W, H, Q), H)


def rows_normalised(V, W, H):
    W = w_step(V, W, H, Q_of(V, W, H))
    W = W / np.where(W.sum(axis=1) > 0, W.sum(axis=1), 1.0)[:, np.newaxis]
    return W, H * (W.T @ Q_of(V, W, H))


def loop_one_short(V, W, H):
    W_new = w_step(V, W, H, Q_of(V, W, H))
    W_new[:, -1] = 0                                   # for a in range(R - 1)
    W, H = normalise(W_new, H)
    return W, H * (W.T @ Q_of(V, W, H))


def transposed(V, W, H):
    return W * (Q_of(V, W, H) @ H), H                  # H where H.T belongs


def h_and_w(V, W, H):
    W, H = normalise(w_step(V, W, H, Q_of(V, W, H)), H)
    return H * (W.T @ Q_of(V, W, H)), W


@pytest.mark.parametrize("valid, note", [
    (slides_step, "slides' form"),
    (h_first, "you update H before W"),
])
def test_valid_alternative_steps_pass_and_are_named(valid, note, capsys):
    selfchecks.check_update.raw(valid)
    out = capsys.readouterr().out
    assert "PASSED check_update: your step is a valid multiplicative step" in out and note in out


@pytest.mark.parametrize("broken, message", [
    (old_q_for_h, r"your H differs at \[0, 0\].*reused Q = V / \(W H\) from before the W step in the H step"),
    (old_q_for_h_slides, "reused Q = V / \\(W H\\) from before the W step in the H step"),
    (old_q_for_w, "you update H first .* but reuse its Q = V / \\(W H\\) in the W step"),
    (rows_normalised, "your W's rows sum to 1: normalise its columns"),
    (loop_one_short, "column 1 of your W is all zero: does a loop stop one short"),
    (transposed, "Is something transposed"),
    (h_and_w, r"you returned \(H, W\)"),
    (lambda V, W, H: (W * (Q_of(V, W, H) @ H.T) / 2, H), "step \\(b\\) divides each column of W"),
])
def test_update_mistakes_name_their_cause(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        selfchecks.check_update.raw(broken)


def test_an_unrecognised_wrong_step_says_what_the_reference_does():
    def wrong(V, W, H):
        W_new, H_new = nh.update_matmul(V, W, H)
        return W_new, H_new * 1.01
    with pytest.raises(SelfCheckError, match=r"the reference does \(a\) the W step .* \(b\) divides"):
        selfchecks.check_update.raw(wrong)


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H: np.sum(xlogy(V, W @ H) - W @ H) - np.sum(gammaln(V + 1)), "you subtracted log V!"),
    (lambda V, W, H: np.sum((xlogy(V, W @ H) - W @ H)[V > 0]), "drops - W H where V = 0"),
    (lambda V, W, H: np.sum(xlogy(V, W @ H)), "you left out the - W H term"),
])
def test_log_likelihood_mistakes_are_named(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        selfchecks.check_log_likelihood.raw(broken)
