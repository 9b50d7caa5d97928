"""Harm to others: a student's kernel signals, traces, reaches and outlives nothing but itself.

One class of 01_cross_validation is graded once by the real batch, two kernels at a time:

- ``classmate_1``, ``classmate_2``: the solution, graded while the attacks run;
- ``kills_others``: a correct answer that, for 15 s, SIGKILLs every process of this grading it
  can find in ``/proc``, sends SIGTERM to the batch and prints its capabilities;
- ``hog``: a correct answer that forks until refused, fills its disk until refused, and leaves a
  double-forked ``setsid`` grandchild and a file in ``/dev/shm`` behind;
- ``victim``: a correct answer whose kernel the test kills with SIGKILL from outside (as the
  machine's OOM killer would): not stored as graded, and graded again on the next run;
- ``dials_out``: the shuffled-KFold mistake, and an answer cell that opens a TCP connection to
  a server the test runs on the host, at 127.0.0.1 and at the host's other address, then prints
  from a forked child (which ipykernel forwards over the kernel's own loopback).

Without a PID namespace (a laptop where Linux forbids one), Landlock's scoping is what keeps a
kernel from signalling or tracing others: the last test checks that layer alone.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from course_grading.gradebook.batch import STATE_DIRECTORY
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.handout.release import REPO_ROOT
from course_grading.intake.synthetic_class import new_course
from sandbox_class import ASSIGNMENT, SHUFFLED_KFOLD, GradedClass, grade, submit

MAX_PROCESSES = 64
MAX_DISK_MIB = 32
LIMITS = GradingLimits(cell_timeout=60, max_processes=MAX_PROCESSES, max_disk_bytes=MAX_DISK_MIB * 1024**2)
MARKER = f"left-behind-by-hog-{os.getpid()}"

pytestmark = pytest.mark.skipif(landlock_abi() < 6, reason="needs Linux Landlock with signal scoping (6.12+)")

KILLS_OTHERS = """
import os, signal, time

def grading_processes():
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
            except OSError:
                continue
            if b"@COURSE@" in cmdline:
                found.append(int(pid))
    return found

seen = set()
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    for pid in grading_processes():
        seen.add(pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.2)
try:
    os.kill(@BATCH_PID@, signal.SIGTERM)
    batch = "signalled"
except OSError as error:
    batch = type(error).__name__
capabilities = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("CapEff"))
print(f"grading processes in sight: {len(seen)}; batch: {batch}; capabilities: {capabilities}")
"""

FORKS = """
import os, time
children = []
try:
    while len(children) < 4 * @MAX_PROCESSES@:
        pid = os.fork()
        if pid == 0:
            time.sleep(120)
            os._exit(0)
        children.append(pid)
    print(f"forked {len(children)} processes: no cap")
except OSError as error:
    print(f"fork refused after {len(children)} processes ({type(error).__name__})")
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
"""

FILLS_DISK = """
import os
written, chunk = 0, b"x" * 2**20
try:
    with open("filler.bin", "wb") as handle:
        while written < 8 * @MAX_DISK_MIB@ * 2**20:
            handle.write(chunk)
            handle.flush()
            written += len(chunk)
    print(f"wrote {written >> 20} MiB: no cap")
except OSError as error:
    print(f"disk full after {written >> 20} MiB ({error.strerror})")
os.remove("filler.bin")
"""

LEAVES_BEHIND = """
import subprocess, sys
grandchild = "import os, time; os.setsid(); os.fork() and os._exit(0); time.sleep(600)  # @MARKER@"
subprocess.run([sys.executable, "-c", grandchild], check=True)
with open("/dev/shm/@MARKER@", "w") as handle:
    handle.write("left behind")
print("a setsid grandchild runs and /dev/shm holds a file")
"""

VICTIM_MARKER = f"victim-waits-{os.getpid()}"
VICTIM = f"""
import subprocess, sys
subprocess.run([sys.executable, "-c", "import time; time.sleep(8)  # {VICTIM_MARKER}"], check=True)
"""

DIALS_OUT = """
import errno, os, socket, sys
for host in @HOSTS@:
    try:
        socket.create_connection((host, @PORT@), timeout=10).close()
        print(f"{host}: connected")
    except OSError as error:
        print(f"{host}: {errno.errorcode.get(error.errno, error)}")
child = os.fork()  # ipykernel forwards a forked child's output over TCP on the kernel's own loopback
if child == 0:
    print("printed by a forked child")
    sys.stdout.flush()
    os._exit(0)
os.waitpid(child, 0)
"""


def fill(template: str, **values: object) -> str:
    for name, value in values.items():
        template = template.replace(f"@{name}@", str(value))
    return template


def grading_processes(course: Path) -> list[psutil.Process]:
    """The processes whose command line names this class's work folder or a marker of its kernels."""
    work = str(course / STATE_DIRECTORY / "work" / ASSIGNMENT)
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(work in arg or MARKER in arg or VICTIM_MARKER in arg for arg in process.info["cmdline"] or []):
            found.append(process)
    return found


def kill_kernel_from_outside(stop: threading.Event) -> None:
    """SIGKILL the victim's kernel while it runs its first answer cell, as an OOM killer would."""
    while not stop.is_set():
        for process in psutil.process_iter(["cmdline"]):
            if any(VICTIM_MARKER in arg for arg in process.info["cmdline"] or []):
                with contextlib.suppress(psutil.Error):
                    process.parent().kill()  # the kernel: PID 1 of its namespace
                    return
        time.sleep(0.1)


def host_addresses() -> list[str]:
    """127.0.0.1 and the host's first IPv4 address that is not loopback (if it has one)."""
    others = [
        address.address
        for addresses in psutil.net_if_addrs().values()
        for address in addresses
        if address.family == socket.AF_INET and not address.address.startswith("127.")
    ]
    return ["127.0.0.1", *others[:1]]


@pytest.fixture(scope="module")
def host_server() -> Iterator[socket.socket]:
    """A TCP server of the host's network, on every address, that accepts nothing by itself."""
    with socket.create_server(("0.0.0.0", 0)) as server:
        server.setblocking(False)
        yield server


@dataclass
class TwoRuns:
    first: GradedClass
    victim_feedback: str  # after the first run (the second one writes the victim's page again)
    second: GradedClass


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, host_server: socket.socket) -> TwoRuns:
    course = new_course(tmp_path_factory.mktemp("harm") / "course", [ASSIGNMENT])
    submit(course, "classmate_1")
    submit(course, "classmate_2")
    kills_others = fill(KILLS_OTHERS, COURSE=course, BATCH_PID=os.getpid())
    submit(course, "kills_others", {"stratified_cv_scores": kills_others})
    submit(
        course,
        "hog",
        {
            "group_splits": fill(FORKS, MAX_PROCESSES=MAX_PROCESSES),
            "group_leakage_gap": fill(FILLS_DISK, MAX_DISK_MIB=MAX_DISK_MIB),
            "cv_summary": fill(LEAVES_BEHIND, MARKER=MARKER),
        },
    )
    submit(course, "victim", {"stratified_cv_scores": VICTIM})
    dials_out = fill(DIALS_OUT, HOSTS=host_addresses(), PORT=host_server.getsockname()[1])
    submit(course, "dials_out", replaced={"stratified_cv_scores": SHUFFLED_KFOLD + dials_out})
    stop = threading.Event()
    killer = threading.Thread(target=kill_kernel_from_outside, args=(stop,))
    killer.start()
    try:
        first = grade(course, LIMITS)
    finally:
        stop.set()
        killer.join()
    return TwoRuns(first, first.feedback("victim"), grade(course, LIMITS))


@pytest.mark.parametrize("student", ["classmate_1", "classmate_2", "kills_others", "hog"])
def test_every_kernel_keeps_full_marks_while_the_others_attack(graded: TwoRuns, student: str) -> None:
    first = graded.first
    assert first.score(student) == 10, f"{student}: {first.reasons[student]}"
    assert first.report.result(ASSIGNMENT, student).status == "graded"
    assert first.reasons[student] == ""


def test_a_kernel_sees_no_other_process_cannot_signal_the_batch_and_has_no_capability(
    graded: TwoRuns,
) -> None:
    first = graded.first
    printed = first.printed("kills_others", "stratified_cv_scores")
    assert "grading processes in sight: 0; batch: ProcessLookupError" in printed, printed
    assert "capabilities: 0000000000000000" in printed, "the kernel kept some of root's capabilities"


def test_the_number_of_processes_is_capped(graded: TwoRuns) -> None:
    printed = graded.first.printed("hog", "group_splits")
    assert "fork refused after" in printed and "(BlockingIOError)" in printed, printed
    assert int(printed.split("fork refused after ")[1].split()[0]) < MAX_PROCESSES


def test_what_a_kernel_writes_is_capped_in_total(graded: TwoRuns) -> None:
    printed = graded.first.printed("hog", "group_leakage_gap")
    assert "(No space left on device)" in printed, printed
    assert int(printed.split("disk full after ")[1].split()[0]) <= MAX_DISK_MIB


def test_nothing_of_a_kernel_outlives_its_grading(graded: TwoRuns) -> None:
    first = graded.first
    assert "a setsid grandchild runs and /dev/shm holds a file" in first.printed("hog", "cv_summary")
    assert grading_processes(first.course) == [], "a process of the graded kernels is still running"
    assert not Path("/dev/shm", MARKER).exists(), "a file of a kernel's /dev/shm outlived its grading"
    assert not (first.course / STATE_DIRECTORY / "work" / ASSIGNMENT).exists() or not any(
        (first.course / STATE_DIRECTORY / "work" / ASSIGNMENT).iterdir()
    ), "a submission's work folder was left behind"


def test_a_kernel_killed_from_outside_is_not_a_result_and_is_graded_again(graded: TwoRuns) -> None:
    first, second = graded.first, graded.second
    killed = first.report.result(ASSIGNMENT, "victim")
    assert killed.status == "failed", killed.incidents
    assert (
        "kernel died in stratified_cv_scores (killed by SIGKILL); "
        "killed from outside its sandbox: not a result, graded again on the next run"
    ) in first.reasons["victim"], first.reasons["victim"]
    assert "killed from outside its sandbox" in graded.victim_feedback
    assert second.report.graded == [f"{ASSIGNMENT}/victim"]
    assert second.report.result(ASSIGNMENT, "victim").status == "graded" and second.score("victim") == 10


def test_a_kernel_reaches_no_tcp_server_on_the_hosts_loopback_and_is_graded_as_usual(
    graded: TwoRuns, host_server: socket.socket
) -> None:
    first = graded.first
    printed = first.printed("dials_out", "stratified_cv_scores")
    assert "127.0.0.1: ECONNREFUSED" in printed, printed  # the kernel's own loopback, where nothing listens
    assert "connected" not in printed, printed
    assert "printed by a forked child" in printed, "the kernel's own loopback is not up"
    with pytest.raises(BlockingIOError):
        host_server.accept()
    assert first.score("dials_out") == 9, first.reasons["dials_out"]
    assert first.report.result(ASSIGNMENT, "dials_out").status == "graded"
    assert "stratified_cv_scores_hidden" in first.reasons["dials_out"], first.reasons["dials_out"]


def test_a_kernel_reaches_no_tcp_server_at_the_hosts_other_address(
    graded: TwoRuns, host_server: socket.socket
) -> None:
    others = host_addresses()[1:]
    if not others:
        pytest.skip("this host has no IPv4 address but loopback")
    printed = graded.first.printed("dials_out", "stratified_cv_scores")
    assert f"{others[0]}: ENETUNREACH" in printed, printed
    with pytest.raises(BlockingIOError):
        host_server.accept()


def test_landlock_alone_keeps_a_process_from_signalling_tracing_or_reaching_others(tmp_path: Path) -> None:
    code = f"""
import os, signal, socket
from pathlib import Path
from course_grading.sandbox.kernel_guard import apply_landlock, readable_paths

listener = socket.socket(socket.AF_UNIX)
name = "\\0course-grading-test-{os.getpid()}"
listener.bind(name)
listener.listen()
apply_landlock(readable_paths(), [Path({str(tmp_path)!r})])
child = os.fork()
if child == 0:
    signal.pause()
results = []
for what, attempt in [
    ("signal the parent", lambda: os.kill(os.getppid(), 0)),
    ("trace the parent", lambda: open(f"/proc/{{os.getppid()}}/mem", "rb").read(1)),
    ("reach an outside socket", lambda: socket.socket(socket.AF_UNIX).connect(name)),
    ("signal its own child", lambda: os.kill(child, signal.SIGKILL)),
]:
    try:
        attempt()
        results.append(f"{{what}}: allowed")
    except OSError as error:
        results.append(f"{{what}}: {{type(error).__name__}}")
os.waitpid(child, 0)
print("; ".join(results))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60
    )
    assert out.stdout.strip() == (
        "signal the parent: PermissionError; trace the parent: PermissionError; "
        "reach an outside socket: PermissionError; signal its own child: allowed"
    ), out.stdout + out.stderr
