"""Round the numbers inside a JSON output (a Plotly figure, say) to a number of significant digits.

Two runs of the same notebook on different CPUs or BLAS kernels can differ in the last bits of a float
(``0.1761138343134914`` against ``0.17611383431349134``). Rounding both outputs to the same number of
significant digits before comparing them makes such differences vanish, while a difference a reader
could see still fails. Numbers appear in three forms inside a figure, and all three are rounded:

- JSON numbers (Python ``float``; ``int`` and ``bool`` are exact and left alone);
- Plotly's base64 typed arrays ``{"dtype": "f8", "bdata": "...", "shape": "18, 5"}``, the form
  ``_plotly_utils.utils.to_typed_array_spec`` gives every numpy array: decoded into their values;
- decimal numbers written inside strings (hover texts such as ``"n_units: 0.1761138343134914"``,
  colours such as ``"rgb(8.0, 73.48262560906223, 144.83783802557724)"``).
"""

import base64
import math
import re

import numpy as np

#: Plotly's typed-array codes (``_plotly_utils.utils.plotlyjsShortTypes``), little-endian as plotly.js reads.
TYPED_ARRAY_DTYPES = {
    "i1": "<i1",
    "u1": "<u1",
    "i2": "<i2",
    "u2": "<u2",
    "i4": "<i4",
    "u4": "<u4",
    "f4": "<f4",
    "f8": "<f8",
}

# A number with a fractional part or an exponent; integers inside strings (trial numbers) stay exact.
_DECIMAL_IN_TEXT = re.compile(r"\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+")


def round_significant(value: float, digits: int) -> float | str:
    """Round ``value`` to ``digits`` significant digits.

    Parameters
    ----------
    value : float
        The number.
    digits : int
        Significant digits to keep, at least 1.

    Returns
    -------
    float or str
        The rounded number; ``"NaN"`` for a NaN, so that two NaNs compare equal.
    """
    if digits < 1:
        raise ValueError(f"digits must be at least 1, got {digits}")
    if math.isnan(value):
        return "NaN"
    return float(f"{value:.{digits - 1}e}")


def is_typed_array(value: object) -> bool:
    """Return whether ``value`` is a Plotly typed-array spec (a dict with ``dtype`` and ``bdata``)."""
    if not isinstance(value, dict) or "bdata" not in value:
        return False
    return isinstance(value.get("dtype"), str) and value["dtype"] in TYPED_ARRAY_DTYPES


def decode_typed_array(spec: dict) -> list:
    """Return the values of a Plotly typed-array spec as a (nested, if it has a shape) list.

    Parameters
    ----------
    spec : dict
        ``{"dtype": code, "bdata": base64 text}`` and, for more than one dimension, ``"shape": "n, m"``.

    Returns
    -------
    list
        Python ints or floats.
    """
    values = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=TYPED_ARRAY_DTYPES[spec["dtype"]])
    if "shape" in spec:
        values = values.reshape([int(size) for size in str(spec["shape"]).split(",")])
    return values.tolist()


def round_numbers_in_text(text: str, digits: int) -> str:
    """Rewrite every decimal number written in ``text`` rounded to ``digits`` significant digits."""
    return _DECIMAL_IN_TEXT.sub(lambda match: repr(round_significant(float(match[0]), digits)), text)


def round_numbers_in_json(value: object, digits: int) -> object:
    """Return a copy of the JSON value ``value`` with its numbers rounded to ``digits`` significant digits.

    Typed arrays become ``{"dtype": ..., "shape": ..., "values": [rounded values]}``: two arrays
    compare equal when their type, shape and rounded values do.

    Parameters
    ----------
    value : object
        A JSON value: dict, list, str, int, float, bool or None.
    digits : int
        Significant digits to keep, at least 1.

    Returns
    -------
    object
        The rounded copy; ``value`` itself is not changed.
    """
    if is_typed_array(value):
        rounded = round_numbers_in_json(decode_typed_array(value), digits)
        return {"dtype": value["dtype"], "shape": value.get("shape"), "values": rounded}
    if isinstance(value, dict):
        return {key: round_numbers_in_json(item, digits) for key, item in value.items()}
    if isinstance(value, list):
        return [round_numbers_in_json(item, digits) for item in value]
    if isinstance(value, float):
        return round_significant(value, digits)
    if isinstance(value, str):
        return round_numbers_in_text(value, digits)
    return value
