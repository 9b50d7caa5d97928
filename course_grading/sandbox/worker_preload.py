"""What every grading worker would load for itself, loaded once by the server that forks them.

:mod:`course_grading.gradebook.batch` forks its grading workers from a multiprocessing forkserver
that imports this module first (``set_forkserver_preload``). A forked worker inherits, copy-on-write,
the modules imported and the caches filled here; without it each worker pays them again (measured
on lecture 01's exercise: some 0.3 s of a worker's 1.1 s of CPU per submission):

- the modules nbgrader and nbconvert import lazily while grading: IPython (its lexers highlight
  the feedback's code), pygments' lexers, SQLAlchemy's SQLite dialect, bleach's HTML tree walkers;
- the feedback page's Jinja templates, compiled into
  :data:`course_grading.sandbox.template_cache.COMPILED_TEMPLATES`;
- module-level caches that fill on first use: pygments compiles a lexer's regular expressions
  the first time the lexer is made (``RegexLexerMeta``), Beautiful Soup builds its table of HTML
  entities on the first entity it parses (``EntitySubstitutionMeta``), soupsieve compiles and
  caches the CSS selectors that ``HTMLExporter.from_notebook_node`` applies to every page,
  nbformat compiles and caches its JSON-schema validator (``nbformat.validator.get_validator``).

:func:`fill_caches` fills them by rendering a small notebook with the exporter the worker's
``generate_feedback`` uses (nbgrader's feedback template) and validating it. It writes no file and
leaves no thread, open file or connection behind for the workers to inherit; a page rendered
afterwards by a worker is the same as without it (only caches of pure functions are shared).
"""

from __future__ import annotations

import bleach
import IPython.lib.lexers  # noqa: F401 - nbconvert's highlighting imports it for every page
import IPython.paths  # noqa: F401 - jupyter_client's kernel spec search imports it
import nbformat
import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401 - the first Gradebook of each worker imports it
import nbgrader.api  # noqa: F401
import nbgrader.apps  # noqa: F401
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory

from course_grading.sandbox.isolation import feedback_page_config

__all__ = ["fill_caches"]


def _sample_notebook() -> nbformat.NotebookNode:
    """A notebook with what a feedback page holds: Markdown with an entity and a formula, code with
    a stream, an error with an ANSI-coloured traceback, and HTML output."""
    v4 = nbformat.v4
    code = v4.new_code_cell(
        "import numpy as np\nscores = np.array([0.5, 0.75])\nprint(f'{scores.mean():.2f}')\nassert False",
        outputs=[
            v4.new_output("stream", name="stdout", text="0.62\n"),
            v4.new_output(
                "error", ename="AssertionError", evalue="", traceback=["\x1b[0;31mAssertionError\x1b[0m"]
            ),
            v4.new_output("display_data", data={"text/html": "<b>&amp;</b>", "text/plain": "&"}),
        ],
    )
    language = {"name": "python", "pygments_lexer": "ipython3"}  # as the kernel records it
    return v4.new_notebook(
        cells=[v4.new_markdown_cell("# Scores &amp; $x^2$"), code], metadata={"language_info": language}
    )


def fill_caches() -> None:
    """Render and validate a sample notebook once, so that the caches above are filled."""
    notebook = _sample_notebook()
    nbformat.validate(notebook)
    # The exporter as the worker's generate_feedback makes it (nbgrader's GenerateFeedback sets its
    # template and static folders), so that the feedback page's templates are compiled here.
    converter = GenerateFeedback(coursedir=CourseDirectory(), config=feedback_page_config())
    exporter = converter.exporter_class(parent=converter, config=converter.config)
    scores = {"notebook": "sample", "score": 0.0, "max_score": 1.0, "late_penalty": 0.0}
    exporter.from_notebook_node(notebook, resources={"nbgrader": scores})
    bleach.clean("<p>&amp;<b>x</b></p>", tags={"p", "b"})


fill_caches()
