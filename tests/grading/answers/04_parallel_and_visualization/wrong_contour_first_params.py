# kind: wrong
# about: plots the first two parameter names instead of the two most important parameters
# fails: top_two_contour_hidden

# cell: top_two_contour
def top_two_contour(study):
    """Return plot_contour of study restricted to its two most important parameters."""
    return optuna.visualization.plot_contour(study, params=sorted(study.best_params)[:2])
