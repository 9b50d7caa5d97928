# kind: wrong
# about: the objective cross-validates with cv=3 whatever splitter it was given
# fails: make_objective_hidden

# cell: make_objective
def make_objective(X, y, cv):
    """Return objective(trial) -> mean CV accuracy of a scaled logistic regression with a log-scale C."""
    def objective(trial):
        C = trial.suggest_float("C", 1e-3, 1e2, log=True)
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
        return float(cross_val_score(model, X, y, cv=3).mean())

    return objective
