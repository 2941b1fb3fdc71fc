# %% [markdown] slideshow={"slide_type": "slide"}
# [← previous](02_update_rules_loops.ipynb) | [course map](../README.md#notebook-map) | [next →](04_choosing_R.ipynb)
#
# # 03 · Update rules with broadcasting
#
# The loops of notebook 02 spell out every index, but Python runs them one number at a time.
# NumPy can do the same arithmetic on whole arrays at once, in compiled code. This notebook
# rewrites the update step twice: with **broadcasting** ("project into 3-D, multiply, sum over
# the shared axis") and in **matrix form** (`@`), proves that all three versions agree, and
# measures what the speed-up costs in memory.
#
# **What you will learn**
# - NumPy broadcasting from the ground up: shapes, `np.newaxis`, and the rules;
# - how a sum over a shared index, such as $\sum_\mu Q_{i\mu} H_{a\mu}$, becomes "lift into 3-D, multiply, sum";
# - the same sums as matrix products, $Q H^T$ and $W^T Q$;
# - how much faster broadcasting and matrix form are than loops, and when the 3-D intermediate stops fitting in memory
#   (you will predict its size yourself).
#
# **What you need first**: [02 · Update rules with loops](02_update_rules_loops.ipynb) (the update
# step (a), (b), (c) and Q = V / (W H)), and NumPy's `.shape` and `.sum(axis=...)`.

# %% tags=["parameters"]
import inspect
import time

import matplotlib.pyplot as plt
import numpy as np

import nmf_helpers as nh
from nmf_course import plots, selfchecks

plots.use_course_style()   # 13 pt text, 100 dpi, no axis offsets
SEED = 2019

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Broadcasting from the ground up
#
# Elementwise arithmetic (`+`, `*`, `/`, ...) on two arrays of the **same** shape pairs up
# their entries one by one. Broadcasting is what NumPy does when the shapes differ: it stretches
# axes of length 1 so the shapes match, *as if* the array had been copied along them (no copy is
# actually made). Start with two 1-D arrays of different lengths:

# %%
A = np.array([0, 10, 20, 30])
B = np.array([0, 1, 2])
print("A:", A, "shape", A.shape)
print("B:", B, "shape", B.shape)
try:
    A + B
except ValueError as error:
    print("A + B fails:", error)

# %% [markdown] slideshow={"slide_type": "subslide"}
# NumPy cannot pair 4 numbers with 3. But if A becomes a **column** (shape (4, 1)) and B stays a
# row (shape (3,), treated as (1, 3)), both can be stretched to (4, 3): each entry of the result
# is one entry of A plus one entry of B, an addition table. `np.newaxis` inserts an axis of
# length 1 where you put it (it is another name for `None`):

# %%
A_column = A[:, np.newaxis]
print("A[:, np.newaxis] has shape", A_column.shape, "  (np.newaxis is None:", np.newaxis is None, ")")
print("B[np.newaxis, :] has shape", B[np.newaxis, :].shape)
table = A_column + B
print("A[:, np.newaxis] + B, shape", table.shape)
print(table)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The rules
#
# To combine two arrays, NumPy compares their shapes **from the right**, axis by axis:
#
# 1. if one array has fewer axes, it is padded with axes of length 1 **on the left**;
# 2. two lengths are compatible if they are equal, or if one of them is 1 (that one is stretched);
# 3. otherwise the operation fails with "operands could not be broadcast together".
#
# The result has, on every axis, the larger of the two lengths. `np.broadcast_shapes` applies the
# rules without doing any arithmetic:

# %%
examples = [((4, 1), (3,)), ((5, 3), (3,)), ((5, 3), (5,)), ((5, 3), (5, 1)),
            ((4, 1, 5), (1, 3, 5)), ((4, 3, 1), (4, 1, 5)), ((4, 3, 5), (3, 4))]
print(f"{'shape 1':>10} {'shape 2':>10}   result")
for first, second in examples:
    try:
        result = str(np.broadcast_shapes(first, second))
    except ValueError:
        result = "error: incompatible"
    print(f"{str(first):>10} {str(second):>10}   {result}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Row (5, 3) with (3,) works (each row gets the same 3 numbers), but (5, 3) with (5,) does not:
# (5,) is padded to (1, 5) on the left, and 3 vs 5 do not match. That is exactly why normalising
# columns is easy and normalising rows needs a `np.newaxis` (or `keepdims=True`):

# %%
X = np.arange(1.0, 16.0).reshape(5, 3)
columns_normalised = X / X.sum(axis=0)                    # (5, 3) / (3,)   -> fine
rows_normalised = X / X.sum(axis=1)[:, np.newaxis]        # (5, 3) / (5, 1) -> fine
same = np.array_equal(rows_normalised, X / X.sum(axis=1, keepdims=True))
print("column sums after dividing by column sums:", np.round(columns_normalised.sum(axis=0), 12).tolist())
print("row sums after dividing by row sums:      ", np.round(rows_normalised.sum(axis=1), 12).tolist())
print("[:, np.newaxis] and keepdims=True give the same:", same)
try:
    X / X.sum(axis=1)
except ValueError as error:
    print("X / X.sum(axis=1) fails:", error)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. A sum over a shared index is a 3-D product, summed
#
# The W update needs, for every gene i and module a, the sum $\sum_\mu Q_{i\mu} H_{a\mu}$. Three
# indices appear: i, a and μ. Give each its own axis of a 3-D array, in the order (i, a, μ):
#
# - Q has indices (i, μ): it becomes `Q[:, np.newaxis, :]`, shape (N, 1, M), stretched along a;
# - H has indices (a, μ): it becomes `H[np.newaxis, :, :]`, shape (1, R, M), stretched along i;
# - their product has shape (N, R, M), and entry [i, a, μ] is $Q_{i\mu} H_{a\mu}$;
# - summing over the shared axis μ (`axis=2`) leaves the (N, R) array we need.
#
# In the picture (N = 4 genes, R = 3 modules, M = 5 samples), solid blocks are the numbers stored
# in memory and pale blocks the copies that broadcasting pretends are there. The product, though,
# is a real N x R x M array.

# %%
def draw_3d_projection(N=4, R=3, M=5):
    """Draw Q (N x M) and H (R x M) lifted into N x R x M, multiplied, and summed over mu.

    Voxel grids are indexed [mu, a, i]: x is the sample axis, y the module axis and
    z the gene axis. Solid blocks are stored numbers; pale blocks are broadcast copies.
    """
    def panel(position, title, solid, colour, pale=None):
        ax = fig.add_subplot(2, 2, position, projection="3d")
        filled = solid if pale is None else solid | pale
        colours = np.full(filled.shape, colour + "E0", dtype=object)   # opaque: stored numbers
        if pale is not None:
            colours[pale] = colour + "30"                                 # see-through: broadcast copies
        ax.voxels(filled, facecolors=colours, edgecolor="#00000060", linewidth=0.5)
        ax.set_xlim(0, M)
        ax.set_ylim(0, R)
        ax.set_zlim(0, N)
        ax.set_box_aspect((M, R, N))
        ax.set_xlabel("μ (sample)", labelpad=-8)
        ax.set_ylabel("a (module)", labelpad=-8)
        ax.set_zlabel("i (gene)", labelpad=-10)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_pane_color((1, 1, 1, 0))
            axis.set_ticks([])
        ax.set_title(title, pad=0)
        ax.view_init(elev=22, azim=-60)

    fig = plt.figure(figsize=(9.6, 6.5))
    everything = np.ones((M, R, N), dtype=bool)
    q_slab = np.zeros((M, R, N), dtype=bool)
    q_slab[:, 0, :] = True                      # Q: one layer along the module axis
    h_slab = np.zeros((M, R, N), dtype=bool)
    h_slab[:, :, N - 1] = True                  # H: one layer along the gene axis (drawn on top)
    summed = np.zeros((M, R, N), dtype=bool)
    summed[0, :, :] = True                      # the sum over mu leaves one layer along the sample axis
    panel(1, "Q[:, np.newaxis, :]\nshape (N, 1, M), stretched along a", q_slab, "#0072B2", everything & ~q_slab)
    panel(2, "H[np.newaxis, :, :]\nshape (1, R, M), stretched along i", h_slab, "#E69F00", everything & ~h_slab)
    panel(3, "product Q[i, μ] · H[a, μ]\nshape (N, R, M)", everything, "#009E73")
    panel(4, ".sum(axis=2): sum over μ\nshape (N, R)", summed, "#CC79A7")
    fig.suptitle("Σ_μ Q[i, μ] H[a, μ]: lift both into 3-D, multiply, sum over μ", y=0.99)
    fig.subplots_adjust(left=0.0, right=0.97, top=0.86, bottom=0.0, wspace=0.15, hspace=0.4)
    for x, y, sign in ((0.5, 0.68, "×"), (0.03, 0.22, "="), (0.5, 0.22, "→")):
        fig.text(x, y, sign, fontsize=28, ha="center", va="center")
    return fig

fig = draw_3d_projection()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# In code, on a small random example, checked against an explicit loop for one entry:

# %%
rng = np.random.default_rng(SEED)
N, R, M = 4, 3, 5
Q = rng.uniform(0, 2, size=(N, M))
H = rng.uniform(0, 10, size=(R, M))
lifted_Q = Q[:, np.newaxis, :]
lifted_H = H[np.newaxis, :, :]
product = lifted_Q * lifted_H
summed = product.sum(axis=2)
for name, array in (("Q[:, np.newaxis, :]", lifted_Q), ("H[np.newaxis, :, :]", lifted_H),
                    ("product", product), ("product.sum(axis=2)", summed)):
    print(f"{name:>22}: shape {array.shape}")
i, a = 2, 1
by_loop = sum(Q[i, mu] * H[a, mu] for mu in range(M))
print(f"entry [{i}, {a}]: broadcasting {summed[i, a]:.6f}, loop {by_loop:.6f}")
assert np.isclose(summed[i, a], by_loop)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 1: the H half-step with broadcasting
#
# Start with the shorter half of the step, the H update (c) of notebook 02:
# $H_{a\mu} \leftarrow H_{a\mu} \sum_i W_{ia} Q_{i\mu}$ with $Q = V / (WH)$, 0 where $WH = 0$
# (W's columns sum to 1, so there is no denominator). Write `my_h_step_broadcast(V, W, H)`
# returning the new H, with no Python loop: build Q, lift W and Q into 3-D as in the table above,
# multiply, and sum over the shared axis i.

# %% nbgrader={"grade": false, "grade_id": "03_update_rules_broadcasting-my_h_step_broadcast", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_h_step_broadcast(V, W, H):
    """H[a, mu] * sum_i W[i, a] Q[i, mu], Q = V / (W H) (0 where W H = 0), by broadcasting."""
    ### BEGIN SOLUTION
    WH = (W[:, :, np.newaxis] * H[np.newaxis, :, :]).sum(axis=1)
    Q = np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)
    return H * (W[:, :, np.newaxis] * Q[:, np.newaxis, :]).sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "03_update_rules_broadcasting-my_h_step_broadcast-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_h_step(my_h_step_broadcast)


# %% [markdown] slideshow={"slide_type": "slide"}
# The H update needs $\sum_i W_{ia} Q_{i\mu}$: the same three indices, now summed over the shared
# index i. With the same axis order (i, a, μ): `W[:, :, np.newaxis]` is (N, R, 1),
# `Q[:, np.newaxis, :]` is (N, 1, M), their product is (N, R, M), and `.sum(axis=0)` leaves (R, M).
# Even the model itself, $(WH)_{i\mu} = \sum_a W_{ia} H_{a\mu}$, is one of these:
# `(W[:, :, np.newaxis] * H[np.newaxis, :, :]).sum(axis=1)`, shared index a.
#
# | sum | lift the first | lift the second | sum over |
# | --- | --- | --- | --- |
# | $\sum_\mu Q_{i\mu} H_{a\mu}$ (W update, N x R) | `Q[:, np.newaxis, :]` | `H[np.newaxis, :, :]` | `axis=2` (μ) |
# | $\sum_i W_{ia} Q_{i\mu}$ (H update, R x M) | `W[:, :, np.newaxis]` | `Q[:, np.newaxis, :]` | `axis=0` (i) |
# | $\sum_a W_{ia} H_{a\mu}$ (the model W H, N x M) | `W[:, :, np.newaxis]` | `H[np.newaxis, :, :]` | `axis=1` (a) |
#
# ## Exercise 2: the update step with broadcasting
#
# Write `my_update_broadcast(V, W, H)`: the same step as in notebook 02, (a) W update, (b)
# normalise W's columns and rescale H's rows, (c) H update with Q recomputed, but with no Python
# loops. Use the table above for the three sums. For Q = V / (W H) with 0 where W H = 0,
# `np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)` divides only where allowed. Where a row
# of H sums to 0, divide by 1 instead (`np.where` helps).

# %% nbgrader={"grade": false, "grade_id": "03_update_rules_broadcasting-my_update_broadcast", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_update_broadcast(V, W, H):
    """One multiplicative step with broadcasting: lift into 3-D, multiply, sum the shared axis."""
    ### BEGIN SOLUTION
    WH = (W[:, :, np.newaxis] * H[np.newaxis, :, :]).sum(axis=1)                 # N x M
    Q = np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)
    # (a) W[i, a] *= sum_mu Q[i, mu] H[a, mu] / sum_mu H[a, mu]
    h_sums = H.sum(axis=1)
    W_new = W * (Q[:, np.newaxis, :] * H[np.newaxis, :, :]).sum(axis=2) / np.where(h_sums > 0, h_sums, 1.0)
    # (b) columns of W sum to 1; H's rows take the scale
    w_sums = W_new.sum(axis=0)
    w_sums = np.where(w_sums > 0, w_sums, 1.0)
    W_new = W_new / w_sums
    H_scaled = H * w_sums[:, np.newaxis]
    # (c) H[a, mu] *= sum_i W[i, a] Q[i, mu], with Q from the new W and H
    WH = (W_new[:, :, np.newaxis] * H_scaled[np.newaxis, :, :]).sum(axis=1)
    Q = np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)
    H_new = H_scaled * (W_new[:, :, np.newaxis] * Q[:, np.newaxis, :]).sum(axis=0)
    ### END SOLUTION
    return W_new, H_new


# %% nbgrader={"grade": true, "grade_id": "03_update_rules_broadcasting-my_update_broadcast-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_update(my_update_broadcast)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The same sums in matrix form
#
# Look at the sums once more. The matrix product of an (N x M) and an (M x R) matrix is, by
# definition, $(AB)_{ia} = \sum_\mu A_{i\mu} B_{\mu a}$. So
#
# $$\sum_\mu Q_{i\mu} H_{a\mu} = (Q H^T)_{ia}, \qquad \sum_i W_{ia} Q_{i\mu} = (W^T Q)_{a\mu}, \qquad \sum_a W_{ia} H_{a\mu} = (W H)_{i\mu}.$$
#
# A matrix product *is* "multiply and sum over the shared index", done by an optimised library
# (BLAS) without ever building the N x R x M array. In NumPy, `@` is the matrix product and `*` is
# elementwise, so one step reads:
#
# ```
# Q = V / (W @ H)                              # elementwise, 0 where W H = 0
# W = W * (Q @ H.T) / H.sum(axis=1)            # (a): (N x R) * (N x R) / (R,)
# W, H = W / s, H * s[:, np.newaxis]           # (b): s = W.sum(axis=0)
# Q = V / (W @ H)
# H = H * (W.T @ Q)                            # (c): (R x M) * (R x M)
# ```
#
# ## Exercise 3: the update step in matrix form
#
# Write `my_update_matmul(V, W, H)` with `@`, following the lines above, with the same care for
# zeros (Q = 0 where W H = 0; divide by 1 where a row of H sums to 0).

# %% nbgrader={"grade": false, "grade_id": "03_update_rules_broadcasting-my_update_matmul", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_update_matmul(V, W, H):
    """One multiplicative step in matrix form: Q H^T for the W update, W^T Q for the H update."""
    ### BEGIN SOLUTION
    WH = W @ H
    Q = np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)
    h_sums = H.sum(axis=1)
    W_new = W * (Q @ H.T) / np.where(h_sums > 0, h_sums, 1.0)
    w_sums = W_new.sum(axis=0)
    w_sums = np.where(w_sums > 0, w_sums, 1.0)
    W_new = W_new / w_sums
    H_scaled = H * w_sums[:, np.newaxis]
    WH = W_new @ H_scaled
    Q = np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)
    H_new = H_scaled * (W_new.T @ Q)
    ### END SOLUTION
    return W_new, H_new


# %% nbgrader={"grade": true, "grade_id": "03_update_rules_broadcasting-my_update_matmul-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_update(my_update_matmul)

# %% [markdown] slideshow={"slide_type": "subslide"}
# From here on we use the helper's three versions, `nh.update_loops`, `nh.update_broadcast` and
# `nh.update_matmul`, so the rest of the notebook runs even if your exercises are unfinished.
# The matrix form in `nmf_helpers` is short enough to read whole:

# %% tags=["reference-solution"]
print(inspect.getsource(nh.update_matmul))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Proof in code: all three agree
#
# One step from the same random start on the simulated data of notebook 01 (100 genes, 60
# samples, R = 4), with each of the three versions. They add the same numbers in different
# orders, so they may differ in the last bits (by how much depends on the machine); what we check,
# and print, is whether every entry agrees to a relative 1e-12:

# %%
sim = nh.simulate(seed=SEED)
V = sim.V
N, M = V.shape
R = 4
rng = np.random.default_rng(SEED)
W0 = rng.uniform(0.1, 1.0, size=(N, R))
W0 /= W0.sum(axis=0)
H0 = rng.uniform(0.1, 1.0, size=(R, M)) * V.sum(axis=0) / 2

steps = {name: update(V, W0, H0) for name, update in
         (("loops", nh.update_loops), ("broadcast", nh.update_broadcast), ("matmul", nh.update_matmul))}
TOLERANCE = 1e-12
print(f"{'pair':<22} {'W agrees':>9} {'H agrees':>9}   (every entry, relative tolerance {TOLERANCE:g})")
for first, second in (("loops", "broadcast"), ("loops", "matmul"), ("broadcast", "matmul")):
    agree = [np.allclose(steps[first][k], steps[second][k], rtol=TOLERANCE, atol=0) for k in (0, 1)]
    print(f"{first + ' vs ' + second:<22} {str(agree[0]):>9} {str(agree[1]):>9}")
    assert all(agree), f"{first} and {second} disagree"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Timing: loops vs broadcasting vs matrix form
#
# We time one update step of each version on two problems: the homework's size (100 genes, 60
# samples, R = 4) and a larger one (300 genes, 100 samples, R = 5). Each time is the **median**
# of several repeats (the median ignores the odd slow run when the machine is busy elsewhere);
# the fast versions are run many times per repeat because a single call is too short to time
# well. Your numbers will differ from the ones below, which are what this run measured; the
# seed notes expected loops to be roughly 10x to 100x slower, and the gap grows with the size of
# the problem (compare the table's last two columns).

# %% tags=["nbval-ignore-output"]
from nmf_course.timing import time_call  # median seconds per call, enough calls per repeat


def median_time(update, V, W, H, repeats):
    """Median over `repeats` of the time one call of update(V, W, H) takes, in seconds."""
    return time_call(lambda: update(V, W, H), repeats)[0]

problems = {"100 x 60, R = 4": (V, W0, H0)}
big = nh.simulate(n_genes=300, n_samples=100, n_modules=5, seed=SEED)
rng = np.random.default_rng(SEED)
W_big = rng.uniform(0.1, 1.0, size=(300, 5))
W_big /= W_big.sum(axis=0)
H_big = rng.uniform(0.1, 1.0, size=(5, 100)) * big.V.sum(axis=0) / 2.5
problems["300 x 100, R = 5"] = (big.V, W_big, H_big)

settings = {"loops": (nh.update_loops, 3), "broadcast": (nh.update_broadcast, 7),
            "matmul": (nh.update_matmul, 7)}
timings = {problem: {name: median_time(update, *args, repeats=repeats)
                     for name, (update, repeats) in settings.items()}
           for problem, args in problems.items()}

print(f"{'problem':<20} {'loops':>10} {'broadcast':>10} {'matmul':>10}  {'loops/broadcast':>15} {'loops/matmul':>12}")
for problem, t in timings.items():
    print(f"{problem:<20} {t['loops'] * 1e3:>7.2f} ms {t['broadcast'] * 1e3:>7.3f} ms {t['matmul'] * 1e3:>7.3f} ms"
          f"  {t['loops'] / t['broadcast']:>14.0f}x {t['loops'] / t['matmul']:>11.0f}x")

fig, ax = plt.subplots(figsize=(9.6, 5))
colours = {"loops": "#D55E00", "broadcast": "#0072B2", "matmul": "#009E73"}
x = np.arange(len(problems))
for k, name in enumerate(settings):
    values = [timings[problem][name] * 1e3 for problem in problems]
    bars = ax.bar(x + (k - 1) * 0.27, values, width=0.27, color=colours[name], label=name)
    ax.bar_label(bars, labels=[f"{v:.3g} ms" for v in values], fontsize=12)
ax.set_yscale("log")
ax.set_ylim(top=5 * max(t["loops"] for t in timings.values()) * 1e3)
ax.set_xticks(x, list(problems))
ax.set_ylabel("time per update step (ms, log scale)")
ax.set_xlabel("problem size (genes x samples, modules)")
ax.set_title("One update step: loops vs broadcasting vs matrix form")
ax.legend()
fig.tight_layout()
plt.show()


# %% [markdown] slideshow={"slide_type": "slide"}
# Read the table's last two columns: the speed-up over loops, measured on this run. Loops pay
# Python's cost (looking up and multiplying one number at a time) N·R·M times per sum;
# broadcasting pays it once per array operation and then runs compiled code over all entries;
# matrix form also runs compiled code but never builds the 3-D array, and uses BLAS, which is
# tuned for exactly this "multiply and sum" pattern. The loops' time grows in proportion to
# N·R·M, while a NumPy call also has a small fixed overhead that matters most for tiny arrays.
#
# This is why `nh.nmf` works in matrix form (its default, `update="fast"`, adds an accelerating
# extrapolation to the matrix-form step): a fit takes hundreds to tens of thousands of steps, and
# with several restarts and several values of R (notebook 04) loops would take hours.
#
# ## 6. The memory cost of the 3-D intermediate
#
# Broadcasting pays for its speed in memory: the product array has N x R x M entries of 8 bytes
# (float64) each, and it exists, in full, for a moment during every step. The matrix form only
# ever needs arrays of size N x M, N x R and R x M.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 4: predict the size of the intermediate
#
# Write `my_intermediate_bytes(N, R, M, itemsize=8)` returning the number of bytes of the
# N x R x M product array (`itemsize` bytes per entry: 8 for float64, 4 for float32). Then check
# your formula against NumPy's own count, `array.nbytes`, on a small case.

# %% nbgrader={"grade": false, "grade_id": "03_update_rules_broadcasting-my_intermediate_bytes", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_intermediate_bytes(N, R, M, itemsize=8):
    """Bytes of the N x R x M intermediate of update_broadcast, itemsize bytes per entry."""
    ### BEGIN SOLUTION
    return N * R * M * itemsize
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "03_update_rules_broadcasting-my_intermediate_bytes-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_intermediate_bytes(my_intermediate_bytes)

# %%
product = W0[:, :, np.newaxis] * V[:, np.newaxis, :]          # the H update's intermediate
print(f"N x R x M = {N} x {R} x {M}: NumPy's product.nbytes = {product.nbytes:,} bytes "
      f"= {N} * {R} * {M} * 8")
assert product.nbytes == N * R * M * 8


# %% [markdown] slideshow={"slide_type": "subslide"}
# How big is the intermediate for growing problems?

# %%
def human_bytes(n_bytes):
    """Format a byte count with binary units (KiB, MiB, GiB, TiB)."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= size:
            return f"{n_bytes / size:,.1f} {unit}"
    return f"{n_bytes:,} B"

sizes = [(100, 60, 4), (300, 100, 5), (5_000, 500, 10), (5_000, 1_000, 30), (20_000, 1_000, 8),
         (20_000, 1_000, 20), (20_000, 10_000, 20), (60_000, 100_000, 50)]
print(f"limit of nh.update_broadcast: nh.BROADCAST_MAX_BYTES = {human_bytes(nh.BROADCAST_MAX_BYTES)}")
print(f"{'N genes':>9} {'M samples':>10} {'R':>4} {'N x R x M x 8 bytes':>21} {'N x M x 8 bytes':>16}  allowed?")
for n, m, r in sizes:
    three_d = n * r * m * 8
    print(f"{n:>9,} {m:>10,} {r:>4} {human_bytes(three_d):>21} {human_bytes(n * m * 8):>16}  "
          f"{'yes' if three_d <= nh.BROADCAST_MAX_BYTES else 'no'}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The homework's data needs less than 200 KiB. A real RNA-seq table (about 20,000 genes)
# with a thousand samples and 20 modules needs gigabytes for one intermediate; with 10,000 samples
# it is about 30 GiB, at or beyond the whole memory of a typical laptop (8 to 32 GiB), and a large single-cell atlas
# (2.2 TiB, the last row) is beyond any laptop. The matrix form of the same problems needs R times less
# (the N x M column).
#
# `nh.update_broadcast` therefore refuses to build an intermediate larger than
# `nh.BROADCAST_MAX_BYTES` and says what to use instead. Here it is asked for 5,000 genes x
# 1,000 samples with R = 30 (the fourth row of the table), and the matrix form does the same step
# without complaint:

# %%
N_big, M_big, R_big = 5_000, 1_000, 30
V_big = np.ones((N_big, M_big))
W_big = np.full((N_big, R_big), 1 / N_big)
H_big = np.full((R_big, M_big), 1.0)
try:
    nh.update_broadcast(V_big, W_big, H_big)
except ValueError as error:
    print("ValueError:", error)
W_new, H_new = nh.update_matmul(V_big, W_big, H_big)
print(f"nh.update_matmul on the same problem: W {W_new.shape}, H {H_new.shape}, no 3-D array needed")
del V_big, W_big, H_big, W_new, H_new

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Broadcasting compares shapes from the right; axes of length 1 (made with `np.newaxis`) stretch
#   to match. Normalising rows needs `[:, np.newaxis]` (or `keepdims=True`); columns do not.
# - A sum over a shared index is "lift both arrays into 3-D so the shared index lines up, multiply,
#   sum over that axis": $\sum_\mu Q_{i\mu} H_{a\mu}$ is
#   `(Q[:, np.newaxis, :] * H[np.newaxis, :, :]).sum(axis=2)`.
# - The same sums are matrix products: `Q @ H.T` and `W.T @ Q`. All three versions agree to a relative 1e-12.
# - The array versions are far faster than loops (see the timing table), and the matrix form needs
#   no N x R x M intermediate, which for real data sizes no longer fits in memory;
#   `nh.update_broadcast` refuses above `nh.BROADCAST_MAX_BYTES`. The intermediate takes
#   N x R x M x 8 bytes (float64).
#
# **Homework questions this notebook answers**
# - Problem 2, the challenge: implement both update steps with matrix algebra and NumPy broadcasting
#   ("projecting two 2-D matrices into 3-D, element-wise multiplication, and collapsing back to 2-D
#   by summing along the shared axis"), and see how much faster it runs than the loops.
#
# Next: fit several values of R and decide how many modules the data has.
#
# [← previous](02_update_rules_loops.ipynb) | [course map](../README.md#notebook-map) | [next →](04_choosing_R.ipynb)
