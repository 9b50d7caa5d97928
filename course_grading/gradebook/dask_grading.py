"""Grade a class on a Dask cluster: one task per submission, the same sandboxed grader on every worker.

``python -m course_grading.gradebook.batch --scheduler tcp://HOST:8786`` (``make grade SCHEDULER=...``)
grades like the local path, with a Dask worker in place of each local grading slot:

- **what travels**: a task carries the submission's top-level entries (regular files as bytes,
  symbolic links and special files as what they are, so the worker refuses them with the same
  reason) and the assignment's template (``source/`` and the registered ``gradebook.db``) as a
  tar archive. The archive is one small task of its own, keyed by the SHA-256 of its content,
  that every grading task depends on: a worker fetches it from a worker that holds it (once,
  while it keeps it) and unpacks it once into its local directory, by that SHA-256. Being a task
  rather than scattered data, it is recomputed from the scheduler's copy when every worker that
  held it is lost;
- **on the worker**: :func:`grade_on_worker` writes the submission into a private course folder
  and runs the local path's grader, :func:`course_grading.gradebook.batch.grade_one_submission`: one forked grader
  process, real nbgrader, the kernel in its sandbox (:mod:`course_grading.sandbox.process_sandbox`,
  :mod:`course_grading.sandbox.kernel_guard`). It returns the files of the result folder;
- **back home**: :func:`grade_on_cluster` stores each result as the local path does, and
  :func:`course_grading.gradebook.batch.grade_class` merges them: only the coordinator writes the gradebook;
- **a worker lost mid-submission** (killed, its host gone): Dask's scheduler runs the task again on
  another worker (``distributed.scheduler.allowed-failures``); the grader of the dead worker stops
  with it (:func:`course_grading.sandbox.isolation.stop_when_batch_is_gone`). Each submission yields one
  result, stored once;
- **which workers grade**: at the start every worker runs :func:`sandbox_problem`; one that cannot
  sandbox, or that declares no ``submissions`` resource, gets no task and the coordinator prints
  why. Each task takes one ``submissions`` resource: start a worker with
  ``--resources submissions=<its cores>`` and it grades at most that many at once.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course_grading.sandbox.isolation import RESULT_FILE, GradingLimits, SubmissionResult

__all__ = [
    "RESOURCE",
    "SubmissionTask",
    "grade_on_cluster",
    "grade_on_worker",
    "pack_submission",
    "sandbox_problem",
    "unpack_submission",
]

#: The worker resource one submission takes (``dask worker --resources submissions=N``).
RESOURCE = "submissions"
_CACHE = "course-grading"


@dataclass(frozen=True)
class SubmissionTask:
    """What a worker needs to grade one submission, besides its files and template."""

    assignment: str
    student: str
    notebook: str
    course_id: str
    limits: GradingLimits
    fingerprint: str
    n_code_cells: int


# ---------------------------------------------------------------- what travels


def pack_submission(folder: Path) -> dict[str, tuple[str, bytes]]:
    """The top-level entries of a submission folder: name -> ("file", content), ("link", target)
    or ("special", b"") for a pipe, socket or device. Links are read, never followed; folders are
    left out (the grader never copies them)."""
    entries: dict[str, tuple[str, bytes]] = {}
    for entry in os.scandir(folder) if folder.is_dir() else []:
        if entry.is_symlink():
            entries[entry.name] = ("link", os.readlink(entry.path).encode())
        elif entry.is_file(follow_symlinks=False):
            entries[entry.name] = ("file", Path(entry.path).read_bytes())
        elif not entry.is_dir(follow_symlinks=False):
            entries[entry.name] = ("special", b"")
    return entries


def unpack_submission(entries: dict[str, tuple[str, bytes]], folder: Path) -> None:
    """Recreate what :func:`pack_submission` read in ``folder`` (a special file as a named pipe)."""
    folder.mkdir(parents=True)
    for name, (kind, content) in entries.items():
        if "/" in name or name in (".", ".."):
            raise ValueError(f"a submission entry must be a plain name, got {name!r}")
        path = folder / name
        if kind == "link":
            os.symlink(content.decode(), path)
        elif kind == "special":
            os.mkfifo(path)
        else:
            path.write_bytes(content)


def _template_archive(template: Path, assignment: str) -> bytes:
    """``source/<assignment>`` and ``gradebook.db`` of a template, as a tar archive."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(template / "gradebook.db", arcname="gradebook.db")
        archive.add(template / "source" / assignment, arcname=f"source/{assignment}")
    return buffer.getvalue()


def _archive(archive: bytes) -> bytes:
    """The template task: its value is its argument, kept in the scheduler to be run again if lost."""
    return archive


_UNPACKING = threading.Lock()


def _cached_template(cache: Path, sha256: str, archive: bytes) -> Path:
    """The template of content ``sha256`` in this worker's cache, unpacked on first use."""
    folder = cache / "templates" / sha256
    with _UNPACKING:  # the worker's threads share the cache
        if folder.is_dir():
            return folder
        if hashlib.sha256(archive).hexdigest() != sha256:
            raise ValueError(f"the template archive fetched is not the one of SHA-256 {sha256}")
        scratch = Path(tempfile.mkdtemp(prefix=".template-", dir=_made(folder.parent)))
        with tarfile.open(fileobj=io.BytesIO(archive)) as opened:
            opened.extractall(scratch, filter="data")
        os.replace(scratch, folder)
    return folder


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---------------------------------------------------------------- on the worker

_RUNNER = None
_RUNNER_LOCK = threading.Lock()


def _runner():
    """This worker process's runner of grader processes (one, shared by its threads)."""
    global _RUNNER
    from course_grading.gradebook.batch import SubmissionRunner

    with _RUNNER_LOCK:
        if _RUNNER is None:
            _RUNNER = SubmissionRunner()
        return _RUNNER


def sandbox_problem() -> str:
    """Why this machine cannot grade in the sandbox, or "" if it can.

    Checked for real: Landlock must be available, and a child process must be able to enter
    the process sandbox (PID and mount namespace, its tmpfs) as the kernel does.
    """
    from course_grading.sandbox.kernel_guard import landlock_abi

    if landlock_abi() < 1:
        return "Linux Landlock is not available (Linux >= 5.13 with landlock in the LSM list)"
    probe = (
        "import sys; from pathlib import Path; "
        "from course_grading.sandbox.process_sandbox import enter_process_sandbox; "
        "print(enter_process_sandbox(Path(sys.argv[1]), 16, 1 << 20) or 'none')"
    )
    with tempfile.TemporaryDirectory(prefix="sandbox-check-") as folder:
        out = subprocess.run(
            [sys.executable, "-c", probe, folder], capture_output=True, text=True, timeout=60, check=False
        )
    if out.returncode != 0 or "namespace" not in out.stdout:
        detail = (out.stderr.strip().splitlines() or [out.stdout.strip() or f"exit {out.returncode}"])[-1]
        return f"cannot put a kernel in its own PID and mount namespace ({detail[:200]})"
    return ""


def grade_on_worker(
    task: SubmissionTask, entries: dict[str, tuple[str, bytes]], template: bytes, template_sha256: str
) -> dict[str, bytes]:
    """Grade one submission on this Dask worker; returns the files of its result folder.

    Parameters
    ----------
    task : SubmissionTask
    entries : dict
        The submission folder, as :func:`pack_submission` read it.
    template : bytes
        The template archive (the template task's value).
    template_sha256 : str
        The SHA-256 of ``template``.
    """
    from distributed import get_worker

    from course_grading.gradebook.batch import STATE_DIRECTORY, grade_one_submission

    cache = _made(Path(get_worker().local_directory) / _CACHE)
    template_folder = _cached_template(cache, template_sha256, template)
    course = Path(tempfile.mkdtemp(prefix="submission-", dir=cache))
    try:
        unpack_submission(entries, course / "submitted" / task.student / task.assignment)
        grade_one_submission(
            _runner(),
            course,
            course / STATE_DIRECTORY,
            template_folder,
            task.assignment,
            task.student,
            task.notebook,
            task.course_id,
            task.limits,
            task.fingerprint,
            task.n_code_cells,
        )
        done = course / STATE_DIRECTORY / "results" / task.assignment / task.student
        return {path.name: path.read_bytes() for path in done.iterdir() if path.is_file()}
    finally:
        shutil.rmtree(course, ignore_errors=True)


# ---------------------------------------------------------------- at the coordinator


def _store(done: Path, files: dict[str, bytes]) -> SubmissionResult:
    """Replace the result folder ``done`` with ``files`` at once; returns the result."""
    staging = done.with_name(f".{done.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, content in files.items():
        if "/" in name or name in (".", ".."):
            raise ValueError(f"a result file must be a plain name, got {name!r}")
        (staging / name).write_bytes(content)
    shutil.rmtree(done, ignore_errors=True)
    os.replace(staging, done)
    return SubmissionResult.from_json(files[RESULT_FILE].decode("utf-8"))


def _grading_workers(client, log: Callable[[str], None]) -> list[str]:
    """The workers that may grade: they can sandbox and declare the resource; the others are named."""
    problems = client.run(sandbox_problem)
    workers = client.scheduler_info(n_workers=-1)["workers"]
    able = []
    for address, info in sorted(workers.items()):
        problem = problems.get(address, "did not answer the sandbox check")
        if not problem and info.get("resources", {}).get(RESOURCE, 0) < 1:
            problem = f"declares no {RESOURCE!r} resource (start it with --resources {RESOURCE}=<its cores>)"
        if problem:
            log(f"worker {info.get('name', address)} ({address}) refuses to grade: {problem}")
        else:
            able.append(address)
    return able


def grade_on_cluster(
    scheduler: str,
    state: Path,
    submissions: list[tuple[SubmissionTask, Path, Path]],
    *,
    log: Callable[[str], None] = print,
) -> list[SubmissionResult]:
    """Grade submissions on the Dask cluster of ``scheduler``; store their results under ``state``.

    Parameters
    ----------
    scheduler : str
        The scheduler's address, e.g. ``tcp://10.0.0.5:8786``.
    state : Path
        The batch's state folder: each result lands in ``results/<assignment>/<student>/``.
    submissions : list of (SubmissionTask, submission folder, template folder)
    log : callable, default=print
        Told which workers refuse to grade and why.

    Returns
    -------
    list of SubmissionResult
        One per submission, in the order they finished.

    Raises
    ------
    RuntimeError
        If no worker of the cluster can grade.
    """
    from distributed import Client, as_completed

    if not submissions:
        return []
    with Client(scheduler) as client:
        workers = _grading_workers(client, log)
        if not workers:
            raise RuntimeError(f"no worker of {scheduler} can grade (see the messages above)")
        templates: dict[Path, tuple[object, str]] = {}
        futures = {}
        for task, folder, template in submissions:
            if template not in templates:
                archive = _template_archive(template, task.assignment)
                sha256 = hashlib.sha256(archive).hexdigest()
                key = f"course-grading-template-{sha256}"
                future = client.submit(_archive, archive, key=key, workers=workers)
                templates[template] = (future, sha256)
            future = client.submit(
                grade_on_worker,
                task,
                pack_submission(folder),
                *templates[template],
                key=f"grade-{task.assignment}-{task.student}-{task.fingerprint[:16]}",
                resources={RESOURCE: 1},
                workers=workers,
                allow_other_workers=False,
                pure=False,
            )
            futures[future] = task
        results = []
        try:
            for future in as_completed(futures):
                task = futures[future]
                results.append(_store(state / "results" / task.assignment / task.student, future.result()))
        except BaseException:
            client.cancel(list(futures))
            raise
    return results
