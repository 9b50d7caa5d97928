"""``make collect``: a Canvas or Moodle submissions zip into ``submitted/``, on ``nbgrader zip_collect``.

``python -m course_grading.lms.collect --zip Z [--roster roster.csv] [--assignment A] [--lms canvas|moodle]``

1. The zip is copied to ``downloaded/<run>/<assignment>/archive/`` (``<run>``: the UTC time of the
   run), where it stays: no file of a download is ever deleted.
2. ``nbgrader zip_collect`` extracts it to ``.../extracted/`` (:class:`~.intake.TimestampedExtractor`)
   and collects each file with the LMS's collector plugin (:mod:`.canvas`, :mod:`.moodle`), which
   matches the name against the roster; the collected files land in ``.../collected/<student>/``
   with nbgrader's ``timestamp.txt`` (Moodle: the upload time; Canvas gives none).
3. For each roster student, one notebook becomes ``submitted/<student>/<assignment>/<notebook>.ipynb``
   (and ``timestamp.txt``): of several, the newest upload named like the release notebook, else the
   newest. A different earlier submission in ``submitted/`` moves to
   ``submitted_history/<student>/<assignment>/<its time>/`` first, so a resubmission keeps its history.
4. What could not be matched, or needs a look, is printed and written to
   ``downloaded/<run>/<assignment>/intake_report.csv`` (columns ``kind, student, path, message``):
   ``no_scheme`` (a name in neither LMS's scheme), ``not_on_roster``, ``not_notebook``, ``no_file``
   (a roster student without a file), ``several_notebooks``, ``renamed``, ``resubmission``, ``late``.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import filecmp
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from course_grading.lms.canvas import CANVAS_NAME
from course_grading.lms.intake import IntakeDecision, read_intake_log
from course_grading.lms.moodle import MOODLE_FOLDER, MOODLE_NAME
from course_grading.lms.roster import load_roster
from course_grading.handout.release import REPO_ROOT, assignment_notebook, assignments, ensure_scripts_on_path

__all__ = [
    "COLLECTORS",
    "IntakeProblem",
    "IntakeReport",
    "collect_zip",
    "detect_lms",
    "infer_assignment",
    "main",
]

COLLECTORS = {
    "canvas": "course_grading.lms.canvas.CanvasCollector",
    "moodle": "course_grading.lms.moodle.MoodleCollector",
}
EXTRACTOR = "course_grading.lms.intake.TimestampedExtractor"
HISTORY_DIRECTORY = "submitted_history"
REPORT_FILE = "intake_report.csv"


@dataclass(frozen=True)
class IntakeProblem:
    """One line of the intake report: what happened to whom, and where the file is."""

    kind: str
    student: str
    path: str
    message: str


@dataclass
class IntakeReport:
    """What :func:`collect_zip` did: where the run's files are, who was collected, what to look at."""

    lms: str
    assignment: str
    run_dir: Path
    collected: dict[str, Path] = field(default_factory=dict)
    problems: list[IntakeProblem] = field(default_factory=list)

    def kinds(self, kind: str) -> list[IntakeProblem]:
        """The problems of one kind."""
        return [problem for problem in self.problems if problem.kind == kind]


def _zip_files(zip_path: Path) -> list[PurePosixPath]:
    with zipfile.ZipFile(zip_path) as archive:
        return [PurePosixPath(entry.filename) for entry in archive.infolist() if not entry.is_dir()]


def detect_lms(zip_path: Path) -> str:
    """``"canvas"`` or ``"moodle"``: the scheme most of the zip's file names follow."""
    files = _zip_files(zip_path)
    canvas = sum(CANVAS_NAME.match(f.name) is not None for f in files)
    moodle = sum(
        MOODLE_FOLDER.match(f.parent.name) is not None or MOODLE_NAME.match(f.name) is not None for f in files
    )
    if canvas == moodle == 0:
        raise ValueError(
            f"{zip_path}: no file name follows Canvas's or Moodle's scheme; is it an LMS download?"
        )
    return "canvas" if canvas > moodle else "moodle"


def infer_assignment(zip_path: Path, course_dir: Path) -> str:
    """The assignment whose release notebook name most of the zip's files end with."""
    files = _zip_files(zip_path)
    counts = {}
    for name in assignments(course_dir):
        notebook = f"{assignment_notebook(name, course_dir)}.ipynb"
        counts[name] = sum(f.name.endswith(notebook) for f in files)
    best = max(counts.values(), default=0)
    winners = [name for name, count in counts.items() if count == best]
    if best == 0 or len(winners) > 1:
        raise ValueError(f"{zip_path}: cannot tell the assignment from its file names ({counts}); name it")
    return winners[0]


def _run_id(downloaded: Path) -> str:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run, number = stamp, 1
    while (downloaded / run).exists():
        number += 1
        run = f"{stamp}-{number}"
    return run


def _zip_collect(
    course_dir: Path, assignment: str, run: str, lms: str, roster: Path, log: Path, zone: str
) -> None:
    """Run the real ``nbgrader zip_collect`` with the project's plugins (importable from the repository)."""
    env = ensure_scripts_on_path(dict(os.environ))
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])])
    args = [
        "zip_collect",
        assignment,
        f"--collector={COLLECTORS[lms]}",
        f"--extractor={EXTRACTOR}",
        f"--ZipCollectApp.downloaded_directory=downloaded/{run}",
        f"--CourseDirectory.submitted_directory=downloaded/{run}/{assignment}/collected",
        f"--RosterCollector.roster={roster}",
        f"--RosterCollector.intake_log={log}",
        f"--MoodleCollector.zip_timezone={zone}",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course_dir, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n{result.stderr}")


def _same_files(left: Path, right: Path) -> bool:
    """True if the two folders hold the same files with the same bytes (and nothing else)."""
    items = sorted(left.iterdir())
    if [p.name for p in items] != sorted(p.name for p in right.iterdir()):
        return False
    if not all(p.is_file() for p in items):
        return False
    return all(filecmp.cmp(item, right / item.name, shallow=False) for item in items)


def _choose_graded(
    uploads: list[IntakeDecision], notebook: str
) -> tuple[IntakeDecision, list[IntakeDecision]]:
    """The upload to grade (the newest named ``notebook``, else the newest) and the others.

    ``uploads`` is sorted oldest first.
    """
    named_like_release = [d for d in uploads if d.file_name == notebook]
    graded = (named_like_release or uploads)[-1]
    return graded, [d for d in uploads if d is not graded]


def _place_submission(
    course_dir: Path, staged: Path, file_id: str, notebook: str, target: Path, run_dir: Path
) -> Path | None:
    """Make ``target`` hold ``staged/file_id`` as ``notebook`` (and nbgrader's timestamp.txt).

    The new folder is assembled in ``run_dir`` and moved in whole. A different submission already in
    ``target`` moves to the history first; its new place (relative to ``course_dir``) is returned,
    None if there was nothing to move.
    """
    incoming = run_dir / "incoming" / target.parent.name
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    shutil.copy2(staged / file_id, incoming / notebook)
    if (staged / "timestamp.txt").is_file():
        shutil.copy2(staged / "timestamp.txt", incoming / "timestamp.txt")
    if target.is_dir() and _same_files(target, incoming):
        shutil.rmtree(incoming)
        return None
    history = None
    if target.is_dir():
        folder = _history_folder(course_dir, target.parent.name, target.name, target, run_dir.parent.name)
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, folder)
        history = folder.relative_to(course_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(incoming, target)
    return history


def _history_folder(course_dir: Path, student: str, assignment: str, previous: Path, run: str) -> Path:
    timestamp = previous / "timestamp.txt"
    label = timestamp.read_text(encoding="utf-8").strip() if timestamp.is_file() else f"before-{run}"
    label = label.replace(" ", "T").replace(":", "-").replace("+", "p")
    folder, number = course_dir / HISTORY_DIRECTORY / student / assignment / label, 1
    while folder.exists():
        number += 1
        folder = folder.with_name(f"{label}-{number}")
    return folder


def collect_zip(
    course_dir: Path,
    zip_path: Path,
    roster_path: Path,
    *,
    assignment: str | None = None,
    lms: str | None = None,
    zip_timezone: str = "UTC",
) -> IntakeReport:
    """Collect one LMS download into ``submitted/`` (steps in the module docstring).

    Parameters
    ----------
    course_dir : Path
        The nbgrader course (``nbgrader_config.py``, ``solutions/``).
    zip_path : Path
        The submissions zip as downloaded from Canvas or Moodle.
    roster_path : Path
        The roster CSV (:mod:`course_grading.lms.roster`).
    assignment : str, default=None
        The nbgrader assignment (inferred from the notebook names in the zip if None).
    lms : {"canvas", "moodle"}, default=None
        The LMS (detected from the file names if None).
    zip_timezone : str, default="UTC"
        The Moodle server's time zone (a tz name or a UTC offset), for the submission times.

    Returns
    -------
    IntakeReport
    """
    course_dir, zip_path = Path(course_dir).resolve(), Path(zip_path).resolve()
    roster_path = Path(roster_path).resolve()
    roster = load_roster(roster_path)
    lms = lms or detect_lms(zip_path)
    if lms not in COLLECTORS:
        raise ValueError(f"lms must be one of {sorted(COLLECTORS)}, got {lms!r}")
    assignment = assignment or infer_assignment(zip_path, course_dir)
    notebook = f"{assignment_notebook(assignment, course_dir)}.ipynb"
    run = _run_id(course_dir / "downloaded")
    run_dir = course_dir / "downloaded" / run / assignment
    (run_dir / "archive").mkdir(parents=True)
    shutil.copy2(zip_path, run_dir / "archive" / zip_path.name)
    log = run_dir / "intake_log.jsonl"
    _zip_collect(course_dir, assignment, run, lms, roster_path, log, zip_timezone)

    report = IntakeReport(lms, assignment, run_dir)
    decisions = read_intake_log(log)
    relative = {d.path: os.path.relpath(d.path, course_dir) for d in decisions}
    for d in decisions:
        if d.status != "collected":
            report.problems.append(IntakeProblem(d.status, d.student_id, relative[d.path], d.message))
    for student in roster.students:
        sid = student.student_id
        uploads: list[IntakeDecision] = sorted(
            (d for d in decisions if d.status == "collected" and d.student_id == sid), key=lambda d: d.order
        )
        target = course_dir / "submitted" / sid / assignment
        if not uploads:
            message = f"no notebook from {sid} ({student.full_name}) in this download"
            if target.is_dir():
                message += f"; the earlier submission in {target.relative_to(course_dir)} stays"
            report.problems.append(IntakeProblem("no_file", sid, "", message))
            continue
        graded, others = _choose_graded(uploads, notebook)
        if others:
            report.problems.append(
                IntakeProblem(
                    "several_notebooks",
                    sid,
                    relative[graded.path],
                    f"{sid} sent {len(uploads)} notebooks: graded {graded.file_name!r}; not graded, kept in "
                    + ", ".join(relative[d.path] for d in others),
                )
            )
        if graded.file_name != notebook:
            report.problems.append(
                IntakeProblem(
                    "renamed", sid, relative[graded.path], f"{graded.file_name!r} is graded as {notebook!r}"
                )
            )
        if graded.late:
            report.problems.append(
                IntakeProblem(
                    "late", sid, relative[graded.path], f"{lms.capitalize()} marked {sid}'s submission LATE"
                )
            )
        staged = run_dir / "collected" / sid / assignment
        history = _place_submission(course_dir, staged, graded.file_id, notebook, target, run_dir)
        if history is not None:
            report.problems.append(
                IntakeProblem(
                    "resubmission",
                    sid,
                    str(history),
                    f"{sid} resubmitted: the earlier submission moved to {history}",
                )
            )
        report.collected[sid] = target / notebook

    with open(run_dir / REPORT_FILE, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "student", "path", "message"])
        writer.writerows([p.kind, p.student, p.path, p.message] for p in report.problems)
    return report


def main(argv: list[str] | None = None) -> int:
    """Collect a download and print what was collected and what could not be matched."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path, required=True, help="the submissions zip downloaded from the LMS")
    parser.add_argument(
        "--roster", type=Path, default=Path("roster.csv"), help="the roster CSV (default roster.csv)"
    )
    parser.add_argument("--assignment", help="the nbgrader assignment (default: from the notebook names)")
    parser.add_argument("--lms", choices=sorted(COLLECTORS), help="the LMS (default: from the file names)")
    parser.add_argument("--zip-timezone", default="UTC", help="the Moodle server's time zone (default UTC)")
    parser.add_argument(
        "--course-dir", type=Path, default=REPO_ROOT, help="course directory (default: the repository)"
    )
    args = parser.parse_args(argv)
    report = collect_zip(
        args.course_dir,
        args.zip,
        args.roster,
        assignment=args.assignment,
        lms=args.lms,
        zip_timezone=args.zip_timezone,
    )
    course_dir = args.course_dir.resolve()
    for student, path in report.collected.items():
        print(f"collected {student}: {path.relative_to(course_dir)}")
    for problem in report.problems:
        print(f"{problem.kind}: {problem.message}" + (f" [{problem.path}]" if problem.path else ""))
    print(
        f"{report.lms.capitalize()} download of {report.assignment}: {len(report.collected)} collected, "
        f"{len(report.problems)} notes in {(report.run_dir / REPORT_FILE).relative_to(course_dir)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
