# %% [markdown] slideshow={"slide_type": "slide"}
# [← previous](07_time_series.ipynb) | [course map](../README.md#notebook-map) | [next →](09_parts_vs_wholes.ipynb)
#
# # 08 · Calcium imaging: cells in a movie
#
# In calcium imaging a microscope films neurons that glow when they are active: a cell fires, calcium
# rushes in, a fluorescent indicator lights up, and the glow fades over a fraction of a second. Each
# frame of the movie is the **sum** of the glow of every cell at that moment, plus background light
# and photon noise. So a frame is a sum of non-negative parts, as the lake of notebook 07 was, and
# NMF can take the movie apart: into each cell's shape (its *footprint*) and each cell's activity
# over time (its *trace*), without anyone drawing a region of interest around the cells.
#
# We make a small synthetic movie, so that we know the true footprints and traces and can score
# NMF's answer with numbers.
#
# **What you will learn**
# - how to turn a movie (height x width x frames) into a data matrix (pixels x frames) and back;
# - that the columns of W, reshaped to images, are the cells' footprints and the rows of H their activity traces;
# - how to compare them with the truth after matching (correlations);
# - what to do about a background that is on everywhere, all the time: ignore it, an extra component, subtract it, or model it as an offset, V ~ Poisson(W H + b), and why the offset is right;
# - how to watch the movie and NMF's reconstruction side by side with a frame slider.
#
# **What you need first**
# - notebooks 01 and 02 (the model V ≈ W H and `nh.nmf`), 05 (`nh.match_modules`);
# - notebook 07 (the scaling ambiguity, `compare.rescale`, `compare.column_correlations`, and why an always-on signal is hard to separate).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Setup

# %% tags=["parameters"]
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

import nmf_helpers as nh
from nmf_course import compare, plots, selfchecks
from nmf_course.background import nmf_with_offset

threadpool_limits(limits=1, user_api="blas")  # thin matrix products (R of 3 to 6): one BLAS thread is faster

plots.use_course_style()  # 13 pt text, figures at most 9.6 inches wide
SEED = 8       # the simulated movie
FIT_SEED = 1   # the random starts of every fit
HEIGHT, WIDTH, N_FRAMES = 24, 24, 200
N_CELLS = 5
COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7"]  # Okabe-Ito: colour-blind safe

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · Five cells: their footprints
#
# Each cell is a round blob of light: a two-dimensional Gaussian, 1 at the cell's centre and fading
# with distance,
#
#     footprint[y, x] = exp(-((y - y0)² + (x - x0)²) / (2 σ²)),
#
# with its own centre (y0, x0) and size σ (in pixels). Cell 5 sits close to cell 1, so their light
# overlaps: a hand-drawn region of interest around either would catch some of the other.

# %%
centres = np.array([[6, 7], [6, 18], [17, 5], [18, 17], [10, 11]])  # (row, column) of each cell
sizes = np.array([2.0, 1.6, 2.4, 2.0, 1.8])                          # sigma in pixels
rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
footprints = np.stack([np.exp(-((rows - y0) ** 2 + (cols - x0) ** 2) / (2 * s ** 2))
                       for (y0, x0), s in zip(centres, sizes)], axis=-1)  # HEIGHT x WIDTH x N_CELLS
print(f"footprints: shape {footprints.shape} (height x width x cells), each peaks at {footprints.max():g}")
overlap = (footprints[:, :, 0] > 0.1) & (footprints[:, :, 4] > 0.1)
print(f"pixels where both cell 1 and cell 5 give more than 10% of their peak: {overlap.sum()}")

# %%
fig, axes = plt.subplots(2, 3, figsize=(9.6, 6.4), layout="constrained")
for a, ax in enumerate(axes.flat[:N_CELLS]):
    image = ax.imshow(footprints[:, :, a], cmap="viridis", vmin=0, vmax=1)
    ax.set_title(f"cell {a + 1}")
axes.flat[-1].imshow(footprints.max(axis=-1), cmap="viridis", vmin=0, vmax=1)
axes.flat[-1].set_title("all five")
for ax in axes.flat:
    ax.set(xticks=[], yticks=[])
fig.colorbar(image, ax=axes, label="footprint", shrink=0.8)
fig.suptitle("True footprints (24 x 24 pixels)")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · Activity: spikes and a slow decay
#
# Each cell fires at random moments, with probability 0.04 in each frame and a spike size between
# 0.5 and 1.5. The calcium signal jumps at each spike and then decays exponentially with a time
# constant of τ = 8 frames:
#
#     c[t] = c[t - 1] · exp(-1 / τ) + spike[t]
#
# These traces are what NMF should find in the rows of H.

# %%
rng = np.random.default_rng(SEED)
TAU = 8.0  # frames
spikes = (rng.random((N_CELLS, N_FRAMES)) < 0.04) * rng.uniform(0.5, 1.5, size=(N_CELLS, N_FRAMES))
calcium = np.zeros((N_CELLS, N_FRAMES))
calcium[:, 0] = spikes[:, 0]
for t in range(1, N_FRAMES):
    calcium[:, t] = calcium[:, t - 1] * np.exp(-1 / TAU) + spikes[:, t]
print("spikes per cell:", ", ".join(f"cell {a + 1}: {(spikes[a] > 0).sum()}" for a in range(N_CELLS)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · The movie: photons on a background
#
# The camera counts photons. In each pixel and frame the expected count is a uniform background of
# 5 photons plus each cell's footprint times its calcium times a brightness of 20 photons:
#
#     expected[y, x, t] = 5 + 20 · Σ_cells footprint[y, x, cell] · c[cell, t]
#
# and the recorded count is a Poisson draw with that mean. Photon counts are non-negative whole
# numbers, so the movie is fit for NMF with the Poisson objective as it stands.

# %%
BACKGROUND, BRIGHTNESS = 5.0, 20.0
expected = BACKGROUND + BRIGHTNESS * np.einsum("yxc,ct->yxt", footprints, calcium)  # HEIGHT x WIDTH x N_FRAMES
movie = rng.poisson(expected)
print(f"movie: shape {movie.shape} (height x width x frames), {movie.min()} to {movie.max()} photons "
      f"per pixel and frame, mean {movie.mean():.3g}")

# %%
busiest = np.argsort(calcium.sum(axis=0))[::-1]
show = np.sort(busiest[[0, 10, 30]]).tolist() + [int(np.argmin(calcium.sum(axis=0)))]
fig, axes = plt.subplots(2, 3, figsize=(9.6, 6.2), layout="constrained")
for ax, t in zip(axes[:, :2].flat, show):
    image = ax.imshow(movie[:, :, t], cmap="viridis", vmin=0, vmax=np.percentile(movie, 99.9))
    ax.set_title(f"frame {t}" + (" (quiet)" if t == show[-1] else ""))
mean_image = axes[0, 2].imshow(movie.mean(axis=2), cmap="viridis")
axes[0, 2].set_title("mean of all")
axes[1, 2].axis("off")
for ax in axes.flat:
    ax.set(xticks=[], yticks=[])
fig.colorbar(image, ax=axes[:, :2], label="photons", shrink=0.8)
fig.colorbar(mean_image, ax=axes[0, 2], label="mean photons", shrink=0.9)
fig.suptitle("The recorded movie: a few frames and the average")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · From a movie to a matrix, and back
#
# NMF factorises a matrix, but the movie is a three-dimensional array. As in notebook 07, each
# **column** must be one observation, here one frame, and each **row** the same measurement in every
# observation, here one pixel. `movie.reshape(HEIGHT * WIDTH, N_FRAMES)` does exactly that: NumPy reads
# the array in row-major order, so pixel (y, x) becomes row `y * WIDTH + x` while the frame axis is
# kept. The inverse is the same reshape backwards: a column of W (one value per pixel) becomes an
# image with `.reshape(HEIGHT, WIDTH)`, and the whole reconstruction `W @ H` becomes a movie with
# `.reshape(HEIGHT, WIDTH, N_FRAMES)`.

# %%
V = movie.reshape(HEIGHT * WIDTH, N_FRAMES)  # pixels x frames
y, x, t = 10, 11, 57
print(f"V has shape {V.shape}: {V.shape[0]} pixels x {V.shape[1]} frames")
print(f"pixel (y={y}, x={x}) is row {y * WIDTH + x}: movie[{y}, {x}, {t}] = {movie[y, x, t]}, "
      f"V[{y * WIDTH + x}, {t}] = {V[y * WIDTH + x, t]}")
print(f"reshaping back gives the movie again: {np.array_equal(V.reshape(HEIGHT, WIDTH, N_FRAMES), movie)}")
W_true = footprints.reshape(HEIGHT * WIDTH, N_CELLS)  # the true footprints as columns, the layout of W
print(f"true footprints as columns: shape {W_true.shape}; column 0 back as an image equals cell 1's footprint: "
      f"{np.array_equal(W_true[:, 0].reshape(HEIGHT, WIDTH), footprints[:, :, 0])}")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6 · Fitting: five cells plus a background
#
# The background is a sixth signal that adds up with the cells: a flat footprint (every pixel) with
# a constant trace (every frame). So we fit R = 6, five components for the cells and one for the
# background, with three restarts and `nh.nmf`'s default stopping rule (each restart ends within about one
# deviance unit of its optimum, in a few seconds at this size). Restarts that end within a unit of
# each other are equally good, and which of them is highest by a few thousandths is decided by
# rounding, which differs from one computer to another; so we read the first of them
# (`first_of_the_best`), the one every computer picks.

# %%
def first_of_the_best(fits, within=1.0):
    """The first of fits whose log-likelihood is within `within` units of the best."""
    best = max(fit.log_likelihood for fit in fits)
    return next(fit for fit in fits if fit.log_likelihood >= best - within)


restarts = nh.nmf_each(V, N_CELLS + 1, seeds=[FIT_SEED, FIT_SEED + 1, FIT_SEED + 2])  # made together
L_restarts = [restart.log_likelihood for restart in restarts]
print("the three restarts ended at:", ", ".join(f"{L:,.0f}" for L in L_restarts),
      f"(converged: {all(restart.converged for restart in restarts)})")
print(f"all three within 1 log-likelihood unit of the best: {max(L_restarts) - min(L_restarts) < 1}")
fit = first_of_the_best(restarts)


# %% [markdown] slideshow={"slide_type": "subslide"}
# `nh.match_modules` pairs each true footprint with a fitted column (the fit has one column more
# than there are cells); the column left over is the background. Then we choose units with
# `compare.rescale` (the scaling ambiguity of notebook 07): each cell's footprint is scaled to peak at 1, as
# the true ones do, so its row of H is in photons at the cell's centre and can be laid over
# `20 · c[t]`; the background's footprint is scaled to average 1, so its row of H is in photons per
# pixel and would be 5 if this component took all of the background.

# %%
def match_and_scale(W, H):
    # match fitted components to the true cells; scale cells to peak 1 and any leftover component to mean 1
    perm = nh.match_modules(W_true, W)
    order = list(perm) + [k for k in range(W.shape[1]) if k not in perm]  # cells first, then the rest
    W, H = W[:, order], H[order]
    scale = np.where(np.arange(W.shape[1]) < N_CELLS, 1 / W.max(axis=0), 1 / W.mean(axis=0))
    return compare.rescale(W, H, scale)


W_fit, H_fit = match_and_scale(fit.W, fit.H)
r_footprint = compare.column_correlations(W_true, W_fit[:, :N_CELLS])
r_trace = compare.column_correlations(calcium.T, H_fit[:N_CELLS].T)  # traces are rows, so compare the transposes
for a in range(N_CELLS):
    print(f"cell {a + 1}: footprint r = {r_footprint[a]:.3f}, trace r = {r_trace[a]:.3f}")
background = W_fit[:, N_CELLS]
print(f"background component: {np.median(H_fit[N_CELLS]):.3g} photons per pixel per frame (true {BACKGROUND:g}); "
      f"its footprint varies by about {round(background.std() / background.mean(), 1):.0%} across pixels")

# %%
fig, axes = plt.subplots(2, N_CELLS + 1, figsize=(9.6, 4.4), layout="constrained")
for a in range(N_CELLS):
    axes[0, a].imshow(footprints[:, :, a], cmap="viridis", vmin=0, vmax=1)
    axes[0, a].set_title(f"cell {a + 1}", fontsize=13)
    image = axes[1, a].imshow(W_fit[:, a].reshape(HEIGHT, WIDTH), cmap="viridis", vmin=0, vmax=1)
    axes[1, a].set_title(f"r = {r_footprint[a]:.3f}", fontsize=12)
axes[0, -1].axis("off")
axes[0, -1].text(0.5, 0.5, "background:\nflat, no\nimage", ha="center", va="center",
                 transform=axes[0, -1].transAxes, fontsize=12)
axes[1, -1].imshow(background.reshape(HEIGHT, WIDTH), cmap="viridis", vmin=0, vmax=2)
axes[1, -1].set_title("6th", fontsize=12)
for ax in axes.flat:
    ax.set(xticks=[], yticks=[])
axes[0, 0].set_ylabel("truth")
axes[1, 0].set_ylabel("NMF, R = 6")
fig.colorbar(image, ax=axes, label="footprint", shrink=0.8)
fig.suptitle("Footprints: truth (top), columns of W as images (bottom)")
plt.show()

# %%
frames = np.arange(N_FRAMES)
fig, axes = plt.subplots(N_CELLS, 1, figsize=(9.6, 6.5), sharex=True)
for a, ax in enumerate(axes):
    ax.plot(frames, BRIGHTNESS * calcium[a], color="black", lw=3, alpha=0.4, label="true: 20 c[t]")
    ax.plot(frames, H_fit[a], color=COLOURS[a], lw=1.5, label=f"NMF, r = {r_trace[a]:.3f}")
    ax.set_ylabel(f"cell {a + 1}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.05), fontsize=12, frameon=False)
axes[-1].set_xlabel("frame")
fig.suptitle("Traces: photons at each cell's centre (truth grey, NMF coloured)")
plt.tight_layout()
plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# All five cells are found: footprint correlations between 0.966 and 0.989, trace correlations
# between 0.980 and 0.993, and the overlapping cells 1 and 5 come apart. Two things are not perfect,
# and they are the same thing. The fitted traces rest on a floor of a few photons where the true ones
# fall to 0, and the background component holds only 1.69 of the 5 background photons per pixel,
# with dark holes where the cells are (its footprint varies by about 30% across pixels). The rest of the
# background is carried by the cells' own components: a faint pedestal under each footprint, times a
# trace that never reaches 0. That is the always-on ambiguity of notebook 07; the data fit equally
# well either way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7 · The background, four ways
#
# The background is on in every pixel and every frame. Notebook 07 showed what that means for NMF:
# an always-on signal cannot be told apart from a share of it hidden inside the other components,
# here a faint flat *pedestal* under a cell's footprint that the cell's trace switches on and off.
# Four ways of handling it:
#
# 1. **ignore it**: fit R = 5 and hope (the background has to go somewhere);
# 2. **an extra component**: R = 6 (section 6);
# 3. **subtract and clip**: subtract an estimate (the median photon count of the whole movie), set
#    negative values to 0, fit R = 5;
# 4. **model it as an offset**: V ~ Poisson(W H + b), with b the background per pixel (here one
#    number for all pixels) and R = 5.
#
# **Why subtracting is wrong.** The median of the movie is not the background: the cells add light,
# so it comes out above 5. And clipping at 0 throws away the downward half of the noise: in a dark
# pixel the counts scatter around 5 with Poisson noise, `max(V - 6, 0)` keeps every count above 6 and
# turns the rest into 0, so the dark pixels still average about half a photon, and what is left is
# no longer a Poisson count (its variance is not its mean), so the Poisson fit is no longer the
# maximum-likelihood fit. The cell below measures both.
#
# **The offset model, derived.** With b fixed, `W H + b = [W | b] [H ; 1]`: the background is one more
# module whose footprint is b and whose trace is 1 in every frame, and neither is updated. The EM
# argument of notebook 02 goes through unchanged: each count is shared among the modules in
# proportion to their share of the expected count, `W[i, a] H[a, t] / (W H + b)[i, t]` for a cell
# and `b[i] / (W H + b)[i, t]` for the background, and the update of each cell's W and H is the same
# as before with `W H + b` in place of `W H`:
#
#     Q = V / (W H + b)
#     W <- W * (Q @ H.T) / H.sum(axis=1)      (then scale W's columns to sum to 1, and H's rows back)
#     H <- H * (W.T @ Q)                      (Q recomputed; W's columns sum to 1)
#
# Each half-step still never lowers the log-likelihood. b itself can be measured, from frames with no
# activity (below: the median count of the 20 quietest frames), or estimated by its own
# multiplicative step, `b <- b * mean(Q)` (the trace step of the background module; `nmf_with_offset`
# in `nmf_course/background.py` does either).

# %% [markdown] slideshow={"slide_type": "fragment"}
# **Exercise: one step with an offset.** Write `my_offset_step(V, W, H, b)`, one multiplicative
# step of the model V ~ Poisson(W H + b) with b fixed (a number, or a column of one number per pixel,
# shape N x 1, so that `W @ H + b` broadcasts), following the three lines above. Return the new
# `(W, H)`; b does not change.

# %% nbgrader={"grade": false, "grade_id": "08_calcium_imaging-my_offset_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_offset_step(V, W, H, b):
    """One multiplicative step for V ~ Poisson(W H + b), b fixed; return the new (W, H)."""
    ### BEGIN SOLUTION
    Q = V / (W @ H + b)
    W = W * (Q @ H.T) / H.sum(axis=1)
    sums = W.sum(axis=0)
    W, H = W / sums, H * sums[:, np.newaxis]
    Q = V / (W @ H + b)
    H = H * (W.T @ Q)
    return W, H
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "08_calcium_imaging-my_offset_step-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_offset_step(my_offset_step)

# %%
far_away = W_true < 0.01  # pixels x cells: where each true footprint is (nearly) zero
dark = far_away.all(axis=1)  # pixels far from every cell


def summarise(W, H):
    W, H = match_and_scale(W, H)
    pedestal = np.array([np.median(W[far_away[:, a], a]) for a in range(N_CELLS)])
    return (compare.column_correlations(W_true, W[:, :N_CELLS]), compare.column_correlations(calcium.T, H[:N_CELLS].T),
            pedestal, W, H)


fit_ignore = first_of_the_best(nh.nmf_each(V, N_CELLS, seeds=[FIT_SEED, FIT_SEED + 1]))

background_estimate = np.median(V)
V_subtracted = np.clip(V - background_estimate, 0, None)
fit_subtract = first_of_the_best(nh.nmf_each(V_subtracted, N_CELLS, seeds=[FIT_SEED, FIT_SEED + 1]))
print(f"subtract: median of the movie {background_estimate:g} photons (true background {BACKGROUND:g}); "
      f"after clipping, dark pixels average {V_subtracted[dark].mean():.2f} (should be 0) "
      f"with variance {V_subtracted[dark].var():.2f}")

quiet = np.argsort(V.sum(axis=0))[:20]  # the 20 frames with the fewest photons
b_quiet = float(np.median(V[:, quiet]))
fit_offset = nmf_with_offset(V, N_CELLS, b=b_quiet, estimate_b=False, seed=FIT_SEED)
print(f"offset: b = median count of the 20 quietest frames = {b_quiet:g} photons (converged: {fit_offset.converged})")

results = {"1 ignore (R = 5)": summarise(fit_ignore.W, fit_ignore.H),
           "2 extra component": summarise(fit.W, fit.H),
           "3 subtract, clip": summarise(fit_subtract.W, fit_subtract.H),
           "4 offset W H + b": summarise(fit_offset.W, fit_offset.H)}
lines = [f"{'':18} {'footprint r, cells 1-5':30} {'trace r, cells 1-5':30} largest pedestal"]
for name, (r_w, r_h, pedestal, _, _) in results.items():
    lines.append(f"{name:18} " + " ".join(f"{v:.3f}" for v in r_w) + " " + " ".join(f"{v:.3f}" for v in r_h)
                 + f"   {pedestal.max():.3f}")
print("\n".join(lines))

# %%
fig, axes = plt.subplots(3, N_CELLS, figsize=(9.6, 6.5), layout="constrained")
for row, name in zip(axes, ["1 ignore (R = 5)", "3 subtract, clip", "4 offset W H + b"]):
    r_w, _, _, W_here, _ = results[name]
    for a, ax in enumerate(row):
        image = ax.imshow(W_here[:, a].reshape(HEIGHT, WIDTH), cmap="viridis", vmin=0, vmax=0.3)
        ax.set_title(f"r = {r_w[a]:.3f}", fontsize=12)
        ax.set(xticks=[], yticks=[])
    row[0].set_ylabel(name.split(" ", 1)[1].split(" (")[0], fontsize=12)
fig.colorbar(image, ax=axes, label="footprint (peak 1), shown up to 0.3", shrink=0.8, extend="max")
fig.suptitle("Footprints of cells 1-5; the colour scale stops at 0.3 to show pedestals")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Ignoring the background is worst: the cell components must carry all of it, so every footprint
# gets a pedestal (up to 0.145 of its peak) and the smallest cell suffers most (cell 2: footprint
# r = 0.940, trace r = 0.883). An extra component helps (every r above 0.96) but leaves pedestals of up
# to 0.084. Subtracting and clipping scores well on these numbers (footprints above 0.98, pedestals at
# most 0.021), but it rests on a wrong background (6 instead of 5) and leaves dark pixels at 0.51
# photons on average with a variance of 1.22, neither a background of 0 nor Poisson counts.
#
# The offset model is the right one, and it is also the best on every score: footprints and traces above 0.989, no pedestal at all. It is the model that made the data, V ~ Poisson(W H + b), so the
# counts stay counts and the fit stays a maximum-likelihood fit; and because b is *given* (measured
# in quiet frames), the cells can no longer trade a pedestal for background, which removes the
# always-on ambiguity instead of hoping the fit resolves it. Real backgrounds are rarely flat and
# constant (out-of-focus light, neuropil, bleaching): then b becomes one number per pixel (measured
# in dark frames, or estimated by its own multiplicative step) or a low-rank term of its own, as in
# the method of Pnevmatikakis et al. ("Simultaneous Denoising, Deconvolution, and Demixing of Calcium
# Imaging Data", Neuron, 2016). The lesson is the same: an always-on signal has to be modelled on
# purpose.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8 · The movie and its reconstruction
#
# `W @ H + b` is the offset model's version of the movie: five cells on the background, without the
# photon noise. We reshape it back to height x width x frames and compare it with the data and with
# the noise-free movie we simulated (`expected`). Because NMF keeps only what its components can
# explain, the reconstruction is closer to the noise-free movie than the recorded data are: NMF also
# *denoises*.

# %%
W_off, H_off = match_and_scale(fit_offset.W, fit_offset.H)  # traces in photons at each cell's centre
movie_fit = (fit_offset.W @ fit_offset.H + fit_offset.b).reshape(HEIGHT, WIDTH, N_FRAMES)  # back to a movie
rms = lambda a, b: np.sqrt(np.mean((a - b) ** 2))
print(f"root-mean-square difference from the noise-free movie: data {rms(movie, expected):.3g} photons, "
      f"NMF reconstruction {rms(movie_fit, expected):.3g} photons")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Press play or drag the slider to watch the recorded movie (left) next to NMF's reconstruction
# (middle); on the right, the rows of H (the fitted traces) with a line at the current frame. The
# figure is drawn once; each frame only swaps the image data and moves the line, then sends the
# picture.

# %% @deathbeds/jupyterlab-fonts={"styles": {"": {"body[data-jp-deck-mode='presenting'] &": {"& .jp-Cell-inputWrapper": {"display": "none"}}}}} slideshow={"slide_type": "subslide"}
vmax = float(np.percentile(movie, 99.9))
viewer = Figure(figsize=(9.6, 3.6), dpi=100)
ax_data = viewer.add_axes((0.02, 0.12, 0.21, 0.76))
ax_fit = viewer.add_axes((0.25, 0.12, 0.21, 0.76))
colour_axis = viewer.add_axes((0.475, 0.12, 0.012, 0.76))
ax_traces = viewer.add_axes((0.64, 0.33, 0.34, 0.55))
im_data = ax_data.imshow(movie[:, :, 0], cmap="viridis", vmin=0, vmax=vmax)
im_fit = ax_fit.imshow(movie_fit[:, :, 0], cmap="viridis", vmin=0, vmax=vmax)
for ax in (ax_data, ax_fit):
    ax.set(xticks=[], yticks=[])
viewer.colorbar(im_fit, cax=colour_axis, label="photons")
for a in range(N_CELLS):
    ax_traces.plot(frames, H_off[a], color=COLOURS[a], lw=1.5, label=f"{a + 1}")
now = ax_traces.axvline(0, color="black", lw=2)
ax_traces.set(xlabel="frame", ylabel="photons", title="traces (rows of H)")
ax_traces.legend(fontsize=12, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.32), frameon=False,
                 title="cell", title_fontsize=12, columnspacing=1.0, handlelength=1.2)
picture = widgets.Image(format="png")


def show_frame(frame):
    im_data.set_data(movie[:, :, frame])
    im_fit.set_data(movie_fit[:, :, frame])
    ax_data.set_title(f"recorded, {frame}")
    ax_fit.set_title(f"W H + b, {frame}")
    now.set_xdata([frame, frame])
    buffer = io.BytesIO()
    viewer.savefig(buffer, format="png")
    picture.value = buffer.getvalue()
    return picture.value


frame_slider = widgets.IntSlider(value=int(busiest[0]), min=0, max=N_FRAMES - 1, description="frame",
                                 continuous_update=True)
play = widgets.Play(value=int(busiest[0]), min=0, max=N_FRAMES - 1, interval=150, description="play")
widgets.jslink((play, "value"), (frame_slider, "value"))
frame_slider.observe(lambda change: show_frame(change["new"]), names="value")
_ = show_frame(frame_slider.value)
display(widgets.VBox([widgets.HBox([play, frame_slider]), picture]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A movie (height x width x frames) becomes a data matrix with one **column per frame** and one
#   **row per pixel**: `movie.reshape(height * width, frames)`. Reshaping a column of W back with
#   `.reshape(height, width)` gives an image, and `(W @ H).reshape(height, width, frames)` a movie.
# - With one component per cell plus one for the background, NMF found each cell's footprint (the
#   columns of W) and its activity trace (the rows of H) from the movie alone; the correlations with
#   the truth are printed in section 6. No one drew a region of interest, and the overlapping cells 1
#   and 5 were pulled apart pixel by pixel.
# - W and H are only defined up to scale; we chose units (footprints peaking at 1) to read the traces
#   in photons.
# - A background that is on everywhere and always must be dealt with. Ignored, it is smeared into the
#   cells; an extra component takes part of it and leaves the rest as faint pedestals under the cells
#   (the always-on ambiguity of notebook 07); subtracting a median and clipping at 0 biases the data
#   and breaks the Poisson model. The right way is to put the background into the model,
#   V ~ Poisson(W H + b): the multiplicative step is the same with `V / (W H + b)` as the ratio, and it
#   gave the best footprints and traces.
# - `W @ H + b` is a denoised movie: closer to the noise-free truth than the recording.

# %% [markdown] slideshow={"slide_type": "skip"}
# [← previous](07_time_series.ipynb) | [course map](../README.md#notebook-map) | [next →](09_parts_vs_wholes.ipynb)
