"""Self-checks of notebook 14: correct code passes, typical mistakes get their sentence."""

import numpy as np
import pytest

from nmf_course import audio, selfchecks
from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb14 import check_fundamental, check_separate


def fundamental(w, freqs):
    tall = w >= 0.5 * w.max()
    local_peak = (w >= np.roll(w, 1)) & (w >= np.roll(w, -1))
    return float(freqs[np.argmax(tall & local_peak)])


def outer_parts(W, H):
    return W.T[:, :, np.newaxis] * H[:, np.newaxis, :]


def separate(X, W, H):
    return outer_parts(W, H) / (W @ H) * X


def test_correct_code_passes(capsys):
    check_fundamental(fundamental)
    check_separate(separate)
    check_fundamental(audio.fundamental)
    check_separate(audio.separate)
    check_separate(lambda X, W, H: [outer_parts(W, H)[k] / (W @ H) * X for k in range(W.shape[1])])
    assert capsys.readouterr().out.count("PASSED") == 5


def test_the_checks_are_registered():
    for name in ("check_fundamental", "check_separate"):
        assert callable(getattr(selfchecks, name))
        assert name in selfchecks.RAW_CHECKS


def peak_indices(w):
    return (w >= np.roll(w, 1)) & (w >= np.roll(w, -1))


@pytest.mark.parametrize("fn, message", [
    (lambda w, freqs: float(freqs[np.argmax(w)]), "the tallest peak, but that is a harmonic"),
    (lambda w, freqs: int(np.argmax((w >= 0.5 * w.max()) & peak_indices(w))), "a bin index, not a frequency"),
    (lambda w, freqs: float(freqs[np.argmax(w > 0)]), "below the fundamental"),
    (lambda w, freqs: None, "returned None"),
    (lambda w, freqs: "C4", "return one frequency in Hz"),
    (lambda w, freqs: float(freqs[np.argmax((w >= 0.5 * w.max()) & peak_indices(w))]) * 2,
     "the fundamental is 250 Hz"),
])
def test_fundamental_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_fundamental(fn)


def changes_w(w, freqs):
    w /= w.max()
    return fundamental(w, freqs)


def test_fundamental_must_not_change_its_input():
    with pytest.raises(SelfCheckError, match="changed w or freqs"):
        check_fundamental(changes_w)


@pytest.mark.parametrize("fn, message", [
    (lambda X, W, H: outer_parts(W, H) / (W @ H) * np.abs(X), "multiply the mask by the complex X"),
    (lambda X, W, H: outer_parts(W, H) * X, "divide by W H too"),
    (lambda X, W, H: outer_parts(W, H) / (W @ H).max() * X, "do not add up to X"),
    (lambda X, W, H: outer_parts(W, H) / H.sum(axis=0) * X, "do not add up to X"),
    (lambda X, W, H: separate(X, W, H).transpose(1, 2, 0), "the axes are in another order"),
    (lambda X, W, H: (W @ H) / (W @ H) * X, "one spectrogram"),
    (lambda X, W, H: outer_parts(W, H) / (W @ H - (W @ H)[0, 0]) * X, "NaN or infinite"),
    (lambda X, W, H: None, "returned None"),
])
def test_separate_mistakes(fn, message):
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(SelfCheckError, match=message):
            check_separate(fn)


def test_separate_mistake_in_one_entry():
    def off_by_a_little(X, W, H):
        parts = separate(X, W, H)
        parts[0, 2, 3] *= 1.5
        parts[1, 2, 3] -= 0.5 * separate(X, W, H)[0, 2, 3]     # still adds up to X
        return parts
    with pytest.raises(SelfCheckError, match=r"differs at \[0, 2, 3\]"):
        check_separate(off_by_a_little)
