"""Fits made together against fits made one after another: fastfit.fit_kl_many vs fit_kl.

nh.nmf's restarts and consensus.consensus_matrix's runs fit one table from several starts.
fit_kl_many steps those runs together (one NumPy call does every run's matrix products and
divisions), each run taking exactly the steps it would take alone (tests/test_fastfit.py
checks the results are equal to the last bit). This script times both ways on the course's
own table (notebook 04: 100 genes x 60 samples, 4 modules), with one BLAS thread as
consensus_matrix uses, and prints a Markdown table (median of REPEATS).

Run: .venv/bin/python benchmarks/bench_together.py   (about a minute; make bench runs it too)
"""

import time

import numpy as np
from threadpoolctl import threadpool_limits

import nmf_helpers as nh
from nmf_course.fastfit import fit_kl, fit_kl_many

REPEATS = 3
CASES = [  # (R, number of starts, tol): restarts of a converged fit, and consensus-like runs
    (4, 5, 2e-9),
    (5, 5, 2e-9),
    (3, 20, 1e-4),
    (5, 20, 1e-4),
]


def median_seconds(fit_all):
    """The median wall time of REPEATS calls of fit_all(), and its last result."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fit_all()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def main():
    V = nh.simulate(n_genes=100, n_samples=60, n_modules=4, n_moonlighters=3, seed=0).V.astype(float)
    print("| R | starts | tol | steps in all (longest run) | one after another | together | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for R, n_starts, tol in CASES:
        rng = np.random.default_rng(R)
        starts = [nh.random_start(rng, *V.shape, R, V) for _ in range(n_starts)]
        with threadpool_limits(limits=1, user_api="blas"):
            alone, fits = median_seconds(lambda: [fit_kl(V, W, H, tol=tol) for W, H in starts])
            together, _ = median_seconds(lambda: fit_kl_many(V, starts, tol=tol))
        steps = [fit.n_iter for fit in fits]
        print(f"| {R} | {n_starts} | {tol:g} | {sum(steps):,} ({max(steps):,}) | {alone:.2f} s "
              f"| {together:.2f} s | {alone / together:.2f} |")


if __name__ == "__main__":
    main()
