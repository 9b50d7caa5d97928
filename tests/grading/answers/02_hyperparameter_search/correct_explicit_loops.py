# kind: correct
# about: named steps with MinMaxScaler, grids as lists, log-spaced value lists for random search, an explicit nested loop
# base: release

# cell: make_svc_pipeline
from sklearn.preprocessing import MinMaxScaler


def make_svc_pipeline():
    """Return an unfitted Pipeline: a feature scaler, then an SVC."""
    return Pipeline([("scale", MinMaxScaler()), ("model", SVC(kernel="rbf"))])

# cell: grid_search_svc
def grid_search_svc(X, y, cv):
    """Return a fitted GridSearchCV of make_svc_pipeline() over C and gamma."""
    search = GridSearchCV(
        make_svc_pipeline(),
        param_grid={"model__C": [0.1, 1.0, 10.0, 100.0], "model__gamma": [0.001, 0.01, 0.1, 1.0]},
        cv=cv,
    )
    search.fit(X, y)
    return search

# cell: random_search_svc
def random_search_svc(X, y, n_iter, seed):
    """Return a fitted RandomizedSearchCV of make_svc_pipeline() with log-uniform C and gamma."""
    # Lists are sampled uniformly: 500 log-spaced values make a discrete log-uniform draw.
    distributions = {"model__C": list(np.logspace(-2, 3, 500)), "model__gamma": list(np.logspace(-4, 0, 500))}
    search = RandomizedSearchCV(
        make_svc_pipeline(), distributions, n_iter=n_iter, random_state=seed,
        cv=StratifiedKFold(n_splits=3),
    )
    return search.fit(X, y)

# cell: count_fits
import math


def count_fits(param_grid, n_splits, refit=True):
    """Return the number of fits GridSearchCV(estimator, param_grid, cv=n_splits, refit=refit) makes."""
    grids = [param_grid] if isinstance(param_grid, dict) else list(param_grid)
    candidates = sum(math.prod(len(values) for values in grid.values()) for grid in grids)
    fits = candidates * n_splits
    if refit:
        fits += 1
    return fits

# cell: nested_cv_scores
def nested_cv_scores(X, y, inner_cv, outer_cv):
    """Return the outer-fold accuracies of a grid search (inner_cv) evaluated on outer_cv."""
    scores = []
    for train, test in outer_cv.split(X, y):
        search = GridSearchCV(
            make_svc_pipeline(), {"model__C": [1.0, 10.0, 100.0], "model__gamma": [0.01, 0.1, 1.0]}, cv=inner_cv
        )
        search.fit(X[train], y[train])
        scores.append(search.score(X[test], y[test]))
    return np.array(scores)
