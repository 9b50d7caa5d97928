"""A Dask cluster of local processes: ``dask scheduler`` and ``dask worker``, started and stopped.

What the Dask grading test (``tests/grading/test_dask_grading.py``) and the grading benchmark
(``benchmarks/grading.py``) grade on: real ``dask`` command-line processes of this venv, each in
a session of its own with its output in a log file of the cluster's folder. A worker runs
without a nanny (killing it kills the worker itself), with one thread per ``submissions`` slot
and a local directory of its own; its command can be prefixed, e.g. with
``ip netns exec NAME`` to run it in a network namespace as a host of its own.

Use :func:`local_cluster`, which stops every process when its block ends::

    with local_cluster(folder, [WorkerSpec("a"), WorkerSpec("b")]) as cluster:
        cluster.wait_for_workers()
        grade_class(course, scheduler=cluster.address)
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from course_grading.gradebook.dask_grading import RESOURCE

__all__ = ["LocalCluster", "WorkerProcess", "WorkerSpec", "local_cluster"]

_DASK = str(Path(sys.executable).with_name("dask"))
_START_TIMEOUT = 120.0


@dataclass(frozen=True)
class WorkerSpec:
    """One worker to start.

    Attributes
    ----------
    name : str
        Its Dask name, and the name of its local directory and log file.
    slots : int, default=1
        Its ``submissions`` resource and threads; 0 declares no resource (one thread).
    host : str, default="127.0.0.1"
        The address it listens on.
    command_prefix : tuple of str, default=()
        Put before the ``dask worker`` command, e.g. ``("ip", "netns", "exec", "ns-a")``.
    """

    name: str
    slots: int = 1
    host: str = "127.0.0.1"
    command_prefix: tuple[str, ...] = ()


@dataclass
class WorkerProcess:
    """A started worker: its name, process and local directory."""

    name: str
    process: subprocess.Popen
    local_directory: Path


@dataclass
class LocalCluster:
    """A started scheduler at ``address`` and its workers; logs and local directories in ``folder``."""

    folder: Path
    address: str
    scheduler: subprocess.Popen
    workers: list[WorkerProcess] = field(default_factory=list)

    def add_worker(self, spec: WorkerSpec) -> WorkerProcess:
        """Start one ``dask worker`` for this cluster's scheduler (see :class:`WorkerSpec`)."""
        local = self.folder / spec.name
        local.mkdir()
        resources = ["--resources", f"{RESOURCE}={spec.slots}"] if spec.slots else []
        argv = [
            *spec.command_prefix, _DASK, "worker", self.address, "--name", spec.name, "--no-nanny",
            "--nthreads", str(max(1, spec.slots)), "--host", spec.host, "--no-dashboard",
            "--local-directory", str(local), *resources,
        ]
        worker = WorkerProcess(spec.name, _start(self.folder / f"{spec.name}.log", argv), local)
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, timeout: float = _START_TIMEOUT) -> None:
        """Return once every started worker has joined the scheduler."""
        from distributed import Client

        with Client(self.address, timeout=timeout) as client:
            client.wait_for_workers(len(self.workers), timeout=timeout)

    def stop(self) -> None:
        """SIGKILL every process of the cluster (each one's whole session) and reap them."""
        for process in [worker.process for worker in self.workers] + [self.scheduler]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _start(log_path: Path, argv: list[str]) -> subprocess.Popen:
    with open(log_path, "wb") as log:  # what the process said, for a failing run
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _scheduler_address(scheduler_file: Path, scheduler: subprocess.Popen) -> str:
    """The address the scheduler wrote into its file (``json.dump`` into it: read until complete)."""
    deadline = time.monotonic() + _START_TIMEOUT
    while scheduler.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
            return json.loads(scheduler_file.read_text())["address"]
        time.sleep(0.2)
    raise RuntimeError(f"the Dask scheduler did not start: see {scheduler_file.with_name('scheduler.log')}")


@contextlib.contextmanager
def local_cluster(
    folder: Path, workers: Sequence[WorkerSpec], *, host: str = "127.0.0.1"
) -> Iterator[LocalCluster]:
    """Start a scheduler listening on ``host`` (a free port) and ``workers``; stop them all at the end.

    Parameters
    ----------
    folder : Path
        A folder to create for the logs (``scheduler.log``, ``<worker>.log``) and local directories.
    workers : sequence of WorkerSpec
        The workers to start; :meth:`LocalCluster.add_worker` starts more.
    host : str, default="127.0.0.1"
        The scheduler's address.

    Yields
    ------
    LocalCluster
        Started, the workers perhaps not joined yet (:meth:`LocalCluster.wait_for_workers`).
    """
    folder.mkdir(parents=True)
    scheduler_file = folder / "scheduler.json"
    scheduler = _start(
        folder / "scheduler.log",
        [_DASK, "scheduler", "--host", host, "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
    )
    cluster = LocalCluster(folder, "", scheduler)
    try:
        cluster.address = _scheduler_address(scheduler_file, scheduler)
        for spec in workers:
            cluster.add_worker(spec)
        yield cluster
    finally:
        cluster.stop()
