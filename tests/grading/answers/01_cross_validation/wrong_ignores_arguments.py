# kind: wrong
# about: uses fixed values and notebook globals instead of arguments: group_leakage_gap always makes 5 folds, cv_summary scores the notebook's model
# fails: group_leakage_gap_hidden, cv_summary_hidden

# cell: group_leakage_gap
def group_leakage_gap(model, X, y, groups, n_splits=5):
    """Return (mean accuracy of shuffled KFold, mean accuracy of group-aware CV)."""
    kfold = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=0))
    grouped = cross_val_score(model, X, y, groups=groups, cv=GroupKFold(5))
    return float(kfold.mean()), float(grouped.mean())

# cell: cv_summary
def cv_summary(estimator, X, y, cv, metrics):
    """Return {metric: (mean, std)} of the test scores of model over the splits of cv."""
    results = cross_validate(model, X, y, cv=cv, scoring=list(metrics))
    return {m: (float(results[f"test_{m}"].mean()), float(results[f"test_{m}"].std())) for m in metrics}
