# %% [markdown] slideshow={"slide_type": "slide"}
# [← previous](06_provided_data.ipynb) | [course map](../README.md#notebook-map) | [next →](08_calcium_imaging.ipynb)
#
# # 07 · Signals that add up: factories and a lake
#
# Three factories stand on the shore of a lake. On any given day each of them may or may not dump
# waste into it, and when one does, its discharge follows its own hour-by-hour pattern. We never see
# the factories, only the lake: a sensor that measures the contaminant every hour. Can we work out
# from the lake alone what each factory's discharge looks like, and on which days it dumped? NMF can,
# because the lake's water is a **sum** of the factories' discharges, and NMF takes apart sums of
# non-negative signals.
#
# **What you will learn**
# - how to lay out a time series as a data matrix (hours x days) and why the columns must be the observations (days);
# - that NMF recovers each factory's hourly profile from the lake's measurements alone, measured by a correlation with the truth;
# - NMF's scaling ambiguity (W s and H / s fit equally well), shown numerically, and how to choose the scale so H reads as on/off days;
# - when it fails: too few days, a factory that dumps every day (or a constant background), and profiles that hide inside one another.
#
# **What you need first**
# - notebooks 01 and 02 (the model V ≈ W H, the Poisson log-likelihood and `nh.nmf`);
# - notebook 04 (why we use restarts) and notebook 05 (`nh.match_modules`, which lines fitted modules up with true ones).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Setup

# %% tags=["parameters"]
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from threadpoolctl import threadpool_limits

import nmf_helpers as nh
from nmf_course import compare, plots, selfchecks

threadpool_limits(limits=1, user_api="blas")  # thin matrix products (R of 3 to 6): one BLAS thread is faster

plots.use_course_style()  # 13 pt text, figures at most 9.6 inches wide
SEED = 0       # the simulated lake
FIT_SEED = 1   # the random starts of every fit
COLOURS = ["#E69F00", "#56B4E9", "#009E73"]  # Okabe-Ito orange, sky blue, bluish green: colour-blind safe
HOURS = np.arange(12)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · Three factories
#
# Each factory's discharge over a 12-hour working day is a column of the matrix `F` (hours x
# factories). Factories 1 and 2 follow the example in the "NMF for dummies" blog post that this
# notebook is built on. Our factory 3 works two shifts, in the morning and in the evening; the
# blog's factory 3 discharges all day long, and section 9 shows why that one is harder to recover.

# %%
# one column per factory: its discharge, hour by hour, on a day it dumps (concentration units)
F = np.array([
    [0, 0, 9, 5, 3, 2, 1, 0, 0, 0, 0, 0],  # factory 1: a sharp early peak
    [0, 0, 0, 0, 0, 3, 2, 1, 1, 0, 0, 0],  # factory 2: small, around midday
    [2, 5, 6, 4, 0, 0, 0, 0, 2, 4, 3, 1],  # factory 3: a morning shift and an evening shift
], dtype=float).T
N_HOURS, N_FACTORIES = F.shape
print(f"F has shape {F.shape}: {N_HOURS} hours x {N_FACTORIES} factories")
print("total discharge on a dumping day: "
      + ", ".join(f"factory {a + 1}: {F[:, a].sum():g}" for a in range(N_FACTORIES)))

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for a in range(N_FACTORIES):
    ax.plot(HOURS, F[:, a], marker="o", lw=2, color=COLOURS[a], label=f"factory {a + 1}")
ax.set(xlabel="hour of the working day", ylabel="discharge (concentration units)", xticks=HOURS,
       title="What each factory puts into the lake on a day it dumps")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · A thousand days of measurements
#
# Every day each factory tosses a coin: heads it dumps, tails it does not. `D[a, d]` is 1 if factory
# `a` dumped on day `d`. The lake's concentration on day `d` is the sum of the profiles of the
# factories that dumped, which is exactly a matrix product: `C = F @ D`, column `d` of `C` being
# `sum_a F[:, a] D[a, d]`.
#
# **What we measure, and why Poisson.** The blog post feeds the exact concentrations to NMF. Real
# measurements are noisy, so we simulate a sensor that *counts contaminant particles* in a water
# sample each hour: with `PARTICLES = 5` particles per unit of concentration, the count is drawn from
# a Poisson distribution with mean `5 x C`. Three reasons for this choice:
#
# - NMF with the Poisson objective needs the data to be non-negative, not whole numbers: the updates
#   use V only through the ratio `V / (W H)`. Exact concentrations would work as well (they are the
#   noise-free limit).
# - The Poisson log-likelihood is the right objective when the noise is Poisson, so with counts the
#   fit is the maximum-likelihood fit, as in the gene-expression notebooks.
# - Units do not matter for the shapes: the generalised KL divergence behind the Poisson objective
#   satisfies `D(cV ‖ cWH) = c D(V ‖ WH)`, so multiplying the data by `c` multiplies the best `W H` by
#   `c` and leaves the profiles' shapes alone. What `PARTICLES` does change is the noise: Poisson
#   noise has standard deviation `sqrt(mean)`, so more particles per unit means relatively less noise
#   (the widget at the end lets you turn this knob).

# %%
N_DAYS = 1000
PARTICLES = 5  # particles counted per unit of concentration: sets the noise level

rng = np.random.default_rng(SEED)
D = (rng.random((N_FACTORIES, N_DAYS)) < 0.5).astype(int)  # D[a, d] = 1 if factory a dumped on day d
C = F @ D                                                  # the lake's concentration, hours x days
V = rng.poisson(PARTICLES * C)                             # what the sensor counts, hours x days

print(f"V has shape {V.shape}: {V.shape[0]} hours x {V.shape[1]:,} days, {V.sum():,} particles in all")
per_day = np.bincount(D.sum(axis=0), minlength=N_FACTORIES + 1)
print("days on which 0, 1, 2, 3 factories dumped:", ", ".join(f"{k:,}" for k in per_day))
print("days each factory dumped:", ", ".join(f"factory {a + 1}: {D[a].sum():,}" for a in range(N_FACTORIES)))

# %%
day = int(np.flatnonzero(D.sum(axis=0) == 2)[0])  # the first day on which exactly two factories dumped
fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(9.6, 6.5), height_ratios=[1.2, 1])
ax0.plot(HOURS, V[:, day], marker="o", color="black", lw=2, label="measured count")
ax0.plot(HOURS, PARTICLES * C[:, day], color="grey", lw=2, label="expected count (5 x C)")
for a in np.flatnonzero(D[:, day]):
    ax0.plot(HOURS, PARTICLES * F[:, a], ls="--", lw=2, color=COLOURS[a], label=f"factory {a + 1}'s share")
ax0.set(xlabel="hour of the day", ylabel="particles counted", xticks=HOURS,
        title=f"Day {day + 1}: two factories dumped")
ax0.legend(fontsize=12, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
plots.plot_heatmap(ax1, V[:, :60], "The data matrix V: first 60 days", "day", "hour",
                colorbar_label="particles", extent=(0.5, 60.5, N_HOURS - 0.5, -0.5))
ax1.set_yticks(range(0, N_HOURS, 3))
plt.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Laying out the data: hours x days
#
# Each **column** of V is one observation (one day) and each **row** is the same measurement (the
# same hour) on every day. With this layout, `V ≈ W H` says, column by column:
#
#     V[:, d]  ≈  W[:, 0] H[0, d] + W[:, 1] H[1, d] + W[:, 2] H[2, d]
#
# every day is a weighted sum of R = 3 twelve-hour profiles. The columns of W are the factories'
# profiles and column `d` of H says how much of each profile went into day `d`: the same picture as
# genes x samples, with modules replaced by factories.
#
# Two remarks. First, transposing the whole matrix (days x hours) would not ruin the maths, since
# `V.T ≈ H.T W.T` is the same factorisation with the roles swapped, but then the profiles would be
# rows of H and `nh.nmf`'s convention (the columns of W sum to 1) would apply to the days; keep
# observations in columns and the factors read the way the course reads them. Second, what *does*
# ruin the analysis is building the matrix in the wrong order. A real sensor writes one long log:
# day 1's twelve hours, then day 2's, and so on. Reshaping that log needs care:

# %%
log = V.T.reshape(-1)  # the sensor's log: 12 hourly counts of day 1, then 12 of day 2, ...
print(f"the log holds {log.size:,} hourly counts; day 1's are {log[:N_HOURS].tolist()}")

right = log.reshape(N_DAYS, N_HOURS).T  # one row per day, then transpose: hours x days
wrong = log.reshape(N_HOURS, N_DAYS)    # the same shape, but the rows are no longer hours
print(f"right layout equals V: {np.array_equal(right, V)}")
print(f"wrong layout equals V: {np.array_equal(wrong, V)}")
hour_of = np.tile(HOURS, N_DAYS)          # the hour of the day of each entry of the log
print(f"in the wrong layout, row 0 holds hours {hour_of.reshape(N_HOURS, N_DAYS)[0, :14].tolist()} ... "
      f"(days 1 to {N_DAYS // N_HOURS + 1})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Both matrices have shape 12 x 1000 and NMF would happily factorise either; only the first one
# means "hours x days". We fit the wrong one at the end of the next section to see what comes out.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · Fitting with R = 3 and restarts
#
# We know there are three factories, so R = 3. NMF's problem is not convex: different random starts
# can end in different local optima (notebook 04), so we run ten restarts and keep the best.

# %%
fit = nh.nmf(V, 3, n_restarts=10, seed=FIT_SEED)
L_restarts = np.sort(fit.restart_log_likelihoods)[::-1]
print(f"best log-likelihood {fit.log_likelihood:,.1f} (converged: {fit.converged})")
print("the ten restarts ended at:", ", ".join(f"{L:,.1f}" for L in L_restarts))
print(f"all ten within 1 log-likelihood unit of the best: {L_restarts[0] - L_restarts[-1] < 1}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# All ten restarts end within one log-likelihood unit of each other: this lake has one clear optimum.
# NMF returns its components in an arbitrary order. `nh.match_modules` finds the order that lines
# the fitted columns of W up with the true profiles, and `compare.column_correlations` then compares each
# matched pair by their correlation, which ignores scale (we come back to scale in section 6): 1 is a
# perfect match of shape.

# %%
perm = nh.match_modules(F, fit.W)  # fitted column perm[a] is factory a
W_fit, H_fit = fit.W[:, perm], fit.H[perm]
r = compare.column_correlations(F, W_fit)
for a in range(N_FACTORIES):
    print(f"factory {a + 1} = fitted component {perm[a]}: correlation with the true profile r = {r[a]:.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# And the wrongly laid-out matrix from section 4:

# %%
fit_wrong = nh.nmf(wrong, 3, n_restarts=10, seed=FIT_SEED)
r_wrong = compare.column_correlations(F, fit_wrong.W[:, nh.match_modules(F, fit_wrong.W)])
print("wrong layout, correlation with the true profiles:", ", ".join(f"{x:.2f}" for x in r_wrong))

# %% [markdown] slideshow={"slide_type": "subslide"}
# With the wrong layout a "row" is no longer an hour, so the components are not profiles of anything:
# the correlations with the true profiles are far from 1.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6 · The scaling ambiguity
#
# In `W H` each component is a product: column `a` of W times row `a` of H. Multiply the column by any
# positive number `s_a` and divide the row by the same number, and the product does not change:
#
#     (W[:, a] s_a) (H[a, :] / s_a) = W[:, a] H[a, :]
#
# So `(W s, H / s)` fits the data exactly as well as `(W, H)`: NMF cannot know the units of its
# factors. `nh.nmf` picks one choice: each column of W sums to 1, so `W[:, a]` is the *fraction* of
# factory `a`'s daily discharge that falls in each hour, and `H[a, d]` is the number of particles
# factory `a` contributed on day `d`. `compare.rescale(W, H, s)` moves the scale; let us check that the
# log-likelihood really does not notice.

# %%
s = np.array([10.0, 0.1, 3.0])
W_s, H_s = compare.rescale(W_fit, H_fit, s)  # W_s = W_fit * s (columns), H_s = H_fit / s (rows)
L_fit = nh.log_likelihood(V, W_fit, H_fit)
L_s = nh.log_likelihood(V, W_s, H_s)
print(f"log-likelihood of (W, H):         {L_fit:,.2f}")
print(f"log-likelihood of (W s, H / s):   {L_s:,.2f}")
print(f"the same to 12 significant digits: {abs(L_s - L_fit) <= 1e-12 * abs(L_fit)}")
print("column sums of W:    ", ", ".join(f"{x:.3g}" for x in W_fit.sum(axis=0)))
print("column sums of W s:  ", ", ".join(f"{x:.3g}" for x in W_s.sum(axis=0)))
print("typical H on a day factory 1 dumped:", f"{np.median(H_fit[0, D[0] == 1]):.4g} in H, {np.median(H_s[0, D[0] == 1]):.4g} in H / s")


# %% [markdown] slideshow={"slide_type": "subslide"}
# **Exercise: the scaling ambiguity.** Write `my_rescale(W, H, s)` that returns `(W s, H / s)`:
# column `a` of W multiplied by `s[a]` and row `a` of H divided by `s[a]` (`s` holds one positive
# number per component). The product `W H` must not change. NumPy broadcasting does it in two
# expressions; mind which axis of H the numbers of `s` must line up with.

# %% nbgrader={"grade": false, "grade_id": "07_time_series-my_rescale", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_rescale(W, H, s):
    """Return (W s, H / s): column a of W times s[a], row a of H divided by s[a]."""
    ### BEGIN SOLUTION
    s = np.asarray(s, dtype=float)
    return W * s, H / s[:, np.newaxis]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "07_time_series-my_rescale-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_rescale(my_rescale)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7 · Choosing the scale so that H reads as on/off
#
# We *know* something NMF does not: a factory either dumps or it does not, so the natural units make
# H a table of 0s and 1s, and then column `a` of W is factory `a`'s discharge on a dumping day. The
# blog post divides all of H by its largest entry; a single noisy day can throw that off, and one
# number for all rows cannot make each row's "on" value 1. Instead, for each row of H:
#
# 1. the days on which the factory is clearly on are those above half the row's maximum;
# 2. its typical "on" value is the median over those days;
# 3. divide the row by it (and multiply W's column by it) with `compare.rescale`.
#
# Then a day counts as "on" if its value in the rescaled H is above 0.5. The function `score` wraps
# the matching, the rescaling and the comparison with the truth; we reuse it in every later section.

# %%
def on_off_scale(W, H):
    # scale each row of H so that its typical 'on' value (median of the values above half the row's maximum) is 1
    level = np.array([np.median(row[row > row.max() / 2]) for row in H])
    return compare.rescale(W, H, level)


def score(fit, F_true, D_true):
    # match the fit to the true profiles, rescale to on/off units, and compare with the truth
    perm = nh.match_modules(F_true, fit.W)
    W_on, H_on = on_off_scale(fit.W[:, perm], fit.H[perm])
    r = compare.column_correlations(F_true, W_on)
    agreement = ((H_on > 0.5) == (D_true == 1)).mean(axis=1)  # fraction of days called right, per factory
    return r, agreement, W_on, H_on


r, agreement, W_on, H_on = score(fit, F, D)
profile_fit = W_on / PARTICLES  # back from particles to concentration units, to compare with F
for a in range(N_FACTORIES):
    print(f"factory {a + 1}: r = {r[a]:.4f}; on/off called right on {agreement[a]:.1%} of days; "
          f"largest profile error {np.abs(profile_fit[:, a] - F[:, a]).max():.2f} (peak {F[:, a].max():g})")
print(f"all factories: {agreement.mean():.1%} of the {N_FACTORIES * N_DAYS:,} factory-days called right")

# %%
fig, axes = plt.subplots(1, N_FACTORIES, figsize=(9.6, 4), sharey=True)
bins = np.linspace(0, 1.8, 46)
for a, ax in enumerate(axes):
    ax.hist(H_on[a, D[a] == 1], bins=bins, color=COLOURS[a], label="dumped")
    ax.hist(H_on[a, D[a] == 0], bins=bins, color="grey", label="did not")
    ax.axvline(0.5, color="black", ls=":", lw=2, label="cut at 0.5")
    ax.set(title=f"factory {a + 1}")
axes[0].set_ylabel("number of days")
axes[1].legend(fontsize=12)
fig.supxlabel("rescaled H (1 = a typical dumping day)", fontsize=13)
fig.suptitle("Rows of the rescaled H, split by what each factory did")
plt.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the recovered profiles, in concentration units, on top of the true ones:

# %%
fig, ax = plt.subplots(figsize=(9.6, 5.5))
for a in range(N_FACTORIES):
    ax.plot(HOURS, F[:, a], marker="o", lw=3, color=COLOURS[a], alpha=0.6, label=f"factory {a + 1}, true")
    ax.plot(HOURS, profile_fit[:, a], ls="--", marker="x", lw=2, color=COLOURS[a],
            label=f"factory {a + 1}, NMF (r = {r[a]:.3f})")
ax.set(xlabel="hour of the working day", ylabel="discharge (concentration units)", xticks=HOURS,
       title="Truth (solid) and NMF's recovery (dashed)")
ax.set_ylim(-0.5, 13)  # room for the legend above the curves
ax.legend(fontsize=12, ncol=2, loc="upper right")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8 · Fewer days
#
# Each day adds 12 numbers to V but also 3 unknowns to H, while W has a fixed 3 x 11 free numbers
# (each column sums to 1). With few days there is little to pin W down, and every day's noise weighs
# more. We refit on the first 6, 10, 20, 50, ... days of the same data. (With fewer days than about
# twice the number of factories, many different W and H fit V exactly, and which one NMF returns
# is an accident of the start and of the machine's rounding: there is no answer to score.)

# %%
day_counts = [6, 10, 20, 50, 100, 1000]
fewer = []
lines = [" days   r (factories 1, 2, 3)   on/off right (1, 2, 3)   days each dumped"]
for n in day_counts:
    r_n, agreement_n, _, _ = score(nh.nmf(V[:, :n], 3, n_restarts=5, seed=FIT_SEED), F, D[:, :n])
    fewer.append((r_n, agreement_n))
    lines.append(f"{n:5,}   " + " ".join(f"{x:.3f}" for x in r_n) + "     "
                 + " ".join(f"{x:6.1%}" for x in agreement_n) + "     " + ", ".join(f"{k}" for k in D[:, :n].sum(axis=1)))
print("\n".join(lines))

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9.6, 4.2))
for a in range(N_FACTORIES):
    ax0.plot(day_counts, [f[0][a] for f in fewer], marker="o", lw=2, color=COLOURS[a], label=f"factory {a + 1}")
    ax1.plot(day_counts, [f[1][a] for f in fewer], marker="o", lw=2, color=COLOURS[a], label=f"factory {a + 1}")
ax0.set(xscale="log", xlabel="number of days", ylabel="correlation with truth",
        title="Profiles")
ax1.set(xscale="log", xlabel="number of days", ylabel="fraction of days called right",
        title="On/off days")
for ax in (ax0, ax1):
    ax.set_xticks(day_counts, [f"{n:,}" if n in (6, 10, 100, 1000) else "" for n in day_counts])
    ax.minorticks_off()
ax0.legend()
plt.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# At this noise level (5 particles per unit of concentration) a handful of days is already enough.
# With 6 days one profile is still visibly off (a correlation of 0.939), though every on/off call
# is right; from 10 days on every correlation is above 0.99, and with 50 days or more every
# correlation is above 0.994. How many days are
# enough depends on the noise (try fewer particles per unit in the widget of section 10) and on luck:
# NMF learns a factory's profile from the days that show it with different partners, and with a
# handful of days there are few such contrasts.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9 · When NMF cannot tell: a factory that always dumps, and profiles inside profiles
#
# ### A factory that dumps every day
#
# Suppose factory 1 dumps every single day. Then its profile is in every column of V, and nothing
# in the data separates "factory 1" from "a bit of factory 1 that belongs to factory 2 or 3". Indeed,
# for any α, β ≥ 0 with α + β ≤ 1,
#
#     W' = [f1, f2 + α f1, f3 + β f1]     H' = [1 - α d2 - β d3, d2, d3]
#
# is non-negative and gives exactly the same `W' H' = W H` (check it by multiplying out). Same
# product, same log-likelihood: the data cannot prefer the truth. The same holds for any always-on
# signal, such as a constant background level in the lake: it cannot be told apart from a share of
# each factory's profile (notebook 08 meets such a background in a movie).

# %%
D_always = D.copy()
D_always[0] = 1  # factory 1 now dumps every day
V_always = rng.poisson(PARTICLES * F @ D_always)  # what the sensor would count in that lake

alpha, beta = 0.5, 0.5
W_alt = np.column_stack([F[:, 0], F[:, 1] + alpha * F[:, 0], F[:, 2] + beta * F[:, 0]])
H_alt = np.vstack([1 - alpha * D_always[1] - beta * D_always[2], D_always[1], D_always[2]])
L_true = nh.log_likelihood(V_always, PARTICLES * F, D_always)
L_alt = nh.log_likelihood(V_always, PARTICLES * W_alt, H_alt)
print(f"H' is non-negative: {H_alt.min() >= 0}; W' H' equals W H: {np.allclose(W_alt @ H_alt, F @ D_always)}")
print(f"log-likelihood of the truth {L_true:,.2f}, of the alternative {L_alt:,.2f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# So much for the maths; now we simulate a lake in which factory 1 dumps every day, and fit it:

# %%
fit_always = nh.nmf(V_always, 3, n_restarts=10, seed=FIT_SEED)
r_always, agreement_always, W_always, _ = score(fit_always, F, D_always)
# which of the equally good fits NMF returns depends on the machine's rounding (see below),
# so we print what every run shares
print(f"factory 1's profile recovered (r > 0.99): {r_always[0] > 0.99}; "
      f"factory 2's or 3's, or both, off (r < 0.99): {bool(r_always[1:].min() < 0.99)}")
print(f"on/off days of factories 2 and 3 called right (above 98%): {bool(np.all(agreement_always[1:] > 0.98))}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# In real data nobody tells us which factory always dumps. **Exercise.** Write
# `my_always_on(H, threshold)` that returns one True/False per *row* of H (per component): True when
# that component is above `threshold` on every day (every column). Then we ask the fit.

# %% nbgrader={"grade": false, "grade_id": "07_time_series-my_always_on", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_always_on(H, threshold=0.5):
    """One True/False per row of H: is that component above threshold on every day?"""
    ### BEGIN SOLUTION
    return (np.asarray(H) > threshold).all(axis=1)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "07_time_series-my_always_on-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_always_on(my_always_on)

# %%
_, _, _, H_always_on = score(fit_always, F, D_always)
on_every_day = (H_always_on > 0.5).all(axis=1)  # what my_always_on computes
print("fitted components on every day (factories 1, 2, 3):", ", ".join(str(x) for x in on_every_day))
print(f"the fitted factory 1 is on more than 800 of the {N_DAYS:,} days: {(H_always_on[0] > 0.5).sum() > 800}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Profiles inside profiles: the blog's factory 3
#
# The blog's factory 3 discharges from hour 1 to hour 9, covering every hour in which factory 2
# discharges (hours 5 to 8). So `f3 - c f2` stays non-negative for `0 ≤ c ≤ 1` (at hour 8 both are 1),
# and `W' = [f1, f2, f3 - c f2]` with `H' = [d1, d2 + c d3, d3]` fits exactly as well. With noise, the
# maximum-likelihood fit tends to carve as much as it can out of the broad profile.
#
# **When is NMF's answer unique?** Both failures have the same cause: one component could borrow a
# share of another and stay non-negative. So each component must be *missing* somewhere the others
# are present, in its profile (zeros in W) and in its days (zeros in H). That is a rough *necessary*
# condition, and it is not enough on its own. Donoho and Stodden (2003, "When does non-negative
# matrix factorization give a correct decomposition into parts?", NIPS 16) gave a condition that is
# *sufficient*: **separability**. Each part has an *anchor*, an hour in which only that factory
# discharges; an anchor cannot be built from the other parts, so no part can borrow from another.
# Together with days on which the factories dump in every combination (their "complete factorial
# sampling", which our coin tosses give: days with one factory alone, with two, with three), the
# factorisation is unique up to order and scale. Our factories have anchors: hour 4 belongs to
# factory 1 alone, hour 7 to factory 2 alone, hours 0, 1 and 9 to 11 to factory 3 alone. The blog's
# all-day factory 3 covers every hour of factories 1 and 2, so they have no anchor, the condition
# fails, and the fit mixes them. (In the always-on lake the profiles keep their anchors, but no day
# shows factory 2 or 3 without factory 1, which breaks the other half.) We write the fitted factory 3 as a combination of the three true
# profiles (least squares) to see what it is made of.

# %%
F_blog = F.copy()
F_blog[:, 2] = [0, 5, 5, 6, 6, 7, 4, 2, 1, 0.5, 0, 0]  # the blog's factory 3, on all day
V_blog = rng.poisson(PARTICLES * F_blog @ D)
fit_blog = nh.nmf(V_blog, 3, n_restarts=10, seed=FIT_SEED)
r_blog, agreement_blog, W_blog, _ = score(fit_blog, F_blog, D)
coef = np.linalg.lstsq(F_blog, W_blog[:, 2] / PARTICLES, rcond=None)[0]
coef /= coef[2]  # fitted factory 3 = f3 + coef[0] f1 + coef[1] f2, up to scale
# the exact numbers depend on the machine's rounding (see below), so we print what every machine shares
print(f"factories 1 and 2 recovered (r > 0.99): {bool(np.all(r_blog[:2] > 0.99))}; "
      f"factory 3 not (r < 0.9): {r_blog[2] < 0.9}")
print(f"on/off days called right: factories 1 and 3 above 99%: {bool(np.all(agreement_blog[[0, 2]] > 0.99))}; "
      f"factory 2 below 90%: {agreement_blog[1] < 0.9}")
print(f"fitted factory 3 = f3 - a f1 - c f2 (least squares, up to scale) with a and c above 0.3: "
      f"{bool(np.all(coef[:2] < -0.3))}")

# %%
from matplotlib.lines import Line2D

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9.6, 5), sharey=True)
for ax, F_true, W_found, title in ((ax0, F, W_always, "Factory 1 on every day"),
                                    (ax1, F_blog, W_blog, "Blog's all-day factory 3")):
    for a in range(N_FACTORIES):
        ax.plot(HOURS, F_true[:, a], marker="o", lw=3, alpha=0.6, color=COLOURS[a])
        ax.plot(HOURS, W_found[:, a] / PARTICLES, ls="--", marker="x", lw=2, color=COLOURS[a])
    ax.set(xlabel="hour of the working day", xticks=HOURS[::2], title=title)
ax0.set_ylabel("discharge (concentration)")
handles = [Line2D([], [], color=COLOURS[a], lw=3, label=f"factory {a + 1}") for a in range(N_FACTORIES)]
handles += [Line2D([], [], color="grey", lw=3, marker="o", label="true"),
            Line2D([], [], color="grey", lw=2, ls="--", marker="x", label="NMF")]
fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=12, frameon=False)
plt.tight_layout(rect=(0, 0.08, 1, 1))
plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# With factory 1 always on, part of its early peak (hours 2 to 6) leaks into the recovered profile
# of factory 2, of factory 3, or of both (in the left panel, the bumps of their dashed curves around
# hour 2); how much goes where differs from one run to another, which is why the cell above prints
# only what every run shares. The test of the exercise finds *no* component that is on every day:
# the fitted factory 1 is called off on some days, often days on which factories 2 and 3 both
# dumped, where the shares of factory 1 borrowed by their profiles add up to much of it. Still, it
# is on far more days than a coin-tossing factory dumps (more than 800 of the 1,000, against about
# half), and that excess is the hint to look for in real data. With the blog's all-day factory 3, the recovered
# factory 3 has factory 2 and some of factory 1 carved out of it, and factory 2's row of H picks up
# factory 3's days, so its on/off calls suffer (the checks printed above).
#
# In both cases other factorisations fit exactly as well as the truth (as the equal log-likelihoods
# above showed for the always-on factory); it is the *data* that cannot decide. Which of these equally
# good fits NMF returns is then decided by the start and by rounding: on another computer (another
# BLAS library) the blog's fit ends at a slightly different mixture (we have seen r = 0.84 and 0.86 for
# factory 3, and 82% and 84% of factory 2's days called right), which is why these cells print
# only what every run shares. More days of the same kind do not help: only days without the
# always-on factory, or hours without the broad profile, would.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10 · Explore: number of days and noise
#
# Move the sliders: **days** is how many days are simulated, **particles per unit** sets the noise
# (fewer particles, relatively more Poisson noise). Each change simulates a new lake (fixed seed),
# fits NMF with three restarts and draws the recovered profiles over the true ones, with the
# correlations and the fraction of on/off days called right.
# Things to try: 10 days. In those 10 days factory 1 never dumps without factory 2, so factory 1's
# profile can take in part of factory 2's (the ambiguity of section 9): even with 100 particles per
# unit (almost no noise) NMF calls half of factory 2's days wrong. With 20 days, which show
# factory 1 without factory 2, all three profiles and every on/off day are recovered at 100
# particles per unit, and at 2 particles per unit the noise costs a day or so of factory 2's. And 0.2 particles per unit blurs the on/off days even with
# 1,000 of them.

# %% @deathbeds/jupyterlab-fonts={"styles": {"": {"body[data-jp-deck-mode='presenting'] &": {"& .jp-Cell-inputWrapper": {"display": "none"}}}}} slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
def explore(n_days=1000, particles=5.0):
    rng_explore = np.random.default_rng(SEED + 1)
    D_x = (rng_explore.random((N_FACTORIES, n_days)) < 0.5).astype(int)
    V_x = rng_explore.poisson(particles * F @ D_x)
    r_x, agreement_x, W_x, _ = score(nh.nmf(V_x, 3, n_restarts=3, seed=FIT_SEED), F, D_x)
    fig, ax = plt.subplots(figsize=(9.6, 5))
    for a in range(N_FACTORIES):
        ax.plot(HOURS, F[:, a], marker="o", lw=3, alpha=0.6, color=COLOURS[a], label=f"factory {a + 1}, true")
        ax.plot(HOURS, W_x[:, a] / particles, ls="--", marker="x", lw=2, color=COLOURS[a],
                label=f"NMF: r = {r_x[a]:.3f}, on/off {agreement_x[a]:.0%}")
    ax.set(xlabel="hour of the working day", ylabel="discharge (concentration)", xticks=HOURS,
           title=f"{n_days:,} days, {particles:g} particles per unit")
    ax.legend(fontsize=12, ncol=2, loc="upper right")
    plt.show()


days_slider = widgets.SelectionSlider(options=[10, 20, 50, 100, 200, 500, 1000], value=1000,
                                      description="days", continuous_update=False)
particles_slider = widgets.SelectionSlider(options=[0.2, 0.5, 1, 2, 5, 20, 100], value=5,
                                           description="particles per unit", continuous_update=False,
                                           style={"description_width": "initial"})
output = widgets.interactive_output(explore, {"n_days": days_slider, "particles": particles_slider})
display(widgets.HBox([days_slider, particles_slider]), output)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Lay the data out with one **observation per column** (days) and the same measurement in each row
#   (hours). Then `V ≈ W H` says each day is a weighted sum of R profiles: W's columns are the
#   factories' profiles, H's columns say how much each factory contributed that day. Reshaping a
#   long log into that matrix must keep each day's hours together.
# - With 1,000 days, R = 3 and ten restarts, NMF recovered the three factory profiles from the lake
#   alone (correlations printed in section 5) and, after rescaling, which factory dumped on which day.
# - W and H are only defined up to scale: `(W s, H / s)` has exactly the same log-likelihood. We
#   chose the scale from what we know (a factory is on or off) so that H reads as 0/1 days.
# - NMF needs enough observations, and each component must be absent somewhere: a factory that
#   dumps every day (or a constant background), or a profile that covers another, gives other
#   factorisations that fit exactly as well, and NMF's answer mixes the true profiles. A sufficient
#   condition for a unique answer is separability (Donoho & Stodden 2003): every part has an anchor,
#   an hour where it alone is active, and the days show the parts in every combination.

# %% [markdown] slideshow={"slide_type": "skip"}
# [← previous](06_provided_data.ipynb) | [course map](../README.md#notebook-map) | [next →](08_calcium_imaging.ipynb)
