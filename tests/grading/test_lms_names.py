"""The LMS file-name schemes and the roster, without nbgrader: each collector reads what its LMS writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_grading.lms.canvas import CanvasCollector
from course_grading.lms.intake import LmsFile
from course_grading.lms.moodle import MoodleCollector
from course_grading.lms.roster import load_roster


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lovelaceada_101_9001_cv.ipynb", ("101", "lovelaceada", "cv.ipynb", False)),
        ("lovelaceada_late_101_9001_cv_2.ipynb", ("101", "lovelaceada", "cv_2.ipynb", True)),
        ("late_101_9001_my_notebook.ipynb", ("101", "(anonymous)", "my_notebook.ipynb", True)),  # anonymous
        ("101_9001_my notebook (2).ipynb", ("101", "(anonymous)", "my notebook (2).ipynb", False)),
    ],
)
def test_canvas_names_give_user_id_name_file_and_late_mark(name: str, expected: tuple) -> None:
    parsed = CanvasCollector().parse_name(Path("/extracted/download") / name)
    assert (parsed.lms_id, parsed.lms_name, parsed.file_name, parsed.late) == expected
    assert parsed.order == "9001".zfill(20)


@pytest.mark.parametrize(
    "name", ["cross_validation.ipynb", "lovelaceada_cross_validation.ipynb", "lovelaceada_101_notes.ipynb"]
)
def test_names_outside_canvas_scheme_are_not_parsed(name: str) -> None:
    assert CanvasCollector().parse_name(Path(name)) is None


@pytest.mark.parametrize(
    "path",
    [
        "Ada Lovelace_5001_assignsubmission_file/cross_validation.ipynb",  # "in folders" (Moodle >= 3.1)
        "Ada Lovelace_5001_assignsubmission_file_cross_validation.ipynb",  # one flat folder
    ],
)
def test_moodle_names_give_participant_id_name_and_file_in_both_layouts(path: str) -> None:
    parsed = MoodleCollector().parse_name(Path("/extracted/download") / path)
    # Outside nbgrader zip_collect there is no TimestampedExtractor, hence no time to order by.
    assert parsed == LmsFile("5001", "Ada Lovelace", "cross_validation.ipynb", order="")


def test_moodle_blind_marking_names_are_parsed_as_participants() -> None:
    parsed = MoodleCollector().parse_name(Path("Participant_5001_assignsubmission_file/cv.ipynb"))
    assert (parsed.lms_id, parsed.lms_name) == ("5001", "Participant")


def test_roster_rejects_a_missing_student_id_column_and_repeated_lms_ids(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("first_name,email\nAda,ada@example.org\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'student_id' column"):
        load_roster(roster)
    roster.write_text("student_id,canvas_user_id\nada,101\nbob,101\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"canvas_user_id must be unique, repeated: \['101'\]"):
        load_roster(roster)
    roster.write_text("student_id,canvas_user_id\nada,101\nbob,\n", encoding="utf-8")
    loaded = load_roster(roster)
    assert loaded.by_column("canvas_user_id", "101").student_id == "ada"
    assert loaded.by_column("canvas_user_id", "") is None  # an empty LMS id matches nobody
