"""`make hub`'s JupyterHub with real system accounts: PAM login, one server per user, each its own edition.

The hub is started as `make hub` starts it (``jupyterhub -f hub/jupyterhub_config.py`` from .venv,
proxy from ``scripts/install_hub_proxy.sh``), on free loopback ports, with a throw-away state
folder, exchange and homes; it is stopped (with its proxy and the users' servers) when the module ends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import psutil
import pytest
import requests

from hub_accounts import ARTIFACTS, INSTRUCTOR, STUDENTS, throwaway_course
from hub_server import Hub, running_hub, wait_for

PAGE_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)
ASSIGNMENTS_TAB = "@jupyter/nbgrader:assignment-list"
INSTRUCTOR_TOOLS = ("@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader")


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    with throwaway_course() as course, running_hub(course, ARTIFACTS / "jupyterhub.log") as hub:
        yield hub


def _log_in(hub: Hub, user: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Submit the hub's login form; the session (with its cookies) and the form's answer."""
    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=30)
    response = session.post(
        f"{hub.url}/hub/login",
        data={"username": user, "password": password, "_xsrf": session.cookies.get("_xsrf", "")},
        timeout=60,
    )
    return session, response


def _lab_page_config(hub: Hub, session: requests.Session, user: str) -> dict:
    pages = []

    def lab_is_served() -> bool:
        response = session.get(f"{hub.url}/user/{user}/lab", timeout=30)
        pages.append(response)
        return response.status_code == 200 and PAGE_CONFIG.search(response.text) is not None

    wait_for(lab_is_served, hub.process, hub.log)
    return json.loads(PAGE_CONFIG.search(pages[-1].text)[1])


@pytest.fixture(scope="module")
def lab_configs(hub) -> dict[str, dict]:
    """Every account logs in through the login form; its server's JupyterLab page configuration."""
    configs = {}
    for user in (*STUDENTS, INSTRUCTOR):
        session, response = _log_in(hub, user, hub.course.passwords[user])
        response.raise_for_status()
        configs[user] = _lab_page_config(hub, session, user)
    return configs


def test_a_wrong_password_is_refused_by_pam(hub):
    session, response = _log_in(hub, "student-a", "not-the-password")
    assert response.status_code == 403
    assert session.get(f"{hub.url}/user/student-a/lab", timeout=30, allow_redirects=False).status_code != 200
    assert "hub/login" in session.get(f"{hub.url}/hub/home", timeout=30).url


@pytest.mark.parametrize("student", STUDENTS)
def test_a_students_lab_has_the_assignments_tab_and_not_the_instructor_tools(lab_configs, student):
    disabled = lab_configs[student]["disabledExtensions"]
    assert all(tool in disabled for tool in INSTRUCTOR_TOOLS), disabled
    assert ASSIGNMENTS_TAB not in disabled, disabled


def test_the_instructors_lab_has_the_instructor_tools_in_the_course_directory(lab_configs, hub):
    config = lab_configs[INSTRUCTOR]
    assert not any(tool in config["disabledExtensions"] for tool in INSTRUCTOR_TOOLS)
    assert config["serverRoot"] == str(hub.course.home(INSTRUCTOR))


def test_each_user_server_runs_as_that_user(lab_configs, hub):
    servers = [
        process for process in psutil.Process(hub.process.pid).children(recursive=True)
        if "jupyterhub-singleuser" in " ".join(process.cmdline())
    ]
    assert sorted(process.username() for process in servers) == sorted((*STUDENTS, INSTRUCTOR))
    hub_tree = [psutil.Process(hub.process.pid), *psutil.Process(hub.process.pid).children(recursive=True)]
    rss = {process.pid: process.memory_info().rss for process in hub_tree}
    students_rss = sum(rss[p.pid] for p in servers if p.username() in STUDENTS)
    core_rss = sum(value for pid, value in rss.items() if pid not in {p.pid for p in servers})
    (ARTIFACTS / "memory.txt").write_text(
        f"hub + proxy RSS: {core_rss / 2**20:.0f} MiB\n"
        f"two students' servers RSS (no kernel): {students_rss / 2**20:.0f} MiB\n"
    )
