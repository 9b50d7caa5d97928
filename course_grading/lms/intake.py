"""The nbgrader plugins an LMS intake builds on (``nbgrader zip_collect``'s two plugin interfaces).

``nbgrader zip_collect`` (nbgrader/apps/zipcollectapp.py, 0.9.6) extracts every archive of
``downloaded/<assignment>/archive/`` into ``.../extracted/`` with its *extractor* plugin
(:class:`nbgrader.plugins.ExtractorPlugin`), then hands each extracted file's absolute path to its
*collector* plugin (:class:`nbgrader.plugins.FileNameCollectorPlugin`), whose ``collect`` returns
``{"student_id", "file_id", "timestamp"}`` or None to skip the file; it copies the collected files to
``submitted/<student_id>/<assignment>/<file_id>`` and writes the newest timestamp to ``timestamp.txt``.
Of two files with the same ``file_id`` from one student it keeps the one with the newer timestamp,
and it stops ("Duplicate submission file. No timestamps for comparison") when there is none.

- :class:`TimestampedExtractor` extracts like nbgrader's plugin, then gives every extracted file the
  modification time its zip entry records (nbgrader's ``unzip`` writes files with the extraction time).
- :class:`RosterCollector` turns an LMS file name into a roster student; the subclasses of
  :mod:`course_grading.lms.canvas` and :mod:`course_grading.lms.moodle` know the names. Every
  decision (collected, or why not) is appended to ``intake_log`` (JSON lines), which
  :mod:`course_grading.lms.collect` reads to report what it could not match.
"""

from __future__ import annotations

import calendar
import datetime
import json
import os
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from traitlets import Unicode

from course_grading.lms.roster import Roster, RosterStudent, load_roster

__all__ = ["IntakeDecision", "LmsFile", "RosterCollector", "TimestampedExtractor", "read_intake_log"]


class TimestampedExtractor(ExtractorPlugin):
    """nbgrader's extractor, then each extracted file's mtime set to its zip entry's time.

    A zip entry stores a wall-clock time without a time zone (the LMS server's local time). It is
    written to the file's mtime as if it were UTC, so it reads back unchanged on any machine;
    :meth:`RosterCollector.zip_entry_time` attaches the LMS server's zone to it.
    """

    def extract(self, archive_path: str, extracted_path: str) -> None:
        super().extract(archive_path, extracted_path)
        for root, _, names in os.walk(archive_path):
            for name in names:
                if os.path.splitext(name)[1] != ".zip":
                    continue
                # nbgrader's unzip(create_own_folder=True) extracts a.zip into <extracted>/<root>/a/.
                folder = Path(extracted_path, os.path.relpath(root, archive_path), Path(name).stem)
                with zipfile.ZipFile(Path(root, name)) as archive:
                    for entry in archive.infolist():
                        target = folder / entry.filename
                        if not entry.is_dir() and target.is_file():
                            seconds = calendar.timegm((*entry.date_time, 0, 0, 0))
                            os.utime(target, (seconds, seconds))


@dataclass(frozen=True)
class LmsFile:
    """What an LMS's file name says about one file of a submissions download.

    Attributes
    ----------
    lms_id : str
        The student's id in the LMS (the roster column :attr:`RosterCollector.roster_column`).
    lms_name : str
        The student's name as the file name spells it.
    file_name : str
        The name the student gave the file.
    order : str
        Sorts a student's files oldest first (zero-padded, so text order is upload order).
    late : bool
        The LMS marked the submission late.
    """

    lms_id: str
    lms_name: str
    file_name: str
    order: str
    late: bool = False


@dataclass(frozen=True)
class IntakeDecision:
    """One line of the intake log: a file of the download and what the collector did with it.

    ``status`` is ``collected``, ``no_scheme`` (the name follows no known LMS scheme),
    ``not_on_roster`` or ``not_notebook``.
    """

    path: str
    status: str
    message: str
    student_id: str = ""
    file_name: str = ""
    file_id: str = ""
    order: str = ""
    late: bool = False
    timestamp: str = ""


def read_intake_log(path: Path) -> list[IntakeDecision]:
    """The decisions :class:`RosterCollector` appended to ``path`` (none if it does not exist)."""
    path = Path(path)
    if not path.is_file():
        return []
    return [IntakeDecision(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]


class RosterCollector(FileNameCollectorPlugin):
    """A collector that matches LMS file names against ``roster.csv`` and logs every decision.

    Subclasses set :attr:`lms`, :attr:`naming` and :attr:`roster_column` and implement :meth:`parse_name`.
    """

    roster = Unicode("roster.csv", help="The roster CSV (see course_grading.lms.roster).").tag(config=True)
    intake_log = Unicode("", help="JSON-lines file to append each decision to (none if empty).").tag(
        config=True
    )

    lms = ""
    naming = ""
    roster_column = ""

    def parse_name(self, path: Path) -> LmsFile | None:
        """What the LMS's name of the extracted file ``path`` says; None if the name is not in its scheme."""
        raise NotImplementedError

    def submission_time(self, path: Path) -> str:
        """The submission time as nbgrader's ``parse_utc`` reads it, or ``""`` if the LMS gives none."""
        return ""

    def zip_entry_time(self, path: Path, zone: str) -> str:
        """The zip entry's time (kept by :class:`TimestampedExtractor`) with the zone ``zone``."""
        extractor = getattr(self.parent, "extractor_plugin", None)
        if not (isinstance(extractor, type) and issubclass(extractor, TimestampedExtractor)):
            self.log.warning("no submission times: the extractor is not TimestampedExtractor")
            return ""
        wall = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.timezone.utc)
        return f"{wall.replace(tzinfo=None).isoformat(' ')} {zone}"

    def _roster(self) -> Roster:
        if not hasattr(self, "_loaded_roster"):
            self._loaded_roster = load_roster(Path(self.roster))
            self._file_ids: set[tuple[str, str]] = set()
        return self._loaded_roster

    def _log(self, decision: IntakeDecision) -> None:
        level = self.log.info if decision.status == "collected" else self.log.warning
        level("%s: %s", decision.path, decision.message)
        if self.intake_log:
            with open(self.intake_log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(asdict(decision)) + "\n")

    def collect(self, submitted_file: str) -> dict | None:
        """Return nbgrader's ``{"student_id", "file_id", "timestamp"}`` for a roster student's notebook."""
        path = Path(submitted_file)
        roster = self._roster()
        parsed = self.parse_name(path)
        if parsed is None:
            message = f"no student can be told from a name outside {self.lms}'s naming {self.naming}"
            self._log(IntakeDecision(str(path), "no_scheme", message))
            return None
        student: RosterStudent | None = roster.by_column(self.roster_column, parsed.lms_id)
        if student is None:
            message = (
                f"no student with {self.roster_column} {parsed.lms_id} ({parsed.lms_name}) on the roster "
                f"{self.roster}: add them and collect again"
            )
            self._log(IntakeDecision(str(path), "not_on_roster", message))
            return None
        if os.path.splitext(parsed.file_name)[1] not in self.valid_ext:
            message = f"{student.student_id} uploaded {parsed.file_name!r}, which is not a notebook"
            self._log(
                IntakeDecision(str(path), "not_notebook", message, student.student_id, parsed.file_name)
            )
            return None
        file_id = parsed.file_name
        if (student.student_id, file_id) in self._file_ids:
            # nbgrader keeps one of two files with one name (or stops, without times): keep both, and
            # let course_grading.lms.collect choose which one is graded.
            file_id = f"{parsed.order}_{file_id}"
        self._file_ids.add((student.student_id, file_id))
        timestamp = self.submission_time(path)
        self._log(
            IntakeDecision(
                str(path),
                "collected",
                f"{parsed.lms_name} -> {student.student_id}/{file_id}",
                student.student_id,
                parsed.file_name,
                file_id,
                parsed.order,
                parsed.late,
                timestamp,
            )
        )
        collected = {"student_id": student.student_id, "file_id": file_id}
        if timestamp:
            collected["timestamp"] = timestamp
        return collected
