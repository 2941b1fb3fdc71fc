"""nmf_course.plots: the three heatmaps (basis, coefficient, consensus maps) draw what they say."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from nmf_course import consensus, plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_module_order_groups_rows_by_module_then_share():
    W = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.5, 0.0]])
    # module 0 (column 0 largest share): rows 4 (1.0), 1 (0.8), 3 (0.6); module 1: rows 0 (0.9), 2 (0.7)
    assert plots.module_order(W).tolist() == [4, 1, 3, 0, 2]


def test_basis_map_draws_row_shares_in_module_order_with_a_module_track():
    rng = np.random.default_rng(0)
    W = rng.random((30, 3))
    m = plots.basis_map(W)
    assert m.matrix.shape == (30, 3)
    assert np.allclose(m.matrix, (W / W.sum(axis=1, keepdims=True))[m.rows])
    home = m.matrix.argmax(axis=1)
    assert np.all(np.diff(home) >= 0)                        # rows grouped by module
    assert m.tracks["module"].shape == (30, 3)
    for row, a in zip(m.tracks["module"], home):
        assert np.allclose(row, to_rgb(m.colours["module"][str(a + 1)]))


def test_coef_map_orders_columns_by_label_and_its_track_follows_the_labels():
    rng = np.random.default_rng(1)
    H = rng.random((3, 12)) + 0.01
    labels = ["b", "a", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c"]
    colours = {"a": "red", "b": "green", "c": "blue"}
    m = plots.coef_map(H, labels, label_order=["c", "a", "b"], colours=colours, track_name="kind")
    assert m.matrix.shape == (3, 12)
    assert np.allclose(m.matrix, (H / H.sum(axis=0))[:, m.columns])
    shown = [labels[j] for j in m.columns]
    assert shown == sorted(shown, key=["c", "a", "b"].index)
    for rgb, label in zip(m.tracks["kind"], shown):
        assert np.allclose(rgb, to_rgb(colours[label]))
    dominant = m.matrix.argmax(axis=0)
    for rgb, a in zip(m.tracks["largest metagene"], dominant):
        assert np.allclose(rgb, to_rgb(m.colours["largest metagene"][str(a + 1)]))
    with pytest.raises(ValueError, match="one label per column"):
        plots.coef_map(H, labels[:-1])


def test_consensus_map_puts_blocks_together_and_tracks_follow_the_tree_order():
    truth = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    C = (truth[:, None] == truth[None, :]).astype(float)
    names = np.array(["x", "y", "z"])[truth]
    m = plots.consensus_map(C, {"group": names}, colours={"group": {"x": "red", "y": "green", "z": "blue"}})
    assert m.matrix.shape == (10, 10)
    assert np.array_equal(m.matrix, C[np.ix_(m.rows, m.columns)])
    assert np.array_equal(m.rows, consensus.consensus_order(C))
    # a perfect block matrix in the tree's order: each group's samples sit next to each other
    shown = truth[m.rows]
    assert (np.diff(shown) != 0).sum() == 2
    for rgb, label in zip(m.tracks["group"], names[m.rows]):
        assert np.allclose(rgb, to_rgb({"x": "red", "y": "green", "z": "blue"}[label]))
    with pytest.raises(ValueError, match="one label per sample"):
        plots.consensus_map(C, {"group": names[:5]})


def test_track_colours_assigns_distinct_colours_and_keeps_the_given_ones():
    rgb, mapping = plots.track_colours(["b", "a", "b"], {"b": "black"})
    assert mapping["b"] == "black" and mapping["a"] != "black"
    assert np.allclose(rgb[0], to_rgb("black")) and np.allclose(rgb[1], to_rgb(mapping["a"]))
