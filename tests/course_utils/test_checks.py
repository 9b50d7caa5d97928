"""as_plain rebuilds returned values from built-in types, so that == cannot be faked."""

import numpy as np
import pytest

from course_utils.checks import as_plain


class EqualToEverything(float):
    """0.5, but == anything is True and != anything is False."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = float.__hash__


class NameEqualToEverything(str):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


def test_equal_to_everything_number_becomes_its_float_value() -> None:
    fake = EqualToEverything(0.5)
    assert fake == 0.7
    plain = as_plain(fake)
    assert type(plain) is float
    assert plain != 0.7 and plain == 0.5


def test_equal_to_everything_string_becomes_a_plain_str() -> None:
    plain = as_plain(NameEqualToEverything("x"))
    assert type(plain) is str
    assert plain != "y" and plain == "x"


def test_numpy_scalars_and_arrays_become_built_in_values() -> None:
    plain = as_plain((np.int64(3), np.float32(0.25), np.bool_(True), np.str_("a"), np.array([[1, 2]])))
    assert plain == (3, 0.25, True, "a", [[1, 2]])
    assert [type(item) for item in plain] == [int, float, bool, str, list]


def test_mappings_are_rebuilt_with_plain_keys_and_values() -> None:
    plain = as_plain({NameEqualToEverything("x"): [EqualToEverything(1.0)]})
    assert plain == {"x": [1.0]}
    assert type(next(iter(plain))) is str and type(plain["x"][0]) is float


@pytest.mark.parametrize("value", [object(), {1, 2}, (v for v in [1])])
def test_other_objects_are_rejected_with_their_type(value: object) -> None:
    with pytest.raises(TypeError, match=type(value).__name__):
        as_plain(value)
