"""Execution time of each lecture and solution notebook, and of the whole course.

Each notebook is executed with :mod:`nbclient` from a copy in a temporary
folder (its folder's files are copied beside it), so the repository's
notebooks and their stored outputs are never written. The kernel runs with
the test environment: one BLAS/OpenMP thread and ``PYTHONHASHSEED=0``.
The time includes the kernel's start-up, as a student would see it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from benchmarks import REPO_ROOT
from course_utils.timing import Stopwatch

#: Environment variables of ``make test`` that change how notebooks compute.
TEST_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "JUPYTER_PLATFORM_DIRS": "1",
}

#: A cell that runs longer than this is stopped and the notebook counted as failed.
CELL_TIMEOUT = 600


def course_notebooks(root: Path = REPO_ROOT) -> dict[str, list[Path]]:
    """Return the course's notebooks by kind, in name order.

    Parameters
    ----------
    root : Path, default=the repository
        Where ``notebooks/`` and ``solutions/`` are.

    Returns
    -------
    dict
        ``{"lecture": [notebooks/*.ipynb], "solution": [solutions/*/*.ipynb]}``.
    """
    return {
        "lecture": sorted((root / "notebooks").glob("*.ipynb")),
        "solution": sorted((root / "solutions").glob("*/*.ipynb")),
    }


def time_notebook(path: Path, *, timeout: int = CELL_TIMEOUT) -> dict[str, object]:
    """Execute a copy of one notebook from top to bottom and time it.

    Parameters
    ----------
    path : Path
        The notebook. Its folder is copied into a temporary folder and the
        copy is executed there; nothing is written back.
    timeout : int, default=CELL_TIMEOUT
        Seconds a cell may run.

    Returns
    -------
    dict
        ``seconds`` (kernel start to last cell), ``cells`` (code cells),
        ``ok`` and ``error`` (the last line of the exception, or None).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing notebook file, got {str(path)!r}")
    notebook = nbformat.read(path, as_version=4)
    n_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    saved = {name: os.environ.get(name) for name in TEST_ENVIRONMENT}
    os.environ.update(TEST_ENVIRONMENT)  # the kernel inherits this process's environment
    error = None
    with tempfile.TemporaryDirectory(prefix="bench-notebook-") as tmp:
        workdir = Path(tmp) / path.parent.name
        shutil.copytree(path.parent, workdir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(workdir)}},
        )
        try:
            with Stopwatch() as watch:
                try:
                    client.execute()
                except Exception as exc:  # a failing notebook is a result, not a crash of the run
                    error = traceback.format_exception_only(type(exc), exc)[-1].strip()[-300:]
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return {"seconds": watch.seconds, "cells": n_cells, "ok": error is None, "error": error}


def time_notebooks(
    notebooks: dict[str, Sequence[Path]], *, root: Path = REPO_ROOT, log=print
) -> dict[str, object]:
    """Time every notebook and add the totals per kind and for the course.

    Parameters
    ----------
    notebooks : dict of str to sequence of Path
        Kind (``"lecture"``, ``"solution"``) to notebooks, as :func:`course_notebooks` returns.
    root : Path, default=the repository
        Paths in the result are relative to it when they are inside it.
    log : callable, default=print
        Called with one progress line per notebook.

    Returns
    -------
    dict
        ``rows``: one dict per notebook (``kind``, ``notebook``, plus :func:`time_notebook`'s keys);
        ``totals``: seconds per kind and ``course`` (all notebooks), with the number of notebooks
        and of failures.
    """
    rows = []
    for kind, paths in notebooks.items():
        for path in paths:
            result = time_notebook(path)
            name = _relative(Path(path), root)
            rows.append({"kind": kind, "notebook": name, **result})
            status = "ok" if result["ok"] else f"FAILED: {result['error']}"
            log(f"  {name}: {result['seconds']:.2f} s, {status}")
    totals = {kind: _total(row for row in rows if row["kind"] == kind) for kind in notebooks}
    totals["course"] = _total(rows)
    return {"rows": rows, "totals": totals}


def _total(rows: Iterable[dict]) -> dict[str, object]:
    rows = list(rows)
    return {
        "seconds": sum(row["seconds"] for row in rows),
        "notebooks": len(rows),
        "failed": sum(not row["ok"] for row in rows),
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return path.name
