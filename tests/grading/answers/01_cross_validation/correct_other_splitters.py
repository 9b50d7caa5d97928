# kind: correct
# about: other valid splitters (StratifiedGroupKFold, shuffled GroupKFold) and a pandas summary
# base: release

# cell: stratified_cv_scores
def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    """Return the accuracy of each fold of a stratified, shuffled k-fold cross-validation."""
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return cross_validate(model, X, y, cv=splitter, scoring="accuracy")["test_score"]

# cell: group_splits
from sklearn.model_selection import StratifiedGroupKFold


def group_splits(X, y, groups, n_splits=4):
    """Return n_splits (train_indices, test_indices) pairs that never split a group."""
    return [(train, test) for train, test in StratifiedGroupKFold(n_splits).split(X, y, groups)]

# cell: group_leakage_gap
def group_leakage_gap(model, X, y, groups, n_splits=5):
    """Return (mean accuracy of shuffled KFold, mean accuracy of group-aware CV)."""
    leaky = cross_validate(model, X, y, cv=KFold(n_splits=n_splits, shuffle=True, random_state=0))
    honest = cross_validate(
        model, X, y, groups=groups, cv=GroupKFold(n_splits=n_splits, shuffle=True, random_state=0)
    )
    return leaky["test_score"].mean(), honest["test_score"].mean()

# cell: forecast_splits
def forecast_splits(n_samples, n_splits, gap=0):
    """Return n_splits (train_indices, test_indices) pairs for forecasting, leaving gap samples out."""
    # a sliding window of at most 20 samples is a valid forecasting design too
    cv = TimeSeriesSplit(n_splits=n_splits, gap=gap, max_train_size=20)
    return [(train, test) for train, test in cv.split(range(n_samples))]

# cell: cv_summary
import pandas as pd


def cv_summary(model, X, y, cv, metrics):
    """Return {metric: (mean, std)} of the test scores of model over the splits of cv."""
    table = pd.DataFrame(cross_validate(model, X, y, cv=cv, scoring=metrics))
    return {m: (table[f"test_{m}"].mean(), table[f"test_{m}"].std()) for m in metrics}
