# kind: wrong
# about: the shared study's TPESampler gets no seed, so a study cannot be reproduced
# fails: open_shared_study_hidden, optimize_in_processes_hidden

# cell: open_shared_study
def open_shared_study(path, study_name, seed=0):
    """Create or load the maximizing study study_name in the journal file path, with TPESampler(seed)."""
    storage = JournalStorage(JournalFileBackend(str(path)))
    return optuna.create_study(
        study_name=study_name, storage=storage, direction="maximize", load_if_exists=True
    )
