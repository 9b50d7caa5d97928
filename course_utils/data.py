"""Offline data sets whose structure makes a validation lesson visible.

Nothing here downloads: every data set is generated from a seed.
"""

import numpy as np
from sklearn.utils import check_random_state

from course_utils._validation import check_int, check_non_negative_float


def make_patient_data(
    n_patients: int = 40,
    samples_per_patient: int = 10,
    n_features: int = 5,
    *,
    patient_effect: float = 2.0,
    feature_signal: float = 1.0,
    within_patient_spread: float = 0.3,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Make a binary classification data set of repeated measurements per patient.

    Each patient has a position in feature space (a "signature") shared by
    all their measurements, and a hidden risk shared by all their labels. The
    hidden risk is not a function of the features, so it generalizes to no
    new patient; a model can only learn it by recognising patients it has
    already seen. Cross-validation that puts one patient in both train and
    test therefore reports a score that new patients will not get.

    Parameters
    ----------
    n_patients : int, default=40
        Number of patients (groups), at least 2.
    samples_per_patient : int, default=10
        Number of measurements per patient, at least 1.
    n_features : int, default=5
        Number of features, at least 1. Only the first carries signal that
        generalizes to new patients.
    patient_effect : float, default=2.0
        Strength of the hidden per-patient risk. 0 makes the measurements of
        one patient independent given the features.
    feature_signal : float, default=1.0
        Weight of the first feature in the label, the part a model can
        transfer to new patients.
    within_patient_spread : float, default=0.3
        Standard deviation of a measurement around its patient's signature.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible data.

    Returns
    -------
    X : ndarray of shape (n_patients * samples_per_patient, n_features)
        The measurements.
    y : ndarray of shape (n_patients * samples_per_patient,)
        Labels 0 and 1.
    groups : ndarray of shape (n_patients * samples_per_patient,)
        The patient id of each measurement, 0 to ``n_patients - 1``.
    """
    n_patients = check_int("n_patients", n_patients, minimum=2)
    samples_per_patient = check_int("samples_per_patient", samples_per_patient, minimum=1)
    n_features = check_int("n_features", n_features, minimum=1)
    patient_effect = check_non_negative_float("patient_effect", patient_effect)
    feature_signal = check_non_negative_float("feature_signal", feature_signal)
    within_patient_spread = check_non_negative_float("within_patient_spread", within_patient_spread)
    rng = check_random_state(random_state)

    groups = np.repeat(np.arange(n_patients), samples_per_patient)
    signatures = rng.normal(size=(n_patients, n_features))
    hidden_risk = rng.normal(size=n_patients)

    X = signatures[groups] + rng.normal(scale=within_patient_spread, size=(groups.size, n_features))
    logit = feature_signal * X[:, 0] + patient_effect * hidden_risk[groups]
    y = (logit + rng.normal(scale=0.5, size=groups.size) > 0).astype(int)
    return X, y, groups


def make_time_series_data(
    n_samples: int = 300,
    *,
    season_length: int = 25,
    drift_scale: float = 1.0,
    noise: float = 0.5,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Make a regression problem ordered in time, with a drifting level.

    The target is a random walk (the drift) plus a seasonal wave plus noise.
    The features are the time index and the season's sine and cosine, so a
    flexible model fitted on shuffled samples can interpolate the drift from
    neighbouring time points in the *future*, which a real forecast never can.

    Parameters
    ----------
    n_samples : int, default=300
        Number of time points, at least 2.
    season_length : int, default=25
        Period of the seasonal wave, in time steps, at least 2.
    drift_scale : float, default=1.0
        Standard deviation of one step of the random walk.
    noise : float, default=0.5
        Standard deviation of the observation noise.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible data.

    Returns
    -------
    X : ndarray of shape (n_samples, 3)
        Columns: time index, sin and cos of the season's phase.
    y : ndarray of shape (n_samples,)
        The target, in time order.
    """
    n_samples = check_int("n_samples", n_samples, minimum=2)
    season_length = check_int("season_length", season_length, minimum=2)
    drift_scale = check_non_negative_float("drift_scale", drift_scale)
    noise = check_non_negative_float("noise", noise)
    rng = check_random_state(random_state)

    time = np.arange(n_samples)
    phase = 2 * np.pi * time / season_length
    drift = np.cumsum(rng.normal(scale=drift_scale, size=n_samples))
    y = drift + 3.0 * np.sin(phase) + rng.normal(scale=noise, size=n_samples)
    X = np.column_stack([time, np.sin(phase), np.cos(phase)])
    return X, y
