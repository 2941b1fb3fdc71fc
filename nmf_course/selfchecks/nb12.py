"""Self-checks for Notebook 12, mutational signatures: channel labels, cosine matching to the
reference signatures, exposures of fixed signatures."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh
from nmf_course import signatures
from nmf_course.selfchecks.common import fail, passed, returned

__all__ = ["check_parse_channel", "check_best_matches", "check_refit_exposures"]
REFERENCES = {"check_parse_channel": ("parse_channel",),
              "check_best_matches": ("match_references", "cosine_similarity"),
              "check_refit_exposures": ("refit_exposures",)}


def check_parse_channel(fn):
    """Test fn(label) -> (5' base, substitution, 3' base) on all 96 channels."""
    check = "check_parse_channel"
    for label in signatures.CHANNELS:
        expected = signatures.parse_channel(label)
        mine = returned(fn(label), check)
        if isinstance(mine, str) or not hasattr(mine, "__len__") or len(mine) != 3:
            fail(check, f"for {label!r} return three parts (5' base, substitution, 3' base), "
                        f"e.g. {expected}, but you returned {mine!r}")
        mine = tuple(mine)
        if mine == expected:
            continue
        if mine == (expected[2], expected[1], expected[0]):
            fail(check, f"for {label!r} you returned {mine}: the 5' base comes first (left of "
                        "the bracket), the 3' base last")
        if mine[1] != expected[1]:
            fail(check, f"for {label!r} the substitution is {expected[1]!r} (the text inside the "
                        f"brackets), but you returned {mine[1]!r}")
        fail(check, f"for {label!r} expected {expected}, but you returned {mine}")
    passed(check, "all 96 labels split into their 5' base, substitution and 3' base")


def _matching_case():
    """References with different lengths, so that a dot product without normalising picks wrong."""
    rng = np.random.default_rng(12)
    references = rng.dirichlet(np.full(8, 0.4), size=4).T          # 8 channels x 4 signatures
    references[:, 3] = np.full(8, 1 / 8)                           # a flat one, the shortest
    references[:, 0] = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.95])   # a long, spiky one
    names = ["S1", "S2", "S3", "S4"]
    W = np.column_stack([0.7 * references[:, 1] + 0.3 * references[:, 3],
                         references[:, 3] + rng.uniform(0, 0.02, 8),
                         0.6 * references[:, 2] + 0.4 * references[:, 0]])
    W /= W.sum(axis=0)
    return W, references, names


def check_best_matches(fn):
    """Test fn(W, references, names) -> [(name, cosine), ...], one pair per column of W."""
    check = "check_best_matches"
    W, references, names = _matching_case()
    result = returned(fn(W.copy(), references.copy(), list(names)), check)
    expected = [m[0] for m in signatures.match_references(W, references, names, n_best=1)]
    try:
        mine = [(str(name), float(cos)) for name, cos in result]
    except (TypeError, ValueError):
        fail(check, f"return one (name, cosine) pair per column of W, e.g. {expected[0]}, "
                    f"but you returned {result!r}")
    if len(mine) != len(expected):
        hint = (" (did you loop over the rows of W, the channels, instead of its columns?)"
                if len(mine) == W.shape[0] else "")
        fail(check, f"W has {W.shape[1]} columns (signatures), so return {W.shape[1]} pairs, "
                    f"but you returned {len(mine)}{hint}")
    dots = W.T @ references
    for a, ((name, cos), (best, best_cos)) in enumerate(zip(mine, expected)):
        if name not in names:
            fail(check, f"for column {a} return the reference's name (one of {names}), not "
                        f"{name!r}")
        if name != best and name == names[int(np.argmax(dots[a]))]:
            fail(check, f"column {a} should match {best} (cosine {best_cos:.3f}), but you chose "
                        f"{name}: it has the largest dot product, not the largest cosine; divide "
                        "by both vectors' lengths (np.linalg.norm)")
        if name != best:
            fail(check, f"column {a} should match {best} (cosine {best_cos:.3f}), but you chose "
                        f"{name}")
    for a, ((name, cos), (best, best_cos)) in enumerate(zip(mine, expected)):
        if np.isclose(cos, best_cos, atol=1e-6):
            continue
        k = names.index(best)
        hint = (": that is the dot product; divide it by both vectors' lengths"
                if np.isclose(cos, dots[a, k], atol=1e-6) else "")
        fail(check, f"column {a} matches {best} with cosine {best_cos:.4f}, but you report "
                    f"{cos:.4f}{hint}")
    passed(check, "each signature goes to the reference with the largest cosine similarity")


def _refit_case():
    rng = np.random.default_rng(1200)
    W = rng.dirichlet(np.full(12, 0.5), size=3).T                  # 12 channels x 3 signatures
    H = rng.uniform(0, 400, size=(3, 6))
    H[2, 1] = 0.0                                                  # one genome without signature 2
    V = rng.poisson(W @ H)
    return V, W


def check_refit_exposures(fn):
    """Test fn(V, W) -> H, the exposures of the fixed signatures W that maximise the likelihood."""
    check = "check_refit_exposures"
    V, W = _refit_case()
    V_in, W_in = V.copy(), W.copy()
    H = np.asarray(returned(fn(V_in, W_in), check), dtype=float)
    if not (np.array_equal(V_in, V) and np.array_equal(W_in, W)):
        fail(check, "your function changed V or W: W is fixed, update only H (in a new array)")
    R, M = W.shape[1], V.shape[1]
    if H.shape != (R, M):
        hint = " (transposed?)" if H.shape == (M, R) else ""
        fail(check, f"H should have shape (signatures, genomes) = {(R, M)}, got {H.shape}{hint}")
    if not np.all(np.isfinite(H)) or (H < 0).any():
        fail(check, "H must be finite and non-negative; a multiplicative step from a positive "
                    "start keeps it so")
    best = signatures.refit_exposures(V, W)
    mine_deviance, best_deviance = nh.deviance(V, W, H), best.deviance
    totals = H.sum(axis=0)
    if not np.allclose(totals, V.sum(axis=0), rtol=1e-3):
        j = int(np.argmax(np.abs(totals - V.sum(axis=0))))
        fail(check, f"at the optimum each genome's exposures add up to its mutations (W's columns "
                    f"sum to 1), but genome {j} has {totals[j]:.1f} against {V[:, j].sum()} "
                    "mutations: did you stop after one step, or leave out V / (W H)?")
    if mine_deviance > best_deviance + 0.01:
        fail(check, f"your H's deviance is {mine_deviance:.3f}, {mine_deviance - best_deviance:.3f} "
                    f"above the optimum {best_deviance:.3f}: repeat the H step until the deviance "
                    "stops falling (nh.has_stopped_falling on the trace)")
    passed(check, "your exposures reach the optimum of the likelihood with W fixed")
