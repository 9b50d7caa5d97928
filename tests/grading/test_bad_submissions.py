"""Broken, hostile and enormous submissions are graded with a stated reason, and touch nothing else.

One class of 01_cross_validation is graded ONCE by the real pipeline
(:func:`course_grading.gradebook.batch.grade_class`: worker processes, real nbgrader autograde and
generate_feedback, kernels under real limits, the Landlock sandbox), two submissions at a time:

- ``solution`` and ``untouched``: the controls, which must keep 10/10 and 0/10;
- one student per file of tests/grading/bad_submissions/01_cross_validation/ (answer-file
  format of course_grading.intake.submissions; ``fails`` lists the test cells that lose points;
  ``@COURSE@`` and ``@REPO@`` stand for the class folder and the repository);
- notebook-level damage made below: a deleted test cell, a test cell turned into markdown,
  a renamed notebook, a missing notebook, a file that is not JSON.

For each kind, the test checks the score in the gradebook, the reason in grade_reasons.csv
(what the instructor sees) and in the feedback page (what the student sees).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course_grading.gradebook.batch import REASONS_CSV, ClassReport, grade_class
from course_grading.gradebook.grade import read_scores
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.handout.release import REPO_ROOT
from course_grading.intake.submissions import (
    answer_cells,
    cell_sources,
    graded_test_cells,
    load_answer_sets,
    make_submission,
    write_submission,
)
from course_grading.intake.synthetic_class import new_course

ASSIGNMENT = "01_cross_validation"
NOTEBOOK = "cross_validation"
BAD_DIR = Path(__file__).parent / "bad_submissions" / ASSIGNMENT
CELL_TIMEOUT = 15
LIMITS = GradingLimits(cell_timeout=CELL_TIMEOUT, memory_bytes=2 * 1024**3, max_output_bytes=1024**2)

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")


@dataclass(frozen=True)
class Expected:
    score: float
    reason: str  # regular expression searched in the submission's row of grade_reasons.csv
    feedback: str  # text that must appear in the student's feedback page


EXPECTED = {
    "syntax_error": Expected(8, r"error in stratified_cv_scores: SyntaxError", "SyntaxError"),
    "endless_loop": Expected(
        8, rf"timeout: group_splits ran longer than {CELL_TIMEOUT} s", "ran longer than"
    ),
    "swallows_interrupt": Expected(
        2, r"ignored the interrupt in group_splits and was stopped", "ignored the interrupt"
    ),
    "os_exit": Expected(6, r"kernel died in forecast_splits \(exit code 3\)", "exit code 3"),
    "segfault": Expected(8, r"kernel died in cv_summary \(killed by SIGSEGV\)", "SIGSEGV"),
    "memory_blowup": Expected(8, r"memory limit reached in group_leakage_gap \(MemoryError\)", "MemoryError"),
    "huge_output": Expected(10, r"output limit reached in stratified_cv_scores", "output limit reached"),
    "edited_test": Expected(
        8, r"edited test cell stratified_cv_scores_visible: restored", "edited test cell"
    ),
    "monkeypatch": Expected(
        9, r"tampering: student code rebound builtins\.abs, numpy\.allclose", "numpy.allclose"
    ),
    "reads_hidden_tests": Expected(
        10, r"sandbox denied a file access in stratified_cv_scores", "sandbox denied"
    ),
    "writes_outside": Expected(10, r"sandbox denied a file access in cv_summary", "sandbox denied"),
    "stderr_noise": Expected(
        10,
        r"stratified_cv_scores_visible: wrote to stderr \(kept its points\): computing folds",
        "kept its points",
    ),
    "deleted_test": Expected(10, r"deleted test cell group_splits_hidden: restored", "deleted test cell"),
    "changed_cell_type": Expected(
        10, r"changed cell type of stratified_cv_scores_hidden \(code -> markdown\)", "changed cell type"
    ),
    "renamed_notebook": Expected(
        10, r"renamed notebook: my_cross_validation\.ipynb was graded as", "renamed notebook"
    ),
    "missing_notebook": Expected(
        0, r"missing notebook: expected cross_validation\.ipynb, found no notebook", "missing notebook"
    ),
    "invalid_json": Expected(0, r"not a valid notebook \(NotJSONError", "not a valid notebook"),
    "solution": Expected(10, r"^$", "cross_validation"),
    "untouched": Expected(0, r"NotImplementedError", "NotImplementedError"),
}


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def write_class(course: Path) -> None:
    release = REPO_ROOT / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    source = nbformat.read(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    solution = cell_sources(source, answer_cells(source))

    def submit(student: str, answers: dict[str, str], name: str = NOTEBOOK) -> nbformat.NotebookNode:
        nb = make_submission(release, answers, allow_locked=True)
        write_submission(course, student, ASSIGNMENT, nb, name)
        return nb

    submit("solution", solution)
    submit("untouched", {})
    for answer_set in load_answer_sets(BAD_DIR):
        assert answer_set.name in EXPECTED, (
            f"{answer_set.name}: add its expected score and reason to EXPECTED"
        )
        answers = dict(solution) if answer_set.base == "solution" else {}
        for grade_id, text in answer_set.cells.items():
            answers[grade_id] = text.replace("@COURSE@", str(course)).replace("@REPO@", str(REPO_ROOT))
        submit(answer_set.name, answers)

    def damaged(student: str, change) -> None:
        nb = make_submission(release, solution)
        change(nb)
        write_submission(course, student, ASSIGNMENT, nb, NOTEBOOK)

    def by_id(nb, grade_id):
        return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)

    damaged("deleted_test", lambda nb: nb.cells.remove(by_id(nb, "group_splits_hidden")))

    def to_markdown(nb):
        cell = by_id(nb, "stratified_cv_scores_hidden")
        index = nb.cells.index(cell)
        markdown = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
        nb.cells[index] = markdown

    damaged("changed_cell_type", to_markdown)
    submit("renamed_notebook", solution, name="my_cross_validation")
    (course / "submitted" / "missing_notebook" / ASSIGNMENT).mkdir(parents=True)
    (course / "submitted" / "missing_notebook" / ASSIGNMENT / "README.txt").write_text(
        "uploaded the wrong file\n"
    )
    (course / "submitted" / "invalid_json" / ASSIGNMENT).mkdir(parents=True)
    (course / "submitted" / "invalid_json" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").write_text('{"cells": [ oops')


@dataclass
class BadClass:
    course: Path
    report: ClassReport
    before: dict[str, dict[str, str]]
    reasons: dict[str, dict[str, str]]
    scores: dict


@pytest.fixture(scope="module")
def bad_class(tmp_path_factory: pytest.TempPathFactory) -> BadClass:
    course = new_course(tmp_path_factory.mktemp("bad") / "course", [ASSIGNMENT])
    write_class(course)
    before = {name: tree_digest(course / name) for name in ("submitted", "solutions")}
    report = grade_class(course, jobs=2, limits=LIMITS)
    with open(course / REASONS_CSV, newline="", encoding="utf-8") as handle:
        reasons = {row["student"]: row for row in csv.DictReader(handle)}
    return BadClass(course, report, before, reasons, read_scores(course, ASSIGNMENT, NOTEBOOK))


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_bad_submission_is_graded_with_its_reason(bad_class: BadClass, kind: str) -> None:
    expected = EXPECTED[kind]
    row = bad_class.reasons[kind]
    scores = bad_class.scores[kind]
    total = sum(cell.score for cell in scores.values())
    assert total == expected.score, f"{kind}: {total} points, expected {expected.score}; {row['reasons']}"
    assert float(row["score"]) == expected.score and float(row["max_score"]) == 10
    assert re.search(expected.reason, row["reasons"]), (
        f"{kind}: reason {expected.reason!r} not in {row['reasons']!r}"
    )
    feedback = bad_class.course / "feedback" / kind / ASSIGNMENT / f"{NOTEBOOK}.html"
    assert expected.feedback in feedback.read_text(encoding="utf-8"), (
        f"{kind}: {expected.feedback!r} not in the feedback"
    )


@pytest.mark.parametrize("kind", sorted(s.name for s in load_answer_sets(BAD_DIR)))
def test_bad_submission_loses_exactly_the_listed_cells(bad_class: BadClass, kind: str) -> None:
    answer_set = next(s for s in load_answer_sets(BAD_DIR) if s.name == kind)
    lost = {grade_id for grade_id, cell in bad_class.scores[kind].items() if not cell.full}
    assert lost == set(answer_set.fails), f"{kind}: lost {sorted(lost)}, expected {sorted(answer_set.fails)}"


def test_every_submission_is_in_the_gradebook_and_the_export(bad_class: BadClass) -> None:
    students = set(EXPECTED)
    assert set(bad_class.scores) == students
    assert set(bad_class.reasons) == students
    source = nbformat.read(bad_class.course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    for student, scores in bad_class.scores.items():
        assert set(scores) == set(graded_test_cells(source)), student
    grades_csv = (bad_class.course / "grades.csv").read_text(encoding="utf-8")
    assert all(student in grades_csv for student in students)


def test_nothing_outside_a_submission_was_touched(bad_class: BadClass) -> None:
    for name, digest in bad_class.before.items():
        assert tree_digest(bad_class.course / name) == digest, f"{name}/ changed during grading"
    assert b"HACKED" not in (bad_class.course / "gradebook.db").read_bytes()


def test_the_sandbox_hid_the_hidden_tests(bad_class: BadClass) -> None:
    nb = nbformat.read(
        bad_class.course / "autograded" / "reads_hidden_tests" / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
        as_version=4,
    )
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "stratified_cv_scores"
    )
    text = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
    assert "notebooks in reach: []" in text and "LEAKED" not in text
    assert text.count("blocked: PermissionError") == 2, text


def test_huge_output_is_capped(bad_class: BadClass) -> None:
    feedback = bad_class.course / "feedback" / "huge_output" / ASSIGNMENT / f"{NOTEBOOK}.html"
    autograded = bad_class.course / "autograded" / "huge_output" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    assert feedback.stat().st_size < 3 * 1024**2 and autograded.stat().st_size < 3 * 1024**2


# ------------------------------------------------------------------ the pieces, without nbgrader


def test_landlock_blocks_reads_and_writes_outside_the_sandbox(tmp_path: Path) -> None:
    import subprocess
    import sys

    secret = tmp_path / "secret.txt"
    secret.write_text("hidden tests")
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from course_grading.sandbox.kernel_guard import apply_landlock, readable_paths\n"
        f"apply_landlock(readable_paths(), [Path({str(sandbox)!r})])\n"
        f"Path({str(sandbox / 'ok.txt')!r}).write_text('fine')\n"
        "for action in ('read', 'write'):\n"
        "    try:\n"
        f"        secret = Path({str(secret)!r})\n"
        "        secret.read_text() if action == 'read' else secret.write_text('x')\n"
        "        print(action, 'allowed')\n"
        "    except PermissionError:\n"
        "        print(action, 'denied')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.split("\n")[:2] == ["read denied", "write denied"], out.stdout + out.stderr
    assert (sandbox / "ok.txt").read_text() == "fine" and secret.read_text() == "hidden tests"


def test_guard_restores_rebound_names_and_module_attributes() -> None:
    import builtins

    import numpy as np

    from course_grading.sandbox import kernel_guard

    class Shell:
        user_ns: dict = {}

    shell = Shell()
    original_allclose, original_abs = np.allclose, builtins.abs
    assert kernel_guard.before_locked_cell(shell) == ""
    shell.user_ns.update(np=np, reference=[1, 2])  # what the instructor's setup cell binds
    kernel_guard.after_locked_cell(shell)
    try:
        shell.user_ns["reference"] = [0]  # student code
        np.allclose = lambda *args, **kwargs: True
        builtins.abs = lambda value: 0
        assert kernel_guard.before_locked_cell(shell) == "builtins.abs, numpy.allclose, reference"
        assert np.allclose is original_allclose and builtins.abs is original_abs
        assert shell.user_ns["reference"] == [1, 2]
    finally:
        np.allclose, builtins.abs = original_allclose, original_abs
