"""The course as a static website: ``make site`` builds it from the notebooks' stored outputs."""
