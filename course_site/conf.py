"""Sphinx configuration of the course website (``make site``; see course_site/build.py).

MyST-NB reads the notebooks and renders their stored outputs; nothing is
executed. Nothing a page needs comes from the network: the theme (Furo) and
plotly.js are served from the site, formulas are MathML.
"""

project = "Model validation and hyperparameter optimization"
author = "the course team"
copyright = "2026, the course team"

extensions = ["myst_nb", "course_site.mathml"]
# Formulas become MathML at build time (course_site/mathml.py): no MathJax, no CDN.
html_math_renderer = "mathml"
nb_execution_mode = "off"
# No ipywidgets manager: MyST-NB would load it and require.js from a CDN.
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "colon_fence"]
# _notebooks holds the original notebooks, offered for download, not pages of their own.
exclude_patterns = ["_build", "_notebooks", "**.ipynb_checkpoints"]

html_theme = "furo"
html_title = project
html_static_path = ["_static"]
# plotly.js, copied from the installed plotly package by build.py, loaded once per page.
html_js_files = ["plotly.min.js"]
html_show_sourcelink = False
