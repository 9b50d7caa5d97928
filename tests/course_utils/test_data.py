"""The offline data makers: shapes, seeds, and the structure each lesson relies on."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import GroupKFold, KFold, TimeSeriesSplit, cross_val_score

from course_utils import make_patient_data, make_time_series_data


def test_patient_data_has_one_group_id_per_patient_and_the_requested_shape():
    X, y, groups = make_patient_data(n_patients=7, samples_per_patient=3, n_features=4, random_state=0)
    assert X.shape == (21, 4)
    assert y.shape == groups.shape == (21,)
    assert set(np.unique(y)) == {0, 1}
    np.testing.assert_array_equal(np.bincount(groups), np.full(7, 3))


@pytest.mark.parametrize("maker", [make_patient_data, make_time_series_data])
def test_same_seed_gives_identical_data_and_another_seed_differs(maker):
    first, second, other = maker(random_state=3), maker(random_state=3), maker(random_state=4)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])


def test_patient_effect_makes_plain_kfold_clearly_more_optimistic_than_group_kfold():
    X, y, groups = make_patient_data(n_patients=30, samples_per_patient=8, random_state=0)
    model = RandomForestClassifier(n_estimators=50, random_state=0)
    leaky = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=0)).mean()
    honest = cross_val_score(model, X, y, cv=GroupKFold(5), groups=groups).mean()
    assert leaky - honest > 0.15


def test_without_patient_effect_the_group_split_costs_little():
    X, y, groups = make_patient_data(n_patients=30, samples_per_patient=8, patient_effect=0.0, random_state=0)
    model = RandomForestClassifier(n_estimators=50, random_state=0)
    leaky = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=0)).mean()
    honest = cross_val_score(model, X, y, cv=GroupKFold(5), groups=groups).mean()
    assert abs(leaky - honest) < 0.1


def test_time_series_features_are_time_index_and_season_phase():
    X, y = make_time_series_data(n_samples=50, season_length=10, random_state=0)
    assert X.shape == (50, 3) and y.shape == (50,)
    np.testing.assert_array_equal(X[:, 0], np.arange(50))
    np.testing.assert_allclose(X[:, 1] ** 2 + X[:, 2] ** 2, 1.0)


def test_shuffled_kfold_looks_ahead_and_beats_time_series_split_on_drifting_data():
    X, y = make_time_series_data(n_samples=200, random_state=0)
    model = RandomForestRegressor(n_estimators=50, random_state=0)
    look_ahead = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=0)).mean()
    forward = cross_val_score(model, X, y, cv=TimeSeriesSplit(5)).mean()
    assert look_ahead > forward + 0.3


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_patients": 1}, ValueError, "n_patients must be >= 2"),
        ({"samples_per_patient": 2.5}, TypeError, "samples_per_patient must be an integer"),
        ({"n_features": True}, TypeError, "n_features must be an integer"),
        ({"patient_effect": -1}, ValueError, "patient_effect must be >= 0"),
        ({"within_patient_spread": float("nan")}, ValueError, "within_patient_spread must be >= 0"),
    ],
)
def test_patient_data_rejects_bad_arguments_by_name(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_patient_data(**kwargs)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_samples": 1}, ValueError, "n_samples must be >= 2"),
        ({"season_length": "12"}, TypeError, "season_length must be an integer"),
        ({"noise": -0.1}, ValueError, "noise must be >= 0"),
    ],
)
def test_time_series_data_rejects_bad_arguments_by_name(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_time_series_data(**kwargs)
