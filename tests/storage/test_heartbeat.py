"""A worker killed in the middle of a trial: the next worker fails the stale trial and retries it."""

import subprocess
import sys
import time

import optuna
from optuna.trial import TrialState

HEARTBEAT_OPTIONS = ["--heartbeat-interval", "1", "--grace-period", "2"]


def _worker(url: str, objective: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "course_utils.parallel_worker", "--storage", url, "--study-name", "killed",
         "--n-trials", "1", "--objective", objective, "--seed", "0", *HEARTBEAT_OPTIONS],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _running_trials_with_params(url: str) -> list[optuna.trial.FrozenTrial]:
    study = optuna.load_study(study_name="killed", storage=url)
    return [trial for trial in study.get_trials(states=(TrialState.RUNNING,)) if trial.params]


def test_a_killed_workers_trial_is_failed_and_retried_with_the_same_parameters(postgres_url):
    optuna.create_study(study_name="killed", storage=postgres_url)
    doomed = _worker(postgres_url, "long-sleep")
    deadline = time.monotonic() + 120
    while not _running_trials_with_params(postgres_url):
        assert doomed.poll() is None, doomed.communicate()
        assert time.monotonic() < deadline, "the first worker never started its trial"
        time.sleep(0.1)
    doomed.kill()
    doomed.communicate(timeout=30)
    time.sleep(3)  # longer than the grace period since the last heartbeat

    rescuer = _worker(postgres_url, "sleep")
    stdout, stderr = rescuer.communicate(timeout=120)
    assert rescuer.returncode == 0, stderr

    failed, retried = optuna.load_study(study_name="killed", storage=postgres_url).trials
    assert (failed.state, retried.state) == (TrialState.FAIL, TrialState.COMPLETE)
    assert retried.params == failed.params
    assert retried.system_attrs["failed_trial"] == failed.number
