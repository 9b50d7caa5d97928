"""Measure what a pruner buys: training steps, the best value reached and its held-out score.

A pruner is only worth its name if it stops bad trials early *and* the study
still finds a model as good as without pruning. :func:`run_pruner` runs one
pruner on an iterative objective once per sampler seed, until a number of
trials or a budget of training steps is spent, and keeps every trial's steps,
value and parameters in a :class:`PrunerRun`. A run can then be read at an
equal number of trials (:meth:`PrunerRun.first_trials`), at an equal budget of
steps (:meth:`PrunerRun.within_steps`) or as an anytime curve
(:meth:`PrunerRun.best_so_far`). :func:`summarize_pruner_runs` compares
several pruners with a baseline (usually :class:`optuna.pruners.NopPruner`)
seed by seed: :func:`paired_difference` gives the mean difference and its
t-interval, :func:`equivalence_verdict` reads the interval against a margin
fixed beforehand.

The objective must call ``trial.report(value, step)`` exactly once per
training step: the steps a trial spent are read back as the number of
intermediate values it reported. :class:`SgdWorkload` is the lecture's
workload (logistic regression by mini-batch SGD), which follows that contract.
"""

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import optuna
import pandas as pd
from scipy import special, stats
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from course_utils._validation import check_int

__all__ = [
    "PrunerRun",
    "SgdWorkload",
    "equivalence_verdict",
    "paired_difference",
    "run_pruner",
    "summarize_pruner_runs",
]


def _logistic_loss(margin: np.ndarray, y: np.ndarray) -> float:
    """Mean logistic loss (log-loss) of labels ``y`` in {0, 1} given decision values ``margin``."""
    return float(np.mean(np.logaddexp(0.0, margin) - y * margin))


class SgdWorkload:
    """The lecture's iterative objective: logistic regression trained by SGD, one epoch per step.

    The standardized breast cancer data are split once (stratified) into 60 %
    train, 20 % validation and 20 % test. The model is L2-penalized logistic
    regression trained by mini-batch SGD with a constant learning rate, written
    in NumPy (an epoch costs about 0.1 ms, so that studies over many seeds stay
    cheap; scikit-learn's ``SGDClassifier.partial_fit`` spends about 1 ms per
    call on input validation alone). :meth:`objective` tunes ``alpha`` (L2
    penalty, log scale in [1e-6, 1e-1]) and ``eta0`` (learning rate, log scale
    in [1e-4, 1]): after each epoch it reports the validation log-loss, a
    continuous value (the error rate would create ties), raises
    :class:`optuna.TrialPruned` when the pruner says so, and returns the
    validation log-loss after the last epoch, to be minimized.
    :meth:`test_log_loss` trains the same model with given parameters and
    scores it on the test part, which no study sees.

    Parameters
    ----------
    n_steps : int, default=20
        Epochs of a trial that is not pruned, at least 1.
    random_state : int, default=0
        Seed of the split and of the order of the mini-batches, so a parameter
        set always gives the same learning curve.
    batch_size : int, default=32
        Training examples per SGD update, at least 1.
    """

    def __init__(self, *, n_steps: int = 20, random_state: int = 0, batch_size: int = 32) -> None:
        self.n_steps = check_int("n_steps", n_steps, minimum=1)
        self.random_state = check_int("random_state", random_state, minimum=0)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        X, y = load_breast_cancer(return_X_y=True)
        X_rest, X_test, y_rest, y_test = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=random_state
        )
        X_train, X_valid, y_train, y_valid = train_test_split(
            X_rest, y_rest, test_size=0.25, stratify=y_rest, random_state=random_state
        )
        scaler = StandardScaler().fit(X_train)
        self._train = scaler.transform(X_train), y_train.astype(float)
        self._valid = scaler.transform(X_valid), y_valid.astype(float)
        self._test = scaler.transform(X_test), y_test.astype(float)

    def _epochs(self, alpha: float, eta0: float) -> Iterator[tuple[np.ndarray, float]]:
        """Yield the weights and intercept after each of ``n_steps`` epochs of mini-batch SGD."""
        X, y = self._train
        rng = np.random.default_rng(self.random_state)
        weights, intercept = np.zeros(X.shape[1]), 0.0
        for _ in range(self.n_steps):
            order = rng.permutation(len(y))
            for start in range(0, len(y), self.batch_size):
                batch = order[start : start + self.batch_size]
                # gradient of the mean log-loss: (sigmoid(margin) - y) times the features
                residual = special.expit(X[batch] @ weights + intercept) - y[batch]
                weights -= eta0 * (X[batch].T @ residual / len(batch) + alpha * weights)
                intercept -= eta0 * float(residual.mean())
            yield weights, intercept

    def objective(self, trial: optuna.trial.Trial) -> float:
        """Train epoch by epoch, report the validation log-loss after each, return the last."""
        alpha = trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
        eta0 = trial.suggest_float("eta0", 1e-4, 1.0, log=True)
        X_valid, y_valid = self._valid
        loss = float("nan")
        for step, (weights, intercept) in enumerate(self._epochs(alpha, eta0)):
            loss = _logistic_loss(X_valid @ weights + intercept, y_valid)
            trial.report(loss, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    def test_log_loss(self, params: Mapping[str, float]) -> float:
        """Train ``n_steps`` epochs with ``params`` (``alpha``, ``eta0``) and return the test log-loss."""
        *_, (weights, intercept) = self._epochs(params["alpha"], params["eta0"])
        X_test, y_test = self._test
        return _logistic_loss(X_test @ weights + intercept, y_test)


@dataclass(frozen=True)
class PrunerRun:
    """Every trial of one study with one pruner and one sampler seed, in trial order.

    Attributes
    ----------
    seed : int
        Seed of the study's sampler.
    trial_steps : tuple of int
        Training steps each trial spent (intermediate values it reported).
    trial_values : tuple of float
        Value of each complete trial, NaN for a pruned one.
    trial_params : tuple of dict
        Parameters of each trial.
    trial_seconds : tuple of float
        Wall-clock seconds of each trial (sampling, training and pruning decisions).
    direction : {"minimize", "maximize"}
        Direction of the study.
    """

    seed: int
    trial_steps: tuple[int, ...]
    trial_values: tuple[float, ...]
    trial_params: tuple[dict[str, Any], ...]
    trial_seconds: tuple[float, ...]
    direction: str = "minimize"

    @property
    def n_trials(self) -> int:
        """Trials run."""
        return len(self.trial_steps)

    @property
    def n_pruned(self) -> int:
        """Trials the pruner stopped."""
        return sum(math.isnan(value) for value in self.trial_values)

    @property
    def steps(self) -> int:
        """Training steps summed over all trials."""
        return sum(self.trial_steps)

    @property
    def seconds(self) -> float:
        """Seconds summed over all trials."""
        return float(sum(self.trial_seconds))

    def _best_index(self) -> int | None:
        values = np.array(self.trial_values, dtype=float)
        if np.all(np.isnan(values)):
            return None
        return int(np.nanargmin(values) if self.direction == "minimize" else np.nanargmax(values))

    @property
    def best_value(self) -> float:
        """Best value of a complete trial, NaN if every trial was pruned."""
        index = self._best_index()
        return float("nan") if index is None else self.trial_values[index]

    @property
    def best_params(self) -> dict[str, Any] | None:
        """Parameters of the best complete trial, None if every trial was pruned."""
        index = self._best_index()
        return None if index is None else self.trial_params[index]

    def _head(self, n: int) -> "PrunerRun":
        return replace(
            self,
            trial_steps=self.trial_steps[:n],
            trial_values=self.trial_values[:n],
            trial_params=self.trial_params[:n],
            trial_seconds=self.trial_seconds[:n],
        )

    def first_trials(self, n_trials: int) -> "PrunerRun":
        """The same run cut after its first ``n_trials`` trials (at least 1)."""
        return self._head(check_int("n_trials", n_trials, minimum=1))

    def within_steps(self, budget: int) -> "PrunerRun":
        """The same run cut after the last trial that ended within ``budget`` training steps."""
        budget = check_int("budget", budget, minimum=1)
        ended_at = np.cumsum(self.trial_steps)
        return self._head(int(np.searchsorted(ended_at, budget, side="right")))

    def best_so_far(self, steps: Sequence[int]) -> np.ndarray:
        """Anytime curve: the best value of the trials that ended within each number of ``steps``.

        Parameters
        ----------
        steps : sequence of int
            Cumulative training steps at which to read the curve.

        Returns
        -------
        numpy.ndarray
            One value per entry of ``steps``; NaN where no trial had completed yet.
        """
        values = np.array(self.trial_values, dtype=float)
        if self.direction == "maximize":
            values = -values
        running = np.fmin.accumulate(np.where(np.isnan(values), np.inf, values)) if len(values) else values
        running = np.where(np.isinf(running), np.nan, running)
        ended_at = np.cumsum(self.trial_steps)
        curve = np.full(len(steps), np.nan)
        for i, budget in enumerate(steps):
            n_ended = int(np.searchsorted(ended_at, budget, side="right"))
            if n_ended:
                curve[i] = running[n_ended - 1]
        return -curve if self.direction == "maximize" else curve


def _tpe_sampler(seed: int) -> optuna.samplers.BaseSampler:
    return optuna.samplers.TPESampler(seed=seed)


def run_pruner(
    pruner_factory: Callable[[], optuna.pruners.BasePruner],
    objective: Callable[[optuna.trial.Trial], float],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    n_trials: int | None = None,
    step_budget: int | None = None,
    sampler_factory: Callable[[int], optuna.samplers.BaseSampler] = _tpe_sampler,
    direction: str = "minimize",
) -> list[PrunerRun]:
    """Run one pruner on ``objective`` once per seed and record every trial.

    Each seed gets a fresh in-memory study, a fresh pruner (pruners such as
    Hyperband keep state) and a sampler made by ``sampler_factory(seed)``. The
    study is named after the seed (``"run_pruner-seed-<seed>"``): Hyperband
    assigns trials to brackets by a hash of the study name, so an automatic
    (random) name would make its results change from run to run. A study stops
    after ``n_trials`` trials or as soon as its trials have spent
    ``step_budget`` training steps, whichever comes first; its last trial may
    end past the budget (:meth:`PrunerRun.within_steps` cuts it off).

    Parameters
    ----------
    pruner_factory : callable
        ``pruner_factory() -> BasePruner``, called once per seed, e.g.
        ``optuna.pruners.MedianPruner`` or ``lambda: PercentilePruner(25.0)``.
    objective : callable
        ``objective(trial) -> float`` that reports one intermediate value per
        training step, e.g. :meth:`SgdWorkload.objective`.
    seeds : sequence of int, default=(0, 1, 2)
        Sampler seeds, at least one.
    n_trials : int or None, default=None
        Trials per study, at least 1.
    step_budget : int or None, default=None
        Training steps per study, at least 1. At least one of ``n_trials`` and
        ``step_budget`` must be given.
    sampler_factory : callable, default=TPESampler(seed=seed)
        ``sampler_factory(seed) -> BaseSampler``.
    direction : {"minimize", "maximize"}, default="minimize"
        Direction of the study.

    Returns
    -------
    list of PrunerRun
        One record per seed, in the order of ``seeds``.
    """
    for name, function in (
        ("pruner_factory", pruner_factory),
        ("objective", objective),
        ("sampler_factory", sampler_factory),
    ):
        if not callable(function):
            raise TypeError(f"{name} must be callable, got {type(function).__name__}")
    seeds = [check_int("seeds[]", seed, minimum=0) for seed in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    if n_trials is None and step_budget is None:
        raise ValueError("give n_trials, step_budget or both")
    if n_trials is not None:
        n_trials = check_int("n_trials", n_trials, minimum=1)
    if step_budget is not None:
        step_budget = check_int("step_budget", step_budget, minimum=1)
    if direction not in ("minimize", "maximize"):
        raise ValueError(f"direction must be 'minimize' or 'maximize', got {direction!r}")

    def stop_at_budget(study: optuna.study.Study, trial: optuna.trial.FrozenTrial) -> None:
        spent = sum(len(t.intermediate_values) for t in study.get_trials(deepcopy=False))
        if step_budget is not None and spent >= step_budget:
            study.stop()

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
        study.optimize(objective, n_trials=n_trials, callbacks=[stop_at_budget])
        trials = study.get_trials(deepcopy=False)
        complete = optuna.trial.TrialState.COMPLETE
        runs.append(
            PrunerRun(
                seed=seed,
                trial_steps=tuple(len(t.intermediate_values) for t in trials),
                trial_values=tuple(float(t.value) if t.state == complete else float("nan") for t in trials),
                trial_params=tuple(dict(t.params) for t in trials),
                trial_seconds=tuple(t.duration.total_seconds() for t in trials),
                direction=direction,
            )
        )
    return runs


def paired_difference(
    values: Sequence[float], baseline: Sequence[float], *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Mean of ``values - baseline`` (paired by position) and its Student-t confidence interval.

    Parameters
    ----------
    values, baseline : sequence of float
        One value per seed each, in the same seed order, at least two, all finite.
    confidence : float, default=0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    tuple of float
        ``(mean, low, high)``; ``low == high == mean`` when every difference is the same.
    """
    values, baseline = np.asarray(values, dtype=float), np.asarray(baseline, dtype=float)
    if values.shape != baseline.shape or values.ndim != 1:
        raise ValueError(
            f"values and baseline must be paired, got shapes {values.shape} and {baseline.shape}"
        )
    if len(values) < 2:
        raise ValueError("values must hold at least two seeds")
    if not (np.all(np.isfinite(values)) and np.all(np.isfinite(baseline))):
        raise ValueError("values and baseline must be finite")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    differences = values - baseline
    mean = float(differences.mean())
    half_width = float(stats.t.ppf(0.5 + confidence / 2, len(differences) - 1) * stats.sem(differences))
    return mean, mean - half_width, mean + half_width


def equivalence_verdict(low: float, high: float, margin: float) -> str:
    """Read a confidence interval of ``pruned - baseline`` (lower is better) against ``+/- margin``.

    Parameters
    ----------
    low, high : float
        The interval, ``low <= high``.
    margin : float
        The largest difference that counts as equal quality, positive.

    Returns
    -------
    str
        ``"equal"`` if the interval lies inside ``[-margin, margin]``, ``"worse"`` if it
        lies above ``margin``, ``"better"`` if it lies below ``-margin``, otherwise
        ``"cannot tell"`` (the interval contains a margin: more seeds would be needed).
    """
    if not margin > 0:
        raise ValueError(f"margin must be positive, got {margin}")
    if not low <= high:
        raise ValueError(f"low must not exceed high, got {low} > {high}")
    if -margin <= low and high <= margin:
        return "equal"
    if low > margin:
        return "worse"
    if high < -margin:
        return "better"
    return "cannot tell"


def summarize_pruner_runs(
    runs: Mapping[str, Sequence[PrunerRun]],
    *,
    baseline: str,
    margin: float,
    test_score: Callable[[Mapping[str, Any]], float] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per pruner: what it spent and its quality, paired seed by seed with the baseline.

    Quality is the best value of each run; with ``test_score`` it is the held-out
    score of each run's best parameters instead (the value the study selected
    on is then optimistic). The paired difference to the baseline, its
    ``confidence`` interval (:func:`paired_difference`) and the verdict of
    :func:`equivalence_verdict` against ``margin`` are computed on that quality.

    Parameters
    ----------
    runs : mapping of str to sequence of PrunerRun
        Pruner name to its runs, one per seed, every pruner with the same seeds in the same order.
    baseline : str
        Name in ``runs`` to compare against (usually the no-pruning run).
    margin : float
        The largest difference of quality that counts as equal, positive.
    test_score : callable or None, default=None
        ``test_score(best_params) -> float``, lower is better.
    confidence : float, default=0.95
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by pruner name: ``trials``, ``pruned`` (fraction of trials), ``steps``,
        ``seconds`` (means over seeds), ``steps_saved`` (fraction of the baseline's steps
        not spent), ``speedup`` (baseline seconds / seconds), ``best_mean``, ``best_std``
        (best value over seeds), ``quality_mean``, ``quality_std`` (the quality over
        seeds), ``diff_mean``, ``diff_low``, ``diff_high`` and ``verdict``.
    """
    if not runs:
        raise ValueError("runs must name at least one pruner")
    if baseline not in runs:
        raise ValueError(f"baseline must be one of {sorted(runs)}, got {baseline!r}")
    baseline_seeds = [run.seed for run in runs[baseline]]
    for name, pruner_runs in runs.items():
        if [run.seed for run in pruner_runs] != baseline_seeds:
            raise ValueError(f"runs[{name!r}] must hold the seeds {baseline_seeds} of the baseline")

    def quality(run: PrunerRun) -> float:
        if test_score is None or run.best_params is None:
            return run.best_value
        return float(test_score(run.best_params))

    qualities = {name: [quality(run) for run in pruner_runs] for name, pruner_runs in runs.items()}
    rows = {}
    for name, pruner_runs in runs.items():
        best = np.array([run.best_value for run in pruner_runs], dtype=float)
        mean, low, high = paired_difference(qualities[name], qualities[baseline], confidence=confidence)
        rows[name] = {
            "trials": float(np.mean([run.n_trials for run in pruner_runs])),
            "pruned": float(np.mean([run.n_pruned / run.n_trials for run in pruner_runs])),
            "steps": float(np.mean([run.steps for run in pruner_runs])),
            "seconds": float(np.mean([run.seconds for run in pruner_runs])),
            "best_mean": float(best.mean()),
            "best_std": float(best.std(ddof=1)),
            "quality_mean": float(np.mean(qualities[name])),
            "quality_std": float(np.std(qualities[name], ddof=1)),
            "diff_mean": mean,
            "diff_low": low,
            "diff_high": high,
            "verdict": "baseline" if name == baseline else equivalence_verdict(low, high, margin),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.insert(4, "steps_saved", 1.0 - table["steps"] / table.loc[baseline, "steps"])
    table.insert(5, "speedup", table.loc[baseline, "seconds"] / table["seconds"])
    return table
