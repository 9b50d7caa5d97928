"""The cross-CPU run's environment really switches numpy's, scipy's and torch's kernels on this machine."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reproducibility.cpu_kernels import kernels_not_as_requested

ROOT = Path(__file__).resolve().parents[2]


def report_kernels(**variables: str) -> subprocess.CompletedProcess:
    """Run ``python -m tests.reproducibility.cpu_kernels`` in a new process with ``variables`` set."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **variables}
    for name in {"OPENBLAS_CORETYPE", "ATEN_CPU_CAPABILITY"} - variables.keys():
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "tests.reproducibility.cpu_kernels"],
        env=environment, capture_output=True, text=True, timeout=300, check=False,
    )


def test_the_variant_environment_gives_haswell_openblas_and_plain_aten_kernels():
    completed = report_kernels(OPENBLAS_CORETYPE="Haswell", ATEN_CPU_CAPABILITY="default")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count(": Haswell") == 2  # numpy's and scipy's OpenBLAS
    assert "torch: DEFAULT" in completed.stdout


def test_a_core_type_openblas_ignores_is_reported_as_an_error():
    completed = report_kernels(OPENBLAS_CORETYPE="NoSuchCore")
    assert completed.returncode == 1
    assert "although OPENBLAS_CORETYPE=NoSuchCore" in completed.stderr


@pytest.mark.parametrize(
    "kernels, environment, expected",
    [
        ({"OpenBLAS a.so": "Haswell", "torch": "DEFAULT"}, {"OPENBLAS_CORETYPE": "haswell"}, []),
        ({"torch": "AVX512"}, {}, []),
        (
            {"torch": "AVX512"},
            {"ATEN_CPU_CAPABILITY": "default"},
            ["torch uses AVX512, although ATEN_CPU_CAPABILITY=default"],
        ),
    ],
)
def test_kernels_are_compared_with_the_request_ignoring_case(kernels, environment, expected):
    assert kernels_not_as_requested(kernels, environment) == expected
