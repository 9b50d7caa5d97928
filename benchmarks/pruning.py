"""Lecture 05's pruners against no pruning: training steps and seconds at the final quality.

The runs are made by :func:`course_utils.pruning.run_pruner` on the lecture's
workload (:func:`course_utils.pruning.make_sgd_workload`, SGD logistic
regression, one epoch per step) and summarized by
:func:`course_utils.pruning.summarize_pruner_runs`. The pruner settings are
those of lecture 05 (``notebooks/05_samplers_and_pruners.ipynb``);
``tests/benchmarks`` checks that every pruner class the lecture uses is here.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import optuna
from optuna import pruners

from course_utils.pruning import make_sgd_workload, run_pruner, summarize_pruner_runs

#: A pruner "keeps quality" if its mean best log-loss is at most this much worse than no pruning
#: (the lecture's tolerance).
TOLERANCE = 0.001


def lecture_pruners(n_steps: int) -> dict[str, Callable[[], pruners.BasePruner]]:
    """Return lecture 05's pruner factories, ``"none"`` (no pruning) first.

    Parameters
    ----------
    n_steps : int
        Training steps of a trial that is not pruned (Hyperband's ``max_resource``).

    Returns
    -------
    dict of str to callable
        Name to a factory that makes a fresh pruner.
    """
    return {
        "none": pruners.NopPruner,
        "Median": lambda: pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=3),
        "Percentile25": lambda: pruners.PercentilePruner(25.0, n_startup_trials=5, n_warmup_steps=3),
        "SuccessiveHalving": lambda: pruners.SuccessiveHalvingPruner(min_resource=2, reduction_factor=3),
        "Hyperband": lambda: pruners.HyperbandPruner(min_resource=2, max_resource=n_steps, reduction_factor=3),
        "Patient": lambda: pruners.PatientPruner(
            pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=3), patience=2
        ),
        "Threshold": lambda: pruners.ThresholdPruner(upper=0.15, n_warmup_steps=3),
        "Wilcoxon": lambda: pruners.WilcoxonPruner(p_threshold=0.1, n_startup_steps=3),
    }


def bench_pruning(
    *, seeds: Sequence[int] = (0, 1, 2, 3, 4), n_trials: int = 30, n_steps: int = 15
) -> dict[str, object]:
    """Run every pruner of lecture 05 and no pruning over several seeds.

    Parameters
    ----------
    seeds : sequence of int, default=(0, 1, 2, 3, 4)
        TPE sampler seeds; each pruner runs one study per seed.
    n_trials : int, default=30
        Trials per study.
    n_steps : int, default=15
        Epochs of a trial that is not pruned.

    Returns
    -------
    dict
        The settings and ``rows``: per pruner the mean fraction of trials pruned, mean
        steps and seconds per study, ``steps_saved`` and ``speedup`` against no pruning,
        the best log-loss (mean and std over seeds), its gap to no pruning and
        ``quality_kept`` (gap <= TOLERANCE).
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    workload = make_sgd_workload(n_steps=n_steps, random_state=0)
    with warnings.catch_warnings():
        # PatientPruner and WilcoxonPruner are experimental in Optuna 5; the lecture says so.
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        runs = {
            name: run_pruner(factory, workload, seeds=seeds, n_trials=n_trials)
            for name, factory in lecture_pruners(n_steps).items()
        }
    table = summarize_pruner_runs(runs, baseline="none")
    baseline_best = float(table.loc["none", "best_mean"])
    rows = []
    for name, row in table.iterrows():
        gap = float(row["best_mean"]) - baseline_best
        rows.append(
            {
                "pruner": name,
                "pruned": float(row["pruned"]),
                "steps": float(row["steps"]),
                "seconds": float(row["seconds"]),
                "steps_saved": float(row["steps_saved"]),
                "speedup": float(row["speedup"]),
                "best_mean": float(row["best_mean"]),
                "best_std": float(row["best_std"]),
                "gap": gap,
                "quality_kept": bool(math.isfinite(gap) and gap <= TOLERANCE),
            }
        )
    return {
        "workload": "SGD logistic regression on breast cancer, validation log-loss (course_utils.pruning)",
        "seeds": list(seeds),
        "n_trials": n_trials,
        "n_steps": n_steps,
        "tolerance": TOLERANCE,
        "rows": rows,
    }
