"""Notebook 06's self-checks (Problem 3): they test form and consistency with the student's own
scan and W's, never the answer, and never read the answer key."""

import functools
import inspect

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course.selfchecks import nb06
from nmf_course.selfchecks.common import SelfCheckError


@functools.lru_cache(maxsize=1)
def table():
    """A small simulated 'provided table' with names, and its scan (quick to fit)."""
    sim = nh.simulate(40, 20, 4, n_moonlighters=3, depth=(20_000, 30_000), seed=66)
    scan = nh.rank_scan(sim.V, range(1, 6), n_restarts=1, seed=3, holdout=0.1)
    names = [f"Gen{i}" for i in range(40)]
    return sim.V, scan, names


def bic_choice(V, scan):
    return int(scan.ranks[np.argmin(scan.bic)])


def test_choose_R_passes_a_criterion_and_returns_the_R(capsys):
    V, scan, _ = table()
    assert nb06.check_choose_R(bic_choice, V, scan) == bic_choice(V, scan)
    out = capsys.readouterr().out
    assert "PASSED check_choose_R" in out and "BIC" in out


def test_choose_R_accepts_the_held_out_and_consensus_criteria():
    V, scan, _ = table()
    best_heldout = lambda V, scan: int(scan.ranks[np.argmax(scan.heldout_log_likelihood)])
    nb06.check_choose_R(best_heldout, V, scan)
    cophenetic = {2: 0.97, 3: 0.98, 4: 0.95, 5: 0.99}   # begins to fall after 3; highest at 5
    picks = nb06.criteria_picks(V, scan, cophenetic)
    assert picks["consensus (Brunet's rule)"] == 3


@pytest.mark.parametrize("broken, message", [
    (lambda V, scan: 3.0, "whole number"),
    (lambda V, scan: True, "whole number"),
    (lambda V, scan: "3", "whole number"),
    (lambda V, scan: 9, "not one of the ranks"),
    (lambda V, scan: None, "returned None"),
])
def test_choose_R_explains_form_mistakes(broken, message):
    V, scan, _ = table()
    with pytest.raises(SelfCheckError, match=message):
        nb06.check_choose_R(broken, V, scan)


def test_choose_R_refuses_an_R_no_criterion_picks():
    V, scan, _ = table()
    picks = set(nb06.criteria_picks(V, scan).values())
    other = next(int(R) for R in scan.ranks if int(R) not in picks)
    with pytest.raises(SelfCheckError, match=f"no criterion of your scan picks R = {other}"):
        nb06.check_choose_R(lambda V, scan: other, V, scan)


def test_choose_R_refuses_a_fixed_number():
    V, scan, _ = table()
    fixed = bic_choice(V, scan)
    V_sim, scan_sim = nb06._simulated_scan()
    assert set(nb06.criteria_picks(V_sim, scan_sim).values()) == {3}   # every criterion says 3
    assert fixed == 4                                                   # (this table has 4 modules)
    if fixed != 3:
        with pytest.raises(SelfCheckError, match="do not return a fixed number"):
            nb06.check_choose_R(lambda V, scan: fixed, V, scan)


def my_assign(W, threshold):
    return nh.row_normalize(W) >= threshold


def test_assign_passes_correct_code(capsys):
    _, scan, _ = table()
    nb06.check_assign(my_assign, scan, 0.1)
    assert "PASSED check_assign" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (lambda W, t: W >= t, "compared W itself"),
    (lambda W, t: nh.row_normalize(W) > t, "use >="),
    (lambda W, t: nh.find_moonlighters(W, t), "not indices"),
    (lambda W, t: (nh.row_normalize(W) >= t).T, "shape"),
    (lambda W, t: nh.row_normalize(W), "other than True/False"),
])
def test_assign_explains_mistakes(broken, message):
    _, scan, _ = table()
    with pytest.raises(SelfCheckError, match=message):
        nb06.check_assign(broken, scan, 0.1)


def my_names(W, gene_names, threshold):
    return [gene_names[i] for i in nh.find_moonlighters(W, threshold)]


def test_moonlighter_names_pass_correct_code_in_any_order(capsys):
    _, scan, names = table()
    nb06.check_moonlighter_names(my_names, scan, names, 0.1)
    nb06.check_moonlighter_names(lambda W, g, t: sorted(my_names(W, g, t), reverse=True), scan, names, 0.1)
    assert "PASSED check_moonlighter_names" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (lambda W, g, t: list(nh.find_moonlighters(W, t)), "return gene names"),
    (lambda W, g, t: my_names(W, g, t) + ["Nosuchgene"], "not a gene of this table"),
    (lambda W, g, t: my_names(W, g, t) * 2 if my_names(W, g, t) else ["Gen0", "Gen0"], "twice|only 1 module"),
    (lambda W, g, t: my_names(W, g, t)[1:] if my_names(W, g, t) else ["Gen0"], "left out|only"),
    (lambda W, g, t: [g[i] for i in np.flatnonzero((nh.row_normalize(W) >= t).sum(axis=1) >= 1)], "only 1 module"),
    (lambda W, g, t: 7, "list of gene names"),
])
def test_moonlighter_names_explain_mistakes(broken, message):
    _, scan, names = table()
    with pytest.raises(SelfCheckError, match=message):
        nb06.check_moonlighter_names(broken, scan, names, 0.1)


def test_the_checks_never_read_the_answer_key():
    assert "answer_key" not in inspect.getsource(nb06)
