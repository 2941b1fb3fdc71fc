"""Sounds that add up (notebook 14): a synthetic plucked tone, scores, spectrograms, and
separating a mixture into parts with NMF's soft masks.

    X = STFT(x)            complex, frequencies x frames
    V = |X|                what NMF fits: V ~ W H
    mask_k = W_k H_k / W H (one per part; the masks sum to 1 wherever W H > 0)
    x_k = ISTFT(mask_k X)  the part, with the mixture's phase; the parts add up to x

Smaragdis & Brown (2003) transcribe notes with NMF of a magnitude spectrogram; the
soft mask (a Wiener-like filter) is how such a factorisation is heard.
"""

from __future__ import annotations

import numpy as np

NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


def note_frequency(name):
    """Frequency in Hz of a note such as "A4" (440 Hz) or "C#5", in equal temperament."""
    pitch, octave = name[:-1], int(name[-1])
    midi = 12 * (octave + 1) + NOTE_NAMES.index(pitch)
    return 440.0 * 2 ** ((midi - 69) / 12)


def note_name(frequency):
    """The name of the equal-tempered note nearest to ``frequency`` (Hz), e.g. 262 -> "C4"."""
    midi = int(round(69 + 12 * np.log2(frequency / 440.0)))
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def pluck(f0, duration, fs, *, n_partials=12, decay=1.0, phases=None):
    """A plucked, piano-like tone: partials k f0 (k = 1, 2, ...) below fs / 2, amplitude 1 / k,
    each dying away as exp(-decay (1 + k / 2) t), with a 5 ms attack and a 50 ms release at
    the end (a damper), so that the tone lasts ``duration`` seconds."""
    t = np.arange(int(round(duration * fs))) / fs
    ks = [k for k in range(1, n_partials + 1) if k * f0 < 0.45 * fs]
    phases = np.zeros(len(ks)) if phases is None else np.asarray(phases)[: len(ks)]
    tone = sum(np.exp(-decay * (1 + k / 2) * t) / k * np.sin(2 * np.pi * k * f0 * t + phase)
               for k, phase in zip(ks, phases))
    envelope = np.minimum(1, t / 0.005) * np.minimum(1, (duration - t) / 0.05)
    return tone * envelope


def render_tracks(score, notes, fs, *, seed=None):
    """notes x samples: each note of ``notes`` played alone, as in ``score``, a list of
    (note, onset s, duration s, loudness); the partials get random phases (seeded)."""
    rng = np.random.default_rng(seed)
    length = max(onset + duration for _, onset, duration, _ in score) + 0.1
    tracks = np.zeros((len(notes), int(round(length * fs))))
    for note, onset, duration, loudness in score:
        tone = loudness * pluck(note_frequency(note), duration, fs,
                                phases=rng.uniform(0, 2 * np.pi, 12))
        start = int(round(onset * fs))
        tracks[notes.index(note), start:start + len(tone)] += tone
    return tracks


def sdr(reference, estimate):
    """Signal-to-distortion ratio in dB, 10 log10(|s|^2 / |s - s_hat|^2), over the samples
    both have: how close a separated part is to the note played alone (higher is better)."""
    n = min(len(reference), len(estimate))
    s, error = reference[:n], reference[:n] - estimate[:n]
    return float(10 * np.log10(np.sum(s ** 2) / np.sum(error ** 2)))


def piano_roll(score, notes, times):
    """notes x frames: 1 where a note of ``notes`` sounds at a frame's time, else 0."""
    roll = np.zeros((len(notes), len(times)))
    for note, onset, duration, _ in score:
        roll[notes.index(note)] += (times >= onset) & (times < onset + duration)
    return np.minimum(roll, 1)


def _scipy_signal():
    """scipy.signal, imported on first use: it takes about 0.6 s to import, and every notebook
    that imports nmf_course.selfchecks imports this module (for notebook 14's checks)."""
    from scipy import signal
    return signal


def stft(x, fs, nperseg=512):
    """(frequencies in Hz, frame times in s, complex STFT X: frequencies x frames), Hann window,
    half-overlapping frames (scipy.signal.stft)."""
    return _scipy_signal().stft(x, fs=fs, nperseg=nperseg)


def istft(X, fs, nperseg=512):
    """The signal whose STFT (as made by stft above) is X."""
    return _scipy_signal().istft(X, fs=fs, nperseg=nperseg)[1]


def soft_masks(W, H):
    """parts x frequencies x frames: mask_k = W_k H_k / W H, 0 where W H = 0 (there every mask
    is 0; elsewhere they sum to 1)."""
    parts = W.T[:, :, np.newaxis] * H[:, np.newaxis, :]           # W_k H_k, one outer product each
    total = parts.sum(axis=0)
    return np.divide(parts, total, out=np.zeros_like(parts), where=total > 0)


def separate(X, W, H):
    """The complex STFT of each part: its soft mask times the mixture's X (its phase kept)."""
    return soft_masks(W, H) * X


def fundamental(w, freqs, threshold=0.5):
    """The fundamental frequency (Hz) of a note spectrum ``w`` (one column of W): the lowest
    local peak at least ``threshold`` times the tallest one. Not the tallest peak itself,
    which may be a harmonic."""
    w = np.asarray(w, dtype=float)
    peak = (w >= threshold * w.max()) & (w >= np.roll(w, 1)) & (w >= np.roll(w, -1))
    return float(freqs[np.argmax(peak)])
