"""Optuna storages for the course's worker processes, named by a short text "spec".

Every process that works on one study must open the *same* storage and load
the study by its *name*. The helpers here turn a short text "spec" into a
storage, so that a notebook can hand the very same spec to worker processes
on their command line:

- a path ending in ``.log`` (or ``journal:<path>``): Optuna's journal file
  storage, the embedded default that needs no server;
- a SQLAlchemy URL such as ``sqlite:///study.db`` or
  ``postgresql+psycopg2://user@127.0.0.1:5432/optuna``: an RDB storage;
- ``grpc://<host>:<port>``: a client of Optuna's gRPC storage proxy.
"""

import os
import socket
import time
import warnings
from pathlib import Path

import optuna
from optuna.storages import BaseStorage, GrpcStorageProxy, RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage

from course_utils._validation import check_int, check_non_negative_float

_JOURNAL_PREFIX = "journal:"
_GRPC_PREFIX = "grpc://"


def journal_storage(path: str | os.PathLike) -> JournalStorage:
    """Open (or create) a journal file storage at ``path``.

    The journal storage appends every change of every study to one file, each
    append under a lock file (``JournalFileBackend.append_logs``), and replays
    the file to read. Processes that share the file, on one machine or on
    several machines through NFS, need no database server.

    Parameters
    ----------
    path : str or path-like
        The journal file. Its folder must exist; the file is created if missing.

    Returns
    -------
    optuna.storages.JournalStorage
        A storage to pass to ``optuna.create_study`` / ``optuna.load_study``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like, got {type(path).__name__} {path!r}")
    path = Path(path)
    if not path.parent.is_dir():
        raise ValueError(f"path must be in an existing folder, got {str(path)!r}")
    # JournalFileOpenLock creates the lock file with open(O_CREAT | O_EXCL), which is atomic on a
    # local file system and on NFSv3 or later (kernel 2.6 or later), and needs no symbolic links
    # (Windows refuses them to ordinary users). On NFSv2 use Optuna's default, JournalFileSymlinkLock.
    # Both locks break a lock file left unchanged for 30 s (grace_period): a crashed writer's lock.
    backend = JournalFileBackend(str(path), lock_obj=JournalFileOpenLock(str(path)))
    return JournalStorage(backend)


def open_storage(spec: str) -> BaseStorage | str:
    """Turn a storage spec into something ``optuna.create_study(storage=...)`` accepts.

    Parameters
    ----------
    spec : str
        ``journal:<path>`` or a path ending in ``.log`` for a journal file;
        ``grpc://<host>:<port>`` for the gRPC storage proxy; any other text
        is taken as a SQLAlchemy database URL (``sqlite:///...``,
        ``postgresql+psycopg2://...``) and returned unchanged.

    Returns
    -------
    optuna.storages.BaseStorage or str
        A journal storage, a gRPC proxy client, or the database URL.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise TypeError(f"spec must be a non-empty str, got {type(spec).__name__} {spec!r}")
    if spec.startswith(_JOURNAL_PREFIX):
        return journal_storage(spec[len(_JOURNAL_PREFIX) :])
    if spec.endswith(".log") and "://" not in spec:
        return journal_storage(spec)
    if spec.startswith(_GRPC_PREFIX):
        host, _, port = spec[len(_GRPC_PREFIX) :].rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"spec must look like grpc://<host>:<port>, got {spec!r}")
        with warnings.catch_warnings():
            # The proxy is experimental in Optuna 5; the lecture says so once, instead of
            # this warning in the output of every process that opens it.
            warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
            return GrpcStorageProxy(host=host, port=int(port))
    if "://" not in spec:
        raise ValueError(
            f"spec must be journal:<path>, a path ending in .log, grpc://<host>:<port> "
            f"or a database URL, got {spec!r}"
        )
    return spec


def heartbeat_storage(
    url: str, *, heartbeat_interval: int, grace_period: int, max_retry: int = 1
) -> RDBStorage:
    """Open a database storage whose running trials beat a heartbeat, and retry the trials whose beat stopped.

    While a trial runs in ``study.optimize``, a thread of its process records a heartbeat every
    ``heartbeat_interval`` seconds. Before each new trial, ``optuna.storages.fail_stale_trials``
    marks as FAIL every running trial whose last heartbeat is older than ``grace_period`` seconds
    (its process was killed or lost), and ``RetryHeartbeatStaleTrialCallback`` enqueues a copy with
    the same parameters, which the next ``study.ask`` of any worker runs. Only ``RDBStorage``
    records heartbeats in Optuna 5.0 (not the journal storage, not the gRPC proxy).

    Parameters
    ----------
    url : str
        A SQLAlchemy database URL.
    heartbeat_interval : int
        Seconds between two heartbeats of a running trial, at least 1.
    grace_period : int
        Seconds without a heartbeat after which a running trial counts as dead, at least 1.
    max_retry : int, default=1
        How many times one trial is retried.

    Returns
    -------
    optuna.storages.RDBStorage
        The storage.
    """
    if not isinstance(url, str) or "://" not in url:
        raise ValueError(f"url must be a database URL, got {url!r}")
    heartbeat_interval = check_int("heartbeat_interval", heartbeat_interval, minimum=1)
    grace_period = check_int("grace_period", grace_period, minimum=1)
    max_retry = check_int("max_retry", max_retry, minimum=0)
    with warnings.catch_warnings():
        # Heartbeats are experimental in Optuna 5; the lecture says so once.
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        return RDBStorage(
            url,
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=max_retry),
        )


def count_finished_trials(storage: BaseStorage | str, study_name: str) -> int:
    """Return how many trials of ``study_name`` in ``storage`` are complete or pruned.

    Parameters
    ----------
    storage : optuna.storages.BaseStorage or str
        The storage (or a database URL).
    study_name : str
        The study's name.

    Returns
    -------
    int
        The number of trials in state COMPLETE or PRUNED.
    """
    study = optuna.load_study(study_name=study_name, storage=storage)
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    return len(study.get_trials(deepcopy=False, states=finished))


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that no process listens on right now.

    Parameters
    ----------
    host : str, default="127.0.0.1"
        The address to bind.

    Returns
    -------
    int
        The port number.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, host: str = "127.0.0.1", *, timeout: float = 30.0) -> None:
    """Block until a server accepts TCP connections on ``host:port``.

    Parameters
    ----------
    port : int
        The port.
    host : str, default="127.0.0.1"
        The address.
    timeout : float, default=30.0
        Seconds to wait before raising ``TimeoutError``.
    """
    timeout = check_non_negative_float("timeout", timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} seconds") from None
            time.sleep(0.05)
