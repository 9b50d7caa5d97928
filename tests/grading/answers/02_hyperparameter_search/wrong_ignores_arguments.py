# kind: wrong
# about: both searches are fitted on the notebook's wine data whatever X and y they are given
# fails: grid_search_svc_hidden, random_search_svc_hidden

# cell: grid_search_svc
def grid_search_svc(X, y, cv):
    """Return a fitted GridSearchCV of make_svc_pipeline() over C and gamma."""
    grid = {"svc__C": np.logspace(-1, 2, 4), "svc__gamma": np.logspace(-3, 0, 4)}
    return GridSearchCV(make_svc_pipeline(), grid, cv=cv, scoring="accuracy").fit(X_wine, y_wine)

# cell: random_search_svc
def random_search_svc(X, y, n_iter, seed):
    """Return a fitted RandomizedSearchCV of make_svc_pipeline() with log-uniform C and gamma."""
    distributions = {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-4, 1e0)}
    search = RandomizedSearchCV(
        make_svc_pipeline(), distributions, n_iter=n_iter, cv=StratifiedKFold(3), random_state=seed
    )
    return search.fit(X_wine, y_wine)
