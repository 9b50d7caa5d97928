"""A student in JupyterLab: runs lecture 07 and sees its Plotly figures; validates exercise 01.

Both tests use one JupyterLab server (the ``student_lab`` fixture), stopped
when this module ends. The exercise's correct answers are the solution
notebook's; the wrong one is a known wrong answer of the grading tests that
fails a visible test.
"""

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_harness import BrowserPage, StudentLab
from browser_lab_ui import UIError, close_dialog, open_notebook, run_all_cells, set_cell_text, validate

# Lecture 07 trains two 40-trial studies (and two small ones) and draws every optuna.visualization
# plot: a minute or two here, several minutes when the 2 cores are shared.
RUN_TIMEOUT_MS = 600_000


def test_lecture_07_runs_in_jupyterlab_and_shows_plotly_figures_without_a_cdn(
    student_lab: StudentLab, browser_page: BrowserPage
):
    page = browser_page.page
    relative = student_lab.lecture.notebook.relative_to(student_lab.root).as_posix()
    print(f"notebook: {relative}")
    panel = open_notebook(page, student_lab.server, relative)
    run_all_cells(page, panel, timeout_ms=RUN_TIMEOUT_MS)

    figures = panel.locator(".js-plotly-plot")
    try:
        figures.locator(".main-svg").first.wait_for(timeout=30_000)
    except PlaywrightTimeout:
        raise UIError(
            f"no Plotly figure SVG ('.js-plotly-plot .main-svg') in {relative} after running it"
        ) from None
    expected = student_lab.lecture.n_plotly_figures
    try:
        figures.nth(expected - 1).locator(".main-svg").first.wait_for(timeout=30_000)
    except PlaywrightTimeout:
        raise UIError(
            f"{relative} shows {figures.count()} Plotly figures ('.js-plotly-plot') after running it, "
            f"its stored outputs hold {expected}"
        ) from None
    traces = panel.locator(".js-plotly-plot .trace")
    n_figures, n_traces = figures.count(), traces.count()
    print(f"{n_figures} Plotly figures with {n_traces} traces (stored outputs: {expected} figures)")
    assert n_figures == expected, (
        f"{relative} shows {n_figures} Plotly figures, its stored outputs hold {expected}"
    )
    without_traces = figures.evaluate_all("els => els.filter(e => !e.querySelector('.trace')).length")
    assert without_traces == 0, (
        f"{without_traces} of the {n_figures} Plotly figures of {relative} have no trace "
        "('.js-plotly-plot .trace')"
    )
    figures.first.scroll_into_view_if_needed()
    browser_page.screenshot("lecture_07_first_plotly_figure")

    remote = browser_page.remote_requests()
    assert not remote, f"the page requested {len(remote)} URLs outside 127.0.0.1 (a CDN?): {remote[:10]}"


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
