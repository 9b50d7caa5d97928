# kind: wrong
# about: runs the trials in threads of the kernel (n_jobs) instead of worker processes
# fails: optimize_in_processes_visible, optimize_in_processes_hidden

# cell: optimize_in_processes
def optimize_in_processes(path, study_name, objective, n_workers, trials_per_worker):
    """Run trials_per_worker trials in each of n_workers forked processes on one study; return it."""
    study = open_shared_study(path, study_name)
    study.optimize(objective, n_trials=n_workers * trials_per_worker, n_jobs=n_workers)
    return study
