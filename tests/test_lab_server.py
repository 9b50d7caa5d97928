"""`make lab` starts a JupyterLab that serves the course: the same command, run and stopped here.

The command is read from the Makefile itself (``make -n lab``), so this test
follows any change of the recipe; ``make lab`` and ``make lab-instructor``
must point JupyterLab at the configurations the browser tests check
(``browser_servers.LAB_CONFIGS``). It is started on a free port with a known
token (and ``--allow-root`` when the tests run as root, as in CI), with
Jupyter's config, data and runtime dirs in a temp folder.
"""

import json
import os
import re
import shlex
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser.browser_servers import (
    LAB_CONFIGS,
    allow_root_flags,
    free_port,
    isolated_environment,
    new_token,
    running_server,
)

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def make_lab_command(port: int, target: str = "lab") -> tuple[dict[str, str], list[str]]:
    """Return the variables the ``target`` recipe sets and its JupyterLab command for ``port``, split into words.

    A recipe such as ``PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/jupyter lab ...``
    gives ``({"PATH": "<repo>/.venv/bin:$PATH"}, [".venv/bin/jupyter", "lab", ...])``.
    """
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", target, f"LAB_PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # `make -n` may also print the venv install steps when the pins are newer than .venv.
    commands = [shlex.split(line) for line in dry_run.splitlines() if "jupyter lab " in line]
    assert len(commands) == 1, f"`make -n {target}` printed no single `jupyter lab` command:\n{dry_run}"
    words, variables = commands[0], {}
    while words and ASSIGNMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        variables[name] = value
    return variables, words


@pytest.mark.parametrize(("target", "config"), [("lab", "student"), ("lab-instructor", "instructor")])
def test_make_lab_commands_run_jupyterlab_from_the_venv_on_loopback_with_their_config(target, config):
    variables, command = make_lab_command(8123, target)
    assert Path(command[0]) == Path(".venv/bin/jupyter"), command
    assert command[1] == "lab", command
    assert "--ip=127.0.0.1" in command and "--port=8123" in command and "--no-browser" in command, command
    assert f"--ServerApp.root_dir={ROOT}" in command, command
    assert Path(variables.get("JUPYTER_CONFIG_PATH", "")) == LAB_CONFIGS[config], (
        f"`make {target}` sets JUPYTER_CONFIG_PATH={variables.get('JUPYTER_CONFIG_PATH')!r}, "
        f"the browser tests check {LAB_CONFIGS[config]}"
    )


def test_make_lab_serves_jupyterlab_and_the_notebooks_with_a_token(tmp_path: Path):
    notebooks = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
    if not notebooks:
        pytest.skip("notebooks/ holds no lecture yet")
    port, token = free_port(), new_token()
    variables, command = make_lab_command(port)
    command += [f"--IdentityProvider.token={token}"]
    command += [flag for flag in allow_root_flags() if flag not in command]
    env = isolated_environment(tmp_path / "home")
    for name, value in variables.items():
        env[name] = value.replace(f"${name}", os.environ.get(name, ""))
    with running_server(
        command,
        cwd=ROOT,
        env=env,
        url=f"http://127.0.0.1:{port}",
        token=token,
        ready_path="/api/status",
        log=tmp_path / "lab.log",
        what="`make lab`'s JupyterLab",
    ) as server:
        status, body = server.get("/lab")
        assert status == 200, f"/lab answered {status} with the token"
        assert b"jupyter-config-data" in body, "/lab did not return JupyterLab's page"

        anonymous = urllib.request.Request(f"{server.url}/api/contents/notebooks")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(anonymous, timeout=10)
        assert refused.value.code == 403, "the contents API answered without the token"

        status, body = server.get("/api/contents/notebooks?content=1")
        assert status == 200, f"the contents API answered {status} for notebooks/"
        listed = sorted(
            item["name"] for item in json.loads(body)["content"] if item["name"].endswith(".ipynb")
        )
        assert listed == notebooks, f"the contents API lists {listed}, notebooks/ holds {notebooks}"
    assert server.process.poll() is not None, "JupyterLab still runs after the test stopped it"
