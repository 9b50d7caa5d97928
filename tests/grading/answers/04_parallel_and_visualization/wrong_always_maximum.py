# kind: wrong
# about: keeps the running maximum even when the study minimizes
# fails: best_so_far_hidden

# cell: best_so_far
def best_so_far(study):
    """Return the running best value over the completed trials of study, in trial order."""
    values = [t.value for t in study.trials if t.state == TrialState.COMPLETE]
    return list(np.maximum.accumulate(values))
