# kind: correct
# about: the solution, but make_svc_pipeline prints a debugging line to stderr and emits a UserWarning on every call; a test cell that passes keeps its points

# cell: make_svc_pipeline
import sys
import warnings

def make_svc_pipeline():
    """Return an unfitted Pipeline: a feature scaler, then an SVC."""
    print("debug: building a scaler + SVC pipeline", file=sys.stderr)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("debug: my make_svc_pipeline is still being tuned", UserWarning)
    return make_pipeline(StandardScaler(), SVC())
