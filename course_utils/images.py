"""Image data sets that need no network, as torchvision datasets and as tensors.

scikit-learn's handwritten digits (1,797 images of 8x8 pixels, shipped with
scikit-learn) are the default. FashionMNIST is used only if its files are
already on disk: nothing here ever downloads.
"""

import os
from collections.abc import Callable

import numpy as np
import torch
from sklearn.datasets import load_digits
from torchvision.datasets import FashionMNIST, VisionDataset

from course_utils._validation import check_int

_DIGITS_MAX_PIXEL = 16  # load_digits stores pixel intensities 0..16


class DigitsDataset(VisionDataset):
    """scikit-learn's 8x8 handwritten digits as a torchvision dataset.

    Each item is ``(image, label)``: the image is an 8x8 ``uint8`` array with
    values 0..255 (the form ``torchvision.transforms.ToTensor`` expects),
    passed through ``transform`` if given; the label is an int 0..9.

    Parameters
    ----------
    transform : callable, optional
        Applied to each image, e.g. ``transforms.Compose([transforms.ToTensor(), ...])``.
    target_transform : callable, optional
        Applied to each label.
    """

    def __init__(self, transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        super().__init__(root=None, transform=transform, target_transform=target_transform)
        digits = load_digits()
        scaled = np.round(digits.images * (255 / _DIGITS_MAX_PIXEL))
        self.data: np.ndarray = scaled.astype(np.uint8)
        self.targets: np.ndarray = digits.target.astype(np.int64)
        self.classes: list[str] = [str(d) for d in digits.target_names]

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[object, object]:
        image, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target


def fashion_mnist_if_present(
    root: str | os.PathLike, *, train: bool = True, transform: Callable | None = None
) -> FashionMNIST | None:
    """Return torchvision's FashionMNIST from ``root`` if its files are there, else None.

    Never downloads.

    Parameters
    ----------
    root : str or path-like
        The folder that holds ``FashionMNIST/raw/``.
    train : bool, default=True
        The training split (60,000 images) or the test split (10,000).
    transform : callable, optional
        Applied to each image.

    Returns
    -------
    torchvision.datasets.FashionMNIST or None
        The data set, or None when its files are missing.
    """
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a str or path-like, got {type(root).__name__} {root!r}")
    try:
        return FashionMNIST(root, train=train, transform=transform, download=False)
    except RuntimeError:  # "Dataset not found": the files are not on disk
        return None


def dataset_to_tensors(
    dataset: torch.utils.data.Dataset, limit: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Apply a dataset's transforms once and stack its items into two tensors.

    Small image sets fit in memory; transforming them once, instead of in
    every epoch of every trial, makes a study much faster.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        Items ``(image_tensor, label)``: give it a transform that returns tensors.
    limit : int, optional
        Use only the first ``limit`` items.

    Returns
    -------
    X : torch.Tensor of shape (n_items, *image_shape)
        The transformed images.
    y : torch.Tensor of shape (n_items,)
        The labels, as int64.
    """
    n_items = len(dataset)
    if limit is not None:
        n_items = min(n_items, check_int("limit", limit, minimum=1))
    images, labels = [], []
    for index in range(n_items):
        image, label = dataset[index]
        if not isinstance(image, torch.Tensor):
            raise TypeError(
                "dataset must yield tensors (give it a transform such as ToTensor), "
                f"got {type(image).__name__}"
            )
        images.append(image)
        labels.append(int(label))
    return torch.stack(images), torch.tensor(labels, dtype=torch.int64)


def train_valid_split(
    X: torch.Tensor, y: torch.Tensor, *, valid_fraction: float = 0.3, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shuffle with a seed and cut tensors into a training and a validation part.

    Parameters
    ----------
    X : torch.Tensor
        The inputs, one row per item.
    y : torch.Tensor
        The labels, same length as ``X``.
    valid_fraction : float, default=0.3
        Share of the items in the validation part, strictly between 0 and 1.
    seed : int, default=0
        Seed of the shuffle.

    Returns
    -------
    X_train, y_train, X_valid, y_valid : torch.Tensor
    """
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    if not 0 < valid_fraction < 1:
        raise ValueError(f"valid_fraction must be strictly between 0 and 1, got {valid_fraction}")
    seed = check_int("seed", seed, minimum=0)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    n_valid = max(1, int(round(valid_fraction * len(X))))
    valid, train = order[:n_valid], order[n_valid:]
    return X[train], y[train], X[valid], y[valid]
