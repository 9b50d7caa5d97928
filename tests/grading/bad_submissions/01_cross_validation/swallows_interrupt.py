# kind: wrong
# about: an endless loop that catches KeyboardInterrupt, so the interrupt after the timeout does not stop it
# fails: group_splits_visible, group_splits_hidden, group_leakage_gap_visible, group_leakage_gap_hidden, forecast_splits_visible, forecast_splits_hidden, cv_summary_visible, cv_summary_hidden

# cell: group_splits
while True:
    try:
        while True:
            pass
    except KeyboardInterrupt:
        pass
