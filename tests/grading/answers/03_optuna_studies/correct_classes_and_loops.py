# kind: correct
# about: a callable class as objective, a dict of model builders, a while loop for epochs, a hand-written summary
# base: release

# cell: make_objective
class CrossValidatedLogisticRegression:
    def __init__(self, X, y, cv):
        self.X, self.y, self.cv = X, y, cv

    def __call__(self, trial):
        C = trial.suggest_float(name="C", low=0.001, high=100.0, log=True)
        pipe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
        scores = [
            pipe.fit(self.X[train], self.y[train]).score(self.X[test], self.y[test])
            for train, test in self.cv.split(self.X, self.y)
        ]
        return float(np.mean(scores))


def make_objective(X, y, cv):
    """Return objective(trial) -> mean CV accuracy of a scaled logistic regression with a log-scale C."""
    return CrossValidatedLogisticRegression(X, y, cv)

# cell: conditional_objective
def build_svc(trial):
    C = trial.suggest_float("svc_C", 0.01, 100.0, log=True)
    gamma = trial.suggest_float("svc_gamma", 0.0001, 1.0, log=True)
    return make_pipeline(StandardScaler(), SVC(C=C, gamma=gamma))


def build_forest(trial):
    depth = trial.suggest_int("forest_max_depth", low=2, high=12)
    trees = trial.suggest_int("forest_n_estimators", low=10, high=50, step=10)
    return RandomForestClassifier(n_estimators=trees, max_depth=depth, random_state=0)


BUILDERS = {"svc": build_svc, "forest": build_forest}


def conditional_objective(trial):
    """Return the 3-fold CV accuracy on the wine data of an SVC or a random forest, as the trial chooses."""
    model = BUILDERS[trial.suggest_categorical("classifier", list(BUILDERS))](trial)
    return cross_val_score(model, X_wine, y_wine, cv=StratifiedKFold(n_splits=3)).mean()

# cell: run_study
def run_study(objective, n_trials, seed):
    """Return a maximizing study with a TPESampler(seed=seed), after n_trials trials of objective."""
    study = optuna.create_study(
        sampler=optuna.samplers.TPESampler(seed=seed), directions=["maximize"], study_name=f"seeded-{seed}"
    )
    for _ in range(n_trials):
        study.optimize(objective, n_trials=1)
    return study

# cell: make_pruned_objective
def make_pruned_objective(X_train, y_train, X_valid, y_valid, n_epochs=10):
    """Return objective(trial) that trains an SGDClassifier epoch by epoch, reporting and pruning."""
    def objective(trial):
        model = SGDClassifier(alpha=trial.suggest_float("alpha", 1e-5, 1e-1, log=True), random_state=0)
        epoch = 0
        while epoch < n_epochs:
            model.partial_fit(X_train, y_train, classes=np.unique(y_train))
            score = model.score(X_valid, y_valid)
            trial.report(score, step=epoch)
            if trial.should_prune():
                raise optuna.exceptions.TrialPruned(f"pruned at epoch {epoch}")
            epoch += 1
        return score

    return objective

# cell: summarize_study
def summarize_study(study):
    """Return counts of complete, pruned and failed trials and the best completed trial's value and params."""
    counts = {TrialState.COMPLETE: 0, TrialState.PRUNED: 0, TrialState.FAIL: 0}
    best = None
    sign = 1 if study.direction == optuna.study.StudyDirection.MAXIMIZE else -1
    for trial in study.trials:
        if trial.state in counts:
            counts[trial.state] += 1
        if trial.state == TrialState.COMPLETE and (best is None or sign * trial.value > sign * best.value):
            best = trial
    return {
        "n_complete": counts[TrialState.COMPLETE],
        "n_pruned": counts[TrialState.PRUNED],
        "n_failed": counts[TrialState.FAIL],
        "best_value": best.value,
        "best_params": dict(best.params),
    }
