# %% [markdown] slideshow={"slide_type": "slide"}
# [← previous](03_update_rules_broadcasting.ipynb) | [course map](../README.md#notebook-map) | [next →](05_reading_W.ipynb)
#
# # 04 · Choosing R
#
# NMF needs the number of modules R before it starts, but in a real experiment nobody tells
# you R. This notebook fits the homework's simulated data with R = 1, 2, ..., 6 and asks which R
# the data support, with five criteria side by side.
#
# **What you will learn**
# - why the best log-likelihood keeps rising as R grows (nested models, fitting the Poisson noise), so it cannot choose R by itself;
# - how to count the free parameters of NMF (exercise), how AIC and BIC charge for them (exercise), and the caveats: the count is itself a modelling choice, parameters on the boundary 0, a count that grows with the data;
# - a goodness-of-fit check: the deviance of a correct model is about the number of observations minus k;
# - held-out entries (exercise) and Brunet's consensus criterion, and what each criterion picks;
# - what the spread of restarts means once every fit has converged: local optima, and how stopping too early imitates them;
# - how to look at the fitted W for any R with a slider;
# - to read each criterion against a shuffled copy of the data (exercise), the null that tells structure from what any table gains.
#
# **What you need first**: notebooks 01 (the model), 02 and 03 (the log-likelihood and the
# update rules). We fit with `nh.nmf` / `nh.rank_scan`, the fast matrix form of notebook 03.

# %% tags=["parameters"]
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import nmf_helpers as nh
from nmf_course import consensus, plots, readouts, selfchecks

plots.use_course_style()
DATA_SEED = 0  # the simulated data set (notebook 05 reads the same one)
FIT_SEED = 1   # the random starts of the fits

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The data
#
# The homework's size: 100 genes, 60 samples, 4 modules and 3 moonlighting genes (genes that
# belong to two modules). Because we simulated the data we know the true R, so we can check
# whether the methods below find it. With real data you would not know it.

# %%
sim = nh.simulate(n_genes=100, n_samples=60, n_modules=4, n_moonlighters=3, seed=DATA_SEED)
V = sim.V
N, M = V.shape
R_true = sim.W.shape[1]
print(f"V: {N} genes x {M} samples, {V.sum():,} counts in all")
print(f"true number of modules: R = {R_true}")
print(f"moonlighting genes: {', '.join(sim.gene_names[i] for i in sim.moonlighters)}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Fit R = 1 to 6, five restarts each
#
# The homework asks for R = 3 to 6; we start at 1 to see the whole shape of the curve.
# `nh.rank_scan` calls `nh.nmf` for each R. Each fit starts from 5 random positive W and H
# (`n_restarts=5`), runs the multiplicative updates until the deviance D stops falling (the
# helper's default: every fit ends within about 1 unit of D of where a far longer run would end)
# and keeps the best of the 5. From the true R on, the fits need thousands of iterations
# (over ten thousand beyond it) instead of hundreds (the last column), so the scan takes several seconds.

# %%
ranks = range(1, 7)
scan = nh.rank_scan(V, ranks, n_restarts=5, seed=FIT_SEED)

def magnitude(n_iter):
    """An iteration count in words. The exact count varies from CPU to CPU by a few checks, so
    the classes' edges (1,000 and 12,000) lie far from every count this notebook prints."""
    return "hundreds" if n_iter < 1_000 else "thousands" if n_iter < 12_000 else "over ten thousand"


print(f"{'R':>2}  {'log-likelihood L':>17}  {'gain over R-1':>13}  {'iterations':>17}")
for j, R in enumerate(scan.ranks):
    gain = "" if j == 0 else f"{scan.log_likelihood[j] - scan.log_likelihood[j - 1]:,.1f}"
    print(f"{R:>2}  {scan.log_likelihood[j]:>17,.1f}  {gain:>13}  {magnitude(scan.fits[j].n_iter):>17}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The log-likelihood keeps rising
#
# (L is the Poisson log-likelihood without the constant −Σ log V!, which is why it is a large
# positive number; only differences between fits matter.)
#
# Two reasons why L can only go up with R:
#
# - **Nested models.** Any fit with R modules is also a fit with R + 1 modules: add a column to W
#   and give it a row of zeros in H, and W H does not change. So the *best* fit with R + 1 modules
#   is at least as good as the best with R. (The optimiser might miss the best fit, which is what
#   the restarts in section 6 are for.)
# - **Fitting the noise.** Beyond the true R the extra module has no real signal left to explain,
#   but it still bends itself towards the Poisson noise of these particular counts. A rule of
#   thumb for how much that buys is **Wilks' theorem** (Wilks 1938): when a model is nested in
#   one with Δk more free parameters, twice the log-likelihood gain from noise alone is
#   χ²-distributed with Δk degrees of freedom, whose mean is Δk, so on average about ½ of
#   log-likelihood per extra free parameter. One extra module brings N − 1 + M = 159 new
#   parameters here, so by that rule noise alone is worth about 80 per step (below: why adding a module
#   gains more).
#
# The right panel shows the gains on a log scale next to that noise level.

# %%
i_true = list(scan.ranks).index(R_true)
gains = np.diff(scan.log_likelihood)
noise_gain = np.diff(scan.n_params) / 2  # about 1/2 per extra free parameter
deviances = np.array([fit.deviance for fit in scan.fits])

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 4.4))
ax1.semilogy(scan.ranks, deviances, marker="o", color="#0072B2")
ax1.axvline(R_true, color="grey", linestyle="--", label=f"true R = {R_true}")
ax1.set_title("Deviance D = 2 (L_perfect − L)")
ax1.set_xlabel("number of modules R")
ax1.set_ylabel("D (log scale)")
ax1.legend(loc="upper right")

ax2.semilogy(scan.ranks[1:], gains, marker="o", color="#0072B2", label="L(R) − L(R−1)")
ax2.semilogy(scan.ranks[1:], noise_gain, linestyle=":", color="black", label="noise alone: Δk / 2")
ax2.axvline(R_true, color="grey", linestyle="--")
ax2.set_title("Gain from one more module")
ax2.set_xlabel("number of modules R")
ax2.set_ylabel("gain in L (log scale)")
ax2.legend(loc="center left")
fig.tight_layout()
plt.show()
print("gains beyond the true R:", ", ".join(f"{g:,.1f}" for g in gains[i_true:]),
      f"(noise alone by Wilks' rule: about {noise_gain[0]:.1f} each)")
typical = [np.median(scan.fits[j].restart_log_likelihoods) - scan.log_likelihood[j - 1]
           for j in range(i_true + 1, len(scan.ranks))]
print("the same gains from a typical restart (the median of the 5) instead of the best:",
      ", ".join(f"{g:,.0f}" for g in typical))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Up to R = 4 each extra module gains hundreds of thousands: it explains real structure (a module
# that the smaller model had to merge with another). Beyond R = 4 the gains (printed above) drop
# to just over a hundred: noise, but more than the ½ per parameter of Wilks' rule. The rule needs
# a *regular* nested comparison, where the smaller model is one identifiable point inside the
# larger one. Adding a module is not regular: the smaller model is the larger one with the new
# module's row of H at zero (the nested models above), and with zero weight the new column of W
# can point in any direction without changing the fit, so nothing pins it down. The fit can
# therefore turn the new module towards whichever noise pattern pays most: the gain is the
# largest over all directions, not one χ² draw, and it exceeds Δk/2 on average. That each fit is
# the best of several restarts explains only part of the excess: measured from the same best fit
# one rank below, a typical single restart also gains clearly more than 79.5 (the last line
# above). The deviance (left: D = 2(L_perfect − L), so a rising L is a falling D) has an elbow at
# the true R, but it never turns back up, so "the R with the highest log-likelihood" would always
# be the largest R we tried.
#
# The same effect shows in a comparison with the truth: the fitted model with the true R has
# a *higher* log-likelihood than the true W and H that generated the data, by about half its
# number of free parameters k (counted in section 4). The fit has tuned its parameters to this
# draw of the noise.

# %%
k_true = scan.n_params[i_true]
L_truth = nh.log_likelihood(V, sim.W, sim.H)
L_fit = scan.log_likelihood[i_true]
print(f"L of the true W and H that made the data: {L_truth:,.1f}")
print(f"L of the best fit with R = {R_true}:            {L_fit:,.1f}")
print(f"the fit is higher by {L_fit - L_truth:,.1f}; half its number of parameters is k/2 = {k_true / 2:,.0f}")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Counting parameters, AIC and BIC
#
# An information criterion adds a penalty for the number of free parameters k to −2L, and the
# R with the **lowest** value wins:
#
# $$\mathrm{AIC} = 2k - 2L, \qquad \mathrm{BIC} = k \ln n - 2L,$$
#
# where n is the number of observations (here n = N M = 6,000 entries of V). Counting k for NMF:
# W has N R entries, but each column sums to 1, so only N − 1 of them are free per column;
# H has R M entries, all free. So the course counts **k = R(N − 1) + RM** (what `nh.rank_scan`
# uses).
#
# ### Exercise: count the parameters
# Write `my_n_params(N, M, R)` that returns k = R(N − 1) + RM for an N x M table and R modules.

# %% nbgrader={"grade": false, "grade_id": "04_choosing_R-my_n_params", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_n_params(N, M, R):
    """Free parameters of an NMF with W (N x R, columns summing to 1) and H (R x M)."""
    ### BEGIN SOLUTION
    return R * (N - 1) + R * M
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "04_choosing_R-my_n_params-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_n_params(my_n_params)


# %% [markdown] slideshow={"slide_type": "subslide"}
# In units of L, AIC charges 1 per parameter and BIC charges ½ ln n = ½ ln 6000 ≈ 4.35.
# Both are more than the ½ per parameter of Wilks' rule (Wilks 1938). Adding a module buys noise
# more than that (section 3), but here still less than 1 per parameter (about 137 and 116 for 159
# parameters), so both should stop adding modules once the real structure is explained; BIC by a
# much wider margin, AIC by a thin one.
#
# ### Exercise: write the two criteria
# Write `my_information_criteria(log_likelihood, n_params, n_obs)` that returns the pair
# `(aic, bic)`. Use the natural logarithm (`np.log`).

# %% nbgrader={"grade": false, "grade_id": "04_choosing_R-my_information_criteria", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_information_criteria(log_likelihood, n_params, n_obs):
    """Return (aic, bic) for a fit with log-likelihood L, k = n_params free parameters
    and n = n_obs observations:  AIC = 2k - 2L,  BIC = k ln(n) - 2L  (lower is better)."""
    ### BEGIN SOLUTION
    aic = 2 * n_params - 2 * log_likelihood
    bic = n_params * np.log(n_obs) - 2 * log_likelihood
    return aic, bic
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "04_choosing_R-my_information_criteria-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_information_criteria(my_information_criteria)

# %% [markdown] slideshow={"slide_type": "subslide"}
# From here on we use `nh.information_criteria`, the function `nh.rank_scan` uses itself, so
# the rest of the notebook runs even if your version is not finished. The table shows each
# criterion minus its smallest value (ΔAIC, ΔBIC), so the winner has 0.

# %%
n_obs = N * M
aic, bic = nh.information_criteria(scan.log_likelihood, scan.n_params, n_obs)
assert np.allclose(aic, scan.aic) and np.allclose(bic, scan.bic)  # the same numbers rank_scan reports

print(f"n = N M = {n_obs:,} observations")
print(f"{'R':>2}  {'k':>5}  {'AIC':>15}  {'ΔAIC':>11}  {'BIC':>15}  {'ΔBIC':>11}")
for j, R in enumerate(scan.ranks):
    print(f"{R:>2}  {scan.n_params[j]:>5,}  {aic[j]:>15,.1f}  {aic[j] - aic.min():>11,.1f}"
          f"  {bic[j]:>15,.1f}  {bic[j] - bic.min():>11,.1f}")
best_aic = int(scan.ranks[np.argmin(aic)])
best_bic = int(scan.ranks[np.argmin(bic)])
print(f"AIC chooses R = {best_aic}, BIC chooses R = {best_bic} (rank_scan's best_rank: {scan.best_rank})")

# %%
fig, ax = plt.subplots(figsize=(9, 5))
ax.plot(scan.ranks, aic - aic.min(), marker="o", color="#0072B2", label="ΔAIC")
ax.plot(scan.ranks, bic - bic.min(), marker="s", color="#D55E00", label="ΔBIC")
ax.axvline(R_true, color="grey", linestyle="--", label=f"true R = {R_true}")
ax.set_yscale("symlog", linthresh=10)
ax.set_ylim(-1, 2e7)
ax.set_title("Information criteria minus their minimum (lower is better)")
ax.set_xlabel("number of modules R")
ax.set_ylabel("criterion − its minimum (symlog scale)")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Both criteria have their minimum at R = 4 (printed above). Below 4 they are huge, because a
# missing module costs hundreds of thousands of log-likelihood; above 4 they climb steadily, by
# the penalty minus the small gains from noise. (The y axis is linear up to 10 and logarithmic
# above, so that both ends fit in one picture.)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Caveats: what AIC and BIC assume
#
# The two formulas are easy; their justification is not, and NMF strains it in three ways.
#
# - **The parameter count is a modelling choice.** W H does not change if W is replaced by W A and
#   H by A⁻¹ H for an invertible R x R matrix A that keeps both non-negative (rescaling and
#   permuting the modules, at least). Fixing the column sums of W removes only R of those R²
#   freedoms; removing all of them leaves k = R(N + M − R), the dimension of the set of rank-R
#   non-negative factorizations. Which count is "right" is not settled, so we try both below.
# - **Parameters on the boundary.** Most entries of the true W are exactly 0, the edge of the
#   allowed region, and the fitted W presses the same entries towards 0. AIC's "1 per parameter" and BIC's "½ ln n per parameter" come from
#   asymptotics that assume every parameter is in the interior, where the log-likelihood is
#   a smooth bowl around the optimum; a parameter pinned at 0 buys less than that.
# - **k grows with the data.** BIC's derivation fixes k and lets n grow. Here k grows with N and
#   M: a table with more genes or samples has more parameters per module, so the usual
#   guarantees (BIC picks the true model as n → ∞) do not apply as stated.
#
# The cell below checks whether the choice of count changes the pick, and how many entries of the
# fitted W sit at the boundary.

# %%
k_course = scan.n_params                                   # R(N - 1) + RM
k_dimension = np.array([R * (N + M - R) for R in scan.ranks])  # R(N + M - R)
print(f"{'R':>2}  {'k = R(N-1)+RM':>13}  {'k = R(N+M-R)':>12}")
for R, k1, k2 in zip(scan.ranks, k_course, k_dimension):
    print(f"{R:>2}  {k1:>13,}  {k2:>12,}")
for label, k in (("R(N-1)+RM", k_course), ("R(N+M-R)", k_dimension)):
    aic_k, bic_k = nh.information_criteria(scan.log_likelihood, k, n_obs)
    print(f"with k = {label}: AIC picks R = {scan.ranks[np.argmin(aic_k)]}, BIC picks R = {scan.ranks[np.argmin(bic_k)]}")

W4 = scan.fits[i_true].W
relative = W4 / W4.max(axis=0)  # each entry against its column's largest
print(f"true W: {np.mean(sim.W == 0):.0%} of the entries are exactly 0")
print(f"fitted W (R = {R_true}): {np.mean(relative < 1e-2):.0%} of the entries are below 1% of their "
      f"column's largest, {np.mean(relative < 1e-4):.0%} below 0.01%")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A goodness-of-fit check: the deviance against n − k
#
# AIC and BIC compare models with each other; they never say whether *any* of them fits. The
# deviance can: for Poisson counts and a correct model, D is roughly chi-squared with n − k
# degrees of freedom, so **D ≈ n − k**. Much larger means the model misses structure; smaller
# means it has started fitting the noise.

# %%
print(f"{'R':>2}  {'deviance D':>12}  {'n - k':>7}  {'D / (n - k)':>11}")
for R, D, k in zip(scan.ranks, deviances, k_course):
    print(f"{R:>2}  {D:>12,.1f}  {n_obs - k:>7,}  {D / (n_obs - k):>11.3f}")
R_fits = int(scan.ranks[np.argmax(deviances / (n_obs - k_course) < 1.1)])
print(f"the smallest R with D / (n - k) below 1.1: R = {R_fits}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Below the true R the deviance is more than a hundred times n − k: those models miss real structure.
# At the true R, D / (n − k) is close to 1, as a correct model should give; beyond it the ratio
# falls a little below 1, the fingerprint of modules that fit noise. (The check assumes counts
# large enough for the chi-squared approximation; with many small counts it is rougher.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Held-out entries and consensus
#
# Two criteria that do not count parameters at all.
#
# **Held-out entries.** Hide a random 10% of the entries of V (`nh.holdout_mask`), fit each R
# on the other 90% only (through a mask), and score the hidden entries with the fitted W H. A
# module that only fits noise does not help predict entries it never saw.
#
# ### Exercise: the held-out score
# Write `my_heldout_log_likelihood(V, W, H, mask)` that returns the Poisson log-likelihood of the
# hidden entries only: the sum of V log(WH) − WH over the entries where `mask` is False
# (`mask` is True where an entry was fitted). An entry with V = 0 and WH = 0 counts 0
# (`scipy.special.xlogy(V, WH)` computes V log WH with 0 log 0 = 0).

# %% nbgrader={"grade": false, "grade_id": "04_choosing_R-my_heldout_log_likelihood", "locked": false, "schema_version": 3, "solution": true, "task": false}
from scipy.special import xlogy


def my_heldout_log_likelihood(V, W, H, mask):
    """Sum of V log(WH) - WH over the hidden entries (mask False)."""
    ### BEGIN SOLUTION
    WH = W @ H
    hidden = ~np.asarray(mask, dtype=bool)
    return float(np.sum(xlogy(V, WH)[hidden] - WH[hidden]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "04_choosing_R-my_heldout_log_likelihood-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_heldout_log_likelihood(my_heldout_log_likelihood)

# %% [markdown] slideshow={"slide_type": "subslide"}
# `nh.rank_scan(..., holdout=0.1)` does this for every R, with the same hidden entries for
# every R (one restart each, to keep it quick).
#
# **Consensus (Brunet et al. 2004).** Fit each R 20 times from random starts, put each *sample*
# in the module that dominates its column of H, and let the consensus matrix C count how often
# two samples land together. If the runs agree, C holds only 0s and 1s and its cophenetic
# correlation is 1. Brunet et al. choose "values of k where the magnitude of the cophenetic
# correlation coefficient begins to fall" (2004, p. 4167): going up in R, the last R before its
# first drop (`consensus.brunet_rank`; not simply the highest value, which a later peak could win). The
# consensus needs only each sample's strongest module, which settles long before the last
# deviance units, so these runs stop early (`tol=1e-4`), a stated shortcut against its cost (notebook 11 shows how
# far stopping early can move the curve).

# %%
heldout_scan = nh.rank_scan(V, ranks, n_restarts=1, seed=FIT_SEED, holdout=0.1)
heldout = heldout_scan.heldout_log_likelihood
print(f"held-out entries: {(~heldout_scan.mask).sum():,} of {V.size:,}")
print(f"{'R':>2}  {'held-out L below its best':>25}")
for R, h in zip(ranks, heldout):
    print(f"{R:>2}  {heldout.max() - h:>25,.0f}")

start = time.perf_counter()
cophenetic = {R: consensus.cophenetic_correlation(consensus.consensus_matrix(V, R, n_runs=20, seed=FIT_SEED, tol=1e-4))
              for R in range(2, 7)}
print(f"\nconsensus, 20 runs for each of R = 2..6: took {time.perf_counter() - start:.1f} s")
for R, c in cophenetic.items():
    print(f"R = {R}: cophenetic correlation {c:.3f}")   # 3 decimals: 20 runs give no more

# %%
picks = {
    "log-likelihood (highest)": int(scan.ranks[np.argmax(scan.log_likelihood)]),
    "AIC (lowest)": int(scan.ranks[np.argmin(scan.aic)]),
    "BIC (lowest)": int(scan.ranks[np.argmin(scan.bic)]),
    "deviance ≈ n − k (first R)": R_fits,
    "held-out entries (highest)": int(ranks[np.argmax(heldout)]),
    "consensus, Brunet (R ≥ 3)": consensus.brunet_rank({R: c for R, c in cophenetic.items() if R >= 3}),
    "consensus, Brunet (any R)": consensus.brunet_rank(cophenetic),
}
print(f"{'criterion':<28}  R")
for name, R in picks.items():
    print(f"{name:<28}  {R}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Read the table with the caveats above. The log-likelihood always picks the largest R. AIC,
# BIC, the deviance check and the held-out entries look at how well W H fits V. The consensus asks
# something else: whether the *samples* fall into stable groups. In this simulation every sample
# is a Dirichlet mixture of all four modules, so the samples do not form clean groups at any R:
# the cophenetic correlation stays close to 1 at every R (0.97 to 1.00) and separates the ranks
# only by small differences, and the consensus is a weaker guide here than on data whose samples are of distinct types
# (notebooks 06 and 11). With only two groups, almost any split is stable, which is why R = 2
# is listed apart.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Restarts once the fits have converged
#
# The NMF objective is not convex: depending on where the updates start, they can climb
# different hills and stop at the top of a lower one. `nh.nmf` kept all 5 final
# log-likelihoods of each R in `restart_log_likelihoods`. Each restart has converged (its D is
# within about 1 unit of the top of its own hill), so the spread between restarts now measures
# the hills, not the stopping rule.

# %%
print(f"{'R':>2}  {'spread of the 5 restarts (best L - worst L)':>44}")
for R, fit in zip(scan.ranks, scan.fits):
    below = fit.log_likelihood - fit.restart_log_likelihoods  # >= 0
    print(f"{R:>2}  {below.max():>44,.2f}")

fit3 = nh.nmf(V, 3, n_restarts=10, seed=0)  # R = 3 is quick: 10 more restarts
below3 = fit3.log_likelihood - fit3.restart_log_likelihoods
print(f"\nR = 3 with 10 other restarts: {np.sum(below3 > 1000)} of 10 end far below the best, "
      f"by {below3.max():,.1f}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# Three different things show up.
#
# - **R ≤ 2 and R = 4: one hill.** The restarts agree to within a unit of log-likelihood (out of
#   about 38 million): they all reach the same optimum.
# - **R = 3: two hills.** The scan's 5 restarts happened to find the same (higher) hill, but
#   among 10 other restarts some end about 94,000 below it. With three columns for
#   four true modules, NMF must share the true modules out among fewer columns, and there is more
#   than one way to do it. Each way is a local optimum: the updates cannot move from one to
#   another. The table below shows what share of each fitted module's weight sits on the genes of
#   each true module, for the best R = 3 fit and a single start that ends on the lower hill.
# - **R > 4: many small hills.** The restarts differ by several units (R = 5) to more than ten (R = 6). Each
#   extra module bends towards a different pattern of noise, and each pattern is its own
#   (shallow) optimum. The differences are real but small: BIC's margin between R = 4 and 5
#   (ΔBIC in section 4) is far larger. AIC's margin is narrow (its ΔAIC at R = 5 is only a few
#   tens of units), and a spread of Δ in L is 2Δ in AIC: for AIC even this much matters, and a
#   luckier R = 5 restart or an R = 4 fit stopped short could tip the choice.

# %%
def composition(W_fit):
    """Share of each fitted module's weight (columns) that lies on each true module's genes (rows)."""
    membership = sim.modules / sim.modules.sum(axis=1, keepdims=True)  # a moonlighter counts half to each
    return membership.T @ W_fit

worst = int(np.argmin(fit3.restart_log_likelihoods))
lower = nh.nmf(V, 3, seed=0)  # a single start
for name, fit in (("best restart", fit3), ("one start, seed=0", lower)):
    share = composition(fit.W)
    # NMF's modules come in no particular order: sort the fitted columns by the true module
    # they lie on most, then by that share, so the table reads the same on every machine
    share = share[:, np.lexsort((-share.max(axis=0), share.argmax(axis=0)))]
    print(f"R = 3, {name}: L = {fit.log_likelihood:,.1f}")
    print("              " + "".join(f"fitted {b + 1:<3}" for b in range(3)))
    for a in range(R_true):
        print(f"  true mod {a + 1}  " + "".join(f"{share[a, b]:>8.2f}   " for b in range(3)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The two fits divide the four true modules differently among their three columns (read the
# table column by column), and the better one is higher by about 94,000. A single unlucky start
# would have given a log-likelihood curve with a dent at R = 3, and a wrong idea of how much the
# third module helps: always restart several times and keep the best.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Stopping too early looks like local optima
#
# With a loose stopping rule, restarts at R = 4 end several units apart, which is easy to read as
# "many local optima". Stop 10 restarts early (`tol=1e-4`
# instead of the default 2e-9, a deliberately unconverged fit) and compare with the same 10
# restarts run to convergence:

# %%
for label, tol in (("stopped early, tol = 1e-4", 1e-4), ("converged (default)", None)):
    fit = nh.nmf(V, R_true, n_restarts=10, seed=FIT_SEED, tol=tol)
    below = fit.log_likelihood - fit.restart_log_likelihoods
    print(f"R = {R_true}, {label:<26}: {magnitude(fit.n_iter)} of iterations, spread of 10 restarts {below.max():6.2f}, "
          f"best L {fit.log_likelihood:,.1f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Stopped early, the restarts spread over about four units of L; run to convergence, the same
# restarts end well under one unit apart: they are all on the same hill, and running on
# brings them together. So a spread between
# restarts means local optima only once every restart has converged. And a shortfall matters:
# being short by Δ in L adds 2Δ to the AIC, whose margin between R = 4 and R = 5 is only a few
# tens of units here (section 4). Converged fits make the comparison between R's fair.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Did we recover the true R?
#
# Yes: AIC, BIC, the deviance check and the held-out entries all choose R = 4, the number of
# modules we simulated (the table of section 5). Choosing is not the whole story, though: the
# fitted modules should also *look* like the true ones. NMF returns its modules in an arbitrary
# order, so `nh.match_modules` first finds the order that lines them up with the true W. Then we
# measure the cosine similarity of each pair (1 = the same direction).

# %%
W4 = scan.fits[i_true].W
perm = nh.match_modules(sim.W, W4)  # W4[:, perm][:, a] is the fitted module most like true module a
unit = lambda X: X / np.linalg.norm(X, axis=0)
cosine = np.sum(unit(sim.W) * unit(W4[:, perm]), axis=0)
for a in range(R_true):
    print(f"true module {a + 1} <-> fitted module {perm[a] + 1}: cosine similarity {cosine[a]:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Every true module has a fitted partner with cosine similarity 0.99 or more. The heatmaps below
# show the true W next to the fitted one, genes grouped by their true module (the three
# moonlighting genes are labelled on the left axis); notebook 05 reads the fitted W in detail.

# %%
home = np.argmax(sim.modules, axis=1)         # each gene's (first) true module
gene_order = np.argsort(home, kind="stable")  # genes grouped by true module
moon_rows = [int(np.flatnonzero(gene_order == i)[0]) for i in sim.moonlighters]


def column_order(W_fit):
    """Order of the fitted modules: matched to the true ones (R >= 4, extra modules last);
    for R < 4, each fitted module placed at the true module it is paired with."""
    R = W_fit.shape[1]
    if R >= R_true:
        perm = nh.match_modules(sim.W, W_fit)
        return np.concatenate([perm, [b for b in range(R) if b not in perm]]).astype(int)
    paired_with = nh.match_modules(W_fit, sim.W)  # the true module paired with each fitted one
    return np.argsort(paired_with)


# precompute every R's ordered W, so the slider below only has to draw
ordered_W = {int(R): fit.W[:, column_order(fit.W)][gene_order] for R, fit in zip(scan.ranks, scan.fits)}
vmax = max(sim.W.max(), *(W.max() for W in ordered_W.values()))


def show_W(R=R_true):
    """Draw the true W and the fitted W for this R side by side; return the fitted W shown."""
    W_fit = ordered_W[R]
    fig, (ax_true, ax_fit) = plt.subplots(1, 2, figsize=(9.6, 5.6))
    plots.plot_heatmap(ax_true, sim.W[gene_order], f"true W ({R_true} modules)", "true module",
                    "gene (by true module)", vmin=0, vmax=vmax, colorbar_label="weight in module")
    plots.plot_heatmap(ax_fit, W_fit, f"fitted W, R = {R}", "fitted module (matched order)",
                    "gene (same order)", vmin=0, vmax=vmax, colorbar_label="weight in module")
    for ax, R_shown in ((ax_true, R_true), (ax_fit, R)):
        ax.set_xticks(range(R_shown), [str(b + 1) for b in range(R_shown)])
        ax.set_yticks(moon_rows, [sim.gene_names[i] for i in sim.moonlighters], fontsize=12)
    fig.tight_layout()
    plt.show()
    return W_fit


_ = show_W(R_true)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Explore: the fitted W for any R
#
# Move the slider (R = 1 to 6). All fits were computed above, so each change only redraws.
# Things to look for:
#
# - R = 2 and 3: fitted modules that are two true modules merged (whole blocks light up in one column);
# - R = 4: the four blocks, and the moonlighting genes with weight in two columns;
# - R = 5 and 6: the extra modules. What do they look like? Are they split copies of true modules,
#   or faint noise spread over many genes?

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
slider = widgets.IntSlider(value=R_true, min=1, max=6, step=1, description="R",
                           continuous_update=False)
explorer = widgets.interactive(show_W, R=slider)
display(explorer)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Against shuffled data: what a table without structure gains
#
# Every criterion above rises (or falls) with R on *any* table, so its curve alone does not
# say how much of a gain is structure. Frigyesi & Höglund (2008) and the R package NMF (Gaujoux
# & Seoighe 2010, its `randomize()`) compare each criterion with the same criterion on a
# **shuffled copy** of the data. We shuffle within each row: every gene keeps its own counts,
# but which sample gets which count is random, so the genes no longer rise and fall together
# and there are no modules left to find. (R NMF's `randomize()` shuffles within each column
# instead; `readouts.shuffled_like(V, within="columns")` does that.) The rule that reads the two
# curves: **add modules while the real curve gains more than the shuffled one**; the chosen R
# is where it stops (`readouts.rank_against_null`).
#
# ### Exercise: a shuffled copy
# Write `my_shuffled_like(V, seed)` that returns a new table with the entries of each row of
# `V` in a random order, each row permuted on its own, from `np.random.default_rng(seed)`.
# `V` itself must not change.

# %% nbgrader={"grade": false, "grade_id": "04_choosing_R-my_shuffled_like", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_shuffled_like(V, seed):
    """V with the entries of each row in random order (each row its own permutation)."""
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    return rng.permuted(V, axis=1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "04_choosing_R-my_shuffled_like-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_shuffled_like(my_shuffled_like)

# %% [markdown] slideshow={"slide_type": "subslide"}
# From here on we use `readouts.shuffled_like`. The shuffled table goes through the same
# scans as the real one: the rank scan (2 restarts per R instead of 5, to save time), the
# held-out scan and the consensus runs, with the same settings.

# %%
V_null = readouts.shuffled_like(V, seed=FIT_SEED)
null_scan = nh.rank_scan(V_null, ranks, n_restarts=2, seed=FIT_SEED)
null_heldout = nh.rank_scan(V_null, ranks, n_restarts=1, seed=FIT_SEED, holdout=0.1).heldout_log_likelihood
null_cophenetic = {R: consensus.cophenetic_correlation(consensus.consensus_matrix(V_null, R, n_runs=20, seed=FIT_SEED, tol=1e-4))
                   for R in range(2, 7)}


def per_fit(scan):
    """Each R's fit criteria as {name: (values, higher is better)}."""
    deviance = np.array([fit.deviance for fit in scan.fits])
    return {"log-likelihood L": (scan.log_likelihood, True),
            "AIC": (scan.aic, False),
            "BIC": (scan.bic, False),
            "deviance / (n − k)": (deviance / (n_obs - scan.n_params), False)}


def three_figures(x):
    """x rounded to 3 significant figures, as text (the last units vary from CPU to CPU)."""
    return f"{float(f'{x:.3g}'):,.10g}"


real_criteria, null_criteria = per_fit(scan), per_fit(null_scan)
null_picks = {name: readouts.rank_against_null(ranks, real_criteria[name][0], null_criteria[name][0], higher)
              for name, (_, higher) in real_criteria.items()}
print("gain in L from R - 1 to R (3 significant figures):")
print(f"{'R':>2}  {'real':>9}  {'shuffled':>9}")
for j, R in enumerate(ranks[1:], start=1):
    print(f"{R:>2}  {three_figures(scan.log_likelihood[j] - scan.log_likelihood[j - 1]):>9}"
          f"  {three_figures(null_scan.log_likelihood[j] - null_scan.log_likelihood[j - 1]):>9}")
print("\nthe last R before the real curve stops gaining more than the shuffled one:")
for name, R in null_picks.items():
    print(f"  {name:<20} R = {R}")
print(f"\nheld-out entries: best R on the real table {ranks[np.argmax(heldout)]}, on the shuffled one {ranks[np.argmax(null_heldout)]}")
print("cophenetic correlation, real | shuffled: "
      + ", ".join(f"R = {R}: {cophenetic[R]:.2f} | {null_cophenetic[R]:.2f}" for R in null_cophenetic))

# %%
REAL, NULL = {"color": "#0072B2", "marker": "o", "label": "real"}, {"color": "#E69F00", "marker": "s", "ls": "--", "label": "shuffled"}
fig, axes = plt.subplots(2, 3, figsize=(9.6, 6.6), layout="constrained")
steps = list(ranks[1:])
for ax, name in zip(axes.flat, real_criteria):
    (real, higher), (null, _) = real_criteria[name], null_criteria[name]
    sign = 1 if higher else -1
    gain_real, gain_null = sign * np.diff(real), sign * np.diff(null)
    ax.plot(steps, gain_real, **REAL)
    ax.plot(steps, gain_null, **NULL)
    ax.set_yscale("symlog", linthresh=1e-4 * np.abs(np.concatenate([gain_real, gain_null])).max())
    ax.axvline(null_picks[name], color="grey", ls=":", lw=2)
    ax.set_title(f"{name}: {'gain' if higher else 'fall'}")
ax = axes[1, 1]
ax.plot(list(ranks), heldout - heldout.max(), **REAL)
ax.plot(list(ranks), null_heldout - null_heldout.max(), **NULL)
ax.set_yscale("symlog", linthresh=100)
ax.set_title("held-out L − its best")
ax = axes[1, 2]
ax.plot(list(cophenetic), list(cophenetic.values()), **REAL)
ax.plot(list(null_cophenetic), list(null_cophenetic.values()), **NULL)
ax.set_title("cophenetic correlation")
for ax in axes.flat:
    ax.set_xticks(list(ranks))
    ax.grid(alpha=0.3)
for ax in axes[1]:
    ax.set_xlabel("number of modules R")
axes[0, 0].legend(loc="lower left", fontsize=12)
fig.suptitle("Each criterion on the real table and on its shuffled copy (dotted: the rule's R)")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# How to read the six panels. The first four show what one more module buys, from R − 1 to R
# (a gain in L, a fall in AIC, BIC and D/(n − k); the y axis is logarithmic away from 0):
#
# - Up to R = 4 each module gains the real table hundreds of thousands of log-likelihood and
#   the shuffled one tens of thousands. From R = 5 the real gain drops to about a hundred while
#   the shuffled table still gains tens of thousands each time: the rule stops at R = 4, the
#   true number of modules.
# - L, AIC and BIC must pick the same R: the shuffled table has the same N and M, so the same
#   k at each R, and AIC's and BIC's penalties are the same on both curves and cancel when one is
#   compared with the other. Against a null, the penalty is replaced by what modules gain on a
#   table without structure. D/(n − k) agrees with them here.
# - The shuffled table gains far more per module than Wilks' ½ per parameter (section 3): it is
#   not Poisson noise around one pattern. Each gene keeps its large real spread across samples
#   (in the real table that spread came from the modules), and extra modules soak up some of it.
#   That is the point of a shuffled null: it measures what modules gain on *these* genes once
#   their shared patterns are gone.
#
# The last two panels are criteria that do not improve on every table, and the rule is not
# needed for them; the shuffled curve shows what they look like without structure. The
# held-out score of the shuffled table is best at R = 1 (printed above): no module predicts
# hidden entries of a table without shared patterns, and adding modules makes the predictions
# worse, unevenly. Its cophenetic correlation stays below the real one at every R: noise
# can be clustered, but the clusters change from run to run.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - The best log-likelihood rises with every extra module: the models are nested, and extra
#   modules fit the Poisson noise. Its curve (or the deviance's) has an elbow at the true R but
#   cannot choose R on its own.
# - AIC = 2k − 2L and BIC = k ln n − 2L with k = R(N − 1) + RM free parameters and n = N M
#   observations charge for the parameters; here both pick R = 4. Their caveats: the count k is
#   a modelling choice (R(N + M − R) is another), many entries of W sit at or near the boundary 0, and k
#   grows with the data.
# - The deviance of a correct model is about n − k: a goodness-of-fit check, not only a comparison.
# - Held-out entries and Brunet's consensus need no parameter count; the consensus asks whether
#   the samples form stable groups, which these simulated mixtures do not do cleanly.
# - With converged fits, restarts agree to within a unit on one hill (R = 4), reveal two hills
#   (R = 3), and differ by several units to more than ten beyond the true R (noise). Stopping early imitates local optima.
# - Fitted modules come out in arbitrary order; `nh.match_modules` lines them up with a reference.
# - Against a shuffled copy of the table (each row permuted), add modules while the real curve
#   gains more than the shuffled one: here every fit criterion stops at R = 4, and the shuffled
#   table's held-out score and cophenetic correlation show what a table without modules gives.
#
# **Homework question answered**
# - *Did you recover the correct R?* Yes. On the simulated data (true R = 4), the log-likelihood
#   gains collapse from hundreds of thousands to the noise level after R = 4, AIC, BIC, the
#   deviance check and the held-out entries choose R = 4, and the four fitted modules match the
#   true ones with cosine similarity 0.99 or more.
#
# Next, notebook 05 reads the fitted W: which genes belong to which module, and which genes moonlight.
#
# [← previous](03_update_rules_broadcasting.ipynb) | [course map](../README.md#notebook-map) | [next →](05_reading_W.ipynb)
