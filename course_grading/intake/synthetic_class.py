"""A synthetic class: correct, wrong and broken submissions for every assignment.

:func:`make_class` fills ``<course_dir>/submitted/<student>/<assignment>/`` with ``n_students``
submissions per assignment, cycling through

- ``solution``: the instructor's answers, and ``untouched``: the release as students get it;
- every answer file of ``tests/grading/answers/<assignment>/`` (correct and wrong answers,
  see :mod:`course_grading.intake.submissions`), built with ``make_submission``;
- broken submissions (:data:`BROKEN_KINDS`): a syntax error, a kernel that exits, a notebook
  that is not JSON, a missing notebook.

The grading tests (tests/grading/test_class_grading.py) and ``make bench`` (serial
``nbgrader autograde`` against :func:`course_grading.gradebook.batch.grade_class`) use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_grading.gradebook.grade import new_course
from course_grading.handout.release import REPO_ROOT, SOURCE_DIRECTORY, assignment_notebook
from course_grading.intake.submissions import (
    answer_cells,
    cell_sources,
    load_answer_sets,
    make_submission,
    write_submission,
)

__all__ = ["BROKEN_KINDS", "SyntheticStudent", "make_class", "new_course"]

ANSWERS_DIR = REPO_ROOT / "tests" / "grading" / "answers"
BROKEN_KINDS = ("broken_syntax", "broken_exit", "broken_json", "broken_missing")


@dataclass(frozen=True)
class SyntheticStudent:
    """One generated submission: who, which assignment, and what it is (``kind``)."""

    student: str
    assignment: str
    kind: str  # "solution", "untouched", an answer file's name, or one of BROKEN_KINDS


def _kinds(assignment: str) -> list[str]:
    answer_dir = ANSWERS_DIR / assignment
    answer_sets = [s.name for s in load_answer_sets(answer_dir)] if answer_dir.is_dir() else []
    return ["solution", "untouched", *answer_sets, *BROKEN_KINDS]


def make_class(
    course_dir: Path,
    assignments: list[str],
    n_students: int,
    *,
    release_root: Path = REPO_ROOT / "exercises",
) -> list[SyntheticStudent]:
    """Write ``n_students`` submissions of each assignment into ``course_dir/submitted``.

    Parameters
    ----------
    course_dir : Path
        A course directory with ``solutions/<assignment>`` (see :func:`new_course`).
    assignments : list of str
        Assignments to submit; each needs a release in ``release_root/<assignment>``.
    n_students : int
        Students per assignment, named ``s000``, ``s001``...; kinds are dealt in turn, so any
        ``n_students >= 2`` has a solution and an untouched release, and larger classes have
        every answer file and every broken kind.
    release_root : Path, default=the repository's exercises/

    Returns
    -------
    list of SyntheticStudent
    """
    if not isinstance(n_students, int) or isinstance(n_students, bool) or n_students < 1:
        raise ValueError(f"n_students must be a positive int, got {n_students!r}")
    if not assignments:
        raise ValueError("assignments must name at least one assignment")
    course_dir = Path(course_dir)
    students = []
    for assignment in assignments:
        notebook = assignment_notebook(assignment, course_dir)
        release = Path(release_root) / assignment / f"{notebook}.ipynb"
        if not release.is_file():
            raise FileNotFoundError(f"no release notebook {release}; run `make release`")
        source = nbformat.read(course_dir / SOURCE_DIRECTORY / assignment / f"{notebook}.ipynb", as_version=4)
        solution = cell_sources(source, answer_cells(source))
        answer_dir = ANSWERS_DIR / assignment
        answer_sets = {s.name: s for s in load_answer_sets(answer_dir)} if answer_dir.is_dir() else {}
        kinds = _kinds(assignment)
        first_answer = answer_cells(source)[0]
        for index in range(n_students):
            student, kind = f"s{index:03d}", kinds[index % len(kinds)]
            folder = course_dir / "submitted" / student / assignment
            if kind == "broken_json":
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{notebook}.ipynb").write_text('{"cells": [ this is not JSON', encoding="utf-8")
            elif kind == "broken_missing":
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "notes.txt").write_text("I forgot to upload my notebook.\n", encoding="utf-8")
            else:
                answers: dict[str, str] = {}
                if kind == "solution":
                    answers = dict(solution)
                elif kind == "broken_syntax":
                    answers = {**solution, first_answer: solution[first_answer] + "\n)("}
                elif kind == "broken_exit":
                    answers = {**solution, first_answer: "import os\nos._exit(1)"}
                elif kind in answer_sets:
                    answer_set = answer_sets[kind]
                    answers = dict(solution) if answer_set.base == "solution" else {}
                    answers.update(answer_set.cells)
                write_submission(course_dir, student, assignment, make_submission(release, answers), notebook)
            students.append(SyntheticStudent(student, assignment, kind))
    return students
