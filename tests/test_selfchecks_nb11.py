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


# --- check_project_step: one H step with W fixed (projecting new samples) ---------------------
from nmf_course.selfchecks.nb11 import check_project_step  # noqa: E402


def _ratio(V, W, H):
    WH = W @ H
    return np.divide(V, WH, out=np.zeros_like(WH), where=WH > 0)


@pytest.mark.parametrize("correct", [
    lambda V, W, H: H * (W.T @ _ratio(V, W, H)) / W.sum(axis=0)[:, None],
    lambda V, W, H: (H / W.sum(axis=0, keepdims=True).T) * (W.T @ _ratio(V, W, H)),
    lambda V, W, H: np.array([[H[a, j] * sum(W[i, a] * _ratio(V, W, H)[i, j] for i in range(W.shape[0]))
                               / W[:, a].sum() for j in range(H.shape[1])] for a in range(H.shape[0])]),
])
def test_project_step_passes_correct_code(correct, capsys):
    check_project_step(correct)
    assert "PASSED check_project_step" in capsys.readouterr().out


def _in_place(V, W, H):
    H *= (W.T @ _ratio(V, W, H)) / W.sum(axis=0)[:, None]
    return H


@pytest.mark.parametrize("broken, message", [
    (lambda V, W, H: H * (W.T @ _ratio(V, W, H)), "left out the division by W's column sums"),
    (lambda V, W, H: H * (W.T @ _ratio(V, W, H)) / W.sum(), "sum of all of W"),
    (lambda V, W, H: H * (W.T @ (V - W @ H)) / W.sum(axis=0)[:, None], r"V / \(W H\), not V - W H"),
    (lambda V, W, H: H * (W.T @ _ratio(V, W, H)) / H.sum(axis=0), "H's column sums"),
    (lambda V, W, H: H * ((W / W.sum(axis=0)).T @ _ratio(V, W / W.sum(axis=0), H)), "normalised W's columns"),
    (lambda V, W, H: H * (W @ _ratio(V, W, H)) / W.sum(axis=0)[:, None], "W.T @"),
    (lambda V, W, H: (W, H), "tuple"),
    (lambda V, W, H: None, "returned None"),
    (_in_place, "changed its input H"),
    (lambda V, W, H: H * (W.T @ (V / (W @ H))) / W.sum(axis=0)[:, None] * 1.01, "differs at"),
])
def test_project_step_names_the_mistake(broken, message):
    with pytest.raises(SelfCheckError, match=message):
        check_project_step(broken)


def test_project_step_agrees_with_readouts_project():
    """The step the check expects is the one readouts.project repeats."""
    from nmf_course.readouts import project
    rng = np.random.default_rng(0)
    W = rng.random((20, 2))
    W /= W.sum(axis=0)
    H = rng.random((2, 4)) * 100
    V = rng.poisson(W @ H)
    fit = project(V, W)
    assert fit.converged
    step = fit.H * (W.T @ _ratio(V, W, fit.H)) / W.sum(axis=0)[:, None]
    assert np.allclose(step, fit.H, rtol=1e-4)


def test_project_step_leaves_an_unfinished_exercise_to_the_reporting():
    def unfinished(V, W, H):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        check_project_step(unfinished)
