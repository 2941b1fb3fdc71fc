"""Self-checks of notebook 11: correct code passes, typical mistakes get their sentence."""

import numpy as np
import pytest

from nmf_course.consensus import consensus_from_labels, sample_clusters
from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb11 import check_consensus_from_labels, check_sample_clusters


def test_correct_code_passes(capsys):
    check_sample_clusters(lambda H: np.argmax(H, axis=0))
    check_consensus_from_labels(lambda runs: consensus_from_labels(runs))
    assert capsys.readouterr().out.count("PASSED") == 2


@pytest.mark.parametrize("fn, message", [
    (lambda H: np.argmax(H, axis=1), r"axis=1, over samples"),
    (lambda H: np.max(H, axis=0), "np.argmax gives indices"),
    (lambda H: None, "returned None"),
    (lambda H: np.zeros(H.shape[1], dtype=int), "sample 0 .* should go to metagene 0|sample 1"),
])
def test_sample_clusters_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_sample_clusters(fn)


def count_not_fraction(runs):
    runs = [np.asarray(r) for r in runs]
    return sum((r[:, None] == r[None, :]).astype(float) for r in runs)


@pytest.mark.parametrize("fn, message", [
    (count_not_fraction, "did you forget to divide by the number of runs"),
    (lambda runs: consensus_from_labels(runs)[:4, :4], "should be 5 x 5"),
    (lambda runs: consensus_from_labels(runs) - np.eye(5), "diagonal should be all ones"),
    (lambda runs: np.triu(consensus_from_labels(runs)), "symmetric"),
    (lambda runs: consensus_from_labels(runs[:2]), r"should be \d\.\d{3}, but yours is"),
])
def test_consensus_from_labels_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_consensus_from_labels(fn)


def test_the_checks_compare_with_the_helpers_answers():
    H = np.array([[1.0, 0.0], [0.0, 2.0]])
    assert sample_clusters(H).tolist() == [0, 1]
