# %% [markdown] slideshow={"slide_type": "slide"}
# [← previous](09_parts_vs_wholes.ipynb) | [course map](../README.md#notebook-map) | [next →](11_leukemia_consensus.ipynb)
#
# # 10 · Objectives, ratings and words
#
# The course so far fitted NMF by maximising a Poisson log-likelihood. That is one of two classic
# choices; the other minimises the squared error. This notebook puts the two side by side, works
# through the small examples of the lecture notes (a 3 x 3 matrix and a table of film ratings),
# checks our code against scikit-learn's, and ends with words: a tiny text corpus in which one
# word belongs to two topics, the way a moonlighting gene belongs to two modules.
#
# **What you will learn**
# - the squared-error (Frobenius) and generalised Kullback-Leibler (KL) objectives, their
#   multiplicative updates, and which noise each one assumes (Gaussian or Poisson);
# - to read $W$ and $H$ of a ratings matrix: users' commitment to a topic, films' topics;
# - that "not rated" is not a rating of 0: fitting only the rated entries with a mask, and which
#   missing ratings the data can and cannot predict;
# - that our updates and scikit-learn's `NMF(solver="mu")` compute the same thing, to many digits,
#   and why scikit-learn's KL fit can stall above the optimum (zeros are absorbing);
# - that NMF can put a word with two meanings into two topics, and how `nh.find_moonlighters`
#   finds it;
# - where else NMF is used: clustering, gene expression, metabolomics, microbiome, audio,
#   recommenders.
#
# **What you need first**: notebooks 02 (the updates and the log-likelihood) and 05 (reading $W$,
# moonlighters). Notebook 09 helps but is not needed.

# %% tags=["parameters"]
import inspect
import re
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import gammaln, xlogy
from sklearn.decomposition import NMF

import nmf_helpers as nh
from nmf_course import frobenius, plots, selfchecks

SEED = 0
plots.use_course_style()  # 13 pt text, figures at most 9.6 inches wide
np.set_printoptions(precision=3, suppress=True)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Two objectives
#
# NMF looks for non-negative $W$ (N x R) and $H$ (R x M) with $V \approx WH$. "Approximately" needs a
# measure of misfit. The two classic ones are
#
# | | squared error (Frobenius) | generalised KL divergence |
# | --- | --- | --- |
# | objective | $\lVert V - WH\rVert_F^2 = \sum_{i\mu} (V_{i\mu} - (WH)_{i\mu})^2$ | $D(V \Vert WH) = \sum_{i\mu} \left[V_{i\mu} \log \frac{V_{i\mu}}{(WH)_{i\mu}} - V_{i\mu} + (WH)_{i\mu}\right]$ |
# | update of $W$ | $W \leftarrow W \odot \dfrac{V H^T}{W H H^T}$ | $W_{ia} \leftarrow W_{ia} \dfrac{\sum_\mu H_{a\mu} V_{i\mu}/(WH)_{i\mu}}{\sum_\mu H_{a\mu}}$ |
# | update of $H$ | $H \leftarrow H \odot \dfrac{W^T V}{W^T W H}$ | $H_{a\mu} \leftarrow H_{a\mu} \dfrac{\sum_i W_{ia} V_{i\mu}/(WH)_{i\mu}}{\sum_i W_{ia}}$ |
# | best when the noise is | Gaussian, with the same spread for every entry | Poisson: counts, whose variance equals their mean |
# | in `nmf_helpers` | `frobenius_error`, `update_frobenius`, `nmf_frobenius` | `generalized_kl`, `log_likelihood`, `update_matmul`, `nmf` |
#
# ($\odot$ and the fraction bars are elementwise.) Both updates multiply by non-negative factors,
# so $W$ and $H$ stay non-negative, and both never make their objective worse (Lee and Seung,
# 2001). Both objectives are convex in $W$ alone and in $H$ alone, but not in both together, so a
# fit can end in a local minimum: hence the restarts of notebook 04.
#
# **Which one?** Each objective is a negative log-likelihood. If $V_{i\mu} = (WH)_{i\mu}$ plus
# Gaussian noise of constant variance, maximising the likelihood is minimising the squared
# error. If $V_{i\mu} \sim \text{Poisson}((WH)_{i\mu})$, as for sequencing counts, then
#
# $$D(V \Vert WH) = -\log P(V \mid W, H) + \sum_{i\mu} \left[V_{i\mu}\log V_{i\mu} - V_{i\mu} - \log V_{i\mu}!\right],$$
#
# and the last sum does not depend on $W$ or $H$: minimising the KL divergence *is* maximising
# the Poisson likelihood of the homework. (`nh.log_likelihood` already drops $\log V!$, so in code
# the constant is $\sum [V \log V - V]$.) Squared error treats a miss of 10 on a count of 10,000
# like a miss of 10 on a count of 20; the Poisson model knows the first is tiny and the second large.
#
# (Check the sign: $\log P = \sum [V \log WH - WH - \log V!]$, so $-\log P$ carries $+\log V!$,
# which the constant must take away again.)
#
# **Exercise: the squared-error step.** Write `my_frobenius_step(V, W, H)`, one multiplicative step
# of the middle column: first $W$, then $H$ *with the new* $W$. In NumPy, `@` is the matrix
# product and `*`, `/` work elementwise.

# %% nbgrader={"grade": false, "grade_id": "10_objectives_ratings_words-my_frobenius_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_frobenius_step(V, W, H):
    """One Lee & Seung step for the squared error ||V - W H||^2; return the new (W, H)."""
    ### BEGIN SOLUTION
    W = W * (V @ H.T) / (W @ H @ H.T)
    H = H * (W.T @ V) / (W.T @ W @ H)
    return W, H
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "10_objectives_ratings_words-my_frobenius_step-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_frobenius_step(my_frobenius_step)

# %% tags=["reference-solution"]
# the helper's squared-error step, to compare with yours
print(inspect.getsource(frobenius.update_frobenius))

# %% [markdown] slideshow={"slide_type": "subslide"}
# We check the relation between $D$ and the log-likelihood on simulated counts (with
# `scipy.special.gammaln`: $\log V! = \log \Gamma(V + 1)$), and look at the
# noise itself: for Poisson counts the variance of $V$ around $WH$ grows with $WH$ (it equals
# it), while the squared error assumes one variance for all entries.

# %%
sim = nh.simulate(n_genes=60, n_samples=40, n_modules=3, n_moonlighters=0, depth=(300, 3000), seed=SEED)
V = sim.V.astype(float)
log_V_factorial = gammaln(V + 1)                                      # log V! = log Gamma(V + 1)
log_P = nh.log_likelihood(V, sim.W, sim.H) - log_V_factorial.sum()    # the full Poisson log-likelihood
constant = float(np.sum(xlogy(V, V) - V - log_V_factorial))          # sum [V log V - V - log V!]
D = frobenius.generalized_kl(V, sim.W, sim.H)
print(f"D(V || WH) = {D:,.2f};  -log P + sum[V log V - V - log V!] = {-log_P + constant:,.2f}")
print(f"agree to 1e-9 (relative): {abs(D - (-log_P + constant)) <= 1e-9 * D}")
assert abs(D - (-log_P + constant)) <= 1e-9 * D

expected = (sim.W @ sim.H).ravel()
residual = V.ravel() - expected
edges = np.quantile(expected, [0, 0.25, 0.5, 0.75, 1])
print("E[V] range         mean E[V]   variance of V - E[V]")
for low, high in zip(edges[:-1], edges[1:]):
    inside = (expected >= low) & (expected <= high)
    print(f"{low:7.1f} - {high:7.1f}   {expected[inside].mean():9.1f}   {residual[inside].var():12.1f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The variance climbs with the mean, roughly equal to it: Poisson noise, so the KL objective is
# the right model for these counts. Both fits still find the modules here (the signal is
# strong); we compare them with the cosine similarity between true and fitted modules.

# %%
fit_kl = nh.nmf(V, 3, n_restarts=3, seed=SEED)
fit_fro = frobenius.nmf_frobenius(V, 3, n_restarts=3, seed=SEED)


def cosine(A, B):
    return np.sum(A * B, axis=0) / (np.linalg.norm(A, axis=0) * np.linalg.norm(B, axis=0))


for name, fit in [("KL (Poisson)", fit_kl), ("squared error", fit_fro)]:
    matched = fit.W[:, nh.match_modules(sim.W, fit.W)]
    print(f"{name:14}: cosine with the true modules " +
          ", ".join(f"{c:.4f}" for c in cosine(sim.W, matched)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The 3 x 3 example
#
# The lecture notes factorise a 3 x 3 matrix with $r = 2$ by hand:
#
# $$V = \begin{pmatrix} 4 & 0 & 2 \\ 0 & 3 & 1 \\ 2 & 1 & 3 \end{pmatrix} \approx
# \begin{pmatrix} 2 & 0 \\ 0 & 1.5 \\ 1 & 1 \end{pmatrix}
# \begin{pmatrix} 2 & 0 & 1 \\ 0 & 2 & 1 \end{pmatrix} =
# \begin{pmatrix} 4 & 0 & 2 \\ 0 & 3 & 1.5 \\ 2 & 2 & 2 \end{pmatrix}.$$
#
# Read column by column: each column of $V$ is a non-negative mix of the two columns of $W$, with
# the weights in the matching column of $H$; the first column is $2 \times (2, 0, 1)^T + 0 \times (0, 1.5, 1)^T$.
# How good is the hand factorisation, and what do the two kinds of NMF find?

# %%
V3 = np.array([[4.0, 0, 2], [0, 3, 1], [2, 1, 3]])
W_hand = np.array([[2.0, 0], [0, 1.5], [1, 1]])
H_hand = np.array([[2.0, 0, 1], [0, 2, 1]])
print("W_hand @ H_hand =\n", W_hand @ H_hand)

fit3_fro = frobenius.nmf_frobenius(V3, 2, n_restarts=20, seed=SEED)
fit3_kl = nh.nmf(V3, 2, n_restarts=20, seed=SEED)
print(f"{'':22}{'squared error':>15}{'KL divergence':>15}")
for name, (W, H) in [("by hand", (W_hand, H_hand)), ("NMF, squared error", (fit3_fro.W, fit3_fro.H)),
                     ("NMF, KL", (fit3_kl.W, fit3_kl.H))]:
    print(f"{name:22}{frobenius.frobenius_error(V3, W, H):15.4f}{frobenius.generalized_kl(V3, W, H):15.4f}")
print("\nsquared-error NMF, W H =\n", fit3_fro.W @ fit3_fro.H)
print("W (columns sum to 1) =\n", fit3_fro.W)
print("H =\n", fit3_fro.H)

# %% [markdown] slideshow={"slide_type": "slide"}
# The hand factorisation misses by 0.5, 1 and 1 in three entries (squared error 2.25). Each NMF
# beats it on its own objective, and each is best on the objective it was fitted for: that is
# what "the right objective" changes. No rank-2 factorisation can be exact here, because $V$ has
# rank 3. The fitted $W$ is scaled so its columns sum to 1 (the course's convention); the hand
# $W$ is not, which does not matter: $W D$ and $D^{-1} H$ give the same product for any positive
# diagonal $D$.
#
# ## 3. Film ratings: users, topics and films
#
# The lecture's running example: seven users rate five films from 1 to 5, and 0 in the table
# means *not rated*. Four users watch science fiction, three watch romance, and nobody mixes. We
# first fit the table as it stands, which treats every 0 as a rating of 0.

# %%
users = ["Joe", "Jim", "John", "Jack", "Jill", "Jenny", "Jane"]
films = ["Matrix", "Alien", "Star Wars", "Casablanca", "Titanic"]
ratings = np.array([[1, 1, 1, 0, 0],
                    [3, 3, 3, 0, 0],
                    [4, 4, 4, 0, 0],
                    [5, 5, 5, 0, 0],
                    [0, 0, 0, 4, 4],
                    [0, 0, 0, 5, 5],
                    [0, 0, 0, 2, 2]], dtype=float)
rated = ratings > 0                                # True where a user rated a film
true_topic_of_film = np.array([0, 0, 0, 1, 1])   # 0 = science fiction, 1 = romance
true_topic_of_user = np.array([0, 0, 0, 0, 1, 1, 1])

fit_r = nh.nmf(ratings, 2, n_restarts=5, seed=SEED)  # every 0 fitted as if it were a rating
order = nh.match_modules(np.eye(2)[true_topic_of_user].astype(float), fit_r.W)  # topic 0 = sci-fi
W_r, H_r = fit_r.W[:, order], fit_r.H[order]
predicted = W_r @ H_r
print(f"W H reproduces every rating, |ratings - W H| below 1e-6: {np.abs(ratings - predicted)[rated].max() < 1e-6}")
print(f"and predicts 0 for every unrated film, below 1e-6: {predicted[~rated].max() < 1e-6}")

# W's columns sum to 1; to read W as commitment in rating points, move H's scale into W
scale = H_r.max(axis=1)
commitment, pertinence = W_r * scale, H_r / scale[:, np.newaxis]
print("\nusers' commitment to each topic (W):")
for user, row in zip(users, commitment):
    print(f"  {user:6} sci-fi {row[0]:5.2f}   romance {row[1]:5.2f}")
print("films' pertinence to each topic (H):")
for film, column in zip(films, pertinence.T):
    print(f"  {film:11} sci-fi {column[0]:5.2f}   romance {column[1]:5.2f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(9.6, 4.6), width_ratios=[5, 2.4, 5], layout="constrained")
plots.plot_heatmap(axes[0], ratings, "ratings V", "", "")
plots.plot_heatmap(axes[1], commitment, "W", "", "")
plots.plot_heatmap(axes[2], pertinence, "H", "", "")
for ax in (axes[0], axes[1]):
    ax.set_yticks(range(len(users)), users)
for ax in (axes[0], axes[2]):
    ax.set_xticks(range(len(films)), films, rotation=40, ha="right")
axes[1].set_xticks([0, 1], ["sci-fi", "romance"], rotation=40, ha="right")
axes[2].set_yticks([0, 1], ["sci-fi", "romance"])
fig.suptitle("V = W H for the ratings, K = 2 (W: commitment, H: films' topics)")
plt.show()

films_ok = np.mean(pertinence.argmax(axis=0) == true_topic_of_film)
users_ok = np.mean(commitment.argmax(axis=1) == true_topic_of_user)
off_block = max(commitment[true_topic_of_user == 0, 1].max(), commitment[true_topic_of_user == 1, 0].max(),
                pertinence[0, true_topic_of_film == 1].max(), pertinence[1, true_topic_of_film == 0].max())
print(f"films in the right topic: {films_ok:.0%}; users in the right topic: {users_ok:.0%}; "
      f"every entry outside the blocks below 1e-6: {off_block < 1e-6}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# The block structure comes back exactly: every user is committed to one topic only, every film
# belongs to one topic only, and the entries outside the blocks are zero. $W$ tells us *how much*
# each user is committed (Jack, who gives 5s, more than Joe, who gives 1s); $H$ is binary (0 or 1
# after scaling) because within a topic every user rates all films the same. The lecture notes'
# NMF of the table finds the same blocks (their $W$ and $H$, scaled differently). Their first fit,
# by gradient descent, spread every user over both topics, but it answered another question: it
# skips the 0s and fits the rated entries only. We come back to it after the next section, which
# fits that way too.
#
# But this fit took every 0 at its word: it reproduces "Jill rated Matrix 0" exactly, so $WH$
# "predicts" 0 for every film a user has not rated. It has learnt nothing about missing ratings; it
# has copied the zeros.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Missing is not zero: fitting the rated entries only
#
# To fit only what users said, give `nh.nmf` a **mask**, True for the rated entries: the hidden
# entries are neither fitted nor scored. In the multiplicative step the mask enters twice: the ratio
# $Q = V / (WH)$ is set to 0 where an entry is hidden, and the denominators, which were sums of
# $H$ over every film (and of $W$ over every user), become sums over the *rated* entries only:
#
# $$W \leftarrow W \odot \frac{Q H^T}{M H^T}, \qquad H \leftarrow H \odot \frac{W^T Q}{W^T M},
# \qquad Q = M \odot \frac{V}{WH},$$
#
# with $M$ the mask as 0s and 1s (without a mask, $M$ is all ones and this is the usual step).
#
# **Exercise.** Write `my_masked_step(V, W, H, mask)`, one such step ($W$ first, then $H$ with the
# new $W$ and $Q$ recomputed). The check puts made-up numbers into the hidden entries of its test
# $V$: they must have no effect.

# %% nbgrader={"grade": false, "grade_id": "10_objectives_ratings_words-my_masked_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_masked_step(V, W, H, mask):
    """One KL multiplicative step that fits only the entries where mask is True; return (W, H)."""
    ### BEGIN SOLUTION
    M = mask.astype(float)
    Q = M * V / (W @ H)
    W = W * (Q @ H.T) / (M @ H.T)
    Q = M * V / (W @ H)
    H = H * (W.T @ Q) / (W.T @ M)
    return W, H
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "10_objectives_ratings_words-my_masked_step-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_masked_step(my_masked_step)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the masked fit, from five different seeds. To see what a masked fit *can* predict, we also
# hide one rating that the table does hold, Jim's 3 for Alien, and let the fits predict it.

# %%
fitted = rated.copy()
fitted[users.index("Jim"), films.index("Alien")] = False   # hide one known rating, to predict it
cross = [(users.index("Jill"), films.index("Matrix")), (users.index("Jenny"), films.index("Matrix"))]
print(f"{'seed':>4}  {'rated entries fitted':>21}  {'Jim, Alien (true 3)':>20}  {'Jill, Matrix':>12}  {'Jenny, Matrix':>15}")
predictions = []
for seed in range(5):
    fit_m = nh.nmf(ratings, 2, mask=fitted, seed=seed)
    P_m = fit_m.W @ fit_m.H
    predictions.append(P_m)
    fits_rated = np.abs(P_m - ratings)[fitted].max() < 1e-3
    print(f"{seed:>4}  {str(fits_rated):>21}  {P_m[1, 1]:20.2f}  {P_m[cross[0]]:12.2f}  {P_m[cross[1]]:15.2f}")
predictions = np.array(predictions)
spread = predictions.max(axis=0) - predictions.min(axis=0)
print(f"largest minus smallest over the seeds: Jim's Alien {spread[1, 1]:.2f}; the cross-genre entries "
      f"from {spread[~rated].min():.2f} to {spread[~rated].max():.2f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Every seed fits the rated entries (to 1e-3), and they nearly agree on Jim's hidden Alien (2.91
# to 3.00: about 3, as his other sci-fi ratings and the other sci-fi fans say). On the cross-genre
# entries they disagree: Jill's Matrix runs from 3.66 to 5.00 and Jenny's from 5.55 to 7.42, above
# the top rating of 5 (a few cross-genre entries happen to land close together, but nothing makes
# them). No user rated films of both genres, so nothing in the data links a sci-fi fan's taste to
# romance: a user's weight on the other topic can be anything that keeps the rated entries exact,
# and each start ends somewhere else on that ridge of equally good fits. These numbers are not
# predictions; they are leftovers of the random start.
#
# What does non-negativity say about missing values? Only that a prediction is $\geq 0$, and that
# a film's topics and a user's tastes add up without cancelling. It does **not** make a missing
# entry 0 (that came from fitting the zeros as ratings), and it does not fill in what no rating
# constrains. A recommender can predict a missing rating when users overlap: when someone who
# rated films of both genres ties the two topics together.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The lecture's gradient-descent fit is a masked fit
#
# The lecture notes fit the same table by gradient descent, with a learning rate and a
# regularisation parameter (their `alpha` and `beta`). Their printed $WH$, copied below, is close
# to every rating but puts no 0 in the unrated entries: the 0s were skipped, not fitted. Beside
# it, our masked fit of the same rated entries (`mask=rated`, nothing else hidden) from five
# seeds.

# %%
lecture_WH = np.array([            # the lecture notes' np.dot(nP, nQ.T), to the digits they print
    [1.01541991, 1.00333129, 0.97277743, 1.06287968, 1.04171324],
    [3.01303945, 2.99879446, 2.96279189, 3.09527589, 3.0083412],
    [3.95992279, 3.97901104, 4.02726085, 3.9655638, 3.80912366],
    [4.99247343, 4.98812249, 4.97712927, 5.07657468, 4.91104751],
    [3.52001748, 3.37358497, 3.00347147, 3.96773585, 4.01098322],
    [4.51837154, 4.37142223, 4.00000329, 4.98195069, 4.99170315],
    [2.10390225, 2.13556026, 2.21557931, 2.04860435, 1.94148161]])
ours_WH = np.array([(lambda fit: fit.W @ fit.H)(nh.nmf(ratings, 2, mask=rated, seed=seed)) for seed in range(5)])
print(f"largest |rating - W H| over the rated entries: lecture {np.abs(lecture_WH - ratings)[rated].max():.2f}, "
      f"our five masked fits {np.abs(ours_WH - ratings)[:, rated].max():.2f}")
print(f"unrated entries: lecture from {lecture_WH[~rated].min():.1f} to {lecture_WH[~rated].max():.1f}, "
      f"ours from {ours_WH[:, ~rated].min():.1f} to {ours_WH[:, ~rated].max():.1f}")
print(f"\n{'user':6} {'own rating':>10}  {'lecture, unrated films':>22}  {'ours, unrated films (5 seeds)':>30}")
for u, user in enumerate(users):
    unrated = ~rated[u]
    ours_u = ours_WH[:, u, unrated]
    print(f"{user:6} {ratings[u, rated[u]][0]:10.0f}  "
          f"{', '.join(f'{x:.1f}' for x in lecture_WH[u, unrated]):>22}  "
          f"{f'{ours_u.min():.1f} to {ours_u.max():.1f}':>30}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Both fits reproduce what the users said (the lecture's to within 0.06: its penalty and its
# finite number of steps keep it a little off), and neither puts a 0 where a user said nothing.
# There they part: the lecture's fit gives each user roughly his or her own rating on the other
# genre (within 0.25 of it for five users; Jill and Jenny 0.5 to 1 below theirs, 3.0 to 3.5 and
# 4.0 to 4.5), while our five fits scatter over a range that changes from seed to seed (Jenny's
# from 5.5 to 9.9, above the top rating of 5).
#
# Our five fits match the rated entries equally well, and the lecture's nearly so: its numbers
# are one more point near the same ridge of equally good fits, picked by its start, its penalty
# and its steps, and no more a prediction than ours.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Our updates against scikit-learn's
#
# scikit-learn implements Lee and Seung's updates as `NMF(solver="mu")`, with
# `beta_loss="frobenius"` (squared error) or `beta_loss="kullback-leibler"`. Two things to line up:
#
# - **roles**: scikit-learn factorises $X \approx W H$ with $X$ of shape samples x features. If we
#   pass our $V$ as $X$, scikit-learn's $W$ is our $W$ and its `components_` our $H$.
# - **same start, same number of steps**: `init="custom"` with `W=` and `H=` gives the start;
#   `tol=0` and `max_iter` fix the number of iterations (no early stopping).
#
# scikit-learn reports `reconstruction_err_`, which is $\lVert V - WH\rVert_F$ for the squared
# error and $\sqrt{2 D}$ for the KL divergence; we convert it back to our objectives. Our KL step
# also rescales $W$'s columns to sum to 1 after each $W$ update; that changes $W$ and $H$ but not
# the product $WH$, so the objectives must still agree.

# %%
counts = nh.simulate(n_genes=50, n_samples=30, n_modules=3, n_moonlighters=2, seed=SEED).V.astype(float)
rng = np.random.default_rng(SEED)
W0 = rng.uniform(0.1, 1.0, size=(counts.shape[0], 3))
H0 = rng.uniform(0.1, 1.0, size=(3, counts.shape[1])) * counts.mean()
N_STEPS = 200


def ours(update, V, W, H, n_steps=N_STEPS):
    for _ in range(n_steps):
        W, H = update(V, W, H)
    return W, H


def sklearns(beta_loss, V, W, H, n_steps=N_STEPS):
    model = NMF(n_components=W.shape[1], solver="mu", beta_loss=beta_loss, init="custom",
                max_iter=n_steps, tol=0)
    W_fit = model.fit_transform(V, W=W.copy(), H=H.copy())
    return model, W_fit, model.components_


W_a, H_a = ours(frobenius.update_frobenius, counts, W0, H0)
model_f, W_b, H_b = sklearns("frobenius", counts, W0, H0)
ours_f, theirs_f = frobenius.frobenius_error(counts, W_a, H_a), model_f.reconstruction_err_ ** 2
W_c, H_c = ours(nh.update_matmul, counts, W0, H0)
model_k, W_d, H_d = sklearns("kullback-leibler", counts, W0, H0)
ours_k, theirs_k = frobenius.generalized_kl(counts, W_c, H_c), model_k.reconstruction_err_ ** 2 / 2


def agree(a, b, rtol=1e-9):
    return bool(np.all(np.abs(a - b) <= rtol * np.abs(b)))


print(f"squared error after {N_STEPS} steps: ours {ours_f:,.2f}, scikit-learn {theirs_f:,.2f}; "
      f"agree to 1e-9 (relative): {agree(ours_f, theirs_f)}")
print(f"KL divergence after {N_STEPS} steps: ours {ours_k:,.3f}, scikit-learn {theirs_k:,.3f}; "
      f"agree to 1e-9 (relative): {agree(ours_k, theirs_k)}")
print(f"every entry of W H agrees to 1e-9 (relative): squared error {agree(W_a @ H_a, W_b @ H_b)}, "
      f"KL {agree(W_c @ H_c, W_d @ H_d)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Same start, same number of steps, and the objective values and every entry of $WH$ agree to
# nine significant digits or more: the two implementations compute the same updates. The last
# digits can differ, because floating-point sums are taken in different orders (and our KL step
# rescales $W$ along the way), so we print whether they agree rather than the rounding noise.
#
# ### Zeros are absorbing: where scikit-learn's KL fit stalls
#
# Run both to the end, though, and they part. For `beta_loss="kullback-leibler"` (and any
# $\beta \leq 1$) scikit-learn sets every entry of $H$ below machine epsilon (2.2e-16) to exactly 0
# after each step (`H[H < np.finfo(np.float64).eps] = 0.0`, line 864 of `sklearn/decomposition/_nmf.py` in
# scikit-learn 1.9.1, "necessary for stability"). A multiplicative step multiplies an entry by a factor, so **a 0 stays 0 for ever**,
# even when the optimum needs that entry to grow again later. An entry that dips below 2.2e-16 on
# the way is lost. Here is the homework's simulated table (100 genes x 60 samples, R = 4) from one
# random start, the case the course's benchmark measured:

# %%
V_zero = nh.simulate(seed=0).V.astype(float)
W_start, H_start = nh.random_start(np.random.default_rng(1), *V_zero.shape, 4, V_zero)
ours_fit = nh.nmf(V_zero, 4, init=(W_start, H_start))   # the defaults: converged
print(f"{'':28}{'steps':>8}{'deviance':>11}{'exact zeros in H':>18}")
print(f"{'nh.nmf (to convergence)':28}{'':8}{ours_fit.deviance:11,.1f}{int((ours_fit.H == 0).sum()):18}")
for n_steps in (2_000, 20_000):
    model, W_sk, H_sk = sklearns("kullback-leibler", V_zero, W_start, H_start, n_steps=n_steps)
    print(f"{'scikit-learn NMF(solver=mu)':28}{n_steps:8,}{nh.deviance(V_zero, W_sk, H_sk):11,.1f}{int((H_sk == 0).sum()):18}")
revived = nh.nmf(V_zero, 4, init=(np.maximum(W_sk, 1e-12), np.maximum(H_sk, 1e-12)))
print(f"{'sklearn end, 0 -> 1e-12':28}{'':8}{revived.deviance:11,.1f}{int((revived.H == 0).sum()):18}")
print(f"our floor: {int((ours_fit.H < 1e-70).sum())} entries of H rest at about 1e-77, none exactly 0")

# %% [markdown] slideshow={"slide_type": "subslide"}
# scikit-learn's fit stops improving about 100 deviance units above the optimum, with 8 entries of
# $H$ stuck at exactly 0; ten times as many steps barely move it. Lift those zeros to 1e-12 and let
# our fit continue, and it reaches the optimum. Our fast path (`nh.nmf`) keeps every entry at or above
# a tiny floor (about 1e-77 in float64) instead: an entry that the optimum wants near zero sits at
# the floor, which changes $WH$ by nothing measurable, but it can still grow when the other entries
# move. The floor is not a trick against true zeros. When a zero is *right*, the helper puts an
# exact one there: a gene with no counts at all is best fitted by a row of $W$ of exact zeros, and
# `nh.nmf` leaves such a gene out of the fit and gives it that row (its docstring says so; the
# cell below shows it).

# %%
V_gene = V_zero.copy()
V_gene[0] = 0                                      # a gene that was never detected
fit_gene = nh.nmf(V_gene, 4, seed=SEED)
print(f"row of W for the all-zero gene: {fit_gene.W[0]}; exactly zero: {bool(np.all(fit_gene.W[0] == 0))}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# How long do the 200-step fits of the comparison with scikit-learn take? (Timings vary from
# machine to machine and run to run, so this cell's output is not compared by the tests.)

# %% tags=["nbval-ignore-output"]
from nmf_course.timing import time_call  # median seconds per call over a few repeats


def seconds(function, repeats=3):
    return time_call(function, repeats)[0]


timings = {
    "ours, squared error (update_frobenius)": seconds(lambda: ours(frobenius.update_frobenius, counts, W0, H0)),
    "scikit-learn, frobenius": seconds(lambda: sklearns("frobenius", counts, W0, H0)),
    "ours, KL (update_matmul)": seconds(lambda: ours(nh.update_matmul, counts, W0, H0)),
    "ours, KL (nh.nmf fast path)": seconds(lambda: nh.nmf(counts, 3, init=(W0, H0), max_iter=N_STEPS, tol=0)),
    "scikit-learn, kullback-leibler": seconds(lambda: sklearns("kullback-leibler", counts, W0, H0)),
}
for name, t in timings.items():
    print(f"{name:40} {1000 * t:8.1f} ms for {N_STEPS} steps")

# %% [markdown] slideshow={"slide_type": "slide"}
# All of them take milliseconds on data this size. The teaching functions check their input and
# allocate new arrays at every step; `nh.nmf`'s fast path and scikit-learn reuse buffers and
# check the input once, which pays off on large data.
#
# ## 5. Words with two meanings
#
# In an encyclopedia, NMF with topics as modules finds a "metals" topic (copper, steel, **lead**)
# and a "people and rules" topic (leaders, law, **lead**): the word *lead* belongs to both, like
# a moonlighting gene that belongs to two modules. Let us see that on a corpus small enough to
# read. We wrote 24 one-line documents on three topics: metals, leadership and baking. The word
# "lead" appears in four metal documents and four leadership documents.

# %%
DOCS = [
 ("metals", "Lead and copper are soft; each metal will melt in the furnace"),
 ("metals", "The mine sends ore to the furnace to melt out copper and zinc"),
 ("metals", "Old pipes were cast from lead, an easy metal to melt"),
 ("metals", "Steel is an alloy of iron, a metal from the mine"),
 ("metals", "Miners dig iron ore from the mine"),
 ("metals", "Lead is a heavy metal; zinc and copper are lighter"),
 ("metals", "Zinc coats steel so the iron metal does not rust"),
 ("metals", "Solder is a metal alloy of lead that will melt easily"),
 ("leadership", "A good manager will lead the team by example"),
 ("leadership", "The captain must lead and the team will follow"),
 ("leadership", "Leaders listen to the team and the staff trust them"),
 ("leadership", "She was chosen to lead the staff with a clear vision"),
 ("leadership", "The manager asked the staff to follow the plan"),
 ("leadership", "To lead a team you need trust and a vision"),
 ("leadership", "The team chose a captain they trust"),
 ("leadership", "A manager shares the vision and the staff follow"),
 ("baking", "Knead the dough and let the bread rise"),
 ("baking", "Bake the bread in the oven until the crust is brown"),
 ("baking", "Mix flour, butter and sugar into a dough"),
 ("baking", "The cake needs flour, sugar, eggs and a hot oven"),
 ("baking", "Let the dough rest before you bake the loaf"),
 ("baking", "Fresh bread from the oven smells of yeast and butter"),
 ("baking", "Add the yeast to the flour and knead the dough"),
 ("baking", "A loaf of bread needs flour, yeast and salt"),
]
STOP_WORDS = set("""a an and are as by can cast did do does each easy from good in is it let must
need needs not of old on so than that the them they to until was were when will with you""".split())


def words(text):
    """Lower-case words of a document, without the stop words."""
    return [w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS]


documents = [words(text) for _, text in DOCS]
vocabulary = sorted({w for document in documents for w in document})
V_words = np.array([[document.count(w) for document in documents] for w in vocabulary])  # words x documents
topic_names = ["metals", "leadership", "baking"]
true_topic = np.array([topic_names.index(topic) for topic, _ in DOCS])
print(f"{len(DOCS)} documents, {len(vocabulary)} distinct words, {V_words.sum()} words in all")
print("first document as words:", documents[0])

# %% [markdown] slideshow={"slide_type": "subslide"}
# $V$ is words x documents, just like genes x samples: each document is a sample, each word a
# gene, each topic a module. We fit R = 3 with restarts and read the topics from $W$.

# %%
fit_w = nh.nmf(V_words, 3, n_restarts=10, seed=SEED)
order = nh.match_modules(np.eye(3)[true_topic], fit_w.H.T)  # topic a = topic_names[a]
W_words, H_words = fit_w.W[:, order], fit_w.H[order]
for a, name in enumerate(topic_names):
    # rank by weight rounded to 4 decimals, ties broken by the word, so every machine prints the same list
    top = sorted(range(len(vocabulary)), key=lambda i: (-round(W_words[i, a], 4), vocabulary[i]))[:8]
    print(f"topic {a} ({name:10}): " + ", ".join(vocabulary[i] for i in top))

assigned = H_words.argmax(axis=0)
print(f"documents whose largest topic is their own: {np.sum(assigned == true_topic)} of {len(DOCS)}")

moonlighters = nh.find_moonlighters(W_words, threshold=0.1)
print("words in two or more topics (find_moonlighters, threshold 0.1):",
      [vocabulary[i] for i in moonlighters])
share = nh.row_normalize(W_words)[vocabulary.index("lead")]
print("share of 'lead' in each topic: " + ", ".join(f"{n} {s:.2f}" for n, s in zip(topic_names, share)))
assert [vocabulary[i] for i in moonlighters] == ["lead"]

# %%
shown = [vocabulary.index(w) for w in ["copper", "iron", "melt", "metal", "lead", "team", "manager",
                                       "follow", "bread", "flour", "oven", "dough"]]
fig, ax = plt.subplots(figsize=(7, 6.2), layout="constrained")
plots.plot_heatmap(ax, nh.row_normalize(W_words)[shown], "Row-normalised W: each word's share per topic",
                "topic", "word", colorbar_label="share of the word")
ax.set_yticks(range(len(shown)), [vocabulary[i] for i in shown])
ax.set_xticks(range(3), topic_names)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# Every document lands in its own topic, each topic's top words make sense, and exactly one word is
# shared by two topics: *lead*, split between metals and leadership. `nh.find_moonlighters` is the
# same function that found moonlighting genes in notebook 05; here it finds a word with two
# meanings. The idea carries over: a row of $W$ spread over two columns means the gene (or word)
# is used by two programs (or topics).
#
# ## 6. A tour of applications
#
# - **Clustering.** If each sample is assigned to its largest entry in $H$, NMF clusters the
#   samples. Ding, He and Simon (2005) showed that symmetric NMF of a similarity matrix,
#   $V \approx HH^T$, is equivalent to kernel k-means when $H$ is also held orthogonal,
#   $H^T H = I$ (non-negative orthogonal columns give each sample one non-zero entry: a hard
#   cluster), and that spectral clustering is the relaxation that keeps the orthogonality and drops
#   the non-negativity; plain symmetric NMF, without $H^T H = I$, is a relaxation of kernel
#   k-means, not the same problem. Factorising a bipartite matrix clusters rows and columns at
#   once (as in the ratings example).
# - **Gene expression.** The homework's setting: $W$'s columns are modules of co-expressed genes
#   (pathways, or genes responding to one environmental signal) and $H$ says how active each
#   module is in each sample. Module-finding in expression data goes back to work such as
#   Bergmann, Ihmels and Barkai (2003); moonlighting genes are those in two modules.
# - **Metabolomics.** Hakimi and colleagues (Cancer Cell, 2016) clustered clear-cell renal cell
#   carcinomas by NMF of metabolite abundances; the clusters differed in which pathways were up or
#   down, and in clinical stage and later metastasis.
# - **Microbiome.** A sample's taxa counts are a mix of communities: $W$'s columns are
#   communities (which taxa, in what proportion), $H$ how much of each community a sample holds.
#   Cai, Gu and Kenney (Microbiome, 2017) added supervision from co-occurrence information.
# - **Audio.** A spectrogram (frequencies x time frames) is non-negative; NMF writes it as
#   spectral templates (notes, instruments) times their activations over time (Smaragdis and Brown,
#   2003), which separates the sources of a recording, much as notebook 08 separates cells.
# - **Recommenders.** Users x items matrices, as in section 3: $W$ is the users' taste for each
#   topic, $H$ the items' topics. Fitted on the rated entries only (a mask), $WH$ predicts a missing
#   rating where the data pin it down, through users who rated across topics; where nobody did
#   (section 3), the "prediction" depends on the random start. The same factorisation is used for
#   social recommendation, image tagging and service-quality prediction.
#
# ## Summary
#
# - Squared error and generalised KL are the two classic NMF objectives; each is a negative
#   log-likelihood, Gaussian and Poisson respectively. For counts, the variance grows with the
#   mean, so KL (the course's Poisson log-likelihood) is the right model.
# - In the 3 x 3 example each NMF beats the hand factorisation on its own objective; no rank-2
#   fit is exact because $V$ has rank 3.
# - On the ratings, NMF with K = 2 recovers the blocks exactly: $W$ holds the users' commitment to
#   science fiction or romance, $H$ each film's (binary) topic. "Not rated" is not 0: fit the rated
#   entries only (`mask=`); then restarts agree on what the data determine and disagree on the
#   cross-genre entries, which no rating constrains. The lecture's gradient-descent fit is such a
#   masked fit, and its cross-genre numbers are one more guess of that kind.
# - Our updates and scikit-learn's `NMF(solver="mu")` give the same objective values, from the
#   same start after the same number of steps, to nine digits or more. Run to the end, scikit-learn's
#   KL fit can stall above the optimum: it sets tiny entries of $H$ to exactly 0, and a multiplicative
#   update never revives a 0; our fast path keeps a tiny floor instead, and puts exact zeros only
#   where they are right (a gene with no counts).
# - In a tiny corpus NMF finds three topics and puts *lead* in two of them: a moonlighting word.
#
# Next: real data, the leukemia samples of Brunet et al. (2004): metagenes, consensus clustering
# and the cophenetic correlation for choosing R.
#
# [← previous](09_parts_vs_wholes.ipynb) | [course map](../README.md#notebook-map) | [next →](11_leukemia_consensus.ipynb)
