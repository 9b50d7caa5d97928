"""Grading on a real Dask cluster: a scheduler and two workers on loopback, one killed mid-run.

The test starts ``dask scheduler`` and two ``dask worker`` processes (no nanny, one thread and
one ``submissions`` resource each, their own local directory) and a third worker without the
resource, which must get no submission and be named with the reason; grades a small synthetic class
of 01_cross_validation through :func:`course_grading.gradebook.batch.grade_class` with ``scheduler=``,
and SIGKILLs the first worker that starts grading a submission. The submission it held is
graded on the other worker, once; the gradebook equals a local run's on the same class, and
nothing of the dead worker's grading (its grader, its kernel) keeps running.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from course_grading.gradebook.batch import ClassReport, dump_gradebook, grade_class
from course_grading.gradebook import dask_grading
from course_grading.gradebook.dask_grading import RESOURCE, pack_submission, sandbox_problem, unpack_submission
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.intake.synthetic_class import make_class, new_course

ASSIGNMENT = "01_cross_validation"
N_STUDENTS = 3
LIMITS = GradingLimits(cell_timeout=60)
DASK = str(Path(sys.executable).with_name("dask"))

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    local_directory: Path

    def grading(self) -> bool:
        """True once a submission is being graded here (its grader's work folder exists)."""
        return any(self.local_directory.glob("**/course-grading/submission-*/.grading/work/*/*"))


def _start_cluster(root: Path) -> tuple[subprocess.Popen, str, list[Worker]]:
    root.mkdir()
    scheduler_file = root / "scheduler.json"

    def start(name: str, argv: list[str]) -> subprocess.Popen:
        with open(root / f"{name}.log", "wb") as log:  # what each process said, for a failing run
            return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    scheduler = start(
        "scheduler",
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
    )
    deadline = time.monotonic() + 120
    while not scheduler_file.is_file() and scheduler.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    address = json.loads(scheduler_file.read_text())["address"]
    workers = []
    one_slot = ["--resources", f"{RESOURCE}=1"]
    for name, slots in (("worker-a", one_slot), ("worker-b", one_slot), ("no-slots", [])):
        local = root / name
        local.mkdir()
        process = start(
            name,
            [DASK, "worker", address, "--name", name, "--no-nanny", "--nthreads", "1", "--host", "127.0.0.1",
             "--no-dashboard", "--local-directory", str(local), *slots],
        )
        workers.append(Worker(name, process, local))
    return scheduler, address, workers


def _wait_for_workers(address: str, n: int) -> None:
    from distributed import Client

    with Client(address, timeout=120) as client:
        client.wait_for_workers(n, timeout=120)


def _kill_the_first_that_grades(workers: list[Worker], stop: threading.Event, killed: list[Worker]) -> None:
    while not stop.is_set():
        for worker in workers:
            if worker.grading():
                worker.process.send_signal(signal.SIGKILL)
                killed.append(worker)
                return
        time.sleep(0.05)


@dataclass
class ClusterRun:
    report: ClassReport
    gradebook: list[tuple]
    local_gradebook: list[tuple]
    killed: list[Worker]
    left_running: list[str]
    printed: str
    unused: Worker


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterRun]:
    root = tmp_path_factory.mktemp("dask")
    local = new_course(root / "local", [ASSIGNMENT])
    remote = new_course(root / "remote", [ASSIGNMENT])
    make_class(local, [ASSIGNMENT], N_STUDENTS)
    make_class(remote, [ASSIGNMENT], N_STUDENTS)
    scheduler, address, workers = _start_cluster(root / "cluster")
    try:
        _wait_for_workers(address, len(workers))
        stop, killed = threading.Event(), []
        killer = threading.Thread(target=_kill_the_first_that_grades, args=(workers, stop, killed))
        killer.start()
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                report = grade_class(remote, limits=LIMITS, scheduler=address)
        finally:
            stop.set()
            killer.join()
        time.sleep(1.0)  # the dead worker's grader notices within 0.2 s, its kernel's supervisor within 0.1 s
        left = [
            " ".join(p.info["cmdline"] or [])
            for p in psutil.process_iter(["cmdline"])
            if killed and any(str(killed[0].local_directory) in arg for arg in p.info["cmdline"] or [])
        ]
        grade_class(local, jobs=2, limits=LIMITS)
        yield ClusterRun(
            report, dump_gradebook(remote), dump_gradebook(local), killed, left, printed.getvalue(),
            unused=workers[-1],
        )
    finally:
        for process in [w.process for w in workers] + [scheduler]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_worker_killed_mid_submission_loses_nothing_and_leaves_nothing_running(
    cluster_run: ClusterRun,
) -> None:
    assert len(cluster_run.killed) == 1, "no worker was seen grading, so none was killed"
    assert cluster_run.killed[0].process.poll() == -signal.SIGKILL
    students = [f"{ASSIGNMENT}/s{index:03d}" for index in range(N_STUDENTS)]
    assert cluster_run.report.graded == students
    assert [r.status for r in cluster_run.report.results] == ["graded"] * N_STUDENTS, [
        r.reasons for r in cluster_run.report.results
    ]
    assert cluster_run.left_running == [], "the killed worker's grader or kernel is still running"


def test_the_cluster_gradebook_equals_a_local_run(cluster_run: ClusterRun) -> None:
    assert len(cluster_run.local_gradebook) > N_STUDENTS
    assert cluster_run.gradebook == cluster_run.local_gradebook


def test_a_submission_travels_as_data_links_and_special_files_included(tmp_path: Path) -> None:
    folder = tmp_path / "submitted"
    folder.mkdir()
    (folder / "answer.ipynb").write_text("{}", encoding="utf-8")
    (folder / "solution.ipynb").symlink_to("/etc/passwd")
    os.mkfifo(folder / "pipe")
    (folder / "sub").mkdir()
    entries = pack_submission(folder)
    assert entries == {"answer.ipynb": ("file", b"{}"), "solution.ipynb": ("link", b"/etc/passwd"),
                       "pipe": ("special", b"")}
    copy = tmp_path / "copy"
    unpack_submission(entries, copy)
    assert os.readlink(copy / "solution.ipynb") == "/etc/passwd"
    assert (copy / "pipe").is_fifo() and (copy / "answer.ipynb").read_text(encoding="utf-8") == "{}"
    with pytest.raises(ValueError, match="plain name"):
        unpack_submission({"../escape": ("file", b"")}, tmp_path / "other")


def test_a_worker_without_grading_slots_gets_no_submission_and_is_named(cluster_run: ClusterRun) -> None:
    assert "worker no-slots (" in cluster_run.printed, cluster_run.printed
    assert f"refuses to grade: declares no '{RESOURCE}' resource" in cluster_run.printed, cluster_run.printed
    assert not any(cluster_run.unused.local_directory.glob("**/course-grading")), "it graded a submission"


def test_the_sandbox_check_passes_here_and_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sandbox_problem() == ""
    monkeypatch.setattr("course_grading.sandbox.kernel_guard.landlock_abi", lambda: 0)
    assert "Landlock is not available" in dask_grading.sandbox_problem()
