"""Tampering with IPython's execution machinery earns no points and is always noted.

One class of 01_cross_validation is graded once by the real batch:

- ``blanks_test_cells``: the untouched release whose first answer cell installs an input
  transformer and an AST transformer that turn every later test cell into nothing (10/10 before
  the guard reset IPython's machinery);
- ``hooks_rebind``: the shuffled-KFold mistake with ``pre_run_cell`` / ``post_run_cell`` callbacks
  that rig ``numpy.allclose`` and ``abs`` only while a hidden test cell runs;
- ``replaces_guard``: the same mistake, with the guard's entry points replaced by functions that
  report nothing (the module found under a name spelled in pieces) and the helpers rigged;
- ``names_the_guard``: the same, naming ``course_grading.sandbox.kernel_guard`` outright: seen from outside
  the kernel, in the submitted text, and not scored automatically;
- ``uses_matplotlib``: the solution plus a plot, whose inline backend registers a callback of an
  installed library: full marks and no note.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.intake.submissions import make_submission, write_submission
from course_grading.intake.synthetic_class import new_course
from sandbox_class import ASSIGNMENT, NOTEBOOK, RELEASE, SHUFFLED_KFOLD, GradedClass, grade, submit

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")

BLANKS_TEST_CELLS = """
import ast

def drop_test_lines(lines):
    return [] if any("assert" in line for line in lines) else lines

class DropAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()

get_ipython().input_transformers_cleanup.append(drop_test_lines)
get_ipython().ast_transformers.append(DropAsserts())
"""

HOOKS_REBIND = SHUFFLED_KFOLD + """
import builtins
real = (np.allclose, builtins.abs)

def rig(info):
    if "HIDDEN" in info.raw_cell:
        np.allclose, builtins.abs = (lambda *args, **kwargs: True), (lambda value: 0)

def unrig(result):
    np.allclose, builtins.abs = real

get_ipython().events.register("pre_run_cell", rig)
get_ipython().events.register("post_run_cell", unrig)
"""

REPLACES_GUARD = SHUFFLED_KFOLD + """
import builtins, sys
guard = sys.modules["course_" + "grading.sandbox.kernel_" + "guard"]
guard.before_locked_cell = lambda shell: ""
guard.reset_machinery = lambda shell: ""
np.allclose, builtins.abs = (lambda *args, **kwargs: True), (lambda value: 0)
"""

NAMES_THE_GUARD = SHUFFLED_KFOLD + """
import builtins, course_grading.sandbox.kernel_guard as guard
guard.before_locked_cell = guard.reset_machinery = guard.changed_during_cell = lambda shell: ("", "")
np.allclose, builtins.abs = (lambda *args, **kwargs: True), (lambda value: 0)
"""

PLOTS = """
import matplotlib.pyplot as plt
_ = plt.plot([1, 2, 3])
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    course = new_course(tmp_path_factory.mktemp("tampering") / "course", [ASSIGNMENT])
    untouched_but_rigged = make_submission(RELEASE, {"stratified_cv_scores": BLANKS_TEST_CELLS})
    write_submission(course, "blanks_test_cells", ASSIGNMENT, untouched_but_rigged, NOTEBOOK)
    submit(course, "hooks_rebind", replaced={"stratified_cv_scores": HOOKS_REBIND})
    submit(course, "replaces_guard", replaced={"stratified_cv_scores": REPLACES_GUARD})
    submit(course, "names_the_guard", replaced={"stratified_cv_scores": NAMES_THE_GUARD})
    submit(course, "uses_matplotlib", appended={"cv_summary": PLOTS})
    return grade(course, GradingLimits(cell_timeout=60))


@dataclass(frozen=True)
class Expected:
    score: float
    reason: str  # in the submission's row of grade_reasons.csv ("" for none at all)
    feedback: str  # in the student's feedback page


EXPECTED = {
    "blanks_test_cells": Expected(
        0,
        "tampering: student code changed IPython's execution machinery (input_transformers_cleanup, "
        "ast_transformers); reset before stratified_cv_scores_visible; needs a manual check",
        "execution machinery (input_transformers_cleanup, ast_transformers)",
    ),
    "hooks_rebind": Expected(
        9,
        "(pre_run_cell callbacks, post_run_cell callbacks); reset before stratified_cv_scores_visible; "
        "needs a manual check",
        "(pre_run_cell callbacks, post_run_cell callbacks)",
    ),
    "replaces_guard": Expected(
        8,
        "tampering: builtins.abs, numpy.allclose changed while stratified_cv_scores_visible ran; "
        "needs a manual check; the cell scores 0",
        "changed while stratified_cv_scores_visible ran",
    ),
    "names_the_guard": Expected(
        0,
        "tampering: stratified_cv_scores refers to the grader's code (course_grading); "
        "not scored automatically: needs a manual check",
        "not scored automatically",
    ),
    "uses_matplotlib": Expected(10, "", "cv_summary"),
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_tampering_earns_no_points_and_is_noted(graded: GradedClass, student: str) -> None:
    expected, reasons = EXPECTED[student], graded.reasons[student]
    assert graded.score(student) == expected.score, reasons
    assert expected.reason in reasons if expected.reason else reasons == "", reasons
    assert expected.feedback in graded.feedback(student)


def test_the_rigged_hidden_test_fails_once_the_hooks_are_gone(graded: GradedClass) -> None:
    assert "stratified_cv_scores_hidden: AssertionError" in graded.reasons["hooks_rebind"]


def test_the_cell_that_ran_under_a_replaced_guard_is_not_scored(graded: GradedClass) -> None:
    assert "stratified_cv_scores_visible: NotGuarded" in graded.reasons["replaces_guard"]
