"""A Sphinx math renderer that writes the lectures' LaTeX as MathML when the site is built.

Browsers draw MathML themselves, so the pages need no MathJax and load no
script from a CDN. ``latex2mathml`` converts each formula once, at build
time (:func:`course_utils.mathml.latex_to_mathml`); a formula it cannot
convert stops the build with its message.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

from course_utils.mathml import latex_to_mathml


def visit_inline_math(translator: HTML5Translator, node: nodes.math) -> None:
    """Write an inline formula (``$...$``) as inline MathML."""
    translator.body.append(latex_to_mathml(node.astext()))
    raise nodes.SkipNode


def visit_display_math(translator: HTML5Translator, node: nodes.math_block) -> None:
    """Write a displayed formula (``$$...$$``) as a MathML block."""
    translator.body.append(f'<div class="math-display">{latex_to_mathml(node.astext(), block=True)}</div>\n')
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, bool]:
    """Register the renderer as ``html_math_renderer = "mathml"``."""
    app.add_html_math_renderer("mathml", (visit_inline_math, None), (visit_display_math, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
