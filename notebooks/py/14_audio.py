# %% [markdown]
# [← previous](13_algorithms.ipynb) | [course map](../README.md#notebook-map) | next →: none, this is the last notebook
#
# # 14 · Sounds that add up: separating notes in a spectrogram
#
# When two instruments play at once, the air carries the **sum** of their pressure waves. A
# spectrogram shows how much of each frequency a sound holds over time, and a note of a plucked
# string is a comb of frequencies, its fundamental and the harmonics above it, that dies away. A
# melody is then, approximately, a non-negative sum: each note's comb, switched on and off by the
# score. That is $V \approx WH$ with the columns of $W$ the notes' spectra and the rows of $H$ a
# piano roll. Smaragdis & Brown (2003) used exactly this to transcribe polyphonic piano music; in
# this notebook we make a short melody, take it apart with the course's KL-NMF, and listen to the
# parts.
#
# **What you will learn**
# - what a magnitude spectrogram is (`scipy.signal.stft`), why magnitudes of mixed sounds add up
#   only approximately, and why NMF sets the phase aside;
# - to read the columns of $W$ as harmonic combs, labelled by their fundamental, and the rows of
#   $H$ as a piano roll against the true score;
# - to hear the parts: a **soft mask** $W_k H_k / WH$ applied to the mixture's complex
#   spectrogram, turned back into sound (`scipy.signal.istft`);
# - what goes wrong: notes that always sound together, an octave that shares harmonics, too few
#   or too many parts, and squared error against KL (and where Itakura-Saito NMF comes in).
#
# **What you need first:** notebook 02 (the KL/Poisson updates and `nh.nmf`), 07 (signals that
# add up, scaling ambiguity) and 10 (squared error against KL).

# %% tags=["parameters"]
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Audio, display
from threadpoolctl import threadpool_limits

import nmf_helpers as nh
from nmf_course import audio, frobenius, plots, selfchecks

threadpool_limits(limits=1, user_api="blas")  # thin matrix products (R of 2 to 6): one BLAS thread is faster
plots.use_course_style()
SEED = 0
FS = 8000          # samples per second: telephone quality, enough for notes up to about 1 kHz

# %% [markdown]
# ## 1. A short melody, and its spectrogram
#
# `audio.pluck` makes a plucked, piano-like tone: partials at $f_0, 2f_0, 3f_0, \dots$ with
# amplitudes $1, 1/2, 1/3, \dots$, the higher ones dying away faster. The score below plays four
# different notes, C4, E4, G4 and A4 (262, 330, 392 and 440 Hz), nine times in 3.4 seconds, and
# most notes still ring when the next one starts. Each note is rendered on its own *track*
# (random phases for its partials, seeded); the recording is the sum of the tracks plus a little
# noise.

# %%
NOTES = ["C4", "E4", "G4", "A4"]
SCORE = [  # note, onset (s), duration (s), loudness
    ("C4", 0.0, 0.8, 1.0), ("E4", 0.4, 0.8, 0.8), ("G4", 0.8, 0.8, 0.9),
    ("C4", 1.2, 0.6, 1.0), ("A4", 1.4, 0.9, 0.7), ("E4", 1.8, 0.6, 0.8),
    ("G4", 2.2, 0.8, 0.9), ("A4", 2.3, 0.6, 0.7), ("C4", 2.6, 0.7, 1.0),
]
tracks = audio.render_tracks(SCORE, NOTES, FS, seed=SEED)     # one row per note
rng = np.random.default_rng(SEED)                             # the recording's noise
x = tracks.sum(axis=0) + 1e-3 * rng.standard_normal(tracks.shape[1])
print(f"{len(x):,} samples: {len(x) / FS:.1f} s at {FS:,} Hz")
for note in NOTES:
    print(f"{note}: {audio.note_frequency(note):.1f} Hz, played "
          f"{sum(n == note for n, *_ in SCORE)} times")

# %% tags=["nbval-ignore-output"]
Audio(x, rate=FS)

# %% [markdown]
# The short-time Fourier transform cuts the recording into frames of 512 samples (64 ms), each
# overlapping the next by half, and takes the Fourier transform of each: $X$ has one row per
# frequency (257 of them, every 15.6 Hz from 0 to 4 kHz) and one column per frame. Its entries are
# complex numbers: a magnitude (how much of that frequency) and a phase (where in its cycle the
# wave is).

# %%
freqs, times, X = audio.stft(x, FS)
V = np.abs(X)
print(f"X: {X.shape[0]} frequencies x {X.shape[1]} frames, complex; V = |X| is what NMF fits")

fig, ax = plt.subplots(figsize=(9.6, 4.2), layout="constrained")
image = ax.pcolormesh(times, freqs, 20 * np.log10(V + 1e-6), vmin=-80, shading="auto", cmap="magma")
ax.set_ylim(0, 2500)
ax.set_xlabel("time (s)")
ax.set_ylabel("frequency (Hz)")
ax.set_title("Spectrogram of the melody: each note is a comb of harmonics")
fig.colorbar(image, ax=ax, label="magnitude (dB)")
plt.show()

# %% [markdown]
# Each note shows as a stack of horizontal lines, its harmonics, that fade from the top down.
# Because the STFT is linear, the mixture's $X$ is the sum of the tracks' STFTs (and of the
# recording's faint noise's), to rounding. The
# **magnitudes** add up only approximately: $|X_1 + X_2| \le |X_1| + |X_2|$, with equality only
# where one of the two is zero or both have the same phase. Where two notes put energy into the
# same frequency at the same time they can reinforce or cancel. How much does that matter here?

# %%
X_tracks = np.array([audio.stft(track, FS)[2] for track in tracks])
X_noise = audio.stft(x - tracks.sum(axis=0), FS)[2]           # the recording's faint noise
sum_of_magnitudes = np.abs(X_tracks).sum(axis=0)
print(f"the STFT is linear: X = the tracks' STFTs + the noise's STFT (to rounding): "
      f"{np.allclose(X_tracks.sum(axis=0) + X_noise, X)}")
gap = np.abs(sum_of_magnitudes - V).sum() / V.sum()
print(f"the sum of the tracks' magnitudes differs from |X| by {gap:.0%} of |X|'s total")

# %% [markdown]
# About 5% of the magnitude is lost or gained where notes share time-frequency bins: small, and this
# is why NMF of $V = |X|$ works on mixtures of sounds. NMF cannot model the phase: a phase is an
# angle, not a non-negative amount, and phases of different notes neither add nor stay put from
# frame to frame. So we fit the magnitudes, and when we want sound back we borrow the mixture's
# phase (section 3).

# %% [markdown]
# ## 2. NMF of the spectrogram: notes and a piano roll
#
# $V$ is frequencies x frames, like genes x samples. We fit it with the course's KL (Poisson)
# NMF at R = 4, the number of different notes, with 3 restarts, each to convergence. $V$ holds
# magnitudes, not counts; `nh.nmf` accepts any non-negative numbers and minimises the
# generalised KL divergence $\sum V \log(V/WH) - V + WH$. The KL fits of this notebook run in
# single precision (`dtype=np.float32`), which is faster; the spectrogram's magnitudes need
# no more digits (`W` and `H` come back as float64).

# %%
R = len(NOTES)
fit = nh.nmf(V, R, n_restarts=3, seed=SEED, dtype=np.float32)
spread = fit.restart_log_likelihoods.max() - fit.restart_log_likelihoods.min()
print(f"converged: {fit.converged}; the 3 restarts end at the same fit "
      f"(within 0.01% of its divergence): {spread < 1e-4 * fit.deviance}")

# %% [markdown]
# Each column of $W$ is a spectrum, and a note's spectrum is a comb: peaks at $f_0, 2f_0, 3f_0,
# \dots$. To name a column we need its **fundamental** $f_0$: the *lowest* strong peak, not
# necessarily the tallest one (in many instruments, and in the octave of section 4, a harmonic can
# be taller than the fundamental).
#
# **Exercise 1.** Write `my_fundamental(w, freqs)` that returns the frequency in Hz (from
# `freqs`, the frequency of each row) of the lowest local peak of `w` whose height is at least
# half the tallest peak's. A local peak is an entry at least as high as its two neighbours.

# %%
def my_fundamental(w, freqs):
    ### BEGIN SOLUTION
    tall = w >= 0.5 * w.max()
    local_peak = (w >= np.roll(w, 1)) & (w >= np.roll(w, -1))
    return float(freqs[np.argmax(tall & local_peak)])
    ### END SOLUTION


# %%
selfchecks.check_fundamental(my_fundamental)

# %% [markdown]
# `audio.fundamental` does the same. We name each column by the note nearest to its fundamental
# and put the columns in the order of `NOTES`. With 512-sample frames the frequencies lie 15.6 Hz
# apart, so a fundamental is read to the nearest bin: enough to tell notes a semitone (6%) apart
# from about 260 Hz up, where a semitone spans at least one bin.

# %%
f0 = np.array([audio.fundamental(fit.W[:, k], freqs) for k in range(R)])
labels = [audio.note_name(f) for f in f0]
order = [labels.index(note) for note in NOTES]
W, H = fit.W[:, order], fit.H[order]
for k, note in enumerate(NOTES):
    print(f"column {order[k]}: fundamental {f0[order[k]]:.0f} Hz -> {note} "
          f"({audio.note_frequency(note):.0f} Hz)")

# %%
fig, axes = plt.subplots(R, 1, figsize=(9.6, 6.4), sharex=True, layout="constrained")
for k, (ax, note) in enumerate(zip(axes, NOTES)):
    ax.plot(freqs, W[:, k], color=f"C{k}", lw=1.5)
    for harmonic in audio.note_frequency(note) * np.arange(1, 8):
        ax.axvline(harmonic, color="gray", lw=0.8, ls=":")
    ax.set_ylabel(note)
    ax.set_yticks([])
axes[0].set_title("Columns of W: one harmonic comb per note (dotted: the true harmonics)")
axes[-1].set_xlim(0, 2500)
axes[-1].set_xlabel("frequency (Hz)")
plt.show()

# %% [markdown]
# Each row of $H$ says how loud its note is in each frame: a piano roll. Below, each row is scaled
# to its maximum, and the white boxes are the true score.

# %%
roll = audio.piano_roll(SCORE, NOTES, times)
fig, ax = plt.subplots(figsize=(9.6, 3.6), layout="constrained")
ax.imshow(H / H.max(axis=1, keepdims=True), aspect="auto", origin="lower", cmap="viridis",
          extent=(times[0], times[-1], -0.5, R - 0.5), interpolation="nearest")
for note, onset, duration, _ in SCORE:
    ax.add_patch(plt.Rectangle((onset, NOTES.index(note) - 0.45), duration, 0.9, fill=False,
                               edgecolor="white", lw=1.5))
ax.set_yticks(range(R), NOTES)
ax.set_xlabel("time (s)")
ax.set_title("Rows of H (scaled to their maximum) and the true score (boxes)")
plt.show()
correlations = [np.corrcoef(H[k], roll[k])[0, 1] for k in range(R)]
print("correlation of each row of H with its note's on/off score:",
      ", ".join(f"{note} {r:.2f}" for note, r in zip(NOTES, correlations)))

# %% [markdown]
# Every note is found where the score has it: each row of $H$ jumps when its note is struck and
# fades while the string rings, as the partials do. The correlations with the on/off score, 0.76
# to 0.84, are below 1 mostly because of that fading, which the boxes do not show; the faint
# flashes outside the boxes are other notes' attacks (a pluck starts with a click that has
# energy at every frequency). Nobody told NMF what a note is: the four combs and their timing
# come from the spectrogram alone, because each note's spectrum keeps its shape while its
# loudness changes, and the notes come and go independently.

# %% [markdown]
# ## 3. Listening to the parts
#
# $W_k H_k$ (column $k$ of $W$ times row $k$ of $H$) is part $k$'s share of the fitted
# magnitudes. To hear it we need a complex spectrogram. The usual way borrows the mixture's:
# each time-frequency bin of $X$ is shared out among the parts in proportion to their fitted
# magnitudes, with the **soft mask**
#
# $$M_k = \frac{W_k H_k}{WH}, \qquad \hat X_k = M_k \odot X, \qquad \hat x_k = \text{ISTFT}(\hat X_k).$$
#
# The masks lie between 0 and 1 and sum to 1 in every bin, so the parts add up to the mixture
# exactly; each part keeps the mixture's phase.
#
# **Exercise 2.** Write `my_separate(X, W, H)` that returns an array of shape
# (parts, frequencies, frames): the complex spectrogram $\hat X_k = M_k \odot X$ of each part.

# %%
def my_separate(X, W, H):
    ### BEGIN SOLUTION
    parts = W.T[:, :, np.newaxis] * H[:, np.newaxis, :]     # W_k H_k for each k
    return parts / (W @ H) * X
    ### END SOLUTION


# %%
selfchecks.check_separate(my_separate)

# %% [markdown]
# `audio.separate` does the same (and gives 0 where $WH = 0$). We separate, go back to sound, and
# compare each part with the note's own track by the **signal-to-distortion ratio**,
# $10 \log_{10}(\lVert s \rVert^2 / \lVert s - \hat s \rVert^2)$ in dB: 0 dB means the error is as
# loud as the note, 20 dB that it is a hundred times quieter in power.

# %%
X_parts = audio.separate(X, W, H)
parts = np.array([audio.istft(X_k, FS)[:len(x)] for X_k in X_parts])
print(f"the parts add up to the mixture: {np.allclose(parts.sum(axis=0), x, atol=1e-9)}")
sdr = [audio.sdr(track, part) for track, part in zip(tracks, parts)]
print("signal-to-distortion ratio of each part against its note alone:",
      ", ".join(f"{note} {s:.0f} dB" for note, s in zip(NOTES, sdr)))

# %% [markdown]
# Listen: the mixture, then each part. Each part should sound like its note played alone; what
# else you hear in it leaked through its mask, mostly at the other notes' attacks.

# %% tags=["nbval-ignore-output"]
for name, clip in [("mixture", x)] + list(zip(NOTES, parts)):
    print(name)
    display(Audio(clip, rate=FS))

# %% [markdown]
# Choose a part to hear it and see its spectrogram, $|\hat X_k|$.

# %% tags=["nbval-ignore-output"]
def show_part(part):
    clip, spectrum = (x, V) if part == "mixture" else (parts[NOTES.index(part)],
                                                        np.abs(X_parts[NOTES.index(part)]))
    display(Audio(clip, rate=FS))
    fig, ax = plt.subplots(figsize=(9.6, 3.6), layout="constrained")
    ax.pcolormesh(times, freqs, 20 * np.log10(spectrum + 1e-6), vmin=-80, vmax=0,
                  shading="auto", cmap="magma")
    ax.set_ylim(0, 2500)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    ax.set_title(f"{part}: magnitude spectrogram (dB)")
    plt.show()


part_menu = widgets.Dropdown(options=["mixture"] + NOTES, value="C4", description="part")
display(part_menu, widgets.interactive_output(show_part, {"part": part_menu}))

# %% [markdown]
# ## 4. What goes wrong
#
# NMF separates what *varies independently*. Four ways to see the limits, each with a new fit
# (converged; 3 restarts, except the squared-error fit, from one start). `describe` names each column of $W$ by its fundamental and lists its
# strong peaks (above 30% of the column's largest), which shows which harmonics it holds, and
# says in which share of the frames its row of $H$ is "on" (above 10% of its maximum).

# %%
def describe(fit, freqs):
    for k, (w, h) in enumerate(zip(fit.W.T, fit.H)):
        f = audio.fundamental(w, freqs)
        peaks = freqs[(w >= 0.3 * w.max()) & (w >= np.roll(w, 1)) & (w >= np.roll(w, -1))]
        print(f"  column {k}: fundamental {f:4.0f} Hz ({audio.note_name(f):>3}), on in "
              f"{np.mean(h > 0.1 * h.max()):3.0%} of the frames, strong peaks at "
              f"{', '.join(f'{p:.0f}' for p in peaks)} Hz")

# %% [markdown]
# **Notes that always sound together.** In this score C4 and E4 are always struck together, as a
# chord. Four notes, R = 4:

# %%
CHORDS = [("C4", 0.0, 0.8, 1.0), ("E4", 0.0, 0.8, 0.8), ("G4", 0.6, 0.8, 0.9),
          ("A4", 1.2, 0.8, 0.7), ("C4", 1.6, 0.8, 1.0), ("E4", 1.6, 0.8, 0.8),
          ("G4", 2.2, 0.6, 0.9), ("A4", 2.4, 0.6, 0.7)]
chords = audio.render_tracks(CHORDS, NOTES, FS, seed=SEED).sum(axis=0)
_, chord_times, X_chords = audio.stft(chords, FS)
V_chords = np.abs(X_chords)
chord_fit = nh.nmf(V_chords, 4, n_restarts=3, seed=SEED, dtype=np.float32)
describe(chord_fit, freqs)
last = chord_fit.H[-1]
print("the last column is on at t =", ", ".join(f"{t:.2f}" for t in chord_times[last > 0.1 * last.max()]),
      "s; the notes start at", ", ".join(sorted({f"{onset:.1f}" for _, onset, _, _ in CHORDS})), "s")

# %% [markdown]
# Column 0 holds both combs: C4's harmonics (266, 516 Hz) *and* E4's (328, 656 Hz). Two notes
# that are always struck together have, as far as $V$ can tell, one spectrum that goes on and off
# as a whole, and NMF has no reason to split it: it is one "part". The rank this frees goes to a
# column with no comb at all, on in only 7% of the frames, at the notes' onsets: the click of each
# attack, which has energy at every frequency (its "fundamental", A#3, means nothing). The
# remedy is data in which the two notes also sound apart, or a $W$ fixed in advance to notes
# recorded one at a time (supervised NMF, as in notebook 12's refit).

# %% [markdown]
# **An octave.** C5 (523 Hz) is C4 doubled: every harmonic of C5 is an even harmonic of C4. Two
# notes, sometimes alone and sometimes together, R = 2:

# %%
OCTAVE = [("C4", 0.0, 0.8, 1.0), ("C5", 0.6, 0.8, 0.8), ("C4", 1.2, 0.8, 1.0),
          ("C5", 1.4, 0.8, 0.8), ("C4", 2.2, 0.6, 1.0)]
octave_tracks = audio.render_tracks(OCTAVE, ["C4", "C5"], FS, seed=SEED)
octave = octave_tracks.sum(axis=0)
X_octave = audio.stft(octave, FS)[2]
octave_fit = nh.nmf(np.abs(X_octave), 2, n_restarts=3, seed=SEED, dtype=np.float32)
describe(octave_fit, freqs)
low = int(np.argmin([audio.fundamental(w, freqs) for w in octave_fit.W.T]))
octave_parts = [audio.istft(X_k, FS)[:len(octave)]
                for X_k in audio.separate(X_octave, octave_fit.W, octave_fit.H)[[low, 1 - low]]]
print("signal-to-distortion ratio: ", ", ".join(
    f"{note} {audio.sdr(t, p):.0f} dB" for note, t, p in zip(["C4", "C5"], octave_tracks, octave_parts)))

# %% [markdown]
# The two notes are found, but the shared harmonics go to one of them. C4's column keeps only its
# fundamental as a strong peak (in the melody, section 2's figure, its 2nd harmonic stands out
# clearly); its 2nd, 4th and 6th
# harmonics (516, 1047, 1562 Hz) sit in C5's column, because they are exactly C5's 1st, 2nd and
# 3rd. So the soft mask sends part of C4's sound to the C5 part even when C4 plays alone, and the
# separation is much worse than in the melody: 10 dB and 6 dB instead of 15 to 19 dB. Octaves
# (and fifths, whose harmonics meet every few partials) are the hardest intervals for
# spectrogram NMF, and music is full of them.

# %% [markdown]
# **Too few or too many parts.** Back to the melody of section 1, at R = 3 and R = 6:

# %%
for rank in (3, 6):
    print(f"R = {rank}:")
    describe(nh.nmf(V, rank, n_restarts=3, seed=SEED, dtype=np.float32), freqs)

# %% [markdown]
# At R = 3 one column must hold two notes: G4's column has a strong peak at 438 Hz, A4's
# fundamental, so G4 and A4 share a part. At R = 6 nothing is split more finely into notes, because
# there are only four: C4, the note played most often, gets two columns with the same comb (on in
# 32% and 59% of the frames), and the sixth column has no comb (on in 11% of the frames: the
# attacks again). The spare columns fit details (a note's spectrum changes a little as it rings,
# and the attacks), not new notes. As in notebook 04, a larger R always fits better; the right R
# is the number of things that vary independently, and here the score tells us it is 4.

# %% [markdown]
# **Squared error instead of KL.** `frobenius.nmf_frobenius` (notebook 10) minimises
# $\lVert V - WH \rVert^2$. Its multiplicative updates crawl, so we fit the melody at R = 4 from
# one start (converged), compare the parts with the tracks, and ask where each fit makes its
# errors: in the loud bins (above 10% of $V$'s largest entry) or in the quiet ones (below 1%).

# %%
squared = frobenius.nmf_frobenius(V, R, seed=SEED)
print(f"converged: {squared.converged}")
describe(squared, freqs)
sq_order = [[audio.note_name(audio.fundamental(w, freqs)) for w in squared.W.T].index(note)
            for note in NOTES]
sq_parts = [audio.istft(X_k, FS)[:len(x)]
            for X_k in audio.separate(X, squared.W[:, sq_order], squared.H[sq_order])]
print("signal-to-distortion ratio, squared error:",
      ", ".join(f"{note} {audio.sdr(t, p):.0f} dB" for note, t, p in zip(NOTES, tracks, sq_parts)))
print("signal-to-distortion ratio, KL (section 3):",
      ", ".join(f"{note} {s:.0f} dB" for note, s in zip(NOTES, sdr)))
loud, quiet = V > 0.1 * V.max(), V < 0.01 * V.max()
for name, (W_, H_) in [("KL", (W, H)), ("squared error", (squared.W, squared.H))]:
    error = np.abs(W_ @ H_ - V)
    print(f"{name:>13}: error / magnitude in the loud bins {error[loud].sum() / V[loud].sum():.0%}, "
          f"in the quiet bins {error[quiet].sum() / V[quiet].sum():.0%}")

# %% [markdown]
# Both objectives find the four notes, and the parts they give differ by about 1 dB (squared
# error is 1 dB worse for every note). Where they put their errors differs more. Squared error
# counts a bin's error in absolute terms, so it spends its parameters on the loud bins (8% error
# there against KL's 14%) and gives up on the quiet ones (141% against 92%): the fading tails of
# the notes and their high harmonics. KL counts errors more nearly in proportion to the size of
# the bin.
#
# The ear works closer to a logarithmic scale, so audio NMF often goes one step further, to the
# **Itakura-Saito** divergence $d(v \mid \hat v) = v/\hat v - \log(v/\hat v) - 1$, which depends
# only on the ratio $v / \hat v$: an error of 10% costs the same in a quiet bin as in a loud one.
# Févotte, Bertin & Durrieu (2009) fit the *power* spectrogram $|X|^2$ with it and show that it is
# the maximum-likelihood fit of a model in which each part is a complex Gaussian with variance
# $W_k H_k$ and a random phase: powers of such parts add up exactly on average, which answers the
# worry of section 1, and a mask of section 3's form, computed from the fitted powers, is then
# the Wiener filter. Squared error, KL
# and Itakura-Saito are the β-divergences with β = 2, 1 and 0; scikit-learn's
# `NMF(beta_loss="itakura-saito", solver="mu")` fits the last. It is not part of this course's
# code.

# %% [markdown]
# ## Summary
#
# - A spectrogram's magnitudes add up approximately when sounds mix (here to within 5%); the phase
#   does not add and NMF sets it aside. $V = |X|$ is frequencies x frames.
# - KL-NMF at R = the number of different notes finds each note as a column of $W$, a harmonic
#   comb named by its fundamental (the lowest strong peak, not the tallest), and a row of $H$
#   that follows the score (correlations 0.76 to 0.84 with the on/off score, less than 1 because
#   the notes fade).
# - A soft mask $W_k H_k / WH$ times the mixture's complex spectrogram gives each part back as
#   sound, with the mixture's phase; the parts add up to the mixture exactly (here each part is
#   15 to 19 dB from its note played alone, in signal-to-distortion ratio).
# - NMF separates what varies independently: notes always struck together become one part, an
#   octave's shared harmonics go to one note, too small an R merges notes and too large an R
#   spends columns on attacks and changes of timbre. Squared error fits the loud bins and
#   neglects the quiet ones; KL weighs them more evenly, Itakura-Saito (Févotte et al. 2009)
#   evenly.
#
# References: P. Smaragdis and J. C. Brown (2003), Non-negative matrix factorization for
# polyphonic music transcription, IEEE WASPAA; C. Févotte, N. Bertin and J.-L. Durrieu (2009),
# Nonnegative matrix factorization with the Itakura-Saito divergence, with application to music
# analysis, Neural Computation 21:793.
#
# This is the last notebook of the course. Back to the [course map](../README.md#notebook-map).
#
# [← previous](13_algorithms.ipynb) | [course map](../README.md#notebook-map) | next →: none, this is the last notebook
