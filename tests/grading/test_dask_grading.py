"""Grading on a real Dask cluster: a scheduler and three workers, each worker a host of its own.

Each worker runs in a network namespace of its own (``ip netns``), joined to the test's host by
a veth pair on one bridge with a private address (``10.213.N.0/24``); the scheduler listens on the
bridge's address, so a worker reaches it, and the other workers, only over its veth. The test
creates the namespaces and the bridge, named after its PID, and removes them at the end (and any
left by an earlier run of this test that was killed).

On that network the test starts ``dask scheduler`` and two ``dask worker`` processes (no nanny, one
thread and one ``submissions`` resource each, their own local directory) and a third worker without
the resource, which must get no submission and be named with the reason (the shared starter is
:mod:`course_grading.gradebook.dask_cluster`); grades a small synthetic class of
01_cross_validation through :func:`course_grading.gradebook.batch.grade_class` with
``scheduler=``, and SIGKILLs the first worker that starts grading a submission. The submission it
held is graded on the other worker, once; the gradebook equals a local run's on the same class,
and nothing of the dead worker's grading (its grader, its kernel) keeps running.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from course_grading.gradebook.batch import ClassReport, dump_gradebook, grade_class
from course_grading.gradebook import dask_grading
from course_grading.gradebook.dask_cluster import WorkerProcess, WorkerSpec, local_cluster
from course_grading.gradebook.dask_grading import RESOURCE, pack_submission, sandbox_problem, unpack_submission
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.intake.synthetic_class import make_class, new_course

ASSIGNMENT = "01_cross_validation"
N_STUDENTS = 3
LIMITS = GradingLimits(cell_timeout=60)
#: The workers: two with a grading slot, one without.
WORKERS = (("worker-a", 1), ("worker-b", 1), ("no-slots", 0))
#: Names of this test's namespaces and bridge; the PID keeps two runs apart.
NAMESPACE_PREFIX = "dasktest-"
BRIDGE_PREFIX = "dtb"

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")


# ---------------------------------------------------------------- one host per worker


@dataclass(frozen=True)
class Network:
    """The bridge on the test's host, its address (the scheduler's) and one namespace per worker."""

    bridge: str
    address: str
    namespaces: dict[str, str]  # worker name -> namespace
    addresses: dict[str, str]  # worker name -> its address in its namespace


def _ip(*args: str) -> str:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _remove_leftovers() -> None:
    """Remove the namespaces and bridges of earlier runs of this test whose process is gone."""
    for line in _ip("netns", "list").splitlines():
        name = line.split()[0] if line.strip() else ""
        match = re.fullmatch(re.escape(NAMESPACE_PREFIX) + r"(\d+)-\d+", name)
        if match and not psutil.pid_exists(int(match[1])):
            _ip("netns", "delete", name)
    bridges = _ip("-o", "link", "show", "type", "bridge")
    for pid in re.findall(r"^\d+: " + BRIDGE_PREFIX + r"(\d+)[:@]", bridges, re.MULTILINE):
        if not psutil.pid_exists(int(pid)):
            _ip("link", "delete", f"{BRIDGE_PREFIX}{pid}")


def _remove(network: Network) -> None:
    for namespace in network.namespaces.values():  # a namespace's end of a veth takes its pair with it
        with contextlib.suppress(RuntimeError):
            _ip("netns", "delete", namespace)
    with contextlib.suppress(RuntimeError):
        _ip("link", "delete", network.bridge)


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    """One network namespace per worker, each a veth pair on a bridge with the host; removed at the end."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip(
            "each Dask worker runs in a network namespace of its own: creating them needs root and "
            "iproute2's `ip` (scripts/install_system_packages.sh)"
        )
    _remove_leftovers()
    pid = os.getpid()
    subnet = f"10.213.{pid % 256}"  # a private range; two live runs share it only if their PIDs agree mod 256
    network = Network(
        f"{BRIDGE_PREFIX}{pid}", f"{subnet}.1",
        {name: f"{NAMESPACE_PREFIX}{pid}-{i}" for i, (name, _) in enumerate(WORKERS)},
        {name: f"{subnet}.{10 + i}" for i, (name, _) in enumerate(WORKERS)},
    )
    try:
        _ip("link", "add", network.bridge, "type", "bridge")
        _ip("addr", "add", f"{network.address}/24", "dev", network.bridge)
        _ip("link", "set", network.bridge, "up")
        for i, (name, namespace) in enumerate(network.namespaces.items()):
            outside, inside = f"dt{pid}h{i}", f"dt{pid}n{i}"
            _ip("netns", "add", namespace)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside, "netns", namespace)
            _ip("link", "set", outside, "master", network.bridge, "up")
            _ip("-n", namespace, "addr", "add", f"{network.addresses[name]}/24", "dev", inside)
            _ip("-n", namespace, "link", "set", inside, "up")
            _ip("-n", namespace, "link", "set", "lo", "up")
        yield network
    finally:
        _remove(network)


# ---------------------------------------------------------------- the cluster run


def _grading(worker: WorkerProcess) -> bool:
    """True once a submission is being graded on ``worker`` (its grader's work folder exists)."""
    return any(worker.local_directory.glob("**/course-grading/submission-*/.grading/work/*/*"))


def _kill_the_first_that_grades(
    workers: list[WorkerProcess], stop: threading.Event, killed: list[WorkerProcess]
) -> None:
    while not stop.is_set():
        for worker in workers:
            if _grading(worker):
                worker.process.send_signal(signal.SIGKILL)
                killed.append(worker)
                return
        time.sleep(0.05)


def _worker_addresses(scheduler: str) -> dict[str, str]:
    """Worker name -> the address the scheduler knows it by, without the port."""
    from distributed import Client

    with Client(scheduler, timeout=120) as client:
        workers = client.scheduler_info(n_workers=-1)["workers"]
    return {
        info["name"]: address.removeprefix("tcp://").rsplit(":", 1)[0]
        for address, info in workers.items()
    }


@dataclass
class ClusterRun:
    report: ClassReport
    gradebook: list[tuple]
    local_gradebook: list[tuple]
    killed: list[WorkerProcess]
    left_running: list[str]
    printed: str
    unused: WorkerProcess
    worker_addresses: dict[str, str]
    network: Network


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory: pytest.TempPathFactory, network: Network) -> Iterator[ClusterRun]:
    root = tmp_path_factory.mktemp("dask")
    local = new_course(root / "local", [ASSIGNMENT])
    remote = new_course(root / "remote", [ASSIGNMENT])
    make_class(local, [ASSIGNMENT], N_STUDENTS)
    make_class(remote, [ASSIGNMENT], N_STUDENTS)
    specs = [
        WorkerSpec(name, slots, network.addresses[name], ("ip", "netns", "exec", network.namespaces[name]))
        for name, slots in WORKERS
    ]
    with local_cluster(root / "cluster", specs, host=network.address) as cluster:
        cluster.wait_for_workers()
        addresses = _worker_addresses(cluster.address)
        stop, killed = threading.Event(), []
        killer = threading.Thread(target=_kill_the_first_that_grades, args=(cluster.workers, stop, killed))
        killer.start()
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                report = grade_class(remote, limits=LIMITS, scheduler=cluster.address)
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
            unused=cluster.workers[-1], worker_addresses=addresses, network=network,
        )


def test_each_worker_is_a_host_of_its_own_the_scheduler_sees_its_namespace_address(
    cluster_run: ClusterRun,
) -> None:
    assert cluster_run.worker_addresses == cluster_run.network.addresses  # not 127.0.0.1


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
