"""Run Optuna's gRPC storage proxy in front of a database, as a process of its own.

::

    python -m course_utils.grpc_proxy --storage sqlite:////tmp/study.db --port 13000

Workers then open ``grpc://127.0.0.1:13000`` (see
:func:`course_utils.storage.open_storage`): they talk to the proxy, and only
the proxy talks to the database. The proxy listens on loopback unless
``--host`` says otherwise. Optuna's proxy cannot front a journal storage, so
``--storage`` is a database URL. Stop the proxy with SIGTERM.
"""

import argparse
from collections.abc import Sequence

import optuna
from optuna.storages import get_storage, run_grpc_proxy_server


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", required=True, help="a database URL, e.g. sqlite:///study.db")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if "://" not in args.storage:
        parser.error(f"--storage must be a database URL, got {args.storage!r}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    run_grpc_proxy_server(get_storage(args.storage), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
