# kind: correct
# about: the solution, but open_shared_study prints a debugging line to stderr and emits a UserWarning on every call; a test cell that passes keeps its points

# cell: open_shared_study
import sys
import warnings

def open_shared_study(path, study_name, seed=0):
    """Create or load the maximizing study study_name in the journal file path, with TPESampler(seed)."""
    print(f"debug: opening study {study_name!r}", file=sys.stderr)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("debug: my open_shared_study is still being tuned", UserWarning)
    storage = JournalStorage(JournalFileBackend(str(path)))
    return optuna.create_study(
        study_name=study_name,
        storage=storage,
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        load_if_exists=True,
    )
