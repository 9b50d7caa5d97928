"""Numbers inside JSON outputs compare equal after rounding exactly when they agree to the stated digits."""

import base64
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from tests.reproducibility.nbval_plugin import SIGNIFICANT_DIGITS
from tests.reproducibility.rounding import (
    decode_typed_array,
    is_typed_array,
    round_numbers_in_json,
    round_numbers_in_text,
    round_significant,
)

IMPORTANCE = 0.17611383431349134  # a stored Plotly importance of lecture 07


def figure_json(values: np.ndarray, title: str = "importances") -> dict:
    """The JSON the kernel sends for a bar figure of ``values`` (plotly's own mimetype renderer)."""
    figure = go.Figure(go.Bar(x=values, y=["lr", "n_layers", "n_units"][: len(values)]))
    figure.update_layout(title=title)
    bundle = pio.renderers["plotly_mimetype"].to_mimebundle(figure.to_dict())
    return bundle["application/vnd.plotly.v1+json"]


def rounded(value: object) -> object:
    """``value`` as the course's nbval extension compares it."""
    return round_numbers_in_json(value, SIGNIFICANT_DIGITS)


def differ_in_digit(value: float, digit: int) -> float:
    """Return ``value`` changed by one unit of its ``digit``-th significant digit."""
    return value + 10.0 ** (math.floor(math.log10(abs(value))) - digit + 1)


def test_round_significant_keeps_the_stated_number_of_digits():
    assert round_significant(IMPORTANCE, 6) == 0.176114
    assert round_significant(-123456789.0, 3) == -123000000.0
    assert round_significant(2.46e-12, 2) == 2.5e-12


def test_round_significant_makes_nans_equal_and_rejects_zero_digits():
    assert round_significant(float("nan"), 6) == round_significant(float("nan"), 6)
    with pytest.raises(ValueError, match="digits"):
        round_significant(1.0, 0)


def test_plotly_encodes_numpy_arrays_as_typed_arrays_the_rounding_recognizes():
    bar = figure_json(np.array([0.42, 0.40, IMPORTANCE]))["data"][0]
    assert is_typed_array(bar["x"])
    assert decode_typed_array(bar["x"]) == [0.42, 0.40, IMPORTANCE]


def test_decode_typed_array_restores_the_shape_and_integer_types():
    grid = np.arange(6, dtype=np.int16).reshape(2, 3)
    spec = {"dtype": "i2", "bdata": base64.b64encode(grid.tobytes()).decode(), "shape": "2, 3"}
    assert decode_typed_array(spec) == [[0, 1, 2], [3, 4, 5]]


def test_figures_differing_in_the_15th_significant_digit_compare_equal():
    values = np.array([0.42, 0.40, IMPORTANCE])
    stored = figure_json(values)
    fresh = figure_json(np.array([differ_in_digit(v, 15) for v in values]))
    assert stored != fresh
    assert rounded(stored) == rounded(fresh)


@pytest.mark.parametrize("digit", [2, 4, SIGNIFICANT_DIGITS])
def test_figures_differing_in_a_digit_a_reader_sees_compare_different(digit):
    values = np.array([0.42, 0.40, IMPORTANCE])
    stored = figure_json(values)
    fresh = figure_json(np.array([0.42, 0.40, differ_in_digit(IMPORTANCE, digit)]))
    assert rounded(stored) != rounded(fresh)


def test_plain_json_numbers_and_numbers_in_hover_texts_are_rounded_too():
    stored = {"x": [IMPORTANCE], "hovertemplate": f"n_units: {IMPORTANCE}<extra></extra>"}
    fresh = {"x": [0.1761138343134914], "hovertemplate": "n_units: 0.1761138343134914<extra></extra>"}
    assert rounded(stored) == rounded(fresh)
    assert round_numbers_in_text("rgb(8.0, 73.48262560906223, 144.8)", 6) == "rgb(8.0, 73.4826, 144.8)"


def test_integers_stay_exact_in_json_and_in_text():
    assert round_numbers_in_json({"trial": 1234567, "ok": True, "none": None}, 3) == {
        "trial": 1234567,
        "ok": True,
        "none": None,
    }
    assert round_numbers_in_text("Trial #1234567", 3) == "Trial #1234567"


@pytest.mark.parametrize(
    "change",
    [
        lambda figure: figure["layout"].update(title={"text": "durations"}),
        lambda figure: figure["data"][0].update(type="scatter"),
        lambda figure: figure["data"][0]["y"].reverse(),
    ],
    ids=["title", "trace type", "category order"],
)
def test_non_numeric_differences_still_compare_different(change):
    values = np.array([0.42, 0.40, IMPORTANCE])
    stored, fresh = figure_json(values), figure_json(values)
    change(fresh)
    assert rounded(stored) != rounded(fresh)


def test_a_typed_array_of_another_type_or_shape_compares_different():
    floats = np.array([1.0, 2.0, 3.0, 4.0])
    as_f8 = {"dtype": "f8", "bdata": base64.b64encode(floats.tobytes()).decode()}
    as_2x2 = {**as_f8, "shape": "2, 2"}
    as_f4 = {"dtype": "f4", "bdata": base64.b64encode(floats.astype(np.float32).tobytes()).decode()}
    assert rounded(as_f8) != rounded(as_2x2)
    assert rounded(as_f8) != rounded(as_f4)


def test_rounding_leaves_its_input_unchanged():
    stored = figure_json(np.array([IMPORTANCE]))
    before = repr(stored)
    round_numbers_in_json(stored, 3)
    assert repr(stored) == before
