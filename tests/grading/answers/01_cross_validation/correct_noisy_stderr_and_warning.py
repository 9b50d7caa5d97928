# kind: correct
# about: the solution, but stratified_cv_scores prints a debugging line to stderr and emits a UserWarning on every call; a test cell that passes keeps its points

# cell: stratified_cv_scores
import sys
import warnings

def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    """Return the accuracy of each fold of a stratified, shuffled k-fold cross-validation."""
    print(f"debug: stratified_cv_scores with {n_splits} folds, seed {seed}", file=sys.stderr)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("debug: my stratified_cv_scores is still being tuned", UserWarning)
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return cross_val_score(model, X, y, cv=cv, scoring="accuracy")
