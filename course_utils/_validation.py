"""Argument checks shared by the helpers, with messages that name the argument."""

from numbers import Integral, Real


def check_int(name: str, value: object, *, minimum: int) -> int:
    """Return ``value`` if it is an integer >= ``minimum``, else raise.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    value : object
        The value to check. Booleans are rejected.
    minimum : int
        The smallest accepted value.

    Returns
    -------
    int
        ``value`` as a Python int.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_non_negative_float(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a real number >= 0, else raise.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    value : object
        The value to check. Booleans are rejected.

    Returns
    -------
    float
        ``value`` as a Python float.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not value >= 0:  # also rejects NaN
        raise ValueError(f"{name} must be >= 0, got {value}")
    return float(value)
