# kind: wrong
# about: every worker seeds its sampler with 0, so all workers propose the same points
# fails: optimize_in_processes_hidden

# cell: optimize_in_processes
def _worker(path, study_name, objective, seed, n_trials):
    open_shared_study(path, study_name, seed=seed).optimize(objective, n_trials=n_trials)


def optimize_in_processes(path, study_name, objective, n_workers, trials_per_worker):
    """Run trials_per_worker trials in each of n_workers forked processes on one study; return it."""
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_worker, args=(path, study_name, objective, 0, trials_per_worker))
        for k in range(n_workers)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return open_shared_study(path, study_name)
