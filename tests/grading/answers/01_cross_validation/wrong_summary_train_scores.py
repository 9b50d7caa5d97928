# kind: wrong
# about: cv_summary reports the training scores instead of the test scores
# fails: cv_summary_visible, cv_summary_hidden

# cell: cv_summary
def cv_summary(model, X, y, cv, metrics):
    """Return {metric: (mean, std)} of the test scores of model over the splits of cv."""
    results = cross_validate(model, X, y, cv=cv, scoring=list(metrics), return_train_score=True)
    return {m: (results[f"train_{m}"].mean(), results[f"train_{m}"].std()) for m in metrics}
