# kind: wrong
# about: a missing colon: the cell does not compile, stratified_cv_scores is never defined
# fails: stratified_cv_scores_visible, stratified_cv_scores_hidden

# cell: stratified_cv_scores
def stratified_cv_scores(model, X, y, n_splits=5, seed=0)
    return cross_val_score(model, X, y, cv=StratifiedKFold(n_splits, shuffle=True, random_state=seed))
