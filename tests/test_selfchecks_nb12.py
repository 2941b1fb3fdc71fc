"""Self-checks of notebook 12: correct code passes, typical mistakes get their sentence."""

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course import selfchecks
from nmf_course.rules import has_stopped_falling
from nmf_course.selfchecks.common import SelfCheckError
from nmf_course.selfchecks.nb12 import (check_best_matches, check_parse_channel,
                                        check_refit_exposures)
from nmf_course.signatures import match_references, refit_exposures


def parse(label):
    return label[0], label[2:5], label[6]


def best_matches(W, references, names):
    unit_W = W / np.linalg.norm(W, axis=0)
    unit_P = references / np.linalg.norm(references, axis=0)
    cosines = unit_W.T @ unit_P
    return [(names[k], cosines[a, k]) for a, k in enumerate(np.argmax(cosines, axis=1))]


def refit(V, W, tol=2e-9):
    H = np.tile(V.sum(axis=0) / W.shape[1], (W.shape[1], 1))
    trace = [nh.deviance(V, W, H)]
    step = 0
    while not has_stopped_falling(trace, tol):
        H = H * (W.T @ nh.ratio(V, W @ H)) / W.sum(axis=0)[:, None]
        step += 1
        if step % 50 == 0:
            trace.append(nh.deviance(V, W, H))
    return H


def test_correct_code_passes(capsys):
    check_parse_channel(parse)
    check_best_matches(best_matches)
    check_refit_exposures(refit)
    check_best_matches(lambda W, P, names: [m[0] for m in match_references(W, P, names, n_best=1)])
    check_refit_exposures(lambda V, W: refit_exposures(V, W).H)
    assert capsys.readouterr().out.count("PASSED") == 5


def test_the_checks_are_registered():
    for name in ("check_parse_channel", "check_best_matches", "check_refit_exposures"):
        assert callable(getattr(selfchecks, name))
        assert name in selfchecks.RAW_CHECKS


@pytest.mark.parametrize("fn, message", [
    (lambda label: (label[6], label[2:5], label[0]), "the 5' base comes first"),
    (lambda label: (label[0], label[3], label[6]), "the substitution is 'C>A'"),
    (lambda label: label[0] + label[2:5] + label[6], "return three parts"),
    (lambda label: None, "returned None"),
    (lambda label: ("A", "C>A", "A"), "expected \\('A', 'C>A', 'C'\\)"),
])
def test_parse_channel_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_parse_channel(fn)


def dot_product_matches(W, references, names):
    dots = W.T @ references
    return [(names[k], dots[a, k]) for a, k in enumerate(np.argmax(dots, axis=1))]


def row_matches(W, references, names):
    return [best_matches(W, references, names)[0]] * W.shape[0]     # one pair per channel


def dot_product_cosines(W, references, names):
    dots = W.T @ references
    return [(name, dots[a, names.index(name)]) for a, (name, _) in enumerate(best_matches(W, references, names))]


@pytest.mark.parametrize("fn, message", [
    (dot_product_matches, "largest dot product, not the largest cosine"),
    (row_matches, "loop over the rows of W"),
    (dot_product_cosines, "that is the dot product"),
    (lambda W, P, names: [(int(k), 1.0) for k in range(W.shape[1])], "the reference's name"),
    (lambda W, P, names: [(n, c * 0.9) for n, c in best_matches(W, P, names)], "but you report"),
    (lambda W, P, names: [(names[0], 1.0)] * W.shape[1], "should match"),
    (lambda W, P, names: np.argmax(W, axis=0), "one \\(name, cosine\\) pair"),
])
def test_best_matches_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_best_matches(fn)


def one_step(V, W):
    H = np.tile(V.sum(axis=0) / W.shape[1], (W.shape[1], 1))
    return H * (W.T @ nh.ratio(V, W @ H))


def few_steps(V, W):
    H = np.tile(V.sum(axis=0) / W.shape[1], (W.shape[1], 1))
    for _ in range(20):
        H = H * (W.T @ nh.ratio(V, W @ H))
    return H


def changes_W(V, W):
    H = refit(V, W)
    W *= 1.0
    W[0, 0] += 1e-3
    return H


@pytest.mark.parametrize("fn, message", [
    (lambda V, W: refit(V, W).T, "transposed"),
    (lambda V, W: -refit(V, W), "non-negative"),
    (one_step, "deviance is .* above the optimum|did you stop after one step"),
    (few_steps, "above the optimum"),
    (lambda V, W: np.tile(V.sum(axis=0) / W.shape[1], (W.shape[1], 1)), "above the optimum"),
    (lambda V, W: refit(V, W) * 1.1, "add up to its mutations"),
    (changes_W, "changed V or W"),
    (lambda V, W: None, "returned None"),
])
def test_refit_exposures_mistakes(fn, message):
    with pytest.raises(SelfCheckError, match=message):
        check_refit_exposures(fn)
