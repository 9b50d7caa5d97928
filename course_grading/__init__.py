"""Instructor tooling around nbgrader, one sub-package per step of the grading flow.

1. :mod:`.handout`: what students get: the release ``exercises/`` generated from ``solutions/``
   (``make release``) and the student edition of the whole course (``make student-edition``).
2. :mod:`.intake`: how submissions arrive in ``submitted/<student>/<assignment>/``: the hub's
   shared exchange folder, submissions built from answer files, a synthetic class for tests
   and benchmarks; :mod:`.lms` collects an LMS's submissions download (and sends grades back).
3. :mod:`.sandbox`: the one place that runs student code: one worker process per submission,
   real nbgrader, and a kernel with limits, its own namespaces and a tampering guard.
4. :mod:`.gradebook`: the whole class (``make grade``): workers in parallel, results reused
   or regraded, scores and late penalties merged into nbgrader's gradebook, ``grades.csv``, the
   reasons and the class report.
5. :mod:`.feedback_pages`: what goes back to students: feedback pages without hidden-test
   source, student HTML sanitized, stamps for ``nbgrader release_feedback``.
"""
