# kind: correct
# about: workers started and joined in comprehensions, itertools.accumulate, the PED-ANOVA evaluator, dict order of importances
# base: release

# cell: open_shared_study
def open_shared_study(path, study_name, seed=0):
    """Create or load the maximizing study study_name in the journal file path, with TPESampler(seed)."""
    return optuna.create_study(
        storage=optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(file_path=str(path))),
        sampler=optuna.samplers.TPESampler(seed=seed),
        study_name=study_name,
        directions=["maximize"],
        load_if_exists=True,
    )

# cell: optimize_in_processes
def run_worker(job):
    path, study_name, objective, seed, n_trials = job
    study = open_shared_study(path, study_name, seed)
    study.optimize(objective, n_trials)


def optimize_in_processes(path, study_name, objective, n_workers, trials_per_worker):
    """Run trials_per_worker trials in each of n_workers forked processes on one study; return it."""
    fork = multiprocessing.get_context("fork")
    jobs = [(path, study_name, objective, 100 + k, trials_per_worker) for k in range(n_workers)]
    processes = [fork.Process(target=run_worker, args=(job,)) for job in jobs]
    [p.start() for p in processes]
    [p.join() for p in processes]
    if any(p.exitcode for p in processes):
        raise RuntimeError("a worker failed")
    return open_shared_study(path, study_name)

# cell: best_so_far
from itertools import accumulate


def best_so_far(study):
    """Return the running best value over the completed trials of study, in trial order."""
    pick = min if study.direction.name == "MINIMIZE" else max
    return list(accumulate((t.value for t in study.get_trials(states=[TrialState.COMPLETE])), pick))

# cell: importance_ranking
def importance_ranking(study):
    """Return the study's parameter names, most important first."""
    # get_param_importances returns its dict already sorted, most important first
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    return list(optuna.importance.get_param_importances(study, evaluator=evaluator))

# cell: top_two_contour
def top_two_contour(study):
    """Return plot_contour of study restricted to its two most important parameters."""
    names = importance_ranking(study)
    figure = optuna.visualization.plot_contour(study, params=names[0:2])
    figure.update_layout(title="the two most important parameters")
    return figure
