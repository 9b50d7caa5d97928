"""Several worker processes share one study in a real PostgreSQL database; none of their trials is lost."""

import subprocess
import sys

import optuna
import pytest

from course_utils.storage import count_finished_trials, free_port, wait_for_port

N_WORKERS = 3
TRIALS_PER_WORKER = 6


def _start_workers(storage_spec: str, study_name: str, n_workers: int = N_WORKERS) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [
                sys.executable, "-m", "course_utils.parallel_worker",
                "--storage", storage_spec, "--study-name", study_name,
                "--n-trials", str(TRIALS_PER_WORKER), "--objective", "sleep", "--seed", str(seed),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(n_workers)
    ]


def _wait_for_success(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, f"worker failed:\n{stdout}\n{stderr}"


def test_worker_processes_on_postgresql_store_every_trial(postgres_url):
    optuna.create_study(study_name="pg-workers", storage=postgres_url)
    _wait_for_success(_start_workers(postgres_url, "pg-workers"))

    assert count_finished_trials(postgres_url, "pg-workers") == N_WORKERS * TRIALS_PER_WORKER
    study = optuna.load_study(study_name="pg-workers", storage=postgres_url)
    assert sorted(trial.number for trial in study.trials) == list(range(N_WORKERS * TRIALS_PER_WORKER))


def test_worker_processes_through_the_grpc_proxy_reach_postgresql(postgres_url):
    pytest.importorskip("google.protobuf", reason="Optuna's gRPC proxy needs protobuf")
    optuna.create_study(study_name="grpc-workers", storage=postgres_url)
    port = free_port()
    proxy = subprocess.Popen(
        [sys.executable, "-m", "course_utils.grpc_proxy", "--storage", postgres_url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, timeout=60)
        _wait_for_success(_start_workers(f"grpc://127.0.0.1:{port}", "grpc-workers", n_workers=2))
    finally:
        proxy.terminate()
        proxy.communicate(timeout=30)

    assert count_finished_trials(postgres_url, "grpc-workers") == 2 * TRIALS_PER_WORKER
