"""Self-checks for Notebook 01, simulating counts."""

from __future__ import annotations

import numpy as np

from nmf_course.selfchecks.common import fail, passed, returned

__all__ = ["check_simulation", "check_simulator", "check_compression"]

REFERENCES = {"check_compression": (), "check_simulator": ("simulate",)}


def check_simulation(V, W, H, n_moonlighters=None):
    """Check a simulated (V, W, H): shapes fit, W's columns sum to 1, each gene in 1 or 2 modules,
    H non-negative, V whole non-negative counts whose size matches W H."""
    check = "check_simulation"
    V, W, H = (np.asarray(x) for x in (V, W, H))
    if W.ndim != 2 or H.ndim != 2 or V.ndim != 2:
        fail(check, f"W, H and V must be 2-D; got {W.ndim}-D, {H.ndim}-D and {V.ndim}-D")
    if W.shape[1] != H.shape[0] or V.shape != (W.shape[0], H.shape[1]):
        fail(check, f"shapes do not fit: W {W.shape} times H {H.shape} cannot give V {V.shape}")
    if (W < 0).any() or (H < 0).any():
        fail(check, "W and H must be non-negative, but have negative entries")
    sums = W.sum(axis=0)
    if not np.allclose(sums, 1):
        a = int(np.argmax(np.abs(sums - 1)))
        fail(check, f"each column of W must sum to 1, but column {a} sums to {sums[a]:.4g}")
    per_gene = (W > 0).sum(axis=1)
    if per_gene.min() < 1 or per_gene.max() > 2:
        i = int(np.flatnonzero((per_gene < 1) | (per_gene > 2))[0])
        fail(check, f"each gene should be in one module (two for a moonlighter), "
                     f"but gene {i} has {per_gene[i]} non-zero entries in W")
    if n_moonlighters is not None and (per_gene == 2).sum() != n_moonlighters:
        fail(check, f"expected {n_moonlighters} moonlighting genes (two non-zeros in a row of W), "
                     f"found {(per_gene == 2).sum()}")
    if (V < 0).any() or not np.all(V == np.round(V)):
        fail(check, "V must hold whole non-negative counts (draw them with rng.poisson)")
    expected, observed = (W @ H).sum(), V.sum()
    if abs(observed - expected) > 6 * np.sqrt(expected) + 1:
        fail(check, f"V's total count {observed:.6g} is far from W @ H's total {expected:.6g}: "
                     "is V drawn as Poisson(W @ H)?")
    passed(check, f"W {W.shape}, H {H.shape} and V {V.shape} follow the model "
                   f"({(per_gene == 2).sum()} moonlighting genes)")


def check_compression(fn):
    """Test fn(N, M, R) -> (stored, compresses): (N + M) R numbers in W and H, and whether that
    is strictly fewer than the N M numbers of V."""
    check = "check_compression"
    cases = [(100, 60, 4), (100, 60, 5), (100, 60, 37), (100, 60, 38), (10, 10, 5), (3, 3, 2), (20_000, 1_000, 20)]
    for N, M, R in cases:
        result = returned(fn(N, M, R), check)
        if not (isinstance(result, tuple) and len(result) == 2):
            fail(check, f"your function should return a pair (stored, compresses), "
                        f"but for N, M, R = {N}, {M}, {R} it returned {result!r}")
        stored, compresses = result
        expected = (N + M) * R
        if not np.isscalar(stored) or float(stored) != expected:
            hint = ""
            if np.isscalar(stored) and float(stored) == N * M * R:
                hint = " (N M R counts an N x R x M array: W has N R entries and H has R M)"
            elif np.isscalar(stored) and float(stored) == N * M:
                hint = " (that is the size of V itself)"
            fail(check, f"for N, M, R = {N}, {M}, {R} W and H hold {expected:,} numbers, "
                        f"but yours says {stored!r}{hint}")
        if not isinstance(compresses, (bool, np.bool_)):
            fail(check, f"the second value should be True or False, got {compresses!r}")
        if bool(compresses) != (expected < N * M):
            why = ("stored equals N M, which saves nothing (use <, not <=)" if expected == N * M
                   else f"{expected:,} numbers {'<' if expected < N * M else '>'} {N * M:,} of V")
            fail(check, f"for N, M, R = {N}, {M}, {R} compresses should be {expected < N * M}: {why}")
    passed(check, "W and H hold (N + M) R numbers, and R compresses while (N + M) R < N M "
                  f"(tested on {len(cases)} sizes, 100 x 60 with R = 37 and 38 among them)")


def check_simulator(fn, seed=2019):
    """Run fn(N=100, M=60, R=4, n_moonlighters=3, rng) -> (W, H, V) and check_simulation on it.

    Calling the student's function inside the check (not in the notebook cell) means an
    unfinished exercise shows as UNFINISHED instead of stopping Run All.
    """
    result = returned(fn(100, 60, 4, 3, np.random.default_rng(seed)), "check_simulator")
    if not (isinstance(result, tuple) and len(result) == 3):
        fail("check_simulator", f"your function should return a tuple (W, H, V), "
                                f"got {type(result).__name__}")
    W, H, V = result
    check_simulation(V, W, H, n_moonlighters=3)
