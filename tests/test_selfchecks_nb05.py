"""Notebook 05's new self-check: each gene's share of reads per module."""

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course.selfchecks import nb05
from nmf_course.selfchecks.common import SelfCheckError


def test_read_shares_passes_correct_code(capsys):
    nb05.check_read_shares(lambda W, H: nh.row_normalize(W * H.sum(axis=1)))
    assert "PASSED check_read_shares" in capsys.readouterr().out


def plain_division(W, H):
    reads = W * H.sum(axis=1)
    with np.errstate(all="ignore"):
        return reads / reads.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("broken, message", [
    (lambda W, H: nh.row_normalize(W), "that is row_normalize"),
    (lambda W, H: W * H.sum(axis=1), "divide each row by its sum"),
    (lambda W, H: nh.row_normalize(W / H.sum(axis=1)), "do not divide"),
    (lambda W, H: nh.row_normalize(W * H.sum(axis=1)).T, "shape"),
    (plain_division, "NaN"),
    (lambda W, H: None, "returned None"),
])
def test_read_shares_explains_mistakes(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        nb05.check_read_shares(broken)


def test_read_shares_differ_from_row_normalised_W_only_for_genes_in_two_modules():
    W = np.array([[0.5, 0.0], [0.25, 0.5], [0.25, 0.5]])
    H = np.array([[900.0, 100.0], [50.0, 50.0]])
    reads = nh.row_normalize(W * H.sum(axis=1))
    assert np.allclose(reads[0], nh.row_normalize(W)[0])      # one module: share 1 either way
    assert not np.allclose(reads[1], nh.row_normalize(W)[1])  # two modules of unequal totals
