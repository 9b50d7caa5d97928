# kind: wrong
# about: grid_search_svc always uses cv=5 instead of the splitter it is given
# fails: grid_search_svc_hidden

# cell: grid_search_svc
def grid_search_svc(X, y, cv):
    """Return a fitted GridSearchCV of make_svc_pipeline() over C and gamma."""
    grid = {"svc__C": np.logspace(-2, 3, 6), "svc__gamma": np.logspace(-4, 0, 5)}
    return GridSearchCV(make_svc_pipeline(), grid, cv=5).fit(X, y)
