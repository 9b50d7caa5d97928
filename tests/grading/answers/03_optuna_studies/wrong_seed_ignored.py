# kind: wrong
# about: seeds the sampler with 0 whatever seed is passed
# fails: run_study_hidden

# cell: run_study
def run_study(objective, n_trials, seed):
    """Return a maximizing study with a TPESampler(seed=seed), after n_trials trials of objective."""
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=n_trials)
    return study
