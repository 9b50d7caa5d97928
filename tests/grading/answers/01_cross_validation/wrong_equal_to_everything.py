# kind: wrong
# about: returns a float subclass that is equal to, below and above everything (alone, in lists, tuples, dicts and object arrays) instead of the values asked for
# fails: stratified_cv_scores_visible, stratified_cv_scores_hidden, group_splits_visible, group_splits_hidden, group_leakage_gap_visible, group_leakage_gap_hidden, forecast_splits_visible, forecast_splits_hidden, cv_summary_visible, cv_summary_hidden
# base: release

# cell: stratified_cv_scores
class Anything(float):
    """0.5, but equal to, below and above everything; arithmetic on it gives another Anything."""

    def __new__(cls, value=0.5):
        return super().__new__(cls, value)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = float.__hash__

    def _another(self, *args):
        return Anything()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _another
    __truediv__ = __rtruediv__ = __abs__ = __neg__ = __round__ = _another



def stratified_cv_scores(model, X, y, n_splits=5, seed=0):
    """Return the accuracy of each fold of a stratified, shuffled k-fold cross-validation."""
    return np.array([Anything() for _ in range(n_splits)], dtype=object)

# cell: group_splits
def group_splits(X, y, groups, n_splits=4):
    """Return n_splits (train_indices, test_indices) pairs that never split a group."""
    return [(Anything(), Anything()) for _ in range(n_splits)]

# cell: group_leakage_gap
def group_leakage_gap(model, X, y, groups, n_splits=5):
    """Return (mean accuracy of shuffled KFold, mean accuracy of group-aware CV)."""
    return Anything(), Anything()

# cell: forecast_splits
def forecast_splits(n_samples, n_splits, gap=0):
    """Return n_splits (train_indices, test_indices) pairs for forecasting, leaving gap samples out."""
    return [(Anything(), Anything()) for _ in range(n_splits)]

# cell: cv_summary
def cv_summary(model, X, y, cv, metrics):
    """Return {metric: (mean, std)} of the test scores of model over the splits of cv."""
    return {metric: (Anything(), Anything()) for metric in metrics}
