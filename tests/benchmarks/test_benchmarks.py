"""The benchmark's table/JSON writer and its quick mode's plumbing, on tiny inputs.

Nothing here asserts a timing: the machines are shared, only the shape of
the results and of the report is checked.
"""

import json
import re
import warnings

import nbformat
import pytest

from benchmarks import REPO_ROOT, run
from benchmarks.install import bench_install, directory_size
from benchmarks.machine import describe_machine
from benchmarks.notebooks import time_notebooks
from benchmarks.parallel import bench_parallel
from benchmarks.pruning import bench_pruning, lecture_pruners
from benchmarks.report import fmt_ratio, fmt_seconds, jsonable, markdown_table, render_markdown, write_report


def test_markdown_table_has_a_header_a_separator_and_one_line_per_row():
    table = markdown_table(["a", "b"], [[1, "x|y"], [2.5, None]])
    assert table.splitlines() == ["| a | b |", "| --- | --- |", "| 1 | x\\|y |", "| 2.5 | None |"]


def test_markdown_table_rejects_a_row_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"rows\[1\] must have 2 cells"):
        markdown_table(["a", "b"], [[1, 2], [3]])


def test_durations_and_ratios_are_formatted_as_the_sanitizer_expects():
    assert fmt_seconds(12.345) == "12.35 s"
    assert fmt_ratio(1.866) == "1.87x"
    assert fmt_seconds(None) == fmt_ratio(float("nan")) == "-"


def test_jsonable_replaces_nan_and_infinity_by_none():
    assert jsonable({"a": [1.0, float("nan")], "b": (float("inf"), "x")}) == {"a": [1.0, None], "b": [None, "x"]}


def _fake_results():
    return {
        "mode": "full",
        "machine": describe_machine(),
        "load_before": [1.5, 1.0, 0.5],
        "load_after": [2.0, 1.2, 0.6],
        "shared_machine": True,
        "seconds": 100.0,
        "notebooks": {
            "rows": [{"kind": "lecture", "notebook": "notebooks/01.ipynb", "seconds": 3.0, "cells": 4,
                      "ok": True, "error": None}],
            "totals": {"lecture": {"seconds": 3.0, "notebooks": 1, "failed": 0},
                       "course": {"seconds": 3.0, "notebooks": 1, "failed": 0}},
        },
        "grading": {"assignment": "01_cross_validation", "submissions": 40, "ratio": 1.8,
                    "ratio_same_outputs": 2.7, "parallel_label": "parallel path (2 jobs)",
                    "notes": "Class: synthetic.",
                    "serial": {"seconds": 200.0, "per_submission": 5.0, "per_minute": 12.0},
                    "serial_with_feedback": {"seconds": 300.0, "per_submission": 7.5, "per_minute": 8.0},
                    "parallel": {"seconds": 111.1, "per_submission": 2.78, "per_minute": 21.6},
                    "dask": [{"workers": w, "seconds": 240.0 / w, "per_submission": 6.0 / w,
                              "per_minute": 10.0 * w, "graded": 40, "ratio_same_outputs": 1.25 * w, "ratio_local": 10.0 * w / 21.6,
                              "scores_agree": 40} for w in (1, 2)],
                    "dask_notes": "On loopback."},
        "pruning": {"workload": "w", "seeds": [0, 1], "n_trials": 5, "n_steps": 3, "margin": 0.002, "rows": [
            {"pruner": "none", "pruned": 0.0, "steps": 15.0, "seconds": 1.0, "steps_saved": 0.0, "speedup": 1.0,
             "best_mean": 0.1, "best_std": 0.0, "test_mean": 0.1, "gap": 0.0, "gap_low": 0.0, "gap_high": 0.0,
             "verdict": "baseline", "quality_kept": True},
            {"pruner": "Median", "pruned": 0.4, "steps": 10.0, "seconds": 0.5, "steps_saved": 1 / 3,
             "speedup": 2.0, "best_mean": 0.1, "best_std": 0.0, "test_mean": 0.1, "gap": 0.0, "gap_low": -0.001,
             "gap_high": 0.001, "verdict": "equal", "quality_kept": True},
        ]},
        "parallel": {"storage": "journal", "n_trials": 4, "objectives": {"sleep": "waiting"}, "rows": [
            {"objective": "sleep", "kind": "threads", "workers": w, "seconds": 1.0 / w, "trials": 4,
             "trial_seconds": 1.0 / w, "speedup": float(w), "trial_speedup": float(w)} for w in (1, 2)
        ]},
        "install": {"venv_bytes": 2**30, "fresh_install": {"seconds": 300.0, "ok": True, "venv_bytes": 2**30,
                                                          "error": None}, "skipped": None},
        "errors": {"something": "RuntimeError: broken"},
    }


def test_the_report_has_a_headline_and_every_area(tmp_path):
    md_path, json_path = write_report(_fake_results(), tmp_path / "out")
    page = md_path.read_text(encoding="utf-8")
    for title in ("## Machine", "## Headline", "## Notebooks", "## Grading", "## Pruning", "## Parallel",
                  "## Set-up", "## Errors"):
        assert title in page
    assert "shared the machine" in page
    assert "| grading: parallel path / serial `nbgrader autograde` (submissions per minute) | 1.80x |" in page
    assert "serial autograde + `generate_feedback` (the same outputs) | 2.70x | 8.0 vs 21.6 per minute |" in page
    assert "(Median) | 33% fewer training steps | test log-loss +0.0000 vs no pruning; wall clock 2.00x" in page
    assert "2 threads over 1 | 2.00x" in page
    assert "| Dask path, 2 workers on loopback, one slot each | 120.00 s | 3.00 s | 20.0 |" in page
    assert "| 2 | 2.50x | 0.93x | 40 of 40 |" in page
    assert "| grading: Dask path, 2 workers on this machine / the local pool | 0.93x |" in page
    assert json.loads(json_path.read_text(encoding="utf-8"))["grading"]["ratio"] == 1.8


def test_a_partial_result_renders():
    install = {"venv_bytes": 2**30, "fresh_install": None, "skipped": "quick mode: not measured"}
    page = render_markdown({"mode": "quick", "machine": {}, "install": install})
    assert "Quick mode" in page and "skipped: quick mode: not measured" in page and "## Grading" not in page


def test_the_benchmark_measures_every_pruner_class_of_lecture_05():
    lecture = REPO_ROOT / "notebooks" / "05_samplers_and_pruners.ipynb"
    if not lecture.exists():
        pytest.skip("lecture 05 is not in this checkout")
    source = "\n".join(cell.source for cell in nbformat.read(lecture, as_version=4).cells if cell.cell_type == "code")
    in_lecture = set(re.findall(r"pruners\.(\w+Pruner)\b", source))
    with warnings.catch_warnings():  # Patient and Wilcoxon are experimental: not what is tested here
        warnings.simplefilter("ignore")
        in_benchmark = {type(factory()).__name__ for factory in lecture_pruners(n_steps=5).values()}
    assert in_lecture <= in_benchmark | {"BasePruner"}


def test_pruning_gives_one_row_per_pruner_against_no_pruning():
    result = bench_pruning(seeds=(0, 1), n_trials=3, n_steps=2)
    rows = {row["pruner"]: row for row in result["rows"]}
    assert list(rows) == list(lecture_pruners(n_steps=2))
    assert rows["none"]["steps"] == 6 and rows["none"]["steps_saved"] == 0 and rows["none"]["gap"] == 0
    assert rows["none"]["verdict"] == "baseline" and rows["none"]["quality_kept"]
    assert all(row["steps"] <= 6 and row["gap_low"] <= row["gap"] <= row["gap_high"] for row in rows.values())


def test_parallel_runs_threads_and_processes_and_finds_every_trial():
    result = bench_parallel(objectives=("sleep",), workers=(1,), n_trials=1)
    assert [(row["kind"], row["workers"], row["trials"]) for row in result["rows"]] == [
        ("threads", 1, 1),
        ("processes", 1, 1),
    ]
    assert all(row["speedup"] == 1.0 and row["trial_seconds"] > 0 for row in result["rows"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"workers": (2,)}, "workers must contain 1"), ({"workers": (1, 3), "n_trials": 4}, "multiple"),
     ({"objectives": ("nope",)}, "objectives must be")],
)
def test_parallel_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bench_parallel(**kwargs)


def test_notebook_timing_reports_success_and_failure_without_writing_the_notebook(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    good = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1 + 1")])
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise ValueError('on purpose')")])
    for name, nb in (("good.ipynb", good), ("bad.ipynb", bad)):
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
        nbformat.write(nb, folder / name)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    result = time_notebooks({"lecture": [folder / "good.ipynb", folder / "bad.ipynb"]}, root=tmp_path, log=lambda _: None)
    rows = {row["notebook"]: row for row in result["rows"]}
    assert rows["nbs/good.ipynb"]["ok"] and rows["nbs/good.ipynb"]["cells"] == 1
    assert not rows["nbs/bad.ipynb"]["ok"] and "on purpose" in rows["nbs/bad.ipynb"]["error"]
    assert result["totals"]["course"]["notebooks"] == 2 and result["totals"]["course"]["failed"] == 1
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_quick_install_skips_the_fresh_install_and_still_sizes_the_venv(tmp_path):
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "f").write_bytes(b"x" * 10)
    assert directory_size(tmp_path / ".venv") == 10
    result = bench_install(quick=True, root=tmp_path)
    assert result["venv_bytes"] == 10 and result["fresh_install"] is None and "quick" in result["skipped"]


def test_run_records_a_failing_area_and_keeps_the_others(monkeypatch):
    def broken(quick, log):
        raise RuntimeError("broken on purpose")

    monkeypatch.setitem(run.RUNNERS, "grading", broken)
    monkeypatch.setitem(run.RUNNERS, "install", lambda quick, log: {"quick": quick})
    results = run.run_benchmarks(quick=True, areas=["grading", "install"], log=lambda _: None)
    assert results["install"] == {"quick": True}
    assert "broken on purpose" in results["errors"]["grading"]
    assert results["mode"] == "quick" and results["machine"]["cores"] >= 1


def test_quick_command_line_writes_both_files_where_it_is_told(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(run.RUNNERS, "pruning", lambda quick, log: bench_pruning(seeds=(0, 1), n_trials=2, n_steps=2))
    assert run.main(["--quick", "--only", "pruning", "--output-dir", str(tmp_path)]) == 0
    assert (tmp_path / "benchmarks.md").exists()
    assert json.loads((tmp_path / "benchmarks.json").read_text(encoding="utf-8"))["mode"] == "quick"
    assert "written:" in capsys.readouterr().out


def test_unknown_area_is_rejected():
    with pytest.raises(ValueError, match="areas must be among"):
        run.run_benchmarks(quick=True, areas=["nope"])


def test_merge_replaces_only_the_remeasured_areas_and_says_why():
    previous = _fake_results()
    new = {"machine": {"date": "later"}, "load_before": [1.0, 1.0, 1.0], "load_after": [2.0, 2.0, 2.0],
           "parallel": {"storage": "journal", "n_trials": 2, "objectives": {}, "rows": []}, "errors": {}}
    merged = run.merge_results(previous, new, ["parallel"], "a fix")
    assert merged["parallel"]["n_trials"] == 2 and merged["pruning"] == previous["pruning"]
    assert merged["remeasured"]["parallel"]["reason"] == "a fix"
    assert "## Re-measured areas" in render_markdown(merged)
