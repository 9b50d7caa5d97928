"""Feedback pages carry no hidden test and no student script; stderr output does not fail a test.

One class of all four assignments is graded ONCE by the real pipeline
(:func:`course_grading.gradebook.batch.grade_class`: worker processes, real nbgrader ``autograde`` and
``generate_feedback``, sandboxed kernels). Per assignment:

- ``untouched``: the release as students get it; every test fails with a traceback through
  the hidden tests (IPython quotes the failing lines);
- ``caught_by_hidden``: the first wrong answer file that passes every visible test, so a
  hidden test fails with its assertion message;
- ``correct_noisy_stderr_and_warning``: the answer file whose functions write to stderr and
  warn, which must keep full marks, with a note.

01_cross_validation also has ``injects_html`` (``<script>``, ``onerror=`` and ``javascript:``
in a markdown cell and in the outputs of an answer, and a markdown cell with formulas) and
``prints_history`` (an answer cell that prints IPython's input history, hidden tests included,
to stdout).
"""

from __future__ import annotations

import ast
import csv
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_grading.gradebook.batch import REASONS_CSV, grade_class
from course_grading.feedback_pages.hidden_tests import (
    MIN_SECRET_CHARS,
    MESSAGE_NOT_SHOWN,
    NOT_SHOWN,
    RAISED_IN_STUDENT_CODE,
    REDACTED,
    VALUE_NOT_SHOWN,
)
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.handout.release import REPO_ROOT, assignment_notebook
from course_grading.intake.submissions import (
    answer_cells,
    cell_sources,
    load_answer_sets,
    make_submission,
    write_submission,
)
from course_grading.intake.synthetic_class import ANSWERS_DIR, new_course

ASSIGNMENTS = sorted(path.name for path in (REPO_ROOT / "solutions").iterdir() if path.is_dir())
NOISY = "correct_noisy_stderr_and_warning"
LIMITS = GradingLimits(cell_timeout=60)
BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")

INJECTED_MARKDOWN = """## My notes

<script>alert("xss-markdown-script")</script>
<img src="x" onerror="alert('xss-markdown-img')">
[a link](javascript:alert('xss-markdown-link'))
"""
INJECTED_OUTPUT = """
from IPython.display import HTML, Javascript, display

display(HTML('<b>bold</b><script>alert("xss-output-script")</script>'))
display(HTML('<img src=x onerror="alert(1) // xss-output-img">'))
display(Javascript('alert("xss-output-javascript")'))
print('<script>alert("xss-stdout")</script>')
"""
FORMULA_MARKDOWN = r"""My estimate is the mean score $\bar{s} = \frac{1}{k}\sum_{i=1}^{k} s_i$, with

$$\sigma_{\bar{s}} = \frac{\sigma}{\sqrt{k}}$$
"""
PRINTS_HISTORY = '\nprint("\\n".join(In))  # every cell run so far, the hidden tests included\n'
# Appended to the first two answers: while a hidden test runs, read its code from IPython's history
# and carry it out, once through stderr (a passing cell's note) and once as the message of an error
# raised in the student's function; the last answer prints everything the history holds.
STEALS_STDERR = """

import base64 as _base64
import sys as _sys

_honest_stratified_cv_scores = stratified_cv_scores


def _stolen():
    return "EXFIL:" + _base64.b64encode(get_ipython().user_ns["In"][-1].encode()).decode()[:120]


def stratified_cv_scores(*args, **kwargs):
    if "HIDDEN" in get_ipython().user_ns["In"][-1]:
        print(_stolen(), file=_sys.stderr)
    return _honest_stratified_cv_scores(*args, **kwargs)
"""
STEALS_MESSAGE = """

_honest_group_splits = group_splits


def group_splits(*args, **kwargs):
    if "HIDDEN" in get_ipython().user_ns["In"][-1]:
        raise ValueError(_stolen())
    return _honest_group_splits(*args, **kwargs)
"""
# Appended to the third answer: once a hidden test has run, group_leakage_gap returns what it read,
# which the next visible test's message interpolates ("got {result!r}").
STEALS_RETURN = """

_honest_group_leakage_gap = group_leakage_gap


def _stolen_last_hidden_test():
    hidden = [cell for cell in get_ipython().user_ns["In"] if "HIDDEN" in cell]
    return "EXFIL:" + _base64.b64encode(hidden[-1].encode()).decode()[:120] if hidden else None


def group_leakage_gap(*args, **kwargs):
    return _stolen_last_hidden_test() or _honest_group_leakage_gap(*args, **kwargs)
"""
# Appended to the last answer: print the whole history, then raise an error whose class is named
# after it and whose message is a hidden test (the grading note quotes a failing answer cell).
STEALS_OUTPUT = """

print("EXFIL:" + _base64.b64encode("\\n".join(In).encode()).decode())
raise type("EXFIL_" + _base64.b16encode(In[-2].encode()).decode()[:40].lower(), (Exception,), {})(
    _stolen_last_hidden_test()
)
"""


class PageParts(HTMLParser):
    """The text, the script and style bodies and the attribute values of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.styles: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._inside = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag if tag in ("script", "style") else ""
        self.attributes += [(name, value or "") for name, value in attrs]
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._inside = ""

    def handle_data(self, data: str) -> None:
        {"script": self.scripts, "style": self.styles}.get(self._inside, self.text).append(data)


def page_parts(path: Path) -> PageParts:
    parts = PageParts()
    parts.feed(path.read_text(encoding="utf-8"))
    return parts


def assert_nothing_of_the_student_can_run(parts: PageParts) -> None:
    """No injected text in a script, no event handler attribute, no ``javascript:`` address."""
    assert not [script for script in parts.scripts if "xss-" in script]
    assert not [(name, value) for name, value in parts.attributes if "xss-" in value or name.startswith("on")]
    assert not [value for name, value in parts.attributes if value.strip().lower().startswith("javascript:")]


def hidden_lines(assignment: str) -> set[str]:
    """Lines inside the hidden regions of the source that no text of the release holds, stripped."""
    notebook = assignment_notebook(assignment)
    source = nbformat.read(REPO_ROOT / "solutions" / assignment / f"{notebook}.ipynb", as_version=4)
    release = nbformat.read(REPO_ROOT / "exercises" / assignment / f"{notebook}.ipynb", as_version=4)
    shown = "\n".join(cell.source for cell in release.cells)
    lines = set()
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if BEGIN in line or END in line:
                inside = BEGIN in line
            elif inside:
                lines.add(line.strip())
    return {line for line in lines if len(line) >= MIN_SECRET_CHARS and line not in shown}


def cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    return [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells].index(grade_id)


def first_caught_by_hidden(assignment: str) -> str:
    return next(
        s.name
        for s in load_answer_sets(ANSWERS_DIR / assignment)
        if s.kind == "wrong" and s.passes_visible_tests
    )


@dataclass
class GradedClass:
    course: Path
    reasons: dict[tuple[str, str], dict[str, str]]

    def feedback(self, assignment: str, student: str) -> Path:
        return self.course / "feedback" / student / assignment / f"{assignment_notebook(assignment)}.html"

    def autograded(self, assignment: str, student: str) -> nbformat.NotebookNode:
        path = self.course / "autograded" / student / assignment / f"{assignment_notebook(assignment)}.ipynb"
        return nbformat.read(path, as_version=4)

    def submitted(self, assignment: str, student: str) -> nbformat.NotebookNode:
        path = self.course / "submitted" / student / assignment / f"{assignment_notebook(assignment)}.ipynb"
        return nbformat.read(path, as_version=4)

    def students(self, assignment: str) -> list[str]:
        return sorted(student for a, student in self.reasons if a == assignment)


def write_class(course: Path) -> None:
    for assignment in ASSIGNMENTS:
        notebook = assignment_notebook(assignment)
        release = REPO_ROOT / "exercises" / assignment / f"{notebook}.ipynb"
        source = nbformat.read(course / "solutions" / assignment / f"{notebook}.ipynb", as_version=4)
        solution = cell_sources(source, answer_cells(source))
        answer_sets = {s.name: s for s in load_answer_sets(ANSWERS_DIR / assignment)}

        def submit(student: str, answers: dict[str, str]) -> nbformat.NotebookNode:
            nb = make_submission(release, answers)
            write_submission(course, student, assignment, nb, notebook)
            return nb

        submit("untouched", {})
        for name in (first_caught_by_hidden(assignment), NOISY):
            submit("caught_by_hidden" if name != NOISY else NOISY, {**solution, **answer_sets[name].cells})
        if assignment == ASSIGNMENTS[0]:
            first, last = answer_cells(source)[0], answer_cells(source)[-1]
            nb = make_submission(release, {**solution, first: solution[first] + INJECTED_OUTPUT})
            index = cell_index(nb, first)
            nb.cells.insert(index + 1, nbformat.v4.new_markdown_cell(INJECTED_MARKDOWN))
            nb.cells.insert(index + 2, nbformat.v4.new_markdown_cell(FORMULA_MARKDOWN))
            write_submission(course, "injects_html", assignment, nb, notebook)
            submit("prints_history", {**solution, last: solution[last] + PRINTS_HISTORY})
            first_three = answer_cells(source)[:3]
            submit(
                "steals_hidden_tests",
                {
                    **solution,
                    first_three[0]: solution[first_three[0]] + STEALS_STDERR,
                    first_three[1]: solution[first_three[1]] + STEALS_MESSAGE,
                    first_three[2]: solution[first_three[2]] + STEALS_RETURN,
                    last: solution[last] + STEALS_OUTPUT,
                },
            )


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    course = new_course(tmp_path_factory.mktemp("feedback") / "course", ASSIGNMENTS)
    write_class(course)
    grade_class(course, jobs=2, limits=LIMITS)
    with open(course / REASONS_CSV, newline="", encoding="utf-8") as handle:
        reasons = {(row["assignment"], row["student"]): row for row in csv.DictReader(handle)}
    return GradedClass(course, reasons)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_feedback_page_contains_a_line_of_a_hidden_test(
    graded_class: GradedClass, assignment: str
) -> None:
    secrets = hidden_lines(assignment)  # what the student wrote too is theirs to see
    assert len(secrets) >= 5, f"{assignment}: only {len(secrets)} hidden lines to look for"
    for student in graded_class.students(assignment):
        # the instructor's autograded copy has the hidden tests: the feedback removed them
        autograded = "\n".join(cell.source for cell in graded_class.autograded(assignment, student).cells)
        assert secrets <= {line.strip() for line in autograded.splitlines()}, student
        written = "\n".join(cell.source for cell in graded_class.submitted(assignment, student).cells)
        parts = page_parts(graded_class.feedback(assignment, student))
        text = "".join(parts.text + parts.scripts + parts.styles + [value for _, value in parts.attributes])
        leaked = sorted(line for line in secrets if line in text and line not in written)
        assert not leaked, f"{assignment}/{student}: the feedback shows hidden test lines {leaked[:3]}"


# Where the first hidden failure of each assignment's "caught_by_hidden" answer is raised: in the
# hidden test's own assert (its message is shown), or inside the student's function (02: count_fits
# calls .values() on the list grid the hidden test passes; only the exception type is shown).
RAISED_IN = {
    "01_cross_validation": "instructor",
    "02_hyperparameter_search": "student",
    "03_optuna_studies": "instructor",
    "04_parallel_and_visualization": "instructor",
}


def with_values_elided(message: str, sources: list[str]) -> str | None:
    """The string or f-string message of an ``assert`` in ``sources`` (cells' code) that gives
    ``message``, with VALUE_NOT_SHOWN for each value it interpolates; None if none gives it."""
    for node in (node for source in sources for node in ast.walk(ast.parse(source))):
        if not isinstance(node, ast.Assert) or not isinstance(node.msg, (ast.Constant, ast.JoinedStr)):
            continue
        parts = node.msg.values if isinstance(node.msg, ast.JoinedStr) else [node.msg]
        texts = [part.value if isinstance(part, ast.Constant) else None for part in parts]
        pattern = "".join("(.*)" if text is None else re.escape(text) for text in texts)
        if re.fullmatch(pattern, message, flags=re.DOTALL):
            return "".join(VALUE_NOT_SHOWN if text is None else text for text in texts)
    return None


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_test_cell_shows_its_name_points_and_a_failure_message_written_by_the_instructor(
    graded_class: GradedClass, assignment: str
) -> None:
    row = graded_class.reasons[(assignment, "caught_by_hidden")]
    assert float(row["score"]) < float(row["max_score"]), row
    failure = next(reason for reason in row["reasons"].split(" | ") if "_hidden: " in reason)
    grade_id, message = failure.split(": ", 1)
    text = "".join(page_parts(graded_class.feedback(assignment, "caught_by_hidden")).text)
    assert re.search(rf"Hidden test {grade_id} \([0-9.]+ points\)", text), grade_id
    exception, _, detail = message.partition(": ")
    if RAISED_IN[assignment] == "instructor":
        autograded = graded_class.autograded(assignment, "caught_by_hidden")
        cell = autograded.cells[cell_index(autograded, grade_id)]
        error = next(output for output in cell.outputs if output.output_type == "error")
        locked = [
            c.source for c in autograded.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("locked")
        ]
        shown = with_values_elided(re.sub(r"\x1b\[[0-9;]*m", "", error.evalue), [cell.source, *locked])
        assert shown is not None, f"{assignment}: {error.evalue!r} is no message of {grade_id}'s asserts"
        assert f"{error.ename}: {shown}" in text, f"{assignment}: failure message {shown!r} not in the feedback"
    else:
        assert f"{exception}: {RAISED_IN_STUDENT_CODE}" in text and detail.strip() not in text, text
    assert "Traceback" not in text and "----> " not in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_correct_answer_that_writes_to_stderr_and_warns_keeps_full_marks_with_a_note(
    graded_class: GradedClass, assignment: str
) -> None:
    row = graded_class.reasons[(assignment, NOISY)]
    assert row["status"] == "graded" and float(row["score"]) == float(row["max_score"]) > 0, row
    kept = "wrote to stderr (kept its points): debug:"
    notes = [reason for reason in row["reasons"].split(" | ") if kept in reason]
    assert any("_visible" in note for note in notes) and any("_hidden" in note for note in notes), row
    text = "".join(page_parts(graded_class.feedback(assignment, NOISY)).text)
    assert "wrote to stderr (kept its points)" in text


def test_student_html_never_reaches_a_script_or_an_attribute_of_the_feedback(
    graded_class: GradedClass,
) -> None:
    parts = page_parts(graded_class.feedback(ASSIGNMENTS[0], "injects_html"))
    text = "".join(parts.text)
    assert "xss-markdown-script" in text and "xss-stdout" in text, "the injected content is shown, as text"
    assert_nothing_of_the_student_can_run(parts)


def test_autograded_notebook_for_formgrader_holds_no_student_script(graded_class: GradedClass) -> None:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    nb = graded_class.autograded(ASSIGNMENTS[0], "injects_html")
    rendered = PageParts()  # the markdown cells as formgrader renders them
    markdown = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    rendered.feed("".join(markdown2html_mistune(source) for source in markdown))
    assert "xss-markdown-script" in "".join(rendered.text)
    assert_nothing_of_the_student_can_run(rendered)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    rich = [output for cell in code for output in cell.outputs if "data" in output]
    assert not [output for output in rich if "application/javascript" in output.data]
    assert not [output for output in rich if "<script" in output.data.get("text/html", "")]


REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
CSS_LOADS = re.compile(r"""(?:@import\s+|url\()\s*["']?((?:https?:)?//[^\s"')]+)""", re.IGNORECASE)


def remote_resources(parts: PageParts) -> list[str]:
    """What the page would load from another machine: scripts, stylesheets, CSS @import and url()."""
    loaded = [attrs.get("src") or "" for tag, attrs in parts.tags if tag == "script"]
    loaded += [attrs.get("href") or "" for tag, attrs in parts.tags if tag == "link"]
    remote = [url for url in loaded if REMOTE.match(url)]
    remote += re.findall(r"https?://\S+", "".join(parts.scripts))  # an ES module import, a loader
    return remote + CSS_LOADS.findall("".join(parts.styles))


def test_no_feedback_page_loads_a_script_or_stylesheet_from_another_machine(
    graded_class: GradedClass,
) -> None:
    pages = sorted(graded_class.course.glob("feedback/*/*/*.html"))
    assert len(pages) == len(graded_class.reasons), pages
    loading = {str(page): remote_resources(page_parts(page)) for page in pages}
    assert not {page: urls for page, urls in loading.items() if urls}
    assert all(parts.scripts == [] for parts in map(page_parts, pages)), "a feedback page has a script"


def test_formulas_in_a_markdown_cell_arrive_in_the_feedback_as_mathml(graded_class: GradedClass) -> None:
    page = graded_class.feedback(ASSIGNMENTS[0], "injects_html").read_text(encoding="utf-8")
    formulas = re.findall(r'<math [^>]*display="(\w+)"[^>]*>(.*?)</math>', page)
    assert [display for display, _ in formulas] == ["inline", "block"], formulas
    inline, block = (body for _, body in formulas)
    assert "<mfrac>" in inline and "<msubsup>" in inline, inline
    assert "<msqrt>" in block, block
    assert "\\frac" not in page and "$$" not in page, "LaTeX left for a MathJax that is not loaded"


def test_outputs_of_a_cell_after_a_hidden_test_are_not_shown(graded_class: GradedClass) -> None:
    row = graded_class.reasons[(ASSIGNMENTS[0], "prints_history")]
    assert float(row["score"]) == float(row["max_score"]), row
    text = "".join(page_parts(graded_class.feedback(ASSIGNMENTS[0], "prints_history")).text)
    assert NOT_SHOWN in text


def test_hidden_tests_read_while_grading_leave_through_no_output_message_or_note(
    graded_class: GradedClass,
) -> None:
    assignment, student = ASSIGNMENTS[0], "steals_hidden_tests"
    autograded = graded_class.autograded(assignment, student)
    carried = [
        output
        for cell in autograded.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "EXFIL:" in str(output.get("text", "")) + str(output.get("evalue", ""))
    ]
    kinds = sorted({output.get("name") or output.output_type for output in carried})
    assert kinds == ["error", "stderr", "stdout"], f"the attack did not run as written: {kinds}"

    row = graded_class.reasons[(assignment, student)]
    carried_in_reasons = [  # the instructor's CSV keeps every channel the attack used
        "group_splits_hidden: ValueError: EXFIL:",  # an error raised in the student's function
        "group_leakage_gap_visible: AssertionError: expected a pair (kfold_mean, group_mean), got 'EXFIL:",
        "error in cv_summary: EXFIL_",  # an answer cell's error: its class name and message
        ": wrote to stderr (kept its points): EXFIL:",
    ]
    assert [part for part in carried_in_reasons if part not in row["reasons"]] == [], row["reasons"]

    text = "".join(page_parts(graded_class.feedback(assignment, student)).text)
    stolen = re.findall(r"EXFIL:[A-Za-z0-9+/=]{8,}|EXFIL_[0-9a-f]{8,}", text)  # its source shows "EXFIL:" + ...
    assert not stolen, f"the feedback carries what the student's code read from a hidden test: {stolen[:2]}"
    assert RAISED_IN_STUDENT_CODE in text and NOT_SHOWN in text
    assert f"AssertionError: expected a pair (kfold_mean, group_mean), got {VALUE_NOT_SHOWN}" in text
    assert "error in cv_summary: Exception" in text


STRATIFIED_MESSAGE = (  # the hidden test's f-string, with the value it interpolates
    "with 10 % minority, every stratified fold has the same class mix, got fold accuracies {}: "
    "the folds are not stratified"
)


def test_hide_hidden_tests_keeps_name_points_and_message_and_redacts_quotes_elsewhere() -> None:
    from course_grading.feedback_pages.hidden_tests import HIDDEN_NOTICE, HideHiddenTests, secret_lines

    assignment = ASSIGNMENTS[0]
    notebook = assignment_notebook(assignment)
    nb = nbformat.read(REPO_ROOT / "solutions" / assignment / f"{notebook}.ipynb", as_version=4)
    secret = sorted(secret_lines(nb))[0]
    hidden = next(c for c in nb.cells if BEGIN in c.source)
    hidden.execution_count = 7
    hidden.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="expected values: 0.9\n"),
        nbformat.v4.new_output(
            "error", ename="AssertionError", evalue=STRATIFIED_MESSAGE.format("[0.9 0.1]"),
            traceback=[
                f"\x1b[0;31mCell In[7], line 9\x1b[0m\n\x1b[0;32m----> 9\x1b[0m {secret}",
                f"AssertionError: {STRATIFIED_MESSAGE.format('[0.9 0.1]')}",
            ],
        ),
    ]
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    printed = f"my line\n  {secret}\nmy other line\n"
    answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]

    nb, _ = HideHiddenTests().preprocess(nb, {})
    points = float(hidden.metadata.nbgrader.points)
    assert hidden.source == HIDDEN_NOTICE.format(grade_id=hidden.metadata.nbgrader.grade_id, points=points)
    message = STRATIFIED_MESSAGE.format(VALUE_NOT_SHOWN)
    assert [(o.output_type, o.ename, o.evalue, o.traceback) for o in hidden.outputs] == [
        ("error", "AssertionError", message, [f"AssertionError: {message}"])
    ]
    assert answer.outputs[0].text == f"my line\n{REDACTED}\nmy other line\n"
    assert not [c for c in nb.cells if BEGIN in c.source or secret in c.source]



def failed_hidden_cell(frames: list[str], ename: str, evalue: str = "EXFIL:c2VjcmV0") -> nbformat.NotebookNode:
    """The first hidden test cell of the first solution after ``HideHiddenTests``, which had failed
    with a traceback of ``frames`` (their first lines); "{hidden}" and "{answer}" in a frame name
    that hidden cell and the first answer cell, by their execution counts."""
    from course_grading.feedback_pages.hidden_tests import HideHiddenTests

    notebook = assignment_notebook(ASSIGNMENTS[0])
    nb = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENTS[0] / f"{notebook}.ipynb", as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for count, cell in enumerate(code, start=1):
        cell.execution_count = count
    hidden = next(cell for cell in code if BEGIN in cell.source)
    answer = next(cell for cell in code if cell.metadata.get("nbgrader", {}).get("solution"))
    counts = {"hidden": hidden.execution_count, "answer": answer.execution_count}
    traceback = [frame.format(**counts) for frame in frames] + [f"{ename}: {evalue}"]
    error = nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=traceback)
    hidden.outputs = [error]
    HideHiddenTests().preprocess(nb, {})
    return hidden


STOLEN = "EXFIL:c2VjcmV0"
HIDDEN_FRAME = "Cell In[{hidden}], line 3"
ANSWER_FRAME = "Cell In[{answer}], line 2, in group_splits(X, y, groups)"


@pytest.mark.parametrize(
    "frames, ename, evalue, shown",
    [
        pytest.param(
            [HIDDEN_FRAME, ANSWER_FRAME], "ValueError", STOLEN, ("ValueError", RAISED_IN_STUDENT_CODE),
            id="raised-in-an-answer-cell",
        ),
        pytest.param(
            [HIDDEN_FRAME, ANSWER_FRAME], "StolenTestSource", STOLEN, ("Exception", RAISED_IN_STUDENT_CODE),
            id="a-class-of-its-own",
        ),
        pytest.param(
            [HIDDEN_FRAME, "File /tmp/sandbox/stolen.py:3, in steal()"], "ValueError", STOLEN,
            ("ValueError", RAISED_IN_STUDENT_CODE), id="a-module-of-its-own",
        ),
        pytest.param(
            [HIDDEN_FRAME, f"{ANSWER_FRAME}\n{HIDDEN_FRAME} quoted in the answer's source"], "ValueError", STOLEN,
            ("ValueError", RAISED_IN_STUDENT_CODE), id="a-fake-frame-line-in-its-source",
        ),
        pytest.param(
            [HIDDEN_FRAME, f"File {np.__file__}:10, in allclose()"], "AssertionError", STOLEN,
            ("AssertionError", MESSAGE_NOT_SHOWN), id="numpy-message-that-is-no-instructor-text",
        ),
        pytest.param(
            [HIDDEN_FRAME], "AssertionError", STRATIFIED_MESSAGE.format(repr(STOLEN)),
            ("AssertionError", STRATIFIED_MESSAGE.format(VALUE_NOT_SHOWN)),
            id="instructor-message-with-the-interpolated-value-elided",
        ),
        pytest.param(
            [HIDDEN_FRAME], "AssertionError", STRATIFIED_MESSAGE.format(STOLEN) + " and more",
            ("AssertionError", MESSAGE_NOT_SHOWN), id="instructor-message-with-text-appended",
        ),
        pytest.param(
            [HIDDEN_FRAME], "StolenTestSource", "", ("Exception", ""), id="an-exception-class-of-any-name",
        ),
    ],
)
def test_a_hidden_failure_shows_only_text_the_instructor_wrote(
    frames: list[str], ename: str, evalue: str, shown: tuple[str, str]
) -> None:
    hidden = failed_hidden_cell(frames, ename, evalue)
    assert [(output.ename, output.evalue) for output in hidden.outputs] == [shown]
