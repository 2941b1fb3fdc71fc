"""Self-checks for Notebook 14, audio: reading the fundamental of a note spectrum (a column
of W) and separating a mixture's complex spectrogram with soft masks."""

from __future__ import annotations

import numpy as np

from nmf_course import audio
from nmf_course.selfchecks.common import fail, first_mismatch, passed, returned

__all__ = ["check_fundamental", "check_separate"]
REFERENCES = {"check_fundamental": ("fundamental",),
              "check_separate": ("separate", "soft_masks")}


def _comb(f0, freqs, amplitudes, floor=0.0):
    """A note spectrum: a peak (three bins wide) at each harmonic k f0 with the given heights."""
    w = np.full(len(freqs), floor)
    step = freqs[1] - freqs[0]
    for k, height in enumerate(amplitudes, start=1):
        i = int(round(k * f0 / step))
        if i + 1 < len(freqs):
            w[i - 1:i + 2] += height * np.array([0.4, 1.0, 0.4])
    return w


def _spectra():
    """(name, w, freqs, true f0): a plain comb, one whose 2nd harmonic is the tallest peak, one on
    a noise floor, and one on bins 10 Hz apart (so a bin index is not a frequency)."""
    freqs = np.arange(257) * 8000 / 512
    coarse = np.arange(300) * 10.0
    return [("a comb with a tall fundamental", _comb(250.0, freqs, [1, 0.5, 0.33, 0.25]), freqs),
            ("a comb whose 2nd harmonic is taller than its fundamental",
             _comb(312.5, freqs, [0.6, 1.0, 0.4, 0.2]), freqs),
            ("a comb on a low noise floor", _comb(437.5, freqs, [1, 0.7, 0.3], floor=0.02), freqs),
            ("a comb on bins 10 Hz apart", _comb(220.0, coarse, [1, 0.5, 0.3]), coarse)]


def check_fundamental(fn):
    """Test fn(w, freqs) -> the fundamental in Hz: the lowest peak at least half the tallest."""
    check = "check_fundamental"
    for name, w, freqs in _spectra():
        expected = audio.fundamental(w, freqs)
        w_in, freqs_in = w.copy(), freqs.copy()
        mine = returned(fn(w_in, freqs_in), check)
        if not (np.array_equal(w_in, w) and np.array_equal(freqs_in, freqs)):
            fail(check, "your function changed w or freqs; work on new arrays instead")
        try:
            mine = float(mine)
        except (TypeError, ValueError):
            fail(check, f"return one frequency in Hz (a number), but you returned {mine!r}")
        if np.isclose(mine, expected):
            continue
        tallest = float(freqs[np.argmax(w)])
        index = int(np.argmin(np.abs(freqs - expected)))
        if np.isclose(mine, index) or mine == int(np.argmax(w)):
            fail(check, f"for {name} you returned {mine:g}: that is a bin index, not a frequency; "
                        f"look it up in freqs (the fundamental is {expected:g} Hz)")
        if np.isclose(mine, tallest):
            fail(check, f"for {name} you returned {mine:g} Hz, the tallest peak, but that is a "
                        f"harmonic: the fundamental is the lowest strong peak, {expected:g} Hz")
        if mine < expected:
            fail(check, f"for {name} you returned {mine:g} Hz, below the fundamental "
                        f"({expected:g} Hz): keep only peaks at least half as tall as the tallest, "
                        "not every bin above zero")
        fail(check, f"for {name} the fundamental is {expected:g} Hz, but you returned {mine:g} Hz")
    passed(check, "the lowest strong peak, in Hz, on four spectra (one with a taller 2nd harmonic)")


def _separation_case():
    rng = np.random.default_rng(14)
    W = rng.uniform(0.1, 1, (6, 3))
    W[2, 1] = W[4, 0] = 0                                       # some zeros, but W H > 0 everywhere
    H = rng.uniform(0.1, 2, (3, 5))
    X = rng.normal(size=(6, 5)) + 1j * rng.normal(size=(6, 5))
    return X, W, H


def check_separate(fn):
    """Test fn(X, W, H) -> parts x frequencies x frames: each part's soft mask times X."""
    check = "check_separate"
    X, W, H = _separation_case()
    inputs = (X.copy(), W.copy(), H.copy())
    result = returned(fn(*inputs), check)
    if not all(np.array_equal(a, b) for a, b in zip(inputs, (X, W, H))):
        fail(check, "your function changed X, W or H; work on new arrays instead")
    mine = np.asarray(result)
    expected = audio.separate(X, W, H)
    F, T = X.shape
    if mine.shape != expected.shape:
        hint = ""
        if mine.shape == (F, T):
            hint = " (one spectrogram: return one per part, stacked along a first axis)"
        elif sorted(mine.shape) == sorted(expected.shape):
            hint = " (the axes are in another order: parts first, then frequencies, then frames)"
        fail(check, f"return shape (parts, frequencies, frames) = {expected.shape}, got "
                    f"{mine.shape}{hint}")
    if not np.iscomplexobj(mine):
        fail(check, "your parts are real numbers: multiply the mask by the complex X itself, not "
                    "by |X|, so that each part keeps the mixture's phase")
    if not np.all(np.isfinite(mine)):
        fail(check, "your parts hold NaN or infinite values: divide by W @ H (positive here), "
                    "not by something that can be 0")
    parts_raw = W.T[:, :, None] * H[:, None, :] * X
    if np.allclose(mine, parts_raw):
        fail(check, "you multiplied X by W_k H_k itself: divide by W H too, so that the masks lie "
                    "between 0 and 1 and the parts add up to X")
    if not np.allclose(mine.sum(axis=0), X):
        fail(check, "your parts do not add up to X: the masks W_k H_k / W H must sum to 1 in "
                    "every bin (divide by the sum over all parts, W @ H, not by one part or a maximum)")
    problem = first_mismatch(mine, expected)
    if problem:
        fail(check, f"your parts {problem}")
    passed(check, "each part is its soft mask W_k H_k / W H times the complex X; they add up to X")
