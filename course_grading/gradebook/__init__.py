"""The class's grades: every submission graded, the scores in nbgrader's gradebook.

- :mod:`.batch`: ``make grade``: one sandboxed worker per submission, in parallel, resumable,
  merged into the gradebook, ``grades.csv`` and ``grade_reasons.csv``;
- :mod:`.dask_grading`: the same graders on a Dask cluster's workers (``--scheduler``), the
  gradebook still written by the coordinator alone;
- :mod:`.grade`: the plain nbgrader sequence (one ``autograde`` over all students), and the
  gradebook helpers the batch uses;
- :mod:`.scoring`: a test cell scored by whether it raised, whatever it wrote to stderr;
- :mod:`.late_policy`: ``late_policy.toml`` (grace, penalty per day, cap, extensions), applied
  on every merge and by nbgrader's own ``autograde``;
- :mod:`.class_report`: ``make report``: one offline HTML page per assignment, read from the
  gradebook and the grading results.
"""
