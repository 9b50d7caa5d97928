"""The grading kernel: resource limits, a filesystem sandbox, an output cap and a tampering guard.

``python -m course_grading.kernel_guard --sandbox DIR [limits] -- -f CONNECTION_FILE`` is the
``argv`` of the kernel spec that :mod:`course_grading.isolation` installs for each submission.
Before IPython starts, in the kernel process itself, it

- sets ``RLIMIT_AS`` (memory: a blow-up raises ``MemoryError`` or kills only this kernel),
  ``RLIMIT_FSIZE`` (no file larger than the cap) and ``RLIMIT_CORE=0`` (no core dumps);
- copies the connection file into the sandbox, then applies a Landlock ruleset
  (Linux >= 5.13): the kernel and every process it starts may read only the Python
  installation, the system folders and the course's helper packages, and may write only
  inside its sandbox folder. The hidden tests (source notebook, gradebook, the autograded
  notebook), the other submissions and the gradebook are outside it;
- caps what each cell prints (``OutStream.write``) to ``--max-output`` bytes: past the cap
  ``OutputLimitExceeded`` is raised in the student's code and nothing more is sent.

The tampering guard (:func:`before_locked_cell`, :func:`after_locked_cell`) runs inside the
kernel, called by :class:`course_grading.isolation.GuardedExecute` around every locked cell:
the objects that the instructor's cells bind (``np``, ``cross_validate``, data, test helpers)
and the attributes of ``builtins``, ``numpy``, ``numpy.testing``, ``math`` and the scikit-learn
modules the tests use are recorded when first seen, and restored before each locked cell if
student code rebound them. The guard lives in the same process as the student's code, so a
student who reads this module can defeat it; see the README, "Grading a class: what is protected".
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import os
import resource
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "OutputLimitExceeded",
    "after_locked_cell",
    "apply_landlock",
    "before_locked_cell",
    "landlock_abi",
    "main",
]

# ---------------------------------------------------------------- Landlock (linux/landlock.h)

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # same on every Linux arch
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_READ = _EXECUTE | _READ_FILE | _READ_DIR
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | (1 << 14)  # rights that apply to a single file


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def landlock_abi() -> int:
    """Return the Landlock ABI version of the running kernel, 0 if Landlock is unavailable."""
    if not sys.platform.startswith("linux"):
        return 0
    abi = _libc().syscall(
        _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION)
    )
    return max(int(abi), 0)


def _handled_rights(abi: int) -> int:
    # ABI 1: bits 0-12; ABI 2 adds REFER (13); ABI 3 adds TRUNCATE (14). Later bits (ioctl) stay allowed.
    return (1 << (13 if abi == 1 else 14 if abi == 2 else 15)) - 1


def apply_landlock(read_paths: list[Path], write_paths: list[Path]) -> int:
    """Restrict this process and its future children to reading ``read_paths`` and writing ``write_paths``.

    Parameters
    ----------
    read_paths : list of Path
        Folders (or files) that may be read and executed. Missing ones are skipped.
    write_paths : list of Path
        Folders (or files) with every right (read, write, create, remove).

    Returns
    -------
    int
        The Landlock ABI used.

    Raises
    ------
    OSError
        If Landlock is unavailable or a system call fails.
    """
    abi = landlock_abi()
    if abi < 1:
        raise OSError("Landlock is not available in this kernel (Linux >= 5.13 with landlock enabled)")
    libc = _libc()
    handled = _handled_rights(abi)
    attr = _RulesetAttr(handled)
    ruleset = libc.syscall(
        _SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), ctypes.c_uint32(0)
    )
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for rights, paths in ((_READ, read_paths), (handled, write_paths)):
            for path in paths:
                if not os.path.exists(path):
                    continue
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                try:
                    allowed = rights if os.path.isdir(path) else rights & _FILE_RIGHTS
                    rule = _PathBeneathAttr(allowed & handled, fd)
                    if (
                        libc.syscall(
                            _SYS_ADD_RULE,
                            ctypes.c_int(ruleset),
                            ctypes.c_int(_RULE_PATH_BENEATH),
                            ctypes.byref(rule),
                            ctypes.c_uint32(0),
                        )
                        < 0
                    ):
                        raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
                finally:
                    os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


def _package_dirs(names: list[str]) -> list[Path]:
    dirs = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            dirs.extend(Path(p) for p in spec.submodule_search_locations)
    return dirs


def readable_paths() -> list[Path]:
    """The folders a grading kernel may read: Python, system folders, the course's helper packages."""
    candidates = [
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
    ]
    candidates += ["/usr", "/lib", "/lib64", "/bin", "/etc", "/proc", "/sys", "/opt"]
    return [Path(p) for p in dict.fromkeys(candidates)] + _package_dirs(["course_utils", "course_grading"])


# ---------------------------------------------------------------- output cap


class OutputLimitExceeded(RuntimeError):
    """Raised in student code that prints more than the grader accepts."""


def _install_output_cap(max_bytes: int) -> None:
    """Count what each cell (each execute request) prints; past ``max_bytes`` raise in the student's code."""
    from ipykernel.iostream import OutStream

    original = OutStream.write
    state = {"cell": None, "written": 0}

    def write(self: Any, text: str) -> int | None:
        cell = self.parent_header.get("msg_id") if isinstance(self.parent_header, dict) else None
        if cell != state["cell"]:
            state["cell"], state["written"] = cell, 0
        state["written"] += len(text)
        if state["written"] > max_bytes:
            raise OutputLimitExceeded(
                f"this cell printed more than {max_bytes // 1024} KiB; the grader discards the rest"
            )
        return original(self, text)

    OutStream.write = write


# ---------------------------------------------------------------- tampering guard (runs in the kernel)

WATCHED_MODULES = (
    "builtins",
    "math",
    "numpy",
    "numpy.testing",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.base",
)
_guard: dict[str, Any] = {"modules": {}, "names": {}, "before": {}}


def _snapshot_modules() -> None:
    for name in WATCHED_MODULES:
        module = sys.modules.get(name)
        if isinstance(module, ModuleType) and name not in _guard["modules"]:
            _guard["modules"][name] = (module, dict(vars(module)))


def _restore() -> list[str]:
    restored = []
    for name, (module, saved) in _guard["modules"].items():
        sys.modules[name] = module
        current = vars(module)
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                setattr(module, key, value)
                restored.append(f"{name}.{key}")
    return restored


_MISSING = object()


def before_locked_cell(shell: Any) -> str:
    """Restore what student code rebound; remember the namespace's objects. Returns a report line."""
    restored = _restore()
    user_ns = shell.user_ns
    for key, value in _guard["names"].items():
        if user_ns.get(key, _MISSING) is not value:
            user_ns[key] = value
            restored.append(key)
    _guard["before"] = {key: id(value) for key, value in user_ns.items()}
    return ", ".join(sorted(restored))


def after_locked_cell(shell: Any) -> None:
    """Protect the names a locked (instructor's) cell bound, and the modules imported so far."""
    before = _guard["before"]
    for key, value in shell.user_ns.items():
        if not key.startswith("_") and before.get(key) != id(value):
            _guard["names"][key] = value
    _snapshot_modules()


# ---------------------------------------------------------------- launcher


def _parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", type=Path, required=True, help="the only folder the kernel may write")
    parser.add_argument("--memory", type=int, required=True, help="RLIMIT_AS in bytes")
    parser.add_argument("--max-file", type=int, required=True, help="RLIMIT_FSIZE in bytes")
    parser.add_argument("--max-output", type=int, required=True, help="characters one cell may print")
    parser.add_argument("--no-landlock", action="store_true", help="skip the filesystem sandbox")
    if "--" not in argv:
        parser.error("the kernel's own arguments must follow '--'")
    split = argv.index("--")
    return parser.parse_args(argv[:split]), argv[split + 1 :]


def main(argv: list[str] | None = None) -> None:
    """Apply the limits and the sandbox to this process, then run an IPython kernel in it."""
    args, kernel_argv = _parse(sys.argv[1:] if argv is None else argv)
    for limit, value in (
        (resource.RLIMIT_AS, args.memory),
        (resource.RLIMIT_FSIZE, args.max_file),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))
    sandbox = args.sandbox.resolve()
    if "-f" in kernel_argv:  # read the connection file before the sandbox hides its folder
        index = kernel_argv.index("-f") + 1
        local = sandbox / "kernel-connection.json"
        shutil.copy(kernel_argv[index], local)
        kernel_argv[index] = str(local)
    # Import what the kernel needs before the sandbox closes (it may live outside the readable folders).
    from ipykernel.kernelapp import IPKernelApp

    if not args.no_landlock:
        apply_landlock(readable_paths(), [sandbox, Path("/dev")])
    _install_output_cap(args.max_output)
    IPKernelApp.launch_instance(argv=kernel_argv)


if __name__ == "__main__":
    main()
