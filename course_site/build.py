"""Build the course website from the notebooks' stored outputs, offline and without executing anything.

``make site`` runs ``python -m course_site.build``: it lays out a Sphinx source
folder in ``site/source/`` and builds ``site/html/`` with MyST-NB (its
configuration is ``course_site/conf.py``). The source folder holds

- ``index.md``: each lecture's title, learning goals and time, read from the
  lecture's first cell, and the table of contents (lectures, then exercises);
- ``lectures/`` and ``exercises/``: copies of ``notebooks/*.ipynb`` and of the
  release ``exercises/*/*.ipynb`` with their stored outputs; each Plotly
  figure (``application/vnd.plotly.v1+json``) becomes an HTML output that
  plotly.js draws in the page, and a first cell links the original notebook
  for download;
- ``conf.py``, copied from ``course_site/conf.py``;
- ``_static/``: plotly.js, copied from the installed ``plotly`` package, so
  that no page loads anything from the network (formulas are MathML, written
  by ``course_site/mathml.py``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import plotly
from nbformat import NotebookNode
from sphinx.cmd.build import build_main

REPO_ROOT = Path(__file__).resolve().parent.parent
CONF_DIR = Path(__file__).resolve().parent  # holds conf.py, copied into the source folder
PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_GOALS = re.compile(r"^\*\*Learning goals\.?\*\*.*?(?=\n\n\*\*|\Z)", flags=re.MULTILINE | re.DOTALL)
_TIME = re.compile(
    r"^\*\*(Time|Run time|Expected run time):?\*\*:?.*?(?=\n\n|\Z)", flags=re.MULTILINE | re.DOTALL
)

__all__ = ["Lecture", "build_site", "lecture_summary", "main", "plotly_to_html", "site_notebook"]


@dataclass(frozen=True)
class Lecture:
    """What the index page says of a lecture: its page name, title, learning goals and time."""

    page: str
    title: str
    goals: str
    time: str


def lecture_summary(notebook: Path) -> Lecture:
    """Return the title, learning goals and time that ``notebook``'s first markdown cell states.

    Raises
    ------
    ValueError
        If the first cell has no ``# title``, no ``**Learning goals.**``
        paragraph or no ``**Time:**``, ``**Run time:**`` or ``**Expected run time:**`` paragraph:
        every lecture opens with them (see the design of the course).
    """
    nb = nbformat.read(notebook, as_version=4)
    first = next((cell.source for cell in nb.cells if cell.cell_type == "markdown"), "")
    title = next((line[2:].strip() for line in first.splitlines() if line.startswith("# ")), None)
    goals, time = _GOALS.search(first), _TIME.search(first)
    if title is None or goals is None or time is None:
        missing = [name for name, found in (("title", title), ("goals", goals), ("time", time)) if not found]
        raise ValueError(f"{notebook.name}: its first markdown cell lacks {', '.join(missing)}")
    return Lecture(page=f"lectures/{notebook.stem}", title=title, goals=goals.group(0), time=time.group(0))


def plotly_to_html(figure: dict, div_id: str) -> str:
    """Return the HTML that draws ``figure`` (a Plotly figure's JSON) with the page's plotly.js.

    The theme loads its scripts at the end of the page, so the figure is drawn
    once the page has loaded. ``</`` is escaped so that no string of the
    figure can close the script element.
    """
    spec = json.dumps({"data": figure.get("data", []), "layout": figure.get("layout", {})}).replace(
        "</", "<\\/"
    )
    return (
        f'<div id="{div_id}" class="course-plotly-figure"></div>\n'
        f'<script>window.addEventListener("load", function () {{ const figure = {spec}; '
        f'Plotly.newPlot("{div_id}", figure.data, figure.layout, {{responsive: true}}); }});</script>'
    )


def site_notebook(notebook: Path, download: str) -> NotebookNode:
    """Return a copy of ``notebook`` as the site shows it: Plotly outputs as HTML, a download link first.

    Parameters
    ----------
    notebook : Path
        A lecture or exercise notebook, with its stored outputs.
    download : str
        The path of the original notebook relative to the page, for the link.
    """
    nb = nbformat.read(notebook, as_version=4)
    for index, cell in enumerate(nb.cells):
        for number, output in enumerate(cell.get("outputs", [])):
            figure = output.get("data", {}).get(PLOTLY_MIME)
            if figure is not None:
                div_id = f"{notebook.stem}-cell{index}-figure{number}"
                output["data"] = {"text/html": plotly_to_html(dict(figure), div_id)}
    link = nbformat.v4.new_markdown_cell(f"{{download}}`Download this notebook <{download}>`")
    nb.cells.insert(0, link)
    return nb


def _index_page(lectures: list[Lecture], exercises: list[str]) -> str:
    blocks = [
        "# Model validation and hyperparameter optimization",
        "A course in seven lectures and four exercises: cross-validation strategies, grid and random "
        "search, Optuna, pruning, parallel and distributed studies, and visualizing studies. Every page "
        "shows a notebook with the outputs it gives when run; download it to run it yourself.",
    ]
    for lecture in lectures:
        blocks += [f"## [{lecture.title}]({lecture.page}.ipynb)", lecture.goals, lecture.time]
    blocks += [
        "```{toctree}\n:caption: Lectures\n:maxdepth: 1\n\n"
        + "\n".join(lecture.page for lecture in lectures)
        + "\n```",
        "```{toctree}\n:caption: Exercises\n:maxdepth: 1\n\n" + "\n".join(exercises) + "\n```",
    ]
    return "\n\n".join(blocks) + "\n"


def write_source(source: Path, *, course: Path = REPO_ROOT) -> None:
    """Lay out the Sphinx source folder of the site in ``source`` (replaced if it exists)."""
    if source.exists():
        shutil.rmtree(source)
    (source / "_notebooks").mkdir(parents=True)
    lectures = sorted((course / "notebooks").glob("*.ipynb"))
    exercise_notebooks = sorted((course / "exercises").glob("*/*.ipynb"))
    for folder, notebooks in (("lectures", lectures), ("exercises", exercise_notebooks)):
        (source / folder).mkdir()
        for notebook in notebooks:
            original = source / "_notebooks" / notebook.name
            shutil.copy2(notebook, original)
            page = source / folder / notebook.name
            nbformat.write(site_notebook(notebook, f"../_notebooks/{notebook.name}"), page)
    exercises = [f"exercises/{notebook.stem}" for notebook in exercise_notebooks]
    summaries = [lecture_summary(notebook) for notebook in lectures]
    (source / "index.md").write_text(_index_page(summaries, exercises), encoding="utf-8")
    shutil.copy2(CONF_DIR / "conf.py", source / "conf.py")
    (source / "_static").mkdir()
    shutil.copy2(PLOTLY_JS, source / "_static" / "plotly.min.js")


def build_site(output: Path, *, course: Path = REPO_ROOT) -> Path:
    """Build the website of ``course`` into ``output``/html; return the path of its index.html.

    Raises
    ------
    RuntimeError
        If Sphinx reports an error or a warning (a broken link, an output it
        cannot render): the site is built with ``-W``.
    """
    source, html = output / "source", output / "html"
    write_source(source, course=course)
    if html.exists():
        shutil.rmtree(html)
    status = build_main(["-b", "html", "-W", "--keep-going", "-q", str(source), str(html)])
    if status != 0:
        raise RuntimeError(f"sphinx-build failed with status {status}; its messages are above")
    return html / "index.html"


def main(argv: list[str] | None = None) -> int:
    """Command line of ``make site``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", type=Path, default=REPO_ROOT / "site", help="folder to build in (default: site/)"
    )
    args = parser.parse_args(argv)
    index = build_site(args.output)
    print(f"course website: {index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
