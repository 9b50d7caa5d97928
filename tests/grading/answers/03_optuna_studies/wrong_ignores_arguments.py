# kind: wrong
# about: uses notebook globals and fixed values instead of arguments: the SVC drops its suggested gamma, run_study optimizes the notebook's bump, the pruned objective validates on the notebook's X_valid, failed trials are counted as all the others
# fails: conditional_objective_hidden, run_study_hidden, make_pruned_objective_hidden, summarize_study_hidden

# cell: conditional_objective
def conditional_objective(trial):
    """Return the 3-fold CV accuracy on the wine data of an SVC or a random forest, as the trial chooses."""
    classifier = trial.suggest_categorical("classifier", ["svc", "forest"])
    if classifier == "svc":
        C = trial.suggest_float("svc_C", 1e-2, 1e2, log=True)
        trial.suggest_float("svc_gamma", 1e-4, 1e0, log=True)
        model = make_pipeline(StandardScaler(), SVC(C=C))
    else:
        max_depth = trial.suggest_int("forest_max_depth", 2, 12)
        n_estimators = trial.suggest_int("forest_n_estimators", 10, 50, step=10)
        model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=0)
    return float(cross_val_score(model, X_wine, y_wine, cv=StratifiedKFold(3)).mean())

# cell: run_study
def run_study(objective, n_trials, seed):
    """Return a maximizing study with a TPESampler(seed=seed), after n_trials trials of objective."""
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(bump, n_trials=n_trials)
    return study

# cell: make_pruned_objective
def make_pruned_objective(X_train, y_train, X_valid_, y_valid_, n_epochs=10):
    """Return objective(trial) that trains an SGDClassifier epoch by epoch, reporting and pruning."""
    classes = np.unique(y_train)

    def objective(trial):
        alpha = trial.suggest_float("alpha", 1e-5, 1e-1, log=True)
        model = SGDClassifier(alpha=alpha, random_state=0)
        for epoch in range(n_epochs):
            model.partial_fit(X_train, y_train, classes=classes)
            accuracy = model.score(X_valid, y_valid)
            trial.report(accuracy, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return accuracy

    return objective

# cell: summarize_study
def summarize_study(study):
    """Return counts of complete, pruned and failed trials and the best completed trial's value and params."""
    n_complete = len(study.get_trials(states=(TrialState.COMPLETE,)))
    n_pruned = len(study.get_trials(states=(TrialState.PRUNED,)))
    return {
        "n_complete": n_complete,
        "n_pruned": n_pruned,
        "n_failed": len(study.trials) - n_complete - n_pruned,
        "best_value": study.best_value,
        "best_params": study.best_params,
    }
