# kind: correct
# about: create-or-load by hand (race-free), a Process subclass, a plain loop for the running best, the MDI importance evaluator
# base: release

# cell: open_shared_study
def open_shared_study(path, study_name, seed=0):
    """Create or load the maximizing study study_name in the journal file path, with TPESampler(seed)."""
    storage = JournalStorage(JournalFileBackend(os.fspath(path)))
    sampler = optuna.samplers.TPESampler(seed=seed)
    # Try to create, load if another process was first: checking the names before creating
    # races when two workers start together (both see no study, the second create fails).
    try:
        return optuna.create_study(
            study_name=study_name, storage=storage, sampler=sampler, direction="maximize"
        )
    except optuna.exceptions.DuplicatedStudyError:
        return optuna.load_study(study_name=study_name, storage=storage, sampler=sampler)

# cell: optimize_in_processes
class StudyWorker(multiprocessing.get_context("fork").Process):
    def __init__(self, path, study_name, objective, seed, n_trials):
        super().__init__()
        self.job = (path, study_name, objective, seed, n_trials)

    def run(self):
        path, study_name, objective, seed, n_trials = self.job
        open_shared_study(path, study_name, seed=seed).optimize(objective, n_trials=n_trials)


def optimize_in_processes(path, study_name, objective, n_workers, trials_per_worker):
    """Run trials_per_worker trials in each of n_workers forked processes on one study; return it."""
    workers = [StudyWorker(path, study_name, objective, seed, trials_per_worker) for seed in range(n_workers)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0, f"a worker failed with exit code {worker.exitcode}"
    return optuna.load_study(study_name=study_name, storage=JournalStorage(JournalFileBackend(str(path))))

# cell: best_so_far
def best_so_far(study):
    """Return the running best value over the completed trials of study, in trial order."""
    better = max if study.direction == optuna.study.StudyDirection.MAXIMIZE else min
    line = []
    for trial in study.trials:
        if trial.state != TrialState.COMPLETE:
            continue
        line.append(trial.value if not line else better(line[-1], trial.value))
    return line

# cell: importance_ranking
from optuna.importance import MeanDecreaseImpurityImportanceEvaluator


def importance_ranking(study):
    """Return the study's parameter names, most important first."""
    evaluator = MeanDecreaseImpurityImportanceEvaluator(seed=0)
    importances = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return [name for name, _ in sorted(importances.items(), key=lambda item: -item[1])]

# cell: top_two_contour
def top_two_contour(study):
    """Return plot_contour of study restricted to its two most important parameters."""
    first, second = importance_ranking(study)[:2]
    return optuna.visualization.plot_contour(study, params=[second, first])
