"""The course's late policy: a grace period, a penalty per day late, a cap and per-student extensions.

The policy is one TOML file next to ``nbgrader_config.py``, :data:`POLICY_FILE` (the committed
``late_policy.toml`` documents every key). Without the file, nothing is penalised.

How a penalty is computed (:func:`late_penalty`):

- *Late* is measured as nbgrader measures it (``SubmittedAssignment.total_seconds_late``): the time
  of ``submitted/<student>/<assignment>/timestamp.txt`` past the assignment's due date in the
  gradebook plus the student's extension (``SubmittedAssignment.extension``), in seconds, UTC.
- A submission at most ``grace_minutes`` late is on time.
- Past the grace period, *a day* is each started 24 hours after the due date (grace included in
  the count): 1 second to 24 hours late is 1 day, 24 hours and 1 second is 2 days. Days are
  elapsed time, not calendar days, so a time zone or a daylight-saving change does not move them.
- The penalty is ``penalty_per_day`` times the days late, at most ``max_penalty``, as a fraction of
  the score the submission earned (the score is what nbgrader's plugin interface hands over), in
  points; the final score is the score minus the penalty.

Two ways in, one computation:

- :class:`LatePolicyPlugin` is an nbgrader ``LateSubmissionPlugin``
  (``c.AssignLatePenalties.plugin_class`` in ``nbgrader_config.py``), so plain ``nbgrader autograde``
  and formgrader apply the same policy;
- ``make grade`` (:mod:`course_grading.gradebook.batch`) merges the workers' results into the gradebook and
  calls :func:`assign_late_penalty` for every submission on every run: timestamp, extension and
  penalty are recomputed from the current policy file, so a changed policy, extension or due date
  never leaves a stale penalty behind. nbgrader's ``AssignLatePenalties`` (0.9.6) resets and
  recomputes a penalty only while it autogrades that notebook, and ``make grade`` reuses unchanged
  results without autograding them again (jupyter/nbgrader#723 reported a penalty that stayed after
  the due date changed).
"""

from __future__ import annotations

import datetime
import html
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import SubmittedAssignment, SubmittedNotebook
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.utils import parse_utc
from traitlets import Unicode

__all__ = [
    "POLICY_FILE",
    "LatePenalty",
    "LatePolicy",
    "LatePolicyPlugin",
    "assign_late_penalty",
    "late_penalty",
    "load_policy",
    "mark_feedback_page",
    "read_timestamp",
]

POLICY_FILE = "late_policy.toml"
SECONDS_PER_DAY = 24 * 3600
_KEYS = {"grace_minutes", "penalty_per_day", "max_penalty", "extension_hours"}


@dataclass(frozen=True)
class LatePolicy:
    """The late policy of the course (see the module docstring; the defaults penalise nothing).

    Attributes
    ----------
    grace_minutes : float
        A submission at most this late is on time.
    penalty_per_day : float
        Fraction of the earned score taken per day late, in [0, 1].
    max_penalty : float
        At most this fraction of the earned score is taken, in [0, 1].
    extension_hours : dict
        student id -> {assignment -> hours added to that student's due date}.
    """

    grace_minutes: float = 0.0
    penalty_per_day: float = 0.0
    max_penalty: float = 0.0
    extension_hours: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("grace_minutes", "penalty_per_day", "max_penalty"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        for name in ("penalty_per_day", "max_penalty"):
            if getattr(self, name) > 1:
                raise ValueError(f"{name} is a fraction of the score, at most 1, got {getattr(self, name)!r}")
        for student, hours in self.extension_hours.items():
            if not isinstance(hours, dict) or not all(
                isinstance(h, (int, float)) and not isinstance(h, bool) and h >= 0 for h in hours.values()
            ):
                raise ValueError(
                    f"extension_hours.{student} must map assignment names to hours >= 0, got {hours!r}"
                )

    def extension(self, student: str, assignment: str) -> datetime.timedelta | None:
        """The student's extension of the assignment's due date, None if there is none."""
        hours = self.extension_hours.get(student, {}).get(assignment)
        return None if hours is None else datetime.timedelta(hours=hours)


def load_policy(path: Path) -> LatePolicy:
    """Read a policy file (TOML); a missing file is the policy that penalises nothing.

    Raises
    ------
    ValueError
        For a key the policy does not know or a value out of range, naming it and the file.
    """
    path = Path(path)
    if not path.is_file():
        return LatePolicy()
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ValueError(f"{path}: unknown keys {unknown}; the policy knows {sorted(_KEYS)}")
    try:
        return LatePolicy(**data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def _duration(seconds: float) -> str:
    """``2 d 3 h 5 min`` (rounded down to the minute; ``0 min`` under a minute)."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(part for part in parts if part) or "0 min"


@dataclass(frozen=True)
class LatePenalty:
    """The penalty of one submission under a policy.

    Attributes
    ----------
    seconds_late : float
        Past the due date (extension included); 0 if on time or without timestamp or due date.
    days_late : int
        Days counted by the policy; 0 when on time or inside the grace period.
    fraction : float
        Fraction of the earned score taken.
    points : float
        The penalty in points (``fraction * score``).
    reason : str
        One sentence for the instructor and the student; empty when the submission was on time.
    """

    seconds_late: float = 0.0
    days_late: int = 0
    fraction: float = 0.0
    points: float = 0.0
    reason: str = ""


def late_penalty(policy: LatePolicy, score: float, seconds_late: float) -> LatePenalty:
    """The penalty of a submission that earned ``score`` points and came ``seconds_late`` late.

    Parameters
    ----------
    policy : LatePolicy
    score : float
        Points the submission earned (nbgrader's ``SubmittedNotebook.score``), >= 0.
    seconds_late : float
        nbgrader's ``total_seconds_late`` (extension included), >= 0.

    Returns
    -------
    LatePenalty
    """
    if score < 0 or seconds_late < 0:
        raise ValueError(f"score and seconds_late must be >= 0, got {score!r} and {seconds_late!r}")
    if seconds_late == 0:
        return LatePenalty()
    late = f"submitted {_duration(seconds_late)} after the due date"
    if seconds_late <= policy.grace_minutes * 60:
        return LatePenalty(
            seconds_late, reason=f"{late}, inside the {policy.grace_minutes:g} min grace period: no penalty"
        )
    days = math.ceil(seconds_late / SECONDS_PER_DAY)
    uncapped = days * policy.penalty_per_day
    fraction = min(policy.max_penalty, uncapped)
    capped = " (the cap)" if uncapped > policy.max_penalty + 1e-9 else ""
    points = fraction * score
    reason = (
        f"late: {late}, {days} day{'s' if days > 1 else ''} late; penalty {100 * fraction:g} %{capped} "
        f"of the {score:g} points earned: -{points:g} points"
    )
    return LatePenalty(seconds_late, days, fraction, points, reason)


def read_timestamp(submission_folder: Path) -> datetime.datetime | None:
    """nbgrader's submission time (``timestamp.txt``, parsed by ``nbgrader.utils.parse_utc``), naive UTC.

    Returns None without the file or with an empty one.

    Raises
    ------
    ValueError
        If the file holds no time ``parse_utc`` can read, naming the file.
    """
    path = Path(submission_folder) / "timestamp.txt"
    text = path.read_text(encoding="utf-8", errors="replace").strip() if path.is_file() else ""
    try:
        return parse_utc(text) if text else None
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{path.name} holds no readable time ({text[:60]!r})") from error


def assign_late_penalty(
    submission: SubmittedAssignment,
    notebook: SubmittedNotebook,
    policy: LatePolicy,
    submission_folder: Path,
) -> LatePenalty:
    """Write timestamp, extension and late penalty of one submission into the gradebook, from scratch.

    ``notebook.score`` must be current (refresh it after changing grades). Whatever the gradebook
    held before is replaced, so the result depends only on the policy, ``timestamp.txt`` of
    ``submission_folder``, the due date and the score. A ``timestamp.txt`` that cannot be read
    gives no penalty and a reason that asks for a manual check, instead of stopping the run.
    """
    submission.extension = policy.extension(submission.student.id, submission.assignment.name)
    try:
        submission.timestamp = read_timestamp(submission_folder)
    except ValueError as error:
        submission.timestamp = None
        notebook.late_submission_penalty = None
        return LatePenalty(reason=f"late policy not applied: {error}; needs a manual check")
    penalty = late_penalty(policy, float(notebook.score), float(submission.total_seconds_late))
    notebook.late_submission_penalty = penalty.points if penalty.points > 0 else None
    return penalty


class LatePolicyPlugin(LateSubmissionPlugin):
    """nbgrader's late-submission plugin with the course's policy (``penalty_method`` is not used).

    ``c.AssignLatePenalties.plugin_class = "course_grading.gradebook.late_policy.LatePolicyPlugin"``.
    Extensions are not the plugin's: nbgrader has already subtracted the gradebook's
    ``SubmittedAssignment.extension`` from ``total_seconds_late`` (``make grade`` writes it from the
    policy file).
    """

    policy_file = Unicode(
        POLICY_FILE, help="The late policy (TOML), relative to the folder nbgrader runs in."
    ).tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        penalty = late_penalty(load_policy(Path(self.policy_file)), score, total_seconds_late)
        self.log.info("late policy, %s: %s", student_id, penalty.reason)
        return penalty.points


_HEADING_SCORE = re.compile(r"(<h4>.*?\(Score: )([0-9.]+)( / [0-9.]+\)</h4>)", re.DOTALL)


def mark_feedback_page(page: Path, penalty: LatePenalty) -> None:
    """Show the late penalty and its reason in a feedback page rendered without them.

    In a page of nbgrader's feedback template the score in the heading becomes the final score, and a
    red line under it gives the reason, the way that template shows a penalty (``li.late-penalty``);
    in any other page (a rejected submission's) the line comes first in the body. A page of an
    on-time submission is left as it is.
    """
    if not penalty.reason:
        return
    text = page.read_text(encoding="utf-8")
    note = f'\n<p class="late-penalty" style="color: #d2413a">{html.escape(penalty.reason)}</p>\n'
    heading = _HEADING_SCORE.search(text)
    if heading is not None:
        final = max(0.0, float(heading[2]) - penalty.points)
        marked = f"{heading[1]}{round(final, 2):g}{heading[3]}{note}"
        text = text[: heading.start()] + marked + text[heading.end() :]
    else:
        body = text.find("<body>")
        at = body + len("<body>") if body >= 0 else 0
        text = text[:at] + note + text[at:]
    page.write_text(text, encoding="utf-8")
