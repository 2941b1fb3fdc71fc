"""Input checks for nmf_helpers: one place, one message per kind of mistake.

Every public function of nmf_helpers checks its input with one call to a function
here. Each raises ValueError (a bad value or shape) or TypeError (the wrong kind of
thing) with a message that names the argument, what was expected and what was given.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_matrix(X, name):
    """Return a float64 copy of X after checking it is a finite, non-negative 2-D array.

    A pandas DataFrame of numbers works (its index and column labels are dropped).
    """
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"{name} must be a 2-D array of numbers, got {type(X).__name__}")
    if hasattr(X, "toarray") and hasattr(X, "nnz"):  # a scipy sparse matrix
        raise TypeError(f"{name} is a scipy sparse matrix ({type(X).__name__}); "
                        f"pass a dense array instead: {name}.toarray()")
    if hasattr(X, "dtypes") and hasattr(X, "select_dtypes"):  # a pandas DataFrame
        text = [str(c) for c, kind in X.dtypes.items() if getattr(kind, "kind", "O") not in "iuf"]
        if text:
            raise TypeError(f"{name} is a DataFrame with non-numeric column(s) {text}: move gene "
                            f"names into the index (df.set_index({text[0]!r})) so that only "
                            "numbers remain")
    try:
        array = np.asarray(X)
    except (ValueError, TypeError) as error:  # ragged nested lists, for example
        raise ValueError(f"{name} could not be read as a 2-D array: {error}") from None
    if array.dtype == bool or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (int or float), got dtype {array.dtype}"
                        + (" (text or mixed entries?)" if array.dtype.kind in "OUS" else ""))
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got {array.ndim}-D with shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    array = np.array(array, dtype=np.float64)  # a copy: the caller's array is never touched
    bad = ~np.isfinite(array)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{name} has {bad.sum()} NaN or infinite entries, "
                         f"the first at [{i}, {j}] ({array[i, j]})")
    if (array < 0).any():
        i, j = np.argwhere(array < 0)[0]
        raise ValueError(f"{name} must be non-negative, but {name}[{i}, {j}] = {array[i, j]:g} "
                         f"({(array < 0).sum()} negative entries)")
    return array


def factors(V, W, H):
    """Check V, W and H and that W (N x R) and H (R x M) fit V (N x M); return float copies."""
    V, W, H = as_matrix(V, "V"), as_matrix(W, "W"), as_matrix(H, "H")
    shapes_fit(V, W, H)
    return V, W, H


def shapes_fit(V, W, H):
    """Check that W (N x R) and H (R x M) fit V (N x M)."""
    N, M = V.shape
    if W.shape[0] != N or H.shape[1] != M or W.shape[1] != H.shape[0]:
        raise ValueError(f"shapes do not fit: V is {V.shape}, so W must be ({N}, R) and H "
                         f"(R, {M}), but W is {W.shape} and H is {H.shape}")


def integer(value, name, minimum=1):
    """Check that value is a whole number (not a bool) of at least ``minimum``; return an int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def number(value, name):
    """Check that value is a real number (not a bool); return a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}")
    return float(value)


def rank(R, V):
    """Check that R is a whole number between 1 and min(N, M)."""
    R = integer(R, "R", minimum=-np.inf)
    N, M = V.shape
    if not 1 <= R <= min(N, M):
        raise ValueError(f"R must be between 1 and min(N, M) = {min(N, M)} for V of "
                         f"shape {V.shape}, got R = {R}")
    return R


def ranks(values, V):
    """Check a list or range of ranks to try; return them as a list of ints."""
    if isinstance(values, numbers.Number) or isinstance(values, (str, bytes)):
        raise TypeError(f"ranks must be a list or range of integers such as range(1, 9), "
                        f"got the single value {values!r}; to fit one R use nmf(V, R)")
    values = list(values)
    if not values:
        raise ValueError("ranks is empty: give at least one R to try")
    return [rank(R, V) for R in values]


def seed(value):
    """Check a seed: None, a non-negative integer, or a numpy Generator / SeedSequence."""
    if value is None or isinstance(value, (np.random.Generator, np.random.SeedSequence)):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 0:
        raise TypeError(f"seed must be None, a non-negative integer or a numpy Generator, "
                        f"got {value!r} of type {type(value).__name__}")
    return int(value)


def fraction(value, name, low, high):
    """Check low <= value <= high for a fraction such as holdout or a threshold."""
    value = number(value, name)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def positive(value, name):
    """Check a number > 0 (such as n_se, the standard errors a rule allows)."""
    value = number(value, name)
    if not value > 0:
        raise ValueError(f"{name} must be greater than 0, got {value}")
    return value


def scan_with_holdout(scan, V):
    """The mask (True = fitted) of a rank scan that hid entries, checked against V's shape."""
    mask = getattr(scan, "mask", None)
    if mask is None:
        raise ValueError("this rank scan hid no entries, so it has no held-out log-likelihood: "
                         "run nh.rank_scan(V, ranks, holdout=0.1)")
    if mask.shape != V.shape:
        raise ValueError(f"the rank scan was made on a table of shape {mask.shape}, "
                         f"but V has shape {V.shape}")
    return mask


def threshold(value):
    """A membership threshold: a share in (0, 1]."""
    value = number(value, "threshold")
    if not 0 < value <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {value}")
    return value


def depth(value):
    """Sequencing depth of simulate(): a pair (low, high) with 0 < low <= high."""
    try:
        low, high = value
        low, high = number(low, "depth[0]"), number(high, "depth[1]")
    except (TypeError, ValueError):
        raise TypeError(f"depth must be a pair (low, high) of total counts per sample, such as "
                        f"(90_000, 110_000), got {value!r}; for one depth d use (d, d)") from None
    if not 0 < low <= high:
        raise ValueError(f"depth must be (low, high) with 0 < low <= high, got {value}")
    return low, high


def observed_mask(value, V):
    """Check a mask of observed entries (True/1 = fitted, False/0 = hidden); return it as bool."""
    value = np.asarray(value)
    if value.shape != V.shape:
        raise ValueError(f"mask must have V's shape {V.shape}, got {value.shape}")
    if not np.isin(value, (0, 1)).all():
        raise ValueError("mask must hold only 0/1 (or False/True)")
    return value.astype(bool)


def fit_options(V, R, max_iter, tol, n_restarts, init):
    """Check the options nmf() and nmf_frobenius() share (V already checked).

    Returns R, max_iter, n_restarts and init as a checked (W0, H0) pair or None.
    """
    R = rank(R, V)
    max_iter = integer(max_iter, "max_iter")
    n_restarts = integer(n_restarts, "n_restarts")
    if number(tol, "tol") < 0:
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    if init is not None:
        if n_restarts != 1:
            raise ValueError("give either init or n_restarts > 1, not both")
        W0, H0 = as_matrix(init[0], "W"), as_matrix(init[1], "H")
        shapes_fit(V, W0, H0)
        if W0.shape[1] != R:
            raise ValueError(f"init has {W0.shape[1]} modules but R = {R}")
        init = (W0, H0)
    return R, max_iter, n_restarts, init


def simulation_options(n_genes, n_samples, n_modules, n_moonlighters, depth_range, alpha,
                       module_sizes):
    """Check simulate()'s arguments; return N, M, R, n_moonlighters, (low, high), alpha, sizes."""
    N = integer(n_genes, "n_genes")
    M = integer(n_samples, "n_samples")
    R = integer(n_modules, "n_modules")
    n_moon = integer(n_moonlighters, "n_moonlighters", minimum=0)
    if R > N:
        raise ValueError(f"n_modules = {R} is more than n_genes = {N}: every module needs a gene")
    if n_moon > 0 and R < 2:
        raise ValueError("moonlighting genes need at least two modules (n_modules >= 2)")
    if n_moon > N:
        raise ValueError(f"n_moonlighters = {n_moon} is more than n_genes = {N}")
    low, high = depth(depth_range)
    if not number(alpha, "alpha") > 0:
        raise ValueError(f"alpha must be positive, got {alpha}")
    if module_sizes is None:
        module_sizes = [N // R + (a < N % R) for a in range(R)]
    sizes = [integer(s, "module_sizes entry") for s in module_sizes]
    if len(sizes) != R or sum(sizes) != N:
        raise ValueError(f"module_sizes must be {R} positive sizes adding up to {N}, got {module_sizes}")
    return N, M, R, n_moon, (low, high), float(alpha), sizes


def choice(value, name, allowed):
    """Check that value is one of the allowed strings."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


def same_rows(A, B, names=("W_ref", "W_fit")):
    """Check that two matrices describe the same genes (rows), and B has at least A's columns."""
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"{names[0]} and {names[1]} must have the same genes (rows): "
                         f"{A.shape} vs {B.shape}")
    if B.shape[1] < A.shape[1]:
        raise ValueError(f"{names[1]} has {B.shape[1]} modules, fewer than {names[0]}'s {A.shape[1]}")


def same_shape(A, B, names=("X_ref", "X_fit")):
    """Check that two matrices have the same shape."""
    if A.shape != B.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, "
                         f"got {A.shape} and {B.shape}")


def broadcast_size(N, R, M, max_bytes):
    """Refuse an N x R x M float64 intermediate larger than max_bytes (update_broadcast)."""
    needed = N * R * M * 8
    if needed > max_bytes:
        raise ValueError(f"update_broadcast would build an N x R x M = {N} x {R} x {M} array of "
                         f"{needed / 2**20:,.0f} MiB, more than the limit of "
                         f"{max_bytes / 2**20:,.0f} MiB; use update_matmul (the matrix form) "
                         "for data this size")


def criteria_inputs(L, n_params, n_fitted):
    """Check information_criteria()'s inputs; return them as float arrays."""
    L = np.asarray(L, dtype=float)
    k = np.asarray(n_params, dtype=float)
    n = np.asarray(n_fitted, dtype=float)
    try:
        np.broadcast_shapes(L.shape, k.shape, n.shape)
    except ValueError:
        raise ValueError(f"L, n_params and n_fitted must be single numbers or arrays of one "
                         f"length (one entry per fit), got L of {_size(L)}, n_params of "
                         f"{_size(k)} and n_fitted of {_size(n)}") from None
    if (k < 0).any():
        raise ValueError(f"n_params (the number of free parameters) must be >= 0, got {n_params!r}")
    if (n < 1).any():
        raise ValueError(f"n_fitted (the number of fitted entries) must be >= 1, got {n_fitted!r}")
    return L, k, n


def _size(array):
    """'one number', 'length 3' or 'shape (2, 3)': how big an argument is, for a message."""
    if array.ndim == 0:
        return "one number"
    return f"length {array.shape[0]}" if array.ndim == 1 else f"shape {array.shape}"


def rescale_inputs(W, H, scale):
    """Check rescale()'s inputs; return W, H and one positive scale per column of W."""
    W, H = as_matrix(W, "W"), as_matrix(H, "H")
    if W.shape[1] != H.shape[0]:
        raise ValueError(f"W has {W.shape[1]} columns but H has {H.shape[0]} rows; they must match")
    if isinstance(scale, (str, bytes)) or scale is None:
        raise TypeError(f"scale must be a number or an array of numbers, got {type(scale).__name__}")
    s = np.asarray(scale)
    if s.dtype == bool or s.dtype.kind not in "iuf":
        raise TypeError(f"scale must hold numbers, got dtype {s.dtype}")
    s = np.broadcast_to(s, (W.shape[1],)) if s.ndim == 0 else s
    if s.shape != (W.shape[1],):
        raise ValueError(f"scale must have one entry per column of W ({W.shape[1]}), got shape {s.shape}")
    if not (np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError(f"scale must be finite and positive, got {s}")
    return W, H, s.astype(np.float64)


def nmf_options(V, R, update, max_iter, tol, n_restarts, check_every, dtype, mask, init,
                defaults):
    """Check nmf()'s arguments; return V, R, the engine's options, the mask and init.

    ``defaults`` maps "fast" and "teaching" to each engine's dict of max_iter, tol and
    check_every; the arguments given as None take those.
    """
    V = as_matrix(V, "V")
    settings = nmf_settings(V, R, update, max_iter, tol, n_restarts, check_every, dtype, mask,
                            init, defaults)
    something_to_fit(V, settings[-2])
    return (V, *settings)


def nmf_settings(V, R, update, max_iter, tol, n_restarts, check_every, dtype, mask, init,
                 defaults):
    """nmf_options() for a V already checked (rank_scan checks V once, then each R's settings).

    Returns R, the engine's options, dtype, n_restarts, the mask and init.
    """
    choice(update, "update", ("fast", "loops", "broadcast", "matmul"))
    engine = "fast" if update == "fast" else "teaching"
    given = {"max_iter": max_iter, "tol": tol, "check_every": check_every}
    options = {key: defaults[engine][key] if value is None else value for key, value in given.items()}
    R, options["max_iter"], n_restarts, init = fit_options(V, R, options["max_iter"], options["tol"],
                                                           n_restarts, init)
    options["check_every"] = integer(options["check_every"], "check_every")
    options["tol"] = float(options["tol"])
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be np.float64 or np.float32, got {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be np.float64 or np.float32, got {dtype}")
    if engine == "teaching" and (dtype != np.float64 or mask is not None):
        raise ValueError(f"dtype and mask are supported by the fast path only (update='fast'), "
                         f"not update={update!r}")
    if mask is not None:
        mask = observed_mask(mask, V)
    return R, options, dtype, n_restarts, mask, init


def something_to_fit(V, mask):
    """Refuse a fit with no data: V all zero, or a mask that hides every entry (or every count)."""
    if not V.any():
        raise ValueError(f"V has no counts at all: every entry of V (shape {V.shape}) is 0, so "
                         "there is nothing to fit")
    if mask is None:
        return
    if not mask.any():
        raise ValueError(f"mask hides every entry of V (shape {V.shape}): nothing left to fit; "
                         "True marks an entry to fit, False one to hide")
    if not V[mask].any():
        raise ValueError(f"mask hides every count of V: the {mask.sum()} entries it keeps are "
                         "all 0, so there is nothing to fit")


def consensus(C, name="C"):
    """Return C as a float array after checking it is a valid consensus matrix."""
    if isinstance(C, (str, bytes)) or C is None:
        raise TypeError(f"{name} must be a square 2-D array of numbers, got {type(C).__name__}")
    array = np.asarray(C)
    if array.dtype == bool or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (int or float), got dtype {array.dtype}")
    array = array.astype(np.float64)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"{name} must be a square 2-D array (M x M), got shape {array.shape}")
    if array.shape[0] < 2:
        raise ValueError(f"{name} must compare at least 2 samples, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must not hold NaN or infinite entries")
    if array.min() < 0 or array.max() > 1:
        i, j = np.unravel_index(np.argmax((array < 0) | (array > 1)), array.shape)
        raise ValueError(f"{name} must hold fractions in [0, 1], but {name}[{i}, {j}] = "
                         f"{array[i, j]:g}")
    if not np.allclose(array, array.T, rtol=0, atol=1e-12):
        i, j = np.unravel_index(np.argmax(np.abs(array - array.T)), array.shape)
        raise ValueError(f"{name} must be symmetric, but {name}[{i}, {j}] = {array[i, j]:g} "
                         f"and {name}[{j}, {i}] = {array[j, i]:g}")
    diagonal = np.diag(array)
    if not np.allclose(diagonal, 1, rtol=0, atol=1e-12):
        i = int(np.argmax(np.abs(diagonal - 1)))
        raise ValueError(f"{name} must have ones on its diagonal (a sample always shares "
                         f"its own cluster), but {name}[{i}, {i}] = {diagonal[i]:g}")
    return array
