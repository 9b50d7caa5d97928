# kind: wrong
# about: count_fits multiplies the lengths of one dict's lists, so a list of grids breaks it
# fails: count_fits_hidden

# cell: count_fits
def count_fits(param_grid, n_splits, refit=True):
    """Return the number of fits GridSearchCV(estimator, param_grid, cv=n_splits, refit=refit) makes."""
    n_candidates = 1
    for values in param_grid.values():
        n_candidates *= len(values)
    return n_candidates * n_splits + int(refit)
