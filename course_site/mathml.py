"""A Sphinx math renderer that writes the lectures' LaTeX as MathML when the site is built.

Browsers draw MathML themselves, so the pages need no MathJax and load no
script from a CDN. ``latex2mathml`` converts each formula once, at build
time; a formula it cannot convert stops the build with its message.
"""

from __future__ import annotations

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator


def visit_inline_math(translator: HTML5Translator, node: nodes.math) -> None:
    """Write an inline formula (``$...$``) as inline MathML."""
    translator.body.append(convert(node.astext(), display="inline"))
    raise nodes.SkipNode


def visit_display_math(translator: HTML5Translator, node: nodes.math_block) -> None:
    """Write a displayed formula (``$$...$$``) as a MathML block."""
    translator.body.append(f'<div class="math-display">{convert(node.astext(), display="block")}</div>\n')
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, bool]:
    """Register the renderer as ``html_math_renderer = "mathml"``."""
    app.add_html_math_renderer("mathml", (visit_inline_math, None), (visit_display_math, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
