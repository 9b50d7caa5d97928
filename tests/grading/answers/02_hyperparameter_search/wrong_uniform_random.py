# kind: wrong
# about: draws C uniformly (gamma log-uniformly), so almost every candidate has C above 10
# fails: random_search_svc_hidden

# cell: random_search_svc
from scipy.stats import uniform


def random_search_svc(X, y, n_iter, seed):
    """Return a fitted RandomizedSearchCV of make_svc_pipeline() with log-uniform C and gamma."""
    distributions = {"svc__C": uniform(1e-2, 1e3 - 1e-2), "svc__gamma": loguniform(1e-4, 1e0)}
    search = RandomizedSearchCV(
        make_svc_pipeline(), distributions, n_iter=n_iter, cv=StratifiedKFold(3), random_state=seed
    )
    return search.fit(X, y)
