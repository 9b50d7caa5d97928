"""Moodle: the file names of "Download all submissions", and the grade-import CSV.

File names (moodle ``mod/assign/locallib.php``, ``assign::download_submissions``): a prefix
``<full name>_<participant id>_`` (``clean_filename`` of the name with ``_`` replaced by spaces, and
``assign::get_uniqueid_for_user``; "Participant" instead of the name with blind marking), then
``assignsubmission_file_``; with "Download submissions in folders" (the default since Moodle 3.1)
the prefix names a folder and the file keeps its own name (``<prefix>assignsubmission_file/<file>``),
without it the file name is appended (``<prefix>assignsubmission_file_<file>``). The zip holds the
latest attempt. Each entry is added from Moodle's file store (``stored_file::archive_file`` ->
``zip_archive::add_file_from_pathname``), so its time is when that content was stored: the upload,
in the server's local time, which :attr:`MoodleCollector.zip_timezone` names.

Grade import (Moodle's "Import > CSV file", ``grade/import/csv/classes/load_data.php``,
``gradeimport_csv_load_data::map_user_data_with_value``): the teacher maps one column to "Identify
user by" (email address, username, ID number or user id) and each other column to a grade item, as
the README of github.com/aaronsamuel137/moodle-autograder walks through with "Email address". The
export writes ``First name``, ``Last name``, ``Email address`` (to map to "Email address"), then one
column per assignment.
"""

from __future__ import annotations

import re
from pathlib import Path

from traitlets import Unicode

from course_grading.lms.export import LmsExportPlugin
from course_grading.lms.intake import LmsFile, RosterCollector
from course_grading.lms.roster import RosterStudent

__all__ = ["MOODLE_FOLDER", "MOODLE_NAME", "MoodleCollector", "MoodleExportPlugin"]

MOODLE_FOLDER = re.compile(r"^(?P<name>[^_]+)_(?P<participant_id>\d+)_assignsubmission_file$")
MOODLE_NAME = re.compile(r"^(?P<name>[^_]+)_(?P<participant_id>\d+)_assignsubmission_file_(?P<file_name>.+)$")


class MoodleCollector(RosterCollector):
    """``nbgrader zip_collect --collector=course_grading.lms.moodle.MoodleCollector``."""

    lms = "Moodle"
    naming = "<full name>_<participant id>_assignsubmission_file[/ or _]<file name>"
    roster_column = "moodle_participant_id"
    zip_timezone = Unicode(
        "UTC", help="Time zone of the Moodle server (its zip entries are in its local time)."
    ).tag(config=True)

    def parse_name(self, path: Path) -> LmsFile | None:
        folder = MOODLE_FOLDER.match(path.parent.name)
        if folder is not None:
            name, participant_id, file_name = folder["name"], folder["participant_id"], path.name
        elif (flat := MOODLE_NAME.match(path.name)) is not None:
            name, participant_id, file_name = flat["name"], flat["participant_id"], flat["file_name"]
        else:
            return None
        return LmsFile(
            lms_id=participant_id, lms_name=name, file_name=file_name, order=self.submission_time(path)
        )

    def submission_time(self, path: Path) -> str:
        return self.zip_entry_time(path, self.zip_timezone)


class MoodleExportPlugin(LmsExportPlugin):
    """``nbgrader export --exporter=course_grading.lms.moodle.MoodleExportPlugin``: Moodle's import CSV."""

    default_to = "moodle_grades.csv"
    identity_columns = ("First name", "Last name", "Email address")

    def identity(self, student: RosterStudent) -> list[str]:
        return [student.first_name, student.last_name, student.email]
