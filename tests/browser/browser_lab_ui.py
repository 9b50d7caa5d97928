"""What a person does in JupyterLab, as Playwright steps: open a notebook, run it, type, validate.

Selectors are JupyterLab 4.6's and nbgrader 0.9.6's class names. Each step
that waits raises :class:`UIError` naming what it did not find.
"""

from urllib.parse import quote

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_servers import Server


class UIError(AssertionError):
    """A step in the browser did not find what it waited for."""


def open_notebook(page: Page, server: Server, path: str, timeout_ms: float = 90_000) -> Locator:
    """Open ``path`` (relative to the server root) in JupyterLab; wait until its kernel is idle."""
    page.goto(f"{server.url}/lab/tree/{quote(path)}?token={server.token}")
    # Other notebooks may be open from the saved workspace: find this one's
    # panel through its tab, whose title ends with the notebook's path.
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=path.rsplit("/", 1)[-1]).filter(
        has=page.locator(f"xpath=self::*[contains(@title, 'Path: {path}')]")
    )
    try:
        tab.first.wait_for(timeout=timeout_ms)
    except PlaywrightTimeout:
        raise UIError(
            f"JupyterLab shows no tab for the notebook {path} within {timeout_ms / 1000:.0f} s"
        ) from None
    panel = page.locator(f"[id='{tab.first.get_attribute('data-id')}']")
    try:
        panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=timeout_ms)
    except PlaywrightTimeout:
        raise UIError(
            f"JupyterLab did not show the notebook {path} with an idle kernel "
            f"within {timeout_ms / 1000:.0f} s "
            "(no '.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status=idle]')"
        ) from None
    return panel


def click_menu(page: Page, menu: str, item: str) -> None:
    """Click ``item`` in the menu bar's ``menu`` (e.g. "Run", "Run All Cells")."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


# Returns "done" when every code cell has an execution count, "stopped" when
# the kernel is idle with some cells run and others never reached (a cell
# raised and Run All stopped), else null (still running).
_RUN_STATE = """panel => {
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent);
    if (prompts.length === 0) return null;
    const numbered = prompts.filter(p => /\\[\\d+\\]/.test(p)).length;
    if (numbered === prompts.length) return 'done';
    const queued = prompts.some(p => p.includes('*'));
    const idle = panel.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']") !== null;
    if (numbered > 0 && !queued && idle) return 'stopped';
    return null;
}"""


_CELL_STATES = """panel => [...panel.querySelectorAll('.jp-CodeCell')].map((cell, i) => {
    const prompt = cell.querySelector('.jp-InputArea-prompt');
    const error = cell.querySelector(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']");
    return {index: i, prompt: prompt ? prompt.textContent.trim() : '', error: error ? error.innerText : ''};
})"""


def _run_report(panel: Locator) -> str:
    cells = panel.evaluate(_CELL_STATES)
    not_run = [c["index"] for c in cells if not any(ch.isdigit() for ch in c["prompt"])]
    queued = [c["index"] for c in cells if "*" in c["prompt"]]
    indicator = panel.locator(".jp-Notebook-ExecutionIndicator")
    kernel = indicator.first.get_attribute("data-status") if indicator.count() else "no indicator"
    errors = [f"code cell {c['index']} {c['prompt']}\n{c['error'][-1500:]}" for c in cells if c["error"]]
    return (
        f"{len(cells) - len(not_run)} of {len(cells)} code cells ran; not run: {not_run[:20]}; "
        f"queued or running [*]: {queued[:20]}; kernel status: {kernel}; "
        f"stderr outputs:\n" + ("\n".join(errors) if errors else "(none)")
    )


def run_all_cells(page: Page, panel: Locator, timeout_ms: float) -> None:
    """Run every cell (Run > Run All Cells) and wait until all have run; raise if one failed."""
    click_menu(page, "Run", "Run All Cells")
    handle = panel.element_handle()
    try:
        state = page.wait_for_function(_RUN_STATE, arg=handle, timeout=timeout_ms, polling=500).json_value()
    except PlaywrightTimeout:
        raise UIError(
            f"Run All Cells did not finish within {timeout_ms / 1000:.0f} s: {_run_report(panel)}"
        ) from None
    if state != "done":
        raise UIError(f"Run All Cells stopped before the last cell: {_run_report(panel)}")


def set_cell_text(page: Page, panel: Locator, index: int, text: str) -> None:
    """Replace the whole text of cell number ``index`` (0-based, over all cells) by ``text``."""
    cells = panel.locator(".jp-Notebook .jp-Cell")
    if cells.count() <= index:
        raise UIError(f"the notebook shows {cells.count()} cells, expected a cell number {index}")
    editor = cells.nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    # insert_text types no key events: no auto-indent, no bracket closing.
    page.keyboard.insert_text(text)
    shown = editor.evaluate("e => e.cmView ? e.cmView.view.state.doc.toString() : e.innerText")
    if shown.strip() != text.strip():
        raise UIError(f"cell {index} shows\n{shown}\ninstead of the text typed into it:\n{text}")


VALIDATION_RESULTS = ("success", "failed", "changed", "type-changed")


def validate(page: Page, panel: Locator, timeout_ms: float = 120_000) -> tuple[str, str]:
    """Press nbgrader's Validate button; return (result, text of the dialog that shows it).

    ``result`` is one of nbgrader's ``validation-*`` classes in the dialog
    ("success", "failed" a test failed, "changed" a test cell was edited,
    "type-changed") or "no-result" when the dialog shows none of them
    (e.g. "Cannot save notebook").
    """
    panel.locator("jp-button.validate-button").click()
    dialog = page.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog").first
    try:
        dialog.wait_for(timeout=timeout_ms)
    except PlaywrightTimeout:
        raise UIError(
            f"no nbgrader result dialog (.nbgrader-SuccessDialog or .nbgrader-ErrorDialog) "
            f"within {timeout_ms / 1000:.0f} s of pressing Validate"
        ) from None
    text = dialog.inner_text()
    for result in VALIDATION_RESULTS:
        if dialog.locator(f".validation-{result}").count():
            return result, text
    return "no-result", text


def close_dialog(page: Page) -> None:
    """Close the dialog in front with its first button."""
    page.locator(".jp-Dialog button.jp-Dialog-button").first.click()
    page.locator(".jp-Dialog").wait_for(state="detached")
