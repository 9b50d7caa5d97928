"""The grading kernel: resource limits, a filesystem sandbox, an output cap and a tampering guard.

``python -P -m course_grading.sandbox.kernel_guard --sandbox DIR [limits] -- -f CONNECTION_FILE`` is the
``argv`` of the kernel spec that :mod:`course_grading.sandbox.isolation` installs for each submission.
Before IPython starts, in the kernel process itself, it

- sets ``RLIMIT_AS`` (memory: a blow-up raises ``MemoryError`` or kills only this kernel),
  ``RLIMIT_FSIZE`` (no file larger than the cap) and ``RLIMIT_CORE=0`` (no core dumps);
- moves the kernel into its own PID and mount namespace, with a process cap and its sandbox
  folder on a capped ``tmpfs`` (:func:`course_grading.sandbox.process_sandbox.enter_process_sandbox`);
- copies the connection file into the sandbox, then applies a Landlock ruleset
  (Linux >= 5.13): the kernel and every process it starts may read only the Python
  installation, the system folders and the course's helper packages, and may write only
  inside its sandbox folder, ``/dev/shm`` and a few devices. The hidden tests (source notebook,
  gradebook, the autograded notebook), the other submissions and the gradebook are outside it.
  From Landlock ABI 6 it may also not signal, nor reach the abstract UNIX sockets of, processes
  outside its domain;
- keeps the student's files off ``sys.path`` (``-P``, IPython's ``ignore_cwd``);
- caps what each cell prints (``OutStream.write``) to ``--max-output`` bytes: past the cap
  ``OutputLimitExceeded`` is raised in the student's code and nothing more is sent;
- records IPython's execution machinery (:func:`capture_machinery`) before any cell runs.

The tampering guard runs inside the kernel, called by
:class:`course_grading.sandbox.isolation.GuardedExecute` around every locked cell. Before it,
:func:`reset_machinery` puts IPython's machinery back as recorded and :func:`before_locked_cell`
restores the objects that the instructor's cells bind (``np``, ``cross_validate``, data, test
helpers) and the attributes of ``builtins``, ``numpy``, ``numpy.testing``, ``math`` and the
scikit-learn modules the tests use (recorded by :func:`after_locked_cell` when first seen).
After it, :func:`changed_during_cell` says whether any of that changed while the cell ran.
The guard lives in the same process as the student's code, so a student who reads this module
can defeat it; see the README, "Grading a class: what is protected".
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import importlib.util
import os
import resource
import shutil
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from course_grading.sandbox.process_sandbox import enter_process_sandbox

__all__ = [
    "OutputLimitExceeded",
    "after_locked_cell",
    "apply_landlock",
    "before_locked_cell",
    "capture_machinery",
    "changed_during_cell",
    "landlock_abi",
    "main",
    "reset_machinery",
]

# ---------------------------------------------------------------- Landlock (linux/landlock.h)

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # same on every Linux arch
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_READ = _EXECUTE | _READ_FILE | _READ_DIR
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | (1 << 14)  # rights that apply to a single file


_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),  # ABI 4
        ("scoped", ctypes.c_uint64),  # ABI 6
    ]


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

    From Landlock ABI 6 (Linux 6.12) the domain is also scoped: it may signal only processes
    of its own domain (itself and its children) and connect to no abstract UNIX socket made
    outside it. At every ABI a process in the domain may not ptrace one outside it.

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
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    attr = _RulesetAttr(handled, 0, scoped)
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


# The devices a kernel may read and write: not /dev itself (as root that would include the raw disks).
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty")


def writable_paths(sandbox: Path) -> list[Path]:
    """The sandbox folder, shared memory (private to the kernel inside its namespace) and a few devices."""
    return [sandbox, Path("/dev/shm"), *(Path(device) for device in DEVICES)]


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
_machinery: dict[str, Any] = {}  # see capture_machinery
GUARD_MODULE = "course_grading.sandbox.kernel_guard"  # the grader calls the guard in this module


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
    shell = _machinery.get("shell", shell)  # not a stand-in returned by a student's get_ipython
    restored = _restore()
    user_ns = shell.user_ns
    for key, value in _guard["names"].items():
        if user_ns.get(key, _MISSING) is not value:
            user_ns[key] = value
            restored.append(key)
    _guard["before"] = {key: id(value) for key, value in user_ns.items()}
    return ", ".join(sorted(restored))


def changed_during_cell(shell: Any) -> tuple[str, str]:
    """After a locked cell: what of IPython's machinery changed, and what was rebound, while it ran.

    Both are reset. Anything reported means the cell may not have run as the instructor wrote
    it (a student's thread or hook acted during it), so the grader does not score it.
    """
    return reset_machinery(shell), ", ".join(sorted(_restore()))


def after_locked_cell(shell: Any) -> None:
    """Protect the names a locked (instructor's) cell bound, and the modules imported so far."""
    shell = _machinery.get("shell", shell)
    before = _guard["before"]
    for key, value in shell.user_ns.items():
        if not key.startswith("_") and before.get(key) != id(value):
            _guard["names"][key] = value
    _snapshot_modules()


# ---------------------------------------------------------------- IPython's execution machinery

# Methods through which a cell's code reaches the interpreter (and the guard's calls come back).
_SHELL_METHODS = (
    "run_cell", "run_cell_async", "_run_cell", "should_run_async", "transform_cell", "transform_ast",
    "run_ast_nodes", "run_code", "user_expressions", "showtraceback", "_showtraceback", "set_custom_exc",
)
_KERNEL_METHODS = ("do_execute", "execute_request", "dispatch_shell")
# Attributes whose object must stay the one IPython made (a replaced list, event manager, handler).
_SHELL_OBJECTS = (
    "input_transformer_manager", "input_transformers_post", "ast_transformers", "events",
    "custom_exceptions", "CustomTB", "compile",
)


def _installed(item: Any) -> bool:
    """Whether a callback or transformer comes from the Python installation (a library), not a cell."""
    code = getattr(getattr(item, "__func__", item), "__code__", None)
    if code is None:  # a class (IPython's token transformers) counts if its module's file is installed
        module = sys.modules.get(getattr(item, "__module__", ""), None)
        filename = getattr(module, "__file__", None) or ""
    else:
        filename = code.co_filename
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    real = os.path.realpath(filename) if filename else ""
    return bool(real) and any(real.startswith(os.path.realpath(prefix)) for prefix in prefixes)


def _lists(shell: Any) -> dict[str, list]:
    manager = shell.input_transformer_manager
    lists = {
        "input_transformers_cleanup": manager.cleanup_transforms,
        "input transformers (line)": manager.line_transforms,
        "input transformers (token)": manager.token_transformers,
        "input_transformers_post": shell.input_transformers_post,
        "ast_transformers": shell.ast_transformers,
        "sys.meta_path": sys.meta_path,
        "sys.path_hooks": sys.path_hooks,
    }
    lists.update({f"{event} callbacks": items for event, items in shell.events.callbacks.items()})
    return lists


def _method_slots(shell: Any) -> list[tuple[str, Any, str]]:
    """(label, owner, name) of every place a method that runs a cell can be replaced."""
    slots = []
    for owner, names in ((shell, _SHELL_METHODS), (shell.kernel, _KERNEL_METHODS)):
        slots.append((f"{type(owner).__name__}.__class__", owner, "__class__"))
        for name in names:
            slots.append((f"{type(owner).__name__}.{name} (on the instance)", owner, name))
            slots += [(f"{cls.__name__}.{name}", cls, name) for cls in type(owner).__mro__]
    return slots


def _slot_value(owner: Any, name: str) -> Any:
    return owner.__class__ if name == "__class__" else vars(owner).get(name, _MISSING)


def capture_machinery(shell: Any) -> None:
    """Record IPython's execution machinery as the kernel starts, before any student code or file runs."""
    _machinery.update(
        shell=shell,
        objects={name: getattr(shell, name) for name in _SHELL_OBJECTS},
        lists={label: list(items) for label, items in _lists(shell).items()},
        methods=[
            (label, owner, name, _slot_value(owner, name)) for label, owner, name in _method_slots(shell)
        ],
        hooks=(sys.displayhook, sys.excepthook),
        guard=dict(vars(sys.modules[__name__])),
    )


def reset_machinery(shell: Any) -> str:
    """Put IPython's execution machinery back as it was at start; return what had been changed.

    Callbacks and transformers added since by an installed library (matplotlib's inline
    backend registers one) are kept; anything else added, removed or replaced is reset: input
    and AST transformers, event callbacks, custom exception handlers, the methods that run a
    cell (on the shell, the kernel or their classes), import hooks, trace and profile functions,
    ``sys.displayhook`` / ``sys.excepthook`` and this module's own functions.
    """
    if not _machinery:
        return "the guard's record of IPython's machinery (missing)"
    changed = []
    module = sys.modules[__name__]
    for key, value in _machinery["guard"].items():
        if vars(module).get(key, _MISSING) is not value:
            setattr(module, key, value)
            changed.append(f"{__name__}.{key}")
    if shell is not _machinery["shell"]:
        changed.append("the shell")
        shell = _machinery["shell"]
    for name, value in _machinery["objects"].items():
        if getattr(shell, name, _MISSING) is not value:
            setattr(shell, name, value)
            changed.append(f"shell.{name}")
    for label, owner, name, value in _machinery["methods"]:
        if _slot_value(owner, name) is not value:
            if value is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, value)
            changed.append(label)
    for label, items in _lists(shell).items():
        original = _machinery["lists"].get(label, [])
        added = [item for item in items if not any(item is o for o in original)]
        kept = [item for item in added if _installed(item)]
        if len(items) != len(original) + len(kept) or any(not any(o is i for i in items) for o in original):
            changed.append(label)
            items[:] = original + kept
    if (sys.displayhook, sys.excepthook) != _machinery["hooks"]:
        sys.displayhook, sys.excepthook = _machinery["hooks"]
        changed.append("sys.displayhook / sys.excepthook")
    hooks = (sys.gettrace(), sys.getprofile(), threading._trace_hook, threading._profile_hook)
    if any(hook is not None for hook in hooks):
        sys.settrace(None)
        sys.setprofile(None)
        threading.settrace(None)
        threading.setprofile(None)
        changed.append("a trace or profile function")
    return ", ".join(changed)


# ---------------------------------------------------------------- launcher


def _parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", type=Path, required=True, help="the only folder the kernel may write")
    parser.add_argument("--memory", type=int, required=True, help="RLIMIT_AS in bytes")
    parser.add_argument("--max-file", type=int, required=True, help="RLIMIT_FSIZE in bytes")
    parser.add_argument("--max-output", type=int, required=True, help="characters one cell may print")
    parser.add_argument("--max-processes", type=int, required=True, help="processes and threads at once")
    parser.add_argument("--max-disk", type=int, required=True, help="bytes the kernel may write in all")
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
    if not args.no_landlock:  # from here on, this is the kernel in its own namespaces (if Linux allows)
        isolation = enter_process_sandbox(sandbox, args.max_processes, args.max_disk)
        print(f"kernel_guard: {isolation or 'no PID namespace (Linux refused one)'}", file=sys.stderr)
    if "-f" in kernel_argv:  # read the connection file before the sandbox hides its folder
        index = kernel_argv.index("-f") + 1
        local = sandbox / "kernel-connection.json"
        shutil.copy(kernel_argv[index], local)
        kernel_argv[index] = str(local)
    # Files beside the notebook are data: neither the working folder nor the sandbox is importable.
    sys.path[:] = [p for p in sys.path if p and not Path(p).resolve().is_relative_to(sandbox)]
    kernel_argv.append("--IPKernelApp.ignore_cwd=True")
    # Import what the kernel needs before the sandbox closes (it may live outside the readable folders).
    from ipykernel.kernelapp import IPKernelApp

    if not args.no_landlock:
        apply_landlock(readable_paths(), writable_paths(sandbox))
    _install_output_cap(args.max_output)
    app = IPKernelApp.instance()
    app.initialize(kernel_argv)
    # The guard the grader calls is this file imported as a module (here it runs as __main__).
    importlib.import_module(GUARD_MODULE).capture_machinery(app.shell)
    app.start()


if __name__ == "__main__":
    main()
