"""The grading kernel's process tree: its own PID and mount namespace, a process cap, a disk cap.

:func:`enter_process_sandbox` is the first thing ``python -m course_grading.sandbox.kernel_guard`` does.
It forks the kernel into a new PID namespace and mount namespace (``unshare(2)``; as root
directly, otherwise inside a new user namespace, where Linux allows it) and keeps the
original process as a small supervisor that jupyter_client sees as the kernel:

- the kernel is PID 1 of its namespace: it cannot see, hence cannot signal or trace, any
  process outside it, and when it ends Linux kills every process left in the namespace
  (``pid_namespaces(7)``), double-forked ``setsid`` grandchildren included;
- the supervisor forwards ``SIGTERM``, ends with the kernel's own exit status (or signal),
  kills the kernel if the grader that started it is gone, and the kernel gets ``SIGKILL``
  when the supervisor dies (``PR_SET_PDEATHSIG``);
- the sandbox folder becomes a ``tmpfs`` of at most ``max_disk_bytes`` (its files copied in),
  ``/dev/shm`` is a folder of it and ``/proc`` shows the namespace's processes only: nothing
  the kernel writes outlives it, and all it writes together is capped;
- the number of processes (threads included) is capped: by a pids cgroup when this process
  may create one (root), by ``RLIMIT_NPROC`` in the user namespace otherwise (Linux does not
  enforce ``RLIMIT_NPROC`` on root, ``fork(2)``);
- the kernel gives up every capability (``capabilities(7)``): run by root, it keeps uid 0 for
  its files but cannot reconfigure the network, set the clock or load a kernel module.

When no namespace can be created (another OS, user namespaces disabled) the kernel runs as
before, in this process, and :func:`enter_process_sandbox` says so; Landlock's signal scoping
(:mod:`course_grading.sandbox.kernel_guard`) still keeps it from signalling other processes.

:func:`enter_network_namespace` is the first thing a grading worker
(:func:`course_grading.sandbox.isolation.main`) does: the worker, the nbgrader it runs and the kernel
nbgrader starts share a network namespace of their own in which only loopback is up. Their
channels are abstract UNIX sockets, which belong to a network namespace (``unix(7)``), so
they must be in the same one; and no process in it can reach the host's addresses (its
loopback included: that is the host namespace's) nor any other machine (``network_namespaces(7)``).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import resource
import shutil
import signal
import socket
import struct
import sys
import time
from pathlib import Path

__all__ = ["enter_network_namespace", "enter_process_sandbox"]

_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP, _IFREQ_FLAGS = 0x8913, 0x8914, 0x1, "16sh22x"  # linux/sockios.h, if.h
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
_PR_SET_PDEATHSIG, _PR_CAPBSET_DROP, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 1, 24, 47, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_CGROUP_PREFIX = "course-grading-kernel-"
_PIDS_V1, _CGROUP_V2 = Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _c_string(text: object) -> bytes | None:
    return None if text is None else str(text).encode()


def _mount(source: str, target: Path | str, fstype: str | None, flags: int, data: str | None = None) -> None:
    result = _libc().mount(
        _c_string(source), _c_string(target), _c_string(fstype), ctypes.c_ulong(flags), _c_string(data)
    )
    _check(result, f"mount {target}")


def _unshare(namespaces: int) -> str:
    """Enter new ``namespaces`` (and a user namespace unless root); returns the mode used, "" if refused.

    In the user namespace this process keeps its user and group ids (mapped to themselves).
    """
    libc = _libc()
    if os.geteuid() == 0 and libc.unshare(namespaces) == 0:
        return "root"
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(_CLONE_NEWUSER | namespaces) != 0:
        return ""
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    return "user"


def _bring_up_loopback() -> None:
    """Set the ``lo`` interface of this network namespace up (``SIOCSIFFLAGS``, ``netdevice(7)``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack(_IFREQ_FLAGS, b"lo", 0)
        flags = struct.unpack(_IFREQ_FLAGS, fcntl.ioctl(probe, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(probe, _SIOCSIFFLAGS, struct.pack(_IFREQ_FLAGS, b"lo", flags | _IFF_UP))


def enter_network_namespace() -> str:
    """Move this process into a new network namespace in which only loopback is up.

    Everything this process starts afterwards (nbgrader's kernel) is in it too. Call it while
    the process has a single thread: a user namespace requires it (``unshare(2)``), and the
    namespace is the calling thread's.

    Returns
    -------
    str
        What was set up: "" if Linux refused a network namespace (then the host's network is
        reachable), else ``network namespace (root), loopback only`` or ``(user)``.
    """
    if not sys.platform.startswith("linux"):
        return ""
    mode = _unshare(_CLONE_NEWNET)
    if not mode:
        return ""
    _bring_up_loopback()
    return f"network namespace ({mode}), loopback only"


def _own_pids_cgroup() -> Path | None:
    """The cgroup of this process under which a pids-capped child cgroup can be made, if any.

    cgroup v1: the pids hierarchy. cgroup v2: only if this cgroup delegates the pids
    controller to its children (``cgroup.subtree_control``).
    """
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "pids" in controllers.split(","):
            candidate = _PIDS_V1 / path.lstrip("/")
        elif not controllers:
            candidate = _CGROUP_V2 / path.lstrip("/")
            with contextlib.suppress(OSError):
                if "pids" not in (candidate / "cgroup.subtree_control").read_text().split():
                    continue
        else:
            continue
        if (candidate / "cgroup.procs").exists():
            return candidate
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    return True


def _remove_stale_cgroups() -> None:
    """Remove the process-cap cgroups whose supervisor is gone (a killed supervisor leaves one)."""
    parent = _own_pids_cgroup()
    for folder in parent.glob(f"{_CGROUP_PREFIX}*") if parent is not None else []:
        supervisor = folder.name.removeprefix(_CGROUP_PREFIX)
        if supervisor.isdigit() and not _alive(int(supervisor)):
            with contextlib.suppress(OSError):  # still busy, or removed meanwhile
                folder.rmdir()


def _cap_processes(pid: int, max_processes: int) -> Path | None:
    """Put ``pid`` into a new pids cgroup of at most ``max_processes`` tasks; None if not allowed."""
    parent = _own_pids_cgroup()
    if parent is None:
        return None
    _remove_stale_cgroups()
    folder = parent / f"{_CGROUP_PREFIX}{os.getpid()}"
    try:
        folder.mkdir()
        (folder / "pids.max").write_text(str(max_processes))
        (folder / "cgroup.procs").write_text(str(pid))
    except OSError:
        with contextlib.suppress(OSError):
            folder.rmdir()
        return None
    return folder


def _private_files(sandbox: Path, max_disk_bytes: int) -> None:
    """Make ``sandbox`` a tmpfs of ``max_disk_bytes`` holding its files, with /dev/shm inside it,
    and mount the /proc of this PID namespace."""
    _mount("none", "/", None, _MS_REC | _MS_PRIVATE)
    cwd = os.getcwd()
    underneath = os.open(sandbox, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _mount("tmpfs", sandbox, "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={max_disk_bytes},mode=0755")
        shutil.copytree(f"/proc/self/fd/{underneath}", sandbox, symlinks=True, dirs_exist_ok=True)
    finally:
        os.close(underneath)
    os.chdir(cwd)  # the same path, now on the tmpfs
    shm = sandbox / "shm"
    shm.mkdir(exist_ok=True)
    _mount(str(shm), "/dev/shm", None, _MS_BIND)
    _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def _drop_capabilities() -> None:
    """Give up every capability, for good: the kernel stays uid 0 (its files), without root's powers.

    Without this a kernel run by root could still reconfigure the network, set the clock or load
    a kernel module. The bounding set is emptied too, so no program it runs gets them back.
    """
    libc = _libc()
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for capability in range(last + 1):
        _check(libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0), "prctl(PR_CAPBSET_DROP)")
    _check(libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl(PR_CAP_AMBIENT)")
    header, data = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    _check(libc.capset(ctypes.byref(header), data), "capset")


def _supervise(kernel: int, cgroup: Path | None, grader: int) -> None:
    """Wait for the kernel; end as it ended. Kill it if the grader process ``grader`` is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # jupyter_client interrupts the process group
    signal.signal(signal.SIGTERM, lambda signum, frame: os.kill(kernel, signal.SIGTERM))
    while True:
        done, status = os.waitpid(kernel, os.WNOHANG)
        if done:
            break
        if os.getppid() != grader:
            os.kill(kernel, signal.SIGKILL)
        time.sleep(0.1)
    if cgroup is not None:
        for _ in range(50):  # the namespace's last processes may still be exiting
            with contextlib.suppress(OSError):
                cgroup.rmdir()
                break
            time.sleep(0.02)
    if os.WIFSIGNALED(status):
        with contextlib.suppress(OSError):  # SIGKILL has no handler to reset
            signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def enter_process_sandbox(sandbox: Path, max_processes: int, max_disk_bytes: int) -> str:
    """Fork the kernel into its own PID and mount namespace; only the kernel returns from here.

    Parameters
    ----------
    sandbox : Path
        The kernel's only writable folder; becomes a tmpfs of ``max_disk_bytes``.
    max_processes : int
        Processes and threads the kernel's whole tree may have at once.
    max_disk_bytes : int
        What the kernel may write in total (its sandbox and ``/dev/shm``).

    Returns
    -------
    str
        What was set up: "" if no namespace could be created (the kernel then runs in this
        process, without one), else a description such as ``pid+mount namespace (root), pids cgroup``.
    """
    if not sys.platform.startswith("linux"):
        return ""
    grader = int(os.environ.get("JPY_PARENT_PID", os.getppid()))
    mode = _unshare(_CLONE_NEWNS | _CLONE_NEWPID)
    if not mode:
        return ""
    go_read, go_write = os.pipe()
    kernel = os.fork()
    if kernel:
        os.close(go_read)
        cgroup = _cap_processes(kernel, max_processes) if mode == "root" else None
        os.write(go_write, b"1" if cgroup is not None or mode == "user" else b"0")
        _supervise(kernel, cgroup, grader)
    os.close(go_write)
    _check(_libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    answer = os.read(go_read, 1)  # empty: the supervisor died before it answered
    os.close(go_read)
    if not answer:
        os._exit(1)
    capped = answer == b"1"
    if mode == "user":
        resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
    _private_files(sandbox, max_disk_bytes)
    _drop_capabilities()
    cap = ("pids cgroup" if mode == "root" else "RLIMIT_NPROC") if capped else "no process cap"
    return f"pid+mount namespace ({mode}), {cap}"
