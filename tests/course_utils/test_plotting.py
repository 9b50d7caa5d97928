"""plot_cv_splits draws one row per split, plus class and group rows, with a legend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

from course_utils import plot_cv_splits
from course_utils.plotting import CLASS_COLORS, GROUP_COLORS, category_colors

X = np.zeros((12, 2))
y = np.array([0, 1] * 6)
groups = np.repeat(np.arange(4), 3)


def legend_labels(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


@pytest.mark.parametrize(
    "cv, expected_rows",
    [
        (KFold(3), ["split 1", "split 2", "split 3", "class", "group"]),
        (StratifiedKFold(2), ["split 1", "split 2", "class", "group"]),
        (GroupKFold(4), ["split 1", "split 2", "split 3", "split 4", "class", "group"]),
        (TimeSeriesSplit(2, gap=1), ["split 1", "split 2", "class", "group"]),
    ],
)
def test_one_row_per_split_numbered_from_one_then_class_and_group_rows(cv, expected_rows):
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


@pytest.mark.parametrize("cv, has_unused", [(KFold(3), False), (TimeSeriesSplit(2, gap=1), True)])
def test_legend_names_unused_samples_only_when_a_split_leaves_some_out(cv, has_unused):
    ax = plot_cv_splits(cv, X)
    assert legend_labels(ax)[:2] == ["train", "test"]
    assert ("unused" in legend_labels(ax)) is has_unused
    plt.close(ax.figure)


def test_legend_names_each_class_with_the_colour_of_its_row():
    labels = np.array(["b", "a", "c"] * 4)
    ax = plot_cv_splits(KFold(2), X, labels)
    assert legend_labels(ax) == ["train", "test", "class a", "class b", "class c"]
    class_row = [to_hex(color) for color in ax.collections[-1].get_facecolors()]
    assert class_row[:3] == [CLASS_COLORS[1], CLASS_COLORS[0], CLASS_COLORS[2]]
    plt.close(ax.figure)


def test_twenty_groups_get_twenty_distinct_colours():
    assert len(set(category_colors(np.arange(20), GROUP_COLORS))) == 20


def test_neighbouring_groups_never_share_a_colour_even_past_twenty_groups():
    colors = category_colors(np.repeat(np.arange(45), 2), GROUP_COLORS)[::2]
    assert all(first != second for first, second in zip(colors, colors[1:]))


def test_colours_follow_the_sorted_values_not_their_order_of_appearance():
    assert category_colors(np.array([30, 10, 20, 10]), ["r", "g", "b"]) == ["b", "r", "g", "r"]


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
