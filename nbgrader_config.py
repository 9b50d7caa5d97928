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

# nbgrader's own pipelines with three of the course's preprocessors (course_grading/), the same
# ones `make grade` uses: a test cell that ran without error keeps its points even if it wrote
# to stderr (nbgrader's SaveAutoGrades scores that as 0); student HTML is sanitized in the
# autograded notebook (what formgrader shows) and in the feedback; the feedback shows a hidden
# test cell's name, points and failure message, never its code.
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course_grading.gradebook.scoring.SaveAutoGradesIgnoringStderr",
    "course_grading.feedback_pages.student_html.SanitizeStudentHTML",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# The course's late policy (grace period, penalty per day, cap, extensions) from late_policy.toml
# beside this file; `make grade` recomputes it on every run (course_grading/gradebook/late_policy.py).
c.AssignLatePenalties.plugin_class = "course_grading.gradebook.late_policy.LatePolicyPlugin"
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course_grading.feedback_pages.hidden_tests.HideHiddenTests",
    "course_grading.feedback_pages.student_html.SanitizeStudentHTML",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
