"""Run the course's benchmarks and write the table: ``python -m benchmarks.run [--quick]``.

The full run (``make bench``) measures every area and writes
``docs/benchmarks.md`` and ``docs/benchmarks.json``. ``--quick``
(``make bench QUICK=1``) runs small workloads, skips the fresh install and
writes to a temporary folder unless ``--output-dir`` is given, so it never
replaces the committed figures. An area that fails is recorded under
``errors`` and the others still run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import REPO_ROOT
from benchmarks.machine import describe_machine, load_average
from benchmarks.report import render_markdown, write_report
from course_utils.timing import Stopwatch

AREAS = ("pruning", "parallel", "notebooks", "grading", "install")

#: A 1-minute load average before the run at or above this share of the cores means others
#: were using the machine (half the cores: a whole core of a 2-core machine busy elsewhere).
SHARED_LOAD_PER_CORE = 0.5


def _notebooks(quick: bool, log: Callable[[str], None]) -> dict:
    from benchmarks.notebooks import course_notebooks, time_notebooks

    notebooks = course_notebooks()
    if quick:  # one short notebook: the plumbing, not the figures
        notebooks = {"solution": notebooks["solution"][:1]}
    return time_notebooks(notebooks, log=log)


def _grading(quick: bool, log: Callable[[str], None]) -> dict:
    from benchmarks.grading import bench_grading

    return bench_grading(n_submissions=4 if quick else 100, log=log)


def _pruning(quick: bool, log: Callable[[str], None]) -> dict:
    from benchmarks.pruning import bench_pruning

    if quick:
        return bench_pruning(seeds=(0, 1), n_trials=8, n_steps=5)
    return bench_pruning()


def _parallel(quick: bool, log: Callable[[str], None]) -> dict:
    from benchmarks.parallel import bench_parallel

    if quick:
        return bench_parallel(objectives=("sleep",), workers=(1, 2), n_trials=4)
    return bench_parallel()


def _install(quick: bool, log: Callable[[str], None]) -> dict:
    from benchmarks.install import bench_install

    return bench_install(quick=quick)


RUNNERS: dict[str, Callable[[bool, Callable[[str], None]], dict]] = {
    "notebooks": _notebooks,
    "grading": _grading,
    "pruning": _pruning,
    "parallel": _parallel,
    "install": _install,
}


def run_benchmarks(
    *, quick: bool, areas: Sequence[str] = AREAS, log: Callable[[str], None] = print
) -> dict:
    """Measure the chosen areas, one after the other, and return every figure.

    Parameters
    ----------
    quick : bool
        Small workloads and no fresh install.
    areas : sequence of str, default=AREAS
        Which of ``AREAS`` to measure.
    log : callable, default=print
        Called with progress lines.

    Returns
    -------
    dict
        ``mode``, ``machine``, ``load_before``, ``load_after``, ``shared_machine``,
        ``seconds`` (the whole run), one entry per measured area and ``errors``
        (area to the error's last line) for the areas that failed.
    """
    unknown = [area for area in areas if area not in RUNNERS]
    if unknown:
        raise ValueError(f"areas must be among {list(AREAS)}, got {unknown}")
    results: dict[str, object] = {"mode": "quick" if quick else "full", "machine": describe_machine()}
    results["load_before"] = load_average()
    errors: dict[str, str] = {}
    with Stopwatch() as watch:
        for area in areas:
            log(f"[bench] {area} ...")
            with Stopwatch() as area_watch:
                try:
                    results[area] = RUNNERS[area](quick, log)
                except Exception as exc:  # one broken area must not lose the others' figures
                    errors[area] = traceback.format_exception_only(type(exc), exc)[-1].strip()
                    log(traceback.format_exc())
            log(f"[bench] {area} done in {area_watch.seconds:.2f} s")
    results["seconds"] = watch.seconds
    results["load_after"] = load_average()
    before = results["load_before"]
    cores = results["machine"].get("cores") or 1
    results["shared_machine"] = bool(before and before[0] >= SHARED_LOAD_PER_CORE * cores)
    results["errors"] = errors
    return results


def merge_results(previous: dict, new: dict, areas: Sequence[str], reason: str) -> dict:
    """Return ``previous`` with ``areas`` replaced by their figures in ``new``, noting when and why.

    Parameters
    ----------
    previous : dict
        A full run's results.
    new : dict
        A later run's results for ``areas``.
    areas : sequence of str
        The areas to replace.
    reason : str
        Why they were measured again; shown in the report.

    Returns
    -------
    dict
        The merged results; ``remeasured`` maps each replaced area to the later run's date,
        load averages and ``reason``.
    """
    merged = dict(previous)
    remeasured = dict(merged.get("remeasured") or {})
    errors = dict(merged.get("errors") or {})
    for area in areas:
        errors.pop(area, None)
        if area in new:
            merged[area] = new[area]
        if area in new.get("errors", {}):
            errors[area] = new["errors"][area]
        remeasured[area] = {
            "date": new["machine"]["date"],
            "load_before": new["load_before"],
            "load_after": new["load_after"],
            "reason": reason,
        }
    merged["remeasured"] = remeasured
    merged["errors"] = errors
    return merged


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workloads, no fresh install")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="where to write benchmarks.md/.json (default: docs/, or a temporary folder with --quick)")
    parser.add_argument("--only", nargs="+", choices=AREAS, default=list(AREAS), help="measure only these areas")
    parser.add_argument("--merge", metavar="REASON", default=None,
                        help="replace only the measured areas in the output folder's existing benchmarks.json, "
                             "recording when and why they were measured again")
    args = parser.parse_args(argv)
    out_dir = args.output_dir
    if out_dir is None:
        out_dir = Path(tempfile.mkdtemp(prefix="bench-quick-")) if args.quick else REPO_ROOT / "docs"
    results = run_benchmarks(quick=args.quick, areas=args.only, log=lambda line: print(line, flush=True))
    if args.merge is not None:
        results = merge_results(json.loads((out_dir / "benchmarks.json").read_text(encoding="utf-8")),
                                results, args.only, args.merge)
    md_path, json_path = write_report(results, out_dir)
    print(render_markdown(results))
    print(f"written: {md_path} and {json_path}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
