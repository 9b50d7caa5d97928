# kind: wrong
# about: tunes once on all data, then cross-validates the chosen model: the outer test folds were seen by the search
# fails: nested_cv_scores_hidden

# cell: nested_cv_scores
def nested_cv_scores(X, y, inner_cv, outer_cv):
    """Return the outer-fold accuracies of a grid search (inner_cv) evaluated on outer_cv."""
    grid = {"svc__C": [0.1, 1, 10], "svc__gamma": [0.001, 0.01, 0.1]}
    best = GridSearchCV(make_svc_pipeline(), grid, cv=inner_cv).fit(X, y).best_estimator_
    return cross_val_score(best, X, y, cv=outer_cv)
