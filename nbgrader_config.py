"""nbgrader configuration of the course.

solutions/ holds the instructor's source notebooks (solutions and hidden
tests); exercises/ is the student release that `make release` generates.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "model-validation-hpo"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# A cell that runs longer than this is stopped and graded as failed.
c.Execute.timeout = 120
