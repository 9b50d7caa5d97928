"""Project-wide pytest hooks: the course's nbval extension, and how many cells skip output comparison.

``tests/reproducibility/nbval_plugin.py`` compares numbers inside rich outputs at a stated
precision and can run every notebook twice (``--nbval-run-twice``). Every cell marked
NBVAL_IGNORE_OUTPUT is a cell whose numbers nobody checks, so the count is printed at the end of
each run to keep it visible and small.
"""

import json
from pathlib import Path

import pytest

pytest_plugins = ["tests.reproducibility.nbval_plugin"]

IGNORE_MARKER = "NBVAL_IGNORE_OUTPUT"


def count_ignored_output_cells(notebook: Path) -> int:
    """Return the number of code cells of ``notebook`` marked NBVAL_IGNORE_OUTPUT."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(
        1
        for cell in cells
        if cell["cell_type"] == "code"
        and (
            IGNORE_MARKER in "".join(cell["source"])
            or "nbval-ignore-output" in cell["metadata"].get("tags", [])
        )
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    notebooks = sorted({Path(item.path) for item in session.items if item.path.suffix == ".ipynb"})
    session.config.stash[_ignored_cells_key] = {nb: count_ignored_output_cells(nb) for nb in notebooks}


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    ignored = config.stash.get(_ignored_cells_key, {})
    if not ignored:
        return
    terminalreporter.section("notebook cells whose output nbval does not compare")
    for notebook, count in ignored.items():
        terminalreporter.write_line(f"{count:3d}  {notebook.relative_to(config.rootpath)}")
    terminalreporter.write_line(f"{sum(ignored.values()):3d}  in {len(ignored)} notebooks")


_ignored_cells_key = pytest.StashKey[dict]()
