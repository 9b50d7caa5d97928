# kind: wrong
# about: passes groups to cross_val_score with cv=n_splits, an unshuffled StratifiedKFold that ignores them and keeps patients apart only while rows come patient by patient
# fails: group_leakage_gap_hidden

# cell: group_leakage_gap
def group_leakage_gap(model, X, y, groups, n_splits=5):
    """Return (mean accuracy of shuffled KFold, mean accuracy of group-aware CV)."""
    kfold = cross_val_score(model, X, y, cv=KFold(n_splits, shuffle=True, random_state=0))
    grouped = cross_val_score(model, X, y, groups=groups, cv=n_splits)
    return float(kfold.mean()), float(grouped.mean())
