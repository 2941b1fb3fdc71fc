"""nmf_course.audio (notebook 14): notes and their names, the plucked tone, tracks and piano
rolls, the STFT round trip, soft masks that sum to 1 and parts that add up to the mixture."""

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course import audio

FS = 8000
SCORE = [("C4", 0.0, 0.5, 1.0), ("E4", 0.25, 0.5, 0.8), ("C4", 0.6, 0.3, 1.0)]


@pytest.mark.parametrize("name, hz", [("A4", 440.0), ("C4", 261.6256), ("C#5", 554.3653), ("A3", 220.0)])
def test_note_frequency_and_name(name, hz):
    assert audio.note_frequency(name) == pytest.approx(hz, rel=1e-6)
    assert audio.note_name(hz) == name
    assert audio.note_name(hz * 1.02) == name                  # a third of a semitone off


def test_pluck_is_a_harmonic_comb():
    tone = audio.pluck(440.0, 0.5, FS)
    assert len(tone) == 4000 and abs(tone[-1]) < 0.01          # the damper ends it near zero
    spectrum = np.abs(np.fft.rfft(tone[:2000]))                # the first 0.25 s, 4 Hz bins
    freqs = np.fft.rfftfreq(2000, 1 / FS)
    peaks = [spectrum[np.argmin(np.abs(freqs - k * 440))] for k in range(1, 9)]
    assert all(p > 10 * np.median(spectrum) for p in peaks)   # partials 1..8 stand out
    assert peaks[0] > peaks[1] > peaks[2]                      # amplitudes 1, 1/2, 1/3, ...


def test_tracks_are_seeded_and_placed():
    a = audio.render_tracks(SCORE, ["C4", "E4"], FS, seed=3)
    b = audio.render_tracks(SCORE, ["C4", "E4"], FS, seed=3)
    assert a.shape == (2, FS)                                  # to the last note's end + 0.1 s
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, audio.render_tracks(SCORE, ["C4", "E4"], FS, seed=4))
    assert np.all(a[1, : int(0.25 * FS)] == 0)                 # E4 starts at 0.25 s


def test_piano_roll():
    times = np.array([0.0, 0.3, 0.55, 0.7, 0.95])
    roll = audio.piano_roll(SCORE, ["C4", "E4"], times)
    np.testing.assert_array_equal(roll, [[1, 1, 0, 1, 0], [0, 1, 1, 1, 0]])


def test_stft_round_trip():
    x = np.random.default_rng(0).standard_normal(4000)
    freqs, times, X = audio.stft(x, FS)
    assert X.shape == (257, len(times)) and freqs[1] == pytest.approx(FS / 512)
    np.testing.assert_allclose(audio.istft(X, FS)[: len(x)], x, atol=1e-10)


def test_soft_masks_sum_to_one_and_parts_add_up_to_the_mixture():
    tracks = audio.render_tracks(SCORE, ["C4", "E4"], FS, seed=0)
    x = tracks.sum(axis=0)
    freqs, _, X = audio.stft(x, FS)
    fit = nh.nmf(np.abs(X), 2, seed=0)
    masks = audio.soft_masks(fit.W, fit.H)
    assert masks.shape == (2,) + X.shape and masks.min() >= 0 and masks.max() <= 1
    positive = fit.W @ fit.H > 0
    np.testing.assert_allclose(masks.sum(axis=0)[positive], 1, rtol=1e-12)
    assert np.all(masks[:, ~positive] == 0)
    X_parts = audio.separate(X, fit.W, fit.H)
    np.testing.assert_allclose(X_parts.sum(axis=0)[positive], X[positive], rtol=1e-12, atol=1e-15)
    parts = np.array([audio.istft(X_k, FS)[: len(x)] for X_k in X_parts])
    np.testing.assert_allclose(parts.sum(axis=0), x, atol=1e-9)
    # each part is one of the notes, and sounds like it
    found = sorted(audio.note_name(audio.fundamental(w, freqs)) for w in fit.W.T)
    assert found == ["C4", "E4"]
    order = np.argsort([audio.fundamental(w, freqs) for w in fit.W.T])
    assert all(audio.sdr(t, p) > 10 for t, p in zip(tracks, parts[order]))


def test_soft_masks_give_zero_where_the_fit_is_zero():
    W = np.array([[1.0, 0.0], [0.0, 0.0], [0.5, 0.5]])
    H = np.array([[1.0, 2.0], [3.0, 0.0]])
    masks = audio.soft_masks(W, H)
    assert np.all(np.isfinite(masks)) and np.all(masks[:, 1] == 0)
    np.testing.assert_allclose(masks[:, 2, 0], [0.25, 0.75])


def test_fundamental_is_the_lowest_strong_peak_not_the_tallest():
    freqs = np.arange(100) * 10.0
    w = np.zeros(100)
    w[[20, 40, 60]] = [0.6, 1.0, 0.3]                          # 2nd harmonic the tallest
    w[5] = 0.2                                                 # a weak low peak: ignored
    assert audio.fundamental(w, freqs) == 200.0


def test_sdr():
    s = np.sin(np.arange(1000) / 10)
    assert audio.sdr(s, s + 0.1 * s) == pytest.approx(20.0)
    assert audio.sdr(s, np.append(1.01 * s, [1.0, 2.0])) == pytest.approx(40.0)   # extra samples ignored
