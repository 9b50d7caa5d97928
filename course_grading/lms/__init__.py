"""The instructor's desk for a course run on an LMS: intake of a submissions download, grades back.

- :mod:`.roster`: the class list (``roster.csv``) that ties LMS ids to nbgrader student ids;
- :mod:`.intake`: the nbgrader plugins the LMS-specific collectors build on;
- :mod:`.canvas`, :mod:`.moodle`: each LMS's file naming (collector plugin) and gradebook-import CSV
  (export plugin);
- :mod:`.collect`: ``make collect``: ``nbgrader zip_collect`` with those plugins, then roster checks,
  resubmission history and the report of what could not be matched;
- :mod:`.export`: ``make export-lms``: the final scores in the LMS's import shape.
"""
