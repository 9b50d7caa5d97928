"""``make bench``: one table of measured figures for the whole course.

Run from the repository root (``benchmarks`` is not an installed package)::

    python -m benchmarks.run            # full run: writes docs/benchmarks.md and docs/benchmarks.json
    python -m benchmarks.run --quick    # a few minutes' plumbing check, written to a temporary folder

One module per measured area: :mod:`benchmarks.notebooks` (execution time of
each lecture and solution notebook), :mod:`benchmarks.grading` (serial
``nbgrader autograde`` against the parallel path), :mod:`benchmarks.pruning`
(lecture 05's pruners against no pruning), :mod:`benchmarks.parallel`
(threads against processes on a journal file storage), :mod:`benchmarks.install`
(fresh install time and size of ``.venv``). :mod:`benchmarks.machine` records
where the run happened and :mod:`benchmarks.report` writes the table and the JSON.

Ratios are the headline: the machines are shared and noisy, so absolute
seconds are context only. Nothing in the tests asserts a timing.
"""

from pathlib import Path

#: The repository root: benchmarks/ sits directly in it.
REPO_ROOT = Path(__file__).resolve().parent.parent
