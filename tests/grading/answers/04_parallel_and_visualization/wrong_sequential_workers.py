# kind: wrong
# about: starts each worker process only after the previous one has finished, so the workers never run at the same time
# fails: optimize_in_processes_hidden

# cell: optimize_in_processes
def _worker(path, study_name, objective, seed, n_trials):
    open_shared_study(path, study_name, seed=seed).optimize(objective, n_trials=n_trials)


def optimize_in_processes(path, study_name, objective, n_workers, trials_per_worker):
    """Run trials_per_worker trials in each of n_workers forked processes on one study; return it."""
    context = multiprocessing.get_context("fork")
    for k in range(n_workers):
        worker = context.Process(target=_worker, args=(path, study_name, objective, k, trials_per_worker))
        worker.start()
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"worker {k} exited with code {worker.exitcode}")
    return open_shared_study(path, study_name)
