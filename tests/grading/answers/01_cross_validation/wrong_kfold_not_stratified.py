# kind: wrong
# about: shuffled KFold instead of StratifiedKFold, so the class mix varies from fold to fold
# fails: stratified_cv_scores_hidden

# cell: stratified_cv_scores
def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    """Return the accuracy of each fold of a stratified, shuffled k-fold cross-validation."""
    return cross_val_score(model, X, y, cv=KFold(n_splits, shuffle=True, random_state=seed))
