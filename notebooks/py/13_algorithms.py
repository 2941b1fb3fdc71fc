# %% [markdown]
# [← previous](12_mutational_signatures.ipynb) | [course map](../README.md#notebook-map) | [next →](14_audio.ipynb)
#
# # 13 · Algorithms: why multiplicative updates are slow, and what is faster
#
# Every fit in this course so far came from Lee & Seung's multiplicative update (MU), usually
# through `nh.nmf`, whose engine adds extrapolation to it. This notebook opens the box: why each
# multiplicative step can only go downhill, why its steps are short, and what the field does
# instead: extrapolation, coordinate descent, better starts, and stopping rules that know what
# they are missing. We end with penalties that make the parts sparse on purpose.
#
# **What you will learn**
# - MU as a **majorization-minimization** step: the auxiliary function of Lee & Seung (2001),
#   and why every step is monotone but short;
# - why MU **crawls**: entries whose optimum is 0 shrink by a factor per step and never arrive;
#   and why a fit can **stop on a saddle point**, and how a perturbation and a second run leave it;
# - what the course's default engine (`nmf_course.fastfit`) adds: extrapolation with a
#   safeguard checked every 10 steps, how often the extrapolation is kept, and the test of
#   every stopped point;
# - **coordinate descent**: HALS for the squared error and Newton steps for the Poisson
#   deviance, one row or column at a time in closed form;
# - **NNDSVD** starts against random ones;
# - three **stopping rules** and what each misses;
# - **L1 and L2 penalties** in the multiplicative update, and **Hoyer's sparseness**.
#
# **What you need first:** notebooks 02 (the updates and the deviance) and 10 (the squared-error
# objective).

# %% tags=["parameters"]
import inspect
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import xlogy                # x log y, with 0 log 0 = 0

import nmf_helpers as nh
from nmf_course import algorithms, fastfit, frobenius, plots, selfchecks
from nmf_course.fastfit import fit_kl

SEED = 0         # the random starts
DATA_SEED = 13   # the simulated table (the homework's shape: 100 genes x 60 samples, 4 modules)
plots.use_course_style()

# %%
notebook_start = time.perf_counter()

sim = nh.simulate(seed=DATA_SEED)           # the homework's table: 100 genes x 60 samples, 4 modules
V = sim.V.astype(float)
N, M = V.shape
R = 4
W0, H0 = nh.random_start(np.random.default_rng(SEED), N, M, R, V)   # one random start for all
fit = nh.nmf(V, R, init=(W0, H0))           # converged, by the course's stopping rule
print(f"V: {N} x {M}, R = {R}; the converged fit from the shared start: deviance {fit.deviance:,.1f}")

# %% [markdown]
# ## 1. The multiplicative update as majorization-minimization
#
# Fix everything but one entry $h = H_{aj}$. Along $h$ the deviance of column $j$ is
# $D(h) = 2\sum_i \big[V_{ij}\log\frac{V_{ij}}{W_{ia}h + c_{ij}} - V_{ij} + W_{ia}h + c_{ij}\big]$,
# with $c_{ij}$ the part of $(WH)_{ij}$ the other modules predict. The logarithm of a sum is hard
# to minimise; Lee & Seung (2001) replace it by a **majorizer**: with the shares
# $\lambda_i = W_{ia}h_0/(WH)_{ij}$ at the current value $h_0$, Jensen's inequality gives
# $-\log(W_{ia}h + c_{ij}) \le -\lambda_i\log\frac{W_{ia}h}{\lambda_i} - (1-\lambda_i)\log\frac{c_{ij}}{1-\lambda_i}$, so
#
# $$G(h) = D(h_0) + 2\Big[s\,(h - h_0) - b\log\frac{h}{h_0}\Big],\qquad s = \sum_i W_{ia},\quad
#   b = h_0\sum_i \frac{W_{ia}V_{ij}}{(WH)_{ij}},$$
#
# lies **above** $D$ everywhere and **touches** it at $h_0$. Its minimum, $h = b/s$, is exactly
# the multiplicative update of that entry (`algorithms.mu_entry`). Minimising something that lies
# above $D$ and touches it can never raise $D$: $D(h_1) \le G(h_1) \le G(h_0) = D(h_0)$. That is
# why every MU step is monotone.
#
# How far does one step go? The next cell holds the converged fit fixed except for one entry of
# $H$, moves that entry to 3 times its optimum, and takes one multiplicative step of it alone;
# for each of the entries of $H$ in turn.

# %%
fractions = np.full((R, M), np.nan)
for a, j in np.ndindex(R, M):
    if fit.H[a, j] < 1e-6 * fit.H[:, j].sum():
        continue                                      # an optimum at 0: section 2
    H_start = fit.H.copy()
    H_start[a, j] *= 3
    h1 = algorithms.mu_entry(V, fit.W, H_start, a, j)
    fractions[a, j] = (H_start[a, j] - h1) / (H_start[a, j] - fit.H[a, j])
print(f"{np.sum(~np.isnan(fractions))} entries started at 3 x their optimum: one step covers "
      f"{np.nanmin(fractions):.1%} to {np.nanmax(fractions):.1%} of the way "
      f"(median {np.nanmedian(fractions):.0%})")
a, j = np.unravel_index(np.nanargmin(fractions), fractions.shape)
share = fit.W[:, a] * fit.H[a, j] / (fit.W @ fit.H[:, j])     # lambda_i: module a's share of (WH)_ij
print(f"the shortest, H[{a}, {j}]: there D's curvature is {(share**2 @ V[:, j]) / (share @ V[:, j]):.0%} "
      f"of the majorizer's")


# %% [markdown]
# Every entry moved to 3 times its optimum comes back in one step by about half the way
# (49.6%) or more, most of them (the median) by 96%. The shortest step belongs to an entry whose module makes
# only a small share $\lambda_i$ of the predictions in the genes that carry it: there the
# majorizer's logarithm is weighted by those small shares, so $G$ curves far more than $D$
# (at that entry, $D$'s curvature is 26% of $G$'s), and its minimum lies close to $h_0$. The
# figure shows that entry; drag the slider to move $h_0$ (the orange dot) and watch where the
# minimum of $G$ (the red triangle) lands, and where $D$ is there (the red dot below it).

# %% tags=["nbval-ignore-output"]
h_best = fit.H[a, j]


others = fit.W @ fit.H[:, j] - fit.W[:, a] * h_best         # c_i: what the other modules predict


def column_deviance(h):
    """The deviance of column j with H[a, j] = h (a number or an array), the rest at the fit."""
    WH = others[:, np.newaxis] + np.outer(fit.W[:, a], h)
    v = V[:, [j]]
    D = 2 * np.sum(xlogy(v, v / WH) - v + WH, axis=0)
    return D if np.ndim(h) else float(D[0])


def majorizer(h, h0):
    """Lee & Seung's auxiliary function G(h) at the current value h0."""
    H_now = fit.H.copy()
    H_now[a, j] = h0
    s = fit.W[:, a].sum()
    b = h0 * fit.W[:, a] @ (V[:, j] / (fit.W @ H_now[:, j]))
    return column_deviance(h0) + 2 * (s * (h - h0) - b * np.log(h / h0))


def mu_from(h0):
    H_now = fit.H.copy()
    H_now[a, j] = h0
    return algorithms.mu_entry(V, fit.W, H_now, a, j)


def show_majorizer(factor=3.0):
    h0 = factor * h_best
    h = np.linspace(0.05, 4.2, 300) * h_best
    floor = column_deviance(h_best)
    h1 = mu_from(h0)
    fig, ax = plt.subplots(figsize=(9.6, 4.6), layout="constrained")
    ax.plot(h, column_deviance(h) - floor, color="k", lw=2, label="deviance D(h)")
    ax.plot(h, majorizer(h, h0) - floor, color="C1", lw=2, label="majorizer G(h), touching at h0")
    ax.plot([h0], [column_deviance(h0) - floor], "o", color="C1", ms=9, label="current value h0")
    ax.plot([h1], [majorizer(h1, h0) - floor], "v", color="C3", ms=10,
            label=f"MU step: G's minimum, h1 = {h1 / h_best:.2f} x optimum")
    ax.plot([h1], [column_deviance(h1) - floor], "o", color="C3", ms=7)
    ax.axvline(h_best, color="#888888", lw=1, ls="--", label="optimum of D")
    top = max(column_deviance(h0), column_deviance(h[0])) - floor
    ax.set_ylim(-0.05 * top, 1.3 * top)
    ax.set_xlabel(f"H[{a}, {j}] (counts)")
    ax.set_ylabel("deviance of column j above its optimum")
    ax.set_title(f"one entry of H, the rest fixed: h0 = {factor:.2f} x optimum")
    ax.legend(fontsize=10, loc="upper center", ncols=2)
    plt.show()


factor_slider = widgets.FloatSlider(value=3.0, min=0.2, max=4.0, step=0.1, description="h0 / optimum",
                                    continuous_update=False, style={"description_width": "initial"})
_ = widgets.interact(show_majorizer, factor=factor_slider)

# %% [markdown]
# Drag $h_0$ below the optimum: the steps are shorter still, because there the entry's share of
# the predictions is smaller. And in a real fit every entry of $W$ and $H$ takes such a step at once, each on its
# own majorizer built from the others' old values, so where modules trade genes the whole fit
# moves only a fraction of the way at each step. That is why MU needs thousands of steps.
#
# **Exercise 1.** Write `my_majorizer_minimum(V, W, H, a, j)`: the value of $H_{aj}$ after one
# multiplicative step of that entry alone, $b/s$ in the formula above.

# %%
def my_majorizer_minimum(V, W, H, a, j):
    ### BEGIN SOLUTION
    h0, w = H[a, j], W[:, a]
    b = h0 * np.sum(w * V[:, j] / (W @ H[:, j]))
    return b / w.sum()
    ### END SOLUTION


# %%
selfchecks.check_majorizer_minimum(my_majorizer_minimum)

# %% [markdown]
# ## 2. Why multiplicative updates crawl
#
# **An optimum at 0 is never reached.** A multiplicative step multiplies an entry by a factor;
# for $H$ (with $W$'s columns summing to 1) the factor is $\rho_{aj} = \sum_i W_{ia}V_{ij}/(WH)_{ij}$.
# At an optimum in the interior $\rho = 1$; where the optimum is at 0 the gradient pushes against
# the wall and $\rho < 1$: the entry shrinks by the same factor at every step, geometrically, and
# is never 0. The next cell finds the entries of the converged fit that sit at 0, and the factor
# each shrinks by.

# %%
rho = fit.W.T @ nh.ratio(V, fit.W @ fit.H)                 # the factor each entry of H is multiplied by
at_zero = (fit.H < 1e-6 * fit.H.sum(axis=0)) & (rho < 1)
print(f"entries of H shrinking towards 0: {at_zero.sum()} of {H0.size}")
for r in np.sort(rho[at_zero & (rho < 0.999)]):
    steps = float(f"{np.log(0.1) / np.log(r):.2g}")           # 2 significant digits
    print(f"factor {r:.4f} per step: tenfold smaller every {steps:,.0f} steps")
print(f"and {np.sum(at_zero & (rho >= 0.999))} with factors within 0.001 of 1: tenfold smaller only "
      f"every {float(f'{np.log(0.1) / np.log(0.999):.2g}'):,.0f} steps or more")

# %% [markdown]
# Five entries of $H$ are heading for 0. Each is multiplied by a factor below 1 at every step: the
# fastest by 0.9767 (tenfold smaller every 98 steps), the next by 0.9923 (every 300 steps), and
# three by factors so close to 1 that a tenfold shrink takes 2,300 steps or more. None is ever exactly 0. The extrapolation of section 3
# multiplies such factors up, which helps the fast engine here too. (scikit-learn's MU solver sets
# entries of $H$ to exactly 0 once they fall below machine epsilon; notebook 10 showed what that
# costs.)
#
# **A saddle point can stop a fit.** Start a fit of R = 4 from four identical columns of $W$ and
# four identical rows of $H$. A multiplicative step treats identical parts identically, so they
# stay identical at every step: the fit is a rank-1 fit in disguise. Where it ends, the gradient
# of the rank-4 deviance is 0, as at a minimum, but it is a **saddle point**: the deviance can
# still fall far, in directions these steps never take. We run `fit_kl` from there without its
# test of stopped points (`escape=False`) and with it (the default), and do the test once by hand:
# multiply every entry of the stopped $W$ and $H$ by $e^{0.1 z}$ ($z$ standard normal) and fit
# again from there.

# %%
W_sym = np.full((N, R), 1 / N)                   # R identical columns of W ...
H_sym = np.tile(V.sum(axis=0) / R, (R, 1))       # ... and R identical rows of H
stuck = fit_kl(V, W_sym, H_sym, escape=False)    # the engine without its test
default = fit_kl(V, W_sym, H_sym)                # the default: every stopped point is tested
rank1 = nh.deviance(V, V.sum(axis=1, keepdims=True) / V.sum(), V.sum(axis=0, keepdims=True))
rng = np.random.default_rng(fastfit.ESCAPE_SEED)  # the test by hand: perturb, fit again
W_kick = stuck.W * np.exp(fastfit.ESCAPE_SIZE * rng.standard_normal((N, R)))
H_kick = stuck.H * np.exp(fastfit.ESCAPE_SIZE * rng.standard_normal((R, M)))
test = fit_kl(V, W_kick, H_kick, escape=False)
end_stuck, end_test, end_default = (f.deviance_trace[-1] for f in (stuck, test, default))
print(f"escape=False: converged {stuck.converged}; W's columns still identical "
      f"{np.allclose(stuck.W, stuck.W[:, :1], rtol=1e-9, atol=0)}; deviance {end_stuck:,.0f}, "
      f"the best rank-1 fit's {np.isclose(end_stuck, rank1, rtol=1e-9)}")
print(f"  {(end_stuck - fit.deviance) / 1e6:.2f} million units above the converged fit from the "
      f"random start ({fit.deviance:,.0f})")
print(f"the test by hand: from the perturbed point the fit falls {(end_stuck - end_test) / 1e6:.2f} "
      f"million units, to {fit.deviance - end_test:.1f} below that converged fit")
print(f"the default fit: converged {default.converged}, escape tests {default.escape_tests}, "
      f"ends {fit.deviance - end_default:.1f} below that converged fit")

best_sym = min(end_test, end_default)
fig, ax = plt.subplots(figsize=(9.6, 4.4), layout="constrained")
ax.semilogy(50 * np.arange(len(stuck.deviance_trace)), stuck.deviance_trace - best_sym + 1e-2,
            "o-", ms=4, label="fit_kl(escape=False): stops on the saddle, converged")
ax.semilogy(stuck.n_iter + 50 * np.arange(len(test.deviance_trace)), test.deviance_trace - best_sym + 1e-2,
            "o-", ms=3, label="the test by hand: perturbed, then fitted again")
ax.semilogy([default.n_iter], [end_default - best_sym + 1e-2], "*", ms=14, color="C3",
            label="the default fit_kl (tests included): its end, after all its steps")
ax.set_xlabel("multiplicative steps (extrapolated, fit_kl)")
ax.set_ylabel("deviance above the lowest end (+0.01)")
ax.set_title("R = 4 from a symmetric start: a saddle point, and the way out")
ax.legend()
plt.show()

# %% [markdown]
# Without the test the fit stops within a few checks, reports `converged: True`, and sits on the
# best rank-1 fit, 3.23 million units above the converged fit from the random start. Nothing in
# its trace gives it away: the deviance stopped falling because the gradient is 0 there, as it is
# at a minimum. The perturbation breaks the symmetry, and from there the fit falls by 3.23 million
# units, to 0.4 below that converged fit (another local optimum, slightly lower). `fit_kl` makes
# this test wherever the stopping rule holds: it perturbs the stopped point (with a fixed seed, so
# the same call gives the same fit), runs again until the same rule holds or until it is 0.1 units below the
# stopped point, goes on from the new point if it got more than 0.1 units lower, and otherwise
# keeps the stopped point (which of two points that close is lower is decided by rounding). The default fit
# here ran 2 tests: the first left the saddle, the second found nothing more.
#
# An exact saddle is made on purpose; in real fits a path can pass *close* to one, look flat for a
# long time, and then fall again. A rule that looks only at recent progress stops on such a pause;
# the test catches it there too, at the price of a second run at every stop. It does not replace
# restarts (notebook 04): from a local minimum, a small perturbation falls back to the same point.
#
# ## 3. The course's default engine, opened up
#
# `nh.nmf` calls `fastfit.fit_kl`. After each multiplicative step from the point $Y$ (giving
# $X_k$) it **extrapolates** along the last move, in log space, $Y_{k} = X_k (X_k / X_{k-1})^\beta$:
# an entry the step multiplied by $f$ is multiplied by $f^\beta$ once more. Every
# `SAFEGUARD_EVERY` = 10 steps a **safeguard** compares the deviance at $Y_k$ with that of the last
# safe point: if it is no higher, $Y_k$ becomes the safe point and $\beta$ grows; if it is higher,
# the run goes back to the safe point and $\beta$ shrinks. The safe points' deviances never rise,
# and the fit returns a safe point. Why not check at every step? The deviance needs the logarithm
# of every one of the $N \times M$ entries of $WH$, as much element-wise work as the two divisions
# $V/WH$ that a multiplicative step makes; checked at every step it adds that much to each step,
# checked every 10 steps a tenth of it, and an extrapolated step costs little more than a plain
# one. The price: a rejected check throws away the 10 steps since the last safe point.
# The idea of extrapolating between steps with a safeguard, and the way $\beta$ grows and
# shrinks, come from Ang & Gillis (2019), who treat least-squares NMF (HALS and ANLS) with a
# linear extrapolation projected onto $X \ge 0$; applying it to multiplicative steps on the
# Poisson deviance, in log space (no entry ever turns negative, nothing is clipped), is the
# course's own, backed only by the safeguard and the benchmarks. Hien, Leplat & Gillis (2024)
# publish an extrapolated MU method for this divergence with convergence guarantees. Here is the same loop, written short
# with the course's own step and `fastfit`'s constants, counting how often a safeguard check keeps
# the extrapolated point.

# %%
def extrapolated_mu(V, W, H, n_steps):
    """fit_kl's loop without its stopping rule and its test: the deviance of the safe point at
    each safeguard check, and whether the check kept the extrapolated point."""
    floor = np.finfo(float).tiny ** 0.25                  # fit_kl's floor, about 1e-77
    beta, beta_max = fastfit.BETA_START, fastfit.BETA_CEILING
    safe = X = Y = nh.normalize_columns(np.maximum(W, floor), np.maximum(H, floor))
    D_safe = nh.deviance(V, *safe)
    trace, kept = [D_safe], []
    for step in range(1, n_steps + 1):
        X_before, X = X, nh.update_matmul(V, *Y)          # a multiplicative step from Y ...
        Y = [np.maximum(x * (x / x0) ** beta, floor) for x, x0 in zip(X, X_before)]  # ... and a jump
        if step % fastfit.SAFEGUARD_EVERY:
            continue                                      # no deviance between checks
        D = nh.deviance(V, *Y)
        kept.append(D <= D_safe)
        if kept[-1]:                                      # a new safe point; be bolder
            safe, D_safe = Y, D
            beta = min(beta_max, fastfit.GROW * beta)
            beta_max = min(fastfit.BETA_CEILING, fastfit.GROW_MAX * beta_max)
        else:                                             # back to the safe point; be more careful
            X = Y = safe
            beta, beta_max = beta / fastfit.SHRINK, beta
        trace.append(D_safe)
    return np.array(trace), np.array(kept)


def plain_mu(V, W, H, n_steps):
    trace = [nh.deviance(V, W, H)]
    for _ in range(n_steps):
        W, H = nh.update_matmul(V, W, H)
        trace.append(nh.deviance(V, W, H))
    return np.array(trace)


STEPS = 1500
ex_trace, kept = extrapolated_mu(V, W0, H0, STEPS)
mu_trace = plain_mu(V, W0, H0, STEPS)
engine = fit_kl(V, W0, H0, max_iter=STEPS, tol=0.0, escape=False)
print(f"after {STEPS:,} steps this loop and fit_kl(escape=False) agree to 1e-9 relative: "
      f"{np.isclose(ex_trace[-1], engine.deviance_trace[-1], rtol=1e-9, atol=0)}")
print(f"above the converged fit: extrapolated {ex_trace[-1] - fit.deviance:.1f}, "
      f"plain MU {mu_trace[-1] - fit.deviance:,.0f}")
print(f"safeguard checks: {kept.size}; the extrapolated point kept at {kept.sum()} ({kept.mean():.0%}); "
      f"at {kept[:10].sum()} of the first 10, {kept[-50:].sum()} of the last 50")

# %%
fig, (ax, ax_kept) = plt.subplots(2, 1, figsize=(9.6, 6.2), layout="constrained", sharex=True,
                                  height_ratios=[3, 1])
checks = fastfit.SAFEGUARD_EVERY * np.arange(len(ex_trace))      # the step of each check
ax.semilogy(mu_trace - fit.deviance + 1e-2, label="plain MU (nh.update_matmul)")
ax.semilogy(checks, ex_trace - fit.deviance + 1e-2, ".-",
            label="extrapolated, safe points (fit_kl's loop)")
ax.set_ylabel("deviance above the\nconverged fit (+0.01)")
ax.set_title("one start, two loops")
ax.legend()
window = 10                                                       # checks
ax_kept.plot(checks[window:], np.convolve(kept, np.ones(window) / window, "valid"), color="C1")
ax_kept.set_ylim(0, 1.05)
ax_kept.set_xlabel("steps")
ax_kept.set_ylabel(f"share kept\n(last {window} checks)")
plt.show()

# %% [markdown]
# The loop above is `fit_kl`'s own, step for step: after 1,500 steps both agree to nine digits,
# 0.2 units above the converged fit, where plain MU from the same start is still 7 units above.
# A safeguard check kept the extrapolated point at 86% of the checks (8 of the first 10, 44 of
# the last 50): most stretches of 10 extrapolated steps are kept whole, for one deviance
# evaluation, and a rejected check costs the 10 steps since the last safe point. The safeguard is
# what makes this safe: the deviance of the safe points never rises. The jumps also help the entries of section 2: an entry shrinking by $f$ per step
# is multiplied by $f^{1+\beta}$.
#
# ## 4. Coordinate descent: one row or column at a time, in closed form
#
# A multiplicative step moves every entry a short way at once. **Coordinate descent** instead
# solves for one block exactly with the rest fixed, then the next block.
#
# **HALS** (hierarchical alternating least squares; Cichocki & Phan 2009, Gillis & Glineur 2012;
# scikit-learn's `NMF(solver="cd")`) does it for the squared error $\frac12\|V - WH\|^2$: with all
# rows of $H$ but row $a$ fixed, the objective is a quadratic in that row, separately in each
# entry, and its non-negative minimum is
# $H_{a} \leftarrow \max\big(0,\; H_a + [(W^TV)_a - (W^TW)_a H] / (W^TW)_{aa}\big)$.
# $W^TV$ and $W^TW$ are computed once per sweep; each row then costs only $R \times M$.
#
# For the Poisson deviance no row has a closed-form minimum, but each entry's one-variable
# problem is smooth and convex, and one **Newton step** on it, cut back where it overshoots, is
# nearly as good (Hsieh & Dhillon 2011). Both live in `nmf_course/algorithms.py`:

# %%
print(inspect.getsource(algorithms._hals_rows))

# %%
print(inspect.getsource(algorithms._newton_rows))

# %% [markdown]
# **Exercise 2.** Write `my_hals_row(V, W, H, a)`: a copy of $H$ with row $a$ replaced by its HALS
# update (the formula above).

# %%
def my_hals_row(V, W, H, a):
    ### BEGIN SOLUTION
    WtW = W.T @ W
    H = H.copy()
    H[a] = np.maximum(0, H[a] + (W.T @ V - WtW @ H)[a] / WtW[a, a])
    return H
    ### END SOLUTION


# %%
selfchecks.check_hals_row(my_hals_row)

# %% [markdown]
# Now the progress per sweep, from the shared start: HALS against the squared error's
# multiplicative update (notebook 10), and Newton coordinate descent against plain MU on the
# deviance. Each loop records the time too, for section 6.

# %%
def run(step, objective, W, H, n_sweeps):
    """Take n_sweeps steps; return the objective and the seconds elapsed after each."""
    values, seconds, start = [objective(V, W, H)], [0.0], time.perf_counter()
    for _ in range(n_sweeps):
        W, H = step(V, W, H)
        seconds.append(time.perf_counter() - start)
        values.append(objective(V, W, H))
    return np.array(values), np.array(seconds)


runs = {"HALS": run(algorithms.hals_step, frobenius.frobenius_error, W0, H0, 1200),
        "squared-error MU": run(frobenius.update_frobenius, frobenius.frobenius_error, W0, H0, 3000),
        "Newton CD": run(algorithms.newton_kl_step, nh.deviance, W0, H0, 150),
        "plain MU": run(nh.update_matmul, nh.deviance, W0, H0, 2000)}
long_hals = run(algorithms.hals_step, frobenius.frobenius_error, W0, H0, 3000)[0][-1]   # the reference
best_squared = min(long_hals, runs["squared-error MU"][0][-1])
best_deviance = min(runs["Newton CD"][0][-1], fit.deviance)
print("squared error above the best, relative     after 30 sweeps   after 100   after 300")
for name in ("HALS", "squared-error MU"):
    gap = (runs[name][0] - best_squared) / best_squared
    print(f"{name:>17}{gap[30]:34.1e}{gap[100]:12.1e}{gap[300]:12.1e}")
print("deviance above the best                    after 30 sweeps    after 60   after 100")
for name in ("Newton CD", "plain MU"):
    gap = runs[name][0] - best_deviance
    print(f"{name:>17}{gap[30]:34,.0f}{gap[60]:12,.0f}{gap[100]:12,.1f}")
print(f"after 150 sweeps Newton CD is {fit.deviance - runs['Newton CD'][0][-1]:.1f} below the converged "
      "fit of nh.nmf from the same start: another local optimum")

# %% [markdown]
# Per sweep, coordinate descent is far ahead: after 100 sweeps HALS is 1.5e-02 above the best
# squared error (relative), the multiplicative update still 3.7e-01 above; Newton coordinate descent
# is 0.7 deviance units from the best after 100 sweeps, plain MU 3,703.7. (Newton CD ends 0.3
# below the converged fit of `nh.nmf` from this start: it found another, slightly better local
# optimum.) Solving a row exactly with the rest fixed moves it all the way along its block, where
# a multiplicative step moves it only part of the way (section 1).
#
# A sweep is not the same work in each method. The next cell times one sweep of each (its
# output varies from run to run).

# %% tags=["nbval-ignore-output"]
sweep_seconds = {name: np.median(np.diff(seconds)) for name, (_, seconds) in runs.items()}
for name, seconds in sweep_seconds.items():
    print(f"{name:>17}: {seconds * 1e3:.2f} ms per sweep")

# %% [markdown]
# A HALS sweep costs about what a multiplicative step for the squared error costs (both need the
# products $W^TV$ and $W^TW$, and then only small $R \times M$ work). A Newton sweep costs several
# plain MU steps, because each of the R rows needs the ratio $V/WH$ of the whole table anew; it
# still wins by far, since it needs tens of times fewer sweeps.
#
# ## 5. Where to start: random starts against NNDSVD
#
# **NNDSVD** (Boutsidis & Gallopoulos 2008; scikit-learn's `init="nndsvd"`) builds a start from
# the singular value decomposition: each singular pair is split into its positive and negative
# parts, and the larger part gives a column of $W$ and a row of $H$ (`algorithms.nndsvd`). It
# leaves many exact zeros, and a multiplicative update never moves a zero; **NNDSVDa**
# (`init="nndsvda"`) fills them with the mean of $V$. We fit from four random starts and both
# NNDSVD starts, each to the course's stopping rule, and record how far above the best optimum
# each ends and how many steps it took to come within 1 deviance unit of it.

# %%
starts = {f"random, seed {seed}": nh.random_start(np.random.default_rng(seed), N, M, R, V)
          for seed in range(4)}
starts["NNDSVD"] = algorithms.nndsvd(V, R, fill="zeros")
starts["NNDSVDa"] = algorithms.nndsvd(V, R, fill="mean")
fits = {name: fit_kl(V, *start) for name, start in starts.items()}
best = min(f.deviance_trace[-1] for f in fits.values())
print("start              converged  ends above the best  steps to within 1 unit (per 50)")
for name, f in fits.items():
    within = np.flatnonzero(f.deviance_trace - best < 1.0)
    steps = f"{50 * within[0]:,}" if within.size else "never"
    print(f"{name:<18} {str(f.converged):>9}  {f.deviance_trace[-1] - best:19.1f}  {steps:>10}")

# %% [markdown]
# Every random start ended within 0.5 units of the best of these fits and came within 1 unit of it
# in a few thousand steps or fewer. NNDSVD with its exact zeros ended 1.3 units above the best and never came
# within 1 unit of it: the zeros never move (here they sit at `fit_kl`'s floor of about $10^{-77}$, and a multiplicative update
# scales them only by factors), so the fit is confined to the pattern of zeros the SVD chose.
# NNDSVDa, with the zeros filled, reached the same neighbourhood (0.5 above the best) but needed
# more steps to get within 1 unit than any random start here. (The test of the stopped point does
# not free NNDSVD's zeros: a perturbation multiplies them by factors too.) For the Poisson deviance with multiplicative
# updates, NNDSVD's advantage (a start close to a least-squares fit) does not carry over here;
# scikit-learn's user guide warns that its MU solver cannot update the zeros of an NNDSVD start
# and recommends NNDSVDa or NNDSVDar with it.
#
# ## 6. One start, four algorithms, against the clock
#
# The runs of section 4, plotted against seconds (left: the deviance, right: the squared error,
# each above the best value: on the right, that of an untimed run of 3,000 HALS sweeps). Timings vary from run to run and machine to
# machine; read the figure for orders of magnitude.

# %%
ex_seconds, ex_values = [], []
start = time.perf_counter()
for n in (50, 100, 200, 400, 800, 1500):                       # fit_kl itself, timed to n steps
    ex_values.append(fit_kl(V, W0, H0, max_iter=n, tol=0.0).deviance_trace[-1])
    ex_seconds.append(time.perf_counter() - start)
    start = time.perf_counter()
ex_seconds = np.array(ex_seconds)                              # each call timed on its own

fig, (ax_kl, ax_sq) = plt.subplots(1, 2, figsize=(9.6, 4.4), layout="constrained")
for name in ("plain MU", "Newton CD"):
    values, seconds = runs[name]
    ax_kl.loglog(seconds[1:], values[1:] - best_deviance + 1e-2, label=name)
ax_kl.loglog(ex_seconds, np.array(ex_values) - best_deviance + 1e-2, "o-", label="fit_kl (extrapolated MU)")
ax_kl.set_xlabel("seconds")
ax_kl.set_ylabel("above the best (+0.01)")
ax_kl.set_title("Poisson deviance")
ax_kl.legend(fontsize=10)
for name in ("squared-error MU", "HALS"):
    values, seconds = runs[name]
    ax_sq.loglog(seconds[1:], (values[1:] - best_squared) / best_squared + 1e-9, label=name)
ax_sq.set_xlabel("seconds")
ax_sq.set_ylabel("relative, above the best (+1e-9)")
ax_sq.set_title("squared error")
ax_sq.legend(fontsize=10)
plt.show()

# %% tags=["nbval-ignore-output"]
def seconds_to(values, seconds, target):
    reached = np.flatnonzero(values <= target)
    return f"{seconds[reached[0]]:.2f} s" if reached.size else f"not in {seconds[-1]:.2f} s"


print("Poisson deviance, time to within 1 unit of the best:")
print(f"  plain MU        {seconds_to(runs['plain MU'][0], runs['plain MU'][1], best_deviance + 1)}")
print(f"  fit_kl          {seconds_to(np.array(ex_values), ex_seconds, best_deviance + 1)}")   # its first call there
print(f"  Newton CD       {seconds_to(runs['Newton CD'][0], runs['Newton CD'][1], best_deviance + 1)}")
print("squared error, time to within 1e-6 of the best (relative):")
for name in ("squared-error MU", "HALS"):
    print(f"  {name:<18}{seconds_to(runs[name][0], runs[name][1], best_squared * (1 + 1e-6))}")

# %% [markdown]
# On the deviance (left), `fit_kl` and Newton coordinate descent each get within 1 unit of the best
# in a fraction of a second; plain MU does not get there at all in its 2,000 steps, which took
# several times longer. On the squared error (right) HALS reaches the best value in a fraction of
# a second, and the multiplicative update does not come within a millionth of it in its 3,000
# steps. The timings are of this run and move from run to run (rerun section 6 to see them move); that
# plain MU and the squared-error MU do not get there at all in their steps does not.
#
# ## 7. Stopping rules revisited
#
# Three ways to decide that a fit is done, each looked at on the fits of section 2: at the saddle
# where `fit_kl(escape=False)` stopped, and at the minimum where the test's run stopped:
#
# - **relative change of the log-likelihood**, $|L_{k} - L_{k-50}| / |L_k|$: $L$ carries dropped
#   constants ($\log V!$), which can make $|L|$ large and the relative change small for no reason;
# - **the deviance rule** of the course: $D_{k-50} - D_k \le 2\cdot10^{-9} D_k$, twice in a row;
#   $D$ has no dropped constant;
# - **the KKT residual**: at a local minimum with $X \ge 0$, each entry has either gradient 0 or
#   $X = 0$ with gradient $\ge 0$; $\|\min(X, \nabla_X D)\|$ measures how far from that a point is.

# %%
def kkt_residual(V, W, H):
    """|| min(X, gradient of D/2 in X) || over every entry of W and H (0 at a KKT point)."""
    Q = nh.ratio(V, W @ H)
    grad_W, grad_H = (1 - Q) @ H.T, W.T @ (1 - Q)
    return float(np.sqrt(np.sum(np.minimum(W, grad_W) ** 2) + np.sum(np.minimum(H, grad_H) ** 2)))


def kkt_text(r):
    """The residual to one significant figure, or "< 1e-06": below that its digits are rounding's."""
    return "< 1e-06" if r < 1e-6 else f"{r:.0g}"


def order_of(x):
    """x as a power of ten (rounded on the log scale), or '< 1e-12'."""
    return f"1e{round(np.log10(x)):+03d}" if x > 1e-12 else "< 1e-12"


points = {"saddle (escape=False stopped)": (stuck, fit_kl(V, W_sym, H_sym, escape=False,
                                                          max_iter=stuck.n_iter - 50)),
          "minimum (the test's run stopped)": (test, fit_kl(V, W_kick, H_kick, escape=False,
                                                            max_iter=test.n_iter - 50))}
print("point                              D - best   rel. change of L   rel. drop of D   KKT residual")
print("                                               (last 50 steps)   (last 50 steps)")
for name, (now, then) in points.items():
    L_now, L_then = nh.log_likelihood(V, now.W, now.H), nh.log_likelihood(V, then.W, then.H)
    D_now, D_then = nh.deviance(V, now.W, now.H), nh.deviance(V, then.W, then.H)
    print(f"{name:<32} {abs(D_now - best_sym):12,.1f}   {order_of(abs(L_now - L_then) / abs(L_now)):>16}"
          f"   {order_of((D_then - D_now) / D_now):>15}   {kkt_text(kkt_residual(V, now.W, now.H)):>12}")

# %% [markdown]
# At the saddle, 3.2 million units above the minimum, nothing moves: the relative change of $L$
# and the relative drop of $D$ over the last 50 steps are below $10^{-12}$, and the KKT residual is
# below $10^{-6}$, rounding's level, because the gradient there is 0. At the minimum the rules
# also say "done" (the drop of $D$ is about $10^{-9}$, the rule's tolerance) while the KKT residual
# is 7e+02: the rule stops before the last digits of the optimum, where entries heading for 0 and a
# gradient not yet 0 still leave a residual. So the KKT residual here is *larger* at the minimum
# than at the saddle: no first-order rule tells a saddle from a minimum, since both have a zero
# gradient. (The relative change of $L$ is also the most easily fooled: $|L|$ includes the huge
# terms $\sum V \log WH$, so even a fall of several units is a tiny fraction of it; and the KKT
# residual is in units of counts and gradient, so its threshold must be chosen per table.) What
# tells them apart is a look in other directions: `fit_kl`'s perturbation and second run, or
# restarts.
#
# ## 8. Sparsity on purpose: penalties and Hoyer's sparseness
#
# scikit-learn's `NMF(alpha_W=..., alpha_H=..., l1_ratio=...)` adds to the objective
# $\ell_1(\sum W + \sum H) + \frac{\ell_2}{2}(\|W\|^2 + \|H\|^2)$ (with $\ell_1$ = alpha x l1_ratio
# and $\ell_2$ = alpha x (1 - l1_ratio), each scaled by the table's size). In the multiplicative
# update the penalty's gradient has a plus sign, so it joins the **denominator**:
#
# $$W \leftarrow W\,\frac{(V / WH)\,H^T}{\mathbf 1 H^T + \ell_1 + \ell_2 W},\qquad
#   H \leftarrow H\,\frac{W^T (V / WH)}{W^T\mathbf 1 + \ell_1 + \ell_2 H}$$
#
# (`algorithms.penalized_mu_step`): an entry whose share of the data is worth less than $\ell_1$
# is shrunk at every step, towards 0. **Hoyer's sparseness** (Hoyer 2004) of a vector $x$ of
# length $n$, $\big(\sqrt n - \|x\|_1/\|x\|_2\big) / (\sqrt n - 1)$, is 0 when all entries are
# equal and 1 when only one is non-zero.
#
# **Exercise 3.** Write `my_hoyer(x)`, Hoyer's sparseness of a 1-D array.

# %%
def my_hoyer(x):
    ### BEGIN SOLUTION
    n = len(x)
    return (np.sqrt(n) - np.abs(x).sum() / np.sqrt(np.sum(x**2))) / (np.sqrt(n) - 1)
    ### END SOLUTION


# %%
selfchecks.check_hoyer(my_hoyer)

# %% [markdown]
# The simulated modules are already sparse (each gene in one module), so we add what real
# tables have: a background that every gene shares, 30% of each module's weight spread evenly
# over all 100 genes. Then we fit with the L1 penalty $\ell_1$ on both $W$ and $H$, each fit
# started from the one before and run to the course's rule on the penalised objective.

# %%
W_background = 0.7 * sim.W + 0.3 / N
V_bg = np.random.default_rng(SEED).poisson(W_background @ sim.H).astype(float)
plain = nh.nmf(V_bg, R, seed=SEED)
scale = np.sqrt(plain.H.mean(axis=1) / plain.W.mean(axis=0))   # W and H of similar size
W_pen, H_pen = plain.W * scale, plain.H / scale[:, np.newaxis]
PENALTIES = [0, 10, 30, 60]
penalized = {}
for l1 in PENALTIES:
    trace = [algorithms.penalized_objective(V_bg, W_pen, H_pen, l1_W=l1, l1_H=l1)]
    while not nh.has_stopped_falling(trace, 2e-9):
        for _ in range(50):
            W_pen, H_pen = algorithms.penalized_mu_step(V_bg, W_pen, H_pen, l1_W=l1, l1_H=l1)
        trace.append(algorithms.penalized_objective(V_bg, W_pen, H_pen, l1_W=l1, l1_H=l1))
    penalized[l1] = (W_pen, H_pen)
print(" l1   deviance rise   Hoyer sparseness of W's columns        genes below 0.1% of a column")
print("      (2 digits)")
for l1, (W_, H_) in penalized.items():
    shares = W_ / W_.sum(axis=0)
    rise = float(f"{abs(nh.deviance(V_bg, W_, H_) - plain.deviance):.2g}")
    print(f"{l1:3d}   {rise:13,.0f}   "
          f"{'  '.join(f'{s:.2f}' for s in algorithms.hoyer_sparseness(W_))}"
          f"                    {'  '.join(f'{k:2d}' for k in (shares < 1e-3).sum(axis=0))}")

# %% tags=["nbval-ignore-output"]
order = np.argsort(sim.modules.argmax(axis=1), kind="stable")   # genes grouped by true module


def show_penalty(l1):
    W_, H_ = penalized[l1]
    shares = (W_ / W_.sum(axis=0))[order]
    fig, axes = plt.subplots(R, 1, figsize=(9.6, 6.4), layout="constrained", sharex=True)
    for k, ax in enumerate(axes):
        ax.stairs(shares[:, k], np.arange(N + 1) - 0.5, fill=True, color=f"C{k}")
        ax.set_ylabel(f"part {k + 1}")
        ax.text(0.99, 0.8, f"Hoyer {algorithms.hoyer_sparseness(W_[:, k]):.2f}",
                transform=ax.transAxes, ha="right", fontsize=11)
    axes[-1].set_xlabel("genes, grouped by their true module")
    rise = float(f"{nh.deviance(V_bg, W_, H_) - plain.deviance:.2g}")
    axes[0].set_title(f"W's columns (shares) with l1 = {l1}: deviance {rise:,.0f} above the unpenalised fit")
    plt.show()


penalty_slider = widgets.SelectionSlider(options=PENALTIES, value=10, description="l1",
                                         continuous_update=False)
_ = widgets.interact(show_penalty, l1=penalty_slider)

# %% [markdown]
# With $\ell_1 = 10$ the deviance rises by about 740 units; two parts (3 and 4 in the figure) drop
# the background and become sparse: Hoyer's sparseness goes from 0.44 and 0.32 to 0.54 and 0.53,
# and 39 and 49 genes fall below 0.1% of their column (0 and 8 without the penalty). The
# background does not vanish, because the data need it: it collects in the other two parts,
# which get *less* sparse (0.46 and 0.43 to 0.40 each). Larger penalties push further at a
# steeply growing price (about 5,400 units at $\ell_1 = 30$, 21,000 at 60). The rises are
# printed to two digits: a penalised multiplicative fit creeps, and where it stops depends on
# the path by more than a converged unpenalised fit does. Sparsity bought with a penalty is a
# choice about the parts, paid for in fit; a larger R, with the background as a part of its own,
# is the other way to buy it.
#
# ## Summary
#
# - A multiplicative step minimises Lee & Seung's majorizer of the deviance, which lies above it and
#   touches it at the current point: every step is monotone, and short where a module makes a
#   small share of its genes' predictions.
# - MU crawls: entries whose optimum is 0 shrink by a constant factor per step and never arrive.
#   A fit can stop on a saddle point (here a symmetric start: the best rank-1 fit, 3.23 million
#   units too high, reported converged); `fit_kl` tests every stopped point with a perturbation and
#   a second run, and leaves it.
# - `fit_kl` extrapolates in log space after each step and checks the deviance every 10 steps,
#   going back to the last safe point when it rose (86% of the checks kept the jump here); after
#   1,500 steps it is 0.2 units from the converged fit, where plain MU is still 7 units above.
# - Coordinate descent solves one row or column exactly (HALS, squared error) or with one Newton
#   step (Poisson deviance): far more progress per sweep, and per second, than MU.
# - NNDSVD's zeros are stuck under MU (1.3 units above the best); NNDSVDa was no faster than
#   random starts here.
# - The relative change of L, the deviance rule and the KKT residual all call an exact saddle
#   converged; a perturbation and a second run (fit_kl's test), or restarts, catch it.
# - L1 penalties join the update's denominator; they make some parts sparser (Hoyer's measure)
#   at a price in deviance, and move what the data need elsewhere.
#
# Next, notebook 14 takes NMF to sound: notes in a spectrogram, and listening to the parts.
#
# [← previous](12_mutational_signatures.ipynb) | [course map](../README.md#notebook-map) | [next →](14_audio.ipynb)

# %% tags=["nbval-ignore-output"]
print(f"whole notebook: {time.perf_counter() - notebook_start:.1f} s")
