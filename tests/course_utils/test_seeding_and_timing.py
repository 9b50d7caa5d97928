"""seed_everything makes global generators repeat; Stopwatch measures a block."""

import random
import time

import numpy as np
import pytest
import torch

from course_utils import Stopwatch, seed_everything


def _draw_from_every_generator():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_seed_everything_makes_python_numpy_and_torch_repeat():
    seed_everything(7)
    first = _draw_from_every_generator()
    seed_everything(7)
    assert _draw_from_every_generator() == first


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (2**32, ValueError), (1.5, TypeError)])
def test_seed_everything_rejects_seeds_numpy_cannot_take(seed, error):
    with pytest.raises(error, match="seed must be"):
        seed_everything(seed)


def test_stopwatch_measures_at_least_the_time_slept():
    with Stopwatch() as watch:
        time.sleep(0.01)
    assert watch.seconds >= 0.01


def test_stopwatch_refuses_to_report_before_the_block_ends():
    with Stopwatch() as watch:
        with pytest.raises(RuntimeError, match="inside or before"):
            watch.seconds
