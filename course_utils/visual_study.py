"""The study lecture 07 visualizes: an MLP on scikit-learn's digits, tuned with pruning.

Kept here so that the lecture, its tests and the browser tests (which open
optuna-dashboard on the same study) build exactly the same study::

    from course_utils.visual_study import build_digits_mlp_study
    study = build_digits_mlp_study(storage)
"""

from typing import NamedTuple

import optuna
import torch
from optuna.storages import BaseStorage
from torch import nn
from torchvision import transforms

from course_utils._validation import check_int
from course_utils.images import DigitsDataset, dataset_to_tensors, train_valid_split
from course_utils.torch_mlp import build_mlp, evaluate_accuracy, train_one_epoch

STUDY_NAME = "digits-mlp"
N_TRIALS = 40
N_EPOCHS = 10
SEED = 13

#: Mean and standard deviation of the digits' pixels after ToTensor (0..1), rounded.
DIGITS_MEAN, DIGITS_STD = 0.305, 0.375


class DigitsSplits(NamedTuple):
    """The digits cut into a training, a validation and a held-out test part."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_valid: torch.Tensor
    y_valid: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def load_digits_tensors(seed: int = SEED) -> DigitsSplits:
    """Load the digits through torchvision transforms once, and split them.

    20 % of the images are held out as a test set that no trial sees; the
    rest is split 70 % / 30 % into training and validation images.

    Parameters
    ----------
    seed : int, default=13
        Seed of both splits.

    Returns
    -------
    DigitsSplits
        Images of shape (n, 1, 8, 8), normalized, and their labels.
    """
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((DIGITS_MEAN,), (DIGITS_STD,))]
    )
    X, y = dataset_to_tensors(DigitsDataset(transform=transform))
    X_rest, y_rest, X_test, y_test = train_valid_split(X, y, valid_fraction=0.2, seed=seed)
    return DigitsSplits(*train_valid_split(X_rest, y_rest, valid_fraction=0.3, seed=seed), X_test, y_test)


class DigitsMLPObjective:
    """Objective: validation accuracy of an MLP whose depth, width and learning rate a trial picks.

    It reports the accuracy after every epoch, so a pruner can stop a
    hopeless trial early. The data are given once, not loaded in each trial.

    Parameters
    ----------
    X_train, y_train, X_valid, y_valid : torch.Tensor
        Training and validation data, as in :func:`load_digits_tensors`.
    n_epochs : int, default=10
        Epochs of a trial that is not pruned.
    seed : int, default=13
        Base seed; trial ``k`` initializes and shuffles with ``seed + k``.
    """

    def __init__(
        self,
        X_train: torch.Tensor,
        y_train: torch.Tensor,
        X_valid: torch.Tensor,
        y_valid: torch.Tensor,
        *,
        n_epochs: int = N_EPOCHS,
        seed: int = SEED,
    ) -> None:
        self.X_train, self.y_train, self.X_valid, self.y_valid = X_train, y_train, X_valid, y_valid
        self.n_epochs = check_int("n_epochs", n_epochs, minimum=1)
        self.seed = check_int("seed", seed, minimum=0)

    def __call__(self, trial: optuna.Trial) -> float:
        return evaluate_accuracy(self.fit(trial), self.X_valid, self.y_valid)

    def fit(self, trial: optuna.Trial | optuna.trial.FrozenTrial, *, report: bool = True) -> nn.Sequential:
        """Train the network ``trial`` describes and return it.

        Parameters
        ----------
        trial : optuna.Trial or optuna.trial.FrozenTrial
            A running trial picks the hyperparameters; a finished one (e.g.
            ``study.best_trial``) gives back its own, and the same seed
            trains the same network again.
        report : bool, default=True
            Report the validation accuracy after each epoch and stop when the
            pruner says so (``optuna.TrialPruned``). Multi-objective trials
            cannot report: pass False.

        Returns
        -------
        torch.nn.Sequential
            The trained network.
        """
        n_layers = trial.suggest_int("n_layers", 1, 3)
        n_units = trial.suggest_int("n_units", 8, 128, log=True)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)

        torch.manual_seed(self.seed + trial.number)
        model = build_mlp(self.X_train[0].numel(), [n_units] * n_layers, n_classes=10)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        shuffle = torch.Generator().manual_seed(self.seed + trial.number)
        for epoch in range(self.n_epochs):
            train_one_epoch(model, optimizer, self.X_train, self.y_train, batch_size=64, generator=shuffle)
            if report:
                trial.report(evaluate_accuracy(model, self.X_valid, self.y_valid), step=epoch)
                if trial.should_prune():
                    raise optuna.TrialPruned()
        return model


def build_digits_mlp_study(
    storage: BaseStorage | str | None,
    *,
    study_name: str = STUDY_NAME,
    n_trials: int = N_TRIALS,
    n_epochs: int = N_EPOCHS,
    seed: int = SEED,
    sampler: optuna.samplers.BaseSampler | None = None,
    n_jobs: int = 1,
) -> optuna.Study:
    """Create the lecture's study in ``storage`` and run its trials.

    A fixed number of trials (no timeout), a seeded TPE sampler and a median
    pruner: the same storage content on every machine, however fast.

    Parameters
    ----------
    storage : optuna.storages.BaseStorage, str or None
        Where to store the study (None: in memory). A study named
        ``study_name`` must not exist there yet.
    study_name : str, default="digits-mlp"
        The study's name.
    n_trials : int, default=40
        Number of trials, at least 1.
    n_epochs : int, default=10
        Epochs of a trial that is not pruned.
    seed : int, default=13
        Seed of the sampler, the data split and the networks.
    sampler : optuna.samplers.BaseSampler, optional
        Another sampler than ``TPESampler(seed=seed)``.
    n_jobs : int, default=1
        Trials run at the same time, in threads. With more than one, Optuna
        reseeds the sampler for every trial: the study is not reproducible.

    Returns
    -------
    optuna.Study
        The finished study.
    """
    n_trials = check_int("n_trials", n_trials, minimum=1)
    n_jobs = check_int("n_jobs", n_jobs, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if not isinstance(study_name, str) or not study_name:
        raise TypeError(f"study_name must be a non-empty str, got {study_name!r}")
    torch.set_num_threads(1)  # reproducible sums, and no oversubscription on small cores
    splits = load_digits_tensors(seed)
    objective = DigitsMLPObjective(*splits[:4], n_epochs=n_epochs, seed=seed)
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        direction="maximize",
        sampler=sampler if sampler is not None else optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2),
    )
    study.optimize(objective, n_trials=n_trials, n_jobs=n_jobs)
    return study


def study_at_step(study: optuna.Study, step: int) -> optuna.Study:
    """Return an in-memory study of every trial that reported ``step``, completed with that value.

    Optuna's importances and most plots read completed trials only; a pruned
    trial drops out even though it was judged at the same step as the
    others. This copy keeps each trial's parameters and puts the value it
    reported at ``step`` as its objective, so all of them count.

    Parameters
    ----------
    study : optuna.Study
        A single-objective study whose trials report intermediate values.
    step : int
        The step, at least 0.

    Returns
    -------
    optuna.Study
        A new study with the same direction, one complete trial per trial that reported ``step``.
    """
    step = check_int("step", step, minimum=0)
    copy = optuna.create_study(direction=study.direction)
    copy.add_trials(
        optuna.trial.create_trial(
            params=trial.params, distributions=trial.distributions, value=trial.intermediate_values[step]
        )
        for trial in study.trials
        if step in trial.intermediate_values
    )
    return copy
