"""Every public function rejects bad input with a clear error, and never changes its input."""

import numpy as np
import pytest

import nmf_helpers as nh

GOOD_V = nh.simulate(n_genes=10, n_samples=8, n_modules=2, n_moonlighters=1, seed=0).V
GOOD_W = np.full((10, 2), 0.1)
GOOD_H = np.ones((2, 8))


def with_entry(X, value):
    X = X.astype(float)
    X[1, 2] = value
    return X


@pytest.mark.parametrize("V, error, message", [
    (with_entry(GOOD_V, -1), ValueError, r"non-negative.*V\[1, 2\] = -1"),
    (with_entry(GOOD_V, np.nan), ValueError, r"NaN or infinite.*\[1, 2\]"),
    (with_entry(GOOD_V, np.inf), ValueError, "NaN or infinite"),
    (np.ones(5), ValueError, r"2-D, got 1-D with shape \(5,\)"),
    (np.ones((2, 2, 2)), ValueError, "2-D, got 3-D"),
    (np.ones((0, 4)), ValueError, r"empty \(shape \(0, 4\)\)"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "numbers"),
    ("counts.txt", TypeError, "str"),
    (None, TypeError, "NoneType"),
    (np.ones((3, 3), dtype=bool), TypeError, "dtype bool"),
    ([[1, 2], [3]], ValueError, "could not be read"),
])
def test_bad_V(V, error, message):
    with pytest.raises(error, match=message):
        nh.nmf(V, 1)
    with pytest.raises(error, match=message):
        nh.log_likelihood(V, GOOD_W, GOOD_H)


@pytest.mark.parametrize("R, error, message", [
    (2.0, TypeError, "R must be an integer"), ("3", TypeError, "R must be an integer"),
    (True, TypeError, "R must be an integer"), (0, ValueError, "between 1 and min"),
    (9, ValueError, r"min\(N, M\) = 8.*R = 9"),
])
def test_bad_R(R, error, message):
    with pytest.raises(error, match=message):
        nh.nmf(GOOD_V, R)
    with pytest.raises(error, match=message):
        nh.rank_scan(GOOD_V, [1, R])


@pytest.mark.parametrize("update", [nh.update_loops, nh.update_broadcast, nh.update_matmul])
def test_bad_factors(update):
    with pytest.raises(ValueError, match=r"W is \(9, 2\)"):
        update(GOOD_V, GOOD_W[:9], GOOD_H)
    with pytest.raises(ValueError, match=r"H is \(3, 8\)"):
        update(GOOD_V, GOOD_W, np.ones((3, 8)))
    with pytest.raises(ValueError, match=r"W must be non-negative, but W\[0, 0\] = -0\.1 \(20 negative entries\)"):
        update(GOOD_V, -GOOD_W, GOOD_H)
    with pytest.raises(ValueError, match="H must be non-negative"):
        update(GOOD_V, GOOD_W, -GOOD_H)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(update="fast"), ValueError, "update must be one of"),
    (dict(max_iter=0), ValueError, "max_iter"), (dict(n_restarts=1.5), TypeError, "n_restarts"),
    (dict(tol=-1), ValueError, "tol"), (dict(dtype=np.int32), TypeError, "dtype"),
    (dict(mask=np.ones((3, 3))), ValueError, "mask must have V's shape"),
    (dict(mask=np.full((10, 8), 2)), ValueError, "0/1"),
    (dict(init=(GOOD_W, GOOD_H), n_restarts=2), ValueError, "init"),
])
def test_bad_nmf_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        nh.nmf(GOOD_V, 2, **kwargs)


def test_inputs_are_never_modified():
    V = GOOD_V.copy()
    nh.nmf(V, 2, seed=0, max_iter=10, mask=np.ones(V.shape, bool))
    nh.rank_scan(V, [1, 2], seed=0, max_iter=10, holdout=0.2)
    W = GOOD_W.copy()
    nh.row_normalize(W)
    nh.match_modules(W, W)
    assert np.array_equal(V, GOOD_V) and np.array_equal(W, GOOD_W)


def test_all_zero_gene_is_valid_data():
    V = GOOD_V.copy()
    V[0] = 0
    with np.errstate(divide="raise", invalid="raise"):  # no 0/0 or log(0) warnings either
        fit = nh.nmf(V, 2, seed=0)
        assert np.isfinite(nh.row_normalize(fit.W)).all()
