"""Grade a whole class: in parallel, resumable, idempotent, one submission never touching another.

``python -m course_grading.gradebook.batch [--jobs N] [--cell-timeout S] [--notebook-timeout S] [--force]
[--scheduler tcp://HOST:PORT]`` grades every ``submitted/<student>/<assignment>/`` of the course
directory (default: the repository) and writes, like ``make grade``:

- ``gradebook.db``: the course's nbgrader gradebook, auto scores of every test cell;
- ``grades.csv`` (``nbgrader export``) and ``grade_reasons.csv`` (one row per submission:
  score, late penalty, final score, status, and the reasons: the late penalty's, incidents, and the
  error of every test cell that lost points);
- ``autograded/<student>/<assignment>/`` and ``feedback/<student>/<assignment>/<notebook>.html``,
  beside it the submission's ``timestamp.txt`` and ``submission_secret.txt`` for ``release_feedback``.

Design (the gradebook). nbgrader's SQLite gradebook takes one writer. Each submission is
graded by its own worker process (:mod:`course_grading.sandbox.isolation`) in a private course with
a private gradebook copied from a per-assignment template; the worker's only output is a
result folder written atomically (``result.json`` last). After the workers, this process
alone merges every result into the course gradebook through nbgrader's ``Gradebook`` API
(upserts of auto scores: manual grades entered in formgrader are kept). Hence:

- concurrency: N workers on N cores, no shared writable file between them; with ``--scheduler``
  the workers are Dask workers on other machines (:mod:`course_grading.gradebook.dask_grading`), whose
  results come back here and are merged the same way;
- resumable: a killed run leaves finished results; the next run grades only the rest;
- idempotent: a result is reused while its fingerprint (submitted files, source notebook,
  limits, grader version) is unchanged; merging the same results gives the same gradebook.

We chose merged per-submission gradebooks over a PostgreSQL gradebook: no server to run
for a course on a laptop, and a crash of one grading cannot leave a half-written shared
database (the merge is one transaction in one process).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from course_grading.sandbox.isolation import (
    KILLED_FROM_OUTSIDE,
    RESULT_FILE,
    GradingLimits,
    SubmissionResult,
    run_forked_worker,
    write_atomic,
)
from course_grading.gradebook.late_policy import (
    POLICY_FILE,
    LatePenalty,
    assign_late_penalty,
    load_policy,
    mark_feedback_page,
)
from course_grading.handout.release import (
    REPO_ROOT,
    SOURCE_DIRECTORY,
    assignment_notebook,
    assignments,
    ensure_scripts_on_path,
    nbgrader_command,
)

__all__ = [
    "ClassReport",
    "GRADER_VERSION",
    "SubmissionRunner",
    "dump_gradebook",
    "find_submissions",
    "grade_class",
    "grade_one_submission",
    "main",
    "make_template",
    "serial_nbgrader_autograde",
]

# Part of every fingerprint: change it when the grading logic changes, to regrade everything.
GRADER_VERSION = "2"
STATE_DIRECTORY = ".grading"
REASONS_CSV = "grade_reasons.csv"
WORKER_MEMORY_BYTES = 6 * 1024**3


@dataclass
class ClassReport:
    """What one :func:`grade_class` run did.

    Attributes
    ----------
    seconds : float
        Wall-clock time of the whole run (templates, workers, merge, export).
    grading_seconds : float
        Wall-clock time of the workers only.
    merge_seconds : float
        Wall-clock time of the merge into the gradebook and the copies to autograded/ and feedback/.
    graded, reused : list of str
        ``assignment/student`` graded in this run, and those whose earlier result was reused.
    results : list of SubmissionResult
        Every submission's result (graded now or reused), sorted.
    jobs : int
    """

    seconds: float = 0.0
    grading_seconds: float = 0.0
    merge_seconds: float = 0.0
    graded: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    results: list[SubmissionResult] = field(default_factory=list)
    jobs: int = 1

    def result(self, assignment: str, student: str) -> SubmissionResult:
        """The result of one submission."""
        for item in self.results:
            if item.assignment == assignment and item.student == student:
                return item
        raise KeyError(f"no result for assignment {assignment!r}, student {student!r}")


def find_submissions(course_dir: Path, names: list[str] | None = None) -> list[tuple[str, str]]:
    """Return the sorted (assignment, student) pairs with a folder ``submitted/<student>/<assignment>``."""
    submitted = Path(course_dir) / "submitted"
    pairs = []
    for folder in sorted(submitted.glob("*/*")) if submitted.is_dir() else []:
        if folder.is_dir() and (names is None or folder.name in names):
            pairs.append((folder.name, folder.parent.name))
    return sorted(pairs)


def _digest(paths: list[Path], root: Path, extra: str) -> str:
    sha = hashlib.sha256(extra.encode())
    for path in sorted(paths):
        sha.update(str(path.relative_to(root)).encode() + b"\0")
        if path.is_symlink():  # never followed: a submission's link is refused, not read
            sha.update(b"<link>" + os.readlink(path).encode())
        else:
            sha.update(path.read_bytes() if path.is_file() else b"<not a file>")
        sha.update(b"\0")
    return sha.hexdigest()


def _source_key(course_dir: Path, assignment: str) -> str:
    """A digest of the assignment's source folder and the grader version."""
    source = Path(course_dir) / SOURCE_DIRECTORY / assignment
    return _digest([p for p in source.rglob("*") if p.is_file()], source, GRADER_VERSION)


def make_template(course_dir: Path, assignment: str, state: Path) -> Path:
    """Return a course folder where ``assignment`` is registered in a fresh gradebook.

    Rebuilt only when the source folder changes. Workers copy its ``gradebook.db`` and
    ``source/<assignment>``.
    """
    source = Path(course_dir) / SOURCE_DIRECTORY / assignment
    key = _source_key(course_dir, assignment)
    template = state / "templates" / assignment
    stamp = template / "source.sha256"
    if stamp.is_file() and stamp.read_text() == key:
        return template
    scratch = template.with_name(f".{assignment}.{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    (scratch / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        "c.CourseDirectory.source_directory = 'source'\n"
        "c.CourseDirectory.db_url = 'sqlite:///gradebook.db'\n",
        encoding="utf-8",
    )
    shutil.copytree(source, scratch / "source" / assignment)
    nbgrader_command(
        scratch,
        "generate_assignment",
        assignment,
        "--force",
        f"--CourseDirectory.release_directory={scratch / 'release'}",
    )
    stamp_tmp = scratch / "source.sha256"
    stamp_tmp.write_text(key)
    shutil.rmtree(template, ignore_errors=True)
    os.replace(scratch, template)
    return template


def _register_in_course(course_dir: Path, assignment: str, state: Path, key: str) -> None:
    """Record the assignment in the course gradebook, unless it was, from the same source."""
    from course_grading.gradebook.grade import register_assignment

    stamp = state / "registered" / f"{assignment}.sha256"
    if stamp.is_file() and stamp.read_text() == key and (course_dir / "gradebook.db").is_file():
        return
    register_assignment(course_dir, assignment)
    write_atomic(stamp, key)


def _export_csv(course_dir: Path, to: str) -> Path:
    """nbgrader's CSV export (``nbgrader export``), run in this process."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    path = Path(course_dir) / to
    with Gradebook(f"sqlite:///{(Path(course_dir) / 'gradebook.db').resolve()}") as gradebook:
        CsvExportPlugin(to=str(path)).export(gradebook)
    return path


def _course_id(course_dir: Path) -> str:
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    return str(config.CourseDirectory.get("course_id", "default_course"))


# Workers are forked from a server process that imported nbgrader once and filled the caches
# every worker fills (course_grading.sandbox.worker_preload): each still gets a process of its own,
# without paying the imports (1.6 s) and the caches again. The server holds no thread, file or
# connection for the children to inherit.
_WORKER_CONTEXT = multiprocessing.get_context("forkserver")
_WORKER_CONTEXT.set_forkserver_preload(["course_grading.sandbox.worker_preload"])


class SubmissionRunner:
    """Runs worker processes and kills them all if the run is interrupted (the local pool's and each Dask
    worker's)."""

    def __init__(self) -> None:
        self.processes: set[multiprocessing.process.BaseProcess] = set()
        self.lock = threading.Lock()
        self.stopping = False

    def run(
        self, worker_args: list[str], log: Path, timeout: float, env: dict[str, str]
    ) -> tuple[int | None, str]:
        """Run ``course_grading.sandbox.isolation.main(worker_args)`` in a forked worker.

        Returns (exit code, problem)."""
        with self.lock:
            if self.stopping:
                return None, "the grading run was interrupted"
            process = _WORKER_CONTEXT.Process(
                target=run_forked_worker, args=(worker_args, str(log), env), daemon=False
            )
            try:
                process.start()
            except OSError as error:
                return None, f"the grader process could not start ({error})"
            self.processes.add(process)
        try:
            process.join(timeout)
            if process.exitcode is None:
                self._kill(process)
                return None, f"the grader ran longer than {timeout:.0f} s and was stopped"
            return process.exitcode, ""
        finally:
            with self.lock:
                self.processes.discard(process)

    @staticmethod
    def _kill(process: multiprocessing.process.BaseProcess) -> None:
        """Kill the worker's session (it and its kernel); the worker alone if it has none yet."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            process.kill()
        process.join()

    def kill_all(self) -> None:
        with self.lock:
            self.stopping = True
            processes = list(self.processes)
        for process in processes:
            self._kill(process)


def grade_one_submission(
    runner: SubmissionRunner,
    course_dir: Path,
    state: Path,
    template: Path,
    assignment: str,
    student: str,
    notebook: str,
    course_id: str,
    limits: GradingLimits,
    fingerprint: str,
    n_code_cells: int,
) -> SubmissionResult:
    work = state / "work" / assignment / student
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    worker_args = [
        "--work",
        str(work / "grade"),
        "--template",
        str(template),
        "--submitted",
        str(course_dir / "submitted" / student / assignment),
        "--assignment",
        assignment,
        f"--student={student}",  # an id may begin with "-"
        "--notebook",
        notebook,
        "--course-id",
        course_id,
        "--limits",
        json.dumps(asdict(limits)),
        "--fingerprint",
        fingerprint,
        "--memory",
        str(max(WORKER_MEMORY_BYTES, limits.memory_bytes + 2 * 1024**3)),
        "--batch-pid",
        str(os.getpid()),
    ]
    env = ensure_scripts_on_path(dict(os.environ))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env.setdefault("PYTHONHASHSEED", "0")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])])
    start = time.perf_counter()
    code, problem = runner.run(worker_args, work / "worker.log", limits.worker_timeout(n_code_cells), env)
    produced = work / "grade" / RESULT_FILE
    done = state / "results" / assignment / student
    if produced.is_file():
        result = SubmissionResult.from_json(produced.read_text(encoding="utf-8"))
        staging = done.with_name(f".{student}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, target in (
            (f"feedback/{notebook}.html", f"{notebook}.html"),
            (f"{notebook}.autograded.ipynb", f"{notebook}.ipynb"),
        ):
            if (work / "grade" / name).is_file():
                shutil.copy(work / "grade" / name, staging / target)
        for log in ("grade/nbgrader.log", "worker.log") if result.status == "failed" else ():
            if (work / log).is_file():  # for the instructor (the kernel's own errors are in worker.log)
                shutil.copy(work / log, staging / Path(log).name)
        (staging / RESULT_FILE).write_text(result.to_json(), encoding="utf-8")
        shutil.rmtree(done, ignore_errors=True)
        os.replace(staging, done)
        shutil.rmtree(work, ignore_errors=True)
        return result
    if runner.stopping:
        raise KeyboardInterrupt
    if not problem:
        problem = f"the grader process ended with status {code} before writing a result"
    log_tail = (
        (work / "worker.log").read_text(errors="replace").strip().splitlines()[-1:]
        if (work / "worker.log").is_file()
        else []
    )
    source = nbformat.read(template / "source" / assignment / f"{notebook}.ipynb", as_version=4)
    from course_grading.intake.submissions import graded_test_cells

    points = graded_test_cells(source)
    incident = f"{problem}; scored 0" + (f" (last log line: {log_tail[0][:160]})" if log_tail else "")
    result = SubmissionResult(
        assignment,
        student,
        notebook,
        "failed",
        0.0,
        float(sum(points.values())),
        cells={g: {"score": 0.0, "max_score": p, "reason": incident} for g, p in points.items()},
        incidents=[incident],
        for_the_student={incident: f"{problem}; scored 0"},  # the log is the kernel's too
        fingerprint=fingerprint,
        seconds=time.perf_counter() - start,
    )
    # Recorded like any result: reused while the submission is unchanged (--force or --regrade to retry).
    done.mkdir(parents=True, exist_ok=True)
    from course_grading.sandbox.isolation import write_rejection_feedback

    write_rejection_feedback(done / f"{notebook}.html", result)
    write_atomic(done / RESULT_FILE, result.to_json())
    return result


def _merge(course_dir: Path, results: list[SubmissionResult]) -> dict[tuple[str, str], LatePenalty]:
    """Write every result's auto scores and late penalty into the course gradebook, in one transaction.

    The penalty is recomputed on every run (:func:`course_grading.gradebook.late_policy.assign_late_penalty`)
    from the current ``late_policy.toml``, the submission's ``timestamp.txt``, the due date in the
    gradebook and the notebook's score (manual grades included). Returns (assignment, student) ->
    its penalty.
    """
    from nbgrader.api import Gradebook

    ensure_scripts_on_path()
    policy = load_policy(Path(course_dir) / POLICY_FILE)
    penalties = {}
    db_url = f"sqlite:///{(Path(course_dir) / 'gradebook.db').resolve()}"
    with Gradebook(db_url, _course_id(course_dir)) as gradebook:
        for result in results:
            gradebook.update_or_create_student(result.student)
            submission = gradebook.update_or_create_submission(result.assignment, result.student)
            for grade_id, cell in result.cells.items():
                grade = gradebook.find_grade(grade_id, result.notebook, result.assignment, result.student)
                grade.auto_score = cell["score"]
                grade.needs_manual_grade = False
            gradebook.db.flush()
            notebook = gradebook.find_submission_notebook(result.notebook, result.assignment, result.student)
            gradebook.db.refresh(notebook)  # its score is a query over the grades just written
            folder = Path(course_dir) / "submitted" / result.student / result.assignment
            penalties[(result.assignment, result.student)] = assign_late_penalty(
                submission, notebook, policy, folder
            )
        gradebook.db.commit()
    return penalties


#: What nbgrader's ``submit`` writes beside a submission and ``release_feedback`` needs beside its
#: feedback (nbgrader's own ``generate_feedback`` copies them, as every non-notebook file of autograded/).
SUBMISSION_STAMPS = ("timestamp.txt", "submission_secret.txt")


def _publish(course_dir: Path, state: Path, result: SubmissionResult) -> None:
    """Put a result's autograded notebook and feedback page into the course directory.

    Beside the page go the graded submission's :data:`SUBMISSION_STAMPS`: ``nbgrader
    release_feedback`` (``ExchangeReleaseFeedback.copy_files``) reads them there and files the
    page under a hash of the secret, where that submission's ``fetch_feedback`` looks for it.
    """
    done = state / "results" / result.assignment / result.student
    for folder, name in (("autograded", f"{result.notebook}.ipynb"), ("feedback", f"{result.notebook}.html")):
        target = course_dir / folder / result.student / result.assignment / name
        if target.exists():
            os.chmod(target, 0o644)
            target.unlink()
        if (done / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(done / name, target)
    submission = course_dir / "submitted" / result.student / result.assignment
    feedback = course_dir / "feedback" / result.student / result.assignment
    for name in SUBMISSION_STAMPS:
        (feedback / name).unlink(missing_ok=True)
        if (feedback / f"{result.notebook}.html").is_file() and (submission / name).is_file():
            shutil.copy(submission / name, feedback / name)


def _write_reasons(
    path: Path,
    results: list[SubmissionResult],
    penalties: dict[tuple[str, str], LatePenalty],
    kept: set[str] | None = None,
) -> None:
    """Write one row per result, the late penalty's reason first; rows of the assignments in ``kept``
    stay as they were in ``path``."""
    header = [
        "assignment", "student", "score", "max_score", "late_penalty", "final_score", "status", "reasons"
    ]
    rows = []
    if kept and path.is_file():
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [[row.get(name, "") for name in header] for row in csv.DictReader(handle)]
        rows = [row for row in rows if row[0] in kept]
    for r in results:
        penalty = penalties.get((r.assignment, r.student), LatePenalty())
        reasons = [penalty.reason] if penalty.reason else []
        final = max(0.0, r.score - penalty.points)
        rows.append(
            [
                r.assignment,
                r.student,
                f"{r.score:g}",
                f"{r.max_score:g}",
                f"{penalty.points:g}",
                f"{final:g}",
                r.status,
                " | ".join(reasons + r.reasons),
            ]
        )
    write_atomic(path, _csv_text([header, *sorted(rows)]))


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def grade_class(
    course_dir: Path = REPO_ROOT,
    *,
    assignments_to_grade: list[str] | None = None,
    jobs: int | None = None,
    limits: GradingLimits | None = None,
    force: bool = False,
    regrade: list[str] | None = None,
    export: bool = True,
    scheduler: str | None = None,
) -> ClassReport:
    """Grade every submission of the course directory; see the module docstring.

    The workers are forked by multiprocessing's forkserver, which imports the calling
    script's ``__main__`` in each of them: a script must call this under
    ``if __name__ == "__main__":`` (a notebook, pytest and ``python -m`` need nothing).

    Parameters
    ----------
    course_dir : Path, default=the repository
        An nbgrader course: ``nbgrader_config.py``, ``solutions/``, ``submitted/``.
    assignments_to_grade : list of str, default=None
        Only these assignments (all submitted ones if None).
    jobs : int, default=None
        Worker processes at a time (``os.cpu_count()`` if None).
    limits : GradingLimits, default=None
        Per-cell timeout, memory, output and file caps (defaults of :class:`GradingLimits`,
        the cell timeout from nbgrader_config.py's ``Execute.timeout`` if set).
    force : bool, default=False
        Regrade even the submissions whose result is up to date.
    regrade : list of str, default=None
        Students to regrade even if their result is up to date (the others are reused).
    export : bool, default=True
        Write grades.csv (nbgrader export) and grade_reasons.csv.
    scheduler : str, default=None
        A Dask scheduler's address (``tcp://HOST:8786``): grade on its workers
        (:mod:`course_grading.gradebook.dask_grading`) instead of local worker processes; ``jobs`` is then
        unused (each worker's ``submissions`` resource caps it).

    Returns
    -------
    ClassReport
    """
    start = time.perf_counter()
    course_dir = Path(course_dir).resolve()
    if not (course_dir / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"course_dir {course_dir} has no nbgrader_config.py")
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    limits = limits or GradingLimits()
    if not isinstance(limits, GradingLimits):
        raise TypeError(f"limits must be a GradingLimits, got {type(limits).__name__}")
    known = assignments(course_dir)
    if assignments_to_grade is not None:
        unknown = sorted(set(assignments_to_grade) - set(known))
        if unknown:
            raise ValueError(
                f"assignments_to_grade has names with no source in {SOURCE_DIRECTORY}/: {unknown}"
            )
    pairs = [(a, s) for a, s in find_submissions(course_dir, assignments_to_grade) if a in known]
    state = course_dir / STATE_DIRECTORY
    course_id = _course_id(course_dir)
    names = sorted({a for a, _ in pairs})
    templates, keys, notebooks, n_cells = {}, {}, {}, {}
    for name in names:
        keys[name] = _source_key(course_dir, name)
        # Two nbgrader runs on two folders, independent: at the same time.
        with ThreadPoolExecutor(max_workers=2) as prepare:
            template = prepare.submit(make_template, course_dir, name, state)
            registered = prepare.submit(_register_in_course, course_dir, name, state, keys[name])
            templates[name] = template.result()
            registered.result()
        notebooks[name] = assignment_notebook(name, course_dir)
        source_nb = nbformat.read(
            course_dir / SOURCE_DIRECTORY / name / f"{notebooks[name]}.ipynb", as_version=4
        )
        n_cells[name] = sum(1 for cell in source_nb.cells if cell.cell_type == "code")

    report = ClassReport(jobs=jobs)
    todo, results = [], {}
    settings = json.dumps(asdict(limits), sort_keys=True) + GRADER_VERSION
    for assignment, student in pairs:
        folder = course_dir / "submitted" / student / assignment
        fingerprint = _digest(list(folder.rglob("*")), folder, settings + keys[assignment])
        previous = state / "results" / assignment / student / RESULT_FILE
        if not force and student not in (regrade or []) and previous.is_file():
            old = SubmissionResult.from_json(previous.read_text(encoding="utf-8"))
            # A timeout or a grader crash is the submission's result; a kernel killed from outside
            # its sandbox (the OOM killer, an administrator) is not, and is graded again.
            killed = any(KILLED_FROM_OUTSIDE in text for text in old.incidents)
            if old.fingerprint == fingerprint and not killed:
                results[(assignment, student)] = old
                report.reused.append(f"{assignment}/{student}")
                continue
        todo.append((assignment, student, fingerprint))

    grading_start = time.perf_counter()
    if scheduler is not None:
        from course_grading.gradebook.dask_grading import SubmissionTask, grade_on_cluster

        tasks = [
            (
                SubmissionTask(a, s, notebooks[a], course_id, limits, fp, n_cells[a]),
                course_dir / "submitted" / s / a,
                templates[a],
            )
            for a, s, fp in todo
        ]
        for result in grade_on_cluster(scheduler, state, tasks):
            results[(result.assignment, result.student)] = result
        report.graded = sorted(f"{a}/{s}" for a, s, _ in todo)
    else:
        runner = SubmissionRunner()
        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = {
                (a, s): pool.submit(
                    grade_one_submission,
                    runner,
                    course_dir,
                    state,
                    templates[a],
                    a,
                    s,
                    notebooks[a],
                    course_id,
                    limits,
                    fp,
                    n_cells[a],
                )
                for a, s, fp in todo
            }
            for key, future in futures.items():
                results[key] = future.result()
                report.graded.append(f"{key[0]}/{key[1]}")
        except BaseException:
            runner.kill_all()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    report.grading_seconds = time.perf_counter() - grading_start

    report.results = [results[key] for key in sorted(results)]
    merge_start = time.perf_counter()
    penalties = _merge(course_dir, report.results)
    for result in report.results:
        _publish(course_dir, state, result)
        page = course_dir / "feedback" / result.student / result.assignment / f"{result.notebook}.html"
        if page.is_file():
            mark_feedback_page(page, penalties[(result.assignment, result.student)])
    report.merge_seconds = time.perf_counter() - merge_start
    if export:
        _export_csv(course_dir, "grades.csv")
        kept = None if assignments_to_grade is None else set(known) - set(assignments_to_grade)
        _write_reasons(course_dir / REASONS_CSV, report.results, penalties, kept)
    report.seconds = time.perf_counter() - start
    return report


def dump_gradebook(course_dir: Path) -> list[tuple]:
    """Return every grade of the gradebook, sorted.

    Rows are (assignment, student, notebook, grade_id, auto_score, manual_score).

    Two gradebooks with the same dump hold the same grades (used to check idempotence).
    """
    from nbgrader.api import Gradebook

    ensure_scripts_on_path()
    rows = []
    with Gradebook(f"sqlite:///{(Path(course_dir) / 'gradebook.db').resolve()}") as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        rows.append(
                            (
                                assignment.name,
                                submission.student.id,
                                notebook.name,
                                grade.name,
                                grade.auto_score,
                                grade.manual_score,
                            )
                        )
    return sorted(rows, key=repr)


def serial_nbgrader_autograde(course_dir: Path, assignment: str) -> float:
    """Time plain ``nbgrader autograde <assignment> --force`` (one student after another) on a course.

    ``course_dir`` must have the assignment registered in its gradebook (see
    :func:`course_grading.gradebook.grade.prepare_course`). Returns the wall-clock seconds.
    """
    start = time.perf_counter()
    nbgrader_command(Path(course_dir), "autograde", assignment, "--force", check=False)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Grade the class (see the module docstring); prints one line per submission and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--course-dir", type=Path, default=REPO_ROOT, help="course directory (default: the repository)"
    )
    parser.add_argument("--assignment", action="append", help="grade only this assignment (repeatable)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: number of cores)")
    parser.add_argument(
        "--cell-timeout", type=int, default=None, help="seconds per cell (default: Execute.timeout)"
    )
    parser.add_argument(
        "--notebook-timeout", type=int, default=600, help="seconds all cells of a submission may run together"
    )
    parser.add_argument("--memory-gib", type=float, default=2.0, help="memory limit of each kernel in GiB")
    parser.add_argument("--max-output-kib", type=int, default=4096, help="output one cell may print, KiB")
    parser.add_argument(
        "--no-sandbox", action="store_true", help="do not apply the Landlock filesystem sandbox"
    )
    parser.add_argument("--force", action="store_true", help="regrade submissions whose result is up to date")
    parser.add_argument(
        "--regrade", action="append", metavar="STUDENT", help="regrade this student even if up to date"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="grade on this Dask scheduler's workers, e.g. tcp://HOST:8786 (default: local processes)",
    )
    args = parser.parse_args(argv)

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)  # a terminated run stops its workers too
    course_dir = args.course_dir.resolve()
    timeout = args.cell_timeout
    if timeout is None:
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
        timeout = int(config.Execute.get("timeout", 120))
    limits = GradingLimits(
        cell_timeout=timeout,
        notebook_timeout=args.notebook_timeout,
        memory_bytes=int(args.memory_gib * 1024**3),
        max_output_bytes=args.max_output_kib * 1024,
        sandbox=not args.no_sandbox,
    )
    unknown = sorted(
        {a for a, _ in find_submissions(course_dir, args.assignment)} - set(assignments(course_dir))
    )
    if unknown:
        print(
            f"submitted/ has assignments with no source in {SOURCE_DIRECTORY}/ (not graded): {unknown}",
            file=sys.stderr,
        )
    if not find_submissions(course_dir, args.assignment):
        print(f"nothing to grade: no submitted/<student>/<assignment>/ in {course_dir}")
        return 0
    report = grade_class(
        course_dir,
        assignments_to_grade=args.assignment,
        jobs=args.jobs,
        limits=limits,
        force=args.force,
        regrade=args.regrade,
        scheduler=args.scheduler,
    )
    for r in report.results:
        reasons = "; ".join(r.reasons)
        print(
            f"{r.assignment}/{r.student}: {r.score:g}/{r.max_score:g} {r.status}"
            + (f" - {reasons}" if reasons else "")
        )
    print(
        f"{len(report.graded)} graded, {len(report.reused)} reused in {report.seconds:.2f} s "
        f"with {report.jobs} jobs; "
        f"grades.csv and {REASONS_CSV} written"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
