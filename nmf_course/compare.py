"""Comparing fitted profiles with known ones (notebooks 07 and 08): NMF's scaling
ambiguity (rescale) and the correlation of matched columns (column_correlations)."""

from __future__ import annotations

import numpy as np

from nmf_course import validation as check


def rescale(W, H, scale):
    """Move a positive factor s_a from row a of H to column a of W: return (W s, H / s).

        W'[i, a] = W[i, a] s_a      H'[a, mu] = H[a, mu] / s_a      so W' H' = W H:

    the fit and its log-likelihood do not change. This is NMF's scaling ambiguity;
    choosing s is choosing the units in which to read W and H (nmf() makes W's columns
    sum to 1). ``scale``: one positive number per column of W, or one for all.
    """
    W, H, s = check.rescale_inputs(W, H, scale)
    return W * s, H / s[:, np.newaxis]


def column_correlations(X_ref, X_fit):
    """Pearson correlation of each column of X_fit with the same column of X_ref.

        r[a] = sum_i (x_i - mean x)(y_i - mean y) / sqrt(sum_i (x_i - mean x)^2 sum_i (y_i - mean y)^2)

    with x = X_ref[:, a], y = X_fit[:, a]. Correlation ignores scale, so it compares the
    *shape* of a recovered profile with the true one whatever units NMF chose. Line the
    columns up first (X_fit[:, match_modules(X_ref, X_fit)]). A constant column has no
    shape to compare; its correlation is reported as 0.
    """
    X_ref, X_fit = check.as_matrix(X_ref, "X_ref"), check.as_matrix(X_fit, "X_fit")
    check.same_shape(X_ref, X_fit)
    x, y = X_ref - X_ref.mean(axis=0), X_fit - X_fit.mean(axis=0)
    denominator = np.sqrt((x * x).sum(axis=0) * (y * y).sum(axis=0))
    numerator = (x * y).sum(axis=0)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)
