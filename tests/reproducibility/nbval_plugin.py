"""The course's nbval extension: rich outputs compared at a stated precision, notebooks run twice.

How nbval 0.11.0 compares (``nbval/plugin.py``): ``IPyNbCell.compare_outputs`` flattens every output
into one list per key (``text`` of a stream, each MIME type of ``data``; ``metadata``,
``execution_count``, ``image/png``, ``image/jpeg`` and widget views are skipped), passes each value
through ``IPyNbCell.sanitize`` and compares with ``!=``. ``sanitize`` applies the regexes of
``--nbval-sanitize-with`` to strings only and returns anything else unchanged, so a Plotly figure
(``application/vnd.plotly.v1+json``, a dict) is compared to the last bit of every float.

This plugin changes two things, by subclassing nbval's collector and cell rather than patching them:

- :class:`PrecisionCell` overrides ``sanitize``: strings (stream text, ``text/plain``, ``text/html``)
  go through nbval's regexes as before and are compared exactly, at the precision the lesson printed
  them; JSON outputs (Plotly figures, ``application/json``) have their numbers rounded to
  :data:`SIGNIFICANT_DIGITS` significant digits (:func:`rounding.round_numbers_in_json`).
- With ``--nbval-run-twice``, :class:`CourseNotebook` collects every code cell a second time, run in
  the same kernel right after the first pass, and checks that it raises no error (its output is
  not compared): a student can run the notebook again from the top.

``pytest_collect_file`` (a hook wrapper) replaces each notebook collector nbval returns with a
:class:`CourseNotebook` of the same file. The repository's ``conftest.py`` registers this module.
"""

from collections import defaultdict
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile

from tests.reproducibility.rounding import round_numbers_in_json

#: Significant digits at which numbers inside JSON outputs are compared. Lectures print 3 to 5
#: significant digits; last-bit differences between CPUs are at the 16th; 6 lies between, so a
#: difference a reader could see fails and one of rounding passes.
SIGNIFICANT_DIGITS = 6

SECOND_RUN_SUFFIX = " (second run)"


class PrecisionCell(IPyNbCell):
    """A notebook cell whose JSON outputs are compared at :data:`SIGNIFICANT_DIGITS` digits."""

    def sanitize(self, s: object) -> object:
        """Apply the sanitize file to a string; round the numbers of any other (JSON) value."""
        if isinstance(s, str):
            return super().sanitize(s)
        return round_numbers_in_json(s, SIGNIFICANT_DIGITS)


class CourseNotebook(IPyNbFile):
    """nbval's notebook collector, yielding :class:`PrecisionCell` items (and a second run if asked)."""

    def collect(self) -> Iterator[PrecisionCell]:
        first_run = [self._cell_like(cell, cell.name, cell.options) for cell in super().collect()]
        yield from first_run
        if not self.config.getoption("nbval_run_twice"):
            return
        for cell in first_run:
            options = defaultdict(bool, cell.options)
            options["check"] = False  # a second run must raise no error; its output may differ
            yield self._cell_like(cell, cell.name + SECOND_RUN_SUFFIX, options)

    def _cell_like(self, cell: IPyNbCell, name: str, options: defaultdict) -> PrecisionCell:
        """Return a :class:`PrecisionCell` that runs the notebook cell of ``cell`` under ``name``."""
        return PrecisionCell.from_parent(
            self, name=name, cell_num=cell.cell_num, cell=cell.cell, options=options
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("nbval").addoption(
        "--nbval-run-twice",
        action="store_true",
        help="run each notebook's code cells a second time in the same kernel and fail on any error",
    )


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Generator[None, list, list]:
    """Replace nbval's collector of a notebook with a :class:`CourseNotebook` of the same file."""
    collectors = yield
    return [
        CourseNotebook.from_parent(parent, path=file_path) if type(collector) is IPyNbFile else collector
        for collector in collectors
    ]
