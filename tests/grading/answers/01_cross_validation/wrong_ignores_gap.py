# kind: wrong
# about: TimeSeriesSplit without gap, so the sample right before the test block is trained on
# fails: forecast_splits_hidden

# cell: forecast_splits
def forecast_splits(n_samples, n_splits, gap=0):
    """Return n_splits (train_indices, test_indices) pairs for forecasting, leaving gap samples out."""
    return list(TimeSeriesSplit(n_splits=n_splits).split(np.zeros(n_samples)))
