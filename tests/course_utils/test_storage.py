"""Storage specs open the right storage; workers on a journal file lose no trial; PostgreSQL starts, stops."""

import json
import os
import pwd
import socket
import subprocess
import sys

import optuna
import pytest
import sqlalchemy
from optuna.storages import GrpcStorageProxy, RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages.journal import JournalFileOpenLock, JournalStorage

from course_utils.parallel_worker import OBJECTIVES, run_worker
from course_utils.postgres import SERVER_USER_WHEN_ROOT, postgres_bin_dir, start_postgres
from course_utils.storage import (
    count_finished_trials,
    free_port,
    heartbeat_storage,
    journal_storage,
    open_storage,
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


def test_journal_storage_locks_with_an_open_lock_file(tmp_path):
    storage = journal_storage(tmp_path / "study.log")
    assert isinstance(storage._backend._lock, JournalFileOpenLock)


def test_heartbeat_storage_beats_and_retries_each_stale_trial_once(tmp_path):
    storage = heartbeat_storage(f"sqlite:///{tmp_path / 'hb.db'}", heartbeat_interval=1, grace_period=3)
    assert isinstance(storage, RDBStorage)
    assert (storage.get_heartbeat_interval(), storage.grace_period) == (1, 3)
    callback = storage.get_heartbeat_stale_trial_callback()
    assert isinstance(callback, RetryHeartbeatStaleTrialCallback) and callback._max_retry == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [({"heartbeat_interval": 0, "grace_period": 2}, "heartbeat_interval must be >= 1"),
     ({"heartbeat_interval": 1, "grace_period": 0}, "grace_period must be >= 1")],
)
def test_heartbeat_storage_rejects_non_positive_periods(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        heartbeat_storage(f"sqlite:///{tmp_path / 'hb.db'}", **kwargs)


def test_heartbeat_storage_needs_a_database_url(tmp_path):
    with pytest.raises(ValueError, match="url must be a database URL"):
        heartbeat_storage(str(tmp_path / "study.log"), heartbeat_interval=1, grace_period=2)


def test_a_study_in_a_journal_file_is_found_again_by_name(tmp_path):
    path = tmp_path / "study.log"
    optuna.create_study(study_name="named", storage=journal_storage(path))
    timings = run_worker(f"journal:{path}", "named", n_trials=3, objective="instant", seed=0)
    assert count_finished_trials(journal_storage(path), "named") == 3
    assert set(timings) == {"optimize_seconds", "cpu_seconds"} and timings["optimize_seconds"] > 0


def test_run_worker_rejects_an_unknown_objective(tmp_path):
    with pytest.raises(ValueError, match="objective must be one of"):
        run_worker(f"journal:{tmp_path / 's.log'}", "x", n_trials=1, objective="gpu", seed=0)


def test_run_worker_wants_both_heartbeat_settings_or_none(tmp_path):
    with pytest.raises(ValueError, match="given together"):
        run_worker(f"journal:{tmp_path / 's.log'}", "x", n_trials=1, objective="instant", seed=0,
                   heartbeat_interval=1)


def test_workers_with_the_same_seed_propose_the_same_points_and_other_seeds_do_not(tmp_path):
    spec = f"journal:{tmp_path / 'seeds.log'}"
    for name in ("a", "b", "c"):
        optuna.create_study(study_name=name, storage=open_storage(spec))
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        run_worker(spec, name, n_trials=3, objective="instant", seed=seed)
    xs = {name: [t.params["x"] for t in optuna.load_study(study_name=name, storage=open_storage(spec)).trials]
          for name in ("a", "b", "c")}
    assert xs["a"] == xs["b"] and xs["a"] != xs["c"]


@pytest.mark.parametrize("objective", ["python-loop", "sleep", "instant"])
def test_every_quick_objective_returns_the_quadratic_of_its_x(objective):
    study = optuna.create_study()
    study.enqueue_trial({"x": 5.0})
    study.optimize(OBJECTIVES[objective], n_trials=1)
    assert study.trials[0].value == 9.0


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
        assert report["n_trials"] == 4 and report["optimize_seconds"] > 0 and report["cpu_seconds"] > 0
    assert count_finished_trials(open_storage(spec), "shared") == 8


def test_wait_for_port_times_out_when_nothing_listens():
    with pytest.raises(TimeoutError, match="nothing listens"):
        wait_for_port(free_port(), timeout=0.2)


def test_postgres_binaries_come_with_the_python_environment():
    assert all((postgres_bin_dir() / name).is_file() for name in ("initdb", "pg_ctl", "postgres", "createdb"))


def test_start_postgres_serves_a_database_on_loopback_and_stop_removes_it():
    with start_postgres(database="unit_test") as server:
        engine = sqlalchemy.create_engine(server.url)
        with engine.connect() as connection:
            listen = connection.execute(sqlalchemy.text("SHOW listen_addresses")).scalar()
            database = connection.execute(sqlalchemy.text("SELECT current_database()")).scalar()
        engine.dispose()
        study = optuna.create_study(study_name="on-postgres", storage=server.url)
        study.optimize(OBJECTIVES["instant"], n_trials=2)
        assert count_finished_trials(server.url, "on-postgres") == 2
        if os.geteuid() == 0:
            assert pwd.getpwuid((server.workdir / "data").stat().st_uid).pw_name == SERVER_USER_WHEN_ROOT
    assert (listen, database) == ("127.0.0.1", "unit_test")
    assert not server.workdir.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
    server.stop()  # a second stop does nothing


def test_start_postgres_rejects_a_database_name_that_is_not_an_identifier():
    with pytest.raises(ValueError, match="database must be a plain identifier"):
        start_postgres(database="x; DROP")
