# kind: wrong
# about: suggests C on a linear scale, so nearly all trials try C above 1
# fails: make_objective_visible

# cell: make_objective
def make_objective(X, y, cv):
    """Return objective(trial) -> mean CV accuracy of a scaled logistic regression with a log-scale C."""
    def objective(trial):
        C = trial.suggest_float("C", 1e-3, 1e2)
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
        return float(cross_val_score(model, X, y, cv=cv).mean())

    return objective
