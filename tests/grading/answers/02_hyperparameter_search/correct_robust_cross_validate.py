# kind: correct
# about: RobustScaler, a list-of-dicts grid with kernels, cross_validate for the nested scores
# base: release

# cell: make_svc_pipeline
from sklearn.preprocessing import RobustScaler


def make_svc_pipeline():
    """Return an unfitted Pipeline: a feature scaler, then an SVC."""
    pipe = make_pipeline(RobustScaler(), SVC())
    return pipe

# cell: grid_search_svc
def grid_search_svc(X, y, cv):
    """Return a fitted GridSearchCV of make_svc_pipeline() over C and gamma."""
    grid = [{"svc__C": [0.01, 1, 100], "svc__gamma": [1e-3, 1e-2, 1e-1, 1]}]
    return GridSearchCV(make_svc_pipeline(), grid, cv=cv, scoring="accuracy", n_jobs=1).fit(X, y)

# cell: random_search_svc
from scipy.stats import reciprocal


def random_search_svc(X, y, n_iter, seed):
    """Return a fitted RandomizedSearchCV of make_svc_pipeline() with log-uniform C and gamma."""
    space = dict(svc__C=reciprocal(0.01, 1000), svc__gamma=reciprocal(0.0001, 1))
    return RandomizedSearchCV(make_svc_pipeline(), space, n_iter=n_iter, random_state=seed,
                              cv=StratifiedKFold(3), scoring="accuracy").fit(X, y)

# cell: count_fits
def count_fits(param_grid, n_splits, refit=True):
    """Return the number of fits GridSearchCV(estimator, param_grid, cv=n_splits, refit=refit) makes."""
    total = 0
    for _ in ParameterGrid(param_grid):
        total += n_splits
    return total + (1 if refit else 0)

# cell: nested_cv_scores
from sklearn.model_selection import cross_validate


def nested_cv_scores(X, y, inner_cv, outer_cv):
    """Return the outer-fold accuracies of a grid search (inner_cv) evaluated on outer_cv."""
    inner = GridSearchCV(make_svc_pipeline(), {"svc__C": [0.1, 10], "svc__gamma": [0.01, 0.1]}, cv=inner_cv)
    return cross_validate(inner, X, y, cv=outer_cv, scoring="accuracy")["test_score"]
