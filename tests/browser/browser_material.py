"""The course material the browser tests open, copied into temporary folders.

Lecture 07, the released exercise 01 with its solution and answer files, the
assignments of solutions/, and the study lecture 07 builds.

Nothing here writes inside the repository.
"""

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from browser_servers import ROOT

LECTURE_07 = ROOT / "notebooks" / "07_visualizing_studies.ipynb"
EXERCISE = ROOT / "exercises" / "01_cross_validation" / "cross_validation.ipynb"
SOLUTION = ROOT / "solutions" / "01_cross_validation" / "cross_validation.ipynb"
ANSWERS = ROOT / "tests" / "grading" / "answers" / "01_cross_validation"

_SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


# --------------------------------------------------------------------------
# Lecture 07 and its Plotly figures


PLOTLY_MIME = "application/vnd.plotly.v1+json"


@dataclass
class Lecture:
    """The served copy of the lecture, and how many Plotly figures its stored outputs hold."""

    notebook: Path
    n_plotly_figures: int


def count_outputs(notebook: nbformat.NotebookNode, mime: str) -> int:
    """Return the number of outputs of ``notebook`` that carry data of type ``mime``."""
    return sum(
        mime in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def count_plotly_outputs(notebook: nbformat.NotebookNode) -> int:
    """Return the number of Plotly figures (outputs of type ``PLOTLY_MIME``) in ``notebook``."""
    return count_outputs(notebook, PLOTLY_MIME)


def _strip_outputs(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def lecture_07(folder: Path) -> Lecture:
    """Copy lecture 07, with its stored outputs removed, into ``folder``.

    Without outputs, every figure the browser shows afterwards was drawn by
    the run in the browser.
    """
    if not LECTURE_07.is_file():
        raise FileNotFoundError(
            f"{LECTURE_07.relative_to(ROOT)} is missing: the browser test of Plotly needs it"
        )
    notebook = nbformat.read(LECTURE_07, as_version=4)
    n_plotly_figures = count_plotly_outputs(notebook)
    _strip_outputs(notebook)
    path = folder / LECTURE_07.name
    nbformat.write(notebook, path)
    return Lecture(notebook=path, n_plotly_figures=n_plotly_figures)


# --------------------------------------------------------------------------
# An exercise of the student release, with correct and wrong answers


@dataclass
class Exercise:
    """A released notebook in a temp folder and what to type into its answer cells.

    ``correct`` and ``wrong`` map the index of an answer cell (counted over
    all cells of the notebook) to the full text of that cell.
    """

    notebook: Path
    correct: dict[int, str]
    wrong: dict[int, str]
    wrong_source: str


def _nbgrader(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def answer_text(solution_source: str) -> str:
    """Return what a student writes for a solution cell: its source without the solution markers."""
    lines = [line for line in solution_source.splitlines() if not _SOLUTION_MARKERS.match(line)]
    return "\n".join(lines)


def correct_answers(release: nbformat.NotebookNode, solution: nbformat.NotebookNode) -> dict[int, str]:
    """Map each code answer cell of ``release`` to the matching solution cell's code (same grade_id)."""
    solutions = {_nbgrader(c).get("grade_id"): c for c in solution.cells if _nbgrader(c).get("solution")}
    answers = {}
    for index, cell in enumerate(release.cells):
        meta = _nbgrader(cell)
        if cell.cell_type != "code" or not meta.get("solution"):
            continue
        if meta.get("grade_id") not in solutions:
            raise LookupError(
                f"answer cell {meta.get('grade_id')!r} of the release has no cell in the solution"
            )
        answers[index] = answer_text(solutions[meta["grade_id"]].source)
    if not answers:
        raise LookupError("the release has no code answer cell (nbgrader metadata 'solution': true)")
    return answers


def wrong_answers(
    release: nbformat.NotebookNode, correct: dict[int, str], answers_dir: Path = ANSWERS
) -> tuple[dict[int, str], str]:
    """Return answers that must fail Validate, and the answer file they come from.

    Validate runs only the visible tests, so the first known wrong answer of
    the grading tests (``answers_dir``, format in
    :mod:`course_grading.intake.submissions`) that fails a ``*_visible`` test cell is
    used; the cells it does not mention keep the solution (or the released
    stub, as its ``base`` header says).
    """
    from course_grading.intake.submissions import load_answer_sets

    index_of = {_nbgrader(release.cells[i]).get("grade_id"): i for i in correct}
    for answer_set in load_answer_sets(answers_dir):
        if answer_set.kind != "wrong" or answer_set.passes_visible_tests:
            continue
        unknown = set(answer_set.cells) - set(index_of)
        if unknown:
            raise LookupError(
                f"{answer_set.name}: cells {sorted(unknown)} are not answer cells of the release"
            )
        if answer_set.base == "solution":
            wrong = dict(correct)
        else:
            wrong = {i: release.cells[i].source for i in correct}
        wrong.update({index_of[grade_id]: text for grade_id, text in answer_set.cells.items()})
        return wrong, f"{answers_dir.relative_to(ROOT)}/{answer_set.name}.py"
    raise LookupError(f"{answers_dir} has no wrong answer that fails a visible test")


def exercise_01(folder: Path) -> Exercise:
    """Copy the released exercise 01 into ``folder``, with answers from the solution and the answer files."""
    for path in (EXERCISE, SOLUTION, ANSWERS):
        if not path.exists():
            raise FileNotFoundError(
                f"{path.relative_to(ROOT)} is missing: the browser test of Validate needs it"
            )
    shutil.copytree(EXERCISE.parent, folder, dirs_exist_ok=True)
    release = nbformat.read(EXERCISE, as_version=4)
    solution = nbformat.read(SOLUTION, as_version=4)
    correct = correct_answers(release, solution)
    wrong, wrong_source = wrong_answers(release, correct)
    return Exercise(folder / EXERCISE.name, correct, wrong, wrong_source=wrong_source)


# --------------------------------------------------------------------------
# The instructor's course folder for the formgrader


@dataclass
class Course:
    root: Path
    assignments: list[str]


def source_assignments(solutions: Path) -> list[str]:
    """Return the assignment folders of ``solutions`` (folders that hold a notebook), sorted."""
    if not solutions.is_dir():
        return []
    return sorted(p.name for p in solutions.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def instructor_course(folder: Path) -> Course:
    """Copy nbgrader_config.py and solutions/ into ``folder``: the instructor's course folder."""
    assignments = source_assignments(ROOT / "solutions")
    if not assignments:
        raise FileNotFoundError("solutions/ holds no assignment folder with a notebook")
    shutil.copy2(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(
        ROOT / "solutions",
        folder / "solutions",
        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
    )
    return Course(folder, assignments)


# --------------------------------------------------------------------------
# A study for optuna-dashboard


@dataclass
class DashboardStudy:
    storage: str
    study_name: str
    n_trials: int


def lecture_07_study(folder: Path, n_trials: int = 3) -> DashboardStudy:
    """Run the study lecture 07 visualizes, with fewer trials, into a journal file in ``folder``.

    Made by the course's own code (:func:`course_utils.visual_study.build_digits_mlp_study`
    in :func:`course_utils.storage.journal_storage`), so the dashboard shows
    what a student's run of the lecture stores.
    """
    import optuna

    from course_utils.storage import journal_storage
    from course_utils.visual_study import build_digits_mlp_study

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = folder / "lecture-07-study.log"
    study = build_digits_mlp_study(journal_storage(path), n_trials=n_trials)
    return DashboardStudy(str(path), study.study_name, len(study.trials))
