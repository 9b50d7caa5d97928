"""Build student submissions from answer files, in nbgrader's layout.

The grading tests (and anyone who wants to see how a class of students is
graded) describe a submission as a mapping from nbgrader ``grade_id`` to the
source a student typed into that cell. This module

- reads and writes such mappings as *answer files* (format below);
- fills a release notebook's cells with them (:func:`make_submission`);
- writes the result where ``nbgrader autograde`` looks for it
  (:func:`write_submission`: ``submitted/<student>/<assignment>/<notebook>.ipynb``).

Answer file format
------------------
One ``.py`` file per answer set, under ``tests/grading/answers/<assignment>/``.
The file name (without ``.py``) is the answer set's name and becomes the
student id in the tests. The file starts with a header of ``# key: value``
lines, then one section per cell, each opened by a ``# cell: <grade_id>`` line::

    # kind: wrong
    # about: shuffles before splitting, so neighbouring samples leak
    # fails: kfold_scores_hidden
    # base: solution

    # cell: kfold_scores
    def kfold_scores(model, X, y):
        ...

Header keys:

``kind`` (required)
    ``correct`` (must get full marks) or ``wrong`` (must lose points).
``about`` (required)
    One sentence: what the answer does differently.
``fails``
    For ``wrong`` answers: comma-separated grade_ids of the test cells that
    must score less than full marks; every other test cell must score full
    marks. Test cells are named ``<part>_visible`` and ``<part>_hidden``, so
    an answer whose ``fails`` lists only ``*_hidden`` cells passes every
    visible test and is caught by a hidden one.
``base``
    Which source the cells the file does not mention keep: ``solution``
    (default: the instructor's answer, so the file isolates one mistake) or
    ``release`` (the untouched ``raise NotImplementedError()`` stubs).

A section's source is everything up to the next ``# cell:`` line, with
leading and trailing blank lines removed. Lines before the first section
that are neither header lines nor blank are an error.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import nbformat
from nbformat import NotebookNode

__all__ = [
    "AnswerSet",
    "answer_cells",
    "cell_sources",
    "dump_answer_set",
    "load_answer_set",
    "load_answer_sets",
    "make_submission",
    "graded_test_cells",
    "write_submission",
]

NBFORMAT_VERSION = 4
_CELL_LINE = re.compile(r"^# cell: *(?P<grade_id>\S+) *$")
_HEADER_LINE = re.compile(r"^# (?P<key>[a-z_-]+): *(?P<value>.*?) *$")
_HEADER_KEYS = {"kind", "about", "fails", "base"}
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class AnswerSet:
    """One submission's answers, as read from an answer file.

    Attributes
    ----------
    name : str
        The answer set's name (its file name); used as the student id.
    kind : {"correct", "wrong"}
        Whether the answers must get full marks or must lose points.
    about : str
        What the answers do, in one sentence.
    cells : dict of str to str
        grade_id of an answer cell -> the source to put in it.
    fails : tuple of str
        For wrong answers, the grade_ids of the test cells that must lose
        points; empty for correct answers.
    base : {"solution", "release"}
        What the cells not in ``cells`` keep.
    """

    name: str
    kind: Literal["correct", "wrong"]
    about: str
    cells: dict[str, str] = field(default_factory=dict)
    fails: tuple[str, ...] = ()
    base: Literal["solution", "release"] = "solution"

    @property
    def passes_visible_tests(self) -> bool:
        """True if no ``*_visible`` test cell is expected to lose points."""
        return not any(grade_id.endswith("_visible") for grade_id in self.fails)


def _grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def answer_cells(nb: NotebookNode) -> list[str]:
    """Return the grade_ids of the cells students write in (nbgrader ``solution`` cells), in order.

    Parameters
    ----------
    nb : NotebookNode
        A source or release notebook.

    Returns
    -------
    list of str
    """
    return [
        _grade_id(cell)
        for cell in nb.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution", False)
    ]


def graded_test_cells(nb: NotebookNode) -> dict[str, float]:
    """Return the autograded test cells of ``nb`` and their points, in order.

    Parameters
    ----------
    nb : NotebookNode
        A source or release notebook.

    Returns
    -------
    dict of str to float
        grade_id -> points, for every code cell with ``grade: true`` that is
        not a solution cell.
    """
    tests = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            tests[meta["grade_id"]] = float(meta["points"])
    return tests


def cell_sources(nb: NotebookNode, grade_ids: list[str] | None = None) -> dict[str, str]:
    """Return the sources of the cells of ``nb`` that have a grade_id.

    Parameters
    ----------
    nb : NotebookNode
        Any notebook with nbgrader metadata (e.g. the solution notebook, to
        get the instructor's answers: ``cell_sources(nb, answer_cells(nb))``).
    grade_ids : list of str, default=None
        Only these cells (all must exist); all cells with a grade_id if None.

    Returns
    -------
    dict of str to str
    """
    sources = {_grade_id(cell): cell.source for cell in nb.cells if _grade_id(cell) is not None}
    if grade_ids is None:
        return sources
    missing = [grade_id for grade_id in grade_ids if grade_id not in sources]
    if missing:
        raise KeyError(f"grade_ids not in the notebook: {missing}; it has {sorted(sources)}")
    return {grade_id: sources[grade_id] for grade_id in grade_ids}


def make_submission(
    release_notebook: Path | NotebookNode,
    answers: Mapping[str, str],
    *,
    allow_locked: bool = False,
) -> NotebookNode:
    """Return a copy of a release notebook with some cells' sources replaced, as a student would.

    Parameters
    ----------
    release_notebook : Path or NotebookNode
        The notebook students get (from ``exercises/``), or its path.
    answers : mapping of str to str
        grade_id -> new source. By default only answer (solution) cells may
        be given.
    allow_locked : bool, default=False
        Also allow replacing test cells and other locked cells, as a student
        who edits a test would. nbgrader restores such cells when grading.

    Returns
    -------
    NotebookNode
        The filled notebook, outputs of replaced cells cleared. The input is
        not modified.

    Raises
    ------
    KeyError
        If a grade_id of ``answers`` is not in the notebook.
    ValueError
        If a grade_id names a locked cell and ``allow_locked`` is False.
    """
    if isinstance(release_notebook, (str, Path)):
        nb = nbformat.read(Path(release_notebook), as_version=NBFORMAT_VERSION)
    elif isinstance(release_notebook, NotebookNode):
        nb = copy.deepcopy(release_notebook)
    else:
        raise TypeError(
            f"release_notebook must be a Path or a NotebookNode, got {type(release_notebook).__name__}"
        )
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping of grade_id to source, got {type(answers).__name__}")

    by_id = {_grade_id(cell): cell for cell in nb.cells if _grade_id(cell) is not None}
    unknown = sorted(set(answers) - set(by_id))
    if unknown:
        raise KeyError(
            f"answers has grade_ids that are not in the notebook: {unknown}; it has {sorted(by_id)}"
        )
    for grade_id, source in answers.items():
        if not isinstance(source, str):
            raise TypeError(f"answers[{grade_id!r}] must be a str, got {type(source).__name__}")
        cell = by_id[grade_id]
        meta = cell.metadata.nbgrader
        if not allow_locked and not meta.get("solution", False):
            raise ValueError(
                f"answers[{grade_id!r}] names a locked {cell.cell_type} cell, not an answer cell; "
                "pass allow_locked=True to edit it anyway"
            )
        cell.source = source
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def write_submission(
    course_dir: Path, student: str, assignment: str, nb: NotebookNode, notebook: str
) -> Path:
    """Write ``nb`` as ``<course_dir>/submitted/<student>/<assignment>/<notebook>.ipynb``.

    Parameters
    ----------
    course_dir : Path
        The nbgrader course directory (where nbgrader_config.py is).
    student : str
        Student id: letters, digits, ``_ . -``.
    assignment : str
        Assignment name, e.g. ``"01_cross_validation"``.
    nb : NotebookNode
        The submitted notebook (see :func:`make_submission`).
    notebook : str
        Notebook name without ``.ipynb``, e.g. ``"cross_validation"``.

    Returns
    -------
    Path
        The file written.
    """
    for name, value in (("student", student), ("assignment", assignment), ("notebook", notebook)):
        if not isinstance(value, str) or not _SAFE_ID.match(value):
            raise ValueError(
                f"{name} must be a non-empty name of letters, digits, '_', '.', '-', got {value!r}"
            )
    path = Path(course_dir) / "submitted" / student / assignment / f"{notebook}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def load_answer_set(path: Path) -> AnswerSet:
    """Read one answer file (format in the module docstring).

    Parameters
    ----------
    path : Path
        A ``.py`` answer file.

    Returns
    -------
    AnswerSet
    """
    path = Path(path)
    header: dict[str, str] = {}
    cells: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        cell_match = _CELL_LINE.match(line)
        if cell_match:
            current = cell_match["grade_id"]
            if current in cells:
                raise ValueError(f"{path}:{number}: cell {current!r} appears twice")
            cells[current] = []
        elif current is not None:
            cells[current].append(line)
        elif (header_match := _HEADER_LINE.match(line)) and header_match["key"] in _HEADER_KEYS:
            header[header_match["key"]] = header_match["value"]
        elif line.strip():
            raise ValueError(
                f"{path}:{number}: expected a '# key: value' header line "
                f"or '# cell: <grade_id>', got {line!r}"
            )

    kind = header.get("kind")
    if kind not in ("correct", "wrong"):
        raise ValueError(f"{path}: header 'kind' must be 'correct' or 'wrong', got {kind!r}")
    if not header.get("about"):
        raise ValueError(f"{path}: header 'about' (one sentence on the answer) is missing")
    base = header.get("base", "solution")
    if base not in ("solution", "release"):
        raise ValueError(f"{path}: header 'base' must be 'solution' or 'release', got {base!r}")
    fails = tuple(item.strip() for item in header.get("fails", "").split(",") if item.strip())
    if kind == "wrong" and not fails:
        raise ValueError(f"{path}: a wrong answer must list the test cells it fails in 'fails'")
    if kind == "correct" and fails:
        raise ValueError(f"{path}: a correct answer must not list 'fails'")
    return AnswerSet(
        name=path.stem,
        kind=kind,
        about=header["about"],
        cells={grade_id: "\n".join(lines).strip("\n") for grade_id, lines in cells.items()},
        fails=fails,
        base=base,
    )


def load_answer_sets(directory: Path) -> list[AnswerSet]:
    """Read every ``*.py`` answer file of ``directory``, sorted by name.

    Parameters
    ----------
    directory : Path
        E.g. ``tests/grading/answers/01_cross_validation``.

    Returns
    -------
    list of AnswerSet
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"directory {directory} does not exist")
    return [load_answer_set(path) for path in sorted(directory.glob("*.py"))]


def dump_answer_set(answer_set: AnswerSet) -> str:
    """Return the answer-file text of ``answer_set`` (the inverse of :func:`load_answer_set`).

    Parameters
    ----------
    answer_set : AnswerSet

    Returns
    -------
    str
    """
    lines = [f"# kind: {answer_set.kind}", f"# about: {answer_set.about}"]
    if answer_set.fails:
        lines.append(f"# fails: {', '.join(answer_set.fails)}")
    if answer_set.base != "solution":
        lines.append(f"# base: {answer_set.base}")
    for grade_id, source in answer_set.cells.items():
        lines += ["", f"# cell: {grade_id}", source]
    return "\n".join(lines) + "\n"
