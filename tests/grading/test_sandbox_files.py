"""Files instead of code: a submission folder is data, never code or links.

One class of 01_cross_validation is graded once by the real batch:

- ``numpy_beside``: the shuffled-KFold mistake (caught by ``stratified_cv_scores_hidden``) and a
  ``numpy.py`` beside the notebook that imports the real numpy and rigs ``numpy.allclose``: if the
  setup cell imported it, the guard would record the rigged function as the instructor's;
- ``links``: the solution, with extra entries that are symbolic links to the instructor's notebook
  and to the gradebook, and a named pipe: refused with a reason, never copied or read;
- ``linked_notebook``: the notebook itself is a symbolic link to the instructor's solution;
- ``big_files``: the solution with a data file larger than all a kernel may write: it could
  not be copied into the kernel's capped sandbox, so it is rejected before a kernel starts.
"""

from __future__ import annotations

import os

import pytest

from course_grading.gradebook.batch import STATE_DIRECTORY
from course_grading.sandbox.isolation import GradingLimits
from course_grading.sandbox.kernel_guard import landlock_abi
from course_grading.intake.synthetic_class import new_course
from sandbox_class import ASSIGNMENT, NOTEBOOK, SHUFFLED_KFOLD, GradedClass, grade, submit

MAX_DISK_MIB = 32

pytestmark = pytest.mark.skipif(landlock_abi() < 1, reason="the filesystem sandbox needs Linux Landlock")

RIGGED_NUMPY = """\
import sys
print("RIGGED numpy imported")
sys.path = [p for p in sys.path if p not in ("", ".") and "sandbox" not in p]
del sys.modules["numpy"]
import numpy as real
real.allclose = lambda *args, **kwargs: True
sys.modules["numpy"] = real
"""

LISTS_ITS_FOLDER = "import os\nprint('files in reach:', sorted(os.listdir('.')))"


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    course = new_course(tmp_path_factory.mktemp("files") / "course", [ASSIGNMENT])
    wrong = {"stratified_cv_scores": SHUFFLED_KFOLD + LISTS_ITS_FOLDER}
    folder = submit(course, "numpy_beside", replaced=wrong)
    (folder / "numpy.py").write_text(RIGGED_NUMPY)
    (folder / "data.csv").write_text("a,b\n1,2\n")

    folder = submit(course, "links", {"stratified_cv_scores": LISTS_ITS_FOLDER})
    (folder / "notes.ipynb.txt").symlink_to(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    (folder / "gradebook.txt").symlink_to(course / "gradebook.db")
    os.mkfifo(folder / "pipe")

    folder = submit(course, "linked_notebook")
    (folder / f"{NOTEBOOK}.ipynb").unlink()
    (folder / f"{NOTEBOOK}.ipynb").symlink_to(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    folder = submit(course, "big_files")
    with open(folder / "data.bin", "wb") as handle:  # sparse: large, yet nothing on disk
        handle.truncate((MAX_DISK_MIB + 8) * 2**20)
    return grade(course, GradingLimits(cell_timeout=60, max_disk_bytes=MAX_DISK_MIB * 2**20))


def test_a_module_beside_the_notebook_is_never_imported(graded: GradedClass) -> None:
    assert graded.score("numpy_beside") == 9, graded.reasons["numpy_beside"]
    assert "stratified_cv_scores_hidden" in graded.reasons["numpy_beside"]
    assert "RIGGED" not in graded.printed("numpy_beside", "setup")
    assert "'data.csv'" in graded.printed("numpy_beside", "stratified_cv_scores")  # data files still arrive


def test_links_and_special_files_are_refused_with_a_reason_and_never_reach_the_kernel(
    graded: GradedClass,
) -> None:
    assert graded.score("links") == 10
    for refused in (
        "refused gradebook.txt: a symbolic link, not a file; not copied",
        "refused notes.ipynb.txt: a symbolic link, not a file; not copied",
        "refused pipe: not a regular file; not copied",
    ):
        assert refused in graded.reasons["links"], graded.reasons["links"]
        assert refused in graded.feedback("links")
    printed = graded.printed("links", "stratified_cv_scores")
    assert "files in reach: [" in printed
    assert all(name not in printed for name in ("gradebook", "notes", "pipe")), printed


def test_a_notebook_that_is_a_link_scores_zero_with_the_reason(graded: GradedClass) -> None:
    assert graded.score("linked_notebook") == 0
    reasons = graded.reasons["linked_notebook"]
    assert f"refused {NOTEBOOK}.ipynb: a symbolic link, not a file; not copied" in reasons, reasons
    assert f"missing notebook: expected {NOTEBOOK}.ipynb, found no notebook; scored 0" in reasons
    assert "refused" in graded.feedback("linked_notebook")
    assert graded.report.result(ASSIGNMENT, "linked_notebook").status == "rejected"


def test_files_larger_than_the_kernel_may_hold_are_rejected_with_the_reason(graded: GradedClass) -> None:
    assert graded.score("big_files") == 0
    reason = (
        f"the submitted files hold {MAX_DISK_MIB + 8} MiB, more than the {MAX_DISK_MIB} MiB a kernel may hold"
    )
    assert reason in graded.reasons["big_files"], graded.reasons["big_files"]
    assert reason in graded.feedback("big_files")
    assert graded.report.result(ASSIGNMENT, "big_files").status == "rejected"


def test_nothing_of_the_submissions_is_left_in_the_work_folder(graded: GradedClass) -> None:
    work = graded.course / STATE_DIRECTORY / "work" / ASSIGNMENT
    assert not work.exists() or not any(work.iterdir())
    assert (graded.course / "submitted" / "links" / ASSIGNMENT / "pipe").exists()  # the submission stays
