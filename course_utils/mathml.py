"""LaTeX formulas as MathML, which browsers draw themselves: pages that show math load no MathJax.

Used where the course turns formulas into HTML: the lecture site (``course_site.mathml``, at build
time) and the students' feedback pages (``course_grading.feedback_pages.student_html``, when nbgrader renders them).
"""

from __future__ import annotations

from latex2mathml.converter import convert

__all__ = ["latex_to_mathml"]


def latex_to_mathml(latex: str, block: bool = False) -> str:
    """Return the ``<math>`` element of the formula ``latex``.

    Parameters
    ----------
    latex : str
        The formula without its delimiters (``$``, ``$$``).
    block : bool, default=False
        A displayed formula (``display="block"``) instead of one inside a line of text.

    Returns
    -------
    str
        MathML from ``latex2mathml.converter.convert``, which raises on a formula it cannot parse.
    """
    return convert(latex, display="block" if block else "inline")
