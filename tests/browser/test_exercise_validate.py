"""A student fills in exercise 01 in JupyterLab and presses nbgrader's Validate button.

The correct answers are the solution notebook's; the wrong one is a known
wrong answer of the grading tests that fails a visible test.
"""

from browser_harness import BrowserPage, StudentLab
from browser_lab_ui import close_dialog, open_notebook, set_cell_text, validate


def _fill(page, panel, answers: dict[int, str]) -> None:
    for index, text in answers.items():
        set_cell_text(page, panel, index, text)


def test_validate_passes_a_correct_answer_and_fails_a_wrong_one(
    student_lab: StudentLab, browser_page: BrowserPage
):
    page = browser_page.page
    exercise = student_lab.exercise
    relative = exercise.notebook.relative_to(student_lab.root).as_posix()
    print(f"exercise: {relative}; wrong answer: {exercise.wrong_source}")
    panel = open_notebook(page, student_lab.server, relative)

    _fill(page, panel, exercise.wrong)
    result, text = validate(page, panel)
    browser_page.screenshot("validate_wrong_answer")
    assert result == "failed", (
        f"Validate with the wrong answer ({exercise.wrong_source}) should report a failed test "
        f"('.nbgrader-ErrorDialog .validation-failed'), got {result!r}:\n{text[:1500]}"
    )
    close_dialog(page)

    _fill(page, panel, exercise.correct)
    result, text = validate(page, panel)
    browser_page.screenshot("validate_correct_answer")
    assert result == "success", (
        "Validate with the solution's answers should succeed "
        f"('.nbgrader-SuccessDialog .validation-success'), got {result!r}:\n{text[:1500]}"
    )
    close_dialog(page)

    remote = browser_page.remote_requests()
    assert not remote, f"the page requested URLs outside 127.0.0.1: {remote[:10]}"
