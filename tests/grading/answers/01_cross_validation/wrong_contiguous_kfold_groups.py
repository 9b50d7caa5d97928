# kind: wrong
# about: unshuffled KFold, which keeps groups apart only while the rows come patient by patient
# fails: group_splits_hidden

# cell: group_splits
def group_splits(X, y, groups, n_splits=4):
    """Return n_splits (train_indices, test_indices) pairs that never split a group."""
    return list(KFold(n_splits).split(X))
