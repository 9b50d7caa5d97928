# kind: wrong
# about: takes the largest completed value as best even when the study minimizes
# fails: summarize_study_hidden

# cell: summarize_study
def summarize_study(study):
    """Return counts of complete, pruned and failed trials and the best completed trial's value and params."""
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    best = max(complete, key=lambda t: t.value)
    return {
        "n_complete": len(complete),
        "n_pruned": sum(t.state == TrialState.PRUNED for t in study.trials),
        "n_failed": sum(t.state == TrialState.FAIL for t in study.trials),
        "best_value": best.value,
        "best_params": best.params,
    }
