"""Helpers for the course "Model validation and hyperparameter optimization".

The notebooks show each idea inline first and call these helpers for what is
not the lesson: making offline data sets, drawing cross-validation splits,
seeding and timing.
"""

from course_utils.data import make_patient_data, make_time_series_data
from course_utils.plotting import plot_cv_splits
from course_utils.seeding import seed_everything
from course_utils.timing import Stopwatch

__all__ = [
    "Stopwatch",
    "make_patient_data",
    "make_time_series_data",
    "plot_cv_splits",
    "seed_everything",
]
