"""The study lecture 07 visualizes: an MLP on scikit-learn's digits, tuned with pruning.

Kept here so that the lecture, its tests and the browser tests (which open
optuna-dashboard on the same study) build exactly the same study::

    from course_utils.visual_study import build_digits_mlp_study
    study = build_digits_mlp_study(storage)
"""

import optuna
import torch
from optuna.storages import BaseStorage
from torchvision import transforms

from course_utils._validation import check_int
from course_utils.images import DigitsDataset, dataset_to_tensors, train_valid_split
from course_utils.torch_mlp import build_mlp, evaluate_accuracy, train_one_epoch

STUDY_NAME = "digits-mlp"
N_TRIALS = 30
N_EPOCHS = 10
SEED = 13

#: Mean and standard deviation of the digits' pixels after ToTensor (0..1), rounded.
DIGITS_MEAN, DIGITS_STD = 0.305, 0.375


def load_digits_tensors(seed: int = SEED) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Load the digits through torchvision transforms once, and split them 70 % / 30 %.

    Parameters
    ----------
    seed : int, default=13
        Seed of the split.

    Returns
    -------
    X_train, y_train, X_valid, y_valid : torch.Tensor
        Images of shape (n, 1, 8, 8), normalized, and their labels.
    """
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((DIGITS_MEAN,), (DIGITS_STD,))]
    )
    X, y = dataset_to_tensors(DigitsDataset(transform=transform))
    return train_valid_split(X, y, valid_fraction=0.3, seed=seed)


class DigitsMLPObjective:
    """Objective: validation accuracy of an MLP whose depth, width and learning rate a trial picks.

    It reports the accuracy after every epoch, so a pruner can stop a
    hopeless trial early. The data are given once, not loaded in each trial.

    Parameters
    ----------
    X_train, y_train, X_valid, y_valid : torch.Tensor
        The data, as returned by :func:`load_digits_tensors`.
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
        n_layers = trial.suggest_int("n_layers", 1, 3)
        n_units = trial.suggest_int("n_units", 8, 128, log=True)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)

        torch.manual_seed(self.seed + trial.number)
        model = build_mlp(self.X_train[0].numel(), [n_units] * n_layers, n_classes=10)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        shuffle = torch.Generator().manual_seed(self.seed + trial.number)
        accuracy = 0.0
        for epoch in range(self.n_epochs):
            train_one_epoch(model, optimizer, self.X_train, self.y_train, batch_size=64, generator=shuffle)
            accuracy = evaluate_accuracy(model, self.X_valid, self.y_valid)
            trial.report(accuracy, step=epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return accuracy


def build_digits_mlp_study(
    storage: BaseStorage | str | None,
    *,
    study_name: str = STUDY_NAME,
    n_trials: int = N_TRIALS,
    seed: int = SEED,
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
    n_trials : int, default=30
        Number of trials, at least 1.
    seed : int, default=13
        Seed of the sampler, the data split and the networks.

    Returns
    -------
    optuna.Study
        The finished study.
    """
    n_trials = check_int("n_trials", n_trials, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if not isinstance(study_name, str) or not study_name:
        raise TypeError(f"study_name must be a non-empty str, got {study_name!r}")
    torch.set_num_threads(1)  # reproducible sums, and no oversubscription on small cores
    objective = DigitsMLPObjective(*load_digits_tensors(seed), seed=seed)
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2),
    )
    study.optimize(objective, n_trials=n_trials)
    return study
