"""The grading gives the marks it should (real nbgrader, real gradebook).

Per assignment: the solutions score full marks, the untouched release scores
zero, every known wrong answer (tests/grading/answers/<assignment>/wrong_*.py)
loses exactly the points of the test cells its header lists, and every
alternative correct answer gets full marks. The class is graded once per
session by the ``graded`` fixture of conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course_grading.handout.release import REPO_ROOT, assignment_notebook
from course_grading.intake.submissions import (
    AnswerSet,
    answer_cells,
    dump_answer_set,
    graded_test_cells,
    load_answer_set,
    load_answer_sets,
    make_submission,
    write_submission,
)

# Same constants as conftest.py (test modules cannot import a conftest).
ANSWERS_DIR = Path(__file__).parent / "answers"
SOLUTION_STUDENT = "solution"
UNTOUCHED_STUDENT = "untouched"
ASSIGNMENTS = sorted(p.name for p in ANSWERS_DIR.iterdir() if p.is_dir() and any(p.glob("*.py")))
ANSWER_SETS = [(a, s) for a in ASSIGNMENTS for s in load_answer_sets(ANSWERS_DIR / a)]


def describe(scores: dict) -> str:
    return ", ".join(f"{grade_id}={cell.score:g}/{cell.max_score:g}" for grade_id, cell in scores.items())


# ------------------------------------------------------------------ answer files


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answer_sets_cover_the_requirements(assignment: str) -> None:
    """At least 4 wrong answers (one passing every visible test) and 2 correct ones, naming real cells."""
    sets = load_answer_sets(ANSWERS_DIR / assignment)
    wrong = [s for s in sets if s.kind == "wrong"]
    correct = [s for s in sets if s.kind == "correct"]
    assert len(wrong) >= 4, f"{assignment}: {len(wrong)} wrong answers, need at least 4"
    assert any(s.passes_visible_tests for s in wrong), (
        f"{assignment}: no wrong answer passes every visible test"
    )
    assert len(correct) >= 2, f"{assignment}: {len(correct)} correct answers, need at least 2"

    notebook = assignment_notebook(assignment)
    source = nbformat.read(REPO_ROOT / "solutions" / assignment / f"{notebook}.ipynb", as_version=4)
    answers, tests = set(answer_cells(source)), set(graded_test_cells(source))
    for answer_set in sets:
        unknown_answers = set(answer_set.cells) - answers
        unknown_tests = set(answer_set.fails) - tests
        assert not unknown_answers, f"{answer_set.name}: unknown answer cells {unknown_answers}"
        assert not unknown_tests, f"{answer_set.name}: unknown test cells {unknown_tests}"
    for grade_id in tests:
        assert grade_id.endswith(("_visible", "_hidden")), f"test cell {grade_id} must end in _visible or _hidden"


def test_answer_file_round_trip(tmp_path: Path) -> None:
    answer_set = AnswerSet(
        name="example",
        kind="wrong",
        about="returns the train scores",
        cells={"part_a": "def f():\n\n    return 1", "part_b": "x = 2"},
        fails=("part_a_hidden",),
    )
    path = tmp_path / "example.py"
    path.write_text(dump_answer_set(answer_set), encoding="utf-8")
    assert load_answer_set(path) == answer_set


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# about: x\n# cell: a\npass\n", "kind"),
        ("# kind: wrong\n# about: x\n# cell: a\npass\n", "fails"),
        ("# kind: correct\n# about: x\n# fails: a_hidden\n", "must not list"),
        ("# kind: correct\n# about: x\nprint(1)\n", "header line"),
        ("# kind: correct\n# about: x\n# cell: a\n1\n# cell: a\n2\n", "twice"),
    ],
)
def test_malformed_answer_files_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.py"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_answer_set(path)


def test_make_submission_fills_only_answer_cells(tmp_path: Path) -> None:
    assignment = ASSIGNMENTS[0]
    notebook = assignment_notebook(assignment)
    release = REPO_ROOT / "exercises" / assignment / f"{notebook}.ipynb"
    original = nbformat.read(release, as_version=4)
    first_answer = answer_cells(original)[0]
    first_test = next(iter(graded_test_cells(original)))

    nb = make_submission(release, {first_answer: "x = 1"})
    filled = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == first_answer]
    assert filled == ["x = 1"]
    assert nbformat.read(release, as_version=4) == original, "the release file must not change"
    with pytest.raises(ValueError, match="allow_locked"):
        make_submission(release, {first_test: "pass"})
    assert make_submission(release, {first_test: "pass"}, allow_locked=True)
    with pytest.raises(KeyError, match="not in the notebook"):
        make_submission(release, {"no_such_cell": "pass"})

    path = write_submission(tmp_path, "alice", assignment, nb, notebook)
    assert path == tmp_path / "submitted" / "alice" / assignment / f"{notebook}.ipynb"
    with pytest.raises(ValueError, match="student"):
        write_submission(tmp_path, "../bob", assignment, nb, notebook)


# ------------------------------------------------------------------ grades


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(graded, assignment: str) -> None:
    result = graded[assignment]
    scores = result.scores[SOLUTION_STUDENT]
    assert set(scores) == set(result.test_points), describe(scores)
    assert all(cell.full for cell in scores.values()), describe(scores)
    print(f"{assignment}: {result.n_students} students autograded in {result.seconds:.1f} s")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_scores_zero(graded, assignment: str) -> None:
    scores = graded[assignment].scores[UNTOUCHED_STUDENT]
    assert scores and all(cell.score == 0 for cell in scores.values()), describe(scores)


@pytest.mark.parametrize(
    ("assignment", "answer_set"),
    [(a, s) for a, s in ANSWER_SETS if s.kind == "wrong"],
    ids=[f"{a}-{s.name}" for a, s in ANSWER_SETS if s.kind == "wrong"],
)
def test_wrong_answer_loses_exactly_the_listed_points(graded, assignment: str, answer_set: AnswerSet) -> None:
    scores = graded[assignment].scores[answer_set.name]
    lost = {grade_id for grade_id, cell in scores.items() if not cell.full}
    assert lost, f"{answer_set.name} ({answer_set.about}) got full marks: {describe(scores)}"
    assert lost == set(answer_set.fails), (
        f"{answer_set.name}: expected to lose points in {sorted(answer_set.fails)}, "
        f"lost them in {sorted(lost)}"
    )


@pytest.mark.parametrize(
    ("assignment", "answer_set"),
    [(a, s) for a, s in ANSWER_SETS if s.kind == "correct"],
    ids=[f"{a}-{s.name}" for a, s in ANSWER_SETS if s.kind == "correct"],
)
def test_correct_answer_scores_full_marks(graded, assignment: str, answer_set: AnswerSet) -> None:
    scores = graded[assignment].scores[answer_set.name]
    assert set(scores) == set(graded[assignment].test_points), describe(scores)
    assert all(cell.full for cell in scores.values()), f"{answer_set.name}: {describe(scores)}"
