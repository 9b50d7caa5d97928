"""Sanitize student-supplied HTML before a notebook is shown in a browser (feedback, formgrader).

A student controls the markdown cells and the outputs of a submission: a ``<script>``, an
``onerror=`` attribute or a ``javascript:`` link there runs in the browser of whoever opens
the page (the student's feedback, the instructor's formgrader). nbconvert's
``HTMLExporter.sanitize_html`` does not reach far enough here: nbgrader's feedback and
formgrade templates render markdown cells with their own blocks, which never sanitize, and
nbconvert's ``clean_html`` allow-list escapes ``<p>`` and headings. :class:`SanitizeStudentHTML`
is nbconvert's ``SanitizeHTML`` preprocessor (bleach) applied to the notebook itself:

- outputs: ``text/html`` and ``text/markdown`` are cleaned with :data:`ALLOWED_TAGS`,
  :data:`ALLOWED_ATTRIBUTES` and :data:`ALLOWED_PROTOCOLS`; every other rich type but plain
  text, LaTeX, JSON, PNG and JPEG (JavaScript, SVG, widgets, Plotly figures) is removed;
- markdown cells are rendered to HTML by nbconvert's mistune renderer, their formulas (``$...$``,
  ``$$...$$``, ``\\begin{...}``) as MathML (:class:`MathMLRenderer`), so that the page needs no
  MathJax from a CDN; then cleaned the same way, MathML tags included (this also removes
  ``javascript:`` links that markdown syntax itself produces, and the ``href`` that latex2mathml
  writes for ``\\href``) and stored as one HTML block, which any later markdown renderer passes
  through unchanged;
- raw cells are cleaned as in ``SanitizeHTML``.
"""

from __future__ import annotations

import html

import bleach
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode
from traitlets import default

from course_utils.mathml import latex_to_mathml

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "MATHML_ATTRIBUTES",
    "MATHML_TAGS",
    "MathMLRenderer",
    "SanitizeStudentHTML",
    "markdown_to_html",
]

# The presentation elements latex2mathml writes; no ``href`` and no ``style`` (a CSS url() loads).
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "munder",
    "mover", "munderover", "mfrac", "msqrt", "mroot", "mtable", "mtr", "mtd", "mstyle", "mpadded",
    "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts", "none", "semantics", "annotation",
}
MATHML_ATTRIBUTES = [
    "xmlns", "display", "mathvariant", "mathcolor", "mathbackground", "displaystyle", "scriptlevel",
    "stretchy", "fence", "separator", "form", "largeop", "movablelimits", "symmetric", "minsize",
    "maxsize", "lspace", "rspace", "accent", "accentunder", "linethickness", "columnalign",
    "columnspacing", "columnlines", "rowspacing", "rowlines", "frame", "notation", "width", "height",
    "depth", "encoding",
]

ALLOWED_TAGS = sorted(
    set(bleach.ALLOWED_TAGS)
    | {"p", "div", "span", "pre", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup", "del"}
    | {"table", "thead", "tbody", "tr", "th", "td", "caption", "img", "dl", "dt", "dd"}
    | MATHML_TAGS
)
ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title"],
    "a": ["href", "title"],
    "img": ["src", "alt", "title"],
    "th": ["colspan", "rowspan"],
    "td": ["colspan", "rowspan"],
    **{tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS},
}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with formulas written as MathML instead of left for MathJax.

    A formula latex2mathml cannot parse (a student's typo) is shown as its LaTeX, in ``<code>``.
    """

    def _formula(self, latex: str, block: bool) -> str:
        try:
            return latex_to_mathml(latex, block=block)
        except Exception:  # latex2mathml's errors share no base class; one formula must not stop a page
            return f"<code>{html.escape(latex)}</code>"

    def inline_math(self, body: str) -> str:
        """``$...$`` and ``\\(...\\)``."""
        return self._formula(body, block=False)

    def block_math(self, body: str) -> str:
        """``$$...$$`` and ``\\[...\\]``."""
        return self._formula(body, block=True)

    def latex_environment(self, name: str, body: str) -> str:
        """``\\begin{name}...\\end{name}``, as a displayed formula."""
        return self._formula(f"\\begin{{{name}}}{body}\\end{{{name}}}", block=True)


def markdown_to_html(source: str) -> str:
    """Render markdown as nbconvert's ``markdown2html_mistune`` does, formulas as MathML (not sanitized)."""
    return MarkdownWithMath(renderer=MathMLRenderer(escape=False)).render(source)


class SanitizeStudentHTML(SanitizeHTML):
    """nbconvert's ``SanitizeHTML`` with a wider allow-list, safe URLs and rendered markdown cells."""

    @default("enabled")
    def _enabled_default(self) -> bool:
        return True  # nbconvert's preprocessors are off unless enabled; nbgrader's are on

    @default("tags")
    def _tags_default(self) -> list[str]:
        return list(ALLOWED_TAGS)

    @default("attributes")
    def _attributes_default(self) -> dict[str, list[str]]:
        return dict(ALLOWED_ATTRIBUTES)

    def sanitize_html_tags(self, html_str: str) -> str:
        """Clean ``html_str`` with bleach: the allowed tags, attributes and URL protocols only."""
        return bleach.clean(
            html_str,
            tags=self.tags,
            attributes=self.attributes,
            protocols=ALLOWED_PROTOCOLS,
            strip=self.strip,
            strip_comments=self.strip_comments,
        )

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, cell_index: int
    ) -> tuple[NotebookNode, dict]:
        if cell.cell_type == "markdown":
            cleaned = self.sanitize_html_tags(markdown_to_html(cell.source)).strip()
            # One line, so that a markdown renderer keeps it as a single raw HTML block.
            cell.source = f'<div class="sanitized-markdown">{cleaned.replace(chr(10), "&#10;")}</div>'
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)
