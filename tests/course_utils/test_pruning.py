"""run_pruner records every trial; a PrunerRun is read at equal trials, equal steps or as a curve;
paired_difference / equivalence_verdict / summarize_pruner_runs compare pruners with a baseline."""

import math

import numpy as np
import optuna
import pytest

from course_utils.pruning import (
    PrunerRun,
    SgdWorkload,
    equivalence_verdict,
    paired_difference,
    run_pruner,
    summarize_pruner_runs,
)

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


def _median():
    return optuna.pruners.MedianPruner(n_startup_trials=2)


def test_without_pruning_every_trial_spends_every_step():
    runs = run_pruner(optuna.pruners.NopPruner, _curve_objective, seeds=(0, 1), n_trials=6)
    assert [run.seed for run in runs] == [0, 1]
    for run in runs:
        assert (run.n_trials, run.n_pruned, run.steps) == (6, 0, 60)
        assert run.seconds >= 0 and len(run.trial_seconds) == 6
        assert run.best_value >= 0.1
        assert run.best_value == min(run.trial_values)
        assert run.best_params == run.trial_params[run.trial_values.index(run.best_value)]


def test_a_pruner_that_stops_trials_spends_fewer_steps_than_no_pruning():
    baseline = run_pruner(optuna.pruners.NopPruner, _curve_objective, seeds=(0,), n_trials=12)
    pruned = run_pruner(_median, _curve_objective, seeds=(0,), n_trials=12)
    assert pruned[0].n_pruned > 0
    assert pruned[0].steps < baseline[0].steps
    run = pruned[0]
    assert all(math.isnan(value) == (steps < 10) for value, steps in zip(run.trial_values, run.trial_steps))


def test_a_step_budget_stops_the_study_once_the_budget_is_spent():
    run = run_pruner(_median, _curve_objective, seeds=(0,), step_budget=45)[0]
    ended_at = np.cumsum(run.trial_steps)
    assert ended_at[-1] >= 45 > ended_at[-2]


def test_a_budgeted_run_starts_with_the_trials_of_a_run_of_fixed_length():
    by_trials = run_pruner(_median, _curve_objective, seeds=(4,), n_trials=8)[0]
    by_budget = run_pruner(_median, _curve_objective, seeds=(4,), step_budget=200)[0]
    assert by_budget.n_trials > 8
    assert by_budget.first_trials(8).trial_steps == by_trials.trial_steps
    assert by_budget.first_trials(8).trial_params == by_trials.trial_params


def _run(steps, values, seed=0, seconds=None):
    params = tuple({"x": float(i)} for i in range(len(steps)))
    seconds = seconds if seconds is not None else (0.1,) * len(steps)
    return PrunerRun(
        seed=seed,
        trial_steps=tuple(steps),
        trial_values=tuple(values),
        trial_params=params,
        trial_seconds=seconds,
    )


def test_within_steps_keeps_the_trials_that_ended_within_the_budget():
    run = _run([10, 3, 10, 3], [0.5, math.nan, 0.2, math.nan])
    assert run.within_steps(13).n_trials == 2
    assert run.within_steps(22).n_trials == 2
    assert run.within_steps(23).best_value == 0.2
    assert run.within_steps(2).n_trials == 0


def test_best_so_far_is_nan_before_the_first_complete_trial_then_the_running_best():
    run = _run([3, 10, 10, 10], [math.nan, 0.5, 0.7, 0.2])
    curve = run.best_so_far([1, 3, 12, 13, 23, 33, 40])
    assert np.isnan(curve[:3]).all()
    assert curve[3:].tolist() == [0.5, 0.5, 0.2, 0.2]


def test_a_maximizing_run_takes_the_largest_value_as_best():
    run = PrunerRun(
        seed=0,
        trial_steps=(1, 1),
        trial_values=(0.3, 0.9),
        trial_params=({"x": 0.0}, {"x": 1.0}),
        trial_seconds=(0.1, 0.1),
        direction="maximize",
    )
    assert run.best_value == 0.9 and run.best_params == {"x": 1.0}
    assert run.best_so_far([1, 2]).tolist() == [0.3, 0.9]


@pytest.mark.parametrize(
    "pruner_factory",
    [
        _median,
        # Hyperband picks brackets from a hash of the study name: a random name would break this
        lambda: optuna.pruners.HyperbandPruner(min_resource=1, max_resource=10, reduction_factor=2),
    ],
    ids=["median", "hyperband"],
)
def test_the_same_seed_gives_the_same_trials(pruner_factory):
    first, second = (
        run_pruner(pruner_factory, _curve_objective, seeds=(3,), n_trials=12)[0] for _ in range(2)
    )
    assert (first.trial_steps, first.trial_params) == (second.trial_steps, second.trial_params)
    assert np.array_equal(first.trial_values, second.trial_values, equal_nan=True)


def test_a_study_whose_trials_are_all_pruned_has_no_best_trial():
    def prune_everything():
        return optuna.pruners.ThresholdPruner(upper=0.0)

    runs = run_pruner(prune_everything, _curve_objective, seeds=(0,), n_trials=3)
    assert runs[0].n_pruned == 3
    assert math.isnan(runs[0].best_value) and runs[0].best_params is None


def test_sgd_workload_reports_one_loss_per_epoch_and_returns_the_last():
    workload = SgdWorkload(n_steps=4)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(workload.objective, n_trials=2)
    for trial in study.trials:
        assert sorted(trial.intermediate_values) == [0, 1, 2, 3]
        assert trial.value == trial.intermediate_values[3]
        assert 0 < trial.value < 10


def test_sgd_workload_learns_and_scores_the_same_parameters_the_same_on_the_test_part():
    workload = SgdWorkload(n_steps=10)
    params = {"alpha": 1e-4, "eta0": 0.1}
    untrained = math.log(2)  # log-loss of the all-zero model
    assert workload.test_log_loss(params) == workload.test_log_loss(params) < 0.5 * untrained


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"pruner_factory": "median"}, TypeError, "pruner_factory must be callable"),
        ({"objective": None}, TypeError, "objective must be callable"),
        ({"seeds": ()}, ValueError, "seeds must hold at least one seed"),
        ({"seeds": (-1,)}, ValueError, "seeds"),
        ({"n_trials": 0}, ValueError, "n_trials must be >= 1"),
        ({"n_trials": None}, ValueError, "give n_trials, step_budget or both"),
        ({"step_budget": 0}, ValueError, "step_budget must be >= 1"),
        ({"direction": "up"}, ValueError, "direction must be"),
        ({"pruner_factory": lambda: "not a pruner"}, TypeError, "must return an optuna pruner"),
    ],
)
def test_run_pruner_names_the_bad_argument(kwargs, error, message):
    arguments = {"pruner_factory": optuna.pruners.NopPruner, "objective": _curve_objective, "n_trials": 1}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        run_pruner(**arguments)


@pytest.mark.parametrize("kwargs", [{"n_steps": 0}, {"random_state": -1}, {"batch_size": 0}])
def test_sgd_workload_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        SgdWorkload(**kwargs)


def test_paired_difference_is_the_mean_difference_with_a_student_t_interval():
    mean, low, high = paired_difference([1.0, 2.0, 4.0], [0.0, 0.0, 0.0])
    half_width = 4.302653 * math.sqrt(7 / 3) / math.sqrt(3)  # t(0.975, 2 df) * sd / sqrt(n)
    assert mean == pytest.approx(7 / 3)
    assert (low, high) == pytest.approx((7 / 3 - half_width, 7 / 3 + half_width), rel=1e-5)


def test_paired_difference_of_a_constant_shift_has_no_width():
    assert paired_difference([0.3, 0.5], [0.1, 0.3]) == pytest.approx((0.2, 0.2, 0.2))


@pytest.mark.parametrize(
    "values, baseline, message",
    [
        ([1.0, 2.0], [1.0], "paired"),
        ([1.0], [1.0], "at least two"),
        ([1.0, math.nan], [1.0, 1.0], "finite"),
    ],
)
def test_paired_difference_names_the_bad_argument(values, baseline, message):
    with pytest.raises(ValueError, match=message):
        paired_difference(values, baseline)


@pytest.mark.parametrize(
    "low, high, verdict",
    [
        (-0.5, 0.5, "equal"),
        (1.5, 2.0, "worse"),
        (-2.0, -1.5, "better"),
        (0.5, 1.5, "cannot tell"),
        (-2.0, 2.0, "cannot tell"),
    ],
)
def test_equivalence_verdict_reads_the_interval_against_the_margin(low, high, verdict):
    assert equivalence_verdict(low, high, margin=1.0) == verdict


def test_equivalence_verdict_rejects_a_margin_that_is_not_positive():
    with pytest.raises(ValueError, match="margin must be positive"):
        equivalence_verdict(0.0, 0.0, margin=0.0)


def _runs(values_per_seed, steps):
    return [_run(steps, values, seed=seed) for seed, values in enumerate(values_per_seed)]


def test_summary_pairs_each_pruner_with_the_baseline_seed_by_seed():
    runs = {
        "none": _runs([[0.10, 0.20], [0.30, 0.40]], [10, 10]),
        "median": _runs([[0.11, math.nan], [0.31, math.nan]], [10, 2]),
    }
    table = summarize_pruner_runs(runs, baseline="none", margin=0.05)
    assert list(table.index) == ["none", "median"]
    assert table.loc["median", "steps"] == 12 and table.loc["median", "steps_saved"] == pytest.approx(0.4)
    assert table.loc["median", "pruned"] == pytest.approx(0.5)
    assert table.loc["median", "best_mean"] == pytest.approx(0.21)
    assert table.loc["median", "diff_mean"] == pytest.approx(0.01)
    assert table.loc["median", "verdict"] == "equal"
    assert table.loc["none", "verdict"] == "baseline" and table.loc["none", "diff_mean"] == 0


def test_summary_with_a_test_score_judges_the_best_parameters_on_it():
    runs = {"none": _runs([[0.1, 0.2], [0.1, 0.2]], [1, 1]), "other": _runs([[0.2, 0.1], [0.2, 0.1]], [1, 1])}
    # the best trial of "none" is trial 0 (x = 0), of "other" trial 1 (x = 1); the test score is 10 * x
    table = summarize_pruner_runs(runs, baseline="none", margin=1.0, test_score=lambda p: 10 * p["x"])
    assert table.loc["other", "quality_mean"] == 10 and table.loc["none", "quality_mean"] == 0
    assert table.loc["other", "verdict"] == "worse"


@pytest.mark.parametrize(
    "runs, baseline, message",
    [
        ({}, "none", "runs must name at least one pruner"),
        ({"none": _runs([[0.1], [0.2]], [1])}, "nop", "baseline must be one of"),
        ({"none": _runs([[0.1], [0.2]], [1]), "median": _runs([[0.1]], [1])}, "none", "must hold the seeds"),
    ],
)
def test_summary_names_the_bad_argument(runs, baseline, message):
    with pytest.raises(ValueError, match=message):
        summarize_pruner_runs(runs, baseline=baseline, margin=0.1)
