"""plot_cv_splits draws one row per split, plus class and group rows."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

from course_utils import plot_cv_splits

X = np.zeros((12, 2))
y = np.array([0, 1] * 6)
groups = np.repeat(np.arange(4), 3)


@pytest.mark.parametrize(
    "cv, expected_rows",
    [
        (KFold(3), ["split 0", "split 1", "split 2", "class", "group"]),
        (StratifiedKFold(2), ["split 0", "split 1", "class", "group"]),
        (GroupKFold(4), ["split 0", "split 1", "split 2", "split 3", "class", "group"]),
        (TimeSeriesSplit(2, gap=1), ["split 0", "split 1", "class", "group"]),
    ],
)
def test_one_row_per_split_then_class_and_group_rows(cv, expected_rows):
    ax = plot_cv_splits(cv, X, y, groups)
    assert [label.get_text() for label in ax.get_yticklabels()] == expected_rows
    assert ax.get_title() == type(cv).__name__
    plt.close(ax.figure)


def test_test_samples_are_coloured_differently_from_train_samples():
    ax = plot_cv_splits(KFold(3), X)
    first_split_colors = ax.collections[0].get_facecolors()
    assert len({tuple(c) for c in first_split_colors[:4]}) == 1  # the test fold
    assert tuple(first_split_colors[0]) != tuple(first_split_colors[-1])
    plt.close(ax.figure)


def test_draws_on_the_axes_it_is_given():
    fig, ax = plt.subplots()
    assert plot_cv_splits(KFold(2), X, ax=ax) is ax
    plt.close(fig)


def test_rejects_an_object_that_is_not_a_splitter():
    with pytest.raises(TypeError, match="cv must be a splitter"):
        plot_cv_splits(5, X)


def test_rejects_groups_of_the_wrong_length():
    with pytest.raises(ValueError, match="groups has 3 entries but X has 12 samples"):
        plot_cv_splits(GroupKFold(2), X, groups=[0, 1, 2])
