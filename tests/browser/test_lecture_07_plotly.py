"""A student opens lecture 07 in JupyterLab, runs every cell, and sees Plotly figures, with no CDN."""

from browser_harness import BrowserPage, StudentLab
from browser_lab_ui import UIError, open_notebook, run_all_cells

# Lecture 07 trains a study and draws every optuna.visualization plot.
RUN_TIMEOUT_MS = 300_000


def test_lecture_07_runs_in_jupyterlab_and_shows_plotly_figures_without_a_cdn(
    student_lab: StudentLab, browser_page: BrowserPage
):
    page = browser_page.page
    relative = student_lab.lecture.notebook.relative_to(student_lab.root).as_posix()
    print(f"notebook: {relative} ({'stand-in' if student_lab.lecture.stand_in else 'lecture 07'})")
    panel = open_notebook(page, student_lab.server, relative)
    run_all_cells(page, panel, timeout_ms=RUN_TIMEOUT_MS)

    figures = panel.locator(".js-plotly-plot")
    try:
        figures.locator(".main-svg").first.wait_for(timeout=30_000)
    except Exception:
        raise UIError(f"no Plotly figure SVG ('.js-plotly-plot .main-svg') in {relative} after running it") from None
    traces = panel.locator(".js-plotly-plot .trace")
    n_figures, n_traces = figures.count(), traces.count()
    print(f"{n_figures} Plotly figures with {n_traces} traces")
    assert n_traces > 0, f"the Plotly figures of {relative} have no trace ('.js-plotly-plot .trace')"
    figures.first.scroll_into_view_if_needed()
    browser_page.screenshot("lecture_07_first_plotly_figure")

    remote = browser_page.remote_requests()
    assert not remote, f"the page requested {len(remote)} URLs outside 127.0.0.1 (a CDN?): {remote[:10]}"
