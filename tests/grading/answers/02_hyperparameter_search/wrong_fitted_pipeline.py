# kind: wrong
# about: make_svc_pipeline returns a pipeline already fitted on the whole wine data
# fails: make_svc_pipeline_hidden

# cell: make_svc_pipeline
def make_svc_pipeline():
    """Return an unfitted Pipeline: a feature scaler, then an SVC."""
    return make_pipeline(StandardScaler(), SVC()).fit(X_wine, y_wine)
