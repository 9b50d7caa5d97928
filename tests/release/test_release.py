"""The committed student release exercises/ is exactly what `make release` generates, and leaks nothing.

Comparison rule: the committed and the freshly generated notebooks are
compared as JSON, cell by cell, after removing one volatile key: the cell
metadata ``execution`` (timestamps nbconvert records when a solution notebook
is executed; nbgrader copies them into the release). Everything else must be
identical, including nbgrader's checksums, sources and cell ids.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from course_grading.gradebook.grade import prepare_course
from course_grading.handout.release import REPO_ROOT, assignment_notebook, assignments, secret_lines
from course_grading.intake.submissions import answer_cells, graded_test_cells

ASSIGNMENTS = assignments(REPO_ROOT)
EXPECTED_ASSIGNMENTS = {
    "01_cross_validation": "cross_validation",
    "02_hyperparameter_search": "hyperparameter_search",
    "03_optuna_studies": "optuna_studies",
    "04_parallel_and_visualization": "parallel_and_visualization",
}
VOLATILE_CELL_METADATA = ("execution",)


def comparable(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for key in VOLATILE_CELL_METADATA:
            cell["metadata"].pop(key, None)
    return nb


def test_assignment_names_are_the_published_ones() -> None:
    present = {name: assignment_notebook(name) for name in ASSIGNMENTS}
    assert {k: v for k, v in present.items() if k in EXPECTED_ASSIGNMENTS} == {
        k: v for k, v in EXPECTED_ASSIGNMENTS.items() if k in present
    }, "assignment folders or notebook names differ from the ones other material links to"


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release generated now from the committed solutions/, in a throw-away course directory."""
    course = prepare_course(tmp_path_factory.mktemp("release") / "course", ASSIGNMENTS)
    return course / "exercises"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_equals_fresh_generation(fresh_release: Path, assignment: str) -> None:
    committed_dir = REPO_ROOT / "exercises" / assignment
    fresh_dir = fresh_release / assignment
    committed = sorted(p.relative_to(committed_dir) for p in committed_dir.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(fresh_dir) for p in fresh_dir.rglob("*") if p.is_file())
    assert committed == fresh, f"files differ: committed {committed}, generated {fresh}; run `make release`"
    for name in fresh:
        if name.suffix == ".ipynb":
            assert comparable(committed_dir / name) == comparable(fresh_dir / name), (
                f"exercises/{assignment}/{name} is not what `make release` generates from solutions/; run it"
            )
        else:
            assert (committed_dir / name).read_bytes() == (fresh_dir / name).read_bytes()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_contains_no_solution_and_no_hidden_test(assignment: str) -> None:
    notebook = assignment_notebook(assignment)
    release_nb = nbformat.read(REPO_ROOT / "exercises" / assignment / f"{notebook}.ipynb", 4)
    release_text = "\n".join(cell.source for cell in release_nb.cells)

    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in release_text, f"{marker} left in the release"
    # Every line of a solution or hidden block that appears nowhere else in the source must be absent.
    secrets = secret_lines(REPO_ROOT / "solutions" / assignment / f"{notebook}.ipynb")
    assert secrets, "found no solution or hidden-test lines to check"
    leaked = sorted(line for line in secrets if line in release_text)
    assert not leaked, f"solution or hidden-test text in the release: {leaked[:5]}"
    for cell in release_nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"release cell {cell.metadata.nbgrader.grade_id} has outputs"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_has_five_graded_parts_with_visible_and_hidden_tests(assignment: str) -> None:
    notebook = assignment_notebook(assignment)
    source = nbformat.read(REPO_ROOT / "solutions" / assignment / f"{notebook}.ipynb", 4)
    parts = answer_cells(source)
    tests = graded_test_cells(source)
    assert len(parts) >= 5, f"{assignment} has {len(parts)} autograded parts, needs at least 5"
    for part in parts:
        assert tests.get(f"{part}_visible", 0) > 0, f"{part} has no visible test cell with points"
        assert tests.get(f"{part}_hidden", 0) > 0, f"{part} has no hidden test cell with points"
    release = nbformat.read(REPO_ROOT / "exercises" / assignment / f"{notebook}.ipynb", 4)
    stubs = [c.source for c in release.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert stubs and all("raise NotImplementedError()" in s for s in stubs)


def test_nbgrader_config_uses_the_keys_nbgrader_honours() -> None:
    from traitlets.config import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "exercises"
    # ExecutePreprocessor.timeout is not read by nbgrader 0.9; Execute.timeout is.
    assert config.Execute.timeout >= 60
