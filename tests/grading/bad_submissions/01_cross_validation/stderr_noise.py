# kind: correct
# about: a correct function that writes progress to stderr; nbgrader alone would score its test cells 0, the grader keeps their points with a note

# cell: stratified_cv_scores
import sys

def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    """Return the accuracy of each fold of a stratified, shuffled k-fold cross-validation."""
    print("computing folds...", file=sys.stderr)
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return cross_val_score(model, X, y, cv=cv, scoring="accuracy")
