# kind: wrong
# about: count_fits always adds the refit
# fails: count_fits_visible, count_fits_hidden

# cell: count_fits
def count_fits(param_grid, n_splits, refit=True):
    """Return the number of fits GridSearchCV(estimator, param_grid, cv=n_splits, refit=refit) makes."""
    return len(ParameterGrid(param_grid)) * n_splits + 1
