"""A worker process for a shared Optuna study, and the objectives the parallel lecture measures.

Run one worker per process; each loads the study by its name from a shared
storage and adds ``--n-trials`` trials to it::

    python -m course_utils.parallel_worker --storage journal:/tmp/study.log \\
        --study-name quadratic --n-trials 10 --objective python-loop --seed 1

``--storage`` takes any spec of :func:`course_utils.storage.open_storage`
(journal file, database URL, ``grpc://host:port``). The study must exist:
the process that starts the workers creates it once, so no worker races to
create it and no worker creates an unnamed study of its own.

Each worker samples with its own seeded ``TPESampler(constant_liar=True)``:
the trials that other workers are running count as bad results, so that
workers that sample at the same moment do not all propose the same region.
With ``--heartbeat-interval`` and ``--grace-period`` (a database URL only) the
worker's running trials beat a heartbeat, and a trial whose worker died is
retried by the next worker (:func:`course_utils.storage.heartbeat_storage`).

When it is done, the worker prints one JSON line on stdout:
``{"n_trials": ..., "optimize_seconds": ..., "cpu_seconds": ...}``: the wall-clock
and the CPU seconds spent in its trials, without its start-up.
"""

import argparse
import json
import time
from collections.abc import Callable, Sequence

import optuna

from course_utils._validation import check_int
from course_utils.storage import heartbeat_storage, open_storage

#: Work per trial of the objectives: a few hundredths of a second of CPU for the loop on the course's machine.
PYTHON_LOOP_ITERATIONS = 600_000
SLEEP_SECONDS = 0.1
#: A trial long enough to be surely running when the lecture kills its worker.
LONG_SLEEP_SECONDS = 600.0


def _x(trial: optuna.Trial) -> float:
    return trial.suggest_float("x", -10.0, 10.0)


def python_loop_objective(trial: optuna.Trial) -> float:
    """A CPU-bound objective in pure Python: it holds the GIL the whole time.

    Parameters
    ----------
    trial : optuna.Trial
        Suggests ``x`` in [-10, 10].

    Returns
    -------
    float
        ``(x - 2) ** 2``, after a pure-Python loop of ``PYTHON_LOOP_ITERATIONS`` steps.
    """
    x = _x(trial)
    total = 0
    for i in range(PYTHON_LOOP_ITERATIONS):
        total += i % 7
    return (x - 2.0) ** 2 + 0.0 * total


def sleep_objective(trial: optuna.Trial) -> float:
    """An objective that waits (like a call to a remote service): it releases the GIL.

    Parameters
    ----------
    trial : optuna.Trial
        Suggests ``x`` in [-10, 10].

    Returns
    -------
    float
        ``(x - 2) ** 2``, after sleeping ``SLEEP_SECONDS``.
    """
    x = _x(trial)
    time.sleep(SLEEP_SECONDS)
    return (x - 2.0) ** 2


def long_sleep_objective(trial: optuna.Trial) -> float:
    """Like :func:`sleep_objective`, sleeping ``LONG_SLEEP_SECONDS``: long enough to be killed mid-trial."""
    x = _x(trial)
    time.sleep(LONG_SLEEP_SECONDS)
    return (x - 2.0) ** 2


def instant_objective(trial: optuna.Trial) -> float:
    """``(x - 2) ** 2`` at once: a study of it does little but write to its storage."""
    return (_x(trial) - 2.0) ** 2


OBJECTIVES: dict[str, Callable[[optuna.Trial], float]] = {
    "python-loop": python_loop_objective,
    "sleep": sleep_objective,
    "long-sleep": long_sleep_objective,
    "instant": instant_objective,
}


def run_worker(
    storage_spec: str,
    study_name: str,
    n_trials: int,
    objective: str,
    seed: int,
    *,
    heartbeat_interval: int | None = None,
    grace_period: int | None = None,
) -> dict[str, float]:
    """Load ``study_name`` from the storage and run ``n_trials`` trials of an objective in it.

    Parameters
    ----------
    storage_spec : str
        A spec for :func:`course_utils.storage.open_storage`.
    study_name : str
        The name of an existing study.
    n_trials : int
        Trials this worker adds, at least 1.
    objective : {"python-loop", "sleep", "long-sleep", "instant"}
        Which objective to optimize.
    seed : int
        Seed of this worker's sampler; give each worker its own, or they
        propose the same points.
    heartbeat_interval, grace_period : int, optional
        Both or neither: open the database URL ``storage_spec`` with heartbeats
        (:func:`course_utils.storage.heartbeat_storage`).

    Returns
    -------
    dict
        ``optimize_seconds`` and ``cpu_seconds``: wall-clock and CPU seconds spent in
        ``study.optimize``, the trials without the start-up of the process.
    """
    n_trials = check_int("n_trials", n_trials, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {sorted(OBJECTIVES)}, got {objective!r}")
    if (heartbeat_interval is None) != (grace_period is None):
        raise ValueError("heartbeat_interval and grace_period must be given together")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if heartbeat_interval is None:
        storage = open_storage(storage_spec)
    else:
        storage = heartbeat_storage(
            storage_spec, heartbeat_interval=heartbeat_interval, grace_period=grace_period
        )
    study = optuna.load_study(
        study_name=study_name,
        storage=storage,
        sampler=optuna.samplers.TPESampler(seed=seed, constant_liar=True),
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    study.optimize(OBJECTIVES[objective], n_trials=n_trials)
    return {"optimize_seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu_start}


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", required=True, help="journal:<path>, a database URL or grpc://host:port")
    parser.add_argument("--study-name", required=True)
    parser.add_argument("--n-trials", type=int, required=True)
    parser.add_argument("--objective", choices=sorted(OBJECTIVES), default="python-loop")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heartbeat-interval", type=int, help="seconds between heartbeats (database URLs)")
    parser.add_argument("--grace-period", type=int, help="seconds without heartbeat before a trial is failed")
    args = parser.parse_args(argv)
    timings = run_worker(
        args.storage, args.study_name, args.n_trials, args.objective, args.seed,
        heartbeat_interval=args.heartbeat_interval, grace_period=args.grace_period,
    )
    # One JSON line on stdout, for the process that started the worker.
    print(json.dumps({"n_trials": args.n_trials, **timings}))


if __name__ == "__main__":
    main()
