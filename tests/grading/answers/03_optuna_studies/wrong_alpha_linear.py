# kind: wrong
# about: suggests alpha on a linear scale; pruning and reporting are right
# fails: make_pruned_objective_hidden

# cell: make_pruned_objective
def make_pruned_objective(X_train, y_train, X_valid, y_valid, n_epochs=10):
    """Return objective(trial) that trains an SGDClassifier epoch by epoch, reporting and pruning."""
    classes = np.unique(y_train)

    def objective(trial):
        alpha = trial.suggest_float("alpha", 1e-5, 1e-1)
        model = SGDClassifier(alpha=alpha, random_state=0)
        for epoch in range(n_epochs):
            model.partial_fit(X_train, y_train, classes=classes)
            accuracy = model.score(X_valid, y_valid)
            trial.report(accuracy, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return accuracy

    return objective
