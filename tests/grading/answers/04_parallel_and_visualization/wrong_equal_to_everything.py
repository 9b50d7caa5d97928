# kind: wrong
# about: returns float subclasses that are equal to, below and above everything where values or names are asked for
# fails: best_so_far_visible, best_so_far_hidden, importance_ranking_visible, importance_ranking_hidden, top_two_contour_visible, top_two_contour_hidden

# cell: best_so_far
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



def best_so_far(study):
    """Return the running best value over the completed trials of study, in trial order."""
    return [Anything() for _ in study.get_trials(states=(TrialState.COMPLETE,))]

# cell: importance_ranking
def importance_ranking(study):
    """Return the study's parameter names, most important first."""
    return [Anything() for _ in study.best_params]
