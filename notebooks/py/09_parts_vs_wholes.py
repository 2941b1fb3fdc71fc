# %% [markdown] slideshow={"slide_type": "slide"}
# [← previous](08_calcium_imaging.ipynb) | [course map](../README.md#notebook-map) | [next →](10_objectives_ratings_words.ipynb)
#
# # 09 · Parts versus wholes: NMF, PCA and VQ
#
# Lee and Seung made NMF famous in 1999 with pictures of faces: asked to write every face as a
# sum of a few basis images, NMF answered with *parts* (eyes, noses, mouths), while principal
# component analysis (PCA) answered with ghostly whole faces full of negative values, and vector
# quantisation (VQ) with a set of typical faces. This notebook makes that comparison on small
# handwritten digits, on stick figures built from known parts, and finally on Lee and Seung's own
# 2,429 faces.
#
# **What you will learn**
# - that VQ, PCA and NMF all write the data as $V \approx W H$, and differ only in the
#   constraints they put on $W$ and $H$;
# - to measure what the pictures show: how sparse the basis images are (fraction of near-zero
#   pixels), how many are negative, and how well each method reconstructs the images;
# - why negative loadings are hard to read (lack of information, lack of interest or repulsion?),
#   and why non-negativity alone does not fill in missing values;
# - that on images built from parts, NMF finds the parts, and to check that with a number
#   (cosine similarity to the true parts);
# - to reproduce Figure 1 of Lee and Seung (1999) and read it honestly;
# - (exercise) the best reconstruction any rank-$R$ product $W H$ can reach: the truncated SVD.
#
# **What you need first**: notebooks 01-05 (the NMF model, `nh.nmf`, `nh.match_modules`).
# You do not need to know PCA or k-means beforehand; both are explained in a sentence where
# they are used.

# %% tags=["parameters"]
import os
# Our matrices are small: one BLAS thread is fastest, and avoids slowdowns on a busy machine.
# (This must come before NumPy is imported; delete the line to use all cores.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

import nmf_helpers as nh
from nmf_course import plots, selfchecks
from nmf_course.algorithms import hoyer_sparseness
from nmf_course.faces import FACE_SHAPE, load_faces, load_faces_fit

SEED = 0
plots.use_course_style()


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Three ways to write an image as a sum of basis images
#
# Put each image, flattened to a column of pixel values, into the columns of a matrix $V$
# (pixels x images). All three methods look for $V \approx W H$ with $R$ basis images in the
# columns of $W$ (pixels x $R$) and, in each column of $H$, the weights that build one image
# from them. They differ in their constraints:
#
# | method | constraint | each image is ... |
# | --- | --- | --- |
# | **VQ** (vector quantisation, here k-means) | each column of $H$ has a single 1 and zeros elsewhere | replaced by its nearest prototype image |
# | **PCA** | the columns of $W$ are orthonormal; $W$ and $H$ may have any sign | the mean image plus a signed mix of *eigen-images* |
# | **NMF** | $W \ge 0$ and $H \ge 0$ | an *additive* mix of basis images: nothing can be subtracted |
#
# The functions below fit each method with the same $R$ and return the basis images, the weights
# and the reconstruction $\hat V$. For PCA we take the singular value decomposition (SVD) of the
# centred data, $V - \bar v = U \Sigma Q^T$; the first $R$ columns of $U$ are the basis images. For
# VQ, scikit-learn's `KMeans` groups the images into $R$ clusters and each prototype is the mean
# image of its cluster. For NMF we use the course's `nh.nmf`, run to convergence, mostly in single
# precision (`dtype=np.float32`: several times faster here, and 7 significant digits are plenty
# for pictures).

# %%
def fit_vq(V, R, seed=SEED, n_init=4):
    """k-means on the images (columns of V): prototypes (pixels x R), one-hot H, reconstruction.
    n_init: how many seeded k-means starts to try (the best is kept)."""
    labels = KMeans(n_clusters=R, random_state=seed, n_init=n_init).fit(V.T).labels_
    prototypes = np.column_stack([V[:, labels == k].mean(axis=1) for k in range(R)])
    H = np.zeros((R, V.shape[1]))
    H[labels, np.arange(V.shape[1])] = 1.0
    return prototypes, H, prototypes @ H


def fit_pca(V, R):
    """PCA by SVD of the centred data: eigen-images (pixels x R), signed H, reconstruction."""
    mean = V.mean(axis=1, keepdims=True)
    U, _, _ = np.linalg.svd(V - mean, full_matrices=False)
    W = U[:, :R]
    H = W.T @ (V - mean)
    return W, H, mean + W @ H


def fit_nmf(V, R, seed=SEED, dtype=np.float32, **options):
    """Poisson NMF with the course's helper, run to convergence (in float32 unless told):
    parts (pixels x R, columns sum to 1), H, reconstruction."""
    fit = nh.nmf(V, R, seed=seed, dtype=dtype, **options)
    return fit.W, fit.H, fit.W @ fit.H


def relative_error(V, V_hat):
    """||V - V_hat||_F / ||V||_F: 0 is perfect, 1 is as bad as predicting all zeros."""
    return float(np.linalg.norm(V - V_hat) / np.linalg.norm(V))


def near_zero_fraction(B, level=0.05):
    """Fraction of pixels of each basis image (column) below level x its largest |value|."""
    return float(np.mean(np.abs(B) < level * np.abs(B).max(axis=0)))


def sparseness(X):
    """Hoyer's sparseness of each column of X, averaged over the columns (see the table below)."""
    return float(np.mean(hoyer_sparseness(X, axis=0)))


def show_images(axes, B, shape, signed=False, cmap="viridis"):
    """Draw the columns of B as images; signed images use RdBu centred at 0."""
    for ax, column in zip(axes, B.T):
        if signed:
            top = np.abs(column).max()
            image = ax.imshow(column.reshape(shape), cmap="RdBu", vmin=-top, vmax=top)
        else:
            image = ax.imshow(column.reshape(shape), cmap=cmap, vmin=0)
        ax.set_xticks([])
        ax.set_yticks([])
    return image


def montage(B, shape, n_columns):
    """Tile the columns of B (as images of the given shape) into one array, NaN between tiles."""
    height, width = shape
    n_rows = -(-B.shape[1] // n_columns)
    tiles = np.full((n_rows * (height + 1) - 1, n_columns * (width + 1) - 1), np.nan)
    for k, column in enumerate(B.T):
        row, col = divmod(k, n_columns)
        tiles[row * (height + 1):row * (height + 1) + height,
              col * (width + 1):col * (width + 1) + width] = column.reshape(shape)
    return tiles


def show_montage(ax, B, shape, n_columns, signed=False, cmap="viridis"):
    """Draw all basis images of B on one axis (fast to redraw), each scaled to its largest |value|;
    signed ones in RdBu centred at 0. Grey lines separate the images."""
    scaled = B / np.abs(B).max(axis=0)
    colours = plt.get_cmap("RdBu" if signed else cmap).with_extremes(bad="0.55")
    image = ax.imshow(montage(scaled, shape, n_columns), cmap=colours,
                      vmin=-1 if signed else 0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    return image


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Handwritten digits
#
# scikit-learn ships a small set of handwritten digits with the package (no download): 1,797
# images of 8 x 8 pixels, each pixel an ink level from 0 to 16. We take 500 of them at random,
# so every fit below takes a second or two, and lay them out as pixels x images.

# %%
digits = load_digits()
rng = np.random.default_rng(SEED)
chosen = np.sort(rng.choice(len(digits.target), size=500, replace=False))
V_digits = digits.data[chosen].T.astype(float)   # 64 pixels x 500 images
labels_digits = digits.target[chosen]
SHAPE_DIGITS = (8, 8)
print(f"V is {V_digits.shape[0]} pixels x {V_digits.shape[1]} images, "
      f"ink levels {V_digits.min():.0f} to {V_digits.max():.0f}, "
      f"{np.mean(V_digits == 0):.0%} of all pixels are blank")

fig, axes = plt.subplots(2, 10, figsize=(9.6, 2.9), layout="constrained")
show_images(axes.ravel(), V_digits[:, :20], SHAPE_DIGITS, cmap="cividis")
for ax, label in zip(axes.ravel(), labels_digits[:20]):
    ax.set_title(f"{label}", fontsize=12)
fig.suptitle("The first 20 of our 500 digits (title: the digit; colour: ink 0-16)", fontsize=14)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the three fits, each with $R = 16$ basis images. The NMF fit runs to convergence with
# `nh.nmf`'s default stopping rule (about a second).

# %%
R = 16
basis, weights, recon = {}, {}, {}
basis["VQ"], weights["VQ"], recon["VQ"] = fit_vq(V_digits, R)
basis["PCA"], weights["PCA"], recon["PCA"] = fit_pca(V_digits, R)
basis["NMF"], weights["NMF"], recon["NMF"] = fit_nmf(V_digits, R)
METHODS = ["VQ", "PCA", "NMF"]
print(f"fitted VQ, PCA and NMF with R = {R}: W is {basis['NMF'].shape[0]} pixels x {R} for each")

# %%
fig, axes = plt.subplots(1, 3, figsize=(9.6, 4.1), layout="constrained")
titles = {"VQ": "VQ: prototypes\n(whole digits)", "PCA": "PCA: eigen-images\n(red < 0 < blue)",
          "NMF": "NMF: parts\n(strokes)"}
for ax, method in zip(axes, METHODS):
    image = show_montage(ax, basis[method], SHAPE_DIGITS, n_columns=4, signed=(method == "PCA"))
    ax.set_title(titles[method])
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03, shrink=0.8)
fig.suptitle(f"The R = {R} basis images of each method (each scaled to its own largest |value|)",
             fontsize=14)
plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# Look at the three panels. VQ's prototypes are whole, blurred digits: each is the average of one
# cluster. PCA's eigen-images are spread over the whole 8 x 8 square, half red (negative) and half
# blue: each is a *contrast* between regions, not a piece of a digit. NMF's basis images are small
# strokes and blobs: a bit of a loop, a vertical bar, a corner. The numbers say the same:

# %%
def describe(V, basis, weights, recon):
    """Sparsity of the basis and of the weights, negative pixels and reconstruction error per method."""
    rows = {}
    for method in basis:
        W, H = basis[method], weights[method]
        used = np.abs(H) >= 0.05 * np.abs(H).max(axis=0)  # basis images an image really uses
        rows[method] = {"near-zero": near_zero_fraction(W),
                        "negative": float(np.mean(W < -1e-12)),
                        "Hoyer W": sparseness(W),
                        "used/image": float(used.sum(axis=0).mean()),
                        "Hoyer H": sparseness(H),
                        "rel. error": relative_error(V, recon[method])}
    return rows


def print_table(rows, width=5):
    columns = list(next(iter(rows.values())))
    print(f"{'':{width}}" + "".join(f"{c:>12}" for c in columns))
    for method, row in rows.items():
        print(f"{method:{width}}" + "".join(f"{row[c]:>12.{1 if c == 'used/image' else 2}f}"
                                           for c in columns))


summary_digits = describe(V_digits, basis, weights, recon)
print_table(summary_digits)

# %% [markdown] slideshow={"slide_type": "slide"}
# How to read the table:
#
# - **near-zero**: the fraction of the pixels of a basis image below 5 % of its largest |value|.
#   84 % of the pixels of NMF's basis images are near zero (sparse, *local* images); for PCA and
#   VQ it is 32 % and 40 %: their images have signal almost everywhere (*global*).
# - **negative**: the fraction of negative pixels. PCA's basis images are about half negative;
#   VQ and NMF have none (k-means prototypes are averages of non-negative images).
# - **Hoyer W**: the same question without a threshold. Hoyer's sparseness of a vector $x$ of
#   $n$ entries (P. O. Hoyer, "Non-negative matrix factorization with sparseness constraints",
#   *JMLR* 5:1457-1469, 2004) is $\big(\sqrt n - \lVert x\rVert_1 / \lVert x\rVert_2\big) / (\sqrt n - 1)$:
#   1 when a single entry is non-zero, 0 when all $n$ entries have the same size (notebook 13
#   has you write it). The table gives its mean over the columns of $W$: 0.76 for NMF's basis
#   images, 0.37 for PCA's and for VQ's.
# - **used/image**: the number of basis images an image really uses (weight at least 5 % of
#   its largest |weight|), averaged over the images. VQ uses exactly one (each image *is* a
#   prototype); PCA 14 of the 16; NMF about half of them (8.8): a digit is a sum of some
#   strokes, and the other strokes are simply absent (weight near zero), not subtracted.
# - **Hoyer H**: Hoyer's sparseness of each image's weights (the columns of $H$), averaged:
#   0.48 for NMF against 0.33 for PCA; VQ's weights, a single 1, score exactly 1.
# - **rel. error** $\lVert V - \hat V\rVert_F / \lVert V\rVert_F$: PCA has the smallest
#   squared error. That is guaranteed: among all approximations by the mean image plus $R$
#   directions, PCA's is the best in squared error (the Eckart-Young theorem, section 8), and
#   our NMF maximises the Poisson likelihood, not the squared error. NMF pays a modest price for
#   non-negativity and readable parts; VQ, allowed only one prototype per image, is the worst.
#
# ## 3. Reconstructions
#
# Each method rebuilds an image from its $R = 16$ basis images. Here are six digits and their
# three reconstructions, with the relative error of each.

# %%
examples = [0, 3, 5, 8, 11, 14]
fig, axes = plt.subplots(4, len(examples), figsize=(9.6, 6.4), layout="constrained")
show_images(axes[0], V_digits[:, examples], SHAPE_DIGITS, cmap="cividis")
axes[0, 0].set_ylabel("original")
for row, method in enumerate(METHODS, start=1):
    V_hat = recon[method]
    show_images(axes[row], np.clip(V_hat[:, examples], 0, None), SHAPE_DIGITS, cmap="cividis")
    axes[row, 0].set_ylabel(method)
    for ax, k in zip(axes[row], examples):
        ax.set_title(f"error {relative_error(V_digits[:, [k]], V_hat[:, [k]]):.2f}", fontsize=12)
fig.suptitle("Six digits rebuilt from 16 basis images (PCA's negative ink clipped to 0)", fontsize=14)
plt.show()
for method in METHODS:
    errors = [relative_error(V_digits[:, [k]], recon[method][:, [k]]) for k in examples]
    # each example's error is in its panel's title; printed, their mean (a single error can sit
    # at a rounding boundary and print differently from CPU to CPU)
    print(f"{method}: mean relative error of the six examples {np.mean(errors):.2f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# VQ returns the cluster's average digit, right or wrong in the details (and sometimes a
# different digit). PCA and NMF both keep each digit's own shape.
#
# ## 4. Why negative loadings are hard to read
#
# PCA reconstructs an image as the mean image plus a *signed* sum of eigen-images. A negative
# weight, or a negative pixel in a basis image, means "take ink away here". That only makes
# sense relative to something else that put ink there, so one eigen-image on its own does not
# describe anything you could point at in a digit.
#
# The same problem, in the words of the lecture notes on recommender data: if SVD gives a user a
# negative loading on a "science fiction" topic, we cannot tell whether it means
#
# 1. **lack of information** (the user never rated those films),
# 2. **lack of interest** (the user does not care either way), or
# 3. **outright repulsion** (the user dislikes them).
#
# Non-negative factors remove the third reading: a weight is either there (how much of this part,
# how committed to this topic) or it is zero, and nothing is subtracted. They do *not* remove the
# first. If the films a user never rated are entered as 0 and fitted like real zeros, the fit is
# pulled towards 0 there: $W H$ then "predicts" that the user gives those films nothing, and a
# zero weight may only mean "never rated". Filling in missing ratings needs a mask of the observed
# entries (`nh.nmf(V, R, mask=observed)` fits and scores only those); the fitted $W H$ at the hidden
# entries is then a prediction, but entries that no observed rating informs (a film nobody rated,
# a user's taste for a topic whose films they never rated) are not determined by the data at all.
#
# Let us take one digit apart into its terms: the weight of each basis image times that basis
# image. For NMF every term adds ink. For PCA, on top of the mean image, each term adds ink in
# some pixels and *removes* it in others, and the terms partly cancel each other.

# %%
k = examples[2]                      # one of the digits above
terms = {"PCA": basis["PCA"] * weights["PCA"][:, k],   # pixels x R: the R terms of image k
         "NMF": basis["NMF"] * weights["NMF"][:, k]}
n_shown = 5
top = max(np.abs(t).max() for t in terms.values())
fig, axes = plt.subplots(2, n_shown + 1, figsize=(9.6, 4.1), layout="constrained")
for row, method in enumerate(["PCA", "NMF"]):
    largest = np.argsort(-np.abs(terms[method]).sum(axis=0))[:n_shown]   # biggest terms first
    axes[row, 0].imshow(recon[method][:, k].reshape(SHAPE_DIGITS), cmap="cividis", vmin=0)
    axes[row, 0].set_title(f"{method} rebuild", fontsize=12)
    for ax, a in zip(axes[row, 1:], largest):
        shown = ax.imshow(terms[method][:, a].reshape(SHAPE_DIGITS), cmap="RdBu", vmin=-top, vmax=top)
        ax.set_title(f"term {a}", fontsize=12)
    for ax in axes[row]:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[row, 0].set_ylabel(method)
fig.colorbar(shown, ax=axes[:, 1:].ravel().tolist(), label="ink added (blue)\nor removed (red)")
fig.suptitle(f"Digit {labels_digits[k]}: the rebuilt image (left) and its five largest terms",
             fontsize=14)
plt.show()

for method in ["PCA", "NMF"]:
    added = terms[method][terms[method] > 0].sum()
    removed = np.abs(terms[method][terms[method] < 0]).sum()
    print(f"{method}: its {R} terms add {added:,.0f} units of ink and remove {removed:,.0f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# All panels of terms share one colour scale centred at zero, so red really means negative.
# PCA's terms are contrasts: each adds ink in some places and takes it away in others, and a
# large part of what one term adds, another removes (the numbers above). To read a PCA term you
# have to know all the others. NMF's terms are strokes that simply add up to the digit.
#
# ## 5. Explore: how many basis images?
#
# Drag the slider to change $R$. The fits were computed once for a few values of $R$ (below), so
# the figure redraws at once. Watch PCA's error fall fastest, NMF's parts become smaller and more
# numerous, and VQ's prototypes become more specialised digits.

# %%
R_CHOICES = [4, 9, 16]
precomputed = {}
for r in R_CHOICES:
    if r == R:  # reuse the fits of section 2
        fits = {m: (basis[m], weights[m], recon[m]) for m in METHODS}
    else:
        fits = {"VQ": fit_vq(V_digits, r), "PCA": fit_pca(V_digits, r), "NMF": fit_nmf(V_digits, r)}
    precomputed[r] = {"basis": {m: fits[m][0] for m in METHODS},
                      "error": {m: relative_error(V_digits, fits[m][2]) for m in METHODS},
                      "near_zero": {m: near_zero_fraction(fits[m][0]) for m in METHODS}}
for r in R_CHOICES:
    print(f"R = {r:2d}: relative error " +
          ", ".join(f"{m} {precomputed[r]['error'][m]:.3f}" for m in METHODS) +
          "; near-zero pixels " + ", ".join(f"{m} {precomputed[r]['near_zero'][m]:.2f}" for m in METHODS))


# %% @deathbeds/jupyterlab-fonts={"styles": {"": {"body[data-jp-deck-mode='presenting'] &": {"& .jp-Cell-inputWrapper": {"display": "none"}}}}} slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
def show_components(R):
    """Draw the basis images of the three methods for one precomputed R."""
    result = precomputed[R]
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 4.0), layout="constrained")
    for ax, method in zip(axes, METHODS):
        show_montage(ax, result["basis"][method], SHAPE_DIGITS, n_columns=int(np.ceil(np.sqrt(R))),
                     signed=(method == "PCA"))
        ax.set_title(f"{method}: relative error {result['error'][method]:.2f}\n"
                     f"near-zero pixels {result['near_zero'][method]:.0%}", fontsize=13)
    fig.suptitle(f"R = {R} basis images (PCA in RdBu: red < 0 < blue)", fontsize=14)
    plt.show()


_ = widgets.interact(show_components,
                     R=widgets.SelectionSlider(options=R_CHOICES, value=16, description="R",
                                               continuous_update=False))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Images made of parts: stick figures
#
# Digits are not literally sums of parts, so we cannot say whether NMF found the *right* parts.
# So let us make images that are. The idea is Donoho and Stodden's "swimmer" images (D. Donoho,
# V. Stodden, "When does non-negative matrix factorization give a correct decomposition into
# parts?", *Advances in Neural Information Processing Systems 16*, 2003): a torso with four limbs,
# each limb in one of a few positions, so that the parts are known exactly. They also worked out
# when NMF is bound to find those parts. Our version: each stick figure on a 15 x 15 grid has a
# head and body, and four limbs, each in one of three positions (arm raised, level or lowered; leg
# close, middle or wide): 13 parts in all and $3^4 = 81$ poses. Each part is drawn with its own
# random brightness, and the pixel values are Poisson counts, like photons on a camera.

# %%
SIZE = 15
SHAPE_FIGURES = (SIZE, SIZE)


def limb(start, angle, length=5):
    """A line of pixels from start (row, column), pointing at angle degrees (0 = right, 90 = up)."""
    image = np.zeros(SHAPE_FIGURES)
    radians = np.deg2rad(angle)
    for t in np.linspace(1, length, 4 * length):
        image[round(start[0] - t * np.sin(radians)), round(start[1] + t * np.cos(radians))] = 1
    return image


body = np.zeros(SHAPE_FIGURES)
body[1:4, 6:9] = 1        # the head
body[4:10, 7] = 1         # the trunk
joints = {"left arm": (5, 7), "right arm": (5, 7), "left leg": (9, 6), "right leg": (9, 8)}
limb_angles = {"left arm": (140, 180, 220), "right arm": (40, 0, -40),
               "left leg": (200, 230, 260), "right leg": (-20, -50, -80)}
part_names = ["head and body"]
part_images = [body]
for name, angles in limb_angles.items():
    for position, angle in zip(("1", "2", "3"), angles):
        part_names.append(f"{name} {position}")
        part_images.append(limb(joints[name], angle))
P_true = np.column_stack([image.ravel() for image in part_images])  # 225 pixels x 13 parts
n_parts = P_true.shape[1]
assert P_true.sum(axis=1).max() == 1, "no two parts share a pixel"


def make_figures(n_images, photons=20, seed=SEED):
    """V (pixels x images) of random stick figures, and the true weights H (parts x images)."""
    rng = np.random.default_rng(seed)
    H = np.zeros((n_parts, n_images))
    H[0] = rng.uniform(0.5, 1.5, n_images)                    # head and body, always there
    for limb_number in range(4):
        position = rng.integers(0, 3, n_images)               # which of the limb's 3 positions
        H[1 + 3 * limb_number + position, np.arange(n_images)] = rng.uniform(0.5, 1.5, n_images)
    return rng.poisson(photons * P_true @ H), H


V_figures, H_figures = make_figures(200)
print(f"V is {V_figures.shape[0]} pixels x {V_figures.shape[1]} images, from {n_parts} true parts; "
      f"counts 0 to {V_figures.max()}")

part_labels = ["head,\nbody"] + [name.replace(" ", "\n", 1) for name in part_names[1:]]
fig, axes = plt.subplots(2, 13, figsize=(9.6, 2.6), layout="constrained")
show_images(axes[0], P_true, SHAPE_FIGURES)
for ax, label in zip(axes[0], part_labels):
    ax.set_title(label, fontsize=12)
image = show_images(axes[1], V_figures[:, :13], SHAPE_FIGURES, cmap="cividis")
axes[0, 0].set_ylabel("true\nparts", rotation=0, ha="right", va="center")
axes[1, 0].set_ylabel("data\n(counts)", rotation=0, ha="right", va="center")
fig.colorbar(image, ax=axes[1].tolist(), fraction=0.02, pad=0.01, label="count", aspect=8)
fig.suptitle("Top: the 13 parts. Bottom: 13 of the 200 images (random poses, Poisson noise)",
             fontsize=14)
plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# Fit the three methods with $R = 13$, as many basis images as there are parts. For NMF we use
# a few restarts (notebook 04), since a fit can stop in a local optimum. Then we line each
# method's basis images up with the true parts: `nh.match_modules` finds the one-to-one pairing
# with the largest total cosine similarity (1 = same image up to brightness, 0 = no pixel in
# common). It needs non-negative matrices, so for PCA we pair each part with the eigen-image of
# largest *absolute* cosine, which flatters PCA.

# %%
def cosine(A, B):
    """Cosine similarity of matching columns of A and B."""
    return np.sum(A * B, axis=0) / (np.linalg.norm(A, axis=0) * np.linalg.norm(B, axis=0))


W_vq, _, recon_vq = fit_vq(V_figures, n_parts)
W_pca, _, recon_pca = fit_pca(V_figures, n_parts)
# float64 here: in float32 which of the 3 restarts wins, and so the numbers below, depend on the CPU
W_nmf, _, recon_nmf = fit_nmf(V_figures, n_parts, n_restarts=3, dtype=np.float64)

matched = {"VQ": W_vq[:, nh.match_modules(P_true, W_vq)],
           "NMF": W_nmf[:, nh.match_modules(P_true, W_nmf)]}
unit = lambda X: X / np.linalg.norm(X, axis=0)
similarity_pca = np.abs(unit(P_true).T @ unit(W_pca))          # parts x eigen-images
matched["PCA"] = W_pca[:, similarity_pca.argmax(axis=1)]        # best eigen-image for each part

similarities = {m: np.abs(cosine(P_true, matched[m])) for m in METHODS}
for method in METHODS:
    s = similarities[method]
    print(f"{method:3}: cosine with the true parts: mean {s.mean():.3f}, worst {s.min():.3f}; "
          f"relative error {relative_error(V_figures, {'VQ': recon_vq, 'PCA': recon_pca, 'NMF': recon_nmf}[method]):.3f}")
print("NMF, part by part: " + ", ".join(f"{name} {s:.2f}" for name, s in zip(part_names, similarities["NMF"])))
assert similarities["NMF"].min() > 0.9

# %%
fig, axes = plt.subplots(4, n_parts, figsize=(9.6, 4.6), layout="constrained")
rows = [("true", None), ("NMF", "NMF"), ("PCA", "PCA"), ("VQ", "VQ")]
show_images(axes[0], P_true, SHAPE_FIGURES)
for row, (label, method) in enumerate(rows):
    if method is not None:
        show_images(axes[row], matched[method], SHAPE_FIGURES, signed=(method == "PCA"))
        for ax, s in zip(axes[row], similarities[method]):
            ax.set_title(f"{s:.2f}", fontsize=12)
    axes[row, 0].set_ylabel(label, rotation=0, ha="right", va="center")
for ax, label in zip(axes[0], part_labels):
    ax.set_title(label, fontsize=12)
fig.suptitle("Each true part and the basis image matched to it\n"
             "(number: cosine similarity; PCA in RdBu, red < 0)", fontsize=14)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# NMF recovers every limb position as its own basis image, and the head and body as another:
# the cosine similarities printed above are all close to 1. (Some limb images carry a faint copy
# of the body: the body is in every image, so a little of it can ride along with any part.) PCA's eigen-images mix several
# limbs with both signs; even pairing each part with its most similar eigen-image, the
# similarities stay low. VQ's prototypes are whole figures (one pose each): every one contains
# the body and four limbs, so each matches a single part poorly.
#
# This is the sense in which NMF learns "the parts of objects": when the data really are
# non-negative sums of parts, the non-negativity constraint alone is enough to find them. The
# same reasoning makes NMF's gene modules readable in notebooks 01-06: an expression profile is
# a sum of module activities, never a difference.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Lee and Seung's faces
#
# Now the pictures that made NMF famous: Figure 1 of D. D. Lee and H. S. Seung, "Learning the
# parts of objects by non-negative matrix factorization", *Nature* 401:788-791 (1999). Their data
# are the 2,429 face images of the MIT CBCL Face Database #1, 19 x 19 grey levels each; the course
# ships them in `data/cbcl_faces/` with their notice (provenance, checksum and terms of use, in
# the README beside the file). As in the paper, each image's grey levels are scaled linearly so
# that its pixel mean and standard deviation are both 0.25, then clipped to [0, 1]. `load_faces()`
# (in `nmf_course/faces.py`) does this and returns $V$ with one face per column.

# %%
V_faces = load_faces()                     # 361 pixels x 2,429 faces
print(f"V is {V_faces.shape[0]} pixels x {V_faces.shape[1]:,} faces; values {V_faces.min():.0f} to "
      f"{V_faces.max():.0f}, mean {V_faces.mean():.3f}; clipped: {np.mean(V_faces == 0):.1%} of "
      f"pixels to 0, {np.mean(V_faces == 1):.1%} to 1")

fig, axes = plt.subplots(2, 10, figsize=(9.6, 2.5), layout="constrained")
for ax, face in zip(axes.ravel(), V_faces[:, :20].T):
    ax.imshow(face.reshape(FACE_SHAPE), cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("The first 20 of the 2,429 faces, after scaling (grey levels 0 to 1)", fontsize=14)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The three fits use $R = 49$, as in the paper. PCA and VQ take a few seconds at most: the SVD of
# the centred data, and k-means with one seeded start. The paper's NMF maximised the same Poisson
# (KL) objective with its multiplicative updates; we use `nh.nmf`, in single precision as above.
# Run to convergence, this fit takes about 10,000 steps, one to two minutes on one core: too long
# to wait for every time the notebook runs. So the course ships the converged fit, made by exactly
# the call `nh.nmf(V_faces, 49, seed=0, dtype=np.float32)` (the script is
# `data/make_faces_fit.py`), and `load_faces_fit` loads it; for any other seed the cell below
# makes the fit itself. Do not take the stored file on trust: the cell runs 100 more steps from
# it: at a converged point they lower the deviance by almost nothing (below 0.01 units), while
# the fit stopped after 200 steps at the end of this section was still losing hundreds of units
# every 50 steps.

# %%
R_FACES = 49
stored = load_faces_fit(R_FACES, SEED)  # W, H of nh.nmf(V_faces, R_FACES, seed=SEED, dtype=np.float32)
if stored is None:                      # no stored fit for this seed: fit now (a minute or two)
    fit_faces = nh.nmf(V_faces, R_FACES, seed=SEED, dtype=np.float32)
    stored = fit_faces.W, fit_faces.H
W_faces, H_faces = stored
faces_basis = {"NMF": W_faces}
faces_weights = {"NMF": H_faces}
faces_recon = {"NMF": W_faces @ H_faces}
faces_basis["VQ"], faces_weights["VQ"], faces_recon["VQ"] = fit_vq(V_faces, R_FACES, n_init=1)
faces_basis["PCA"], faces_weights["PCA"], faces_recon["PCA"] = fit_pca(V_faces, R_FACES)
FACE_METHODS = ["NMF", "VQ", "PCA"]                 # the paper's order

deviance_faces = nh.deviance(V_faces, W_faces, H_faces)
more = nh.nmf(V_faces, R_FACES, init=(W_faces, H_faces), max_iter=100, dtype=np.float32)
print(f"NMF: deviance {deviance_faces:,.1f}; 100 more steps from it lower it by less than 0.01: "
      f"{deviance_faces - more.deviance < 0.01}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(9.6, 4.0), layout="constrained")
face_titles = {"NMF": "NMF: parts\n(black = large)", "VQ": "VQ: prototypes\n(grey levels)",
               "PCA": "PCA: eigenfaces\n(red < 0 < blue)"}
face_cmaps = {"NMF": "gray_r", "VQ": "gray", "PCA": "RdBu"}
for ax, method in zip(axes, FACE_METHODS):
    show_montage(ax, faces_basis[method], FACE_SHAPE, n_columns=7, signed=(method == "PCA"),
                 cmap=face_cmaps[method])
    ax.set_title(face_titles[method])
fig.suptitle(f"Lee and Seung's Figure 1: the R = {R_FACES} basis images of each method, as 7 x 7 montages",
             fontsize=14)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# What comes out as parts, and what does not. Most of NMF's 49 basis images are small, localized
# pieces on a white (zero) background: several mouths and lips (dark horizontal bars low in the
# middle), single eyes, a pair of eyes, eyebrows, and the nose (its tip and the shading beside it).
# Not all of them are facial features: some are strips along the left, right or top edge of the
# square (the outline of the face against its background: hair, cheek, jaw), and a few are broader
# blends of several features or of shading, not clean parts. Next to the paper's figure our parts
# are a little blurrier and a few are not localized at all, but the picture is the same. VQ's
# prototypes are whole faces, each the blurred average of one cluster, differing mainly in
# lighting, pose and facial hair. PCA's eigenfaces are whole too: the first ones are shading
# patterns over the whole face (one side against the other, the face against its background),
# the later ones speckled contrasts over the whole square, and about half of every eigenface is
# red (negative).
#
# Below, one face rebuilt by each method, with its 49 weights laid out as the montages are (the
# weight in row 2, column 3 belongs to the basis image in row 2, column 3 above).

# %%
face = 0                                              # the first face; try others
fig, axes = plt.subplots(2, 4, figsize=(9.6, 5.4), layout="constrained")
axes[0, 0].imshow(V_faces[:, face].reshape(FACE_SHAPE), cmap="gray", vmin=0, vmax=1)
axes[0, 0].set_title("original")
for col, method in enumerate(FACE_METHODS, start=1):
    rebuilt = np.clip(faces_recon[method][:, face], 0, 1)
    axes[0, col].imshow(rebuilt.reshape(FACE_SHAPE), cmap="gray", vmin=0, vmax=1)
    error = relative_error(V_faces[:, [face]], faces_recon[method][:, [face]])
    axes[0, col].set_title(f"{method}: error {error:.2f}")
    h = faces_weights[method][:, face].reshape(7, 7)
    top = np.abs(h).max()
    if method == "PCA":
        axes[1, col].imshow(h, cmap="RdBu", vmin=-top, vmax=top)
    else:
        axes[1, col].imshow(h, cmap="gray_r", vmin=0, vmax=top)
    axes[1, col].set_title(f"{method} weights\n(7 x 7, as the montage)", fontsize=12)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[1, 0].axis("off")
fig.suptitle(f"Face {face} rebuilt by each method (top) from its 49 weights (bottom)", fontsize=14)
plt.show()

# %%
summary_faces = describe(V_faces, faces_basis, faces_weights, faces_recon)
print_table(summary_faces)


# %% [markdown] slideshow={"slide_type": "subslide"}
# The numbers say what the montages show, for the basis images. 89 % of the pixels of NMF's
# basis images are near zero (below 5 % of the image's largest value), against 10 % for VQ's
# prototypes and 14 % for PCA's eigenfaces, half of whose pixels are negative; Hoyer's
# sparseness of the basis images is 0.79 for NMF against 0.23 for PCA (0.20 for VQ).
#
# For the encodings, the weights of each face, the difference is much smaller. Lee and Seung
# describe NMF's encodings as sparse too; measured here, a face uses 28.5 of the 49 parts on
# average (weight at least 5 % of its largest), against 36.6 of PCA's eigenfaces, and Hoyer's
# sparseness of the columns of $H$ is 0.45 for NMF against 0.39 for PCA. So on these faces NMF's
# *parts* are far sparser than PCA's eigenfaces, but its *encodings* only a little sparser than
# PCA's: a face is built from more than half of the parts, each contributing a little. (VQ's
# encodings, a single 1, are as sparse as can be, and its prototypes are whole faces.)
#
# In squared error PCA rebuilds the faces best (relative error 0.18), NMF comes next (0.23: it
# maximises the Poisson likelihood, not the squared error), VQ last (0.37). For face 0 above the
# three errors (in the figure's titles) are about 0.34 (NMF), 0.44 (VQ) and 0.29 (PCA): all three rebuilds are blurred, VQ's
# most, since it is one cluster's average face.

# %% [markdown] slideshow={"slide_type": "fragment"}
# What would a shorter fit have shown? Here is the same NMF stopped after 200 steps (a few
# seconds), next to the converged fit:

# %%
early = nh.nmf(V_faces, R_FACES, seed=SEED, max_iter=200, dtype=np.float32)   # stopped early on purpose
compared = describe(V_faces, {"200 steps": early.W, "converged": W_faces},
                    {"200 steps": early.H, "converged": H_faces},
                    {"200 steps": early.W @ early.H, "converged": faces_recon["NMF"]})
print_table(compared, width=10)
trace = early.deviance_trace
print(f"deviance: about {round(early.deviance, -1):,.0f} after 200 steps (still falling: by about "
      f"{round(trace[-2] - trace[-1], -2):,.0f} in its last {early.check_every} steps), "
      f"{deviance_faces:,.0f} converged")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Running to convergence lowered the deviance by about 3,000 and moved the two kinds of
# sparseness in opposite directions: the parts became sparser (near-zero pixels 85 % to 89 %,
# Hoyer's sparseness of $W$ 0.74 to 0.79), the encodings less sparse (a face uses 24.4 parts
# after 200 steps, 28.5 at convergence; Hoyer's sparseness of $H$ 0.50 to 0.45). A fit stopped
# early would have made NMF's encodings look sparser, and its parts less sparse, than the
# converged fit says they are. The parts themselves were already recognisable after 200 steps:
# what changes is how sharply they are cut out, and how many of them a face draws on.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Exercise: the best any rank-$R$ product can do
#
# NMF's $W H$ (pixels x $R$ times $R$ x images) is a matrix of rank at most $R$, and so is VQ's.
# Among *all* matrices of rank at most $k$, the one closest to $V$ in squared error is the
# **truncated SVD**: write $V = U \Sigma Q^T$ (singular values in $\Sigma$, largest first) and keep
# the first $k$ terms, $V_k = U_k \Sigma_k Q_k^T$ (the Eckart-Young theorem). No NMF can beat it in
# squared error; non-negativity can only cost. (PCA is the truncated SVD of the *centred* data,
# plus the mean image: it spends one extra direction on the mean, so it is never worse than
# $V_k$ at the same $k$.)
#
# Write `my_svd_reconstruct(V, k)` that returns $V_k$, the same shape as $V$. `np.linalg.svd(V,
# full_matrices=False)` returns `U, s, Qt` with `s` sorted largest first; do not centre $V$.

# %% nbgrader={"grade": false, "grade_id": "09_parts_vs_wholes-my_svd_reconstruct", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_svd_reconstruct(V, k):
    """The rank-k truncated SVD of V (not centred): U_k diag(s_k) Q_k^T, the same shape as V."""
    ### BEGIN SOLUTION
    U, s, Qt = np.linalg.svd(V, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Qt[:k]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "09_parts_vs_wholes-my_svd_reconstruct-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_svd_reconstruct(my_svd_reconstruct)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Here is the comparison on the faces at $R = 49$ (computed with NumPy's SVD directly, so it runs
# whether or not your function is finished):

# %%
U_faces, s_faces, Qt_faces = np.linalg.svd(V_faces, full_matrices=False)
best_49 = (U_faces[:, :R_FACES] * s_faces[:R_FACES]) @ Qt_faces[:R_FACES]
errors_faces = {"truncated SVD (rank 49)": relative_error(V_faces, best_49),
                "PCA (mean + 49)": summary_faces["PCA"]["rel. error"],
                "NMF (rank 49)": summary_faces["NMF"]["rel. error"],
                "VQ (49 prototypes)": summary_faces["VQ"]["rel. error"]}
for name, error in errors_faces.items():
    print(f"{name:24} relative error {error:.3f}")
assert errors_faces["truncated SVD (rank 49)"] <= errors_faces["NMF (rank 49)"]

# %% [markdown] slideshow={"slide_type": "subslide"}
# The truncated SVD of rank 49 reaches a relative error of 0.181; NMF's rank-49 product, at 0.233,
# cannot do better, and that gap is what its non-negative, readable parts cost in squared error
# (NMF also minimises a different loss, the Poisson deviance). PCA's 0.180 is a hair below the
# truncated SVD because its mean image is a 50th direction. VQ, one prototype per face, is far
# behind.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - VQ, PCA and NMF all factorise $V \approx WH$. VQ allows one prototype per image, PCA
#   allows any signs with orthonormal basis images, NMF allows only additions of non-negative
#   parts.
# - On the digits, NMF's basis images are sparse strokes (most pixels near zero, none
#   negative), PCA's are global contrasts (about half their pixels negative), VQ's are whole
#   average digits. PCA has the lowest squared reconstruction error (it is optimal for that
#   measure), NMF is in between, VQ is last.
# - Negative loadings are hard to read: a negative weight could mean missing information,
#   indifference or repulsion, and a signed eigen-image is not a thing you can point at.
#   Non-negativity removes the signs, not the missing information: predicting missing
#   entries needs a mask of the observed ones, and entries no observation informs stay
#   undetermined.
# - On stick figures built from 13 parts (after Donoho and Stodden's swimmer), NMF recovers
#   all of them (cosine similarity printed above), PCA and VQ do not.
# - On Lee and Seung's 2,429 faces at $R = 49$ (their Figure 1), most of NMF's basis images are
#   localized pieces (mouths, eyes, brows, the nose, and strips along the face's outline), 89 % of
#   their pixels near zero (Hoyer's sparseness 0.79, against 0.23 for PCA's eigenfaces); VQ's are
#   whole blurred faces and PCA's whole-face eigenfaces and speckled contrasts (10 % and 14 % near
#   zero). NMF's encodings are only a little sparser than PCA's (Hoyer 0.45 against 0.39; a face
#   uses 28.5 of the 49 parts on average). Read sparseness from a converged fit: stopped after 200 steps,
#   the same fit has sparser encodings (0.50) and less sparse parts (0.74).
# - No rank-$R$ product beats the truncated SVD in squared error (Eckart-Young): NMF's parts
#   cost a little reconstruction accuracy.
#
# Next, notebook 10 puts the squared-error and Poisson (KL) objectives side by side, works the
# lecture's small examples and compares our fits with scikit-learn's.
#
# [← previous](08_calcium_imaging.ipynb) | [course map](../README.md#notebook-map) | [next →](10_objectives_ratings_words.ipynb)
