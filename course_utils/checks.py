"""Turn what an exercise function returned into built-in values before a test compares them.

A test that writes ``assert result == 3`` lets ``result`` decide: ``3 == result`` calls
``result.__eq__`` too, so an object whose ``__eq__`` always returns True passes every such
test. :func:`as_plain` rebuilds the result from Python's own types first; the comparison
that follows is then the built-in one, whatever class the function returned.
"""

import numbers
from collections.abc import Mapping

import numpy as np

__all__ = ["as_plain"]


def as_plain(value: object) -> object:
    """Return ``value`` rebuilt from built-in types: bool, int, float, str, None, list, tuple, dict.

    Parameters
    ----------
    value : object
        A number (Python's or NumPy's), a string, None, or a list, tuple, NumPy array
        or mapping of such values, nested to any depth.

    Returns
    -------
    object
        The same content with every number converted by ``bool``, ``int`` or ``float``,
        every string copied into a plain ``str``, arrays and lists into lists, tuples into
        tuples and mappings into dicts. Subclasses (and their ``__eq__``) are gone.

    Raises
    ------
    TypeError
        If ``value`` holds anything else; the message names its type.

    Examples
    --------
    >>> as_plain({"mean": np.float64(0.5), "folds": np.array([1, 2])})
    {'mean': 0.5, 'folds': [1, 2]}
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return str.__str__(value)  # a plain copy even of a str subclass (str() may return the subclass)
    if isinstance(value, np.ndarray):
        return as_plain(value.tolist())
    if isinstance(value, tuple):
        return tuple(as_plain(item) for item in value)
    if isinstance(value, list):
        return [as_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {as_plain(key): as_plain(item) for key, item in value.items()}
    raise TypeError(
        f"expected numbers, strings, or lists, tuples, arrays or dicts of them, got {type(value).__name__}"
    )
