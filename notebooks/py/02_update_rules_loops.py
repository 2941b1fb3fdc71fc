# %% [markdown] slideshow={"slide_type": "slide"}
# [← previous](01_simulating_counts.ipynb) | [course map](../README.md#notebook-map) | [next →](03_update_rules_broadcasting.ipynb)
#
# # 02 · Update rules with loops
#
# We have counts V drawn from Poisson(W H). Now we go backwards: given only V and a number of
# modules R, find non-negative W and H that make V as probable as possible. We score a guess
# with the Poisson log-likelihood and improve it with Lee and Seung's multiplicative updates,
# written here with plain nested `for` loops so that every index is visible.
#
# **What you will learn**
# - the Poisson log-likelihood of V given W and H, and why the term log V! can be dropped;
# - where the multiplicative update rules come from (EM on hidden per-module counts, the link to pLSA and LDA),
#   why W's columns are normalised between them, and how they differ from gradient descent;
# - how to write one update step with three nested loops per factor;
# - how to fit: repeat the step until the deviance stops falling (and why not the log-likelihood's
#   relative change), and why a flat trace is not yet proof of a minimum (a KKT residual is);
# - with a slider, watch the modules appear in W step by step.
#
# **What you need first**: [01 · Simulating counts](01_simulating_counts.ipynb) (the model V ~ Poisson(W H)),
# sums written with indices ($\sum_\mu$), and `for` loops.

# %% tags=["parameters"]
import inspect
import math
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import nmf_helpers as nh
from nmf_course import plots, selfchecks

plots.use_course_style()   # 13 pt text, 100 dpi, no axis offsets
SEED = 2019

# %%
sim = nh.simulate(seed=SEED)          # 100 genes x 60 samples, 4 modules, 3 moonlighting genes
V = sim.V
N, M = V.shape
print(f"V: {N} genes x {M} samples, {V.sum():,} reads in total, true R = {sim.W.shape[1]}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The Poisson log-likelihood
#
# Under our model each count is an independent Poisson draw with mean $(WH)_{i\mu}$:
#
# $$P(V_{i\mu} \mid W, H) = \frac{(WH)_{i\mu}^{V_{i\mu}} \, e^{-(WH)_{i\mu}}}{V_{i\mu}!}.$$
#
# Taking the log of the product over all genes i and samples μ gives a sum:
#
# $$\log P(V \mid W, H) = \sum_{i,\mu} \Big[ V_{i\mu} \log (WH)_{i\mu} - (WH)_{i\mu} - \log V_{i\mu}! \Big].$$
#
# ### Why log V! can be dropped
#
# The last term depends only on the data, not on W or H. It is the same number for every
# guess, so it cannot change *which* W and H are best, and it cancels whenever we compare two
# guesses (or two steps of a fit). It is also awkward: V! itself is astronomically large.
# `math.lgamma(v + 1)` gives $\log v!$ without ever forming v!.

# %%
v = 1_000
print(f"{v}! has {len(str(math.factorial(v))):,} decimal digits; log({v}!) = {math.lgamma(v + 1):,.2f}")
log_V_factorial = sum(math.lgamma(x + 1) for x in V.ravel().tolist())
print(f"sum of log V! over all {V.size:,} entries of our V: {log_V_factorial:,.1f}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# Now compare two guesses: the true W and H, and a poorer guess (the true W with the columns
# of H shuffled, so that each sample gets another sample's module mix). With the constant or
# without, the *difference* between the two guesses is the same number.

# %%
def log_likelihood_with_constant(V, W, H):
    """The full Poisson log-likelihood, log V! included (for this comparison only)."""
    return nh.log_likelihood(V, W, H) - log_V_factorial

rng = np.random.default_rng(SEED)
H_shuffled = sim.H[:, rng.permutation(M)]
guesses = {"true W, H": (sim.W, sim.H), "true W, shuffled H": (sim.W, H_shuffled)}
full = {name: log_likelihood_with_constant(V, W, H) for name, (W, H) in guesses.items()}
dropped = {name: nh.log_likelihood(V, W, H) for name, (W, H) in guesses.items()}
print(f"{'guess':<20} {'with log V!':>18} {'without log V!':>18}")
for name in guesses:
    print(f"{name:<20} {full[name]:>18,.2f} {dropped[name]:>18,.2f}")
difference_full = full["true W, H"] - full["true W, shuffled H"]
difference_dropped = dropped["true W, H"] - dropped["true W, shuffled H"]
print(f"{'difference':<20} {difference_full:>18,.2f} {difference_dropped:>18,.2f}")
assert math.isclose(difference_full, difference_dropped, rel_tol=1e-9)

# %% [markdown] slideshow={"slide_type": "subslide"}
# From here on "the log-likelihood" means the sum without log V!:
#
# $$L(W, H) = \sum_{i,\mu} \Big[ V_{i\mu} \log (WH)_{i\mu} - (WH)_{i\mu} \Big].$$
#
# ### 0 log 0 = 0
#
# If a count is 0 and the model also predicts exactly 0 (a gene with no weight in any active
# module), the term $V \log(WH)$ is $0 \cdot \log 0$. Its limit is 0, and that is the right
# value (a Poisson with mean 0 gives 0 with probability 1), but NumPy computes
# `0 * log(0)` as `0 * -inf = nan`:

# %%
with np.errstate(divide="ignore", invalid="ignore"):
    naive = 0.0 * np.log(0.0)
print(f"0 * np.log(0) in NumPy: {naive}")
counts = np.array([0.0, 3.0])
model = np.array([0.0, 2.5])
safe = np.zeros_like(counts)
positive = counts > 0
safe[positive] = counts[positive] * np.log(model[positive])   # take the log only where V > 0
print(f"V log(WH) with 0 log 0 = 0: [{safe[0]:.4f}, {safe[1]:.4f}]")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 1: the log-likelihood
#
# Write `my_log_likelihood(V, W, H)` returning L(W, H) above as one Python float. Use no loops:
# V and W @ H have the same shape, so elementwise arithmetic, `np.log` and `.sum()` do it.
# Treat 0 log 0 as 0 (take the log only where V > 0).

# %% nbgrader={"grade": false, "grade_id": "02_update_rules_loops-my_log_likelihood", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_log_likelihood(V, W, H):
    """Poisson log-likelihood of V given W, H without the log V! term; 0 log 0 = 0."""
    ### BEGIN SOLUTION
    WH = W @ H
    positive = V > 0
    return float(np.sum(V[positive] * np.log(WH[positive])) - WH.sum())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "02_update_rules_loops-my_log_likelihood-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_log_likelihood(my_log_likelihood)

# %% [markdown] slideshow={"slide_type": "subslide"}
# From here on we use `nh.log_likelihood`, so the rest of the notebook runs even if your
# exercise is unfinished. Its source, for comparison with yours: it checks its input, then hands it to
# `_log_likelihood`, which does the sum.

# %% tags=["reference-solution"]
print(inspect.getsource(nh.log_likelihood))
print(inspect.getsource(nh._log_likelihood))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The multiplicative update rules, derived as EM
#
# ### Hidden per-module counts
#
# A sum of independent Poisson counts is a Poisson count whose mean is the sum of the means. So
# our model, $V_{i\mu} \sim \mathrm{Poisson}\big(\sum_a W_{ia} H_{a\mu}\big)$, is the same as saying
# that the reads of gene i in sample μ come from R modules, $V_{i\mu} = \sum_a C_{ia\mu}$, with
# hidden counts $C_{ia\mu} \sim \mathrm{Poisson}(W_{ia} H_{a\mu})$ that we never see. If we *did*
# see them, fitting would be easy: module a's reads alone tell us W's column a and H's row a. The
# **EM algorithm** (expectation-maximisation) turns that into a method: guess the hidden counts
# from the current W and H (E step), fit W and H to the guess (M step), repeat.
#
# **E step.** Given the total $V_{i\mu}$, the hidden counts are a multinomial split of it, module a
# taking the share $W_{ia} H_{a\mu} / (WH)_{i\mu}$. Their expected values, with
# $Q_{i\mu} = V_{i\mu} / (WH)_{i\mu}$ (data divided by model):
#
# $$\hat C_{ia\mu} = V_{i\mu} \frac{W_{ia} H_{a\mu}}{(WH)_{i\mu}} = W_{ia} H_{a\mu} Q_{i\mu}.$$
#
# **M step for W.** With counts $\hat C$ the log-likelihood is
# $\sum_{i,a,\mu} [\hat C_{ia\mu} \log(W_{ia} H_{a\mu}) - W_{ia} H_{a\mu}]$. Keep H fixed and the
# columns of W summing to 1: the term $\sum_i W_{ia} H_{a\mu} = H_{a\mu}$ no longer depends on W,
# and maximising $\sum_{i,\mu} \hat C_{ia\mu} \log W_{ia}$ with $\sum_i W_{ia} = 1$ gives each gene
# its share of the module's reads:
#
# $$W_{ia} \leftarrow \frac{\sum_\mu \hat C_{ia\mu}}{\sum_{j,\mu} \hat C_{ja\mu}}
# = \frac{W_{ia} \sum_\mu Q_{i\mu} H_{a\mu}}{\sum_j W_{ja} \sum_\mu Q_{j\mu} H_{a\mu}}:$$
#
# multiply $W_{ia}$ by $\sum_\mu Q_{i\mu} H_{a\mu}$, then divide each column by its sum. That is
# the update of the homework and of both slide decks, with **no denominator**.
#
# **M step for H.** A new E step with the new W, then maximise over H with W fixed:
# $\sum_{i} [\hat C_{ia\mu} \log H_{a\mu} - W_{ia} H_{a\mu}]$ is largest at
# $H_{a\mu} = \sum_i \hat C_{ia\mu} / \sum_i W_{ia}$, and since W's columns sum to 1,
#
# $$H_{a\mu} \leftarrow \sum_i \hat C_{ia\mu} = H_{a\mu} \sum_i W_{ia} Q_{i\mu}.$$
#
# EM's guarantee (Dempster, Laird & Rubin 1977) is that an E step followed by any M step that
# raises the expected complete-data log-likelihood never lowers L, the log-likelihood of what we
# observe. Lee and Seung (2001) reached the same inequality with an *auxiliary function*: for the
# objective they minimise, F = −L, a function $G(h, h^t) \ge F(h)$ for every h, with equality at
# $h = h^t$, whose minimum is the update; the two proofs are the same argument in two languages.
#
# ### The course's form: a denominator that cancels
#
# `nmf_helpers` writes the W step as Lee and Seung did, without the constraint on W's columns,
# $W_{ia} \leftarrow W_{ia} \sum_\mu Q_{i\mu} H_{a\mu} / \sum_\mu H_{a\mu}$ (the unconstrained M step,
# also monotone), and then normalises W's columns while multiplying H's rows by the same sums, so
# that W H, and L, do not change. The denominator $\sum_\mu H_{a\mu}$ is one number per column a,
# the same for every gene, so dividing the column by its sum removes it: **after normalising,
# both forms give the same W**. They differ only in H: the slides' form leaves H as it was, the
# course's multiplies each row of H by its column's sum. Both are monotone; the course's keeps
# W H unchanged in step (b), which makes (b) easy to check. Let us verify both on our data: the
# same W, but a different H.

# %%
rng = np.random.default_rng(SEED)
W0 = rng.uniform(0.1, 1.0, size=(N, 4))      # a random start for the rest of the notebook:
W0 /= W0.sum(axis=0)                         # W's columns sum to 1,
H0 = rng.uniform(0.1, 1.0, size=(4, M)) * V.sum(axis=0) / 2   # H of the size of the counts

Q = nh.ratio(V, W0 @ H0)                     # V / (W H), 0 where W H = 0
W_slides = W0 * (Q @ H0.T)                                  # no denominator
W_course = W0 * (Q @ H0.T) / H0.sum(axis=1)                 # with the denominator
s = W_course.sum(axis=0)                                    # the course's column sums
W_slides, W_course = W_slides / W_slides.sum(axis=0), W_course / s
H_slides = H0                                               # slides: H left as it was
H_course = H0 * s[:, np.newaxis]                            # course: H's rows times the sums
H_slides = H_slides * (W_slides.T @ nh.ratio(V, W_slides @ H_slides))   # the H step, in each form
H_course = H_course * (W_course.T @ nh.ratio(V, W_course @ H_course))
assert all(np.allclose(mine, helper, rtol=1e-12, atol=0)              # the course's form is the helper's
           for mine, helper in zip((W_course, H_course), nh.update_matmul(V, W0, H0)))
print(f"W step with or without the denominator, then normalised: same W to 1e-12: "
      f"{np.allclose(W_slides, W_course, rtol=1e-12, atol=0)}")
print(f"the course's form multiplies H's rows by {', '.join(f'{x:.2f}' for x in s)}; the slides' leaves H as it was")
print(f"the H steps that follow give the same H to 1e-12: {np.allclose(H_slides, H_course, rtol=1e-12, atol=0)}; "
      f"largest relative difference in H: {np.max(np.abs(H_slides - H_course) / H_course):.1%}")

def slides_step(V, W, H):
    """The homework's step: W times Q H^T, normalise W's columns (H untouched), H step."""
    W = W * (nh.ratio(V, W @ H) @ H.T)
    W = W / W.sum(axis=0)
    return W, H * (W.T @ nh.ratio(V, W @ H))

for name, step in (("slides' form", slides_step), ("course's form (nh.update_matmul)", nh.update_matmul)):
    W, H = W0, H0
    trace = [nh.log_likelihood(V, W, H)]
    for _ in range(200):
        W, H = step(V, W, H)
        trace.append(nh.log_likelihood(V, W, H))
    rises = bool(np.all(np.diff(trace) >= -1e-9 * np.abs(trace[1:])))
    print(f"{name:<33} L never went down in 200 steps: {rises};  deviance after 200 steps "
          f"{nh.deviance(V, W, H):,.0f}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: the E step
#
# Write `my_em_counts(V, W, H)` returning the N x R x M array of expected hidden counts
# $\hat C_{ia\mu} = V_{i\mu} W_{ia} H_{a\mu} / (WH)_{i\mu}$, with 0 where $(WH)_{i\mu} = 0$.
# Broadcasting does it in one line (notebook 03 explains it in detail): `W[:, :, np.newaxis]` has
# shape (N, R, 1) and `H[np.newaxis, :, :]` has shape (1, R, M). Summed over the module axis,
# your counts must give V back (where W H > 0).

# %% nbgrader={"grade": false, "grade_id": "02_update_rules_loops-my_em_counts", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_em_counts(V, W, H):
    """Expected hidden counts C[i, a, mu] = V[i, mu] W[i, a] H[a, mu] / (W H)[i, mu] (0 where W H = 0)."""
    ### BEGIN SOLUTION
    WH = W @ H
    Q = np.divide(V, WH, out=np.zeros(WH.shape), where=WH > 0)
    return W[:, :, np.newaxis] * H[np.newaxis, :, :] * Q[:, np.newaxis, :]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "02_update_rules_loops-my_em_counts-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_em_counts(my_em_counts)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The M steps are then sums of these counts: summing over samples and normalising gives W,
# summing over genes gives H (with the E step redone in between, as in the step above).

# %%
C = W0[:, :, np.newaxis] * H0[np.newaxis, :, :] * nh.ratio(V, W0 @ H0)[:, np.newaxis, :]
print(f"hidden counts: shape {C.shape}; summed over modules they give V: {np.allclose(C.sum(axis=1), V)}")
W_em = C.sum(axis=2) / C.sum(axis=(0, 2))           # M step for W: each gene's share of module a's reads
print(f"M step for W equals the normalised multiplicative W step: "
      f"{np.allclose(W_em, W_slides, rtol=1e-12, atol=0)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### NMF, pLSA and LDA
#
# Read the model as a story about single reads. Sample μ has $\sum_a H_{a\mu}$ reads; each read
# first picks a module a with probability $H_{a\mu} / \sum_b H_{b\mu}$, then a gene i with
# probability $W_{ia}$ (a column of W sums to 1: it *is* a probability distribution over genes).
# Replace samples by documents, genes by words and modules by topics, and this is
# **probabilistic latent semantic analysis** (pLSA, Hofmann 1999): P(word | document) =
# Σ_topics P(word | topic) P(topic | document). Maximising pLSA's multinomial likelihood and
# NMF's Poisson likelihood give the same W and the same normalised H (Gaussier & Goutte 2005;
# Ding, Li & Peng 2008), and the EM above is exactly pLSA's EM algorithm. So NMF with the
# Poisson/KL objective *is* a topic model, and notebook 10 uses it on a small text corpus.
#
# **Latent Dirichlet allocation** (LDA, Blei, Ng & Jordan 2003) adds priors: each document's
# topic proportions are a Dirichlet(α) draw, which is how notebook 01 simulated each sample's
# column of H, and it fits by Bayesian inference (variational or Gibbs sampling) instead of
# maximising the likelihood. Our simulation is therefore LDA's generative story with Poisson
# depths; fitting NMF is its maximum-likelihood cousin without the prior. A small α (sparse
# samples) is what LDA's prior encourages and what plain NMF can only find if the data show it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One step of the course
#
# One step (the one `nmf_helpers` implements) has three parts:
#
# **(a) W update**, with $Q = V / (WH)$ computed from the current W and H:
# $W_{ia} \leftarrow W_{ia} \, \sum_\mu Q_{i\mu} H_{a\mu} \big/ \sum_\mu H_{a\mu}$.
#
# **(b) Normalise W's columns, and rescale H's rows the other way.** With $s_a = \sum_i W_{ia}$:
# $W_{ia} \leftarrow W_{ia} / s_a$ and $H_{a\mu} \leftarrow H_{a\mu} \, s_a$.
#
# **(c) H update**, with Q recomputed from the new W and H:
# $H_{a\mu} \leftarrow H_{a\mu} \sum_i W_{ia} Q_{i\mu} \big/ \sum_i W_{ia} = H_{a\mu} \sum_i W_{ia} Q_{i\mu}$,
# because after (b) every column of W sums to 1.
#
# W H does not change in (b): $(W D^{-1})(D H) = W H$ for $D = \mathrm{diag}(s_1, \dots, s_R)$. So (b)
# leaves L exactly as it is; it removes NMF's **scale ambiguity** (W could drift large and H small
# with the same fit; now each column of W is a module's gene profile summing to 1, as in our
# simulation, and H carries the counts), and it makes the denominator of (c) equal to 1.
# (a) and (c) never lower L (the EM argument above), so L can only go up, step after step.
# Multiplying by non-negative numbers keeps W and H non-negative, and an entry that is 0 stays 0.
#
# Two details keep empty data from producing NaN (as in `nmf_helpers`): where $(WH)_{i\mu} = 0$
# take $Q_{i\mu} = 0$ (0/0 = 0, like 0 log 0 = 0), and if a row of H sums to 0 divide by 1
# instead. Let us check numerically that the rescaling leaves L unchanged:

# %%
rng = np.random.default_rng(SEED)
s = rng.uniform(0.1, 10, size=sim.W.shape[1])     # any positive numbers
W_scaled, H_scaled = sim.W * s, sim.H / s[:, np.newaxis]
print(f"L(W, H)                  = {nh.log_likelihood(V, sim.W, sim.H):,.4f}")
print(f"L(W diag(s), diag(1/s) H) = {nh.log_likelihood(V, W_scaled, H_scaled):,.4f}")
same = np.allclose(W_scaled @ H_scaled, sim.W @ sim.H, rtol=1e-12, atol=0)
print(f"W H unchanged up to rounding (relative 1e-12): {same}")
assert same


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Gradient steps and multiplicative steps
#
# Maximising L is minimising the deviance $D = 2 \sum [V \log(V/WH) - V + WH]$ (section 3 says
# why we prefer D), whose gradient with respect to H is
#
# $$\frac{\partial D}{\partial H_{a\mu}} = 2 \sum_i W_{ia} \big(1 - Q_{i\mu}\big).$$
#
# **Gradient descent** moves every entry against the gradient by one step size η,
# $H \leftarrow H - \eta \, \partial D / \partial H$, and must then clip negative entries to 0 and
# pick η: too large and W H reaches 0 where V > 0, where D is infinite. The **multiplicative step**
# is a gradient step too, with a step size of its own for every entry,
# $\eta_{a\mu} = H_{a\mu} / (2 \sum_i W_{ia})$:
#
# $$H_{a\mu} - \frac{H_{a\mu}}{2 \sum_i W_{ia}} \cdot 2 \sum_i W_{ia} (1 - Q_{i\mu})
# = H_{a\mu} \frac{\sum_i W_{ia} Q_{i\mu}}{\sum_i W_{ia}},$$
#
# the H update (c). (With $\eta_{ia} = W_{ia} / (2 \sum_\mu H_{a\mu})$ it is the W update (a).)
# Large entries take large steps, small ones small steps, and no entry can cross zero. The
# figure fits H alone, with W fixed at the truth (then D is convex in H and both methods head
# for the same minimum), from the same start: gradient descent with a step size chosen by
# backtracking (halve η until D falls enough) against the multiplicative step.

# %%
def gradient_step(V, W, H, eta):
    """One projected gradient step on H with backtracking; returns the new H and a step size to try next."""
    D = nh.deviance(V, W, H)
    gradient = 2 * W.T @ (1 - nh.ratio(V, W @ H))
    while True:
        H_new = np.maximum(H - eta * gradient, 0)
        fits = np.all((W @ H_new)[V > 0] > 0)              # else D is infinite
        if fits and nh.deviance(V, W, H_new) <= D - 1e-4 * np.sum(gradient * (H - H_new)):
            return H_new, 2 * eta
        eta /= 2

W_true = sim.W
H_mu, H_gd, eta = H0, H0, 1e4
D_mu, D_gd = [nh.deviance(V, W_true, H0)], [nh.deviance(V, W_true, H0)]
for _ in range(200):
    H_mu = H_mu * (W_true.T @ nh.ratio(V, W_true @ H_mu))      # the multiplicative H step
    H_gd, eta = gradient_step(V, W_true, H_gd, eta)
    D_mu.append(nh.deviance(V, W_true, H_mu))
    D_gd.append(nh.deviance(V, W_true, H_gd))
H_best = H_mu
for _ in range(1000):                                           # the minimum, to measure the gap
    H_best = H_best * (W_true.T @ nh.ratio(V, W_true @ H_best))
D_best_H = nh.deviance(V, W_true, H_best)

fig, ax = plt.subplots(figsize=(9, 4.5))
ax.semilogy(np.maximum(np.array(D_gd) - D_best_H, 1e-2), label="gradient descent (backtracking)", color="#D55E00")
ax.semilogy(np.maximum(np.array(D_mu) - D_best_H, 1e-2), label="multiplicative step", color="#0072B2")
ax.set_xlabel("iteration")
ax.set_ylabel("D - D(minimum), log scale")
ax.set_title("Fitting H with W known: same objective, two kinds of step")
ax.text(200, 1.3e-2, "gaps below 0.01 drawn at 0.01", ha="right", va="bottom", fontsize=12)
ax.legend()
fig.tight_layout()
plt.show()
gap_gd = [D_gd[k] - D_best_H for k in (1, 20, 200)]
print(f"gradient descent, D above the minimum after 1, 20 and 200 steps: "
      f"{gap_gd[0]:,.0f}, {gap_gd[1]:,.0f}, {gap_gd[2]:,.0f}")
print(f"multiplicative step: within 0.01 of the minimum after 5 steps: {D_mu[5] - D_best_H < 0.01}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# Gradient descent uses one step size for entries of H that range from a few reads to tens of
# thousands: a step small enough for the smallest entries crawls for the large ones, and after
# 200 steps it is still far from the minimum. The multiplicative step scales each entry's step by
# the entry itself and is within 0.01 of the minimum after 5 steps. (Faster methods, such as the
# accelerated steps `nh.nmf` uses by default, build on the multiplicative step.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 3: one update step with loops
#
# Write `my_update_loops(V, W, H)` that returns the new `(W, H)` after steps (a), (b) and (c):
#
# - (a) three nested loops over `i`, `a` and `mu` for the W update (you may use `W @ H` for the
#   model itself, and compute both sums of (a) inside the innermost loop);
# - (b) normalise W's columns and rescale H's rows (no loop needed: `.sum(axis=0)` and broadcasting);
# - (c) three nested loops over `a`, `mu` and `i` for the H update, with Q from the **new** W and H.
#
# Do not modify V, W or H in place (work on new arrays), take Q = 0 where W H = 0, and divide by
# 1 where a row of H sums to 0.

# %% nbgrader={"grade": false, "grade_id": "02_update_rules_loops-my_update_loops", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_update_loops(V, W, H):
    """One multiplicative step with nested loops: W update, normalise W's columns, H update."""
    N, M = V.shape
    R = W.shape[1]
    ### BEGIN SOLUTION
    # (a) W update: W[i, a] *= sum_mu Q[i, mu] H[a, mu] / sum_mu H[a, mu]
    WH = W @ H
    W_new = np.zeros((N, R))
    for i in range(N):
        for a in range(R):
            top, bottom = 0.0, 0.0
            for mu in range(M):
                if WH[i, mu] > 0:
                    top += V[i, mu] / WH[i, mu] * H[a, mu]
                bottom += H[a, mu]
            W_new[i, a] = W[i, a] * top / (bottom if bottom > 0 else 1.0)
    # (b) normalise W's columns; H's rows take the scale, so W H is unchanged
    sums = W_new.sum(axis=0)
    sums[sums == 0] = 1.0
    W_new = W_new / sums
    H_scaled = H * sums[:, np.newaxis]
    # (c) H update with the new W: H[a, mu] *= sum_i W[i, a] Q[i, mu]   (sum_i W[i, a] = 1)
    WH = W_new @ H_scaled
    H_new = np.zeros((R, M))
    for a in range(R):
        for mu in range(M):
            total = 0.0
            for i in range(N):
                if WH[i, mu] > 0:
                    total += W_new[i, a] * V[i, mu] / WH[i, mu]
            H_new[a, mu] = H_scaled[a, mu] * total
    ### END SOLUTION
    return W_new, H_new


# %% nbgrader={"grade": true, "grade_id": "02_update_rules_loops-my_update_loops-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_update(my_update_loops)

# %% [markdown] slideshow={"slide_type": "subslide"}
# From here on we use the helper's `nh.update_loops` (and its faster twins). Here is its code;
# it follows steps (a), (b) and (c) exactly (`ratio` is V / WH with 0 where WH = 0, and
# `normalize_columns` is step (b)):

# %% tags=["reference-solution"]
print(inspect.getsource(nh.update_loops))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The loops agree with the matrix form
#
# `nh.update_matmul` does the same step with matrix products (notebook 03 explains how).
# From the same random start, the two give the same W and H up to floating-point rounding:

# %%
W_loops, H_loops = nh.update_loops(V, W0, H0)
W_mat, H_mat = nh.update_matmul(V, W0, H0)
agree = np.allclose(W_loops, W_mat, rtol=1e-12, atol=0) and np.allclose(H_loops, H_mat, rtol=1e-12, atol=0)
print(f"loops and matrix form agree to 1e-12 (relative): {agree}")
assert agree

# %%
print(f"W's columns sum to 1 after the step: {np.allclose(W_loops.sum(axis=0), 1)}")
print(f"log-likelihood before the step {nh.log_likelihood(V, W0, H0):,.1f}, "
      f"after {nh.log_likelihood(V, W_loops, H_loops):,.1f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Fitting: when to stop
#
# A fit starts from a random positive W (columns summing to 1) and H (each column scaled to its
# sample's total count, so the start is in the right range) and repeats the update step. When
# should it stop? An obvious rule is "when L's relative change is tiny",
# $|L_{\text{new}} - L_{\text{old}}| \le \text{tol} \cdot |L_{\text{new}}|$. But the size of L is an
# accident: we dropped the constant $\sum \log V!$, and that constant decides how large $|L|$ is,
# so it decides how much change the rule lets through. Look at the numbers for a converged fit
# of our data:

# %%
fit = nh.nmf(V, 4, seed=SEED)                        # the helper's converged fit
L = fit.log_likelihood                                  # log V! dropped
L_full = L - log_V_factorial                            # log V! kept
tol = 1e-8
print(f"L without log V!: {L:>14,.0f}   -> tol |L| = {tol * abs(L):.2g}")
print(f"L with log V!:    {L_full:>14,.0f}   -> tol |L| = {tol * abs(L_full):.2g}")
print(f"deviance D:       {fit.deviance:>14,.1f}   -> tol D   = {tol * fit.deviance:.2g}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# With tol = 1e-8 the rule on L would accept a change of 0.37 per check, only because L is
# about 3.7e7, and that size comes from the constant we dropped. With the constant kept, the same
# rule would demand more than a thousand times less. A stopping rule should not depend on a constant that,
# as section 1 showed, cancels from everything else.
#
# So the course stops on the **deviance** $D = 2 \sum [V \log(V/WH) - V + WH] = 2 (L_{\text{perfect}} - L)$:
# twice the distance in log-likelihood from the perfect model W H = V. Changes of D are changes of L
# (times −2), but D has no dropped constant: it is 0 for a perfect fit, and about one unit per
# entry for a good Poisson fit (here about 5,500 for 6,000 entries). `nh.has_converged` judges one
# check, every `check_every` = 50 steps with tol = 2e-9; `nh.nmf` stops when two checks in a row are
# flat (`nh.has_stopped_falling`), because near a saddle point a fit can pause for one check and
# then fall again by several units:

# %%
print(inspect.getsource(nh.has_converged))
print(inspect.getsource(nh.has_stopped_falling))

# %% tags=["nbval-ignore-output"]
W_start, H_start = W0, H0
times = []
for _ in range(5):
    start = time.perf_counter()
    nh.update_loops(V, W_start, H_start)
    times.append(time.perf_counter() - start)
step_time = float(np.median(times))
print(f"one loop step on {N} x {M}, R = 4: {step_time * 1e3:.1f} ms (median of 5)")
print(f"a fit of 1,000 steps would take about {1000 * step_time:.1f} s")


# %% [markdown] slideshow={"slide_type": "slide"}
# A fit needs hundreds to thousands of steps, so loops take tens of seconds on our small data (the time varies by
# machine; much longer on real data: notebook 03 makes it fast). The self-check below fits a smaller problem
# (30 genes, 20 samples, R = 3), where a loop step costs about ten times less, so `my_nmf` uses
# `nh.update_loops` by default: the loop version you have just written, in the helper's copy so
# this exercise does not depend on the previous one. Pass `update=my_update_loops` to use yours,
# or `update=nh.update_matmul` for speed.
#
# ## Exercise 4: the fitting loop
#
# Write `my_nmf(V, R, update=nh.update_loops, tol=1e-6, max_iter=5000, seed=0)` returning
# `(W, H, trace)`, where `trace` is the array of deviances (`nh.deviance`): at the start, then
# after every step. Start from `np.random.default_rng(seed)` as described above, and stop as soon
# as `nh.has_converged(trace[-2], trace[-1], tol)` is true (or after `max_iter` steps). Because
# you check after *every* step, not every 50 as `nh.nmf` does, tol is larger: 1e-6 per step ends
# within a fraction of a percent of the converged fit here, which is what the check asks (within 1 %),
# in about a thousand steps.

# %% nbgrader={"grade": false, "grade_id": "02_update_rules_loops-my_nmf", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_nmf(V, R, update=nh.update_loops, tol=1e-6, max_iter=5000, seed=0):
    """Fit V ~ W H from a random start; stop when nh.has_converged says the deviance stopped falling."""
    rng = np.random.default_rng(seed)
    V = np.asarray(V, dtype=float)
    N, M = V.shape
    ### BEGIN SOLUTION
    W = rng.uniform(0.1, 1.0, size=(N, R))
    W /= W.sum(axis=0)                                     # columns sum to 1
    H = rng.uniform(0.1, 1.0, size=(R, M))
    H *= np.maximum(V.sum(axis=0), 1.0) / H.sum(axis=0)    # each sample's total count
    trace = [nh.deviance(V, W, H)]
    for _ in range(max_iter):
        W, H = update(V, W, H)
        trace.append(nh.deviance(V, W, H))
        if nh.has_converged(trace[-2], trace[-1], tol):
            break
    ### END SOLUTION
    return W, H, np.array(trace)


# %% nbgrader={"grade": true, "grade_id": "02_update_rules_loops-my_nmf-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_nmf(my_nmf)


# %% [markdown] slideshow={"slide_type": "slide"}
# From here on we fit with `nh.nmf` (same idea, with restarts and an accelerated matrix-form loop).
#
# ## 4. The deviance falls and flattens; flat is not finished
#
# We take 3,000 plain multiplicative steps (`nh.update_matmul`) from the start W0, H0 and record,
# every 10 steps, the deviance's distance to the helper's converged fit from the same start, and a
# **KKT residual**. A minimum of D over W, H ≥ 0 must satisfy the Karush-Kuhn-Tucker conditions:
# for every entry X of W and H with gradient $g = \partial D / \partial X$,
#
# - $g = 0$ where $X > 0$ (no downhill direction along that entry), and
# - $g \ge 0$ where $X = 0$ (downhill would need X < 0, which is not allowed).
#
# With $\partial D / \partial W = 2 (1 - Q) H^T$ and $\partial D / \partial H = 2 W^T (1 - Q)$ (1 is
# an N x M array of ones), both conditions say $\min(X, g) = 0$. To compare entries of different
# sizes we divide each gradient by its natural scale ($2 \sum_\mu H_{a\mu}$ for W, $2 \sum_i W_{ia}$
# for H) and each factor by its largest entry; the residual is the largest $|\min(X, g)|$. It is 0
# only at a stationary point. A second run starts from W0 with **one entry set to exactly 0**:
# a gene's weight in its own module.

# %%
def kkt_residual(V, W, H):
    """Largest |min(X, g)| over the entries X of W and H, g the scaled gradient of D: 0 only at a KKT point."""
    Q = nh.ratio(V, W @ H)
    g_W = 2 * (1 - Q) @ H.T / (2 * H.sum(axis=1))               # dD/dW, per unit of sum_mu H[a, mu]
    g_H = 2 * W.T @ (1 - Q) / (2 * W.sum(axis=0)[:, np.newaxis])  # dD/dH, per unit of sum_i W[i, a]
    return max(np.abs(np.minimum(W / W.max(), g_W)).max(), np.abs(np.minimum(H / H.max(), g_H)).max())

best = nh.nmf(V, 4, init=(W0, H0))                     # converged, from the same start
gene = int(np.flatnonzero(sim.modules[:, 0] & (sim.modules.sum(axis=1) == 1))[0])
module = nh.match_modules(sim.W, best.W)[0]            # the fitted module that is true module 1
W_zero = W0.copy()
W_zero[gene, module] = 0.0                             # this gene can never join its own module
W_zero /= W_zero.sum(axis=0)

runs = {}
for name, (W, H) in {"random start": (W0, H0), "one entry of W at 0": (W_zero, H0)}.items():
    gaps, residuals = [], []
    for step in range(3001):
        if step % 10 == 0:
            gaps.append(nh.deviance(V, W, H) - best.deviance)
            residuals.append(kkt_residual(V, W, H))
        W, H = nh.update_matmul(V, W, H)
    runs[name] = (np.array(gaps), np.array(residuals), W, H)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 4.3))
steps = np.arange(0, 3001, 10)
for (name, (gaps, residuals, _, _)), colour in zip(runs.items(), ("#0072B2", "#D55E00")):
    ax1.semilogy(steps, np.maximum(gaps, 1e-2), color=colour, label=name)
    ax2.semilogy(steps, residuals, color=colour, label=name)
ax1.set(xlabel="iteration", ylabel="D - D(converged fit)", title="Deviance above the optimum")
ax2.set(xlabel="iteration", ylabel="KKT residual", title="Distance from a stationary point")
ax2.legend(fontsize=12)
fig.tight_layout()
plt.show()

print(f"converged fit from the same start: D = {best.deviance:,.1f}, KKT residual "
      f"below 1e-3: {kkt_residual(V, best.W, best.H) < 1e-3}")
for name, (gaps, residuals, _, _) in runs.items():
    print(f"{name:<20} after 3,000 steps: D {gaps[-1]:>9,.1f} above it, changed by "
          f"{gaps[-11] - gaps[-1]:,.2f} in the last 100 steps; KKT residual {residuals[-1]:.2g}")
_, _, W_end, H_end = runs["one entry of W at 0"]
g_W = 1 - (nh.ratio(V, W_end @ H_end) @ H_end.T) / H_end.sum(axis=1)      # scaled dD/dW at the end
print(f"the zeroed entry is still exactly 0: {W_end[gene, module] == 0}; its scaled gradient is "
      f"{g_W[gene, module]:.2f} (< 0: D would fall if it could grow)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# From the random start the deviance falls by four orders of magnitude in the first few hundred
# steps, then creeps: after 3,000 steps it is still about 4 units above the converged fit, and the
# KKT residual falls slowly with it. The run with one entry at zero looks even more finished: its
# deviance changed by less over the last 100 steps. But it is about 57,000 above the optimum, and
# its KKT residual stays near 2: the zeroed entry's gradient is negative (the fit would improve if
# the gene joined its module), yet a multiplicative step can never move an entry away from
# exactly 0. Monotone updates can also crawl for a long time near a saddle point.
# So a flat trace says the *steps* have become small, not that we reached a maximum of L; the
# KKT residual is what tells a stationary point from a stall. (Even a stationary point need not be
# the best one: notebook 04 uses restarts for that.) The random starts of `nh.nmf` have no zeros,
# and its accelerated steps reach the optimum within a unit of deviance.
#
# ### Watch the modules appear
#
# The slider steps through the first 200 updates from the random start `W0, H0` used above (in
# matrix form, which gives the same numbers as the loops, only faster). Left, the true W; middle,
# the fitted W after the chosen number of steps, with the genes in the same order and the fitted
# modules lined up with the true ones (`nh.match_modules`; NMF's modules come out in no particular
# order); right, where that step sits on the deviance trace (log scale).

# %% @deathbeds/jupyterlab-fonts={"styles": {"": {"body[data-jp-deck-mode='presenting'] &": {"& .jp-Cell-inputWrapper": {"display": "none"}}}}} slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
path_W, path_D = [W0], [nh.deviance(V, W0, H0)]
W_step, H_step = W0, H0
for _ in range(200):
    W_step, H_step = nh.update_matmul(V, W_step, H_step)
    path_W.append(W_step)
    path_D.append(nh.deviance(V, W_step, H_step))
matched = nh.match_modules(sim.W, path_W[-1])                  # fitted module for each true one
gene_order = np.lexsort((sim.modules.sum(axis=1), sim.modules.argmax(axis=1)))
top = sim.W.max()

def show_step(step):
    """Draw the true W, the fitted W after `step` updates (modules matched) and the trace."""
    W_fit = path_W[step][:, matched]
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 4.6), gridspec_kw={"width_ratios": [1, 1, 1.5]})
    plots.plot_heatmap(axes[0], sim.W[gene_order], "true W", "module", "gene (by true module)",
                    vmin=0, vmax=top)
    plots.plot_heatmap(axes[1], W_fit[gene_order], f"W after {step} steps", "module (matched)",
                    "gene (same order)", vmin=0, vmax=top)
    for ax in axes[:2]:
        ax.set_xticks(range(4), ["1", "2", "3", "4"])
    axes[2].semilogy(path_D, color="#0072B2")
    axes[2].semilogy([step], [path_D[step]], "o", color="#D55E00", markersize=10)
    axes[2].set_xlabel("iteration")
    axes[2].set_ylabel("deviance D (log scale)")
    axes[2].set_title(f"D = {path_D[step]:,.0f}")
    fig.tight_layout()
    plt.show()

step_slider = widgets.IntSlider(value=5, min=0, max=200, step=1, description="steps", continuous_update=False,
                                 style={"description_width": "initial"})
display(widgets.VBox([step_slider, widgets.interactive_output(show_step, {"step": step_slider})]))



# %% [markdown] slideshow={"slide_type": "subslide"}
# Try 5 steps: the fitted W is still mostly a blur. By about 30 steps the four blocks (and the
# moonlighting genes' second entries) stand out, just as the deviance's steep fall ends; later steps only
# polish the weights. The cosine
# similarity between each fitted module and its true one after 200 steps:

# %%
W_end = path_W[200][:, matched]
cosine = np.sum(W_end * sim.W, axis=0) / (np.linalg.norm(W_end, axis=0) * np.linalg.norm(sim.W, axis=0))
for a in range(4):
    print(f"module {a + 1}: cosine similarity {cosine[a]:.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Finally, the loop version gives the same fit as the matrix form, step for step. Twenty steps
# from the same random start (loops are slow, so only twenty: `tol=0` makes the fit take exactly
# `max_iter` steps, deliberately unconverged, and `check_every=1` records the deviance after each):

# %%
slow = nh.nmf(V, 4, update="loops", max_iter=20, tol=0, check_every=1, seed=SEED)
fast = nh.nmf(V, 4, update="matmul", max_iter=20, tol=0, check_every=1, seed=SEED)
relative = np.max(np.abs(slow.deviance_trace - fast.deviance_trace) / fast.deviance_trace)
print(f"deviance traces of 20 steps agree to 1e-12 (relative): {relative < 1e-12}")
print(f"W after 20 steps agrees to 1e-9 (relative): {np.allclose(slow.W, fast.W, rtol=1e-9, atol=0)}")
assert relative < 1e-12

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - The Poisson log-likelihood is $\sum [V \log(WH) - WH - \log V!]$; log V! depends only on
#   the data, so it is dropped: it cancels from every comparison. 0 log 0 is taken as 0.
# - One step, with Q = V / (W H): $W_{ia} \leftarrow W_{ia} \sum_\mu Q_{i\mu} H_{a\mu} / \sum_\mu H_{a\mu}$;
#   normalise W's columns and rescale H's rows the other way (W H unchanged);
#   $H_{a\mu} \leftarrow H_{a\mu} \sum_i W_{ia} Q_{i\mu}$ with Q recomputed. Entries stay
#   non-negative and L never goes down. The step is EM on hidden per-module counts
#   $\hat C_{ia\mu} = W_{ia} H_{a\mu} Q_{i\mu}$ (pLSA's EM; LDA adds Dirichlet priors); the
#   denominator $\sum_\mu H_{a\mu}$ cancels when W's columns are normalised, so the slides' form without it
#   gives the same W. It is a gradient step with a step size per entry, which is why it never
#   crosses zero and needs no step size to tune.
# - With loops each update is three nested `for` loops over i, a and μ: clear, but slow.
# - A fit repeats the step until the deviance D = 2 (L_perfect - L) stops falling
#   (`nh.has_converged` at two checks in a row): L's size comes from the dropped log V!, so a rule relative to L depends
#   on that constant; D has none. D falls fast, then creeps.
# - A flat trace is not proof of a minimum: an entry stuck at exactly 0 stalls the fit. The KKT
#   residual (min(X, gradient) = 0 for every entry) is 0 only at a stationary point.
#
# **Homework questions this notebook answers**
# - Problem 2: write an NMF function taking V and R that starts from random W and H and runs
#   the update steps until the log-likelihood converges, with three nested `for` loops for the W
#   update and three for the H update; compute the log-likelihood without a loop, dropping log V!.
#
# Next: the same update with NumPy broadcasting and in matrix form, and how much faster they are.
#
# [← previous](01_simulating_counts.ipynb) | [course map](../README.md#notebook-map) | [next →](03_update_rules_broadcasting.ipynb)
