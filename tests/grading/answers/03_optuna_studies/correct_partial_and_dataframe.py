# kind: correct
# about: functools.partial objective, cross_validate, a pandas trials table for the summary
# base: release

# cell: make_objective
from functools import partial

from sklearn.model_selection import cross_validate


def _objective(trial, X, y, cv):
    log_C = trial.suggest_float("C", 1e-3, 1e2, log=True)
    result = cross_validate(make_pipeline(StandardScaler(), LogisticRegression(C=log_C, max_iter=1000)), X, y, cv=cv)
    return result["test_score"].mean()


def make_objective(X, y, cv):
    """Return objective(trial) -> mean CV accuracy of a scaled logistic regression with a log-scale C."""
    return partial(_objective, X=X, y=y, cv=cv)

# cell: conditional_objective
def conditional_objective(trial):
    """Return the 3-fold CV accuracy on the wine data of an SVC or a random forest, as the trial chooses."""
    name = trial.suggest_categorical("classifier", ("svc", "forest"))
    if name == "forest":
        model = RandomForestClassifier(
            max_depth=trial.suggest_int("forest_max_depth", 2, 12),
            n_estimators=trial.suggest_int("forest_n_estimators", 10, 50, step=10),
            random_state=0,
        )
    else:
        model = make_pipeline(
            StandardScaler(),
            SVC(C=trial.suggest_float("svc_C", 1e-2, 1e2, log=True),
                gamma=trial.suggest_float("svc_gamma", 1e-4, 1.0, log=True)),
        )
    scores = cross_val_score(model, X_wine, y_wine, cv=StratifiedKFold(3), scoring="accuracy")
    return float(np.mean(scores))

# cell: run_study
def run_study(objective, n_trials, seed):
    """Return a maximizing study with a TPESampler(seed=seed), after n_trials trials of objective."""
    sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(storage=None, sampler=sampler, direction=optuna.study.StudyDirection.MAXIMIZE)
    study.optimize(objective, n_trials=n_trials, n_jobs=1)
    return study

# cell: make_pruned_objective
def make_pruned_objective(X_train, y_train, X_valid, y_valid, n_epochs=10):
    """Return objective(trial) that trains an SGDClassifier epoch by epoch, reporting and pruning."""
    labels = np.unique(y_train)

    def objective(trial):
        clf = SGDClassifier(random_state=0, alpha=trial.suggest_float("alpha", 1e-5, 1e-1, log=True))
        history = []
        for step in range(n_epochs):
            clf.partial_fit(X_train, y_train, labels)
            history.append(float(np.mean(clf.predict(X_valid) == y_valid)))
            trial.report(history[-1], step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return history[-1]

    return objective

# cell: summarize_study
def summarize_study(study):
    """Return counts of complete, pruned and failed trials and the best completed trial's value and params."""
    table = study.trials_dataframe(attrs=("state",))
    counts = table["state"].value_counts()
    best = study.best_trial
    return {
        "n_complete": int(counts.get("COMPLETE", 0)),
        "n_pruned": int(counts.get("PRUNED", 0)),
        "n_failed": int(counts.get("FAIL", 0)),
        "best_value": best.value,
        "best_params": best.params,
    }
