"""Helpers for the course "Model validation and hyperparameter optimization".

The notebooks show each idea inline first and call these helpers for what is
not the lesson: making offline data sets, drawing cross-validation splits,
seeding and timing.
"""

import importlib

# Imported on first use (PEP 562), so that `python -m course_utils.<worker>`
# processes load only what they need, not scikit-learn and Matplotlib: each
# worker process starts seconds sooner.
_EXPORTS = {
    "Stopwatch": "course_utils.timing",
    "make_patient_data": "course_utils.data",
    "make_time_series_data": "course_utils.data",
    "plot_cv_splits": "course_utils.plotting",
    "seed_everything": "course_utils.seeding",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
