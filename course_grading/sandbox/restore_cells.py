"""Put the instructor's nbgrader metadata back on a submitted notebook, before nbgrader grades it.

nbgrader trusts the metadata of the submitted cells. Three honest accidents break it:

- **a copied cell.** JupyterLab copies a cell with its nbgrader metadata, so a grade_id appears
  twice. nbgrader's ``DeduplicateIds`` keeps the metadata of the last copy and leaves
  ``nbgrader: {}`` on the others, which ``CheckCellMetadata`` then rejects ("Outdated schema
  version: 0"): the whole submission fails.
- **altered metadata** (a test cell marked as an answer, other points, a lock removed).
  ``OverwriteCells`` restores ``locked`` and ``points`` but not ``solution`` or ``grade``, and then
  stops on "Inconsistent checksums".
- **an extra graded cell** (a grade_id the assignment does not have). ``OverwriteCells``
  removes its grade_id and leaves ``grade: true``, which nbgrader cannot save.

:func:`restore_cell_metadata` applies nbgrader's own ``DeduplicateIds`` rule (the last copy
keeps the metadata, the others become ordinary cells that still run), sets the role flags and
points of every known cell back to the source's, and makes unknown graded cells ordinary cells;
it returns one note per change. The cells' sources are left to nbgrader's ``OverwriteCells``.
"""

from __future__ import annotations

from collections import Counter

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import DeduplicateIds

__all__ = ["ROLE_KEYS", "restore_cell_metadata"]

# The nbgrader metadata that decides how a cell is graded; grade_id, checksum and schema
# version are nbgrader's to check.
ROLE_KEYS = ("grade", "solution", "locked", "task", "points")


def _nbgrader(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _role(cell: NotebookNode) -> dict:
    """How nbgrader grades the cell (its ``utils.is_*`` readings; a test cell is always locked)."""
    role = {
        "grade": utils.is_grade(cell),
        "solution": utils.is_solution(cell),
        "locked": utils.is_locked(cell),
        "task": utils.is_task(cell),
    }
    if role["grade"] or role["task"]:
        role["points"] = float(_nbgrader(cell).get("points") or 0)
    return role


def _describe(submitted: dict, source: dict) -> str:
    changed = [key for key in ROLE_KEYS if submitted.get(key) != source.get(key)]
    return ", ".join(f"{key}: {submitted.get(key)!r} -> {source.get(key)!r}" for key in changed)


def restore_cell_metadata(nb: NotebookNode, source: NotebookNode) -> list[str]:
    """Restore the nbgrader metadata of ``nb``'s cells from ``source``, in place.

    Parameters
    ----------
    nb : NotebookNode
        The submitted notebook.
    source : NotebookNode
        The instructor's source notebook of the assignment.

    Returns
    -------
    list of str
        One note per copied grade_id, per cell whose metadata was restored and per extra
        graded cell, for the student and the instructor.
    """
    roles = {
        _nbgrader(cell)["grade_id"]: _role(cell) for cell in source.cells if _nbgrader(cell).get("grade_id")
    }
    notes = []
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if "nbgrader" in cell.get("metadata", {}) and meta.get("grade_id") not in roles:
            if any(meta.get(key) for key in ("grade", "solution", "locked", "task")):
                name = meta.get("grade_id") or "without a grade_id"
                notes.append(f"extra graded cell {name}: not in the assignment, graded as an ordinary cell")
            del cell.metadata["nbgrader"]

    counts = Counter(_nbgrader(cell).get("grade_id") for cell in nb.cells if _nbgrader(cell))
    DeduplicateIds().preprocess(nb, {})
    for cell in nb.cells:
        if "nbgrader" in cell.get("metadata", {}) and not cell.metadata.nbgrader:
            del cell.metadata["nbgrader"]  # a copy DeduplicateIds emptied: an ordinary cell
    for grade_id, count in sorted(counts.items()):
        if count > 1:
            notes.append(
                f"copied cell {grade_id} ({count} cells with its nbgrader metadata): the last one is graded "
                "as that cell, the others run as ordinary cells"
            )

    for cell in nb.cells:
        meta = _nbgrader(cell)
        if not meta:
            continue
        grade_id = meta["grade_id"]
        mine = _role(cell)
        if mine != roles[grade_id]:
            changes = _describe(mine, roles[grade_id])
            notes.append(f"altered nbgrader metadata of {grade_id} ({changes}): restored")
            meta.pop("points", None)
            meta.update(roles[grade_id])
    return notes
