"""The class list: who is enrolled, under which id in nbgrader and in the LMS.

``roster.csv`` (UTF-8, one row per student, a header row; column order free):

``student_id`` (required)
    The nbgrader student id: the folder name in ``submitted/<student_id>/``; letters, digits, ``_ . -``.
``first_name``, ``last_name``, ``email``
    As in the LMS; the Moodle export identifies students by ``email``.
``canvas_user_id``
    The Canvas user id (a number; the ``ID`` column of a Canvas gradebook export), the number Canvas
    writes into every file name of a submissions download.
``canvas_sis_user_id``, ``canvas_sis_login_id``, ``canvas_section``
    Optional, copied into the Canvas export's ``SIS User ID``, ``SIS Login ID`` and ``Section`` columns.
``moodle_participant_id``
    The number Moodle writes after the student's name in a submissions download (Moodle's
    ``assign::get_uniqueid_for_user``, the "Participant" number of the grading table).

Columns for an LMS the course does not use may be absent or empty.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ROSTER_COLUMNS", "Roster", "RosterStudent", "load_roster"]

ROSTER_COLUMNS = (
    "student_id",
    "first_name",
    "last_name",
    "email",
    "canvas_user_id",
    "canvas_sis_user_id",
    "canvas_sis_login_id",
    "canvas_section",
    "moodle_participant_id",
)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class RosterStudent:
    """One row of the roster (missing columns are empty strings)."""

    student_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    canvas_user_id: str = ""
    canvas_sis_user_id: str = ""
    canvas_sis_login_id: str = ""
    canvas_section: str = ""
    moodle_participant_id: str = ""

    @property
    def full_name(self) -> str:
        """First and last name, as both LMSs show them."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Roster:
    """The students of a course, looked up by nbgrader id or by an LMS id."""

    students: tuple[RosterStudent, ...]

    def by_column(self, column: str, value: str) -> RosterStudent | None:
        """The student whose ``column`` equals ``value`` (None if nobody's does or ``value`` is empty)."""
        if column not in ROSTER_COLUMNS:
            raise KeyError(f"column must be one of {ROSTER_COLUMNS}, got {column!r}")
        if not value:
            return None
        return next((s for s in self.students if getattr(s, column) == value), None)

    @property
    def ids(self) -> list[str]:
        """The nbgrader student ids, in roster order."""
        return [student.student_id for student in self.students]


def load_roster(path: Path) -> Roster:
    """Read ``roster.csv`` (format in the module docstring).

    Raises
    ------
    ValueError
        If ``student_id`` is missing or unsafe, an id appears twice, or a column is unknown.
    """
    path = Path(path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        unknown = sorted(set(reader.fieldnames or []) - set(ROSTER_COLUMNS))
        if "student_id" not in (reader.fieldnames or []):
            raise ValueError(f"{path}: the header must have a 'student_id' column, got {reader.fieldnames}")
        if unknown:
            raise ValueError(f"{path}: unknown columns {unknown}; known: {list(ROSTER_COLUMNS)}")
        students = [
            RosterStudent(**{key: (value or "").strip() for key, value in row.items()}) for row in reader
        ]
    for number, student in enumerate(students, start=2):
        if not _SAFE_ID.match(student.student_id):
            raise ValueError(
                f"{path}:{number}: student_id {student.student_id!r} must be letters, digits, _ . -"
            )
    for column in ("student_id", "canvas_user_id", "moodle_participant_id", "email"):
        values = [getattr(s, column) for s in students if getattr(s, column)]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"{path}: {column} must be unique, repeated: {repeated}")
    return Roster(tuple(students))
