"""Small plotting helpers the notebooks share."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

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
