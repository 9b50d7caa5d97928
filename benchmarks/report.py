"""Write the benchmark results as a Markdown table for people and a JSON file for machines.

:func:`render_markdown` turns the results dictionary that
:func:`benchmarks.run.run_benchmarks` returns into Markdown; every section is
optional, so a partial run (quick mode, an area that failed or is not ready)
still renders. :func:`write_report` writes both files.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

__all__ = ["fmt_ratio", "fmt_seconds", "jsonable", "markdown_table", "render_markdown", "write_report"]


def fmt_seconds(seconds: float | None) -> str:
    """Format seconds as ``"12.34 s"``; ``"-"`` for None or NaN."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "-"
    return f"{seconds:.2f} s"


def fmt_ratio(ratio: float | None) -> str:
    """Format a ratio as ``"1.87x"``; ``"-"`` for None or NaN."""
    if ratio is None or (isinstance(ratio, float) and not math.isfinite(ratio)):
        return "-"
    return f"{ratio:.2f}x"


def _fmt_percent(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.0%}"


def _fmt_bytes(n: int | None) -> str:
    if not n:
        return "-"
    return f"{n / 2**30:.2f} GiB"


def _workers(n: int) -> str:
    return f"{n} worker" if n == 1 else f"{n} workers"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a GitHub-flavoured Markdown table.

    Parameters
    ----------
    headers : sequence of str
        Column titles.
    rows : sequence of sequences
        Cells, converted with ``str``; each row must have one cell per header.
        A ``|`` in a cell is escaped.

    Returns
    -------
    str
        The table, one line per row, ending with a newline.
    """
    headers = list(headers)
    if not headers:
        raise ValueError("headers must name at least one column")
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    for i, row in enumerate(rows):
        cells = [str(cell).replace("|", "\\|") for cell in row]
        if len(cells) != len(headers):
            raise ValueError(f"rows[{i}] must have {len(headers)} cells, got {len(cells)}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _headline_rows(results: dict) -> list[list[str]]:
    rows = []
    grading = results.get("grading") or {}
    if grading.get("ratio") is not None:
        rows.append([
            "grading: parallel path / serial `nbgrader autograde` (submissions per minute)",
            fmt_ratio(grading["ratio"]),
            f"{grading['submissions']} submissions: {grading['serial']['per_minute']:.1f} vs "
            f"{grading['parallel']['per_minute']:.1f} per minute",
        ])
        rows.append([
            "grading: parallel path / serial autograde + `generate_feedback` (the same outputs)",
            fmt_ratio(grading["ratio_same_outputs"]),
            f"{grading['serial_with_feedback']['per_minute']:.1f} vs "
            f"{grading['parallel']['per_minute']:.1f} per minute",
        ])
    if grading.get("dask"):
        top = max(grading["dask"], key=lambda row: row["workers"])
        rows.append([
            f"grading: Dask path, {_workers(top['workers'])} on this machine / the local pool",
            fmt_ratio(top["ratio_local"]),
            f"{top['per_minute']:.1f} vs {grading['parallel']['per_minute']:.1f} per minute; "
            f"{fmt_ratio(top['ratio_same_outputs'])} against serial autograde + feedback",
        ])
    pruning = results.get("pruning") or {}
    kept = [row for row in pruning.get("rows", []) if row["pruner"] != "none" and row["quality_kept"]]
    if kept:
        best = max(kept, key=lambda row: row["steps_saved"])
        rows.append([
            f"pruning: largest step saving at the held-out quality of no pruning ({best['pruner']})",
            f"{_fmt_percent(best['steps_saved'])} fewer training steps",
            f"test log-loss {best['gap']:+.4f} vs no pruning; wall clock {fmt_ratio(best['speedup'])} "
            "(the steps are cheap: mostly Optuna's own time)",
        ])
    elif pruning.get("rows"):
        rows.append(["pruning: no pruner kept the quality of no pruning", "-", ""])
    parallel = results.get("parallel") or {}
    for objective, label in parallel.get("objectives", {}).items():
        for kind in ("threads", "processes"):
            candidates = [r for r in parallel["rows"] if r["objective"] == objective and r["kind"] == kind]
            if len(candidates) > 1:
                # as many workers as cores if measured (the natural comparison), else the most
                cores = (results.get("machine") or {}).get("cores")
                at_cores = [r for r in candidates if r["workers"] == cores]
                top = at_cores[0] if at_cores else max(candidates, key=lambda r: r["workers"])
                ratio = top["trial_speedup"] if top.get("trial_speedup") is not None else top["speedup"]
                rows.append([
                    f"parallel, {label}: {top['workers']} {kind} over 1",
                    fmt_ratio(ratio),
                    f"in trials; wall clock with start-up {fmt_ratio(top['speedup'])}",
                ])
    notebooks = results.get("notebooks") or {}
    if notebooks.get("totals"):
        course = notebooks["totals"]["course"]
        rows.append([
            "course: all notebooks executed top to bottom",
            fmt_seconds(course["seconds"]),
            f"{course['notebooks']} notebooks, {course['failed']} failed",
        ])
    return rows


def render_markdown(results: dict) -> str:
    """Render the results as the Markdown page ``docs/benchmarks.md``.

    Parameters
    ----------
    results : dict
        As :func:`benchmarks.run.run_benchmarks` returns: ``mode``, ``machine``,
        ``load_before``/``load_after``, and optionally ``notebooks``, ``grading``,
        ``pruning``, ``parallel``, ``install`` and ``errors``.

    Returns
    -------
    str
        The page.
    """
    machine = results.get("machine", {})
    out = ["# Benchmarks\n"]
    out.append(
        "Written by `make bench` (`python -m benchmarks.run`); the same figures are in "
        "`docs/benchmarks.json`. The machines are shared and noisy: **ratios measured side by side "
        "in one run are the headline, absolute seconds are context.**\n"
    )
    if results.get("mode") == "quick":
        out.append("**Quick mode**: small workloads, a plumbing check; these are not the committed figures.\n")
    load_before, load_after = results.get("load_before"), results.get("load_after")
    cores = machine.get("cores")
    out.append("## Machine\n")
    out.append(markdown_table(["", ""], [
        ["date (UTC)", machine.get("date", "-")],
        ["cores (os.cpu_count)", cores],
        ["CPU", machine.get("cpu_model", "-")],
        ["platform", machine.get("platform", "-")],
        ["Python", machine.get("python", "-")],
        ["load average before (1, 5, 15 min)", load_before or "-"],
        ["load average after (1, 5, 15 min)", load_after or "-"],
        ["run time of the benchmark", fmt_seconds(results.get("seconds"))],
    ]))
    if results.get("shared_machine"):
        out.append(
            f"\nThe run **shared the machine** with other work: the 1-minute load average was "
            f"{load_before[0] if load_before else '?'} before and {load_after[0] if load_after else '?'} after "
            f"(the figure after includes this run's own work), on {cores} cores. Expect absolute seconds to "
            "be inflated and ratios to be noisy.\n"
        )
    libraries = machine.get("libraries", {})
    if libraries:
        out.append("\nLibraries: " + ", ".join(f"{k} {v}" for k, v in libraries.items()) + ".\n")

    headline = _headline_rows(results)
    if headline:
        out.append("\n## Headline\n")
        out.append(markdown_table(["measure", "ratio", "context"], headline))

    notebooks = results.get("notebooks")
    if notebooks:
        out.append("\n## Notebooks\n")
        out.append(
            "Each notebook executed top to bottom from a temporary copy with nbclient, one BLAS thread, "
            "kernel start-up included.\n\n"
        )
        rows = [[r["kind"], f"`{r['notebook']}`", r["cells"], fmt_seconds(r["seconds"]),
                 "ok" if r["ok"] else f"failed: {r['error']}"] for r in notebooks["rows"]]
        for kind, total in notebooks["totals"].items():
            rows.append([f"**{kind}**", f"**{total['notebooks']} notebooks**", "",
                         f"**{fmt_seconds(total['seconds'])}**", f"{total['failed']} failed"])
        out.append(markdown_table(["kind", "notebook", "code cells", "seconds", "status"], rows))

    grading = results.get("grading")
    if grading:
        out.append("\n## Grading\n")
        out.append(
            f"The same synthetic class of {grading['submissions']} submissions "
            f"({grading['assignment']}) graded by every path.\n\n"
        )
        paths = (
            ("serial", "serial `nbgrader autograde`"),
            ("serial_with_feedback", "serial `nbgrader autograde`, then `generate_feedback`"),
            ("parallel", grading["parallel_label"]),
        )
        rows = [(name, grading[key]) for key, name in paths] + [
            (f"Dask path, {_workers(row['workers'])} on loopback, one slot each", row)
            for row in grading.get("dask", [])
        ]
        out.append(markdown_table(
            ["path", "seconds", "seconds per submission", "submissions per minute"],
            [[name, fmt_seconds(row["seconds"]), fmt_seconds(row["per_submission"]),
              f"{row['per_minute']:.1f}"] for name, row in rows],
        ))
        out.append(
            f"\nRatio (parallel throughput / serial): **{fmt_ratio(grading['ratio'])}** against autograde "
            f"alone, **{fmt_ratio(grading['ratio_same_outputs'])}** against autograde and feedback, the "
            "outputs the parallel path writes.\n"
        )
        out.append(f"\n{grading['notes']}\n")
        phases = grading.get("worker_phases", {})
        if "kernel_start" in phases:
            from benchmarks.grading import CPU_PHASES, PHASES

            out.append(
                f"\nWhere a submission's seconds go: means over the {phases['submissions_with_kernel']} "
                "submissions that ran a kernel, inside their grader process.\n\n"
            )
            rows = [[label, fmt_seconds(phases[name])] for name, label in PHASES]
            rows.append(["merge into the course gradebook and copies, per submission",
                         fmt_seconds(phases["merge_per_submission"])])
            rows += [[label, fmt_seconds(phases[name])] for name, label in CPU_PHASES if name in phases]
            out.append(markdown_table(["phase", "seconds"], rows))
        if grading.get("dask"):
            out.append(
                "\nThe Dask path's throughput against serial autograde + feedback and against the local "
                "pool, and the students whose total score equals the serial path's:\n\n"
            )
            out.append(markdown_table(
                ["Dask workers", "/ serial autograde + feedback", "/ local pool", "same score as serial"],
                [[row["workers"], fmt_ratio(row["ratio_same_outputs"]), fmt_ratio(row["ratio_local"]),
                  f"{row['scores_agree']} of {grading['submissions']}"] for row in grading["dask"]],
            ))
            out.append(f"\n{grading['dask_notes']}\n")

    pruning = results.get("pruning")
    if pruning:
        out.append("\n## Pruning (lecture 05)\n")
        out.append(
            f"{pruning['workload']}; {pruning['n_trials']} trials of at most {pruning['n_steps']} steps, "
            f"TPE sampler, seeds {pruning['seeds']}. Steps and seconds are means per study; the best "
            f"validation log-loss is mean +/- std over seeds; the gap is the test log-loss of each study's "
            f"best trial minus no pruning's, paired by seed, with its 95 % interval; a pruner keeps quality "
            f"if that interval lies within +/- {pruning['margin']:.4f}.\n\n"
        )
        out.append(markdown_table(
            ["pruner", "trials pruned", "steps", "steps saved", "seconds", "speedup",
             "best validation log-loss", "test gap (95 % CI)", "keeps quality"],
            [[r["pruner"], _fmt_percent(r["pruned"]), f"{r['steps']:.1f}", _fmt_percent(r["steps_saved"]),
              fmt_seconds(r["seconds"]), fmt_ratio(r["speedup"]),
              f"{r['best_mean']:.4f} +/- {r['best_std']:.4f}",
              f"{r['gap']:+.4f} [{r['gap_low']:+.4f}, {r['gap_high']:+.4f}]",
              "yes" if r["quality_kept"] else "no"] for r in pruning["rows"]],
        ))

    parallel = results.get("parallel")
    if parallel:
        out.append("\n## Parallel studies (lecture 06)\n")
        out.append(
            f"{parallel['n_trials']} trials per run on a {parallel['storage']}; threads share one study "
            "(`n_jobs`), processes are `python -m course_utils.parallel_worker`. Speedup is over one "
            "worker of the same kind; \"in trials\" is the span from the first trial's start to the last trial's "
            "end (storage timestamps), which leaves out the processes' start-up before their first trial.\n\n"
        )
        out.append(markdown_table(
            ["objective", "kind", "workers", "seconds", "speedup", "seconds in trials", "speedup in trials",
             "trials"],
            [[parallel["objectives"].get(r["objective"], r["objective"]), r["kind"], r["workers"],
              fmt_seconds(r["seconds"]), fmt_ratio(r["speedup"]), fmt_seconds(r.get("trial_seconds")),
              fmt_ratio(r.get("trial_speedup")), r["trials"]] for r in parallel["rows"]],
        ))

    install = results.get("install")
    if install:
        out.append("\n## Set-up\n")
        fresh = install.get("fresh_install")
        rows = [["size of the repository's `.venv`", _fmt_bytes(install.get("venv_bytes"))]]
        if fresh:
            status = "" if fresh["ok"] else " (failed)"
            rows.append(["fresh install (`make venv` in a temporary copy)", fmt_seconds(fresh["seconds"]) + status])
            rows.append(["size of the fresh `.venv`", _fmt_bytes(fresh.get("venv_bytes"))])
        else:
            rows.append(["fresh install", f"skipped: {install.get('skipped')}"])
        out.append(markdown_table(["", ""], rows))

    remeasured = results.get("remeasured")
    if remeasured:
        out.append("\n## Re-measured areas\n")
        out.append(
            "These areas were measured again in a later run (the last column says why) and replace the first run's "
            "figures; the rest of the page is from the first run.\n\n"
        )
        out.append(markdown_table(
            ["area", "date (UTC)", "load before", "load after", "why"],
            [[area, info.get("date", "-"), info.get("load_before", "-"), info.get("load_after", "-"),
              info.get("reason", "-")] for area, info in remeasured.items()],
        ))

    errors = results.get("errors")
    if errors:
        out.append("\n## Errors\n")
        out.append(markdown_table(["area", "error"], [[k, v] for k, v in errors.items()]))
    return "\n".join(part.rstrip("\n") + "\n" for part in out)


def jsonable(value: object) -> object:
    """Return ``value`` with NaN and infinite floats replaced by None (strict JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def write_report(results: dict, out_dir: Path) -> tuple[Path, Path]:
    """Write ``benchmarks.md`` and ``benchmarks.json`` into ``out_dir``.

    Parameters
    ----------
    results : dict
        JSON-serializable results (see :func:`render_markdown`).
    out_dir : Path
        The folder; created if missing.

    Returns
    -------
    tuple of Path
        The Markdown file and the JSON file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out_dir / "benchmarks.md", out_dir / "benchmarks.json"
    md_path.write_text(render_markdown(results), encoding="utf-8")
    json_path.write_text(json.dumps(jsonable(results), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return md_path, json_path
