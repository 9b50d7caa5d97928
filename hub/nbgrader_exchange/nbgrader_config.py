"""nbgrader's exchange for everyone on the course hub (instructor and students).

The hub puts this folder on every user's JUPYTER_CONFIG_PATH; nbgrader loads
an nbgrader_config.py from each folder on that path, then the one in the
working folder (the instructor's course directory adds its own).
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# The same course id as the repository's nbgrader_config.py (tests/hub checks it).
c.CourseDirectory.course_id = "model-validation-hpo"
c.Exchange.root = os.environ.get("COURSE_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
# Fetched assignments land in <home>/model-validation-hpo/<assignment>/.
c.Exchange.path_includes_course = True
