"""Lecture 05's pruners against no pruning: training steps saved at the held-out quality of no pruning.

The runs are made by :func:`course_utils.pruning.run_pruner` on the lecture's
workload (:class:`course_utils.pruning.SgdWorkload`, logistic regression by
mini-batch SGD, one epoch per step) and summarized by
:func:`course_utils.pruning.summarize_pruner_runs` at an equal number of
trials, with the lecture's rule: a pruner keeps quality if the 95 % interval
of its test log-loss minus no pruning's, paired by seed, lies within
``MARGIN`` (a fraction of no pruning's test log-loss). The pruner settings are
those of lecture 05 (``notebooks/05_samplers_and_pruners.ipynb``);
``tests/benchmarks`` checks that every pruner class the lecture uses is here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import optuna
from optuna import pruners

from course_utils.pruning import SgdWorkload, run_pruner, summarize_pruner_runs

#: A pruner "keeps quality" if the 95 % interval of its paired test log-loss difference to no pruning
#: lies within +/- this fraction of no pruning's mean test log-loss (the lecture's rule).
MARGIN = 0.02


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
        "Hyperband": lambda: pruners.HyperbandPruner(
            min_resource=2, max_resource=n_steps, reduction_factor=3
        ),
        "Patient": lambda: pruners.PatientPruner(
            pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=3), patience=2
        ),
        "Threshold": lambda: pruners.ThresholdPruner(upper=0.15, n_warmup_steps=3),
        "Wilcoxon": lambda: pruners.WilcoxonPruner(p_threshold=0.1, n_startup_steps=3),
    }


def bench_pruning(
    *, seeds: Sequence[int] = tuple(range(10)), n_trials: int = 30, n_steps: int = 15
) -> dict[str, object]:
    """Run every pruner of lecture 05 and no pruning over several seeds, at an equal number of trials.

    Parameters
    ----------
    seeds : sequence of int, default=(0, ..., 9)
        TPE sampler seeds, at least two (the differences are paired by seed); each pruner
        runs one study per seed.
    n_trials : int, default=30
        Trials per study.
    n_steps : int, default=15
        Epochs of a trial that is not pruned.

    Returns
    -------
    dict
        The settings and ``rows``: per pruner the mean fraction of trials pruned, mean
        steps and seconds per study, ``steps_saved`` and ``speedup`` against no pruning,
        the best validation log-loss (mean and std over seeds), the test log-loss of the
        best trial (``test_mean``), its paired difference to no pruning (``gap`` and its
        95 % interval ``gap_low``, ``gap_high``), the ``verdict`` and ``quality_kept``
        (verdict "equal" or "better").
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    workload = SgdWorkload(n_steps=n_steps, random_state=0)
    with warnings.catch_warnings():
        # PatientPruner and WilcoxonPruner are experimental in Optuna 5; the lecture says so.
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        runs = {
            name: run_pruner(factory, workload.objective, seeds=seeds, n_trials=n_trials)
            for name, factory in lecture_pruners(n_steps).items()
        }
    baseline_test = float(np.mean([workload.test_log_loss(run.best_params) for run in runs["none"]]))
    margin = MARGIN * baseline_test
    table = summarize_pruner_runs(runs, baseline="none", margin=margin, test_score=workload.test_log_loss)
    rows = []
    for name, row in table.iterrows():
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
                "test_mean": float(row["quality_mean"]),
                "gap": float(row["diff_mean"]),
                "gap_low": float(row["diff_low"]),
                "gap_high": float(row["diff_high"]),
                "verdict": str(row["verdict"]),
                "quality_kept": row["verdict"] in ("baseline", "equal", "better"),
            }
        )
    return {
        "workload": "logistic regression by mini-batch SGD on breast cancer, validation log-loss "
        "(course_utils.pruning.SgdWorkload)",
        "seeds": list(seeds),
        "n_trials": n_trials,
        "n_steps": n_steps,
        "margin": margin,
        "rows": rows,
    }
