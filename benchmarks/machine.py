"""Where and when a benchmark ran: cores, CPU model, load, Python and library versions."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
from importlib import metadata

#: Distributions whose versions the report records.
LIBRARIES = (
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "optuna",
    "optuna-integration",
    "torch",
    "jupyterlab",
    "nbclient",
    "nbconvert",
    "nbgrader",
    "ipykernel",
)


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, else what :mod:`platform` knows.

    Returns
    -------
    str
        For example ``"AMD EPYC"``; ``"unknown"`` if nothing says.
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def load_average() -> list[float] | None:
    """Return the 1, 5 and 15 minute load averages, or None where the OS has none.

    Returns
    -------
    list of float or None
        ``[load_1min, load_5min, load_15min]``, rounded to 2 decimals.
    """
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Return the installed version of each distribution, ``"not installed"`` if missing.

    Parameters
    ----------
    names : tuple of str, default=LIBRARIES
        Distribution names as pip spells them.

    Returns
    -------
    dict of str to str
        Name to version.
    """
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def describe_machine() -> dict[str, object]:
    """Return the facts the report starts with.

    Returns
    -------
    dict
        ``date`` (UTC, ISO 8601), ``cores`` (:func:`os.cpu_count`), ``cpu_model``,
        ``platform``, ``python``, ``load_average`` and ``libraries``.
    """
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "cores": os.cpu_count(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "load_average": load_average(),
        "libraries": library_versions(),
    }
