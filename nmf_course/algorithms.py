"""algorithms: other ways to fit NMF than the multiplicative update (notebook 13).

- mu_entry: the multiplicative update of one entry of H, the minimum of Lee & Seung's
  auxiliary function (majorizer) along that entry.
- hals_step: one sweep of HALS, coordinate descent on the squared error 1/2 ||V - W H||^2
  (Cichocki & Phan 2009; Gillis & Glineur 2012; scikit-learn's NMF(solver="cd")).
- newton_kl_step: one sweep of Newton coordinate descent on the Poisson (KL) deviance
  (Hsieh & Dhillon 2011).
- nndsvd: the NNDSVD start (Boutsidis & Gallopoulos 2008; scikit-learn's init="nndsvd",
  and "nndsvda" with fill="mean").
- penalized_mu_step: the multiplicative KL step with L1 and L2 penalties on W and H, as
  scikit-learn's NMF(alpha_W, alpha_H, l1_ratio) takes it.
- hoyer_sparseness: Hoyer's (2004) sparseness of a vector, 0 (flat) to 1 (one entry).

Each works on a copy (inputs are never modified) and keeps W H's scale where it falls
(no column normalisation: the updates of W and H are symmetric, V.T ~ H.T W.T).
"""

from __future__ import annotations

import numpy as np

__all__ = ["mu_entry", "hals_step", "newton_kl_step", "kl_row_objective", "nndsvd", "penalized_mu_step",
           "penalized_objective", "hoyer_sparseness"]


def mu_entry(V, W, H, a, j):
    """The multiplicative update of H[a, j] alone, the other entries fixed at W, H.

    Along h = H[a, j] the deviance D(h) is majorized, touching it at h0 = H[a, j], by
    Lee & Seung's (2001) auxiliary function (Jensen's inequality on the log)

        G(h) = D(h0) + 2 [s (h - h0) - b log(h / h0)],   s = sum_i W_ia,
                                                        b = h0 sum_i W_ia V_ij / (WH)_ij,

    whose minimum, h = b / s, is this return value: the multiplicative step.
    """
    h0, w = H[a, j], W[:, a]
    return float(h0 * (w @ (V[:, j] / (W @ H[:, j]))) / w.sum())


def _hals_rows(V, W, H):
    """HALS on H's rows: for each a, the exact minimiser of ||V - W H||^2 over row a, clipped at 0.

        H_a <- max(0, H_a + (W^T V - W^T W H)_a / (W^T W)_aa)

    W^T V and W^T W are computed once per sweep; each row then costs R x M.
    """
    H = H.copy()
    WtV, WtW = W.T @ V, W.T @ W
    for a in range(H.shape[0]):
        step = (WtV[a] - WtW[a] @ H) / max(WtW[a, a], 1e-300)
        H[a] = np.maximum(H[a] + step, 1e-16)  # a tiny floor keeps a column from vanishing
    return H


def hals_step(V, W, H):
    """One HALS sweep: every row of H, then every column of W (the same on V.T ~ H.T W.T)."""
    H = _hals_rows(V, W, H)
    W = _hals_rows(V.T, H.T, W.T).T
    return W, H


def kl_row_objective(V, WH):
    """Each column's part of the deviance up to terms in V only: sum_i (WH - V log WH)."""
    return (WH - V * np.log(np.maximum(WH, 1e-300))).sum(axis=0)


def _newton_rows(V, W, H):
    """Newton coordinate descent on H's rows for the KL objective (Hsieh & Dhillon 2011).

    Row a, with the other rows fixed, splits into M one-variable problems (one per sample j):
        f(h) = sum_i [W_ia h + c_ij - V_ij log(W_ia h + c_ij)],
        f'(h) = sum_i W_ia (1 - V_ij / WH_ij),   f''(h) = sum_i W_ia^2 V_ij / WH_ij^2,
    each given one projected Newton step h <- max(0, h - f'/f''). Where that step overshoots
    and f rises, the step is halved (a few times, else the old value is kept): no sweep
    raises the deviance.
    """
    H = H.copy()
    WH = W @ H
    for a in range(H.shape[0]):
        w, old = W[:, [a]], H[a].copy()
        Q = V / WH
        gradient = (w.T @ (1 - Q))[0]
        curvature = np.maximum(((w**2).T @ (Q / WH))[0], 1e-300)
        new = np.maximum(old - gradient / curvature, 1e-16)
        f_old = kl_row_objective(V, WH)
        for _ in range(8):
            worse = kl_row_objective(V, WH + w * (new - old)) > f_old
            if not worse.any():
                break
            new[worse] = (new[worse] + old[worse]) / 2
        new[worse] = old[worse]
        WH += w * (new - old)
        H[a] = new
    return H


def newton_kl_step(V, W, H):
    """One sweep of Newton coordinate descent: every row of H, then every column of W."""
    H = _newton_rows(V, W, H)
    W = _newton_rows(V.T, H.T, W.T).T
    return W, H


def nndsvd(V, R, fill="zeros"):
    """The NNDSVD start (Boutsidis & Gallopoulos 2008): W (N x R), H (R x M) from V's SVD.

    Each singular triplet (s, u, v) is split into its positive and negative parts; the pair
    (u+, v+) or (u-, v-) with the larger norm product gives a column of W and a row of H.
    The first triplet can be taken whole (V >= 0 makes u_1, v_1 of one sign). Zeros stay
    zero (fill="zeros", scikit-learn's "nndsvd") or become V's mean (fill="mean", "nndsvda").
    """
    U, s, Vt = np.linalg.svd(np.asarray(V, dtype=float), full_matrices=False)
    W, H = np.zeros((V.shape[0], R)), np.zeros((R, V.shape[1]))
    for a in range(R):
        u, v = U[:, a], Vt[a]
        up, un, vp, vn = np.maximum(u, 0), np.maximum(-u, 0), np.maximum(v, 0), np.maximum(-v, 0)
        pos = np.linalg.norm(up) * np.linalg.norm(vp)
        neg = np.linalg.norm(un) * np.linalg.norm(vn)
        x, y, size = (up, vp, pos) if pos >= neg else (un, vn, neg)
        scale = np.sqrt(s[a] * size)
        W[:, a] = scale * x / np.linalg.norm(x)
        H[a] = scale * y / np.linalg.norm(y)
    if fill == "mean":
        W[W == 0], H[H == 0] = V.mean(), V.mean()
    elif fill != "zeros":
        raise ValueError(f"fill must be 'zeros' or 'mean', got {fill!r}")
    return W, H


def _ratio(V, WH):
    """V / WH, with 0 where WH = 0 (a gene with no counts, fitted by a row of zeros)."""
    return np.divide(V, WH, out=np.zeros_like(WH), where=WH > 0)


def penalized_objective(V, W, H, l1_W=0.0, l1_H=0.0, l2_W=0.0, l2_H=0.0):
    """KL + l1_W sum W + l1_H sum H + l2_W/2 ||W||^2 + l2_H/2 ||H||^2 (KL = deviance / 2)."""
    WH = W @ H
    positive = V > 0
    kl = np.sum(V[positive] * np.log(V[positive] / WH[positive])) - V.sum() + WH.sum()
    return float(kl + l1_W * W.sum() + l1_H * H.sum()
                 + l2_W / 2 * (W**2).sum() + l2_H / 2 * (H**2).sum())


def penalized_mu_step(V, W, H, l1_W=0.0, l1_H=0.0, l2_W=0.0, l2_H=0.0):
    """One multiplicative KL step with L1 and L2 penalties on W and H (scikit-learn's form).

        W <- W * ((V / WH) H^T) / (1 H^T + l1_W + l2_W W)
        H <- H * (W^T (V / WH)) / (W^T 1 + l1_H + l2_H H)

    The penalty's gradient joins the denominator, the part of the gradient with a plus sign.
    (scikit-learn: l1_W = alpha_W l1_ratio M, l2_W = alpha_W (1 - l1_ratio) M, and the same
    for H with alpha_H and N.)
    """
    W = W * (_ratio(V, W @ H) @ H.T) / (H.sum(axis=1) + l1_W + l2_W * W)
    H = H * (W.T @ _ratio(V, W @ H)) / (W.sum(axis=0)[:, np.newaxis] + l1_H + l2_H * H)
    return W, H


def hoyer_sparseness(x, axis=0):
    """Hoyer's sparseness (sqrt(n) - ||x||_1 / ||x||_2) / (sqrt(n) - 1), along axis.

    1 when only one entry is non-zero, 0 when all entries are equal.
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[axis]
    ratio = np.abs(x).sum(axis=axis) / np.sqrt((x**2).sum(axis=axis))
    return (np.sqrt(n) - ratio) / (np.sqrt(n) - 1)
