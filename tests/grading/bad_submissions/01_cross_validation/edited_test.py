# kind: wrong
# about: returns constant scores and replaces the visible test by a print; nbgrader restores the test, which fails
# fails: stratified_cv_scores_visible, stratified_cv_scores_hidden

# cell: stratified_cv_scores
def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    return np.full(n_splits, 0.9)

# cell: stratified_cv_scores_visible
print("all tests passed")
