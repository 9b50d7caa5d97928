"""Pictures of how a cross-validation splitter divides a data set."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

TRAIN_COLOR = "#4c72b0"
TEST_COLOR = "#dd8452"
UNUSED_COLOR = "#e5e5e5"


def plot_cv_splits(
    cv: object,
    X: np.ndarray,
    y: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    *,
    ax: Axes | None = None,
) -> Axes:
    """Draw the train and test indices of every split of ``cv``, one row per split.

    Samples that a split leaves out of both sets (as ``TimeSeriesSplit``
    does with ``gap``) are drawn in light grey. If given, the class labels
    and the groups are drawn as two extra rows below the splits.

    Parameters
    ----------
    cv : cross-validation splitter
        Any object with a ``split(X, y, groups)`` method, such as
        ``KFold(5)`` or ``GroupKFold(4)``.
    X : array-like of shape (n_samples, ...)
        The data; only its length is used.
    y : array-like of shape (n_samples,), default=None
        Labels, passed to ``cv.split`` and drawn as a row.
    groups : array-like of shape (n_samples,), default=None
        Group labels, passed to ``cv.split`` and drawn as a row.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure is made if None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on, with the splitter's name as its title.
    """
    if not callable(getattr(cv, "split", None)):
        raise TypeError(f"cv must be a splitter with a split() method, got {type(cv).__name__}")
    n_samples = len(X)
    for name, values in (("y", y), ("groups", groups)):
        if values is not None and len(values) != n_samples:
            raise ValueError(f"{name} has {len(values)} entries but X has {n_samples} samples")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))

    with warnings.catch_warnings():
        # Splitters that ignore groups (KFold...) warn; drawing the group row
        # beside their splits is exactly how we show that they ignore them.
        warnings.filterwarnings("ignore", message="The groups parameter is ignored")
        splits = list(cv.split(X, y, groups))

    for split_index, (train, test) in enumerate(splits):
        role = np.full(n_samples, UNUSED_COLOR, dtype=object)
        role[train] = TRAIN_COLOR
        role[test] = TEST_COLOR
        ax.scatter(np.arange(n_samples), np.full(n_samples, split_index), c=list(role), marker="_", lw=10)

    labels = [f"split {i}" for i in range(len(splits))]
    for name, values in (("class", y), ("group", groups)):
        if values is not None:
            _, codes = np.unique(values, return_inverse=True)
            ax.scatter(np.arange(n_samples), np.full(n_samples, len(labels)), c=codes, cmap="tab20", marker="_", lw=10)
            labels.append(name)

    ax.set_yticks(np.arange(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(-0.5, n_samples - 0.5)
    ax.set_xlabel("sample index")
    ax.set_title(type(cv).__name__)
    ax.legend(
        handles=[Patch(color=TRAIN_COLOR, label="train"), Patch(color=TEST_COLOR, label="test")],
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
    )
    return ax
