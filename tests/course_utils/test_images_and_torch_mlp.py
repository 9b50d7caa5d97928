"""Digits as a torchvision dataset, the MLP builder and its loops, and the lecture-07 study."""

import optuna
import pytest
import torch
from torchvision import transforms

from course_utils.images import DigitsDataset, dataset_to_tensors, fashion_mnist_if_present, train_valid_split
from course_utils.torch_mlp import build_mlp, evaluate_accuracy, train_one_epoch
from course_utils.visual_study import (
    DigitsMLPObjective,
    build_digits_mlp_study,
    load_digits_tensors,
    study_at_step,
)


def test_digits_dataset_yields_uint8_images_and_applies_transforms():
    raw = DigitsDataset()
    image, label = raw[0]
    assert len(raw) == 1797 and image.shape == (8, 8) and image.dtype.name == "uint8" and label == 0
    tensor, _ = DigitsDataset(transform=transforms.ToTensor())[0]
    assert tensor.shape == (1, 8, 8) and 0.0 <= tensor.min() and tensor.max() <= 1.0


def test_dataset_to_tensors_stacks_and_limits():
    X, y = dataset_to_tensors(DigitsDataset(transform=transforms.ToTensor()), limit=10)
    assert X.shape == (10, 1, 8, 8) and y.dtype == torch.int64


def test_dataset_to_tensors_asks_for_a_tensor_transform():
    with pytest.raises(TypeError, match="give it a transform"):
        dataset_to_tensors(DigitsDataset(), limit=1)


def test_fashion_mnist_is_none_when_its_files_are_absent(tmp_path):
    assert fashion_mnist_if_present(tmp_path) is None
    assert not any(tmp_path.iterdir()), "nothing may be downloaded"


def test_train_valid_split_is_a_seeded_partition():
    X, y = torch.arange(20.0).reshape(10, 2), torch.arange(10)
    first = train_valid_split(X, y, valid_fraction=0.3, seed=1)
    again = train_valid_split(X, y, valid_fraction=0.3, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert len(first[3]) == 3 and sorted(torch.cat([first[1], first[3]]).tolist()) == list(range(10))


@pytest.mark.parametrize("valid_fraction", [0.0, 1.0])
def test_train_valid_split_rejects_empty_parts(valid_fraction):
    with pytest.raises(ValueError, match="valid_fraction"):
        train_valid_split(torch.zeros(4, 1), torch.zeros(4), valid_fraction=valid_fraction)


@pytest.mark.parametrize("hidden_units, n_linear", [([], 1), ([5], 2), ([5, 4, 3], 4)])
def test_build_mlp_has_one_linear_layer_per_hidden_layer_plus_output(hidden_units, n_linear):
    model = build_mlp(64, hidden_units, 10)
    assert sum(isinstance(m, torch.nn.Linear) for m in model) == n_linear
    assert model(torch.zeros(2, 1, 8, 8)).shape == (2, 10)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_classes": 1}, "n_classes must be >= 2"),
        ({"hidden_units": "32"}, "hidden_units must be a sequence"),
        ({"dropout": 1.0}, "dropout must be in"),
    ],
)
def test_build_mlp_names_the_bad_argument(kwargs, message):
    arguments = {"n_inputs": 4, "hidden_units": [3], "n_classes": 2} | kwargs
    with pytest.raises((TypeError, ValueError), match=message):
        build_mlp(**arguments)


def test_training_epochs_lower_the_loss_and_beat_chance():
    torch.manual_seed(0)
    X_train, y_train, X_valid, y_valid, _, _ = load_digits_tensors()
    model = build_mlp(64, [32], 10)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    shuffle = torch.Generator().manual_seed(0)
    losses = [train_one_epoch(model, optimizer, X_train, y_train, generator=shuffle) for _ in range(3)]
    assert losses[-1] < losses[0]
    assert evaluate_accuracy(model, X_valid, y_valid) > 0.8


def test_build_digits_mlp_study_is_reproducible():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    first = build_digits_mlp_study(None, n_trials=2)
    second = build_digits_mlp_study(None, n_trials=2)
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    assert [t.value for t in first.trials] == [t.value for t in second.trials]
    assert first.study_name == "digits-mlp" and first.direction == optuna.study.StudyDirection.MAXIMIZE


def test_load_digits_tensors_holds_out_a_seeded_test_set():
    splits = load_digits_tensors(seed=3)
    again = load_digits_tensors(seed=3)
    assert [len(part) for part in splits[1::2]] == [1007, 431, 359]
    assert all(torch.equal(a, b) for a, b in zip(splits, again))
    assert not torch.equal(splits.y_test, load_digits_tensors(seed=4).y_test)


def test_fit_on_a_finished_trial_trains_the_same_network_again():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = build_digits_mlp_study(None, n_trials=2, n_epochs=2)
    splits = load_digits_tensors()
    objective = DigitsMLPObjective(*splits[:4], n_epochs=2)
    model = objective.fit(study.best_trial, report=False)
    assert evaluate_accuracy(model, splits.X_valid, splits.y_valid) == study.best_value


def test_build_digits_mlp_study_runs_every_trial_with_two_workers():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = build_digits_mlp_study(None, n_trials=3, n_epochs=1, n_jobs=2)
    assert len(study.trials) == 3 and all(t.state.is_finished() for t in study.trials)


def test_study_at_step_completes_every_trial_that_reported_the_step_with_that_value():
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        for step in range(3):
            trial.report(x + step, step)
        if trial.number % 2:
            raise optuna.TrialPruned()
        return x + 2

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=4)
    copy = study_at_step(study, 1)
    assert [t.state for t in copy.trials] == [optuna.trial.TrialState.COMPLETE] * 4
    assert [t.value for t in copy.trials] == [t.params["x"] + 1 for t in study.trials]
    assert [t.params for t in copy.trials] == [t.params for t in study.trials]
    assert copy.direction == study.direction
