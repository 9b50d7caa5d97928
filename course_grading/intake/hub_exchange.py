"""Prepare nbgrader's shared exchange folder for a course on a JupyterHub.

nbgrader's default exchange (``nbgrader.exchange.default``) wants its root
world-writable: ``ExchangeReleaseAssignment.ensure_root`` changes any other
mode of the root to 0777 and fails when it cannot. Anyone may then create,
rename or delete what sits directly in the root, the course folder included,
and a student who creates ``<root>/<course_id>`` before the instructor's first
release owns the course's inbound folder. :func:`prepare_exchange`, run as
root before the hub starts, closes both holes without leaving what nbgrader
accepts:

- the root gets mode 1777: ``ensure_root`` compares only the 0o777 bits, and
  the sticky bit keeps users from renaming or deleting each other's entries;
- the course folder is created now, owned by the instructor, with the mode
  ``ExchangeReleaseAssignment.init_dest`` gives it (0755).
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

__all__ = ["EXCHANGE_ROOT_MODE", "COURSE_FOLDER_MODE", "prepare_exchange"]

EXCHANGE_ROOT_MODE = 0o1777
COURSE_FOLDER_MODE = 0o755


def prepare_exchange(root: Path, course_id: str, instructor: str) -> Path:
    """Create (or fix) the exchange root and the course folder, as root.

    Parameters
    ----------
    root : Path
        ``Exchange.root`` of every user's nbgrader configuration.
    course_id : str
        ``CourseDirectory.course_id`` of the course.
    instructor : str
        The system account that releases and collects; it owns the course folder.

    Returns
    -------
    Path
        The course folder, ``root / course_id``.

    Raises
    ------
    PermissionError
        If the course folder exists and belongs to another user than the instructor.
    """
    if not course_id or "/" in course_id:
        raise ValueError(f"course_id must be a non-empty folder name, got {course_id!r}")
    account = pwd.getpwnam(instructor)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    os.chown(root, 0, 0)
    root.chmod(EXCHANGE_ROOT_MODE)
    course = root / course_id
    course.mkdir(exist_ok=True)
    owner = course.stat().st_uid
    if owner not in (0, account.pw_uid):
        raise PermissionError(
            f"{course} belongs to uid {owner}, not to the instructor {instructor!r}: "
            "remove it and start again"
        )
    os.chown(course, account.pw_uid, account.pw_gid)
    course.chmod(COURSE_FOLDER_MODE)
    return course

