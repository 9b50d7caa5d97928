"""pyproject.toml and environment.yml pin the same versions, and the venv has them."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^\s*-\s*([A-Za-z0-9_.\-]+)\s*(==|=)\s*([^\s#]+)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for requirement in dependencies:
        name, separator, pinned = requirement.partition("==")
        assert separator, f"pyproject.toml: {requirement!r} is not an exact pin (name==version)"
        pins[_normalise(name)] = pinned
    return pins


def environment_yml_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = PIN.match(line)
        if match and _normalise(match[1]) != "python":
            pins[_normalise(match[1])] = match[3]
    return pins


def test_environment_yml_pins_exactly_the_packages_and_versions_of_pyproject():
    assert environment_yml_pins() == pyproject_pins()


def test_lock_file_agrees_with_every_pyproject_pin():
    locked = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            locked[_normalise(name)] = pinned.strip()
    disagreeing = {name: (pin, locked.get(name)) for name, pin in pyproject_pins().items() if locked.get(name) != pin}
    assert not disagreeing, f"pyproject pin vs requirements-lock.txt: {disagreeing}"


@pytest.mark.parametrize("name, pinned", sorted(pyproject_pins().items()))
def test_installed_version_is_the_pinned_one(name, pinned):
    installed = version(name).split("+")[0]  # torch reports 2.14.1+cu130
    assert installed == pinned


def test_torchvision_operators_load_beside_the_pinned_torch():
    import torch
    import torchvision

    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.05], [5.0, 5.0, 6.0, 6.0]])
    kept = torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8, 0.7]), iou_threshold=0.5)
    assert kept.tolist() == [0, 2]
