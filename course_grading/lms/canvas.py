"""Canvas: the file names of a "Download Submissions" zip, and the gradebook-import CSV.

File names (canvas-lms ``app/models/content_zipper.rb``, ``ContentZipper#get_filename`` and
``#add_upload_submission``): ``<name>[_LATE]_<user id>_<attachment id>_<file name>``, where
``<name>`` is the student's sortable name ("Last, First") without non-word characters, and the
whole prefix is lower-cased (so ``_late_``); with anonymous grading the name is left out. The zip
holds the latest attempt only, and its entry times are when the zip was built (rubyzip's default),
not when the student submitted: a Canvas download carries no submission time, only the LATE mark.
We take the larger attachment id (a database id) as the later upload of one student's files.

Gradebook import (Canvas's "Import" in Grades). Ohio State's guide (teaching.resources.osu.edu,
"Import a CSV File into Carmen Grades") lists the columns: ``Student`` ("Last, First"), ``ID``,
``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment; one of the student
name, ``ID`` and ``SIS User ID`` identifies the student, and a column that is no existing assignment
creates a new one. To fill an existing assignment, :attr:`CanvasExportPlugin.assignment_ids` titles
the column ``name (assignment id)``, the form of Canvas's own gradebook export (not checked against a
live Canvas here).
"""

from __future__ import annotations

import re
from pathlib import Path

from traitlets import Dict

from course_grading.lms.export import LmsExportPlugin
from course_grading.lms.intake import LmsFile, RosterCollector
from course_grading.lms.roster import RosterStudent

__all__ = ["CANVAS_NAME", "CanvasCollector", "CanvasExportPlugin"]

CANVAS_NAME = re.compile(
    r"^(?:(?P<name>\w*?)_)??(?P<late>late_)?(?P<user_id>\d+)_(?P<attachment_id>\d+)_(?P<file_name>.+)$"
)


class CanvasCollector(RosterCollector):
    """``nbgrader zip_collect --collector=course_grading.lms.canvas.CanvasCollector``."""

    lms = "Canvas"
    naming = "<name>[_late]_<user id>_<attachment id>_<file name>"
    roster_column = "canvas_user_id"

    def parse_name(self, path: Path) -> LmsFile | None:
        match = CANVAS_NAME.match(path.name)
        if match is None:
            return None
        return LmsFile(
            lms_id=match["user_id"],
            lms_name=match["name"] or "(anonymous)",
            file_name=match["file_name"],
            order=match["attachment_id"].zfill(20),
            late=match["late"] is not None,
        )


class CanvasExportPlugin(LmsExportPlugin):
    """``nbgrader export --exporter=course_grading.lms.canvas.CanvasExportPlugin``: Canvas's import CSV."""

    default_to = "canvas_grades.csv"
    identity_columns = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
    assignment_ids = Dict(
        {}, help="Canvas assignment id of an nbgrader assignment: its column becomes 'name (id)'."
    ).tag(config=True)

    def identity(self, student: RosterStudent) -> list[str]:
        return [
            f"{student.last_name}, {student.first_name}",
            student.canvas_user_id,
            student.canvas_sis_user_id,
            student.canvas_sis_login_id,
            student.canvas_section,
        ]

    def column(self, assignment: str) -> str:
        canvas_id = self.assignment_ids.get(assignment)
        return f"{assignment} ({canvas_id})" if canvas_id else assignment
