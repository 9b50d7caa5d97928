"""Measure what a pruner saves: training steps, seconds and the best value reached.

A pruner is only worth its name if it stops bad trials early *and* the study
still finds a model as good as without pruning. :func:`run_pruner` runs one
pruner on an iterative objective over several sampler seeds and records, per
seed, how many training steps and seconds the study spent and the best value it
reached; :func:`summarize_pruner_runs` puts several pruners side by side
against a baseline (usually :class:`optuna.pruners.NopPruner`).

The objective must call ``trial.report(value, step)`` exactly once per
training step: the number of steps a trial spent is read back as the number
of intermediate values it reported. :func:`make_sgd_workload` builds the
lecture's workload, which follows that contract.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import optuna
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from course_utils._validation import check_int
from course_utils.timing import Stopwatch

__all__ = ["PrunerRun", "make_sgd_workload", "run_pruner", "summarize_pruner_runs"]


@dataclass(frozen=True)
class PrunerRun:
    """What one study with one pruner and one sampler seed spent and found.

    Attributes
    ----------
    seed : int
        Seed of the study's sampler.
    n_trials : int
        Trials run.
    n_pruned : int
        Trials the pruner stopped.
    steps : int
        Training steps summed over all trials (intermediate values reported).
    seconds : float
        Wall-clock seconds of ``study.optimize``.
    best_value : float
        Best objective value of a completed trial.
    """

    seed: int
    n_trials: int
    n_pruned: int
    steps: int
    seconds: float
    best_value: float


def make_sgd_workload(
    *, n_steps: int = 20, random_state: int = 0
) -> Callable[[optuna.trial.Trial], float]:
    """Build the lecture's iterative objective: SGD logistic regression, one epoch per step.

    The objective tunes ``alpha`` (L2 penalty, log scale in [1e-6, 1e-1]) and
    ``eta0`` (constant learning rate, log scale in [1e-4, 1]) of an
    :class:`~sklearn.linear_model.SGDClassifier` on the standardized breast
    cancer data (75 % train, 25 % validation, stratified). After each epoch
    (``partial_fit``) it reports the validation log-loss (logistic loss), a continuous value
    (the error rate would create ties), and raises
    :class:`optuna.TrialPruned` when the pruner says so. It returns the
    validation log-loss after the last epoch, to be minimized.

    Parameters
    ----------
    n_steps : int, default=20
        Epochs of a trial that is not pruned, at least 1.
    random_state : int, default=0
        Seed of the train/validation split and of the classifier's shuffling,
        so a parameter set always gives the same learning curve.

    Returns
    -------
    callable
        ``objective(trial) -> float`` for :meth:`optuna.study.Study.optimize`.
    """
    n_steps = check_int("n_steps", n_steps, minimum=1)
    random_state = check_int("random_state", random_state, minimum=0)
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=random_state
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_valid = scaler.transform(X_train), scaler.transform(X_valid)
    classes = np.unique(y)

    def objective(trial: optuna.trial.Trial) -> float:
        alpha = trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
        eta0 = trial.suggest_float("eta0", 1e-4, 1.0, log=True)
        model = SGDClassifier(
            loss="log_loss", alpha=alpha, learning_rate="constant", eta0=eta0, random_state=random_state
        )
        loss = float("nan")
        for step in range(n_steps):
            model.partial_fit(X_train, y_train, classes=classes)
            # logistic loss from the decision values: what sklearn's log_loss computes, at a
            # fraction of its input-validation cost, which would dominate this tiny model
            margin = model.decision_function(X_valid)
            loss = float(np.mean(np.logaddexp(0.0, margin) - y_valid * margin))
            trial.report(loss, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    return objective


def _tpe_sampler(seed: int) -> optuna.samplers.BaseSampler:
    return optuna.samplers.TPESampler(seed=seed)


def run_pruner(
    pruner_factory: Callable[[], optuna.pruners.BasePruner],
    objective: Callable[[optuna.trial.Trial], float],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    n_trials: int = 20,
    sampler_factory: Callable[[int], optuna.samplers.BaseSampler] = _tpe_sampler,
    direction: str = "minimize",
) -> list[PrunerRun]:
    """Run one pruner on ``objective`` once per seed and record what each study spent.

    Each seed gets a fresh in-memory study, a fresh pruner (pruners such as
    Hyperband keep state) and a sampler made by ``sampler_factory(seed)``. The
    study is named after the seed (``"run_pruner-seed-<seed>"``): Hyperband
    assigns trials to brackets by a hash of the study name, so an automatic
    (random) name would make its results change from run to run.

    Parameters
    ----------
    pruner_factory : callable
        ``pruner_factory() -> BasePruner``, called once per seed, e.g.
        ``optuna.pruners.MedianPruner`` or ``lambda: PercentilePruner(25.0)``.
    objective : callable
        ``objective(trial) -> float`` that reports one intermediate value per
        training step, e.g. the one :func:`make_sgd_workload` returns.
    seeds : sequence of int, default=(0, 1, 2)
        Sampler seeds, at least one.
    n_trials : int, default=20
        Trials per study, at least 1.
    sampler_factory : callable, default=TPESampler(seed=seed)
        ``sampler_factory(seed) -> BaseSampler``.
    direction : {"minimize", "maximize"}, default="minimize"
        Direction of the study.

    Returns
    -------
    list of PrunerRun
        One record per seed, in the order of ``seeds``.
    """
    if not callable(pruner_factory):
        raise TypeError(f"pruner_factory must be callable, got {type(pruner_factory).__name__}")
    if not callable(objective):
        raise TypeError(f"objective must be callable, got {type(objective).__name__}")
    if not callable(sampler_factory):
        raise TypeError(f"sampler_factory must be callable, got {type(sampler_factory).__name__}")
    seeds = [check_int("seeds[]", seed, minimum=0) for seed in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    n_trials = check_int("n_trials", n_trials, minimum=1)
    if direction not in ("minimize", "maximize"):
        raise ValueError(f"direction must be 'minimize' or 'maximize', got {direction!r}")

    runs = []
    for seed in seeds:
        pruner = pruner_factory()
        if not isinstance(pruner, optuna.pruners.BasePruner):
            raise TypeError(f"pruner_factory must return an optuna pruner, got {type(pruner).__name__}")
        study = optuna.create_study(
            study_name=f"run_pruner-seed-{seed}",
            direction=direction,
            sampler=sampler_factory(seed),
            pruner=pruner,
        )
        with Stopwatch() as watch:
            study.optimize(objective, n_trials=n_trials)
        trials = study.trials
        completed = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
        runs.append(
            PrunerRun(
                seed=seed,
                n_trials=len(trials),
                n_pruned=sum(t.state == optuna.trial.TrialState.PRUNED for t in trials),
                steps=sum(len(t.intermediate_values) for t in trials),
                seconds=watch.seconds,
                best_value=study.best_value if completed else float("nan"),
            )
        )
    return runs


def summarize_pruner_runs(
    runs: Mapping[str, Sequence[PrunerRun]], *, baseline: str | None = None
) -> pd.DataFrame:
    """Average the runs of each pruner into one row, optionally relative to a baseline.

    Parameters
    ----------
    runs : mapping of str to sequence of PrunerRun
        Pruner name to its runs (one per seed), as :func:`run_pruner` returns.
    baseline : str or None, default=None
        Name in ``runs`` to compare against (usually the no-pruning run). If
        given, adds ``steps_saved`` (fraction of the baseline's steps not
        spent) and ``speedup`` (baseline seconds / seconds).

    Returns
    -------
    pandas.DataFrame
        Indexed by pruner name, columns ``pruned`` (mean fraction of trials
        pruned), ``steps``, ``seconds`` (means over seeds), ``best_mean`` and
        ``best_std`` (best value over seeds), then the baseline columns.
    """
    if not runs:
        raise ValueError("runs must name at least one pruner")
    for name, pruner_runs in runs.items():
        if not pruner_runs:
            raise ValueError(f"runs[{name!r}] holds no run")
    if baseline is not None and baseline not in runs:
        raise ValueError(f"baseline must be one of {sorted(runs)}, got {baseline!r}")

    rows = {}
    for name, pruner_runs in runs.items():
        best = np.array([run.best_value for run in pruner_runs], dtype=float)
        rows[name] = {
            "pruned": float(np.mean([run.n_pruned / run.n_trials for run in pruner_runs])),
            "steps": float(np.mean([run.steps for run in pruner_runs])),
            "seconds": float(np.mean([run.seconds for run in pruner_runs])),
            "best_mean": float(best.mean()),
            "best_std": float(best.std()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    if baseline is not None:
        table["steps_saved"] = 1.0 - table["steps"] / table.loc[baseline, "steps"]
        table["speedup"] = table.loc[baseline, "seconds"] / table["seconds"]
    return table
