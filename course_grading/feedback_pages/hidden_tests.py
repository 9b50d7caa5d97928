"""What a student's feedback page may show: no line of a hidden test.

nbgrader's ``generate_feedback`` renders the autograded notebook, whose test cells
``OverwriteCells`` restored from the instructor's source: every hidden test would be handed
back, in the cell and again in the traceback of every failure (IPython quotes the failing
lines). :class:`HideHiddenTests` is a ``GenerateFeedback`` preprocessor, built on nbgrader's
own ``ClearHiddenTests`` (its delimiters and its ``_remove_hidden_test_region``):

- a test cell with a hidden region shows only its name and points (nbgrader's template adds
  the score) and, if it failed, the exception type and message, without traceback or output;
- once a hidden test has run, student code can read it in the same kernel (IPython's history,
  the caller's frame, ``linecache``) and carry it out in any text the page shows. So every code
  cell after the first hidden test shows no output (:data:`NOT_SHOWN`), and a test cell's
  failure shows its message only when no frame of the error is student code: every frame an
  instructor cell (nbgrader ``locked``, restored from the source) or a file of the Python
  installation or of the course's packages. Otherwise the page names only a built-in exception
  type and says the error was raised in the student's code (:data:`RAISED_IN_STUDENT_CODE`).
  A shown message is cut at :data:`MAX_MESSAGE_CHARS`: what an instructor's message
  interpolates from a student's return value is the one channel left, and it is bounded;
- in every other output (streams, rich data, error messages and tracebacks of the cells before
  the first hidden test) a line that quotes a line of a hidden test is replaced by
  :data:`REDACTED`.

The page is nbgrader's feedback template found through :data:`FEEDBACK_TEMPLATE_DIRS`, where
``course_grading/feedback_pages/templates/feedback/mathjax.html.j2`` replaces the macro that loads MathJax from
cdnjs: a feedback page makes no request off the machine; formulas are MathML
(:mod:`course_grading.feedback_pages.student_html`).

:func:`redact` and :func:`secret_lines` do the same for the grading notes, which
:func:`grading_notes_cell` puts at the top of the page.
"""

from __future__ import annotations

import builtins
import copy
import html
import re
import sysconfig
from pathlib import Path

import nbformat
import nbgrader
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

__all__ = [
    "FEEDBACK_TEMPLATE_DIRS",
    "HIDDEN_NOTICE",
    "NOT_SHOWN",
    "RAISED_IN_STUDENT_CODE",
    "REDACTED",
    "HideHiddenTests",
    "grading_notes_cell",
    "redact",
    "secret_lines",
]

# HTMLExporter.extra_template_basedirs of GenerateFeedback, whose template is "feedback" (NbGraderAPI
# sets the name): the course's feedback/ folder first, then nbgrader's, which GenerateFeedback.__init__
# would have used alone.
FEEDBACK_TEMPLATE_DIRS = [
    str(Path(__file__).parent / "templates"),
    str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"),
]

HIDDEN_NOTICE = "# Hidden test {grade_id} ({points:g} points): its code is not shown in the feedback."
REDACTED = "[removed from the feedback: this line quotes a hidden test]"
# Lines shorter than this (`else:`, `)`, `xs = []`) occur in any code: not treated as secrets.
MIN_SECRET_CHARS = 8
NOT_SHOWN = (
    "[not shown in the feedback: this cell ran after a hidden test, and its outputs could carry the "
    "test's code; your own notebook keeps what it printed]"
)
RAISED_IN_STUDENT_CODE = "raised inside the code of your answer cells (run the visible tests to see why)"
MAX_MESSAGE_CHARS = 300
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The first line of each frame of an IPython 9 traceback: a cell, or a file.
_CELL_FRAME = re.compile(r"^Cell In\[(\d+)\], line \d+")
_FILE_FRAME = re.compile(r"^File (.+?):\d+(?:, in .*)?$")
# Code that is not the student's: the Python installation and the course's own packages.
_TRUSTED_ROOTS = sorted(
    {str(Path(sysconfig.get_paths()[name]).resolve()) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    | {str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2] / "course_utils")}
)
_BUILTIN_EXCEPTIONS = {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
}


def _is_test_cell(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def _hidden_and_visible_lines(cell: NotebookNode, clearer: ClearHiddenTests) -> tuple[set[str], set[str]]:
    """(lines inside the cell's hidden regions, the other lines), stripped."""
    cleared = copy.deepcopy(cell)
    if not clearer._remove_hidden_test_region(cleared):
        return set(), {line.strip() for line in cell.source.splitlines()}
    visible = {line.strip() for line in cleared.source.splitlines()}
    everything = {line.strip() for line in cell.source.splitlines()}
    return everything - visible, visible


def secret_lines(nb: NotebookNode, clearer: ClearHiddenTests | None = None) -> set[str]:
    """Return the lines of the hidden tests of ``nb`` that no visible part of it shows.

    Parameters
    ----------
    nb : NotebookNode
        A source or autograded notebook (its test cells hold the hidden regions).
    clearer : ClearHiddenTests, default=None
        Gives the delimiters (nbgrader's defaults if None).

    Returns
    -------
    set of str
        Stripped lines of at least :data:`MIN_SECRET_CHARS` characters, delimiters excluded.
    """
    clearer = clearer or ClearHiddenTests()
    hidden: set[str] = set()
    visible: set[str] = set()
    for cell in nb.cells:
        if _is_test_cell(cell):
            inside, outside = _hidden_and_visible_lines(cell, clearer)
            hidden |= inside
            visible |= outside
        elif utils.is_locked(cell):
            visible |= {line.strip() for line in cell.source.splitlines()}
    delimiters = (clearer.begin_test_delimeter, clearer.end_test_delimeter)
    return {
        line
        for line in hidden - visible
        if len(line) >= MIN_SECRET_CHARS and not any(mark in line for mark in delimiters)
    }


def redact(text: str, secrets: set[str]) -> str:
    """Return ``text`` with every line that contains one of ``secrets`` replaced by :data:`REDACTED`.

    ANSI colour codes are removed first (IPython colours each token of a traceback); a text
    without a secret is returned unchanged, colours included.
    """
    plain = _ANSI.sub("", text)
    if not any(secret in plain for secret in secrets):
        return text
    return "\n".join(
        REDACTED if any(secret in line for secret in secrets) else line for line in plain.split("\n")
    )


def _redact_output(output: NotebookNode, secrets: set[str]) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        output.text = redact(output.get("text", ""), secrets)
    elif kind == "error":
        output.evalue = redact(str(output.get("evalue", "")), secrets)
        output.traceback = [redact(line, secrets) for line in output.get("traceback", [])]
    elif kind in ("display_data", "execute_result"):
        for mime, value in output.get("data", {}).items():
            if isinstance(value, str):
                output.data[mime] = redact(value, secrets)
            elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                output.data[mime] = redact("".join(value), secrets)


def _raised_in_instructor_code(traceback: list[str], instructor_counts: set[int]) -> bool:
    """Whether every frame of an IPython traceback is an instructor cell or a trusted file.

    ``instructor_counts`` are the execution counts of the notebook's locked cells. Only the
    first line of each item is read: the lines below it quote the frame's source, which may
    be the student's.
    """
    headers = [_ANSI.sub("", item).strip("\n").split("\n", 1)[0].strip() for item in traceback[:-1]]
    cells = [int(match[1]) for header in headers if (match := _CELL_FRAME.match(header))]
    files = [match[1] for header in headers if (match := _FILE_FRAME.match(header))]
    trusted_files = all(
        any(str(Path(path).resolve()).startswith(root + "/") for root in _TRUSTED_ROOTS) for path in files
    )
    return bool(cells) and set(cells) <= instructor_counts and trusted_files


def _failure_only(cell: NotebookNode, secrets: set[str], instructor_counts: set[int]) -> list[NotebookNode]:
    """The cell's first error as exception type and message only; nothing if it raised none.

    The message is shown only when the error was raised in instructor code
    (:func:`_raised_in_instructor_code`), cut at :data:`MAX_MESSAGE_CHARS`.
    """
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename = str(output.get("ename", "Error"))
        if _raised_in_instructor_code(list(output.get("traceback", [])), instructor_counts):
            message = redact(_ANSI.sub("", str(output.get("evalue", ""))), secrets)[:MAX_MESSAGE_CHARS]
        else:
            ename = ename if ename in _BUILTIN_EXCEPTIONS else "Exception"
            message = RAISED_IN_STUDENT_CODE
        summary = f"{ename}: {message}" if message else ename
        return [nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[summary])]
    return []


class HideHiddenTests(ClearHiddenTests):
    """``GenerateFeedback`` preprocessor: hidden test cells show their name, points and failure only."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        self._secrets = secret_lines(nb, self)
        self._instructor_counts = {
            cell.execution_count
            for cell in nb.cells
            if cell.cell_type == "code" and utils.is_locked(cell) and cell.get("execution_count")
        }
        self._after_hidden_test = False  # cells are preprocessed in notebook order, the order they ran
        return super().preprocess(nb, resources)

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, cell_index: int
    ) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code":
            return cell, resources
        if _is_test_cell(cell) and self._remove_hidden_test_region(copy.deepcopy(cell)):
            meta = cell.metadata.nbgrader
            cell.source = HIDDEN_NOTICE.format(grade_id=meta["grade_id"], points=float(meta.get("points", 0)))
            cell.outputs = _failure_only(cell, self._secrets, self._instructor_counts)
            self._after_hidden_test = True
        elif self._after_hidden_test and _is_test_cell(cell):
            cell.outputs = _failure_only(cell, self._secrets, self._instructor_counts)
        elif self._after_hidden_test:
            shown = bool(cell.outputs)
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=NOT_SHOWN + "\n")] if shown else []
        else:
            for output in cell.outputs:
                _redact_output(output, self._secrets)
        return cell, resources


def grading_notes_cell(notes: list[str]) -> NotebookNode:
    """A markdown cell "Grading notes" listing ``notes`` (HTML-escaped), for the top of the feedback."""
    lines = ["## Grading notes", ""] + [f"- {html.escape(text)}" for text in notes]
    return nbformat.v4.new_markdown_cell("\n".join(lines))
