"""``make report``: one self-contained HTML page per assignment showing where the class went wrong.

``python -m course_grading.gradebook.class_report [--course-dir DIR] [--out reports]`` writes
``reports/<assignment>.html`` for every assignment with submissions in the gradebook. Each page holds
plotly.js itself (no CDN, it opens offline) and shows:

- the distribution of final scores (after the late penalty) and a table of every submission;
- per test cell, the share of students who got all its points and the failure messages that cost
  them, grouped (numbers with a decimal point are replaced by ``…`` first, so "got 0.81" and
  "got 0.79" are one group), most frequent first, with the students concerned;
- the grading time of every submission and every incident the grader recorded (timeouts, kills,
  tampering notes, limits reached...), grouped by text, with the students concerned.

Scores come from the gradebook (``gradebook.db``); failure messages, incidents and times from the
results ``make grade`` keeps (``.grading/results/<assignment>/<student>/result.json``, see
:class:`course_grading.sandbox.isolation.SubmissionResult`). Nothing is executed.
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from course_grading.sandbox.isolation import RESULT_FILE, SubmissionResult
from course_grading.handout.release import REPO_ROOT, ensure_scripts_on_path

__all__ = [
    "StudentRecord",
    "failure_groups",
    "graded_cell_names",
    "group_key",
    "incident_groups",
    "main",
    "pass_share",
    "read_assignment",
    "render_page",
    "write_reports",
]

RESULTS_DIRECTORY = Path(".grading") / "results"
_DECIMAL = re.compile(r"[-+]?\d+\.\d+(?:[eE][-+]?\d+)?")
_INCIDENT_KINDS = (
    ("tampering", "tampering"),
    ("wrote to stderr", "stderr"),
    ("timeout", "timeout"),
    ("time budget", "timeout"),
    ("ran longer than", "timeout"),
    ("kernel died", "kill"),
    ("killed", "kill"),
    ("was stopped", "kill"),
)


@dataclass
class StudentRecord:
    """One student's submission of an assignment, as the gradebook and the grader recorded it.

    Attributes
    ----------
    student : str
    score, max_score, late_penalty : float
        nbgrader's sums over the submission (the score before the penalty).
    cells : dict
        Test cell grade_id -> (score, max_score).
    status : str
        The grader's ``graded``, ``rejected`` or ``failed``; empty without a result file.
    seconds : float
        Wall-clock grading time of the submission (0 without a result file).
    reasons : dict
        Test cell grade_id -> why it lost points (the grader's failure message).
    incidents : list of str
    """

    student: str
    score: float
    max_score: float
    late_penalty: float = 0.0
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)
    status: str = ""
    seconds: float = 0.0
    reasons: dict[str, str] = field(default_factory=dict)
    incidents: list[str] = field(default_factory=list)

    @property
    def final_score(self) -> float:
        """The score after the late penalty, never below 0 (the score nbgrader exports)."""
        return max(0.0, self.score - self.late_penalty)


def _test_cells(notebook) -> list[str]:
    """Names of the autograded test cells of an nbgrader ``Notebook``: code grade cells, not solutions."""
    solutions = {cell.name for cell in notebook.solution_cells}
    return [
        cell.name for cell in notebook.grade_cells if cell.cell_type == "code" and cell.name not in solutions
    ]


def read_assignment(course_dir: Path, assignment: str) -> list[StudentRecord]:
    """Read every submission of ``assignment`` from the gradebook and the grading results, by student."""
    from nbgrader.api import Gradebook

    ensure_scripts_on_path()
    course_dir = Path(course_dir)
    records = []
    with Gradebook(f"sqlite:///{(course_dir / 'gradebook.db').resolve()}") as gradebook:
        for submission in gradebook.find_assignment(assignment).submissions:
            record = StudentRecord(
                submission.student.id,
                float(submission.score),
                float(submission.max_score),
                float(submission.late_submission_penalty or 0.0),
            )
            for notebook in submission.notebooks:
                tests = _test_cells(notebook.notebook)
                grades = {grade.name: grade for grade in notebook.grades if grade.name in tests}
                for name in tests:
                    grade = grades[name]
                    record.cells[name] = (float(grade.score), float(grade.max_score))
            records.append(record)
    for record in records:
        path = course_dir / RESULTS_DIRECTORY / assignment / record.student / RESULT_FILE
        if path.is_file():
            result = SubmissionResult.from_json(path.read_text(encoding="utf-8"))
            record.status, record.seconds, record.incidents = result.status, result.seconds, result.incidents
            record.reasons = {name: cell["reason"] for name, cell in result.cells.items() if cell["reason"]}
    return sorted(records, key=lambda r: r.student)


def group_key(message: str) -> str:
    """A failure message with its decimal numbers replaced by ``…`` and its spaces collapsed."""
    return " ".join(_DECIMAL.sub("…", message).split())


def failure_groups(records: list[StudentRecord], grade_id: str) -> list[tuple[str, list[str]]]:
    """The grouped failure messages of one test cell: (message, students), most frequent first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for record in records:
        score, max_score = record.cells.get(grade_id, (0.0, 0.0))
        if grade_id in record.cells and score < max_score:
            groups[group_key(record.reasons.get(grade_id, "no message recorded"))].append(record.student)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def incident_groups(records: list[StudentRecord]) -> list[tuple[str, str, list[str]]]:
    """Every recorded incident as (kind, text, students), most frequent first.

    ``kind`` is ``timeout``, ``kill``, ``tampering``, ``stderr`` or ``other``, from the incident's words.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for record in records:
        for text in dict.fromkeys(record.incidents):
            groups[text].append(record.student)
    rows = []
    for text, students in groups.items():
        kind = next((k for words, k in _INCIDENT_KINDS if words in text.lower()), "other")
        rows.append((kind, text, students))
    return sorted(rows, key=lambda row: (-len(row[2]), row[0], row[1]))


def graded_cell_names(records: list[StudentRecord]) -> list[str]:
    """The test cells of the assignment, sorted by name (the gradebook keeps no cell order)."""
    return sorted({name for record in records for name in record.cells})


def pass_share(records: list[StudentRecord], grade_id: str) -> tuple[int, int]:
    """(students with all the cell's points, students graded on it)."""
    graded = [record.cells[grade_id] for record in records if grade_id in record.cells]
    return sum(score >= max_score for score, max_score in graded), len(graded)


def score_figure(records: list[StudentRecord]) -> go.Figure:
    """Histogram of the final scores, one bin per point."""
    max_score = max((r.max_score for r in records), default=1.0)
    figure = go.Figure(
        go.Histogram(
            x=[r.final_score for r in records],
            xbins={"start": -0.5, "end": max_score + 0.5, "size": 1},
            name="submissions",
        )
    )
    figure.update_layout(
        xaxis_title=f"final score (of {max_score:g} points, after the late penalty)",
        yaxis_title="students",
        bargap=0.05,
    )
    return figure


def pass_figure(records: list[StudentRecord]) -> go.Figure:
    """Bar per test cell: the share of students who got all its points."""
    names = graded_cell_names(records)
    counts = [pass_share(records, name) for name in names]
    shares = [passed / graded if graded else 0.0 for passed, graded in counts]
    figure = go.Figure(go.Bar(x=names, y=shares, name="passed"))
    figure.update_layout(yaxis={"title": "share of students with full points", "range": [0, 1]})
    return figure


def runtime_figure(records: list[StudentRecord]) -> go.Figure:
    """Bar per submission: its grading time in seconds."""
    figure = go.Figure(go.Bar(x=[r.student for r in records], y=[r.seconds for r in records], name="runtime"))
    figure.update_layout(xaxis_title="student", yaxis_title="grading time (s, wall clock)")
    return figure


def _table(table_id: str, header: list[str], rows: list[list[str]]) -> str:
    """An HTML table; every cell is escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _figure_html(figure: go.Figure, div_id: str) -> str:
    return figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False}
    )


def _test_cell_section(records: list[StudentRecord]) -> str:
    parts = []
    rows = []
    for name in graded_cell_names(records):
        passed, graded = pass_share(records, name)
        rows.append([name, str(passed), str(graded), f"{100 * passed / graded:.0f} %" if graded else "-"])
        groups = failure_groups(records, name)
        if groups:
            parts.append(f"<h3>{html.escape(name)}: why it lost points</h3>")
            parts.append(
                _table(
                    f"failures-{name}",
                    ["students", "message", "who"],
                    [[str(len(who)), message, ", ".join(who)] for message, who in groups],
                )
            )
    summary = _table("test-cells", ["test cell", "passed", "graded", "share passed"], rows)
    return summary + "".join(parts)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
"""


def render_page(assignment: str, records: list[StudentRecord]) -> str:
    """The self-contained HTML report of one assignment (plotly.js included)."""
    finals = [r.final_score for r in records]
    max_score = max((r.max_score for r in records), default=0.0)
    summary = _table(
        "summary",
        ["submissions", "mean final score", "median final score", "max score"],
        [
            [
                str(len(records)),
                f"{statistics.fmean(finals):.2f}" if finals else "-",
                f"{statistics.median(finals):g}" if finals else "-",
                f"{max_score:g}",
            ]
        ],
    )
    students = _table(
        "students",
        ["student", "status", "score", "late penalty", "final score", "grading time (s)"],
        [
            [
                r.student,
                r.status or "-",
                f"{r.score:g}",
                f"{r.late_penalty:g}",
                f"{r.final_score:g}",
                f"{r.seconds:.1f}",
            ]
            for r in records
        ],
    )
    incidents = _table(
        "incidents",
        ["kind", "incident", "students", "who"],
        [[kind, text, str(len(who)), ", ".join(who)] for kind, text, who in incident_groups(records)],
    )
    title = html.escape(f"Class report: {assignment}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script>{get_plotlyjs()}</script>
<style>{_STYLE}</style></head>
<body>
<h1>{title}</h1>
<p>From the gradebook and the grading results; scores are nbgrader's, final scores after the late penalty.</p>
{summary}
<h2>Score distribution</h2>
{_figure_html(score_figure(records), "score-distribution")}
<h2>Test cells</h2>
{_figure_html(pass_figure(records), "test-cell-pass-share")}
{_test_cell_section(records)}
<h2>Grading time and incidents</h2>
{_figure_html(runtime_figure(records), "runtime")}
{incidents}
<h2>Every submission</h2>
{students}
</body></html>
"""


def write_reports(course_dir: Path = REPO_ROOT, out: Path | None = None) -> list[Path]:
    """Write ``<out>/<assignment>.html`` for every assignment with submissions in the gradebook.

    Parameters
    ----------
    course_dir : Path, default=the repository
        The course directory (its ``gradebook.db`` and ``.grading/results``).
    out : Path, default=``<course_dir>/reports``

    Returns
    -------
    list of Path
        The pages written, sorted by assignment.
    """
    from nbgrader.api import Gradebook

    course_dir = Path(course_dir)
    if not (course_dir / "gradebook.db").is_file():
        raise FileNotFoundError(f"course_dir {course_dir} has no gradebook.db; run `make grade` first")
    out = Path(out) if out is not None else course_dir / "reports"
    ensure_scripts_on_path()
    with Gradebook(f"sqlite:///{(course_dir / 'gradebook.db').resolve()}") as gradebook:
        names = sorted(a.name for a in gradebook.assignments if a.num_submissions)
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for name in names:
        page = out / f"{name}.html"
        page.write_text(render_page(name, read_assignment(course_dir, name)), encoding="utf-8")
        pages.append(page)
    return pages


def main(argv: list[str] | None = None) -> int:
    """Write the class reports (see the module docstring) and print where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-dir", type=Path, default=REPO_ROOT, help="default: the repository")
    parser.add_argument("--out", type=Path, default=None, help="default: <course-dir>/reports")
    args = parser.parse_args(argv)
    pages = write_reports(args.course_dir.resolve(), args.out)
    for page in pages:
        print(f"wrote {page}")
    if not pages:
        print("no assignment has submissions in the gradebook: nothing to report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
