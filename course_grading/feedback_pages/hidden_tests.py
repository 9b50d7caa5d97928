"""What a student's feedback page may show: no line of a hidden test.

nbgrader's ``generate_feedback`` renders the autograded notebook, whose test cells
``OverwriteCells`` restored from the instructor's source: every hidden test would be handed
back, in the cell and again in the traceback of every failure (IPython quotes the failing
lines). :class:`HideHiddenTests` is a ``GenerateFeedback`` preprocessor, built on nbgrader's
own ``ClearHiddenTests`` (its delimiters and its ``_remove_hidden_test_region``):

- a test cell with a hidden region shows only its name and points (nbgrader's template adds
  the score) and, if it failed, the exception type and message, without traceback or output;
- once a hidden test has run, student code can read it in the same kernel (IPython's history,
  the caller's frame, ``linecache``, the kernel's request) and carry it out in any text the page
  shows. So every code cell after the first hidden test shows no output (:data:`NOT_SHOWN`), and a
  test cell's failure shows only text the instructor wrote: when no frame of the error is student
  code (every frame an instructor cell, nbgrader ``locked`` and restored from the source, or a file
  of the Python installation or of the course's packages), the message of the instructor's
  ``assert`` or ``raise`` it matches (:func:`instructor_messages`), each value it interpolates
  replaced by :data:`VALUE_NOT_SHOWN`; a message no instructor cell writes (numpy's, or one that
  quotes a value) is :data:`MESSAGE_NOT_SHOWN`. Raised inside student code, the page names a
  built-in exception type and says so (:data:`RAISED_IN_STUDENT_CODE`). The type shown is always a
  built-in one (a student may name an exception class anything);
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

import ast
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
    "HIDDEN_TESTS_BEGIN",
    "MESSAGE_NOT_SHOWN",
    "NOT_SHOWN",
    "RAISED_IN_STUDENT_CODE",
    "REDACTED",
    "VALUE_NOT_SHOWN",
    "HideHiddenTests",
    "grading_notes_cell",
    "instructor_messages",
    "shown_exception_type",
    "shown_message",
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
#: nbgrader's delimiter that opens a hidden region: a cell holding it gives the kernel a hidden test.
HIDDEN_TESTS_BEGIN = ClearHiddenTests.begin_test_delimeter.default_value
NOT_SHOWN = (
    "[not shown in the feedback: this cell ran after a hidden test, and its outputs could carry the "
    "test's code; your own notebook keeps what it printed]"
)
RAISED_IN_STUDENT_CODE = "raised inside the code of your answer cells (run the visible tests to see why)"
MESSAGE_NOT_SHOWN = "[message not shown: it is not a text of the instructor's tests]"
VALUE_NOT_SHOWN = "…"
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


def shown_exception_type(ename: str) -> str:
    """``ename`` if it is a built-in exception type, else ``"Exception"``: a student's class may have
    any name, a stolen line included."""
    return ename if ename in _BUILTIN_EXCEPTIONS else "Exception"


def _is_test_cell(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def _without_hidden_regions(cell: NotebookNode, clearer: ClearHiddenTests) -> str | None:
    """The cell's code with its hidden regions removed; None if it has none."""
    cleared = copy.deepcopy(cell)
    return cleared.source if clearer._remove_hidden_test_region(cleared) else None


def _hidden_and_visible_lines(cell: NotebookNode, clearer: ClearHiddenTests) -> tuple[set[str], set[str]]:
    """(lines inside the cell's hidden regions, the other lines), stripped."""
    cleared = _without_hidden_regions(cell, clearer)
    if cleared is None:
        return set(), {line.strip() for line in cell.source.splitlines()}
    visible = {line.strip() for line in cleared.splitlines()}
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


def _template(node: ast.expr) -> tuple[str | None, ...] | None:
    """A message expression as its parts: text, or None for each interpolated value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.JoinedStr):
        return tuple(part.value if isinstance(part, ast.Constant) else None for part in node.values)
    return None


def instructor_messages(source: str) -> list[tuple[str | None, ...]]:
    """Return the messages an instructor's cell can fail with.

    Parameters
    ----------
    source : str
        The cell's code (a locked or test cell of the autograded notebook: the instructor's,
        restored from the source).

    Returns
    -------
    list of tuple
        One per ``assert test, message`` and ``raise Error(message, ...)`` whose message is a
        string or an f-string: its text parts, with None where the f-string interpolates a value.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    templates = []
    for node in ast.walk(tree):
        message = None
        if isinstance(node, ast.Assert):
            message = node.msg
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            message = node.exc.args[0]
        template = _template(message) if message is not None else None
        if template is not None:
            templates.append(template)
    return templates


def _is_filled_in(parts: tuple[str | None, ...], message: str) -> bool:
    """Whether ``message`` is the template's text with some text in place of each value.

    Linear in the message (leftmost matching of each text part), whatever the student's values.
    """
    if len(parts) == 1:
        return parts[0] is None or message == parts[0]
    head = parts[0] or ""
    tail = parts[-1] or ""
    if len(head) + len(tail) > len(message) or not (message.startswith(head) and message.endswith(tail)):
        return False
    position, end = len(head), len(message) - len(tail)
    for part in parts[1:-1]:
        if part is not None:
            found = message.find(part, position, end)
            if found < 0:
                return False
            position = found + len(part)
    return True


def shown_message(message: str, templates: list[tuple[str | None, ...]]) -> str:
    """Return ``message`` as the feedback may show it: the instructor's text it is, values elided.

    Of the templates the whole message fills in, the one with the most text gives the message,
    each value replaced by :data:`VALUE_NOT_SHOWN`. An empty message stays empty; a message no
    template gives is :data:`MESSAGE_NOT_SHOWN`.
    """
    if not message:
        return ""
    best = ""
    for parts in templates:
        text = "".join(VALUE_NOT_SHOWN if part is None else part for part in parts)
        if len(text) > len(best) and _is_filled_in(parts, message):
            best = text
    return best if best.replace(VALUE_NOT_SHOWN, "").strip() else MESSAGE_NOT_SHOWN


def _failure_only(
    cell: NotebookNode, instructor_counts: set[int], templates: list[tuple[str | None, ...]]
) -> list[NotebookNode]:
    """The cell's first error as a built-in exception type and the instructor's message; nothing if
    it raised none.

    ``templates`` are the messages of the cell itself and of the visible code of every locked
    cell (helpers a test calls); a hidden region's messages are its own cell's only. The message
    is the template it matches (:func:`shown_message`) when the error was raised in instructor
    code (:func:`_raised_in_instructor_code`), else :data:`RAISED_IN_STUDENT_CODE`.
    """
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename = shown_exception_type(str(output.get("ename", "Error")))
        if _raised_in_instructor_code(list(output.get("traceback", [])), instructor_counts):
            message = shown_message(_ANSI.sub("", str(output.get("evalue", ""))), templates)
        else:
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
        self._shared_templates = [
            template
            for cell in nb.cells
            if cell.cell_type == "code" and (utils.is_locked(cell) or _is_test_cell(cell))
            for template in instructor_messages(self._visible_source(cell))
        ]
        self._after_hidden_test = False  # cells are preprocessed in notebook order, the order they ran
        return super().preprocess(nb, resources)

    def _visible_source(self, cell: NotebookNode) -> str:
        """The cell's code without its hidden regions."""
        cleared = _without_hidden_regions(cell, self)
        return cell.source if cleared is None else cleared

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, cell_index: int
    ) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code":
            return cell, resources
        templates = self._shared_templates + instructor_messages(cell.source) if _is_test_cell(cell) else []
        if _is_test_cell(cell) and _without_hidden_regions(cell, self) is not None:
            meta = cell.metadata.nbgrader
            cell.source = HIDDEN_NOTICE.format(grade_id=meta["grade_id"], points=float(meta.get("points", 0)))
            cell.outputs = _failure_only(cell, self._instructor_counts, templates)
            self._after_hidden_test = True
        elif self._after_hidden_test and _is_test_cell(cell):
            cell.outputs = _failure_only(cell, self._instructor_counts, templates)
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
