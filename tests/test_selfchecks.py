"""The students' self-checks pass correct code and explain what is wrong with broken code."""

import numpy as np
import pytest

import nmf_helpers as nh


def test_check_simulation():
    sim = nh.simulate(seed=0)
    nh.check_simulation(sim.W, sim.H, sim.V, n_moonlighters=3)
    with pytest.raises(nh.SelfCheckError, match="column 0 sums to"):
        nh.check_simulation(sim.W * [2, 1, 1, 1], sim.H, sim.V)
    with pytest.raises(nh.SelfCheckError, match="shapes do not fit"):
        nh.check_simulation(sim.W, sim.H[:, :5], sim.V)
    with pytest.raises(nh.SelfCheckError, match="Poisson"):
        nh.check_simulation(sim.W, sim.H, sim.V * 2)
    with pytest.raises(nh.SelfCheckError, match="whole non-negative counts"):
        nh.check_simulation(sim.W, sim.H, sim.W @ sim.H)
    with pytest.raises(nh.SelfCheckError, match="expected 5 moonlighting"):
        nh.check_simulation(sim.W, sim.H, sim.V, n_moonlighters=5)


def test_check_log_likelihood(capsys):
    nh.check_log_likelihood(lambda V, W, H: nh.log_likelihood(V, W, H))
    assert "PASSED check_log_likelihood" in capsys.readouterr().out
    naive = lambda V, W, H: np.sum(V * np.log(W @ H) - W @ H)  # 0 * log 0 -> nan
    with pytest.raises(nh.SelfCheckError, match="NaN"):
        with np.errstate(all="ignore"):
            nh.check_log_likelihood(naive)
    with pytest.raises(nh.SelfCheckError, match="expected"):
        nh.check_log_likelihood(lambda V, W, H: nh.log_likelihood(V, W, H) + 1)


def broken_no_normalise(V, W, H):
    Q = V / (W @ H)
    return W * (Q @ H.T), H


def broken_modifies_input(V, W, H):
    W_new, H_new = nh.update_matmul(V, W, H)
    W[:] = W_new
    return W_new, H_new


def broken_wrong_h(V, W, H):
    W_new, H_new = nh.update_matmul(V, W, H)
    H_new[1, 2] *= 1.5
    return W_new, H_new


@pytest.mark.parametrize("update", [nh.update_loops, nh.update_broadcast, nh.update_matmul])
def test_check_update_passes_reference_updates(update, capsys):
    nh.check_update(update)
    assert "PASSED check_update" in capsys.readouterr().out


@pytest.mark.parametrize("broken, message", [
    (broken_no_normalise, "columns should sum to 1"),
    (broken_modifies_input, "changed its input W"),
    (broken_wrong_h, r"your H differs at \[1, 2\]"),
    (lambda V, W, H: [W, H], "should return a tuple"),
    (lambda V, W, H: (W[:, :1], H), "should keep shape"),
])
def test_check_update_explains_broken_updates(broken, message):
    with np.errstate(all="ignore"):
        with pytest.raises(nh.SelfCheckError, match=message):
            nh.check_update(broken)


def test_check_nmf(capsys):
    nh.check_nmf(lambda V, R: nh.nmf(V, R, n_restarts=3, seed=1))
    nh.check_nmf(lambda V, R: (nh.nmf(V, R, seed=1).W, nh.nmf(V, R, seed=1).H))
    assert capsys.readouterr().out.count("PASSED check_nmf") == 2
    with pytest.raises(nh.SelfCheckError, match="did it stop before converging"):
        nh.check_nmf(lambda V, R: nh.nmf(V, R, seed=1, max_iter=2))
    with pytest.raises(nh.SelfCheckError, match="went down at entry 2"):
        nh.check_nmf(lambda V, R: (nh.nmf(V, R, seed=1).W, nh.nmf(V, R, seed=1).H, [1.0, 2.0, 1.5]))


def test_check_row_normalize():
    nh.check_row_normalize(nh.row_normalize)
    with np.errstate(all="ignore"):
        with pytest.raises(nh.SelfCheckError, match="not NaN"):
            nh.check_row_normalize(lambda W: W / W.sum(axis=1, keepdims=True))
    with pytest.raises(nh.SelfCheckError, match="differs"):
        nh.check_row_normalize(lambda W: W / np.maximum(W.sum(axis=0), 1))


def test_check_moonlighters():
    nh.check_moonlighters(nh.find_moonlighters)
    with pytest.raises(nh.SelfCheckError, match="missed genes"):
        nh.check_moonlighters(lambda W, t: nh.find_moonlighters(W, t)[1:])
