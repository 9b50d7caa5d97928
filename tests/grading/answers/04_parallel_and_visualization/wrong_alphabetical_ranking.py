# kind: wrong
# about: returns the parameter names in alphabetical order (the dict's keys sorted), not by importance
# fails: importance_ranking_hidden, top_two_contour_hidden

# cell: importance_ranking
def importance_ranking(study):
    """Return the study's parameter names, most important first."""
    return sorted(optuna.importance.get_param_importances(study))
