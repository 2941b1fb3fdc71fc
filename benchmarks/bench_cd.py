"""A candidate engine, measured: Newton coordinate descent with extrapolation (issue 23).

Not yet the course's engine. fit_kl (nmf_course/fastfit.py) extrapolates multiplicative
updates; this script measures a different method for the same objective, the Poisson
deviance D(W, H) = 2 sum [V log(V / WH) - V + WH], against plain MU and fit_kl's defaults,
from the same starts, on the tables of bench_nmf.py's convergence and accuracy cases:

- **Newton coordinate descent** (Hsieh & Dhillon 2011, "Fast coordinate descent methods with
  variable selection for non-negative matrix factorization", KDD): one row of H at a time (all
  M entries at once, each its own one-variable problem), then one column of W at a time, each
  given one projected Newton step; W H is kept current by a rank-one update after each row.
  The teaching version, with a line search, is nmf_course.algorithms.newton_kl_step
  (notebook 13); this one has none and relies on the safeguard below.
- **Extrapolation with a restart** (Ang & Gillis 2019, Neural Computation 31(2):417-439): after
  each sweep X_k, the next sweep starts from Y_k = max(X_k + beta (X_k - X_{k-1}), floor),
  linear as in the paper; when a sweep ends above the last accepted point, the run goes back
  to that point and beta shrinks. beta is managed by fit_kl's own schedule (fastfit._Schedule). fastTopics (Carbonetto et al. 2021) pairs coordinate descent
  with the same extrapolation for Poisson NMF.
- A few plain MU steps first (WARMUP_STEPS): from a random start MU falls faster than
  coordinate descent for the first tens of steps.
- One BLAS thread: a sweep makes about 5 small BLAS calls per row, and on this 2-core machine
  OpenBLAS's threaded gemv/dot waits for its second thread: 8 ms a sweep at 200 x 60, R = 5,
  against 0.5 ms with one thread.

What it lacks before it could replace fit_kl: masks, offsets, float32, runs stepping
together (fit_kl_many), the escape test, and the trace's step semantics. What it changes: where
an overfitted fit ends (another local optimum, better or worse), so every notebook's printed
fits would move.

Run: .venv/bin/python benchmarks/bench_cd.py   (about 10 minutes; writes benchmarks/results_cd.md)
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy.linalg.blas import dger
from threadpoolctl import threadpool_limits

import nmf_helpers as nh
from nmf_course import fastfit
from nmf_course.fastfit import fit_kl
from nmf_course.rules import has_stopped_falling

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_nmf import (ACCURACY_CASES, CONVERGENCE_CASES, first_reaching,  # noqa: E402
                       mu_time_per_step, plain_mu, timed)

HERE = Path(__file__).resolve().parent
FLOOR = 1e-16          # the smallest entry a Newton step leaves (a projection onto [FLOOR, inf))
WARMUP_STEPS = 50      # plain MU steps before the first sweep
CHECK_EVERY = 10       # sweeps between stopping-rule checks
TOL = 2e-9             # fit_kl's default tolerance, per check
MAX_SWEEPS = 20_000


def deviance(V, WH, V_log_V):
    """2 sum [V log(V / WH) - V + WH], with sum V log V (0 log 0 = 0) computed once."""
    return 2 * (V_log_V - np.vdot(V, np.log(WH)) - V.sum() + WH.sum())


def rank_one_update(A, x, y):
    """A += outer(x, y) in place (BLAS dger, which needs a column-major A)."""
    if A.flags.f_contiguous:
        dger(1.0, x, y, a=A, overwrite_a=1)
    else:                                   # A.T is column-major: A.T += outer(y, x)
        dger(1.0, y, x, a=A.T, overwrite_a=1)


def newton_rows(V, W, H, WH, Q):
    """One projected Newton step on every row of H in turn (W fixed), in place.

    Row a, with the other rows fixed, is M one-variable problems; for entry (a, j)
        f'  = sum_i W_ia (1 - V_ij / WH_ij),   f'' = sum_i W_ia^2 V_ij / WH_ij^2,
    and h <- max(FLOOR, h - f'/f''). WH is updated after each row; Q is scratch space.
    """
    column_sums = W.sum(axis=0)
    for a in range(H.shape[0]):
        w = W[:, a]
        np.divide(V, WH, out=Q)
        gradient = column_sums[a] - w @ Q
        Q /= WH
        curvature = np.maximum((w * w) @ Q, 1e-300)
        old = H[a].copy()
        H[a] = np.maximum(old - gradient / curvature, FLOOR)
        rank_one_update(WH, w, H[a] - old)


def newton_sweep(V, W, H, WH, Q):
    """Every row of H, then every column of W (the rows of W.T, with V.T ~ H.T W.T)."""
    newton_rows(V, W, H, WH, Q)
    newton_rows(V.T, H.T, W.T, WH.T, Q.T)


def fit_cd(V, W0, H0, tol=TOL, max_sweeps=MAX_SWEEPS):
    """Warm-up MU steps, then extrapolated Newton sweeps until the course's stopping rule holds.

    Returns (W, H, trace, sweeps, rises): trace holds the accepted deviance at the start and
    every CHECK_EVERY sweeps; rises is (how many, the largest relative to the deviance) of the
    sweeps from an accepted point (no extrapolation) that ended higher, which the safeguard also
    rejects (the method has no line search).
    """
    V = np.asfortranarray(V, dtype=np.float64)
    V_log_V = float(np.sum(V[V > 0] * np.log(V[V > 0])))
    W, H, _ = plain_mu(V, W0, H0, WARMUP_STEPS)
    W, H = np.asfortranarray(W), np.asfortranarray(H)
    WH, Q = np.asfortranarray(W @ H), np.empty_like(V)
    safe, safe_D, extrapolated = (W.copy(), H.copy()), deviance(V, WH, V_log_V), False
    previous, schedule = safe, fastfit._Schedule()
    trace, rises, largest_rise, sweeps = [safe_D], 0, 0.0, 0
    while sweeps < max_sweeps and not has_stopped_falling(trace, tol):
        for _ in range(CHECK_EVERY):
            newton_sweep(V, W, H, WH, Q)
            sweeps += 1
            D = deviance(V, WH, V_log_V)
            if D <= safe_D:                     # accept, normalise, extrapolate
                scale = W.sum(axis=0)
                point = (W / scale, H * scale[:, np.newaxis])
                safe, safe_D = point, D
                schedule.accepted()
                for now, before, out in zip(point, previous, (W, H)):
                    np.maximum(now + schedule.beta * (now - before), FLOOR, out=out)
                previous, extrapolated = point, True
            else:                               # back to the accepted point, a smaller beta
                if not extrapolated:
                    rises, largest_rise = rises + 1, max(largest_rise, (D - safe_D) / safe_D)
                schedule.rejected()
                np.copyto(W, safe[0])
                np.copyto(H, safe[1])
                previous, extrapolated = safe, False
            np.matmul(W, H, out=WH)
        trace.append(safe_D)
    return safe[0], safe[1], np.array(trace), sweeps, (rises, largest_rise)


def case(label, make_V, R, seed, mu_iterations):
    """fit_kl's defaults, fit_cd and plain MU from one start (nh.random_start with `seed`)."""
    V = np.asarray(make_V(), dtype=np.float64)
    W0, H0 = nh.random_start(np.random.default_rng(seed), *V.shape, R, V, np.float64)
    repeats = 1 if V.size > 100_000 else 3
    kl_time, kl_fit = timed(lambda: fit_kl(V, W0, H0), repeats)
    kl_untested_time, _ = timed(lambda: fit_kl(V, W0, H0, escape=False), repeats)
    with threadpool_limits(1):
        cd_time, (_, _, cd_trace, sweeps, rises) = timed(lambda: fit_cd(V, W0, H0), repeats)
    every = 10 if V.size <= 10_000 else 50
    mu_trace = plain_mu(V, W0, H0, mu_iterations, every)[2] if mu_iterations else None
    optimum = min(kl_fit.deviance_trace[-1], cd_trace[-1],
                  np.inf if mu_trace is None else mu_trace[-1])
    row = dict(label=label, kl_time=kl_time, kl_gap=kl_fit.deviance_trace[-1] - optimum,
               kl_untested_time=kl_untested_time,
               cd_time=cd_time, cd_gap=cd_trace[-1] - optimum, sweeps=sweeps, rises=rises)
    if mu_trace is not None:
        needed = first_reaching(mu_trace, optimum + 1.0, every)
        row["mu_time"] = (needed or mu_iterations) * mu_time_per_step(V, W0, H0)
        row["mu_reached"] = needed is not None
    return row


def ratio(row, key):
    value = row["mu_time"] / row[key]
    return f"{value:.1f}" if row["mu_reached"] else f"> {value:.1f}"


def main():
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()[0]
    clock = time.perf_counter()
    rows = []
    for label, make_V, R, mu_iterations in CONVERGENCE_CASES:
        rows.append(case(label, make_V, R, 1, mu_iterations))
        print(rows[-1], flush=True)
    accuracy = []
    for label, make_V, R in ACCURACY_CASES:
        accuracy.append(case(label, make_V, R, 2, 0))
        print(accuracy[-1], flush=True)
    lines = [
        "# A candidate engine: Newton coordinate descent with extrapolation",
        "",
        "Produced by `benchmarks/bench_cd.py` (its docstring says what the method is and what it lacks);",
        "do not edit by hand. Not the course's engine yet: fit_kl is.",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC; the run took {time.perf_counter() - clock:.0f} s;"
        f" load average (1 min) before: {load:.2f}",
        "- float64; fit_kl with its defaults (stopping rule, escape test), median of 3 calls (one call"
        " above 100,000 entries); fit_cd with the same stopping rule on a check every"
        f" {CHECK_EVERY} sweeps, tol {TOL:g}, {WARMUP_STEPS} MU steps first, one BLAS thread, and no"
        " escape test (fit_kl's times include its test's second run)",
        "- \"above the best\": deviance units above the lowest end point of the runs in the row;"
        " plain MU's time is its iterations to within 1 unit of it (from its trace) times its time"
        " per iteration, as in results.md",
        "",
        "## Time to a converged fit (bench_nmf.py's convergence cases, start seed 1)",
        "",
        "| N x M, R | fit_kl: time, above the best | fit_kl without its escape test: time |"
        " fit_cd: time, sweeps, above the best |"
        " plain MU to within 1 unit | plain MU ÷ fit_kl | plain MU ÷ fit_cd |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(f"| {row['label']} | {row['kl_time']:.2f} s, {row['kl_gap']:+.3f} |"
                     f" {row['kl_untested_time']:.2f} s |"
                     f" {row['cd_time']:.2f} s, {row['sweeps']:,}, {row['cd_gap']:+.3f} |"
                     f" {row['mu_time']:.2f} s{'' if row['mu_reached'] else ' (not reached)'} |"
                     f" {ratio(row, 'kl_time')} | {ratio(row, 'cd_time')} |")
    lines += ["", "## Where each stops (bench_nmf.py's accuracy cases, start seed 2)", "",
              "| table | fit_kl: time, above the best | fit_kl without its escape test: time |"
              " fit_cd: time, sweeps, above the best | fit_kl without its test ÷ fit_cd (time) |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for row in accuracy:
        lines.append(f"| {row['label']} | {row['kl_time']:.2f} s, {row['kl_gap']:+.3f} |"
                     f" {row['kl_untested_time']:.2f} s |"
                     f" {row['cd_time']:.2f} s, {row['sweeps']:,}, {row['cd_gap']:+.3f} |"
                     f" {row['kl_untested_time'] / row['cd_time']:.1f} |")
    rises = sum(row["rises"][0] for row in rows + accuracy)
    largest = max(row["rises"][1] for row in rows + accuracy)
    lines += ["", "Sweeps from an accepted point (not extrapolated) that ended higher, which the safeguard"
              f" rejected: {rises}; the largest rise, relative to the deviance: {largest:.1e}.", ""]
    (HERE / "results_cd.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
