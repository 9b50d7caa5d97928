"""Score a test cell by whether it ran without error, whatever it wrote to stderr.

nbgrader's :func:`nbgrader.utils.determine_grade` gives a test cell 0 points when its outputs
hold an error *or any stderr stream*: a warning raised by the student's code, or a debugging
``print(..., file=sys.stderr)``, fails a test that passed. :class:`SaveAutoGradesIgnoringStderr`
is nbgrader's ``SaveAutoGrades`` scoring each test cell as if its stderr streams were not
there (errors, and partial credit from an ``execute_result``, count as before); the cell in
the autograded notebook keeps its stderr output, and :func:`stderr_notes` says which passing
test cells wrote to stderr. From the first hidden test on, the feedback shows these notes
without the text: written once the kernel holds a hidden test, it may carry the test's code.
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import SaveAutoGrades

from course_grading.feedback_pages.hidden_tests import HIDDEN_TESTS_BEGIN

__all__ = ["STDERR_NOTE", "SaveAutoGradesIgnoringStderr", "stderr_notes", "without_stderr"]

NOTE_CHARS = 160
STDERR_NOTE = "wrote to stderr (kept its points)"


def _is_stderr(output: NotebookNode) -> bool:
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


def without_stderr(cell: NotebookNode) -> NotebookNode:
    """Return a copy of ``cell`` without its stderr stream outputs."""
    quiet = copy.deepcopy(cell)
    if quiet.cell_type == "code":
        quiet.outputs = [output for output in quiet.outputs if not _is_stderr(output)]
    return quiet


class SaveAutoGradesIgnoringStderr(SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades``, except that stderr output does not fail a test cell."""

    def _add_score(self, cell: NotebookNode, resources: dict) -> None:
        super()._add_score(without_stderr(cell), resources)


def stderr_notes(nb: NotebookNode) -> list[tuple[str, str]]:
    """Return a note for every test cell of an autograded notebook that passed but wrote to stderr.

    Parameters
    ----------
    nb : NotebookNode
        An autograded notebook (test cells with their outputs).

    Returns
    -------
    list of tuple of str
        In cell order, the instructor's note ``"<grade_id>: wrote to stderr (kept its points): <first
        line>"`` and the student's: the same before the first hidden test, from it on
        ``"<grade_id>: wrote to stderr (kept its points)"``.
    """
    notes = []
    hidden_test_sent = False
    for cell in nb.cells:
        hidden_test_sent |= cell.cell_type == "code" and HIDDEN_TESTS_BEGIN in cell.source
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        streams = [output.get("text", "") for output in cell.outputs if _is_stderr(output)]
        score, max_score = utils.determine_grade(without_stderr(cell))
        if streams and score == max_score:
            first = next((line.strip() for text in streams for line in text.splitlines() if line.strip()), "")
            note = f"{meta['grade_id']}: {STDERR_NOTE}: {first[:NOTE_CHARS]}"
            notes.append((note, f"{meta['grade_id']}: {STDERR_NOTE}" if hidden_test_sent else note))
    return notes
