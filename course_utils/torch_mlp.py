"""A small PyTorch multi-layer perceptron with its training and evaluation loops.

Inputs are tensors already in memory (see :mod:`course_utils.images`); every
image is flattened, so any image shape works.
"""

from collections.abc import Sequence

import torch
from torch import nn

from course_utils._validation import check_int


def build_mlp(
    n_inputs: int, hidden_units: Sequence[int], n_classes: int, *, dropout: float = 0.0
) -> nn.Sequential:
    """Build ``Flatten -> [Linear -> ReLU -> Dropout] * len(hidden_units) -> Linear``.

    The output layer gives one logit per class (use ``nn.CrossEntropyLoss``).

    Parameters
    ----------
    n_inputs : int
        Number of input features (pixels of a flattened image), at least 1.
    hidden_units : sequence of int
        Width of each hidden layer; may be empty (a linear model).
    n_classes : int
        Number of classes, at least 2.
    dropout : float, default=0.0
        Dropout probability after each hidden layer, in [0, 1).

    Returns
    -------
    torch.nn.Sequential
        The untrained network.
    """
    n_inputs = check_int("n_inputs", n_inputs, minimum=1)
    n_classes = check_int("n_classes", n_classes, minimum=2)
    if isinstance(hidden_units, (str, bytes)) or not isinstance(hidden_units, Sequence):
        raise TypeError(f"hidden_units must be a sequence of ints, got {type(hidden_units).__name__}")
    widths = [check_int(f"hidden_units[{i}]", width, minimum=1) for i, width in enumerate(hidden_units)]
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    layers: list[nn.Module] = [nn.Flatten()]
    previous = n_inputs
    for width in widths:
        layers += [nn.Linear(previous, width), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        previous = width
    layers.append(nn.Linear(previous, n_classes))
    return nn.Sequential(*layers)


def train_one_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int = 64,
    generator: torch.Generator | None = None,
) -> float:
    """Run one pass over ``(X, y)`` in shuffled mini-batches and return the mean training loss.

    Parameters
    ----------
    model : torch.nn.Module
        The network; it is put in training mode.
    optimizer : torch.optim.Optimizer
        An optimizer over the model's parameters.
    X, y : torch.Tensor
        Inputs and int64 class labels, same length.
    batch_size : int, default=64
        Items per mini-batch, at least 1.
    generator : torch.Generator, optional
        Source of the shuffle; seed it for reproducible training.

    Returns
    -------
    float
        The cross-entropy averaged over the items of the epoch.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    model.train()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    order = torch.randperm(len(X), generator=generator)
    total = 0.0
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X[batch]), y[batch])
        (loss / len(batch)).backward()
        optimizer.step()
        total += loss.item()
    return total / len(X)


@torch.no_grad()
def evaluate_accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """Return the share of items of ``(X, y)`` whose highest logit is the true class.

    Parameters
    ----------
    model : torch.nn.Module
        The network; it is put in evaluation mode (no dropout).
    X, y : torch.Tensor
        Inputs and int64 class labels, same length, at least one item.

    Returns
    -------
    float
        Accuracy in [0, 1].
    """
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X and y must have the same, non-zero length, got {len(X)} and {len(y)}")
    model.eval()
    predicted = model(X).argmax(dim=1)
    return (predicted == y).float().mean().item()
