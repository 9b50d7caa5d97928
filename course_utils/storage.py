"""Optuna storages for the course: a journal file by default, an RDB URL from the environment.

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
from optuna.storages import BaseStorage, GrpcStorageProxy
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage

from course_utils._validation import check_non_negative_float

#: Name of the environment variable that holds the course's database URL.
STORAGE_URL_ENV = "COURSE_OPTUNA_STORAGE_URL"

_JOURNAL_PREFIX = "journal:"
_GRPC_PREFIX = "grpc://"


def journal_storage(path: str | os.PathLike) -> JournalStorage:
    """Open (or create) a journal file storage at ``path``.

    The journal storage appends every change of every study to one file and
    takes a file lock for each write, so several processes on one machine
    can share it without a database server.

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
    # The open-lock (O_EXCL lock file) works on every file system; the default
    # symlink lock needs symlink support.
    backend = JournalFileBackend(str(path), lock_obj=JournalFileOpenLock(str(path)))
    return JournalStorage(backend)


def rdb_url_from_env() -> str | None:
    """Return the database URL in the environment variable ``COURSE_OPTUNA_STORAGE_URL``.

    Returns
    -------
    str or None
        The URL, or None when the variable is unset or empty.
    """
    url = os.environ.get(STORAGE_URL_ENV, "").strip()
    return url or None


def default_storage_spec(journal_path: str | os.PathLike) -> str:
    """Return the storage spec the course uses: the RDB URL from the environment, else a journal file.

    Parameters
    ----------
    journal_path : str or path-like
        The journal file to use when ``COURSE_OPTUNA_STORAGE_URL`` is not set.

    Returns
    -------
    str
        A spec for :func:`open_storage`.
    """
    if not isinstance(journal_path, (str, os.PathLike)):
        raise TypeError(
            f"journal_path must be a str or path-like, got {type(journal_path).__name__} {journal_path!r}"
        )
    return rdb_url_from_env() or _JOURNAL_PREFIX + str(journal_path)


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
