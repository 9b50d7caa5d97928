"""A whole class at once: parallel workers, an interrupted run that resumes, idempotent regrading.

A small synthetic class (course_grading.intake.synthetic_class, 2 students of 01_cross_validation:
the solution and the untouched release) is graded by
``python -m course_grading.gradebook.batch`` killed after its first results, then finished by
:func:`course_grading.gradebook.batch.grade_class`. The scores must be the ones the answer files
state (the same expectations as test_assignment_scores.py, which grades with plain nbgrader).
A worker grades only while its batch process lives, and a grader past its time limit is
stopped with its kernel and scored 0 with the reason: a result like any other, reused until
the submission changes or is regraded (``--regrade``, ``--force``).
The 40-submission serial-against-parallel measurement is in ``make bench``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_grading.gradebook.batch import (
    STATE_DIRECTORY,
    dump_gradebook,
    find_submissions,
    grade_class,
    make_template,
)
from course_grading.gradebook.grade import read_scores
from course_grading.sandbox.isolation import RESULT_FILE, GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.handout.release import REPO_ROOT
from course_grading.intake.submissions import load_answer_sets
from course_grading.intake.synthetic_class import ANSWERS_DIR, BROKEN_KINDS, make_class, new_course

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
N_STUDENTS = 2
LIMITS = GradingLimits(cell_timeout=60)

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")


def results_done(course: Path) -> list[Path]:
    return sorted((course / STATE_DIRECTORY / "results" / ASSIGNMENT).glob(f"*/{RESULT_FILE}"))


def test_make_class_deals_every_kind(tmp_path: Path) -> None:
    course = new_course(tmp_path / "course", [ASSIGNMENT])
    n_kinds = 2 + len(load_answer_sets(ANSWERS_DIR / ASSIGNMENT)) + len(BROKEN_KINDS)
    students = make_class(course, [ASSIGNMENT], n_kinds + 1)
    kinds = [s.kind for s in students]
    assert kinds[0] == "solution" and kinds[1] == "untouched" and kinds[-1] == "solution"
    assert set(BROKEN_KINDS) <= set(kinds)
    assert len(find_submissions(course)) == n_kinds + 1
    with pytest.raises(ValueError, match="n_students"):
        make_class(course, [ASSIGNMENT], 0)


def test_grade_class_validates_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nbgrader_config.py"):
        grade_class(tmp_path)
    course = new_course(tmp_path / "course", [ASSIGNMENT])
    with pytest.raises(ValueError, match="jobs"):
        grade_class(course, jobs=0)
    with pytest.raises(ValueError, match="assignments_to_grade"):
        grade_class(course, assignments_to_grade=["no_such_assignment"])
    with pytest.raises(ValueError, match="cell_timeout"):
        GradingLimits(cell_timeout=0)


def test_interrupted_run_resumes_and_regrading_is_idempotent(tmp_path: Path) -> None:
    course = new_course(tmp_path / "course", [ASSIGNMENT])
    students = make_class(course, [ASSIGNMENT], N_STUDENTS)

    # 1. A run killed (SIGKILL, no clean-up) once its first submissions are graded.
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "course_grading.gradebook.batch",
            "--course-dir",
            str(course),
            "--jobs",
            "1",
            "--cell-timeout",
            str(LIMITS.cell_timeout),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while len(results_done(course)) < 1 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = {path.parent.name: path.stat().st_mtime_ns for path in results_done(course)}
    assert 1 <= len(done_before) < N_STUDENTS, (
        f"the run should be killed half-way, finished {sorted(done_before)}"
    )

    # 2. The next run grades only the rest; the finished results are reused untouched.
    report = grade_class(course, jobs=2, limits=LIMITS)
    assert sorted(report.reused) == sorted(f"{ASSIGNMENT}/{s}" for s in done_before)
    assert sorted(report.graded) == sorted(
        f"{ASSIGNMENT}/{s.student}" for s in students if s.student not in done_before
    )
    for path in results_done(course):
        if path.parent.name in done_before:
            assert path.stat().st_mtime_ns == done_before[path.parent.name]

    # 3. The grades are the ones each kind must get.
    answer_sets = {s.name: s for s in load_answer_sets(ANSWERS_DIR / ASSIGNMENT)}
    scores = read_scores(course, ASSIGNMENT, NOTEBOOK)
    assert set(scores) == {s.student for s in students}
    for student in students:
        lost = {grade_id for grade_id, cell in scores[student.student].items() if not cell.full}
        if (
            student.kind == "solution"
            or answer_sets.get(student.kind, None)
            and answer_sets[student.kind].kind == "correct"
        ):
            assert not lost, f"{student}: lost {lost}"
        elif student.kind == "untouched":
            assert all(cell.score == 0 for cell in scores[student.student].values())
        else:
            assert lost == set(answer_sets[student.kind].fails), f"{student}: lost {lost}"

    # 4. Running again changes nothing; regrading everything gives the same gradebook.
    first = dump_gradebook(course)
    again = grade_class(course, jobs=2, limits=LIMITS)
    not_reused = {name: report.result(*name.split("/")) for name in again.graded}  # as run 2 left them
    assert again.graded == [] and len(again.reused) == N_STUDENTS, {
        name: (result.status, result.reasons) for name, result in not_reused.items()
    }
    assert dump_gradebook(course) == first
    student = students[0].student
    regraded = grade_class(course, jobs=2, limits=LIMITS, regrade=[student])
    assert regraded.graded == [f"{ASSIGNMENT}/{student}"] and len(regraded.reused) == N_STUDENTS - 1
    assert dump_gradebook(course) == first


def test_worker_grades_only_while_its_batch_process_lives(tmp_path: Path) -> None:
    course = new_course(tmp_path / "course", [ASSIGNMENT])
    student = make_class(course, [ASSIGNMENT], 1)[0].student
    template = make_template(course, ASSIGNMENT, tmp_path / "state")

    def run_worker(work: Path, batch_pid: int) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "course_grading.sandbox.isolation", "--work", str(work),
                "--template", str(template), "--submitted", str(course / "submitted" / student / ASSIGNMENT), "--assignment", ASSIGNMENT,
                "--student", student, "--notebook", NOTEBOOK, "--course-id", "course", "--limits", "{}",
                "--batch-pid", str(batch_pid)]
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)

    dead = subprocess.Popen([sys.executable, "-c", "pass"])  # its pid is gone once it is reaped
    dead.wait()
    orphan = run_worker(tmp_path / "orphan", dead.pid)
    assert orphan.returncode == 1 and not (tmp_path / "orphan").exists(), orphan.stderr

    alive = run_worker(tmp_path / "alive", os.getpid())
    assert alive.returncode == 0, alive.stderr
    assert (tmp_path / "alive" / RESULT_FILE).is_file()


def test_grader_past_its_time_limit_is_stopped_leaves_nothing_running_scores_zero_and_is_reused_until_regraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psutil

    from course_grading.gradebook import batch

    course = new_course(tmp_path / "course", [ASSIGNMENT])
    solution, untouched = make_class(course, [ASSIGNMENT], 2)
    hung = untouched.student
    run = batch.SubmissionRunner.run

    def run_with_a_short_limit_for_one(self, worker_args, log, timeout, env):
        # the grader of one student gets 3 s: it is killed in the middle of its work
        return run(self, worker_args, log, 3.0 if f"--student={hung}" in worker_args else timeout, env)

    monkeypatch.setattr(batch.SubmissionRunner, "run", run_with_a_short_limit_for_one)
    first = grade_class(course, jobs=2, limits=LIMITS)
    killed = first.result(ASSIGNMENT, hung)
    assert killed.status == "failed" and killed.score == 0
    stopped = "the grader ran longer than 3 s and was stopped; scored 0"
    assert any(stopped in text for text in killed.incidents), killed.incidents
    assert first.result(ASSIGNMENT, solution.student).score == first.result(ASSIGNMENT, solution.student).max_score
    work = str(course / STATE_DIRECTORY / "work" / ASSIGNMENT / hung)
    left = [p.pid for p in psutil.process_iter(["cmdline"]) if any(work in arg for arg in p.info["cmdline"] or [])]
    assert left == [], "a process of the stopped grader (its kernel) is still running"

    monkeypatch.setattr(batch.SubmissionRunner, "run", run)
    second = grade_class(course, jobs=2, limits=LIMITS)
    assert second.graded == [] and second.result(ASSIGNMENT, hung).incidents == killed.incidents
    third = grade_class(course, jobs=2, limits=LIMITS, regrade=[hung])
    assert third.graded == [f"{ASSIGNMENT}/{hung}"] and third.reused == [f"{ASSIGNMENT}/{solution.student}"]
    assert third.result(ASSIGNMENT, hung).status == "graded"
