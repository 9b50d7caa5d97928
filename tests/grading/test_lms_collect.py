"""``make collect`` on a Canvas and a Moodle download built here from the release and the answer files.

Each zip names its files as the LMS does (course_grading/lms/canvas.py, moodle.py) and holds broken
entries: a name in neither scheme, a non-notebook, a student not on the roster, two notebooks from
one student; one roster student sends nothing. The real ``nbgrader zip_collect`` runs with the
project's plugins; the tests assert what lands in ``submitted/`` and what the report says.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest

from course_grading.gradebook.grade import new_course
from course_grading.lms.collect import collect_zip
from course_grading.handout.release import REPO_ROOT
from course_grading.intake.submissions import answer_cells, cell_sources, load_answer_set, make_submission

ASSIGNMENT = "01_cross_validation"
ANSWERS = REPO_ROOT / "tests" / "grading" / "answers" / ASSIGNMENT
NOTEBOOK = "cross_validation.ipynb"
ROSTER = """student_id,first_name,last_name,email,canvas_user_id,moodle_participant_id
ada,Ada,Lovelace,ada@example.org,101,5001
bob,Bob,Babbage,bob@example.org,102,5002
grace,Grace,Hopper,grace@example.org,103,5003
dora,Dora,Silent,dora@example.org,104,5004
"""


def notebook_bytes(kind: str) -> bytes:
    """A submission of assignment 01 as a student would upload it: solution, a wrong answer, or untouched."""
    release = REPO_ROOT / "exercises" / ASSIGNMENT / NOTEBOOK
    source = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answers = cell_sources(source, answer_cells(source)) if kind != "untouched" else {}
    if kind == "wrong":
        answers.update(load_answer_set(ANSWERS / "wrong_ignores_gap.py").cells)
    return nbformat.writes(make_submission(release, answers)).encode()


def write_zip(path: Path, entries: list[tuple[str, bytes, tuple[int, ...]]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, when in entries:
            archive.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return path


@pytest.fixture
def course(tmp_path: Path) -> Path:
    course_dir = new_course(tmp_path / "course", [ASSIGNMENT])
    (course_dir / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return course_dir


NOON = (2026, 11, 30, 12, 0, 0)
GRACE_LATER = (2026, 11, 29, 11, 0, 0)
SOLUTION, WRONG, UNTOUCHED = notebook_bytes("solution"), notebook_bytes("wrong"), notebook_bytes("untouched")


def canvas_zip(path: Path, ada_notebook: bytes = SOLUTION) -> Path:
    """Canvas's names: <sortable name>[_late]_<user id>_<attachment id>_<file name>, lower-cased prefix."""
    return write_zip(
        path,
        [
            (f"lovelaceada_101_9001_{NOTEBOOK}", ada_notebook, NOON),
            ("lovelaceada_101_9002_notes.txt", b"my notes\n", NOON),
            ("babbagebob_late_102_9003_cross_validation-1.ipynb", WRONG, NOON),
            (f"hoppergrace_103_9004_{NOTEBOOK}", SOLUTION, NOON),
            ("hoppergrace_103_9005_scratch.ipynb", UNTOUCHED, NOON),
            (f"intrudereve_999_9006_{NOTEBOOK}", SOLUTION, NOON),
            ("cross_validation_final.ipynb", SOLUTION, NOON),
        ],
    )


def test_canvas_download_lands_in_submitted_and_every_unmatched_file_is_reported(course: Path) -> None:
    report = collect_zip(course, canvas_zip(course / "course-01 submissions.zip"), course / "roster.csv")

    assert (report.lms, report.assignment) == ("canvas", ASSIGNMENT)  # both read from the names
    submitted = course / "submitted"
    assert (submitted / "ada" / ASSIGNMENT / NOTEBOOK).read_bytes() == SOLUTION
    assert (submitted / "bob" / ASSIGNMENT / NOTEBOOK).read_bytes() == WRONG
    assert (submitted / "grace" / ASSIGNMENT / NOTEBOOK).read_bytes() == SOLUTION
    assert sorted(p.name for p in submitted.iterdir()) == ["ada", "bob", "grace"]
    assert sorted(p.name for p in (submitted / "grace" / ASSIGNMENT).iterdir()) == [NOTEBOOK]
    assert not list(submitted.glob("*/*/timestamp.txt"))  # Canvas's download carries no submission time

    by_kind = {kind: report.kinds(kind) for kind in ("no_scheme", "not_on_roster", "not_notebook", "no_file")}
    assert [Path(p.path).name for p in by_kind["no_scheme"]] == ["cross_validation_final.ipynb"]
    assert "canvas_user_id 999 (intrudereve)" in by_kind["not_on_roster"][0].message
    assert [(p.student, Path(p.path).name) for p in by_kind["not_notebook"]] == [
        ("ada", "lovelaceada_101_9002_notes.txt")
    ]
    assert [p.student for p in by_kind["no_file"]] == ["dora"]
    (several,) = report.kinds("several_notebooks")
    assert several.student == "grace" and "hoppergrace_103_9005_scratch.ipynb" in several.message
    assert [p.student for p in report.kinds("late")] == ["bob"]
    assert [(p.student, Path(p.path).name) for p in report.kinds("renamed")] == [
        ("bob", "babbagebob_late_102_9003_cross_validation-1.ipynb")
    ]
    assert {p.kind for p in report.problems} == {*by_kind, "several_notebooks", "late", "renamed"}

    # Nothing of the download is lost: the zip and every one of its files stay in the run folder.
    extracted = {p.name for p in (report.run_dir / "extracted").rglob("*") if p.is_file()}
    with zipfile.ZipFile(report.run_dir / "archive" / "course-01 submissions.zip") as archive:
        assert extracted == {info.filename for info in archive.infolist()}
    lines = (report.run_dir / "intake_report.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "kind,student,path,message" and len(lines) == 1 + len(report.problems)


def test_canvas_resubmission_is_graded_and_the_earlier_one_kept_in_history(course: Path) -> None:
    collect_zip(course, canvas_zip(course / "first.zip", ada_notebook=UNTOUCHED), course / "roster.csv")
    second_zip = canvas_zip(course / "second.zip", ada_notebook=SOLUTION)
    second = collect_zip(course, second_zip, course / "roster.csv")

    assert (course / "submitted" / "ada" / ASSIGNMENT / NOTEBOOK).read_bytes() == SOLUTION
    (resubmission,) = second.kinds("resubmission")
    assert resubmission.student == "ada"
    assert (course / resubmission.path / NOTEBOOK).read_bytes() == UNTOUCHED
    # The others sent the same files again: nothing to keep, nothing moved.
    assert sorted(p.name for p in (course / "submitted_history").iterdir()) == ["ada"]


def test_moodle_download_keeps_upload_times_and_reports_what_it_cannot_match(course: Path) -> None:
    folder = "{}_{}_assignsubmission_file"
    zip_path = write_zip(
        course / "MVHPO-Cross validation-42.zip",
        [
            (f"{folder.format('Ada Lovelace', 5001)}/{NOTEBOOK}", SOLUTION, (2026, 11, 30, 14, 5, 0)),
            (f"{folder.format('Ada Lovelace', 5001)}/notes.pdf", b"%PDF-1.4\n", (2026, 11, 30, 14, 6, 0)),
            (f"{folder.format('Bob Babbage', 5002)}_{NOTEBOOK}", WRONG, (2026, 12, 1, 9, 30, 0)),
            (f"{folder.format('Grace Hopper', 5003)}/{NOTEBOOK}", SOLUTION, (2026, 11, 29, 10, 0, 0)),
            (f"{folder.format('Grace Hopper', 5003)}/cross_validation (1).ipynb", WRONG, GRACE_LATER),
            (f"{folder.format('Eve Intruder', 5999)}/{NOTEBOOK}", SOLUTION, NOON),
            ("Submission summary.ipynb", SOLUTION, NOON),
        ],
    )
    report = collect_zip(course, zip_path, course / "roster.csv", zip_timezone="Europe/Berlin")

    assert report.lms == "moodle"
    submitted = course / "submitted"
    assert (submitted / "ada" / ASSIGNMENT / NOTEBOOK).read_bytes() == SOLUTION
    assert (submitted / "bob" / ASSIGNMENT / NOTEBOOK).read_bytes() == WRONG  # the flat naming too
    # Of Grace's two notebooks the one named like the release is graded, though the other is newer.
    assert (submitted / "grace" / ASSIGNMENT / NOTEBOOK).read_bytes() == SOLUTION
    # The zip's times are Berlin time (UTC+1 in winter); nbgrader's timestamp.txt is in UTC.
    assert (submitted / "ada" / ASSIGNMENT / "timestamp.txt").read_text() == "2026-11-30 13:05:00"
    assert (submitted / "bob" / ASSIGNMENT / "timestamp.txt").read_text() == "2026-12-01 08:30:00"

    assert [Path(p.path).name for p in report.kinds("no_scheme")] == ["Submission summary.ipynb"]
    assert "moodle_participant_id 5999 (Eve Intruder)" in report.kinds("not_on_roster")[0].message
    assert [(p.student, Path(p.path).name) for p in report.kinds("not_notebook")] == [("ada", "notes.pdf")]
    assert [p.student for p in report.kinds("no_file")] == ["dora"]
    (several,) = report.kinds("several_notebooks")
    assert several.student == "grace" and "cross_validation (1).ipynb" in several.message
    assert not report.kinds("late") and not report.kinds("renamed")
