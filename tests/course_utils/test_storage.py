"""Storage specs open the right storage; workers sharing a journal file lose no trial."""

import json
import subprocess
import sys

import optuna
import pytest
from optuna.storages import GrpcStorageProxy
from optuna.storages.journal import JournalStorage

from course_utils.parallel_worker import run_worker
from course_utils.storage import (
    STORAGE_URL_ENV,
    count_finished_trials,
    default_storage_spec,
    free_port,
    journal_storage,
    open_storage,
    rdb_url_from_env,
    wait_for_port,
)


@pytest.mark.parametrize("spec_of", [lambda p: f"journal:{p}", lambda p: str(p)])
def test_open_storage_reads_journal_specs(tmp_path, spec_of):
    assert isinstance(open_storage(spec_of(tmp_path / "study.log")), JournalStorage)


def test_open_storage_passes_database_urls_through():
    assert open_storage("sqlite:///study.db") == "sqlite:///study.db"


def test_open_storage_makes_a_grpc_client_without_connecting():
    assert isinstance(open_storage("grpc://127.0.0.1:1"), GrpcStorageProxy)


@pytest.mark.parametrize("spec", ["study.db", "grpc://nohost", "grpc://:12"])
def test_open_storage_rejects_specs_it_cannot_read(spec):
    with pytest.raises(ValueError, match="spec must"):
        open_storage(spec)


def test_open_storage_rejects_non_strings():
    with pytest.raises(TypeError, match="spec must be a non-empty str"):
        open_storage(None)


def test_journal_storage_requires_an_existing_folder(tmp_path):
    with pytest.raises(ValueError, match="path must be in an existing folder"):
        journal_storage(tmp_path / "missing" / "study.log")


def test_default_storage_spec_prefers_the_environment_url(tmp_path, monkeypatch):
    monkeypatch.delenv(STORAGE_URL_ENV, raising=False)
    assert rdb_url_from_env() is None
    assert default_storage_spec(tmp_path / "s.log") == f"journal:{tmp_path / 's.log'}"
    monkeypatch.setenv(STORAGE_URL_ENV, "postgresql+psycopg2://u@127.0.0.1:5432/db")
    assert default_storage_spec(tmp_path / "s.log") == "postgresql+psycopg2://u@127.0.0.1:5432/db"


def test_a_study_in_a_journal_file_is_found_again_by_name(tmp_path):
    path = tmp_path / "study.log"
    optuna.create_study(study_name="named", storage=journal_storage(path))
    run_worker(f"journal:{path}", "named", n_trials=3, objective="sleep", seed=0)
    assert count_finished_trials(journal_storage(path), "named") == 3


def test_run_worker_rejects_an_unknown_objective(tmp_path):
    with pytest.raises(ValueError, match="objective must be one of"):
        run_worker(f"journal:{tmp_path / 's.log'}", "x", n_trials=1, objective="gpu", seed=0)


def test_two_worker_processes_on_one_journal_file_store_every_trial(tmp_path):
    spec = f"journal:{tmp_path / 'study.log'}"
    optuna.create_study(study_name="shared", storage=open_storage(spec))
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "course_utils.parallel_worker", "--storage", spec,
             "--study-name", "shared", "--n-trials", "4", "--objective", "sleep", "--seed", str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr
        report = json.loads(stdout.splitlines()[-1])
        assert report["n_trials"] == 4 and report["optimize_seconds"] > 0
    assert count_finished_trials(open_storage(spec), "shared") == 8


def test_wait_for_port_times_out_when_nothing_listens():
    with pytest.raises(TimeoutError, match="nothing listens"):
        wait_for_port(free_port(), timeout=0.2)
