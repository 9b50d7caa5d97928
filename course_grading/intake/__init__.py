"""How submissions arrive in nbgrader's ``submitted/<student>/<assignment>/``.

- :mod:`.hub_exchange`: the JupyterHub's shared exchange folder, safe for ``nbgrader submit`` and ``collect``;
- :mod:`.submissions`: submissions built from answer files (``grade_id`` -> source), in nbgrader's layout;
- :mod:`.synthetic_class`: a class of correct, wrong and broken submissions for every assignment.

An LMS's submissions download comes in through :mod:`course_grading.lms`.
"""
