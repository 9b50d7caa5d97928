"""One call that seeds every random number generator the course uses."""

import os
import random

import numpy as np

from course_utils._validation import check_int


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and, if imported, PyTorch.

    Estimators and samplers should still get their own ``random_state`` or
    ``seed``: this call only covers code that draws from the global
    generators.

    Parameters
    ----------
    seed : int
        A non-negative integer below 2**32.
    """
    seed = check_int("seed", seed, minimum=0)
    if seed >= 2**32:
        raise ValueError(f"seed must be < 2**32, got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # inherited by child processes
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
