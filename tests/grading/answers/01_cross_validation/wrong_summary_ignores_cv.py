# kind: wrong
# about: cv_summary uses cv=5 whatever splitter it is given
# fails: cv_summary_hidden

# cell: cv_summary
def cv_summary(model, X, y, cv, metrics):
    """Return {metric: (mean, std)} of the test scores of model over the splits of cv."""
    results = cross_validate(model, X, y, cv=5, scoring=list(metrics))
    return {m: (results[f"test_{m}"].mean(), results[f"test_{m}"].std()) for m in metrics}
