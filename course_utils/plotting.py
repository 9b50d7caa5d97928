"""Pictures of how a cross-validation splitter divides a data set."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import Patch

TRAIN_COLOR = "#4c72b0"
TEST_COLOR = "#dd8452"
UNUSED_COLOR = "#e5e5e5"
# Ten dark hues, then their ten light partners: neighbouring codes always differ in hue.
_TAB20 = plt.get_cmap("tab20").colors
GROUP_COLORS = [to_hex(color) for color in _TAB20[0::2] + _TAB20[1::2]]
# Dark2 without its orange, which would look like the test colour.
CLASS_COLORS = [to_hex(color) for k, color in enumerate(plt.get_cmap("Dark2").colors) if k != 1]


def category_colors(values: np.ndarray, palette: list[str]) -> list[str]:
    """Give every distinct value a colour of ``palette``, in sorted order, cycling when there are more values.

    Parameters
    ----------
    values : array-like of shape (n_samples,)
        Labels of any sortable type (classes, group ids).
    palette : list of str
        The colours to use, in order.

    Returns
    -------
    colors : list of str
        One colour per sample. The k-th smallest value gets ``palette[k % len(palette)]``, so
        values that are neighbours in sorted order never share a colour, and all values share
        none while there are at most ``len(palette)`` of them.
    """
    _, codes = np.unique(np.asarray(values), return_inverse=True)
    return [palette[code % len(palette)] for code in codes.ravel()]


def plot_cv_splits(
    cv: object,
    X: np.ndarray,
    y: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    *,
    ax: Axes | None = None,
) -> Axes:
    """Draw the train and test indices of every split of ``cv``, one row per split.

    The rows are named "split 1" to "split K". Samples that a split leaves out of both sets
    (as ``TimeSeriesSplit`` does with ``gap``) are drawn in light grey. If given, the class
    labels and the groups are drawn as two extra rows below the splits. Each class has its
    own colour (named in the legend, up to 7 classes); the groups get 20 distinct colours
    that repeat every 20 groups, so two groups next to each other in sorted order never
    share a colour.

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

    any_unused = False
    for split_index, (train, test) in enumerate(splits):
        role = np.full(n_samples, UNUSED_COLOR, dtype=object)
        role[train] = TRAIN_COLOR
        role[test] = TEST_COLOR
        any_unused = any_unused or len(train) + len(test) < n_samples
        ax.scatter(np.arange(n_samples), np.full(n_samples, split_index), c=list(role), marker="_", lw=10)

    labels = [f"split {i}" for i in range(1, len(splits) + 1)]
    handles = [Patch(color=TRAIN_COLOR, label="train"), Patch(color=TEST_COLOR, label="test")]
    if any_unused:
        handles.append(Patch(color=UNUSED_COLOR, label="unused"))
    for name, values, palette in (("class", y, CLASS_COLORS), ("group", groups, GROUP_COLORS)):
        if values is not None:
            ax.scatter(np.arange(n_samples), np.full(n_samples, len(labels)), c=category_colors(values, palette),
                       marker="_", lw=10)
            labels.append(name)
    if y is not None and np.unique(y).size <= len(CLASS_COLORS):
        handles += [Patch(color=CLASS_COLORS[k], label=f"class {value}") for k, value in enumerate(np.unique(y))]

    ax.set_yticks(np.arange(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(-0.5, n_samples - 0.5)
    ax.set_xlabel("sample index")
    ax.set_title(type(cv).__name__)
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax
