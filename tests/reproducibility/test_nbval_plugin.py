"""The nbval extension end to end: a real kernel executes a small notebook whose stored outputs we changed.

The notebook is executed once with nbclient to get its true outputs; then each stored output is
changed in one way, and pytest runs nbval on it in a subprocess, with and without the extension.
"""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
IMPORTANCE = 0.17611383431349134

FIGURE_CELL = """\
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
pio.renderers.default = "plotly_mimetype"
bar = go.Bar(x=np.array([0.42, 0.40, {importance!r}]), y=["lr", "n_layers", "n_units"])
go.Figure(bar, layout={{"title": "importances"}})
"""
CELLS = {
    "figure, 15th digit changed": FIGURE_CELL.format(importance=IMPORTANCE),
    "figure, 4th digit changed": FIGURE_CELL.format(importance=IMPORTANCE),
    "figure, title changed": FIGURE_CELL.format(importance=IMPORTANCE),
    "figure, unchanged": FIGURE_CELL.format(importance=IMPORTANCE),
    "printed float, 15th digit changed": f"print({IMPORTANCE!r})",
    "creates a file only once": 'open("made-once.txt", "x").close()',
}


def change_last_value(figure: dict, relative_change: float) -> None:
    """Multiply the last value of the figure's typed array ``x`` by ``1 + relative_change``, in place."""
    spec = figure["data"][0]["x"]
    values = np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<f8").copy()
    values[-1] *= 1 + relative_change
    spec["bdata"] = base64.b64encode(values.tobytes()).decode("ascii")


def change_stored_output(label: str, cell: nbformat.NotebookNode) -> None:
    """Change the stored output of ``cell`` the way its ``label`` says."""
    if label.startswith("figure"):
        figure = cell.outputs[0]["data"]["application/vnd.plotly.v1+json"]
        if label == "figure, 15th digit changed":
            change_last_value(figure, 3e-15)
        elif label == "figure, 4th digit changed":
            change_last_value(figure, 3e-4)
        elif label == "figure, title changed":
            figure["layout"]["title"]["text"] = "durations"
    elif label == "printed float, 15th digit changed":
        cell.outputs[0]["text"] = f"{IMPORTANCE * (1 + 3e-15)!r}\n"


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A notebook of :data:`CELLS` with outputs from a real execution, then changed as each label says."""
    folder = tmp_path_factory.mktemp("nbval-plugin")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS.values()])
    in_folder = {"metadata": {"path": str(folder)}}
    NotebookClient(nb, timeout=120, kernel_name="python3", resources=in_folder).execute()
    (folder / "made-once.txt").unlink()
    for label, cell in zip(CELLS, nb.cells):
        change_stored_output(label, cell)
    path = folder / "changed.ipynb"
    nbformat.write(nb, path)
    return path


def run_nbval(notebook: Path, *options: str) -> dict[str, str]:
    """Run pytest with nbval on ``notebook`` in a new process; return each cell's outcome by its label."""
    command = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "--nbval"]
    command += ["--nbval-current-env", *options, notebook.name]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        command,
        cwd=notebook.parent, env=environment, capture_output=True, text=True, timeout=600, check=False,
    )
    (notebook.parent / "made-once.txt").unlink(missing_ok=True)
    outcomes = re.findall(r"::Cell (\d+)( \(second run\))? (PASSED|FAILED)", completed.stdout)
    named = {list(CELLS)[int(number)] + second_run: outcome for number, second_run, outcome in outcomes}
    assert named, completed.stdout + completed.stderr
    return named


@pytest.fixture(scope="module")
def with_extension(notebook: Path) -> dict[str, str]:
    return run_nbval(notebook, "-p", "tests.reproducibility.nbval_plugin", "--nbval-run-twice")


@pytest.fixture(scope="module")
def plain_nbval(notebook: Path) -> dict[str, str]:
    return run_nbval(notebook)


def test_a_figure_differing_in_the_15th_digit_passes_with_the_extension_and_fails_without(
    with_extension, plain_nbval
):
    assert with_extension["figure, 15th digit changed"] == "PASSED"
    assert plain_nbval["figure, 15th digit changed"] == "FAILED"


def test_a_figure_differing_in_the_4th_digit_fails(with_extension):
    assert with_extension["figure, 4th digit changed"] == "FAILED"


def test_a_figure_with_another_title_fails(with_extension):
    assert with_extension["figure, title changed"] == "FAILED"


def test_an_unchanged_figure_passes_both_ways(with_extension, plain_nbval):
    assert with_extension["figure, unchanged"] == plain_nbval["figure, unchanged"] == "PASSED"


def test_printed_text_is_still_compared_exactly(with_extension):
    assert with_extension["printed float, 15th digit changed"] == "FAILED"


def test_the_second_run_fails_on_a_cell_that_cannot_run_twice_and_ignores_output_differences(with_extension):
    assert with_extension["creates a file only once"] == "PASSED"
    assert with_extension["creates a file only once (second run)"] == "FAILED"
    assert with_extension["figure, 4th digit changed (second run)"] == "PASSED"
    assert with_extension["printed float, 15th digit changed (second run)"] == "PASSED"


def test_plain_nbval_has_no_second_run(plain_nbval):
    assert not [label for label in plain_nbval if label.endswith("(second run)")]
