"""What students are handed: the assignment release and the student edition.

- :mod:`.release`: ``make release``: ``nbgrader generate_assignment`` from ``solutions/`` into ``exercises/``;
- :mod:`.student_edition`: ``make student-edition``: the course without instructor material,
  with the files of ``student_files/``.
"""
