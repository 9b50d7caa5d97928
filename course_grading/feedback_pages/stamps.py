"""Put each graded submission's stamp files beside its feedback, as ``nbgrader release_feedback`` needs.

``nbgrader release_feedback`` (``ExchangeReleaseFeedback.copy_files``) reads
``feedback/<student>/<assignment>/timestamp.txt`` and ``submission_secret.txt`` and files each
page under a hash of the secret, so that the student's ``fetch_feedback`` finds it for that
submission. nbgrader's own ``generate_feedback`` copies both files from the submission;
``make grade`` (``course_grading.gradebook.batch``) writes only the HTML pages. Run this after
``make grade`` and before ``nbgrader release_feedback``::

    python -m course_grading.feedback_pages.stamps 01_cross_validation

A feedback page older than its collected submission (a newer submission was collected after
grading) gets no stamps: that feedback belongs to an earlier submission, so grade again.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

__all__ = ["STAMP_FILES", "copy_submission_stamps"]

STAMP_FILES = ("timestamp.txt", "submission_secret.txt")


def copy_submission_stamps(course_dir: Path, assignment: str) -> tuple[list[str], list[str]]:
    """Copy :data:`STAMP_FILES` of ``submitted/<student>/<assignment>/`` into each student's feedback folder.

    Parameters
    ----------
    course_dir : Path
        The nbgrader course directory.
    assignment : str
        The assignment whose feedback is to be released.

    Returns
    -------
    stamped, stale : list of str
        The students whose feedback got its stamps, and those whose feedback predates their
        collected submission (not stamped).
    """
    stamped, stale = [], []
    for feedback in sorted(Path(course_dir).glob(f"feedback/*/{assignment}")):
        student = feedback.parent.name
        submission = Path(course_dir) / "submitted" / student / assignment
        pages = list(feedback.glob("*.html"))
        if not pages or not all((submission / name).is_file() for name in STAMP_FILES):
            continue
        if min(page.stat().st_mtime for page in pages) < (submission / "timestamp.txt").stat().st_mtime:
            stale.append(student)
            continue
        for name in STAMP_FILES:
            shutil.copy(submission / name, feedback / name)
        stamped.append(student)
    return stamped, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    stamped, stale = copy_submission_stamps(args.course_dir, args.assignment)
    print(f"{len(stamped)} feedback folders stamped")
    if stale:
        print(f"feedback older than the collected submission, grade again: {', '.join(stale)}",
              file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
