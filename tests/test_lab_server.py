"""`make lab` starts a JupyterLab that serves the course: the same command, run and stopped here.

The command is read from the Makefile itself (``make -n lab``), so this test
follows any change of the recipe; ``make lab`` and ``make lab-instructor``
must point JupyterLab at the configurations the browser tests check
(``browser_servers.LAB_CONFIGS``). It is started on a free port with a known
token (and ``--allow-root`` when the tests run as root, as in CI), with
Jupyter's config, data and runtime dirs in a temp folder.
"""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser.browser_servers import LAB_CONFIGS, isolated_environment, make_lab, make_lab_command

ROOT = Path(__file__).resolve().parents[1]


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
    with make_lab(isolated_environment(tmp_path / "home"), tmp_path / "lab.log") as server:
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
