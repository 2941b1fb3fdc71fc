"""Self-checks for Notebook 01, simulating counts."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)
from nmf_course.selfchecks.common import fail, passed

__all__ = ["check_simulation"]


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
