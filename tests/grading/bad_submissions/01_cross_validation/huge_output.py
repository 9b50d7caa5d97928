# kind: correct
# about: a correct answer that then tries to print 10 GB; the output cap stops it and the grade is kept

# cell: stratified_cv_scores
def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    """Return the accuracy of each fold of a stratified, shuffled k-fold cross-validation."""
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return cross_val_score(model, X, y, cv=cv, scoring="accuracy")


line = "x" * 10_000
for _ in range(1_000_000):
    print(line)
