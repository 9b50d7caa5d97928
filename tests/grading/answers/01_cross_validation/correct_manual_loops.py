# kind: correct
# about: every function written with explicit loops over indices instead of the scikit-learn helpers
# base: release

# cell: stratified_cv_scores
def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    """Return the accuracy of each fold of a stratified, shuffled k-fold cross-validation."""
    scores = []
    for train, test in StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, y):
        fitted = clone(model).fit(X[train], y[train])
        scores.append(accuracy_score(y[test], fitted.predict(X[test])))
    return np.array(scores)

# cell: group_splits
def group_splits(X, y, groups, n_splits=4):
    """Return n_splits (train_indices, test_indices) pairs that never split a group."""
    groups = np.asarray(groups)
    labels = np.unique(groups)
    splits = []
    for chunk in np.array_split(labels, n_splits):
        in_test = np.isin(groups, chunk)
        splits.append((np.flatnonzero(~in_test), np.flatnonzero(in_test)))
    return splits

# cell: group_leakage_gap
def group_leakage_gap(model, X, y, groups, n_splits=5):
    """Return (mean accuracy of shuffled KFold, mean accuracy of group-aware CV)."""
    def mean_accuracy(splits):
        return np.mean([
            accuracy_score(y[test], clone(model).fit(X[train], y[train]).predict(X[test]))
            for train, test in splits
        ])
    kfold_mean = mean_accuracy(KFold(n_splits, shuffle=True, random_state=0).split(X))
    group_mean = mean_accuracy(group_splits(X, y, groups, n_splits))
    return kfold_mean, group_mean

# cell: forecast_splits
def forecast_splits(n_samples, n_splits, gap=0):
    """Return n_splits (train_indices, test_indices) pairs for forecasting, leaving gap samples out."""
    test_size = n_samples // (n_splits + 1)
    splits = []
    for k in range(n_splits):
        test_start = n_samples - (n_splits - k) * test_size
        train = np.arange(0, test_start - gap)
        test = np.arange(test_start, test_start + test_size)
        splits.append((train, test))
    return splits

# cell: cv_summary
def cv_summary(model, X, y, cv, metrics):
    """Return {metric: (mean, std)} of the test scores of model over the splits of cv."""
    summary = {}
    for metric in metrics:
        scores = cross_val_score(model, X, y, cv=cv, scoring=metric)
        summary[metric] = (scores.mean(), scores.std(ddof=1))
    return summary
