"""Small plotting helpers the notebooks share, and the standard heatmaps of a factorization
(basis_map, coef_map, consensus_map: after R NMF's basismap, coefmap and consensusmap)."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch
from scipy.cluster.hierarchy import dendrogram, leaves_list, linkage
from scipy.spatial.distance import squareform

FIGURE_MAX_WIDTH = 9.6   # inches: at 100 dpi 960 px, shown unscaled in JupyterLab at 1280 px
                         # wide and inside a 960 x 700 slide


def use_course_style():
    """Figures a room can read: 13 pt text at 100 dpi, no offsets such as "1e7" on the axes.

    Keep figures at most FIGURE_MAX_WIDTH inches wide (figsize=(9.6, ...) or less).
    """
    plt.rcParams.update({"font.size": 13, "figure.dpi": 100, "savefig.dpi": 100,
                         "axes.titlesize": 14, "axes.formatter.useoffset": False,
                         "axes.formatter.limits": (-4, 6)})


def plot_heatmap(ax, X, title, xlabel, ylabel, cmap="viridis", colorbar_label=None, **imshow_options):
    """Draw matrix X as a heatmap on ax with a title, axis labels and a colour bar; return the image."""
    image = ax.imshow(np.asarray(X), aspect="auto", interpolation="nearest", cmap=cmap, **imshow_options)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    colorbar = ax.figure.colorbar(image, ax=ax)
    if colorbar_label:
        colorbar.set_label(colorbar_label)
    return image


def plot_trace(ax, result, label=None):
    """Plot an NMFResult's deviance trace against the iteration number, on a log scale.

    The deviance D = 2 (L_perfect - L) has no dropped constant, so a log scale shows the
    early fast fall and the late slow creep in one picture (a log-likelihood of about
    -3.8e7 would need an offset on its axis).
    """
    iterations = np.arange(len(result.deviance_trace)) * result.check_every
    iterations[-1] = result.n_iter
    ax.plot(iterations, result.deviance_trace, marker=".", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("deviance D (log scale)")
    ax.set_title("Deviance during the fit (lower is better)")
    return ax


# ---------------------------------------------------------------------------
# The standard pictures of a factorization (after R NMF's basismap, coefmap, consensusmap)
# ---------------------------------------------------------------------------

# Okabe & Ito's colours (distinguishable with every common colour-vision deficiency), then tab10's
TRACK_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                 "#000000", "tab:gray", "tab:olive", "tab:brown", "tab:purple")


@dataclass
class Heatmap:
    """What basis_map, coef_map and consensus_map return.

    fig: the figure; matrix: the values drawn, in the order drawn; rows / columns: the
    order of the input's rows / columns on the picture (matrix = X[rows][:, columns] after
    scaling); tracks: {track name: (RGB array, one colour per drawn row or column)};
    colours: {track name: {label: colour}}, the legend of each track.
    """
    fig: plt.Figure
    matrix: np.ndarray
    rows: np.ndarray
    columns: np.ndarray
    tracks: dict
    colours: dict


def track_colours(labels, colours=None):
    """One colour per entry of ``labels``: {label: colour} from ``colours`` where given, else
    TRACK_PALETTE in order of the sorted distinct labels. Returns (RGB array len x 3, mapping)."""
    labels = list(labels)
    distinct = sorted(set(labels), key=str)
    mapping = dict(colours or {})
    spare = [c for c in TRACK_PALETTE if c not in mapping.values()]
    for label in distinct:
        if label not in mapping:
            if not spare:
                raise ValueError(f"more than {len(TRACK_PALETTE)} distinct labels: give their colours")
            mapping[label] = spare.pop(0)
    missing = [label for label in distinct if label not in mapping]
    if missing:
        raise ValueError(f"no colour for labels {missing}")
    return np.array([to_rgb(mapping[label]) for label in labels]), {label: mapping[label] for label in distinct}


def module_order(W):
    """Order of W's rows for a basis map: grouped by the module with the largest share of the row
    (row-normalised W), modules in column order, and within a module by decreasing share."""
    W = np.asarray(W, dtype=float)
    totals = W.sum(axis=1, keepdims=True)
    shares = np.divide(W, totals, out=np.zeros_like(W), where=totals > 0)
    home = shares.argmax(axis=1)
    return np.lexsort((-shares[np.arange(len(W)), home], home))


def _draw_track(ax, rgb, name, vertical):
    """A strip of colours: one row (vertical=False) or one column (vertical=True)."""
    image = rgb[:, None, :] if vertical else rgb[None, :, :]
    ax.imshow(image, aspect="auto", interpolation="nearest")
    ax.set_xticks([] if not vertical else [0], [] if not vertical else [name], rotation=90)
    ax.set_yticks([] if vertical else [0], [] if vertical else [name])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _track_legends(fig, colours, anchor_x=1.0):
    """One legend per track, stacked at the figure's right edge."""
    handles, labels = [], []
    for name, mapping in colours.items():
        handles.append(Patch(visible=False))
        labels.append(name)
        for label, colour in mapping.items():
            handles.append(Patch(color=colour))
            labels.append(str(label))
    fig.legend(handles, labels, loc="outside right upper", fontsize=12, frameon=False,
               handlelength=1.2, borderaxespad=0.2)


def basis_map(W, *, row_labels=None, module_names=None, title="Basis (W), each row's shares",
              figsize=(7.5, 7)):
    """Heatmap of W's row-normalised shares, rows grouped by module (after R NMF's basismap).

    Each gene (row) is scaled to sum to 1, as R NMF's default ``scale="r1"``, so a row reads as
    how the gene's weight is shared among the metagenes; rows are put in module_order(W), with
    a track on the left giving each row's module (R NMF's "basis" track). R NMF instead clusters
    the rows (hierarchical clustering, with a dendrogram); grouping by module shows the same
    blocks without a tree that 5,000 rows would make unreadable. ``row_labels`` (one name per
    row) labels up to 40 rows on the axis.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"W must be 2-D (genes x metagenes), got shape {W.shape}")
    N, R = W.shape
    names = list(module_names) if module_names is not None else [f"{a + 1}" for a in range(R)]
    if len(names) != R:
        raise ValueError(f"module_names must name the {R} columns of W, got {len(names)}")
    rows = module_order(W)
    totals = W.sum(axis=1, keepdims=True)
    shares = np.divide(W, totals, out=np.zeros_like(W), where=totals > 0)[rows]
    home = [names[a] for a in shares.argmax(axis=1)]
    rgb, mapping = track_colours(home, dict(zip(names, TRACK_PALETTE)))
    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(1, 3, width_ratios=[0.35, max(R, 2), 0.25])
    ax_track, ax, ax_bar = (fig.add_subplot(grid[0, k]) for k in range(3))
    _draw_track(ax_track, rgb, "module", vertical=True)
    image = ax.imshow(shares, aspect="auto", interpolation="nearest", cmap="YlOrRd", vmin=0, vmax=1)
    ax.set_xticks(range(R), names)
    ax.set_xlabel("metagene (column of W)")
    ax.set_yticks([])
    if row_labels is not None and N <= 40:
        ax.set_yticks(range(N), [str(row_labels[i]) for i in rows], fontsize=11)
        ax.yaxis.tick_right()
    ax_track.set_ylabel(f"{N} rows, grouped by module")
    ax.set_title(title)
    fig.colorbar(image, cax=ax_bar, label="share of the row")
    return Heatmap(fig=fig, matrix=shares, rows=rows, columns=np.arange(R),
                   tracks={"module": rgb}, colours={"module": mapping})


def coef_map(H, labels, *, label_order=None, colours=None, module_names=None, track_name="known label",
             title="Coefficients (H), each sample's shares", figsize=(9.6, 4.2)):
    """Heatmap of H's column-normalised shares with the known labels as a coloured track
    (after R NMF's coefmap).

    Each sample (column) is scaled to sum to 1, as R NMF's default ``scale="c1"``; the columns
    are grouped by their known label (in ``label_order``, default sorted) and, within a label,
    by their dominant metagene and its share, so a metagene that marks a label shows as one
    block above that label's colour. R NMF instead clusters the columns (with a dendrogram) and
    adds a track of each column's dominant metagene ("basis"); ours draws that track too, below
    the known labels, and orders by the labels so the two tracks can be compared by eye.
    """
    H = np.asarray(H, dtype=float)
    if H.ndim != 2:
        raise ValueError(f"H must be 2-D (metagenes x samples), got shape {H.shape}")
    R, M = H.shape
    labels = list(labels)
    if len(labels) != M:
        raise ValueError(f"labels must give one label per column of H ({M}), got {len(labels)}")
    order = list(label_order) if label_order is not None else sorted(set(labels), key=str)
    unknown = set(labels) - set(order)
    if unknown:
        raise ValueError(f"label_order lacks labels {sorted(unknown, key=str)}")
    names = list(module_names) if module_names is not None else [f"{a + 1}" for a in range(R)]
    totals = H.sum(axis=0, keepdims=True)
    shares = np.divide(H, totals, out=np.zeros_like(H), where=totals > 0)
    dominant = shares.argmax(axis=0)
    columns = np.lexsort((-shares[dominant, np.arange(M)], dominant, [order.index(x) for x in labels]))
    shown = shares[:, columns]
    label_rgb, label_map = track_colours([labels[j] for j in columns], colours)
    basis_rgb, basis_map_ = track_colours([names[a] for a in dominant[columns]], dict(zip(names, TRACK_PALETTE)))
    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(3, 2, height_ratios=[0.35, 0.35, max(R, 2)], width_ratios=[1, 0.025])
    ax_label, ax_basis, ax = (fig.add_subplot(grid[k, 0]) for k in range(3))
    ax_bar = fig.add_subplot(grid[2, 1])
    _draw_track(ax_label, label_rgb, track_name, vertical=False)
    _draw_track(ax_basis, basis_rgb, "largest metagene", vertical=False)
    image = ax.imshow(shown, aspect="auto", interpolation="nearest", cmap="YlOrRd", vmin=0, vmax=1)
    ax.set_yticks(range(R), names)
    ax.set_ylabel("metagene")
    ax.set_xticks([])
    ax.set_xlabel(f"{M} samples, grouped by {track_name}")
    ax_label.set_title(title)
    fig.colorbar(image, cax=ax_bar, label="share")
    colours_out = {track_name: label_map, "largest metagene": basis_map_}
    _track_legends(fig, colours_out)
    return Heatmap(fig=fig, matrix=shown, rows=np.arange(R), columns=columns,
                   tracks={track_name: label_rgb, "largest metagene": basis_rgb}, colours=colours_out)


def consensus_map(C, tracks=None, *, colours=None, title="Consensus matrix", figsize=(8.4, 8)):
    """The consensus matrix in the order of its average-linkage tree, with the tree above and
    annotation tracks between tree and matrix (after R NMF's consensusmap).

    The tree is average linkage on the distance 1 - C, the one the cophenetic correlation
    scores (consensus.cophenetic_correlation) and the same as R NMF's default (``hclust`` with
    ``method="average"`` on ``1 - C``). ``tracks`` is {name: one label per sample} (for example
    the diagnoses and consensus.consensus_clusters(C, R)); ``colours`` is {name: {label:
    colour}} for any of them. R NMF draws the tree on both sides and adds "basis", "consensus"
    and "silhouette" tracks of its own; here the tree is drawn once, above, and you pass the
    tracks you want (a silhouette is a number, not a label: see readouts.consensus_silhouette).
    """
    C = np.asarray(C, dtype=float)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be a square consensus matrix, got shape {C.shape}")
    M = C.shape[0]
    tracks = dict(tracks or {})
    colours = dict(colours or {})
    for name, labels in tracks.items():
        if len(labels) != M:
            raise ValueError(f"track {name!r} must give one label per sample ({M}), got {len(labels)}")
    D = 1.0 - C
    np.fill_diagonal(D, 0.0)
    Z = linkage(squareform((D + D.T) / 2, checks=False), method="average")
    order = leaves_list(Z)
    shown = C[np.ix_(order, order)]
    n_tracks = len(tracks)
    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(2 + n_tracks, 2, height_ratios=[1.4] + [0.3] * n_tracks + [6],
                            width_ratios=[1, 0.035])
    ax_tree = fig.add_subplot(grid[0, 0])
    dendrogram(Z, ax=ax_tree, no_labels=True, color_threshold=0, above_threshold_color="black")
    ax_tree.set_axis_off()
    ax_tree.set_title(title)
    drawn, legends = {}, {}
    for k, (name, labels) in enumerate(tracks.items()):
        rgb, mapping = track_colours([list(labels)[j] for j in order], colours.get(name))
        _draw_track(fig.add_subplot(grid[1 + k, 0]), rgb, name, vertical=False)
        drawn[name], legends[name] = rgb, mapping
    ax = fig.add_subplot(grid[1 + n_tracks, 0])
    image = ax.imshow(shown, aspect="auto", interpolation="nearest", cmap="YlOrRd", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(f"{M} samples, in the tree's order")
    fig.colorbar(image, cax=fig.add_subplot(grid[1 + n_tracks, 1]), label="fraction of runs together")
    if legends:
        _track_legends(fig, legends)
    return Heatmap(fig=fig, matrix=shown, rows=order, columns=order, tracks=drawn, colours=legends)
