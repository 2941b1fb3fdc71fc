"""nmf_course.validation: every public function of nmf_helpers rejects bad input with an error
that names the argument, what was expected and what was given, and never changes its input."""

import warnings

import numpy as np
import pytest
import scipy.sparse

import nmf_helpers as nh
from nmf_course import consensus

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
    (dict(update="matmul-teaching"), ValueError, "update must be one of 'fast', 'loops'"),
    (dict(update="loops", dtype=np.float32), ValueError, "fast path only"),
    (dict(seed="abc"), TypeError, "seed must be None, a non-negative integer or a numpy Generator, got 'abc'"),
    (dict(seed=-1), TypeError, "seed must be"),
    (dict(max_iter=0), ValueError, "max_iter"), (dict(n_restarts=1.5), TypeError, "n_restarts"),
    (dict(tol=-1), ValueError, "tol"), (dict(dtype=np.int32), TypeError, "dtype"),
    (dict(mask=np.ones((3, 3))), ValueError, "mask must have V's shape"),
    (dict(mask=np.full((10, 8), 2)), ValueError, "0/1"),
    (dict(init=(GOOD_W, GOOD_H), n_restarts=2), ValueError, "init"),
    (dict(mask=np.zeros((10, 8), bool)), ValueError,
     r"mask hides every entry of V \(shape \(10, 8\)\): nothing left to fit"),
])
def test_bad_nmf_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        nh.nmf(GOOD_V, 2, **kwargs)


NO_COUNTS = r"V has no counts at all: every entry of V \(shape \(5, 4\)\) is 0, so there is nothing to fit"


@pytest.mark.parametrize("call", [
    lambda V: nh.nmf(V, 2),
    lambda V: nh.nmf(V, 2, update="matmul"),
    lambda V: nh.nmf(V, 2, mask=np.ones(V.shape, bool)),
    lambda V: nh.rank_scan(V, [1, 2], seed=0),
    lambda V: nh.rank_scan(V, [1, 2], seed=0, holdout=0.2),
    lambda V: consensus.consensus_matrix(V, 2, n_runs=3, seed=0),
])
def test_a_table_without_counts_leaves_nothing_to_fit(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the error comes before any 0/0 warning
        with pytest.raises(ValueError, match=NO_COUNTS):
            call(np.zeros((5, 4)))


def test_a_mask_that_hides_every_count_leaves_nothing_to_fit():
    V = GOOD_V.copy()
    V[:, :3] = 0
    keep_the_zeros = np.zeros(V.shape, bool)
    keep_the_zeros[:, :3] = True
    with pytest.raises(ValueError, match="mask hides every count of V: the 30 entries it keeps "
                                         "are all 0, so there is nothing to fit"):
        nh.nmf(V, 2, mask=keep_the_zeros)


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
        assert np.isfinite(fit.W).all() and np.isfinite(fit.log_likelihood)
        assert np.array_equal(nh.row_normalize(fit.W)[0], [0.0, 0.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: nh.simulate(depth=100000), TypeError,
     r"depth must be a pair \(low, high\).*got 100000; for one depth d use \(d, d\)"),
    (lambda: nh.simulate(depth=(10, 5)), ValueError, "0 < low <= high"),
    (lambda: nh.simulate(seed="abc"), TypeError, "seed must be"),
    (lambda: nh.rank_scan(GOOD_V, 5), TypeError,
     r"ranks must be a list or range of integers such as range\(1, 9\), got the single value 5"),
    (lambda: nh.rank_scan(GOOD_V, [1, 2], holdout=0.999), ValueError,
     "holdout must be between 0 and 0.5, got 0.999"),
    (lambda: nh.rank_scan(GOOD_V, [1, 2], holdout="0.1"), TypeError, "holdout must be a number"),
    (lambda: nh.holdout_mask((4, 4), -0.1), ValueError, "holdout must be between"),
    (lambda: nh.information_criteria(-10.0, 3, 0), ValueError, "n_fitted"),
    (lambda: nh.information_criteria(np.zeros(3), np.ones(2), 10), ValueError,
     "L, n_params and n_fitted must be single numbers or arrays of one length "
     r"\(one entry per fit\), got L of length 3, n_params of length 2 and n_fitted of one number"),
    (lambda: nh.nmf(scipy.sparse.csr_matrix(GOOD_V), 2), TypeError,
     r"V is a scipy sparse matrix \(csr_matrix\); pass a dense array instead: V.toarray\(\)"),
])
def test_messages_name_the_argument_and_what_was_expected(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_data_frame_of_numbers_works_and_one_with_names_is_told_what_to_do():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(GOOD_V, index=[f"g{i}" for i in range(10)])
    fit = nh.nmf(frame, 2, seed=0, max_iter=20)
    assert fit.W.shape == (10, 2)
    with_names = frame.reset_index(names="gene")
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['gene'\]: move gene names "
                                        r"into the index \(df.set_index\('gene'\)\)"):
        nh.nmf(with_names, 2)
