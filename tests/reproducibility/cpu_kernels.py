"""Which CPU kernels this process computes with, and whether they are the ones the environment asks for.

OpenBLAS (in numpy's and scipy's wheels) picks a kernel for the CPU at start-up unless
``OPENBLAS_CORETYPE`` names one; threadpoolctl reports the one in use as ``architecture``. PyTorch's
ATen picks its vectorized kernels likewise unless ``ATEN_CPU_CAPABILITY`` caps them
(``torch.backends.cpu.get_cpu_capability()``). A notebook kernel started by nbval inherits the
environment of pytest, so checking this process checks the kernels the notebooks run with::

    OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=default python -m tests.reproducibility.cpu_kernels
"""

import os
import sys

import numpy  # noqa: F401  (loads numpy's OpenBLAS for threadpoolctl to see)
import scipy.linalg  # noqa: F401  (loads scipy's OpenBLAS)
import torch
from threadpoolctl import threadpool_info

#: The environment variable that chooses each library's kernel.
REQUESTING_VARIABLES = {"OpenBLAS": "OPENBLAS_CORETYPE", "torch": "ATEN_CPU_CAPABILITY"}


def active_kernels() -> dict[str, str]:
    """Return the kernel each numerical library of this process uses, by library.

    Returns
    -------
    dict of str to str
        ``"OpenBLAS <file>"`` -> core type (e.g. ``"SkylakeX"``) for every loaded OpenBLAS,
        and ``"torch"`` -> ATen's CPU capability (e.g. ``"AVX512"``).
    """
    kernels = {
        f"OpenBLAS {os.path.basename(library['filepath'])}": library["architecture"]
        for library in threadpool_info()
        if library["internal_api"] == "openblas"
    }
    kernels["torch"] = torch.backends.cpu.get_cpu_capability()
    return kernels


def kernels_not_as_requested(kernels: dict[str, str], environment: dict[str, str]) -> list[str]:
    """Return one message per library whose kernel is not the one ``environment`` asks for."""
    problems = []
    for library, kernel in kernels.items():
        variable = REQUESTING_VARIABLES[library.split()[0]]
        requested = environment.get(variable)
        if requested and kernel.lower() != requested.lower():
            problems.append(f"{library} uses {kernel}, although {variable}={requested}")
    return problems


def main() -> int:
    """Print the kernels in use; return 1 if one of them is not the one the environment requests."""
    kernels = active_kernels()
    print("CPU kernels:", ", ".join(f"{library}: {kernel}" for library, kernel in kernels.items()))
    problems = kernels_not_as_requested(kernels, dict(os.environ))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
