# kind: correct
# about: the solution, but make_objective and every objective it returns print a debugging line to stderr and emit a UserWarning; a test cell that passes keeps its points

# cell: make_objective
import sys
import warnings

def make_objective(X, y, cv):
    """Return objective(trial) -> mean CV accuracy of a scaled logistic regression with a log-scale C."""
    print(f"debug: objective over {len(y)} samples", file=sys.stderr)

    def objective(trial):
        C = trial.suggest_float("C", 1e-3, 1e2, log=True)
        print(f"debug: trying C={C:.4g}", file=sys.stderr)
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("debug: my objective is still being tuned", UserWarning)
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
        return float(cross_val_score(model, X, y, cv=cv).mean())

    return objective
