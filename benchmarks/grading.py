"""Grading: serial ``nbgrader autograde`` against the parallel path, on one synthetic class.

Two throw-away course directories get the very same submissions:

- *serial*: :func:`course_grading.batch.serial_nbgrader_autograde`, one plain
  ``nbgrader autograde --force`` over the class, one student after the other;
- *parallel*: :func:`course_grading.batch.grade_class` (one isolated worker per
  submission, ``jobs`` at a time, merged into the gradebook), ``force=True``
  so nothing is reused, without the CSV export.

The class comes from :func:`course_grading.synthetic_class.make_class` (solutions,
untouched releases, every answer file of the grading tests and broken
submissions, dealt in turn); if that module is missing, it is built from the
grading tests' answer files
(``tests/grading/answers/<assignment>/``, plus the instructor's solution),
cycled until the class has ``n_submissions`` students, with
:func:`course_grading.submissions.make_submission` and
:func:`course_grading.submissions.write_submission`. Both paths' total scores
are compared per student, so a fast but wrong path shows.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat

from benchmarks import REPO_ROOT
from course_utils._validation import check_int

#: The assignment graded by default: the shortest to execute.
DEFAULT_ASSIGNMENT = "01_cross_validation"


def _answer_set_class(course_dir: Path, assignment: str, n_submissions: int) -> list[str]:
    """Write ``n_submissions`` submissions cycling the solution and the tests' answer sets."""
    from course_grading.release import assignment_notebook
    from course_grading.submissions import (
        answer_cells,
        cell_sources,
        load_answer_sets,
        make_submission,
        write_submission,
    )

    notebook = assignment_notebook(assignment, course_dir)
    release = course_dir / "exercises" / assignment / f"{notebook}.ipynb"
    if not release.is_file():  # prepare_course releases into the course; else take the repository's
        release = REPO_ROOT / "exercises" / assignment / f"{notebook}.ipynb"
    source = nbformat.read(course_dir / "solutions" / assignment / f"{notebook}.ipynb", as_version=4)
    solution = cell_sources(source, answer_cells(source))
    variants: list[tuple[str, dict[str, str]]] = [("solution", solution)]
    answers_dir = REPO_ROOT / "tests" / "grading" / "answers" / assignment
    if answers_dir.is_dir():
        for answer_set in load_answer_sets(answers_dir):
            answers = dict(solution) if answer_set.base == "solution" else {}
            answers.update(answer_set.cells)
            variants.append((answer_set.name, answers))
    students = []
    for i in range(n_submissions):
        name, answers = variants[i % len(variants)]
        student = f"s{i:03d}-{name}"
        write_submission(course_dir, student, assignment, make_submission(release, answers), notebook)
        students.append(student)
    return students


def make_class(course_dir: Path, assignment: str, n_submissions: int) -> tuple[list[str], str]:
    """Write a synthetic class into ``course_dir/submitted``.

    Uses :func:`course_grading.synthetic_class.make_class` when it is there, else cycles the
    solution and the grading tests' answer files.

    Parameters
    ----------
    course_dir : Path
        A course made by :func:`course_grading.grade.prepare_course`.
    assignment : str
        The assignment.
    n_submissions : int
        Students, at least 1.

    Returns
    -------
    tuple
        The student ids and a sentence saying what the class holds.
    """
    n_submissions = check_int("n_submissions", n_submissions, minimum=1)
    try:
        from course_grading import synthetic_class
    except ImportError:
        return _answer_set_class(course_dir, assignment, n_submissions), "answer files of tests/grading (cycled)"
    students = synthetic_class.make_class(course_dir, [assignment], n_submissions)
    kinds: dict[str, int] = {}
    for student in students:
        kinds[student.kind] = kinds.get(student.kind, 0) + 1
    broken = sum(n for kind, n in kinds.items() if kind in synthetic_class.BROKEN_KINDS)
    source = (
        f"`course_grading.synthetic_class.make_class`, {len(kinds)} kinds of submission dealt in turn "
        f"(solution, untouched release, the grading tests' answer files, broken ones): "
        f"{broken} of {len(students)} submissions are broken"
    )
    return [student.student for student in students], source


def _serial_scores(course_dir: Path, assignment: str) -> dict[str, float]:
    from course_grading.grade import read_scores
    from course_grading.release import assignment_notebook

    scores = read_scores(course_dir, assignment, assignment_notebook(assignment, course_dir))
    return {student: sum(cell.score for cell in cells.values()) for student, cells in scores.items()}


def _throughput(seconds: float, n: int) -> dict[str, float]:
    return {"seconds": seconds, "per_submission": seconds / n, "per_minute": 60.0 * n / seconds}


def bench_grading(
    *,
    n_submissions: int = 40,
    assignment: str = DEFAULT_ASSIGNMENT,
    jobs: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    """Grade one synthetic class serially and with the parallel path, and compare.

    Parameters
    ----------
    n_submissions : int, default=40
        Students in the class, at least 1.
    assignment : str, default=DEFAULT_ASSIGNMENT
        The assignment in ``solutions/``.
    jobs : int or None, default=None
        Workers of the parallel path (its default, the number of cores, if None).
    log : callable, default=print
        Called with progress lines.

    Returns
    -------
    dict
        ``submissions``, ``assignment``, ``class_source``, ``serial`` and ``parallel``
        (``seconds``, ``per_submission``, ``per_minute``, ``graded``), ``ratio`` (parallel
        submissions per minute / serial), ``scores_agree`` (students with the same total
        score on both paths) and ``jobs``; or ``{"skipped": reason}`` when the parallel path
        is not available.
    """
    n_submissions = check_int("n_submissions", n_submissions, minimum=1)
    try:
        from course_grading.batch import grade_class, serial_nbgrader_autograde
    except ImportError as exc:
        return {"skipped": f"the parallel grading path (course_grading.batch) is not available: {exc}"}
    from course_grading.grade import prepare_course

    jobs = (os.cpu_count() or 1) if jobs is None else check_int("jobs", jobs, minimum=1)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        serial_dir = prepare_course(Path(tmp) / "serial", [assignment])
        parallel_dir = prepare_course(Path(tmp) / "parallel", [assignment])
        students, class_source = make_class(serial_dir, assignment, n_submissions)
        make_class(parallel_dir, assignment, n_submissions)
        log(f"  serial nbgrader autograde of {n_submissions} submissions ...")
        serial_seconds = serial_nbgrader_autograde(serial_dir, assignment)
        serial_scores = _serial_scores(serial_dir, assignment)
        log(f"  serial: {serial_seconds:.2f} s; parallel path with {jobs} jobs ...")
        report = grade_class(parallel_dir, assignments_to_grade=[assignment], jobs=jobs, force=True, export=False)
        parallel_seconds = report.seconds
        parallel_scores = {result.student: result.score for result in report.results}
        log(f"  parallel: {parallel_seconds:.2f} s")
    serial = {**_throughput(serial_seconds, n_submissions), "graded": len(serial_scores)}
    parallel = {
        **_throughput(parallel_seconds, n_submissions),
        "graded": len(parallel_scores),
        "workers_seconds": report.grading_seconds,
    }
    agree = sum(
        student in serial_scores
        and student in parallel_scores
        and abs(serial_scores[student] - parallel_scores[student]) < 1e-9
        for student in students
    )
    return {
        "assignment": assignment,
        "submissions": n_submissions,
        "class_source": class_source,
        "jobs": jobs,
        "parallel_label": f"parallel path (`course_grading.batch.grade_class`, {jobs} jobs)",
        "serial": serial,
        "parallel": parallel,
        "ratio": parallel["per_minute"] / serial["per_minute"],
        "scores_agree": agree,
        "notes": (
            f"Class: {class_source}. Of the students both paths graded, {agree} of {n_submissions} got the "
            f"same total score on both (serial graded {serial['graded']}, parallel {parallel['graded']}). "
            "The parallel "
            "path's seconds include its per-assignment template and the merge into the gradebook; its "
            f"workers alone took {report.grading_seconds:.2f} s."
        ),
    }
