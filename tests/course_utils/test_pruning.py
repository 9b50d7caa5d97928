"""run_pruner counts what a study spent; summarize_pruner_runs compares pruners to a baseline."""

import math

import optuna
import pytest

from course_utils.pruning import PrunerRun, make_sgd_workload, run_pruner, summarize_pruner_runs

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _curve_objective(trial):
    """Ten steps of a curve that settles at (x - 1)**2; reports once per step."""
    x = trial.suggest_float("x", -3, 3)
    value = float("nan")
    for step in range(10):
        value = (x - 1) ** 2 + 1.0 / (step + 1)
        trial.report(value, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return value


def test_without_pruning_every_trial_spends_every_step():
    runs = run_pruner(optuna.pruners.NopPruner, _curve_objective, seeds=(0, 1), n_trials=6)
    assert [run.seed for run in runs] == [0, 1]
    for run in runs:
        assert (run.n_trials, run.n_pruned, run.steps) == (6, 0, 60)
        assert run.seconds >= 0
        assert run.best_value >= 0.1


def test_a_pruner_that_stops_trials_spends_fewer_steps_than_no_pruning():
    baseline = run_pruner(optuna.pruners.NopPruner, _curve_objective, seeds=(0,), n_trials=12)
    pruned = run_pruner(
        lambda: optuna.pruners.MedianPruner(n_startup_trials=2), _curve_objective, seeds=(0,), n_trials=12
    )
    assert pruned[0].n_pruned > 0
    assert pruned[0].steps < baseline[0].steps


@pytest.mark.parametrize(
    "pruner_factory",
    [
        lambda: optuna.pruners.MedianPruner(n_startup_trials=2),
        # Hyperband picks brackets from a hash of the study name: a random name would break this
        lambda: optuna.pruners.HyperbandPruner(min_resource=1, max_resource=10, reduction_factor=2),
    ],
    ids=["median", "hyperband"],
)
def test_the_same_seed_gives_the_same_steps_and_best_value(pruner_factory):
    first, second = (run_pruner(pruner_factory, _curve_objective, seeds=(3,), n_trials=12)[0] for _ in range(2))
    assert (first.steps, first.n_pruned, first.best_value) == (second.steps, second.n_pruned, second.best_value)


def test_a_study_whose_trials_are_all_pruned_reports_nan_as_best_value():
    runs = run_pruner(lambda: optuna.pruners.ThresholdPruner(upper=0.0), _curve_objective, seeds=(0,), n_trials=3)
    assert runs[0].n_pruned == 3
    assert math.isnan(runs[0].best_value)


def test_sgd_workload_reports_one_loss_per_epoch_and_returns_the_last():
    objective = make_sgd_workload(n_steps=4)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=2)
    for trial in study.trials:
        assert sorted(trial.intermediate_values) == [0, 1, 2, 3]
        assert trial.value == trial.intermediate_values[3]
        assert 0 < trial.value < 10


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"pruner_factory": "median"}, TypeError, "pruner_factory must be callable"),
        ({"objective": None}, TypeError, "objective must be callable"),
        ({"seeds": ()}, ValueError, "seeds must hold at least one seed"),
        ({"seeds": (-1,)}, ValueError, "seeds"),
        ({"n_trials": 0}, ValueError, "n_trials must be >= 1"),
        ({"direction": "up"}, ValueError, "direction must be"),
        ({"pruner_factory": lambda: "not a pruner"}, TypeError, "must return an optuna pruner"),
    ],
)
def test_run_pruner_names_the_bad_argument(kwargs, error, message):
    arguments = {"pruner_factory": optuna.pruners.NopPruner, "objective": _curve_objective, "n_trials": 1}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        run_pruner(**arguments)


@pytest.mark.parametrize("kwargs", [{"n_steps": 0}, {"random_state": -1}])
def test_sgd_workload_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        make_sgd_workload(**kwargs)


def _run(seed, steps, seconds, best, n_pruned=0):
    return PrunerRun(seed=seed, n_trials=4, n_pruned=n_pruned, steps=steps, seconds=seconds, best_value=best)


def test_summary_averages_over_seeds_and_compares_to_the_baseline():
    runs = {
        "none": [_run(0, 40, 2.0, 0.10), _run(1, 40, 2.0, 0.30)],
        "median": [_run(0, 10, 0.5, 0.10, n_pruned=2), _run(1, 30, 1.5, 0.30, n_pruned=1)],
    }
    table = summarize_pruner_runs(runs, baseline="none")
    assert list(table.index) == ["none", "median"]
    assert table.loc["median", "steps"] == 20
    assert table.loc["median", "pruned"] == pytest.approx(0.375)
    assert table.loc["median", "best_mean"] == pytest.approx(0.2)
    assert table.loc["median", "best_std"] == pytest.approx(0.1)
    assert table.loc["median", "steps_saved"] == pytest.approx(0.5)
    assert table.loc["median", "speedup"] == pytest.approx(2.0)
    assert table.loc["none", "steps_saved"] == 0


def test_summary_without_baseline_has_no_relative_columns():
    table = summarize_pruner_runs({"none": [_run(0, 40, 2.0, 0.1)]})
    assert "speedup" not in table.columns


@pytest.mark.parametrize(
    "runs, baseline, message",
    [
        ({}, None, "runs must name at least one pruner"),
        ({"none": []}, None, r"runs\['none'\] holds no run"),
        ({"none": [_run(0, 1, 1.0, 0.1)]}, "nop", "baseline must be one of"),
    ],
)
def test_summary_names_the_bad_argument(runs, baseline, message):
    with pytest.raises(ValueError, match=message):
        summarize_pruner_runs(runs, baseline=baseline)
