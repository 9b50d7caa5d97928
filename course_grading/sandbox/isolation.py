"""Grade ONE submission in isolation, so that nothing it does reaches another grade.

Each submission is graded by its own worker process (forked by :mod:`course_grading.gradebook.batch`
through :func:`run_forked_worker`; ``python -m course_grading.sandbox.isolation`` grades one by hand)
in its own folder ``<work>/``:

- ``<work>/course``: a private nbgrader course (the assignment's source and a gradebook
  copied from a template), where real nbgrader ``autograde`` and ``generate_feedback`` run;
- ``<work>/sandbox``: the only folder the student's kernel may write (its working directory,
  HOME, TMPDIR); see :mod:`course_grading.sandbox.kernel_guard` for the limits and the sandbox;
- the worker, its nbgrader and the kernel share a network namespace with only loopback up
  (:func:`course_grading.sandbox.process_sandbox.enter_network_namespace`): no TCP to the host or beyond;
- ``<work>/result.json``: written last, atomically: the scores, the reasons and the incidents.

Before nbgrader sees the submission, :func:`inspect_submission` states what is wrong with the
files (symbolic links and special files refused, not valid JSON, missing or renamed notebook,
edited, deleted or re-typed test cells) and :func:`grader_references` whether an answer names
the grader's code. nbgrader's sanitizer then restores the instructor's cells.
:class:`GuardedExecute` replaces nbgrader's ``Execute``: it survives a kernel that dies
(``os._exit``, segfault, memory) or ignores the interrupt after a timeout, marks the cells that
could not run, and runs the tampering guard around every locked cell (a cell the guard cannot
vouch for scores 0). A kernel killed from outside its sandbox makes the result ``failed``.
Whatever happens, the worker writes a result with a stated reason; the caller writes one if
the worker itself dies.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import html
import json
import os
import re
import resource
import secrets
import shutil
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed
# (Jupyter installs it): that compiles some 35 Lark grammars, 1.5 s in every worker process, for
# the "iri" string format that no notebook schema uses. Marked missing, jsonschema skips it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

import nbformat
import psutil
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat import NotebookNode
from traitlets import Integer, Unicode
from traitlets.config import Config

from nbgrader.preprocessors import Execute

from course_grading.sandbox.kernel_guard import GUARD_MODULE
from course_grading.sandbox.process_sandbox import enter_network_namespace
from course_grading.feedback_pages.hidden_tests import (
    FEEDBACK_TEMPLATE_DIRS,
    HIDDEN_TESTS_BEGIN,
    HideHiddenTests,
    grading_notes_cell,
    redact,
    secret_lines,
    shown_exception_type,
)
from course_grading.sandbox.restore_cells import restore_cell_metadata
from course_grading.sandbox.template_cache import CachedTemplatesHTMLExporter
from course_grading.gradebook.scoring import SaveAutoGradesIgnoringStderr, stderr_notes
from course_grading.feedback_pages.student_html import SanitizeStudentHTML
from course_grading.sandbox.time_budget import TimeBudget

__all__ = [
    "GradingLimits",
    "GuardedExecute",
    "SubmissionResult",
    "grade_in_worker",
    "inspect_submission",
    "main",
    "submitted_files",
    "run_forked_worker",
    "stop_when_batch_is_gone",
]

RESULT_FILE = "result.json"
INCIDENTS_FILE = "incidents.json"
PHASES_FILE = "phases.json"
# A kernel killed by something outside its sandbox (the machine's OOM killer, an administrator):
# not the student's result, so the submission is "failed" and graded again on the next run.
KILLED_FROM_OUTSIDE = "killed from outside its sandbox: not a result, graded again on the next run"
KERNEL_NAME = "course-graded-python"
PRIVATE_STUDENT_ID = "student"


@dataclass(frozen=True)
class GradingLimits:
    """The limits every submission is graded under.

    Attributes
    ----------
    cell_timeout : int
        Seconds a cell may run (nbgrader ``Execute.timeout``); then the kernel is interrupted.
    notebook_timeout : int
        Seconds all cells of the submission may run together (:class:`TimeBudget`); a cell gets
        the shorter of ``cell_timeout`` and what is left, and no cell runs once it is used up.
    memory_bytes : int
        ``RLIMIT_AS`` of the kernel process.
    max_output_bytes : int
        Characters one cell may print (``OutputLimitExceeded`` is raised past it).
    max_file_bytes : int
        ``RLIMIT_FSIZE`` of the kernel: the largest file it may write.
    sandbox : bool
        Run the kernel in the sandbox: Landlock, its own PID and mount namespace, and the
        worker with its kernel in a network namespace of their own
        (:mod:`course_grading.sandbox.process_sandbox`).
    max_processes : int
        Processes and threads the kernel's whole tree may have at once.
    max_disk_bytes : int
        What the kernel may write in all (its sandbox folder and ``/dev/shm``).
    """

    cell_timeout: int = 120
    notebook_timeout: int = 600
    memory_bytes: int = 2 * 1024**3
    max_output_bytes: int = 4 * 1024**2
    max_file_bytes: int = 256 * 1024**2
    sandbox: bool = True
    max_processes: int = 512
    max_disk_bytes: int = 512 * 1024**2

    def __post_init__(self) -> None:
        for name in (
            "cell_timeout",
            "notebook_timeout",
            "memory_bytes",
            "max_output_bytes",
            "max_file_bytes",
            "max_processes",
            "max_disk_bytes",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive int, got {value!r}")

    def worker_timeout(self, n_code_cells: int) -> float:
        """Wall-clock seconds after which the whole worker is killed: the cells' budget, plus the
        kernel start, the guard and interrupts around each cell, nbgrader and the feedback."""
        return self.notebook_timeout + 120.0 + 15.0 * n_code_cells


@dataclass
class SubmissionResult:
    """The outcome of grading one submission (the content of ``result.json``).

    ``status`` is ``graded`` (nbgrader ran, scores are per cell), ``rejected`` (the files
    could not be graded: zero with a reason) or ``failed`` (the grader crashed: zero).
    ``cells`` maps each test cell's grade_id to ``{"score", "max_score", "reason"}``.
    ``incidents`` are the instructor's notes; ``for_the_student`` maps those that quote what the
    student's kernel produced (an error message, stderr, a log line) to the text the student's
    feedback shows instead: once a hidden test has run, any such text could carry its code.
    """

    assignment: str
    student: str
    notebook: str
    status: str
    score: float
    max_score: float
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    incidents: list[str] = field(default_factory=list)
    for_the_student: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def reasons(self) -> list[str]:
        """Incidents, then the reason of every test cell that lost points."""
        lost = [
            f"{grade_id}: {cell['reason']}"
            for grade_id, cell in self.cells.items()
            if cell["score"] < cell["max_score"] and cell["reason"] not in self.incidents
        ]
        return list(self.incidents) + lost

    @property
    def notes_for_the_student(self) -> list[str]:
        """The incidents as the student's feedback shows them (:attr:`for_the_student`)."""
        return [self.for_the_student.get(text, text) for text in self.incidents]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SubmissionResult:
        return cls(**json.loads(text))


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------- before nbgrader: the files


def _meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def submitted_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The regular files at the top of a submission folder, and a sentence for each entry refused.

    A submission is data: a symbolic link (to the instructor's notebook, the gradebook, another
    submission) or a special file (a named pipe, a socket, a device) is never read or copied.
    Folders are not copied either (as before), so they are neither listed nor refused.
    """
    files, refused = [], []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name) if folder.is_dir() else []:
        if entry.is_symlink():
            refused.append(f"refused {entry.name}: a symbolic link, not a file; not copied")
        elif entry.is_file(follow_symlinks=False):
            files.append(Path(entry.path))
        elif not entry.is_dir(follow_symlinks=False):
            refused.append(f"refused {entry.name}: not a regular file; not copied")
    return files, refused


def inspect_submission(
    folder: Path, notebook: str, source: NotebookNode
) -> tuple[NotebookNode | None, list[str]]:
    """Read a student's submitted folder and say what is wrong with it.

    Parameters
    ----------
    folder : Path
        ``submitted/<student>/<assignment>``.
    notebook : str
        The expected notebook name, without ``.ipynb``.
    source : NotebookNode
        The instructor's source notebook (to compare locked cells with).

    Returns
    -------
    (NotebookNode or None, list of str)
        The notebook to grade (None if nothing can be graded) and the incidents, each a
        sentence for the instructor and the student.
    """
    from nbgrader.utils import compute_checksum

    files, incidents = submitted_files(folder)
    expected = folder / f"{notebook}.ipynb"
    if expected in files:
        path = expected
    else:
        others = [p for p in files if p.suffix == ".ipynb"]
        if len(others) != 1:
            found = ", ".join(p.name for p in others) or "no notebook"
            return None, incidents + [f"missing notebook: expected {notebook}.ipynb, found {found}; scored 0"]
        path = others[0]
        incidents.append(f"renamed notebook: {path.name} was graded as {notebook}.ipynb")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # noqa: BLE001 - any unreadable file is reported, not raised
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return None, incidents + [
            f"not a valid notebook ({type(error).__name__}: {first_line[:160]}); scored 0"
        ]
    incidents += restore_cell_metadata(nb, source)

    submitted = {_meta(cell).get("grade_id"): cell for cell in nb.cells if _meta(cell).get("grade_id")}
    for cell in source.cells:
        meta = _meta(cell)
        grade_id = meta.get("grade_id")
        if not grade_id or not (meta.get("locked") or meta.get("grade")):
            continue
        mine = submitted.get(grade_id)
        is_test = meta.get("grade") and not meta.get("solution")
        what = "test cell" if is_test else "locked cell"
        if mine is None:
            incidents.append(f"deleted {what} {grade_id}: restored from the source")
            continue
        if mine.cell_type != cell.cell_type:
            incidents.append(
                f"changed cell type of {grade_id} ({cell.cell_type} -> {mine.cell_type}): restored"
            )
        elif meta.get("locked") and compute_checksum(mine) != _meta(mine).get("checksum"):
            incidents.append(f"edited {what} {grade_id}: restored from the source")
    return nb, incidents


_GRADER_NAMES = re.compile(r"course_grading|kernel_guard")


def grader_references(nb: NotebookNode) -> list[str]:
    """A sentence for each answer (unlocked code) cell that names the grader's own code.

    Decided from outside the kernel, on the submitted text: a student whose code reaches for
    the guard (``course_grading.sandbox.kernel_guard``) could replace it where the guard cannot see,
    so such a submission is not scored automatically.
    """
    return [
        f"tampering: {_meta(cell).get('grade_id') or f'cell {index}'} refers to the grader's code "
        "(course_grading); not scored automatically: needs a manual check"
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and not _meta(cell).get("locked") and _GRADER_NAMES.search(cell.source)
    ]


# ---------------------------------------------------------------- during nbgrader: the kernel


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _namespace_init(supervisor_pid: int) -> psutil.Process | None:
    """The child of ``supervisor_pid`` that is PID 1 of its own PID namespace (the sandboxed kernel)."""
    with contextlib.suppress(psutil.NoSuchProcess, OSError):
        for child in psutil.Process(supervisor_pid).children():
            status = Path(f"/proc/{child.pid}/status").read_text()
            ns_pids = next((ln.split()[1:] for ln in status.splitlines() if ln.startswith("NSpid:")), [])
            if len(ns_pids) > 1 and ns_pids[-1] == "1":
                return child
    return None


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` that survives dead and unresponsive kernels and guards the tests.

    - A cell whose kernel dies gets a ``KernelDied`` error with the exit status; every later
      code cell gets ``NotRun`` (the kernel's state is gone): their tests score 0, the tests
      before keep their points.
    - After a timeout, the kernel is interrupted (nbgrader's default); if it still does not
      answer (a loop that swallows ``KeyboardInterrupt``) it is killed, and later cells get
      ``NotRun``.
    - Before each locked cell, :func:`course_grading.sandbox.kernel_guard.before_locked_cell` restores
      what student code rebound; after it, :func:`~course_grading.sandbox.kernel_guard.after_locked_cell`
      records what the instructor's cell defined.
    - The kernel's working directory is ``run_dir`` (data files only, not the notebook that
      holds the hidden tests).

    Incidents are written to ``incidents_file``: JSON ``{"incidents": [...], "for_the_student":
    {...}}`` (see :class:`SubmissionResult`).
    """

    incidents_file = Unicode("", help="where to write the incidents (JSON)").tag(config=True)
    phases_file = Unicode("", help="where to write the seconds spent per phase (JSON)").tag(config=True)
    run_dir = Unicode("", help="working directory of the kernel (default: the notebook's folder)").tag(
        config=True
    )
    notebook_timeout = Integer(0, help="seconds all cells together may run (0: no total limit)").tag(
        config=True
    )

    def preprocess(self, nb: NotebookNode, resources: dict, km: Any = None) -> tuple[NotebookNode, dict]:
        self._incidents: list[str] = []
        self._for_the_student: dict[str, str] = {}
        self._hidden_test_sent = False  # from then on the kernel may hold a hidden test's code
        self._stopped: str | None = None
        # Seconds: kernel start (to the first cell), cells, guard calls, kernel shutdown (after the last).
        self._phases = dict.fromkeys(("kernel_start", "cells", "guard", "kernel_stop"), 0.0)
        self._mark, self._first_cell_seen = time.perf_counter(), False
        self._budget = TimeBudget(self.notebook_timeout) if self.notebook_timeout else None
        self._cell_limit = self.timeout
        if self._budget is not None:
            self.timeout_func = self._budgeted_timeout
        if self.run_dir:
            source_dir = Path(resources.get("metadata", {}).get("path") or ".")
            run = Path(self.run_dir)
            run.mkdir(parents=True, exist_ok=True)
            for item in source_dir.iterdir() if source_dir.is_dir() else []:
                if item.suffix != ".ipynb" and item.is_file():
                    shutil.copy(item, run / item.name)
            resources = {**resources, "metadata": {**resources.get("metadata", {}), "path": str(run)}}
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            if self.incidents_file:
                notes = {"incidents": self._incidents, "for_the_student": self._for_the_student}
                write_atomic(Path(self.incidents_file), json.dumps(notes))
            if self.phases_file:
                stopped = time.perf_counter() - self._mark
                self._phases["kernel_stop"] = stopped if self._first_cell_seen else 0.0
                write_atomic(Path(self.phases_file), json.dumps(self._phases))

    async def _async_cleanup_kernel(self) -> None:
        """End the kernel at once, then clean up as nbclient does.

        nbclient's graceful shutdown asks the kernel to shut down and waits for IPython's exit
        (history, atexit, module teardown): as long as the kernel's start. Every output is in
        already, so the grader kills the kernel (PID 1 of its namespace: Linux then kills every
        process in it, ``pid_namespaces(7)``); its supervisor sees it end, removes the process
        cap's cgroup and exits. Without a namespace, nbclient's own shutdown runs.
        """
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        kernel = _namespace_init(process.pid) if process is not None and process.poll() is None else None
        if kernel is not None:
            with contextlib.suppress(psutil.NoSuchProcess):
                kernel.kill()
            deadline = time.monotonic() + 5.0
            while process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _budgeted_timeout(self, cell: NotebookNode) -> int:
        """nbclient's ``timeout_func``: the per-cell limit or what is left of the budget."""
        assert self._budget is not None
        self._cell_limit = self._budget.cell_timeout(self.timeout)
        return self._cell_limit

    def _note(self, text: str, for_the_student: str | None = None) -> None:
        """Record an incident.

        ``for_the_student`` is what the feedback shows instead when ``text`` quotes what the kernel
        sent (the student's code runs there) and a hidden test has been sent to it: the text could
        then carry the test's code. Before, the student sees ``text`` itself.
        """
        if text not in self._incidents:
            self._incidents.append(text)
        if for_the_student is not None and self._hidden_test_sent:
            self._for_the_student[text] = for_the_student

    async def _hidden(self, expression: str, timeout: float) -> tuple[str, str | None]:
        """Evaluate ``expression`` in the kernel, outside the notebook; returns (status, repr)."""
        assert self.kc is not None
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"r": expression})
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                msg = await self.kc.shell_channel.get_msg(timeout=remaining)
            except Exception:  # noqa: BLE001 - queue.Empty: no answer in time
                break
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            value = msg["content"].get("user_expressions", {}).get("r", {})
            if value.get("status") == "ok":
                return "ok", value.get("data", {}).get("text/plain")
            return "error", f"{value.get('ename')}: {value.get('evalue')}"
        return "timeout", None

    def _exit_status(self) -> str:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = None
        for _ in range(20):
            code = process.poll() if process is not None else None
            if code is not None:
                break
            time.sleep(0.05)
        if code is None:
            return "exit status unknown"
        if code < 0:
            name = signal.Signals(-code).name
            return f"killed by {name}"
        return f"exit code {code}"

    def _guard(self, when: str, grade_id: str) -> bool:
        """Run the guard in the kernel ``before`` or ``after`` a locked cell.

        Returns False when the cell's result cannot be trusted: the guard did not answer as the
        guard does (replaced, broken, hung), or, after the cell, something was rebound or the
        execution machinery changed while the cell ran.
        """
        if self._stopped is not None:
            return True
        guard_start = time.perf_counter()
        try:
            return self._run_guard(when, grade_id)
        finally:
            self._phases["guard"] += time.perf_counter() - guard_start

    def _run_guard(self, when: str, grade_id: str) -> bool:
        guard = f"__import__('sys').modules[{GUARD_MODULE!r}]"
        if when == "before":
            # reset_machinery first: it puts back the guard's own functions before the second lookup
            expression = f"({guard}.reset_machinery(ip), {guard}.before_locked_cell(ip))"
        else:
            expression = f"({guard}.changed_during_cell(ip), {guard}.after_locked_cell(ip))[0]"
        expression = f"(lambda ip: {expression})(get_ipython())"
        status, value = run_sync(self._hidden)(expression, 20.0)
        reports: Any = None
        with contextlib.suppress(ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            reports = ast.literal_eval(value or "")
        if status != "ok" or not (
            isinstance(reports, tuple) and len(reports) == 2 and all(isinstance(r, str) for r in reports)
        ):
            answer = {"error": value, "timeout": "no answer in 20 s"}.get(status, repr(value)) or ""
            self._note(
                f"tampering: the grader's guard could not run {when} {grade_id} ({answer[:160]}); "
                "needs a manual check; the cell scores 0",
                f"tampering: the grader's guard could not run {when} {grade_id}; needs a manual check; "
                "the cell scores 0",
            )
            return False
        machinery, rebound = reports
        if when == "before":
            if rebound:
                self._note(
                    f"tampering: student code rebound {rebound}; restored before {grade_id}",
                    f"tampering: student code rebound what the tests use; restored before {grade_id}",
                )
            if machinery:
                self._note(
                    f"tampering: student code changed IPython's execution machinery ({machinery}); "
                    f"reset before {grade_id}; needs a manual check",
                    f"tampering: student code changed IPython's execution machinery; reset before {grade_id}; "
                    "needs a manual check",
                )
            return True
        if rebound or machinery:
            changed = ", ".join(filter(None, [rebound, machinery]))
            self._note(
                f"tampering: {changed} changed while {grade_id} ran; needs a manual check; the cell scores 0",
                f"tampering: the tests' names or IPython's machinery changed while {grade_id} ran; needs a "
                "manual check; the cell scores 0",
            )
            return False
        return True

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        if not self._first_cell_seen:
            self._phases["kernel_start"] += time.perf_counter() - self._mark
            self._first_cell_seen = True
        try:
            return self._run_cell(cell, resources, index)
        finally:
            self._mark = time.perf_counter()  # the kernel's shutdown is timed from the last cell's end

    def _run_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        meta = _meta(cell)
        grade_id = meta.get("grade_id") or f"cell {index}"
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if self._stopped is None and self._budget is not None and self._budget.used_up():
            self._note(
                f"time budget: the cells ran {self._budget.seconds:g} s in total before {grade_id}; "
                "it and later cells not run"
            )
            self._stopped = f"the submission used up its time budget of {self._budget.seconds:g} s"
        if self._stopped is not None:
            cell.outputs = [_error_output("NotRun", f"not run: {self._stopped}")]
            return cell, resources
        locked = bool(meta.get("locked")) and not meta.get("solution")
        trusted = self._guard("before", grade_id) if locked else True
        cell_start = time.perf_counter()
        self._hidden_test_sent |= HIDDEN_TESTS_BEGIN in cell.source
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:  # interrupted after the timeout, the kernel still never went idle
            cell.outputs = list(cell.get("outputs", [])) + [
                _error_output(
                    "CellTimeoutError",
                    f"the cell ran longer than {self._cell_limit} s and ignored the interrupt",
                )
            ]
            run_sync(self.km.shutdown_kernel)(now=True)
            self._note(f"timeout: {grade_id} ran longer than {self._cell_limit} s and was interrupted")
            self._note(f"the kernel ignored the interrupt in {grade_id} and was stopped; later cells not run")
            self._stopped = f"the kernel was stopped after a timeout in {grade_id}"
            return cell, resources
        except DeadKernelError:
            status = self._exit_status()
            cell.outputs = list(cell.get("outputs", [])) + [
                _error_output("KernelDied", f"the kernel died while running this cell ({status})")
            ]
            if "SIGKILL" in status:  # the kernel cannot send it to itself (it is PID 1 of its namespace)
                self._note(f"kernel died in {grade_id} ({status}); {KILLED_FROM_OUTSIDE}")
            else:
                self._note(f"kernel died in {grade_id} ({status}); later cells not run")
            self._stopped = f"the kernel died in {grade_id}"
            return cell, resources
        finally:
            self._phases["cells"] += time.perf_counter() - cell_start
        errors = [out for out in cell.outputs if out.output_type == "error"]
        if any(out.ename == "CellTimeoutError" for out in errors):
            self._note(f"timeout: {grade_id} ran longer than {self._cell_limit} s and was interrupted")
            status, _ = run_sync(self._hidden)("1", 10.0)
            if status != "ok":
                run_sync(self.km.shutdown_kernel)(now=True)
                self._note(
                    f"the kernel ignored the interrupt in {grade_id} and was stopped; later cells not run"
                )
                self._stopped = f"the kernel was stopped after a timeout in {grade_id}"
                return cell, resources
        if any(out.ename.endswith("MemoryError") for out in errors):
            self._note(f"memory limit reached in {grade_id} (MemoryError)")
        denied = [out for out in errors if out.ename == "PermissionError"]
        if denied:
            self._note(
                f"the sandbox denied a file access in {grade_id} ({denied[0].evalue[:160]})",
                f"the sandbox denied a file access in {grade_id}",
            )
        if any(out.ename == "OutputLimitExceeded" for out in errors):
            self._note(f"output limit reached in {grade_id}: further output discarded")
        handled = {
            "CellTimeoutError",
            "MemoryError",
            "PermissionError",
            "OutputLimitExceeded",
            "KeyboardInterrupt",
        }
        if (
            not locked
            and errors
            and errors[0].ename not in handled
            and not errors[0].ename.endswith("MemoryError")
        ):
            evalue = re.sub(r"\x1b\[[0-9;]*m", "", str(errors[0].evalue)).strip().splitlines()
            self._note(
                f"error in {grade_id}: {errors[0].ename}: {evalue[0][:160] if evalue else ''}",
                f"error in {grade_id}: {shown_exception_type(errors[0].ename)}",
            )
        if locked:
            trusted = self._guard("after", grade_id) and trusted
        if not trusted and meta.get("grade"):  # nbgrader scores a cell with an error output 0
            cell.outputs.append(
                _error_output("NotGuarded", "this cell may not have run as written (see the grading notes)")
            )
        return cell, resources


# ---------------------------------------------------------------- after nbgrader: reasons


def _cell_reason(cell: NotebookNode) -> str:
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            value = re.sub(r"\x1b\[[0-9;]*m", "", str(out.get("evalue", ""))).strip().splitlines()
            return f"{out.ename}: {value[0][:200]}" if value else out.ename
    return "no error shown"


def write_rejection_feedback(path: Path, result: SubmissionResult) -> None:
    """Write a feedback page for a submission nbgrader could not grade."""
    items = "".join(f"<li>{html.escape(text)}</li>" for text in result.notes_for_the_student)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(result.assignment)}</title></head>"
        f"<body><h1>{html.escape(result.assignment)}: {result.score:g} / {result.max_score:g}</h1>"
        f"<h2>Grading notes</h2><ul>{items}</ul></body></html>\n",
        encoding="utf-8",
    )


# ---------------------------------------------------------------- the worker


def _kernel_spec(work: Path, limits: GradingLimits) -> Path:
    sandbox = work / "sandbox"
    env = {}
    for name, sub in (
        ("HOME", "home"),
        ("IPYTHONDIR", "home/.ipython"),
        ("MPLCONFIGDIR", "home/.matplotlib"),
        ("TMPDIR", "tmp"),
        ("JOBLIB_TEMP_FOLDER", "tmp"),
        ("XDG_CACHE_HOME", "home/.cache"),
        ("XDG_CONFIG_HOME", "home/.config"),
    ):
        (sandbox / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(sandbox / sub)
    # glibc reserves 64 MiB of address space per thread arena; with RLIMIT_AS that is memory wasted.
    env["MALLOC_ARENA_MAX"] = "2"
    argv = [
        sys.executable,
        "-P",  # the working folder (the student's files) is not importable, not even by the launcher
        "-m",
        GUARD_MODULE,
        "--sandbox",
        str(sandbox),
        "--memory",
        str(limits.memory_bytes),
        "--max-file",
        str(limits.max_file_bytes),
        "--max-output",
        str(limits.max_output_bytes),
        "--max-processes",
        str(limits.max_processes),
        "--max-disk",
        str(limits.max_disk_bytes),
    ]
    argv += [] if limits.sandbox else ["--no-landlock"]
    spec_dir = work / "jupyter" / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [*argv, "--", "-f", "{connection_file}"],
        "display_name": "Python 3 (graded)",
        "language": "python",
        "env": env,
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return work / "jupyter"


def _config(course: Path, course_id: str, work: Path, limits: GradingLimits):
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        GetGrades,
        IgnorePattern,
        LimitOutput,
    )
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor

    c = Config()
    c.CourseDirectory.root = str(course)
    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    c.CourseDirectory.source_directory = "source"
    # The kernel's channels are abstract UNIX sockets with a random name, not TCP ports: over TCP,
    # every worker process picks "free" ports that another one may take before its kernel binds them
    # (jupyter_client's LocalPortCache guards only within one process), and the kernel needs no TCP.
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = f"@course-grading-{secrets.token_hex(8)}"
    c.Execute.timeout = limits.cell_timeout
    c.Execute.kernel_name = KERNEL_NAME
    c.GuardedExecute.timeout = limits.cell_timeout
    c.GuardedExecute.kernel_name = KERNEL_NAME
    # nbgrader fails the whole submission if output lags 4 s behind (a loaded machine): wait longer.
    # A kernel still busy after the timeout's interrupt also ends up here (GuardedExecute stops it).
    c.GuardedExecute.iopub_timeout = 15
    c.GuardedExecute.notebook_timeout = limits.notebook_timeout
    c.GuardedExecute.incidents_file = str(work / INCIDENTS_FILE)
    c.GuardedExecute.phases_file = str(work / PHASES_FILE)
    c.GuardedExecute.run_dir = str(work / "sandbox" / "run")
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.autograde_preprocessors = [
        GuardedExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGradesIgnoringStderr,
        SanitizeStudentHTML,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    c.GenerateFeedback.preprocessors = [
        GetGrades,
        HideHiddenTests,
        SanitizeStudentHTML,
        CSSHTMLHeaderPreprocessor,
    ]
    c.merge(feedback_page_config())
    return c


def feedback_page_config() -> Config:
    """The configuration of the feedback page's exporter."""
    c = Config()
    c.HTMLExporter.extra_template_basedirs = FEEDBACK_TEMPLATE_DIRS  # nbgrader's page, no MathJax from cdnjs
    c.GenerateFeedback.exporter_class = CachedTemplatesHTMLExporter  # templates compiled once
    return c


def _cpu_seconds() -> dict[str, float]:
    """CPU seconds (user and system) of this worker process, and of its children that have ended.

    The kernel's supervisor waits for the kernel, and this process for the supervisor (nbclient's
    shutdown), so after the last cell ``kernel_cpu`` is the kernel's whole life and its processes'.
    A worker forked by the batch starts at zero (``fork(2)``); one started by hand counts its start.
    """
    times = os.times()
    return {
        "worker_cpu": times.user + times.system,
        "kernel_cpu": times.children_user + times.children_system,
    }


def grade_in_worker(
    work: Path,
    template: Path,
    submitted: Path,
    assignment: str,
    student: str,
    notebook: str,
    course_id: str,
    limits: GradingLimits,
    fingerprint: str = "",
) -> SubmissionResult:
    """Grade ``submitted`` (a student's assignment folder) inside ``work``; writes ``work/result.json``.

    Parameters
    ----------
    work : Path
        A folder owned by this submission; emptied first.
    template : Path
        A course folder with ``source/<assignment>/<notebook>.ipynb`` and a ``gradebook.db``
        where the assignment is registered (see :func:`course_grading.gradebook.batch.make_template`).
    submitted : Path
        ``<class course>/submitted/<student>/<assignment>``; only read.
    assignment, student, notebook, course_id : str
        Names.
    limits : GradingLimits
    fingerprint : str
        Stored in the result, to recognise an up-to-date result later.

    Returns
    -------
    SubmissionResult
    """
    from nbgrader.api import Gradebook

    start = time.perf_counter()
    if work.exists():
        shutil.rmtree(work)
    course = work / "course"
    shutil.copytree(template / "source" / assignment, course / "source" / assignment)
    shutil.copy(template / "gradebook.db", course / "gradebook.db")
    source = nbformat.read(course / "source" / assignment / f"{notebook}.ipynb", as_version=4)
    from course_grading.intake.submissions import graded_test_cells

    points = graded_test_cells(source)
    result = SubmissionResult(
        assignment,
        student,
        notebook,
        "rejected",
        0.0,
        float(sum(points.values())),
        cells={g: {"score": 0.0, "max_score": p, "reason": "not graded"} for g, p in points.items()},
        fingerprint=fingerprint,
    )
    nb, result.incidents = inspect_submission(submitted, notebook, source)
    reaches_into_grader = grader_references(nb) if nb is not None else []
    result.incidents += reaches_into_grader
    extra_files = [item for item in submitted_files(submitted)[0] if item.suffix != ".ipynb"]
    extra_bytes = sum(item.stat().st_size for item in extra_files)
    if nb is not None and limits.sandbox and extra_bytes > limits.max_disk_bytes:  # they would not fit
        nb = None
        result.incidents.append(
            f"the submitted files hold {extra_bytes / 2**20:.0f} MiB, more than the "
            f"{limits.max_disk_bytes / 2**20:.0f} MiB a kernel may hold; scored 0"
        )
    feedback = work / "feedback" / f"{notebook}.html"
    if nb is None:
        for cell in result.cells.values():
            cell["reason"] = result.incidents[-1]
        write_rejection_feedback(feedback, result)
        result.seconds = time.perf_counter() - start
        write_atomic(work / RESULT_FILE, result.to_json())
        return result

    # nbgrader strips whitespace from ids and globs their folders: the private course grades
    # every submission under one plain id; the result keeps the real one.
    target = course / "submitted" / PRIVATE_STUDENT_ID / assignment
    target.mkdir(parents=True)
    for item in extra_files:
        shutil.copyfile(item, target / item.name, follow_symlinks=False)
    nbformat.write(nb, target / f"{notebook}.ipynb")

    os.environ["JUPYTER_PATH"] = str(_kernel_spec(work, limits))
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = _config(course, course_id, work, limits)
    coursedir = CourseDirectory(config=config, root=str(course))
    api = NbGraderAPI(coursedir=coursedir, config=config)
    autograde_start = time.perf_counter()
    result.phases["prepare"] = autograde_start - start
    outcome = api.autograde(assignment, PRIVATE_STUDENT_ID, force=True, create=True)
    result.phases["autograde"] = time.perf_counter() - autograde_start
    if (work / PHASES_FILE).is_file():  # kernel_start, cells, guard, kernel_stop: parts of autograde
        result.phases.update(json.loads((work / PHASES_FILE).read_text(encoding="utf-8")))
    (work / "nbgrader.log").write_text(
        f"{outcome.get('log', '')}\n{outcome.get('error', '')}", encoding="utf-8"
    )
    incidents_path = work / INCIDENTS_FILE
    if incidents_path.is_file():
        notes = json.loads(incidents_path.read_text(encoding="utf-8"))
        result.incidents += notes["incidents"]
        result.for_the_student.update(notes["for_the_student"])
    autograded = course / "autograded" / PRIVATE_STUDENT_ID / assignment / f"{notebook}.ipynb"
    if not outcome.get("success") or not autograded.is_file():
        log = (outcome.get("error") or outcome.get("log") or "").strip().splitlines()
        last = next((line for line in reversed(log) if line.strip()), "no log")
        result.status = "failed"
        result.incidents.append(f"nbgrader could not grade this submission ({last[:200]}); scored 0")
        result.for_the_student[result.incidents[-1]] = "nbgrader could not grade this submission; scored 0"
        for cell in result.cells.values():
            cell["reason"] = result.incidents[-1]
        write_rejection_feedback(feedback, result)
    else:
        graded_nb = nbformat.read(autograded, as_version=4)
        by_id = {_meta(cell).get("grade_id"): cell for cell in graded_nb.cells if _meta(cell).get("grade_id")}
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            submission = gradebook.find_submission_notebook(notebook, assignment, PRIVATE_STUDENT_ID)
            for grade in submission.grades:
                if reaches_into_grader:  # the feedback page shows the same zero
                    grade.auto_score = 0.0
                if grade.name in result.cells:
                    score = float(grade.score)
                    cell = by_id.get(grade.name)
                    reason = (
                        ""
                        if score >= float(grade.max_score)
                        else reaches_into_grader[0]
                        if reaches_into_grader
                        else (_cell_reason(cell) if cell else "cell missing")
                    )
                    result.cells[grade.name] = {
                        "score": score,
                        "max_score": float(grade.max_score),
                        "reason": reason,
                    }
            gradebook.db.commit()
        killed = any(KILLED_FROM_OUTSIDE in text for text in result.incidents)
        result.status = "failed" if killed else "graded"
        result.score = float(sum(cell["score"] for cell in result.cells.values()))
        for note, for_the_student in stderr_notes(graded_nb):
            result.incidents.append(note)
            result.for_the_student[note] = for_the_student
        if result.incidents:  # the student sees the notes at the top of the feedback
            os.chmod(autograded, 0o644)
            secrets = secret_lines(source)
            notes = [redact(text, secrets) for text in result.notes_for_the_student]
            graded_nb.cells.insert(0, grading_notes_cell(notes))
            nbformat.write(graded_nb, autograded)
        feedback_start = time.perf_counter()
        fb = api.generate_feedback(assignment, PRIVATE_STUDENT_ID, force=True)
        result.phases["feedback"] = time.perf_counter() - feedback_start
        produced = course / "feedback" / PRIVATE_STUDENT_ID / assignment / f"{notebook}.html"
        if fb.get("success") and produced.is_file():
            feedback.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(produced, feedback)
        else:
            write_rejection_feedback(feedback, result)
        shutil.copy(autograded, work / f"{notebook}.autograded.ipynb")
    result.phases.update(_cpu_seconds())
    result.seconds = time.perf_counter() - start
    write_atomic(work / RESULT_FILE, result.to_json())
    return result


def stop_when_batch_is_gone(batch_pid: int, poll_seconds: float = 0.2) -> threading.Thread:
    """End this worker, its kernel included, as soon as the batch process ``batch_pid`` is gone.

    Workers run in their own session, so a batch killed with SIGKILL (no clean-up) would
    leave them grading on, and the next run would race them over the same folders. The
    batch is recognised by pid and start time (a reused pid is another process); a zombie
    counts as gone. The check runs once at once (the batch may have died while this worker
    was starting) and then in a daemon thread.
    """
    try:
        batch = psutil.Process(batch_pid)
    except psutil.NoSuchProcess:
        batch = None

    def gone() -> bool:
        if batch is None or not batch.is_running():
            return True
        with contextlib.suppress(psutil.NoSuchProcess):
            return batch.status() == psutil.STATUS_ZOMBIE
        return True

    def stop() -> None:
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        os._exit(1)

    if gone():
        stop()

    def watch() -> None:
        while not gone():
            time.sleep(poll_seconds)
        stop()

    thread = threading.Thread(target=watch, name="stop-when-batch-is-gone", daemon=True)
    thread.start()
    return thread


def run_forked_worker(argv: list[str], log: str, env: dict[str, str]) -> None:
    """Run :func:`main` in a process forked by :mod:`course_grading.gradebook.batch`, as if started anew.

    The batch forks its workers from a server that has imported nbgrader once (a fresh
    ``python -m course_grading.sandbox.isolation`` spends 1.6 s importing), so this puts the
    child where a new process would be: its own session (the batch kills the whole group
    on a timeout), stdout and stderr in ``log``, the working directory beside it, and
    exactly the environment ``env``, which the kernel inherits.
    """
    os.setsid()
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.chdir(Path(log).parent)
    os.environ.clear()
    os.environ.update(env)
    sys.exit(main(argv))


def _commit_without_fsync() -> None:
    """Let SQLite commit without waiting for the disk (``PRAGMA synchronous=OFF``) in this process.

    Called by the worker, whose only database is its private gradebook: a scratch copy of the
    template, read back into ``result.json`` and thrown away. A commit lost in a crash costs
    nothing (no result: the submission is graded again), while each commit's fsync is a wait on
    the disk: nbgrader commits some 20 times per submission (52 ``fdatasync`` calls counted with
    strace), each 10 to 85 ms on a disk shared with other work.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def no_fsync(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    event.listen(Engine, "connect", no_fsync)


def main(argv: list[str] | None = None) -> int:
    """Worker entry point: grade one submission (arguments: see ``--help``)."""
    parser = argparse.ArgumentParser(
        description="Grade one submission in isolation (used by course_grading.gradebook.batch)"
    )
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--template", type=Path, required=True)
    parser.add_argument("--submitted", type=Path, required=True)
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--student", required=True)
    parser.add_argument("--notebook", required=True)
    parser.add_argument("--course-id", required=True)
    parser.add_argument("--limits", required=True, help="GradingLimits as JSON")
    parser.add_argument("--fingerprint", default="")
    parser.add_argument("--memory", type=int, default=0, help="RLIMIT_AS of this worker in bytes (0: none)")
    parser.add_argument("--batch-pid", type=int, default=None, help="stop when this process is gone")
    args = parser.parse_args(argv)
    limits = GradingLimits(**json.loads(args.limits))
    if limits.sandbox:  # first, while this process has one thread: nbgrader and its kernel share it
        network = enter_network_namespace() or "the host's network (Linux refused a network namespace)"
        print(f"isolation: {network}", file=sys.stderr)
    stop_when_batch_is_gone(args.batch_pid if args.batch_pid is not None else os.getppid())
    if args.memory:  # the grader's own limit (the kernel sets a lower one for itself)
        resource.setrlimit(resource.RLIMIT_AS, (args.memory, args.memory))
    with contextlib.suppress(AttributeError):
        asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    _commit_without_fsync()
    grade_in_worker(
        args.work,
        args.template,
        args.submitted,
        args.assignment,
        args.student,
        args.notebook,
        args.course_id,
        limits,
        args.fingerprint,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
