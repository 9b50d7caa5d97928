# kind: wrong
# about: os._exit ends the kernel in the forecast_splits cell; the earlier tests keep their points
# fails: forecast_splits_visible, forecast_splits_hidden, cv_summary_visible, cv_summary_hidden

# cell: forecast_splits
import os

os._exit(3)
