# kind: wrong
# about: uses notebook globals and fixed values instead of arguments: the workers optimize the notebook's quadratic, not the objective given, and the running best is a maximum whatever the study's direction
# fails: optimize_in_processes_hidden, best_so_far_hidden

# cell: optimize_in_processes
def _worker(path, study_name, seed, n_trials):
    open_shared_study(path, study_name, seed=seed).optimize(quadratic, n_trials=n_trials)


def optimize_in_processes(path, study_name, objective, n_workers, trials_per_worker):
    """Run trials_per_worker trials in each of n_workers forked processes on one study; return it."""
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_worker, args=(path, study_name, k, trials_per_worker)) for k in range(n_workers)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return open_shared_study(path, study_name)

# cell: best_so_far
def best_so_far(study):
    """Return the running best value over the completed trials of study, in trial order."""
    values = [t.value for t in study.trials if t.state == TrialState.COMPLETE]
    return list(np.maximum.accumulate(values))
