# %% [markdown] slideshow={"slide_type": "slide"}
# [course map](../README.md#notebook-map) | [next →](02_update_rules_loops.ipynb)
#
# # 01 · Simulating counts
#
# Before we try to *find* gene modules in a table of counts, we build a table in which we
# know the answer. If our method later recovers the modules we planted, we can trust it on
# data where nobody knows the answer.
#
# **What you will learn**
# - what non-negative matrix factorization (NMF) is, and why non-negativity makes the factors readable as *parts*;
# - NMF as lossy compression, and why it needs signals that add up (shifting signed data is no fix);
# - the generative model of the homework: gene modules W, module activities H, and counts V ~ Poisson(W H);
# - how the Dirichlet's parameter alpha controls how sparse a sample's mix of modules is;
# - what Poisson noise does to counts (the variance equals the mean, so large counts are relatively precise);
# - how to write the simulation yourself, and how `nh.simulate` does it.
#
# **What you need first**: Python and NumPy basics (arrays, `@`, `.sum(axis=...)`), and the idea of a random draw.

# %% tags=["parameters"]
import inspect
import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib import transforms
import numpy as np
from IPython.display import display

import nmf_helpers as nh
from nmf_course import plots, selfchecks

plots.use_course_style()   # 13 pt text, 100 dpi, no axis offsets
SEED = 2019
OKABE_ORANGE = "#E69F00"   # Okabe-Ito orange: marks moonlighting genes in every figure

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. What NMF is
#
# NMF writes a table of non-negative numbers V (N rows x M columns) as the product of two
# smaller non-negative tables,
#
# $$V \approx W H, \qquad W \ge 0 \; (N \times R), \qquad H \ge 0 \; (R \times M).$$
#
# Each column of V is a weighted **sum** of the R columns of W, with weights taken from the
# matching column of H. Because no entry may be negative, nothing can be subtracted: a
# column of V can only be *built up* from the columns of W, never carved out by cancelling
# one large pattern against another. That is why the columns of W tend to look like
# recognisable parts. In this course, V holds gene-expression counts (N genes x M samples),
# a column of W is a **gene module** (which genes it switches on, and how strongly), and a
# column of H says how active each module is in one sample.
#
# The tiny example below has N = 6 genes, R = 2 modules and M = 5 samples. Module 1 uses
# genes 1-3 and module 2 uses genes 4-6 (gene 3 is in both), and each sample mixes the two.

# %%
W_toy = np.array([[0.4, 0.0],
                  [0.3, 0.0],
                  [0.3, 0.2],
                  [0.0, 0.3],
                  [0.0, 0.3],
                  [0.0, 0.2]])
H_toy = np.array([[10.0, 8.0, 5.0, 2.0, 0.0],
                  [0.0, 2.0, 5.0, 8.0, 10.0]])
V_toy = W_toy @ H_toy

fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.8), gridspec_kw={"width_ratios": [1.1, 2.2, 2.2]})
plots.plot_heatmap(axes[0], W_toy, "W (genes x modules)", "module", "gene", cmap="viridis")
plots.plot_heatmap(axes[1], H_toy, "H (modules x samples)", "sample", "module", cmap="viridis")
plots.plot_heatmap(axes[2], V_toy, "V = W H (genes x samples)", "sample", "gene", cmap="viridis")
axes[0].set_xticks([0, 1], ["1", "2"])
axes[1].set_yticks([0, 1], ["1", "2"])
for ax in axes[1:]:
    ax.set_xticks(range(5), [str(k) for k in range(1, 6)])
for ax in (axes[0], axes[2]):
    ax.set_yticks(range(6), [str(k) for k in range(1, 7)])
fig.suptitle("A tiny NMF: each sample is a non-negative mix of two modules")
fig.tight_layout()
plt.show()

U, S, Vt = np.linalg.svd(V_toy, full_matrices=False)
U, Vt = U[:, :2].copy(), Vt[:2].copy()            # V_toy has rank 2: two components rebuild it
# A singular pair's sign is a convention (u -> -u, v -> -v gives the same product), and LAPACK
# libraries differ; fix both pairs so every machine prints the same counts: pair 1 as numpy
# returned it here (negative), pair 2 with its largest gene weight positive.
for k, sign in ((0, -np.sign(U[:, 0].sum())), (1, np.sign(U[np.argmax(np.abs(U[:, 1])), 1]))):
    U[:, k], Vt[k] = sign * U[:, k], sign * Vt[k]

def negatives(*arrays):
    return sum(int(np.sum(x < -1e-12)) for x in arrays)

print(f"NMF factors: {negatives(W_toy, H_toy)} negative entries")
print(f"SVD factors: {negatives(U, Vt)} negative entries; pair 1 has {negatives(U[:, 0], Vt[0])}, "
      f"pair 2 has {negatives(U[:, 1], Vt[1])}")
U[:, 0], Vt[0] = -U[:, 0], -Vt[0]                 # flip pair 1 to its non-negative direction
print(f"after flipping pair 1: pair 1 has {negatives(U[:, 0], Vt[0])}, "
      f"pair 2 still has {negatives(U[:, 1], Vt[1])} negative entries")
print(f"u1 and u2 orthogonal (u1 . u2 = 0 to 1e-12): {abs(U[:, 0] @ U[:, 1]) < 1e-12}")
assert np.allclose(U * S[:2] @ Vt, V_toy)       # the flipped pair rebuilds V just the same


# %% [markdown] slideshow={"slide_type": "subslide"}
# The singular value decomposition (SVD) of the same V also rebuilds it exactly from two
# components, V = s₁ u₁ v₁ᵀ + s₂ u₂ v₂ᵀ, but its factors mix signs. Some of those signs mean
# nothing: flipping both u₁ and v₁ gives the same product, and the first pair comes out of the
# computation all negative (11 of its 11 entries). For a non-negative matrix the first pair can always be chosen with no
# negative entries (the Perron-Frobenius direction, which is what we flip it to). The second pair
# cannot: the SVD's columns of U are orthogonal, u₁ · u₂ = 0, and since u₁ is positive on every
# gene, u₂ must be positive on some genes and negative on others to sum to zero against it. So
# the SVD's second "module" says "more of genes 4-6 and *less* of genes 1-3" (gene 3 only slightly), which has no
# biological reading. NMF's factors stay non-negative, so W's columns read directly as the two
# modules.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. NMF as lossy compression
#
# V holds N x M numbers. W and H together hold N x R + R x M = (N + M) R numbers. If W H is
# close to V, we have stored the table in fewer numbers, at the price of losing the part
# W H does not capture (for us, most of that is Poisson noise): NMF is **lossy compression**.
#
# For the homework's table, N = 100 genes and M = 60 samples, V holds 6,000 numbers. With the
# R = 4 modules we simulate, W and H hold (100 + 60) x 4 = 640 numbers, about a tenth. (The
# homework's notes count 6,000 -> 800 because they take R = 5: (100 + 60) x 5 = 800; our
# simulation has 4 modules, so 640 is the number that applies here.)
#
# A factorization only compresses when
#
# $$(N + M)\,R < N M, \qquad\text{that is}\qquad R < \frac{N M}{N + M}.$$
#
# For 100 x 60 the bound is 6,000 / 160 = 37.5, so R = 37 still compresses and R = 38 does not.
# Small R is also what makes the factors interpretable: a few parts that explain many numbers.

# %%
N_hw, M_hw = 100, 60
print(f"V: {N_hw} x {M_hw} = {N_hw * M_hw:,} numbers; compression needs R < {N_hw * M_hw / (N_hw + M_hw):.1f}")
for R_try in (4, 5, 37, 38):
    stored = (N_hw + M_hw) * R_try
    print(f"R = {R_try:>2}: W and H hold {stored:>5,} numbers, {stored / (N_hw * M_hw):6.1%} of V; "
          f"compresses: {stored < N_hw * M_hw}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: count the numbers
#
# Write `my_compression(N, M, R)` that returns a pair `(stored, compresses)`: the number of
# entries of W and H together, and whether that is strictly fewer than the N x M entries of V.

# %% nbgrader={"grade": false, "grade_id": "01_simulating_counts-my_compression", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_compression(N, M, R):
    """Return (stored, compresses): entries of W (N x R) and H (R x M), and whether stored < N * M."""
    ### BEGIN SOLUTION
    stored = N * R + R * M
    return stored, stored < N * M
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "01_simulating_counts-my_compression-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_compression(my_compression)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Parts that add up, and why shifting data is not a fix
#
# NMF assumes that the parts **add**: each sample is built up from non-negative amounts of
# non-negative parts. Reads from two active modules add; so do the discharges of several
# factories into a lake. If one ingredient can *remove* something (the lake is sometimes
# cleaned; a repressor lowers a gene's expression below its baseline), the data are no longer a
# sum of non-negative parts, and NMF has no way to express the subtraction.
#
# It is tempting to take signed data (for example, values centred on their mean, as many
# pipelines produce) and add a constant to make every entry non-negative. That gives NMF an
# input, but not the same problem: centring subtracts each row's mean and the shift adds c back,
# so the shifted table is W H + (c - row means) 1ᵀ, the true parts plus an extra constant
# "part" that no ingredient of the system produced, whose size depends on the c we picked. A
# worked example: two factories with one discharge profile each over 24 hours (one in the
# morning, one in the evening), mixed over 40 days, some days with one factory off.

# %%
hours = np.arange(24)
profiles = np.column_stack([np.exp(-0.5 * ((hours - 8) / 2.0) ** 2),     # morning factory
                            np.exp(-0.5 * ((hours - 17) / 2.5) ** 2)])   # evening factory
profiles /= profiles.sum(axis=0)                                        # columns sum to 1, like W
rng = np.random.default_rng(SEED)
days = rng.uniform(10, 100, size=(2, 40)) * (rng.random((2, 40)) < 0.7)  # some days a factory is off
V_lake = profiles @ days                                                # 24 hours x 40 days, additive
centred = V_lake - V_lake.mean(axis=1, keepdims=True)                   # signed, as after centring
shift = -centred.min()                                                  # the smallest c that makes it >= 0

tables = {"original V": V_lake, f"centred + {shift:.1f}": centred + shift,
          f"centred + {3 * shift:.1f}": centred + 3 * shift}
parts = {}
for name, table in tables.items():
    fit = nh.nmf(table, 2, n_restarts=3, seed=SEED)
    parts[name] = fit.W[:, nh.match_modules(profiles, fit.W)]

fig, axes = plt.subplots(1, 2, figsize=(9.6, 4.2), sharey=True)
styles = {"original V": ("-", 3), f"centred + {shift:.1f}": ("--", 2), f"centred + {3 * shift:.1f}": (":", 2.5)}
for a, (ax, title) in enumerate(zip(axes, ("morning factory", "evening factory"))):
    ax.fill_between(hours, profiles[:, a], color="#BBBBBB", label="true profile")
    for name, W_fit in parts.items():
        style, width = styles[name]
        ax.plot(hours, W_fit[:, a], style, linewidth=width, label=f"NMF of {name}")
    ax.set_title(title)
    ax.set_xlabel("hour of the day")
axes[0].set_ylabel("share of the discharge")
axes[1].legend(fontsize=12, loc="upper left")
fig.suptitle("NMF with R = 2 finds the parts of V, not those of a shifted table")
fig.tight_layout()
plt.show()

print("correlation of NMF's profiles with the true ones, and their share of the discharge at 0-3 am:")
print(f"  {'true profiles':<16} 1.000, 1.000;  at 0-3 am: {profiles[:4].sum(axis=0)[0]:.3f}, {profiles[:4].sum(axis=0)[1]:.3f}")
for name, W_fit in parts.items():
    r = [np.corrcoef(profiles[:, a], W_fit[:, a])[0, 1] for a in range(2)]
    night = W_fit[:4].sum(axis=0)
    print(f"  {name:<16} {r[0]:.3f}, {r[1]:.3f};  at 0-3 am: {night[0]:.3f}, {night[1]:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# On the original table NMF finds both profiles (correlation 1.000) and, like the true ones,
# they put about 1 % or less of the discharge between 0 and 3 am. On the shifted tables every profile gets a floor that no
# factory discharges (more than a tenth of each profile falls between 0 and 3 am), the evening
# profile correlates only about 0.75 with the truth, and the answer changes with the shift c we
# chose. Shifting made the numbers
# non-negative; it did not make the signal a sum of non-negative parts. Ask first whether the
# ingredients of your data add up; only then is NMF the right tool.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The generative model of gene modules
#
# We simulate N genes in M samples, with R modules.
#
# - **W** (N x R): gene i's weight in module a. Each gene belongs to **one** module, so each
#   row of W has one non-zero entry; a few **moonlighting** genes belong to two modules and
#   have two non-zero entries. Each **column sums to 1**, so a column is the module's
#   expression profile: the share of the module's reads that go to each gene.
# - **H** (R x M): how many reads each module contributes to each sample. A column of H is a
#   Dirichlet draw (R non-negative proportions that sum to 1) times the sample's total count,
#   its sequencing **depth**.
# - **V** (N x M): the counts we observe, drawn independently as
#   $V_{i\mu} \sim \mathrm{Poisson}\big((WH)_{i\mu}\big)$ with $(WH)_{i\mu} = \sum_a W_{ia} H_{a\mu}$.
#
# Because W's columns sum to 1, the expected total of sample μ is
# $\sum_i (WH)_{i\mu} = \sum_a H_{a\mu} \sum_i W_{ia} = \sum_a H_{a\mu}$, the depth we chose.
# The next two sections look at the two random ingredients, the Dirichlet and the Poisson.
#
# ## 5. The Dirichlet: how alpha controls sparsity
#
# `rng.dirichlet(alpha * np.ones(n))` returns n non-negative numbers that sum to 1. With a
# large alpha they are all close to 1/n; with a small alpha most are almost 0 and a few take
# nearly everything. Here are 100-long draws for four values of alpha.

# %%
rng = np.random.default_rng(SEED)
alphas = [10, 1, 0.5, 0.1]
n = 100
draws = {alpha: rng.dirichlet(np.full(n, float(alpha))) for alpha in alphas}

fig, axes = plt.subplots(2, 2, figsize=(9.6, 6.2), sharex=True)
for ax, alpha in zip(axes.ravel(), alphas):
    ax.hist(draws[alpha], bins=np.linspace(0, 0.22, 45), color="#0072B2")
    ax.set_title(f"alpha = {alpha}")
    ax.set_ylabel("entries (of 100)")
for ax in axes[1]:
    ax.set_xlabel("entry of the draw")
fig.suptitle("Dirichlet draws of length 100: smaller alpha, sparser draw")
fig.tight_layout()
plt.show()

print(f"{'alpha':>6} {'largest entry':>14} {'entries < 0.001':>16} {'entries holding 90% of the sum':>31}")
for alpha, x in draws.items():
    top = np.sort(x)[::-1]
    n90 = int(np.searchsorted(np.cumsum(top), 0.9) + 1)
    print(f"{alpha:>6} {top[0]:>14.3f} {np.sum(x < 1e-3):>16d} {n90:>31d}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# With alpha = 10 every entry sits near 1/100 = 0.01; with alpha = 0.1 most entries are
# essentially zero and 15 of the 100 entries hold 90 % of the total.
#
# In the simulation the Dirichlet gives each **sample's mix of modules** (a column of H,
# before scaling by the depth). Small alpha means each sample is dominated by one or two
# modules; large alpha means every sample uses all modules about equally, which makes the
# modules harder to tell apart. Drag the slider (a logarithmic scale from 0.01 to 100) to see
# both pictures change.

# %% @deathbeds/jupyterlab-fonts={"styles": {"": {"body[data-jp-deck-mode='presenting'] &": {"& .jp-Cell-inputWrapper": {"display": "none"}}}}} slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
def show_dirichlet(alpha, n_modules=4, n_samples=20, seed=SEED):
    """Draw one 100-long Dirichlet vector and a 4-module mix for 20 samples; plot both."""
    rng = np.random.default_rng(seed)
    x = rng.dirichlet(np.full(100, alpha))
    mix = rng.dirichlet(np.full(n_modules, alpha), size=n_samples).T  # modules x samples
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 4))
    ax1.hist(x, bins=20, color="#0072B2")
    ax1.set_title(f"One draw, alpha = {alpha:.3g}")
    ax1.set_xlabel("entry of the draw")
    ax1.set_ylabel("number of entries")
    bottom = np.zeros(n_samples)
    colours = plt.get_cmap("tab10").colors
    for a in range(n_modules):
        ax2.bar(np.arange(1, n_samples + 1), mix[a], bottom=bottom, color=colours[a], label=f"module {a + 1}")
        bottom += mix[a]
    ax2.set_title("Module mix of 20 samples")
    ax2.set_xlabel("sample")
    ax2.set_xticks([1, 5, 10, 15, 20])
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("share of the sample's reads")
    ax2.legend(loc="center left", bbox_to_anchor=(1, 0.5), fontsize=12)
    fig.tight_layout()
    plt.show()

alpha_slider = widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.1, description="alpha",
                                      continuous_update=False, style={"description_width": "initial"})
display(widgets.VBox([alpha_slider, widgets.interactive_output(show_dirichlet, {"alpha": alpha_slider})]))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Poisson noise
#
# A Poisson count with mean λ has variance λ too, so its standard deviation is $\sqrt{\lambda}$
# and its **relative** noise (standard deviation / mean) is $1/\sqrt{\lambda}$. A gene expected
# to get 4 reads is very noisy (50 %); a gene expected to get 10,000 reads is measured to
# about 1 %. The table draws 20,000 counts for each mean and checks this.

# %%
rng = np.random.default_rng(SEED)
means = [1, 4, 10, 100, 1_000, 10_000, 100_000]
rows = []
print(f"{'mean λ':>8} {'sample mean':>12} {'sample variance':>16} {'sd / mean':>10} {'1 / sqrt(λ)':>12}")
for lam in means:
    counts = rng.poisson(lam, size=20_000)
    m, v = counts.mean(), counts.var()
    rows.append((lam, m, v, np.sqrt(v) / m))
    print(f"{lam:>8,} {m:>12,.2f} {v:>16,.2f} {np.sqrt(v) / m:>10.4f} {1 / np.sqrt(lam):>12.4f}")
rows = np.array(rows)

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.loglog(rows[:, 0], rows[:, 3], "o", color="#0072B2", markersize=8, label="measured sd / mean")
grid = np.logspace(0, 5, 100)
ax.loglog(grid, 1 / np.sqrt(grid), color="#D55E00", label="1 / sqrt(λ)")
ax.set_xlabel("expected count λ")
ax.set_ylabel("relative noise (sd / mean)")
ax.set_title("Poisson noise shrinks, relative to the count, as the count grows")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# The sample variance tracks the mean at every scale, and the relative noise follows
# $1/\sqrt{\lambda}$. So in a simulated V, the deeper a sample is sequenced, the more
# closely its counts follow W H.
#
# ## 7. One simulated data set
#
# `nh.simulate` draws W, H and V from the model above (defaults: 100 genes, 60 samples,
# 4 modules, 3 moonlighting genes, depth between 90,000 and 110,000 reads per sample,
# alpha = 1). In the heatmaps the genes are sorted by module so the modules show up as
# blocks; the moonlighting genes are marked in orange. V is drawn as log10(reads + 1), as in
# notebook 06, so that small counts and large ones both show.

# %%
sim = nh.simulate(seed=SEED)
N, M = sim.V.shape
R = sim.W.shape[1]
print(f"V: {N} genes x {M} samples;  W: {sim.W.shape};  H: {sim.H.shape}")
print(f"column sums of W: {np.round(sim.W.sum(axis=0), 6).tolist()}")
print(f"genes per module (moonlighters counted twice): {sim.modules.sum(axis=0).tolist()}")
print(f"sample totals of V: {sim.V.sum(axis=0).min():,} to {sim.V.sum(axis=0).max():,} reads")
for i in sim.moonlighters:
    print(f"moonlighter {sim.gene_names[i]} is in modules {(np.flatnonzero(sim.modules[i]) + 1).tolist()}")


# %%
def gene_order(modules):
    """Sort genes by their first module, then moonlighters last within it."""
    first = modules.argmax(axis=1)
    return np.lexsort((modules.sum(axis=1), first))

def mark_moonlighters(ax, rows, n_columns):
    """Put an orange triangle just right of the heatmap at each given row; a triangle
    within 3 rows of the one above it moves one place to the right, so neighbours stay two markers."""
    rows = np.sort(np.asarray(rows))
    place = np.zeros(len(rows), dtype=int)
    for k in range(1, len(rows)):
        place[k] = (place[k - 1] + 1) % 3 if rows[k] - rows[k - 1] < 3 else 0
    for p in range(3):
        beside = transforms.offset_copy(ax.get_yaxis_transform(), fig=ax.figure, x=6 + 11 * p, units="points")
        ax.scatter(np.ones(np.sum(place == p)), rows[place == p], marker="<", s=60, transform=beside,
                   color=OKABE_ORANGE, edgecolor="black", clip_on=False, zorder=3)
    ax.set_xlim(-0.5, n_columns - 0.5)

order = gene_order(sim.modules)
moon_rows = np.flatnonzero(np.isin(order, sim.moonlighters))

fig, axes = plt.subplots(1, 3, figsize=(9.6, 6), gridspec_kw={"width_ratios": [1.4, 2.2, 2.2]})
image = axes[0].imshow(sim.W[order], aspect="auto", interpolation="nearest")
axes[0].set(title="W", xlabel="module", ylabel="gene (sorted by module)")
fig.colorbar(image, ax=axes[0], pad=0.3).set_label("weight")      # room for the triangles
axes[0].set_xticks(range(R), [str(a + 1) for a in range(R)])
plots.plot_heatmap(axes[1], sim.H, "H", "sample", "module",
                colorbar_label="expected reads")
axes[1].set_yticks(range(R), [str(a + 1) for a in range(R)])
image = axes[2].imshow(np.log10(sim.V[order] + 1), aspect="auto", interpolation="nearest")
axes[2].set(title="V ~ Poisson(W H)", xlabel="sample", ylabel="gene (sorted by module)")
fig.colorbar(image, ax=axes[2], pad=0.2).set_label("log10(reads + 1)")
for ax, width in ((axes[0], R), (axes[2], M)):
    mark_moonlighters(ax, moon_rows, width)
fig.suptitle("The simulated data (orange triangles: moonlighting genes)")
fig.tight_layout()
plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# Each moonlighting gene has two coloured cells in its row of W, and its row of V follows
# two modules' activity instead of one. The blocks of V are what NMF will have to find
# without being told the gene order.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Vary the simulation
#
# Change the number of modules R, the number of moonlighting genes and the sequencing depth
# (reads per sample, on a log scale) and watch V. At low depth the Poisson noise hides the
# blocks; at high depth V looks like W H. The seed stays fixed, so only what you change changes.

# %% @deathbeds/jupyterlab-fonts={"styles": {"": {"body[data-jp-deck-mode='presenting'] &": {"& .jp-Cell-inputWrapper": {"display": "none"}}}}} slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
def show_simulation(n_modules=4, n_moonlighters=3, depth=100_000, seed=SEED):
    """Simulate with the given settings and draw V (genes sorted by module, moonlighters marked)."""
    s = nh.simulate(n_modules=n_modules, n_moonlighters=n_moonlighters,
                    depth=(0.9 * depth, 1.1 * depth), seed=seed)
    order = gene_order(s.modules)
    fig, ax = plt.subplots(figsize=(9.6, 5.5))
    image = ax.imshow(np.log10(s.V[order] + 1), aspect="auto", interpolation="nearest")
    ax.set(title=f"V: R = {n_modules}, {n_moonlighters} moonlighters, depth ≈ {depth:,.0f}",
           xlabel="sample", ylabel="gene (sorted by module)")
    fig.colorbar(image, ax=ax, pad=0.08).set_label("log10(reads + 1)")   # room for the triangles
    mark_moonlighters(ax, np.flatnonzero(np.isin(order, s.moonlighters)), s.V.shape[1])
    fig.tight_layout()
    plt.show()

controls = {
    "n_modules": widgets.IntSlider(value=4, min=2, max=8, description="R", continuous_update=False,
                                   style={"description_width": "initial"}),
    "n_moonlighters": widgets.IntSlider(value=3, min=0, max=15, description="moonlighters",
                                        continuous_update=False, style={"description_width": "initial"}),
    "depth": widgets.FloatLogSlider(value=100_000, base=10, min=2, max=6, step=0.25, description="depth",
                                    continuous_update=False, style={"description_width": "initial"}),
}
display(widgets.VBox([*controls.values(), widgets.interactive_output(show_simulation, controls)]))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Exercise 2: write the simulation yourself
#
# Write `my_simulation(N, M, R, n_moonlighters, rng, alpha=1.0, depth=(90_000, 110_000))`
# returning `(W, H, V)`:
#
# 1. give every gene one home module, so that every module gets at least one gene
#    (for example `rng.permutation(np.arange(N) % R)`);
# 2. pick `n_moonlighters` different genes and give each a second module, different from its home;
# 3. fill W's non-zero entries with positive weights (e.g. `rng.uniform(0.5, 1.5)`) and divide
#    each column by its sum;
# 4. draw each column of H from a Dirichlet with parameter `alpha` and multiply it by a depth
#    drawn between `depth[0]` and `depth[1]`;
# 5. draw V with `rng.poisson(W @ H)`.
#
# Use only the `rng` you are given (never `np.random.seed`), so the same seed gives the same data.

# %% nbgrader={"grade": false, "grade_id": "01_simulating_counts-my_simulation", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_simulation(N, M, R, n_moonlighters, rng, alpha=1.0, depth=(90_000, 110_000)):
    """Return (W, H, V): W N x R (columns sum to 1), H R x M (Dirichlet x depth), V ~ Poisson(W H)."""
    ### BEGIN SOLUTION
    home = rng.permutation(np.arange(N) % R)          # every module gets at least one gene
    member = np.zeros((N, R), dtype=bool)
    member[np.arange(N), home] = True
    for i in rng.choice(N, size=n_moonlighters, replace=False):
        second = rng.choice([a for a in range(R) if a != home[i]])
        member[i, second] = True
    W = np.where(member, rng.uniform(0.5, 1.5, size=(N, R)), 0.0)
    W = W / W.sum(axis=0)
    H = rng.dirichlet(np.full(R, alpha), size=M).T * rng.uniform(depth[0], depth[1], size=M)
    V = rng.poisson(W @ H)
    ### END SOLUTION
    return W, H, V


# %% nbgrader={"grade": true, "grade_id": "01_simulating_counts-my_simulation-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_simulator(my_simulation)   # runs my_simulation(100, 60, 4, 3, rng) and checks the (W, H, V) it returns

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. How `nh.simulate` does it
#
# The helper module's `simulate` follows the same five steps, with input checks first and a
# few extras: module sizes as even as possible, gene names, and the true membership
# (`modules`) and moonlighter indices kept so we can score a fit later. Here is its source:

# %% tags=["reference-solution"]
print(inspect.getsource(nh.simulate))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Your function and `nh.simulate` draw their random numbers in a different order, so the
# same seed does not give the same numbers, but the model is the same: both pass the same check.

# %%
selfchecks.check_simulation(sim.V, sim.W, sim.H, n_moonlighters=3)

# %% [markdown] slideshow={"slide_type": "slide"}
# From here on the course uses `nh.simulate` (so the notebooks run even if your exercise is
# unfinished).
#
# ## Summary
#
# - NMF writes V ≈ W H with W, H ≥ 0; since nothing can be subtracted, W's columns read as parts.
#   The SVD's first pair can be made non-negative, but its later pairs must mix signs.
# - NMF is lossy compression: (N + M) R numbers instead of N M (640 instead of 6,000 for
#   100 x 60 with R = 4); it compresses only while R < N M / (N + M).
# - NMF needs parts that add up; shifting signed data to make it non-negative adds a fake
#   constant part and changes the answer.
# - Our model: W's rows have one non-zero entry (two for moonlighting genes), its columns sum to 1;
#   H's columns are Dirichlet mixes scaled by the depth; V ~ Poisson(W H).
# - The Dirichlet's alpha sets sparsity: small alpha, each sample dominated by few modules.
# - Poisson noise has variance equal to its mean; relative noise falls as $1/\sqrt{\lambda}$.
# - `nh.simulate` implements the model and keeps the truth (`modules`, `moonlighters`) for later.
#
# **Homework questions this notebook answers**
# - Problem 1: generate known W and H (one non-zero per row of W, two for moonlighting
#   genes, columns summing to one; Dirichlet columns for H) and a noisy V = Poisson(W H).
#
# Next: fit W and H back from V with the multiplicative update rules, written with loops.
#
# [course map](../README.md#notebook-map) | [next →](02_update_rules_loops.ipynb)
