# %% [markdown] slideshow={"slide_type": "slide"}
# [← previous](05_reading_W.ipynb) | [course map](../README.md#notebook-map) | [next →](07_time_series.ipynb)
#
# # 06 · The provided data set
#
# Problem 3 of the homework: *"Take the provided data set, and repeat the same steps as
# Problem 2. Find R, find W, identify any moonlighting genes."* Until now we always knew
# the answer because we had simulated it. For Problem 3 nobody tells us: the table comes
# from a model whose settings you have not seen. This notebook works the whole analysis on a
# **practice table** (`data/practice_counts.txt`) of the same design as the graded ones, with
# other genes, another R and other moonlighters. It gives you the tools (a rank scan, a
# consensus criterion, a fit, reports); **you** make the three decisions, as exercises:
# which R, which genes belong to which module, and which genes moonlight. In
# `student/06_provided_data.ipynb` the same notebook reads the term's graded tables instead:
# that is Problem 3 (`student/README.md` says where to put them).
#
# **What you will learn**
# - how to load a count table with `counts_io.load_counts`, and what it tells you when a file is damaged;
# - to look at the data before fitting anything (library sizes, zeros, a heatmap);
# - to choose R with several tools together: the deviance curve, AIC/BIC, a held-out check
#   (hide 10% of the entries, fit the rest, score the hidden ones, and tell a real held-out gain
#   from noise) and Brunet's consensus criterion, and to say which criterion you follow;
# - to turn a fitted W into a table of named modules and a list of moonlighting genes;
# - how far the same pipeline gets on a harder, shallower table.
#
# **What you need first**: notebooks [04 · Choosing R](04_choosing_R.ipynb) (log-likelihood over R,
# AIC/BIC, held-out entries, consensus) and [05 · Reading W](05_reading_W.ipynb) (row-normalising W,
# thresholds, moonlighters).

# %% tags=["parameters"]
import os
import textwrap
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import nmf_helpers as nh
from nmf_course import consensus, counts_io, paths, plots, readouts, selfchecks

plots.use_course_style()
SEED = 2019
OKABE_ORANGE = "#E69F00"                       # marks moonlighting genes
OKABE_BLUE = "#0072B2"

# %% tags=["problem3-tables"]
# The practice tables (data/). In student/06 this cell reads Problem 3's graded tables instead.
MAIN = paths.data_file("practice_counts.txt")        # the practice table
HARD = paths.data_file("practice_counts_hard.txt")   # the harder practice table (section 7)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Load the table
#
# The file is plain text in the course's format: one gene per line, its name and then one
# whole-number count per sample. Lines starting with `#` are comments; the data set keeps
# its sample names in the comment line that starts with `# samples:`.
# `counts_io.load_counts` returns the gene names and the count matrix V (genes x samples).

# %%
def read_sample_names(path):
    """The sample names in the table's '# samples:' comment line (None if it has none)."""
    with open(path, encoding="utf-8-sig") as handle:
        for line in handle:
            if line.startswith("# samples:"):
                return line.split()[2:]
    return None


genes, V = counts_io.load_counts(MAIN)
samples = read_sample_names(MAIN)
N, M = V.shape
assert len(samples) == M
cell_type_of = np.array([name.rsplit("_", 1)[0] for name in samples])
cell_types = sorted(set(cell_type_of))

print(f"V: {N} genes x {M} samples, {V.sum():,} counts in all")
print("genes:  ", ", ".join(genes[:8]), "...")
print("samples:", ", ".join(samples[:6]), "...")
print(f"{len(cell_types)} cell types, {M // len(cell_types)} samples each:")
print(textwrap.fill(", ".join(cell_types), width=90, initial_indent="  ", subsequent_indent="  "))
print()
print("the top-left corner of V:")
print(" " * 8 + "".join(f"{name:>14}" for name in samples[:5]))
for name, row in zip(genes[:5], V[:5, :5]):
    print(f"{name:<8}" + "".join(f"{count:>14,}" for count in row))

# %% [markdown] slideshow={"slide_type": "subslide"}
# A real file can be damaged: a row with a missing count, a typo, a decimal point. `load_counts`
# stops at the first problem and names the file, the line and what is wrong, so you can open
# the file and fix it. Here we damage a copy of our table on purpose (line 50 loses a count,
# then line 20 gets a fractional count):

# %%
lines = open(MAIN, encoding="utf-8").read().splitlines()
for line_number, damage in [(50, lambda row: row[:-1]), (20, lambda row: row[:3] + ["12.5"] + row[4:])]:
    damaged = list(lines)
    damaged[line_number - 1] = " ".join(damage(lines[line_number - 1].split()))
    with open("damaged_copy.txt", "w", encoding="utf-8") as handle:
        handle.write("\n".join(damaged) + "\n")
    try:
        counts_io.load_counts("damaged_copy.txt")
    except ValueError as error:
        print("ValueError:", error)
os.remove("damaged_copy.txt")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Look at the data first
#
# Before fitting a model, look at what it will be fitted to. Three questions: do the samples
# have similar totals (library sizes)? How many counts are zero? Is there any structure a
# heatmap can show?

# %%
library = V.sum(axis=0)
gene_totals = V.sum(axis=1)
print(f"library sizes: min {library.min():,}, median {np.median(library):,.0f}, max {library.max():,}")
print(f"zero counts: {(V == 0).mean():.1%} of all entries; "
      f"genes never seen: {(gene_totals == 0).sum()}; samples with no counts: {(library == 0).sum()}")
print(f"gene totals: min {gene_totals.min():,}, median {np.median(gene_totals):,.0f}, max {gene_totals.max():,}")

fig, axes = plt.subplots(1, 2, figsize=(9.6, 4))
axes[0].bar(np.arange(M), np.sort(library)[::-1] / 1000, color=OKABE_BLUE)
axes[0].set_title("Library size of each sample")
axes[0].set_xlabel("sample (sorted by library size)")
axes[0].set_ylabel("total counts (thousands)")
axes[1].hist(np.log10(V.ravel() + 1), bins=40, color=OKABE_BLUE)
axes[1].set_title("All 6,000 counts")
axes[1].set_xlabel("log10(count + 1)")
axes[1].set_ylabel("number of entries")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The library sizes are all close to 100,000 (90,351 to 110,018), so no sample needs special
# treatment. The counts span four orders of magnitude; 10% of them are zero (the spike at 0 on
# the right), and every gene is seen in some sample. The gaps at the left of the histogram
# are just whole numbers: log10(1 + 1) = 0.30, log10(2 + 1) = 0.48, and nothing in between.
#
# The heatmap below shows log10(count + 1). On the left, the samples are in the file's order; on the right, the same
# matrix with the samples grouped by cell type: the four samples of a cell type look alike,
# a first hint that a few patterns explain the table. The genes, listed alphabetically, show
# no order of their own yet.

# %%
by_type = np.argsort(cell_type_of, kind="stable")
log_counts = np.log10(V + 1)
fig, axes = plt.subplots(1, 2, figsize=(9.6, 6.2))
plots.plot_heatmap(axes[0], log_counts, "Counts in file order", "sample", "gene (alphabetical)",
                colorbar_label="log10(count + 1)")
plots.plot_heatmap(axes[1], log_counts[:, by_type], "Samples grouped by cell type", "cell type",
                "gene (alphabetical)", colorbar_label="log10(count + 1)")
centres = [np.flatnonzero(cell_type_of[by_type] == t).mean() for t in cell_types]
axes[1].set_xticks(centres, cell_types, rotation=90, fontsize=12)
for edge in np.arange(4, M, 4) - 0.5:                  # white lines between cell types
    axes[1].axvline(edge, color="white", linewidth=1)
fig.tight_layout()
plt.show()


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. How many modules? The tools
#
# We fit R = 1 to 8 with 3 restarts each (the best restart counts; every fit runs to convergence,
# the helper's default). `nh.rank_scan` with `holdout=0.1` also hides a random 10% of the entries
# (the same ones for every R): every fit sees only the other 90%, through a mask, and afterwards
# we score the hidden entries with the fitted W H. A model that has started fitting noise gains
# log-likelihood on the entries it saw, but not on the hidden ones.

# %%
def scan_table(scan):
    """Print a rank scan: log-likelihood and its gain, AIC and BIC (minus their minimum).
    (The held-out log-likelihood comes with its noise in the next table.)"""
    print(f"{'R':>2} {'params':>7} {'log-lik':>13} {'gain':>11} {'AIC - min':>11} {'BIC - min':>11}")
    for k, R in enumerate(scan.ranks):
        gain = "" if k == 0 else f"{scan.log_likelihood[k] - scan.log_likelihood[k - 1]:,.0f}"
        print(f"{R:>2} {scan.n_params[k]:>7,} {scan.log_likelihood[k]:>13,.0f} {gain:>11} "
              f"{scan.aic[k] - scan.aic.min():>11,.0f} {scan.bic[k] - scan.bic.min():>11,.0f}")


scan = nh.rank_scan(V, range(1, 9), n_restarts=3, seed=SEED, holdout=0.1)
print(f"{(~scan.mask).sum():,} of {V.size:,} entries held out\n")
scan_table(scan)


# %% [markdown] slideshow={"slide_type": "subslide"}
# A fourth, different tool: **Brunet's consensus** (notebook 04). Fit each R many times from
# random starts, put each *sample* in the module that dominates its column of H, and count how
# often two samples land together (the consensus matrix C). If R suits the data, the runs agree
# and C holds only 0s and 1s; its cophenetic correlation (how well a tree of C reproduces C) is then
# 1. It needs only each sample's strongest module, which settles long before the last deviance
# units, so these 20 runs per R stop early (`tol=1e-4`): a stated shortcut that keeps the cost down.

# %%
def cophenetic_scan(V, ranks, n_runs=20, seed=SEED):
    """{R: cophenetic correlation of the consensus matrix of n_runs fits} for each R."""
    return {int(R): consensus.cophenetic_correlation(consensus.consensus_matrix(V, R, n_runs=n_runs, seed=seed, tol=1e-4))
            for R in ranks}


start = time.perf_counter()
cophenetic = cophenetic_scan(V, range(3, 8))
print(f"20 runs for each of R = 3..7 took {time.perf_counter() - start:.1f} s")
print("cophenetic correlation:", ", ".join(f"R = {R}: {c:.4f}" for R, c in cophenetic.items()))


# %%
def plot_scan(scan, cophenetic, title):
    """Four views of a rank scan, in two rows: deviance, AIC/BIC, held-out, consensus."""
    fig, axes = plt.subplots(2, 2, figsize=(9.6, 6.5))
    (ax_dev, ax_ic), (ax_held, ax_cons) = axes
    ax_dev.semilogy(scan.ranks, [fit.deviance for fit in scan.fits], "o-", color=OKABE_BLUE)
    ax_dev.set_title("Deviance D of the fitted entries")
    ax_dev.set_ylabel("D (log scale)")
    for values, label, style in ((scan.aic, "AIC", "s--"), (scan.bic, "BIC", "o-")):
        ax_ic.plot(scan.ranks, values - values.min() + 1, style, label=label)
    ax_ic.set_yscale("log")
    ax_ic.set_title("AIC and BIC (lower is better)")
    ax_ic.set_ylabel("minus its minimum, + 1")
    ax_ic.legend()
    held = scan.heldout_log_likelihood
    ax_held.semilogy(scan.ranks, held.max() - held + 1, "o-", color=OKABE_ORANGE)
    ax_held.set_title("Held-out log-likelihood")
    ax_held.set_ylabel("below its best, + 1")
    ax_cons.plot(list(cophenetic), list(cophenetic.values()), "o-", color="black")
    ax_cons.set_title("Consensus (Brunet)")
    ax_cons.set_ylabel("cophenetic correlation")
    for ax in axes.ravel():
        ax.set_xlabel("R (number of modules)")
        ax.set_xticks(scan.ranks)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


plot_scan(scan, cophenetic, "Choosing R for the practice table")


# %% [markdown] slideshow={"slide_type": "subslide"}
# How to read the four panels (lower is better for AIC, BIC and the held-out panel, higher for consensus;
# the deviance always falls as R grows, so read its bend):
#
# - The **deviance** falls steeply while each added module explains real structure, then almost
#   stops: beyond that point a module only bends towards the noise. It never rises, so the curve's
#   bend (the elbow), not its minimum, is what it offers.
# - **AIC and BIC** charge for parameters; their minimum is their choice (notebook 04 lists
#   their caveats: the parameter count is a modelling choice, W has entries at the boundary 0).
# - The **held-out** log-likelihood scores entries no fit saw. Its small steps beyond the elbow
#   can go either way, so ask whether a step is larger than its own noise (next cell).
# - The **cophenetic correlation** is 1 when every run groups the samples the same way.
#
# A held-out log-likelihood is a sum over some 600 hidden entries, each of which could have
# been hidden or not, so it has noise of its own. We can measure that noise: compare two
# fits entry by entry, and the spread of the per-entry differences gives a standard error of
# their sum. The rule below (a version of cross-validation's "one standard error rule")
# takes the **smallest R whose held-out log-likelihood is within two standard errors of the
# best one**: a simpler model is preferred unless the bigger one is clearly better on data
# it has not seen. The helper does both steps: `nh.heldout_differences(V, scan)` gives each R's
# distance behind the best and its standard error, `nh.heldout_se_rule(V, scan)` the R the rule picks.

# %%
def heldout_choice(V, scan, n_se=2.0, show=True):
    """The R of the 2 SE rule (nh.heldout_se_rule) and, with show=True, the table it reads."""
    chosen = nh.heldout_se_rule(V, scan, n_se)
    if not show:
        return chosen
    behind, se = nh.heldout_differences(V, scan)
    best = int(np.argmin(behind))              # the best R is 0 behind itself
    print(f"best held-out log-likelihood at R = {scan.ranks[best]}")
    # The sums move by a few percent between CPUs (the hidden entries are barely pinned down
    # by the fit), so: one significant figure, and the ratio that the rule reads.
    print(f"{'R':>2} {'behind the best':>16} {'÷ standard error':>17} {f'within {n_se:g} SE':>12}")
    for R, b, s in zip(scan.ranks, behind, se):
        if R <= scan.ranks[best] + 1:
            ratio = b / s if s > 0 else 0.0   # from 10 on, whole numbers: the decimal moves too
            print(f"{R:>2} {float(f'{b:.1g}'):>16,.0f} {ratio:>17.{1 if ratio < 9.95 else 0}f} "
                  f"{'yes' if b <= n_se * s else 'no':>12}")
    if scan.ranks[-1] > scan.ranks[best] + 1:
        first, last = scan.ranks[best] + 2, scan.ranks[-1]
        print(f"Not shown: R = {first}{'' if first == last else f' to {last}'}, two or more modules beyond the best.\n"
              "Those extra modules can sit in many places that fit V equally well, so their held-out values\n"
              "change by a hundred or more from one computer to another.")
    return chosen


def criterion_table(V, scan, cophenetic):
    """{criterion: the R it picks} for one table, and print it."""
    picks = {"AIC (lowest)": int(scan.ranks[np.argmin(scan.aic)]),
             "BIC (lowest)": int(scan.ranks[np.argmin(scan.bic)]),
             "held-out (best)": int(scan.ranks[np.argmax(scan.heldout_log_likelihood)]),
             "held-out (2 SE rule)": heldout_choice(V, scan, show=False),
             "consensus (Brunet's rule)": consensus.brunet_rank(cophenetic)}
    for name, R in picks.items():
        print(f"{name:>28}: R = {R}")
    return picks


_ = heldout_choice(V, scan)
print()
picks = criterion_table(V, scan, cophenetic)


# %% [markdown] slideshow={"slide_type": "subslide"}
# One more reading, from notebook 04 (section 9): the same scan on a **shuffled copy** of the
# table (each gene's counts in random order across the samples, so no modules are left), and
# the rule that adds modules while the real log-likelihood gains more than the shuffled one's
# (`readouts.rank_against_null`). It is not one of the check's five criteria; read it beside them.

# %%
null_scan = nh.rank_scan(readouts.shuffled_like(V, seed=SEED), scan.ranks, n_restarts=2, seed=SEED, holdout=0.1)
R_null = readouts.rank_against_null(scan.ranks, scan.log_likelihood, null_scan.log_likelihood)
print(f"the real table gains more log-likelihood than its shuffled copy up to R = {R_null}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# The table says what each criterion picks. Where they agree, the choice is easy; where
# they do not, you have to say which one you follow and why. (The consensus starts at R = 3: with only two groups the cophenetic correlation is often
# high whatever the data. Brunet's rule, `consensus.brunet_rank`, takes the R at which the
# correlation "begins to fall" (Brunet et al. 2004, p. 4167): the last R before its first drop.
# It need not agree with the others: it asks whether the *samples* fall into stable groups, not how
# well W H predicts V, and a table whose samples mix several modules can split stably into fewer
# groups than it has modules.)
#
# ### Exercise: choose R, and say why
# Write `my_choose_R(V, scan)` that returns the number of modules you choose for a table `V`
# from its rank scan `scan`, as a Python `int`. Use any criterion above (you may call
# `heldout_choice` or read `scan.aic`, `scan.bic`, `scan.heldout_log_likelihood`), and state it
# in the function's docstring. The scan holds no consensus values: to follow Brunet's rule, compute
# them inside your function from the table it is given,
# `consensus.brunet_rank(cophenetic_scan(V, range(3, 8)))` (a few seconds a call; the global
# `cophenetic` belongs to this notebook's main table only, and the check also calls your function on
# another table). The criteria the check knows are the five of the table above.
# The check does not know the answer: it tests that your R is one
# of the scanned ranks, that some criterion of *your* scan picks it, and that your function reads
# the scan it is given (on a simulated scan where every criterion says R = 3, it must say 3).
# The rest of the notebook fits and reads the R you chose.

# %% nbgrader={"grade": false, "grade_id": "06_provided_data-my_choose_R", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_choose_R(V, scan):
    """The number of modules I choose for table V from its rank scan (an int).
    My criterion, and why: (write it here)"""
    ### BEGIN SOLUTION
    # The held-out 2 SE rule: the smallest R that predicts hidden entries as well as the best R,
    # to within the noise of the held-out sum. It judges the fits on data they did not see.
    return heldout_choice(V, scan, show=False)
    ### END SOLUTION


R = R_hard = None  # the R you choose for each table: set by the checks below once my_choose_R passes

# %% nbgrader={"grade": true, "grade_id": "06_provided_data-my_choose_R-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
R = selfchecks.check_choose_R(my_choose_R, V, scan, cophenetic)  # your R, once the check passes


# %%
def chosen(R):
    """True once an R is chosen; otherwise say that the cell waits for my_choose_R."""
    if R is None:
        print("Waiting for your R: finish my_choose_R (its check must pass), then run this cell again.")
    return R is not None


if chosen(R):
    agree = [name for name, R_pick in picks.items() if R_pick == R]
    print(f"You chose R = {R}. On this scan it is the pick of: {', '.join(agree)}.")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Fit the R you chose and read W
#
# The scan's fits left 10% of the entries out, so we fit the R you chose again on the whole
# table, with 10 restarts, each run to convergence. NMF is not convex, so we check that the
# restarts end in the same place.

# %%
def final_fit(V, R, seed):
    fit = nh.nmf(V, R, n_restarts=10, seed=seed)
    behind = fit.log_likelihood - fit.restart_log_likelihoods
    print(f"R = {R}: deviance {fit.deviance:,.1f} (converged: {fit.converged})")
    # in words: the last digits of so small a spread change from one computer to another
    bound = next((b for b in (0.1, 1, 10) if behind.max() < b), None)
    if bound is not None:
        print(f"the 10 restarts all ended within {bound:g} log-likelihood units of the best")
    else:
        print(f"the 10 restarts ended up to {float(f'{behind.max():.2g}'):,g} log-likelihood units behind the best")
    return fit


THRESHOLD = 0.1
if chosen(R):
    fit = final_fit(V, R, SEED)

# %% [markdown] slideshow={"slide_type": "subslide"}
# If the restarts end within a few units of each other, no restart got stuck in a clearly
# worse local optimum. W's columns sum to 1 (each is a module's expression profile); to ask
# *which module a gene belongs to*, we row-normalise W: entry [i, a] becomes gene i's share in
# module a (a share of the gene's weights, not of its reads: notebook 05 shows the difference). A gene in one module has a share near 1 there and near 0 elsewhere; a moonlighting
# gene has two clear shares.

# %%
if chosen(R):
    shares = nh.row_normalize(fit.W)
    values = shares.ravel()
    middle = (values > 0.02) & (values < 0.98)
    print(f"{values.size} shares: {(values <= 0.02).sum()} below 0.02, {(values >= 0.98).sum()} above 0.98, "
          f"{middle.sum()} in between")
    print("the in-between shares:", " ".join(f"{v:.2f}" for v in np.sort(values[middle])))
    empty = np.sort(values[(values > 0.02) & (values < 0.5)])
    print(f"no share lies between 0.02 and {empty.min() if empty.size else 0.5:.2f}: any threshold in that range gives the same assignments")

    fig, ax = plt.subplots(figsize=(9.6, 4))
    ax.hist(values, bins=50, range=(0, 1), color=OKABE_BLUE)
    ax.axvline(THRESHOLD, color=OKABE_ORANGE, linestyle="--", linewidth=2, label=f"threshold {THRESHOLD}")
    ax.set_yscale("log")
    ax.set_title(f"Row-normalised W of the practice table (R = {R})")
    ax.set_xlabel("gene's share in a module")
    ax.set_ylabel("number of (gene, module) pairs")
    ax.legend()
    plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# The histogram's log scale shows how sharply two-peaked it is. The shares in between come in
# pairs that add up to about 1: genes that split between two modules. With a threshold of 0.1,
# a gene belongs to every module in which its share is at least 0.1; the printed range above
# says how far the threshold could move without changing anything.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise: assign genes to modules
# Write `my_assign(W, threshold)` that returns a genes x modules table of True/False: True where
# gene i's share in module a (row-normalised W; a row of zeros stays zero) is at least
# `threshold`. The check runs it on the fitted W of every R of your scan (and a small edge case),
# and compares with what those W's say: it checks that your function follows from the W, not
# what the answer is.

# %% nbgrader={"grade": false, "grade_id": "06_provided_data-my_assign", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_assign(W, threshold):
    """genes x modules bool table: True where the row-normalised W is >= threshold."""
    ### BEGIN SOLUTION
    W = np.asarray(W, dtype=float)
    row_sums = W.sum(axis=1, keepdims=True)
    shares = np.divide(W, row_sums, out=np.zeros_like(W), where=row_sums > 0)
    return shares >= threshold
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "06_provided_data-my_assign-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_assign(my_assign, scan, THRESHOLD)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise: name the moonlighters
# Write `my_moonlighter_names(W, gene_names, threshold)` that returns the **names** of the genes
# assigned to two or more modules (a list of strings from `gene_names`, in the table's order).
# You may call your `my_assign`. The check runs it on every W of your scan: every name must be a
# gene of the table, and the list must be what that W says at that threshold.

# %% nbgrader={"grade": false, "grade_id": "06_provided_data-my_moonlighter_names", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_moonlighter_names(W, gene_names, threshold):
    """Names of the genes whose share is >= threshold in two or more modules."""
    ### BEGIN SOLUTION
    in_two = my_assign(W, threshold).sum(axis=1) >= 2
    return [name for name, two in zip(gene_names, in_two) if two]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "06_provided_data-my_moonlighter_names-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
selfchecks.check_moonlighter_names(my_moonlighter_names, scan, genes, THRESHOLD)


# %% [markdown] slideshow={"slide_type": "slide"}
# From here on we use `nh.find_moonlighters` and `nh.assign_modules`, so the rest of the
# notebook runs even if your exercises are not finished (it waits only for your R).
#
# ## 5. The modules by name
#
# NMF numbers its modules in an arbitrary order. We name them M1, M2, ... from the largest to
# the smallest, and for each one list its genes (a `*` marks a moonlighter) and the cell types
# in which it is most active: H[a, mu] divided by the sample's total is the share of sample
# mu's counts that module a explains; we average it over the four samples of each cell type.

# %%
def module_report(genes, fit, cell_type_of, threshold=0.1, show=True):
    """Name the fitted modules M1.. by size; print their genes and most active cell types.

    Returns (order, members, moonlighters): order[k] is the fitted column called M(k+1).
    """
    members = nh.assign_modules(fit.W, threshold)
    order = np.argsort(-members.sum(axis=0), kind="stable")
    moonlighters = nh.find_moonlighters(fit.W, threshold)
    activity = fit.H / fit.H.sum(axis=0)                 # share of each sample explained by each module
    types = sorted(set(cell_type_of))
    by_type = np.array([activity[:, cell_type_of == t].mean(axis=1) for t in types]).T
    if show:
        for k, a in enumerate(order):
            names = [genes[i] + ("*" if i in moonlighters else "") for i in np.flatnonzero(members[:, a])]
            top = np.argsort(-by_type[a])[:3]
            active = ", ".join(f"{types[t]} {by_type[a, t]:.0%}" for t in top)
            print(f"M{k + 1}: {len(names)} genes; most active in {active}")
            print(textwrap.fill(" ".join(names), width=96, initial_indent="    ", subsequent_indent="    "))
    return order, members, moonlighters


if chosen(R):
    order, members, moonlighters = module_report(genes, fit, cell_type_of, THRESHOLD)


# %%
def moonlighter_report(genes, shares, order, moonlighters, threshold=0.1):
    label = {a: f"M{k + 1}" for k, a in enumerate(order)}
    print(f"{len(moonlighters)} moonlighting genes (share >= {threshold} in two or more modules):")
    for i in moonlighters:
        parts = [f"{label[a]} {shares[i, a]:.1%}" for a in order if shares[i, a] >= threshold]
        print(f"  {genes[i]:<8} " + ", ".join(parts))


if chosen(R):
    moonlighter_report(genes, shares, order, moonlighters, THRESHOLD)


# %% [markdown] slideshow={"slide_type": "subslide"}
# Sorting the genes by module and the samples by their most active module turns the
# structureless heatmap of section 2 into blocks. Left: the row-normalised W (moonlighters
# named in orange); right: the counts in the same gene order.

# %%
def sorted_picture(genes, V, fit, order, moonlighters, title):
    shares = nh.row_normalize(fit.W)[:, order]
    home = np.argmax(shares, axis=1)
    gene_order = np.lexsort((-shares.max(axis=1), home))
    sample_order = np.lexsort((-fit.H[order].max(axis=0), np.argmax(fit.H[order], axis=0)))
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 6.5), gridspec_kw={"width_ratios": [1, 2.2]})
    plots.plot_heatmap(axes[0], shares[gene_order], "Row-normalised W", "module", "",
                    colorbar_label="gene's share", vmin=0, vmax=1)
    axes[0].set_xticks(range(shares.shape[1]), [f"M{k + 1}" for k in range(shares.shape[1])])
    axes[0].set_yticks([])
    rows = sorted(int(np.flatnonzero(gene_order == i)[0]) for i in moonlighters)
    label_rows = []
    for row in rows:                                    # spread the labels so they do not overlap
        label_rows.append(max(row, label_rows[-1] + 5) if label_rows else row)
    for row, label_row in zip(rows, label_rows):
        axes[0].annotate(genes[gene_order[row]], xy=(-0.5, row), xytext=(-1.3, label_row),
                         ha="right", va="center", color=OKABE_ORANGE, fontweight="bold", fontsize=12,
                         annotation_clip=False,
                         arrowprops={"arrowstyle": "-", "color": OKABE_ORANGE, "linewidth": 1})
    plots.plot_heatmap(axes[1], np.log10(V[gene_order][:, sample_order] + 1),
                    "Counts, genes and samples sorted by module", "sample (sorted by its main module)",
                    "gene (sorted by module)", colorbar_label="log10(count + 1)")
    axes[1].set_yticks([])
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


if chosen(R):
    sorted_picture(genes, V, fit, order, moonlighters, f"The practice table read through its R = {R} fit")


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A threshold slider
#
# Drag the threshold and watch the histogram and the list of moonlighters. Does the list change
# over a wide range here? Try the same slider on the harder table (section 7).

# %% @deathbeds/jupyterlab-fonts={"styles": {"": {"body[data-jp-deck-mode='presenting'] &": {"& .jp-Cell-inputWrapper": {"display": "none"}}}}} slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
def moonlighter_names(shares, genes, threshold):
    return [genes[i] for i in nh.find_moonlighters(shares, threshold)]


def show_threshold(threshold, shares, genes):
    """Histogram of the shares with the threshold; print and return the moonlighters' names."""
    found = moonlighter_names(shares, genes, threshold)
    per_module = nh.assign_modules(shares, threshold).sum(axis=0)
    fig, ax = plt.subplots(figsize=(9.6, 3.8))
    ax.hist(shares.ravel(), bins=50, range=(0, 1), color=OKABE_BLUE)
    ax.axvline(threshold, color=OKABE_ORANGE, linestyle="--", linewidth=2)
    ax.set_yscale("log")
    ax.set_title(f"threshold {threshold:.2f}: {len(found)} moonlighting genes")
    ax.set_xlabel("gene's share in a module")
    ax.set_ylabel("(gene, module) pairs")
    plt.show()
    print("genes per module:", " ".join(str(n) for n in sorted(per_module, reverse=True)))
    print("moonlighters:", ", ".join(found) if found else "none")
    return found


def threshold_slider(shares, genes):
    slider = widgets.FloatSlider(value=THRESHOLD, min=0.02, max=0.5, step=0.01, description="threshold",
                                 continuous_update=False, readout_format=".2f",
                                 style={"description_width": "initial"})
    return widgets.interactive(show_threshold, threshold=slider, shares=widgets.fixed(shares),
                               genes=widgets.fixed(genes))


if chosen(R):
    display(threshold_slider(shares, genes))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The answer for the practice table
#
# Problem 3 asks for R, W and the moonlighting genes. The cell below prints them for the R you
# chose, with the reasons the scan gives; in your hand-in, say in a few sentences which criterion
# you followed, whether the others agree, and how sure you are of each moonlighter.

# %%
if chosen(R):
    agree = [name for name, R_pick in picks.items() if R_pick == R]
    other = [f"{name} {R_pick}" for name, R_pick in picks.items() if R_pick != R]
    print(f"R = {R}: picked by {', '.join(agree)}" + (f"; the others say {', '.join(other)}" if other else "; every criterion agrees"))
    print(f"W: {fit.W.shape[0]} genes in {R} modules of sizes {sorted(members.sum(axis=0).tolist(), reverse=True)}")
    print(f"moonlighting genes at threshold {THRESHOLD}: {', '.join(genes[i] for i in moonlighters) or 'none'}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. The harder table
#
# The second table has the same shape but about twenty times fewer counts (22 times fewer in all,
# 24 times by the median sample).
# We run exactly the same steps, with the same settings, and your `my_choose_R` chooses again.

# %%
genes_hard, V_hard = counts_io.load_counts(HARD)
samples_hard = read_sample_names(HARD)
cell_type_of_hard = np.array([name.rsplit("_", 1)[0] for name in samples_hard])
library_hard = V_hard.sum(axis=0)
print(f"V: {V_hard.shape[0]} genes x {V_hard.shape[1]} samples, {V_hard.sum():,} counts in all")
print(f"library sizes: min {library_hard.min():,}, median {np.median(library_hard):,.0f}, "
      f"max {library_hard.max():,}")
print(f"zero counts: {(V_hard == 0).mean():.1%} of all entries (main table: {(V == 0).mean():.1%})")
print(f"median count of a non-zero entry: {np.median(V_hard[V_hard > 0]):,.0f} "
      f"(main table: {np.median(V[V > 0]):,.0f})")

# %%
scan_hard = nh.rank_scan(V_hard, range(1, 9), n_restarts=3, seed=SEED, holdout=0.1)
scan_table(scan_hard)
print()
start = time.perf_counter()
cophenetic_hard = cophenetic_scan(V_hard, range(3, 8))
print(f"consensus: 20 runs for each of R = 3..7 took {time.perf_counter() - start:.1f} s")
print("cophenetic correlation:", ", ".join(f"R = {R}: {c:.4f}" for R, c in cophenetic_hard.items()))
print()
_ = heldout_choice(V_hard, scan_hard)
print()
picks_hard = criterion_table(V_hard, scan_hard, cophenetic_hard)

# %%
plot_scan(scan_hard, cophenetic_hard, "Choosing R for the harder table")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Compare the table of picks with the main table's: do the criteria still agree? Fewer counts
# mean noisier held-out sums (standard errors larger relative to the differences between ranks)
# and less certain consensus (lower cophenetic correlations away from the chosen R). Your
# `my_choose_R`, unchanged, chooses for this table too:

# %%
R_hard = selfchecks.check_choose_R(my_choose_R, V_hard, scan_hard, cophenetic_hard)  # your R for the harder table


# %%
def borderline(genes, shares, threshold=0.1, low=0.02):
    """Genes whose second-largest share is between low and the threshold: maybe moonlighters."""
    second = np.sort(shares, axis=1)[:, -2]
    return [(genes[i], second[i]) for i in np.flatnonzero((second >= low) & (second < threshold))]


if chosen(R) and chosen(R_hard):
    fit_hard = final_fit(V_hard, R_hard, SEED)
    shares_hard = nh.row_normalize(fit_hard.W)
    print()
    order_hard, members_hard, moonlighters_hard = module_report(genes_hard, fit_hard, cell_type_of_hard, THRESHOLD)
    print()
    moonlighter_report(genes_hard, shares_hard, order_hard, moonlighters_hard, THRESHOLD)
    values_hard = shares_hard.ravel()
    middle_hard = (values_hard > 0.02) & (values_hard < 0.98)
    print(f"\nshares between 0.02 and 0.98: {middle_hard.sum()} (main table: {middle.sum()})")
    for name, table_genes, table_shares in (("practice", genes, shares), ("harder", genes_hard, shares_hard)):
        found = borderline(table_genes, table_shares, THRESHOLD)
        listed = ", ".join(f"{gene} ({share:.3f})" for gene, share in found) or "none"
        print(f"borderline genes (second share 0.02 to {THRESHOLD}) in the {name} table: {listed}")

# %%
if chosen(R) and chosen(R_hard):
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 4), sharey=True)
    for ax, values_k, title in ((axes[0], values, f"practice table (R = {R})"),
                                (axes[1], values_hard, f"harder table (R = {R_hard})")):
        ax.hist(values_k, bins=50, range=(0, 1), color=OKABE_BLUE)
        ax.axvline(THRESHOLD, color=OKABE_ORANGE, linestyle="--", linewidth=2, label=f"threshold {THRESHOLD}")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("gene's share in a module")
        ax.legend(loc="upper center")
    axes[0].set_ylabel("(gene, module) pairs")
    fig.tight_layout()
    plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same slider on the harder table. Is there still a wide empty gap? The cell also counts
# the moonlighters at a few thresholds.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
if chosen(R_hard):
    display(threshold_slider(shares_hard, genes_hard))
    counts = {t: len(moonlighter_names(shares_hard, genes_hard, t)) for t in (0.02, 0.05, 0.1, 0.2, 0.3)}
    print("moonlighters at each threshold:", ", ".join(f"{t}: {n}" for t, n in counts.items()))

# %% [markdown] slideshow={"slide_type": "subslide"}
# What can you say about the harder table from the data alone? Questions to answer in your report:
#
# - Do the criteria agree on R, and how many standard errors is the held-out gain of your last module worth?
# - How large is the smallest module, and in which cell types is it active?
# - How many shares lie between 0.02 and 0.98 now, against the main table? Which genes are
#   *borderline* (a second share below the threshold but not near 0)? A gene whose second
#   share is 2 or 10% could be a weak moonlighter or just noise; at this depth the data may not
#   tell. An honest report gives the list at a stated threshold *and* the borderline genes.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The answers in one place
# R, the moonlighters at the threshold and the borderline genes of both tables, in one dictionary
# (in student/06, a grader's batch run reads your `problem3_answers` after running your notebook).

# %%
done = chosen(R) and chosen(R_hard)
problem3_answers = {
    "main": {"R": R, "moonlighters": [genes[i] for i in moonlighters] if done else []},
    "hard": {"R": R_hard, "moonlighters": [genes_hard[i] for i in moonlighters_hard] if done else [],
             "borderline": [gene for gene, _ in borderline(genes_hard, shares_hard, THRESHOLD)] if done else []},
}
for part, answer in problem3_answers.items():
    print(f"{part}: " + "; ".join(f"{key} {value}" for key, value in answer.items()))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Load with `counts_io.load_counts`; it names the file and line of any damage. Look before you fit.
# - Choose R with several tools at once: the deviance's bend, AIC/BIC, a held-out check whose
#   small differences you compare with their own standard error, and the consensus of many runs;
#   say which one you follow when they disagree.
# - Fit the chosen R on all the data with restarts, row-normalise W, histogram it, pick a
#   threshold in the gap of the histogram, and report modules and moonlighters by name.
# - With fewer counts the gap fills in: borderline genes appear, and the threshold starts to matter.
#
# **Homework question this notebook answers**
# - Problem 3: take the provided data set, find R (`my_choose_R`, section 3), find W (section 4),
#   identify any moonlighting genes (`my_assign`, `my_moonlighter_names`, sections 4 to 6); the
#   harder table in section 7. Here on the practice tables; in `student/06` on the term's graded
#   tables, whose truth only your instructor has.
#
# [← previous](05_reading_W.ipynb) | [course map](../README.md#notebook-map) | [next →](07_time_series.ipynb)
