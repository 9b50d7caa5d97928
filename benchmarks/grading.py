"""Grading: serial ``nbgrader autograde`` against the parallel path and the Dask path, on one class.

Throw-away course directories get the very same submissions:

- *serial*: :func:`course_grading.gradebook.batch.serial_nbgrader_autograde`, one plain
  ``nbgrader autograde --force`` over the class, one student after the other, then
  ``nbgrader generate_feedback`` timed apart, since the parallel path writes feedback too;
- *parallel*: :func:`course_grading.gradebook.batch.grade_class` (one isolated worker per
  submission, ``jobs`` at a time, merged into the gradebook), ``force=True``
  so nothing is reused, without the CSV export;
- *Dask*, with 1 then 2 workers: the same ``grade_class`` with ``scheduler=``, on a ``dask
  scheduler`` and ``dask worker`` processes on loopback, one thread and one ``submissions`` slot
  each (:func:`course_grading.gradebook.dask_cluster.local_cluster`), started and joined before
  the clock starts and stopped afterwards: a fresh cluster per worker count.

The class comes from :func:`course_grading.intake.synthetic_class.make_class` (solutions,
untouched releases, every answer file of the grading tests and broken submissions,
dealt in turn). Every path's total scores are compared per student with the serial path's,
so a fast but wrong path shows.
"""

from __future__ import annotations

import os
import tempfile
import time
from statistics import fmean
from collections.abc import Callable
from pathlib import Path

from course_grading.intake import synthetic_class
from course_grading.gradebook.batch import ClassReport, grade_class, serial_nbgrader_autograde
from course_grading.gradebook.dask_cluster import WorkerSpec, local_cluster
from course_grading.gradebook.grade import generate_feedback, prepare_course, read_scores
from course_grading.handout.release import assignment_notebook
from course_utils._validation import check_int

#: The assignment graded by default: the shortest to execute.
DEFAULT_ASSIGNMENT = "01_cross_validation"
#: Dask workers of the Dask path's runs, one run per count.
DASK_WORKERS = (1, 2)


def make_class(course_dir: Path, assignment: str, n_submissions: int) -> tuple[list[str], str]:
    """Write a synthetic class into ``course_dir/submitted``.

    Parameters
    ----------
    course_dir : Path
        A course made by :func:`course_grading.gradebook.grade.prepare_course`.
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
    students = synthetic_class.make_class(course_dir, [assignment], n_submissions)
    kinds: dict[str, int] = {}
    for student in students:
        kinds[student.kind] = kinds.get(student.kind, 0) + 1
    broken = sum(n for kind, n in kinds.items() if kind in synthetic_class.BROKEN_KINDS)
    source = (
        f"`course_grading.intake.synthetic_class.make_class`, {len(kinds)} kinds of submission dealt in turn "
        f"(solution, untouched release, the grading tests' answer files, broken ones): "
        f"{broken} of {len(students)} submissions are broken"
    )
    return [student.student for student in students], source


def _serial_scores(course_dir: Path, assignment: str) -> dict[str, float]:
    scores = read_scores(course_dir, assignment, assignment_notebook(assignment, course_dir))
    return {student: sum(cell.score for cell in cells.values()) for student, cells in scores.items()}


#: The phases of one submission inside its grader (see course_grading.sandbox.isolation.grade_in_worker).
PHASES = (
    ("prepare", "private course, files checked"),
    ("kernel_start", "kernel start (sandbox, Landlock, IPython) to the first cell"),
    ("cells", "the cells' execution"),
    ("guard", "the tampering guard around locked cells"),
    ("kernel_stop", "kernel stop after the last cell"),
    ("nbgrader", "the rest of nbgrader autograde (sanitize, scores into the private gradebook)"),
    ("feedback", "nbgrader generate_feedback (HTML)"),
)
#: CPU seconds of one submission by process (``worker_cpu`` and ``kernel_cpu`` of its phases).
CPU_PHASES = (
    ("worker_cpu", "CPU of the grader process (nbgrader, feedback, talking to the kernel)"),
    ("kernel_cpu", "CPU of the kernel's processes (start, the cells, the guard)"),
)


def _worker_phases(report: ClassReport, jobs: int) -> dict[str, float]:
    """Mean seconds per phase over the submissions that ran a kernel, and the per-submission totals."""
    results = report.results
    with_kernel = [result for result in results if "cells" in result.phases]
    phases = {}
    for name, _ in PHASES + CPU_PHASES:
        if name == "nbgrader":
            execution = ("kernel_start", "cells", "guard", "kernel_stop")
            values = [r.phases["autograde"] - sum(r.phases[k] for k in execution) for r in with_kernel]
        else:
            values = [result.phases.get(name, 0.0) for result in with_kernel]
        phases[name] = fmean(values) if values else 0.0
    return {
        **phases,
        "submissions_with_kernel": len(with_kernel),
        "inside_worker": fmean([result.seconds for result in results]),
        # the pool's wall clock times its workers, spread over the submissions
        "per_worker_slot": report.grading_seconds * jobs / max(1, len(results)),
        "merge_per_submission": report.merge_seconds / max(1, len(results)),
    }


def _throughput(seconds: float, n: int) -> dict[str, float]:
    return {"seconds": seconds, "per_submission": seconds / n, "per_minute": 60.0 * n / seconds}


def _agree(students: list[str], reference: dict[str, float], scores: dict[str, float]) -> int:
    """Students with the same total score in ``scores`` as in ``reference``."""
    return sum(
        student in reference and student in scores and abs(reference[student] - scores[student]) < 1e-9
        for student in students
    )


def _grade_on_dask(
    folder: Path, assignment: str, n_submissions: int, n_workers: int, log: Callable[[str], None]
) -> tuple[ClassReport, dict[str, float]]:
    """Grade a fresh copy of the class on a loopback cluster of ``n_workers`` one-slot workers."""
    course = prepare_course(folder / "course", [assignment])
    make_class(course, assignment, n_submissions)
    workers = [WorkerSpec(f"worker-{index}") for index in range(1, n_workers + 1)]
    with local_cluster(folder / "cluster", workers) as cluster:
        cluster.wait_for_workers()
        log(f"  Dask, {n_workers} worker(s) at {cluster.address} ...")
        report = grade_class(
            course, assignments_to_grade=[assignment], force=True, export=False, scheduler=cluster.address
        )
    log(f"  Dask, {n_workers} worker(s): {report.seconds:.2f} s")
    return report, {result.student: result.score for result in report.results}


def bench_grading(
    *,
    n_submissions: int = 100,
    assignment: str = DEFAULT_ASSIGNMENT,
    jobs: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    """Grade one synthetic class serially, with the parallel path and on Dask, and compare.

    Parameters
    ----------
    n_submissions : int, default=100
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
        ``submissions``, ``assignment``, ``class_source``, ``jobs``; ``serial`` (autograde
        alone), ``serial_with_feedback`` (autograde then generate_feedback: the outputs the
        parallel path writes) and ``parallel``, each with ``seconds``, ``per_submission``,
        ``per_minute``; ``ratio`` (parallel submissions per minute / serial autograde),
        ``ratio_same_outputs`` (against ``serial_with_feedback``), ``scores_agree`` (students
        with the same total score on both paths), ``worker_phases`` (mean seconds per
        submission inside a worker, and per worker slot; ``worker_cpu`` and ``kernel_cpu``, the
        mean CPU seconds of the grader process and of its kernel's processes); ``dask``, one row
        per count of :data:`DASK_WORKERS` with ``workers``, ``seconds``, ``per_submission``,
        ``per_minute``, ``graded``, ``ratio_same_outputs`` (against ``serial_with_feedback``),
        ``ratio_local`` (against ``parallel``) and ``scores_agree`` (students with the serial
        path's total), and ``dask_notes``.
    """
    n_submissions = check_int("n_submissions", n_submissions, minimum=1)
    jobs = (os.cpu_count() or 1) if jobs is None else check_int("jobs", jobs, minimum=1)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        serial_dir = prepare_course(Path(tmp) / "serial", [assignment])
        parallel_dir = prepare_course(Path(tmp) / "parallel", [assignment])
        students, class_source = make_class(serial_dir, assignment, n_submissions)
        make_class(parallel_dir, assignment, n_submissions)
        log(f"  serial nbgrader autograde of {n_submissions} submissions ...")
        serial_seconds = serial_nbgrader_autograde(serial_dir, assignment)
        serial_scores = _serial_scores(serial_dir, assignment)
        feedback_start = time.perf_counter()
        generate_feedback(serial_dir, assignment)
        feedback_seconds = time.perf_counter() - feedback_start
        log(f"  serial: {serial_seconds:.2f} s, feedback {feedback_seconds:.2f} s; parallel, {jobs} jobs ...")
        report = grade_class(
            parallel_dir, assignments_to_grade=[assignment], jobs=jobs, force=True, export=False
        )
        parallel_seconds = report.seconds
        parallel_scores = {result.student: result.score for result in report.results}
        log(f"  parallel: {parallel_seconds:.2f} s")
        dask_runs = {
            n: _grade_on_dask(Path(tmp) / f"dask-{n}", assignment, n_submissions, n, log)
            for n in DASK_WORKERS
        }
    serial = {**_throughput(serial_seconds, n_submissions), "graded": len(serial_scores)}
    serial_with_feedback = _throughput(serial_seconds + feedback_seconds, n_submissions)
    parallel = {
        **_throughput(parallel_seconds, n_submissions),
        "graded": len(parallel_scores),
        "workers_seconds": report.grading_seconds,
    }
    worker_phases = _worker_phases(report, jobs)
    agree = _agree(students, serial_scores, parallel_scores)
    dask = []
    for n, (dask_report, scores) in dask_runs.items():
        throughput = _throughput(dask_report.seconds, n_submissions)
        dask.append({
            "workers": n,
            **throughput,
            "graded": len(scores),
            "ratio_same_outputs": throughput["per_minute"] / serial_with_feedback["per_minute"],
            "ratio_local": throughput["per_minute"] / parallel["per_minute"],
            "scores_agree": _agree(students, serial_scores, scores),
        })
    return {
        "assignment": assignment,
        "submissions": n_submissions,
        "class_source": class_source,
        "jobs": jobs,
        "parallel_label": f"parallel path (`course_grading.gradebook.batch.grade_class`, {jobs} jobs)",
        "serial": serial,
        "serial_with_feedback": serial_with_feedback,
        "parallel": parallel,
        "ratio": parallel["per_minute"] / serial["per_minute"],
        "ratio_same_outputs": parallel["per_minute"] / serial_with_feedback["per_minute"],
        "scores_agree": agree,
        "worker_phases": worker_phases,
        "dask": dask,
        "notes": (
            f"Class: {class_source}. Of the students both paths graded, {agree} of {n_submissions} got the "
            f"same total score on both (serial graded {serial['graded']}, parallel {parallel['graded']}). "
            "The parallel path's seconds include its per-assignment template and the merge into the "
            f"gradebook; its workers alone took {report.grading_seconds:.2f} s, the merge and the copies "
            f"to autograded/ and feedback/ {report.merge_seconds:.2f} s. Per submission (the broken ones "
            f"included), a worker spent {worker_phases['inside_worker']:.2f} s grading and held one of the "
            f"{jobs} worker slots for {worker_phases['per_worker_slot']:.2f} s (its start, exit and the "
            "copies of its results included); the phases of the submissions that ran a kernel are below."
        ),
        "dask_notes": (
            "The Dask path: the same `grade_class` with `scheduler=`, on a `dask scheduler` and "
            f"{' then '.join(map(str, DASK_WORKERS))} `dask worker` processes on loopback of this machine "
            "(one thread and one `submissions` slot each; no nanny), a fresh cluster per run, started and "
            "joined before the clock starts. Its seconds include connecting to the scheduler, the workers' "
            "sandbox check, the template's and submissions' transfer and the merge; each worker's first "
            "submission also pays its imports."
        ),
    }
