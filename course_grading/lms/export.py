"""Final scores back to the LMS: an nbgrader export plugin, one row per student, one column per assignment.

The score exported is nbgrader's final score, the one ``nbgrader export``'s own CSV writes in its
``score`` column (nbgrader/plugins/export.py, ``CsvExportPlugin``): the sum of the submission's
grades minus its late-submission penalty (``SubmittedAssignment.late_submission_penalty``, set by the
late-submission plugin at autograde time), never below 0. A student on the roster with no
submission of an assignment gets 0, as in nbgrader's CSV. Rows follow the roster: a student graded
in the gradebook but missing from the roster has no LMS identity, is left out, and is named in the log.

The LMS-specific columns are in :class:`course_grading.lms.canvas.CanvasExportPlugin` and
:class:`course_grading.lms.moodle.MoodleExportPlugin`; ``make export-lms LMS=canvas|moodle`` runs
``nbgrader export --exporter=...`` with one of them.
"""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from course_grading.lms.roster import RosterStudent, load_roster

__all__ = ["LmsExportPlugin", "final_score"]


def final_score(gradebook: Gradebook, assignment: str, student: str) -> float:
    """nbgrader's final score of one submission: grades minus late penalty, at least 0; 0 if none."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return 0.0
    return max(0.0, float(submission.score) - float(submission.late_submission_penalty or 0.0))


class LmsExportPlugin(ExportPlugin):
    """Base of the LMS exports: subclasses give the identity columns and the assignment column titles."""

    roster = Unicode("roster.csv", help="The roster CSV (see course_grading.lms.roster).").tag(config=True)

    default_to = ""
    identity_columns: tuple[str, ...] = ()

    def identity(self, student: RosterStudent) -> list[str]:
        """The values of :attr:`identity_columns` for ``student``."""
        raise NotImplementedError

    def column(self, assignment: str) -> str:
        """The column title of an nbgrader assignment."""
        return assignment

    def export(self, gradebook: Gradebook) -> None:
        roster = load_roster(Path(self.roster))
        names = sorted(
            a.name for a in gradebook.assignments if not self.assignment or a.name in self.assignment
        )
        students = [s for s in roster.students if not self.student or s.student_id in self.student]
        unlisted = sorted({s.id for s in gradebook.students} - set(roster.ids))
        if unlisted:
            self.log.warning("graded but not on the roster %s, not exported: %s", self.roster, unlisted)
        destination = self.to or self.default_to
        self.log.info("Exporting final scores (after late penalties) of %s to %s", names, destination)
        with open(destination, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*self.identity_columns, *(self.column(name) for name in names)])
            for student in students:
                scores = [f"{final_score(gradebook, name, student.student_id):g}" for name in names]
                writer.writerow([*self.identity(student), *scores])
