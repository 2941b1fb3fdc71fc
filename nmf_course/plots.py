"""Small plotting helpers the notebooks share."""

from __future__ import annotations

import numpy as np


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
