"""nbgrader configuration of the student edition: the course id the Assignments tab lists."""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "model-validation-hpo"
