"""What goes back to students: the feedback pages.

- :mod:`.hidden_tests`: no line of a hidden test on a feedback page, only its name, points and message;
- :mod:`.student_html`: student-supplied HTML sanitized (feedback pages and formgrader views);
- :mod:`.stamps`: each graded submission's stamp files beside its feedback, for ``nbgrader release_feedback``.
"""
