"""Threads against processes on Optuna's journal file storage, speedup over one worker.

The objectives are lecture 06's (:mod:`course_utils.parallel_worker`): a
CPU-bound pure-Python loop, which holds the GIL, and a wait (``time.sleep``),
which releases it. For each objective and number of workers the same number
of trials is run on a fresh journal file (:func:`course_utils.storage.journal_storage`):

- *threads*: one study, ``study.optimize(..., n_jobs=workers)`` in this process;
- *processes*: ``workers`` processes of ``python -m course_utils.parallel_worker``
  sharing the study, each adding its share of the trials.

Seconds are wall clock from the first trial's start to the last worker's
end; for processes that includes each process's start-up (importing Optuna),
which is part of what processes cost; the span from the first trial's start
to the last trial's end (:func:`trial_span`, from the storage's timestamps)
is recorded too, so the report gives both speedups. The speedup of
``k`` workers is the seconds of one worker of the same kind divided by the
seconds of ``k``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import optuna

from benchmarks import REPO_ROOT
from course_utils._validation import check_int
from course_utils.parallel_worker import OBJECTIVES
from course_utils.storage import count_finished_trials, journal_storage
from course_utils.timing import Stopwatch

#: What each objective stands for in the report.
OBJECTIVE_LABELS = {
    "python-loop": "CPU-bound, pure Python (holds the GIL)",
    "sleep": "waiting (releases the GIL)",
}


def run_threads(journal: Path, objective: str, n_trials: int, workers: int) -> dict[str, object]:
    """Run ``n_trials`` trials in ``workers`` threads of one study on a new journal file.

    Parameters
    ----------
    journal : Path
        The journal file to create (its folder must exist).
    objective : str
        A key of :data:`course_utils.parallel_worker.OBJECTIVES`.
    n_trials : int
        Trials in all, at least 1.
    workers : int
        Threads (``n_jobs``), at least 1.

    Returns
    -------
    dict
        ``seconds`` (wall clock), ``trials`` (finished trials found in the storage) and
        ``trial_seconds`` (:func:`trial_span`).
    """
    n_trials = check_int("n_trials", n_trials, minimum=1)
    workers = check_int("workers", workers, minimum=1)
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {sorted(OBJECTIVES)}, got {objective!r}")
    storage = journal_storage(journal)
    study = optuna.create_study(
        study_name="threads", storage=storage, sampler=optuna.samplers.RandomSampler(seed=0)
    )
    with Stopwatch() as watch:
        study.optimize(OBJECTIVES[objective], n_trials=n_trials, n_jobs=workers)
    return {
        "seconds": watch.seconds,
        "trials": count_finished_trials(storage, "threads"),
        "trial_seconds": trial_span(storage, "threads"),
    }


def run_processes(journal: Path, objective: str, n_trials: int, workers: int) -> dict[str, object]:
    """Run ``n_trials`` trials in ``workers`` worker processes sharing one study on a new journal file.

    Parameters
    ----------
    journal : Path
        The journal file to create (its folder must exist).
    objective : str
        A key of :data:`course_utils.parallel_worker.OBJECTIVES`.
    n_trials : int
        Trials in all, at least ``workers``; each worker adds ``n_trials // workers``.
    workers : int
        Processes, at least 1.

    Returns
    -------
    dict
        ``seconds`` (wall clock, start-ups included), ``trials`` (finished trials found in
        the storage) and ``trial_seconds`` (:func:`trial_span`).
    """
    workers = check_int("workers", workers, minimum=1)
    n_trials = check_int("n_trials", n_trials, minimum=workers)
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {sorted(OBJECTIVES)}, got {objective!r}")
    storage = journal_storage(journal)
    optuna.create_study(study_name="processes", storage=storage)
    spec = f"journal:{journal}"
    with Stopwatch() as watch:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "course_utils.parallel_worker", "--storage", spec,
                 "--study-name", "processes", "--n-trials", str(n_trials // workers),
                 "--objective", objective, "--seed", str(seed)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
            )
            for seed in range(workers)
        ]
        outputs = [proc.communicate(timeout=600) for proc in procs]
    for proc, (out, err) in zip(procs, outputs):
        if proc.returncode != 0:
            raise RuntimeError(f"a worker exited with {proc.returncode}:\n{out}\n{err}")
    return {
        "seconds": watch.seconds,
        "trials": count_finished_trials(storage, "processes"),
        "trial_seconds": trial_span(storage, "processes"),
    }


def trial_span(storage: optuna.storages.BaseStorage, study_name: str) -> float | None:
    """Return the seconds from the first trial's start to the last trial's end, as the storage recorded them.

    For processes this leaves out each process's start-up before its first trial but keeps
    any lack of overlap between workers (one worker finishing before another starts).

    Parameters
    ----------
    storage : optuna.storages.BaseStorage
        The storage of the study.
    study_name : str
        The study's name.

    Returns
    -------
    float or None
        The span, or None when no trial has finished.
    """
    trials = optuna.load_study(study_name=study_name, storage=storage).get_trials(
        deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)
    )
    if not trials:
        return None
    start = min(t.datetime_start for t in trials)
    end = max(t.datetime_complete for t in trials)
    return (end - start).total_seconds()


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def bench_parallel(
    *,
    objectives: Sequence[str] = ("python-loop", "sleep"),
    workers: Sequence[int] = (1, 2, 4),
    n_trials: int = 48,
) -> dict[str, object]:
    """Measure threads and processes for each objective and number of workers.

    Parameters
    ----------
    objectives : sequence of str, default=("python-loop", "sleep")
        Keys of :data:`course_utils.parallel_worker.OBJECTIVES`.
    workers : sequence of int, default=(1, 2, 4)
        Numbers of workers; must contain 1 (the baseline) and divide ``n_trials``.
    n_trials : int, default=48
        Trials per run.

    Returns
    -------
    dict
        The settings and ``rows``: per objective, kind (``threads``/``processes``) and number
        of workers, the seconds, finished trials, ``speedup`` (wall clock) and ``trial_speedup``
        (seconds in trials, without process start-up) over one worker of that kind.
    """
    workers = [check_int("workers[]", w, minimum=1) for w in workers]
    if 1 not in workers:
        raise ValueError(f"workers must contain 1, the baseline, got {workers}")
    n_trials = check_int("n_trials", n_trials, minimum=1)
    for w in workers:
        if n_trials % w:
            raise ValueError(f"n_trials must be a multiple of every number of workers, got {n_trials} and {w}")
    for objective in objectives:
        if objective not in OBJECTIVES:
            raise ValueError(f"objectives must be keys of {sorted(OBJECTIVES)}, got {objective!r}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        for objective in objectives:
            for kind, run in (("threads", run_threads), ("processes", run_processes)):
                baseline: dict[str, object] = {}
                for w in sorted(workers):
                    result = run(Path(tmp) / f"{objective}-{kind}-{w}.log", objective, n_trials, w)
                    if w == 1:
                        baseline = result
                    rows.append(
                        {"objective": objective, "kind": kind, "workers": w, **result,
                         "speedup": baseline["seconds"] / result["seconds"],
                         "trial_speedup": _ratio(baseline["trial_seconds"], result["trial_seconds"])}
                    )
    return {
        "storage": "journal file (JournalFileBackend, open lock)",
        "n_trials": n_trials,
        "objectives": {name: OBJECTIVE_LABELS.get(name, name) for name in objectives},
        "rows": rows,
    }
