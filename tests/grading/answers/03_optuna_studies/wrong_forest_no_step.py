# kind: wrong
# about: forest_n_estimators suggested without step=10, so the space differs from the one asked for
# fails: conditional_objective_hidden

# cell: conditional_objective
def conditional_objective(trial):
    """Return the 3-fold CV accuracy on the wine data of an SVC or a random forest, as the trial chooses."""
    classifier = trial.suggest_categorical("classifier", ["svc", "forest"])
    if classifier == "svc":
        C = trial.suggest_float("svc_C", 1e-2, 1e2, log=True)
        gamma = trial.suggest_float("svc_gamma", 1e-4, 1e0, log=True)
        model = make_pipeline(StandardScaler(), SVC(C=C, gamma=gamma))
    else:
        max_depth = trial.suggest_int("forest_max_depth", 2, 12)
        n_estimators = trial.suggest_int("forest_n_estimators", 10, 50)
        model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=0)
    return float(cross_val_score(model, X_wine, y_wine, cv=StratifiedKFold(3)).mean())
