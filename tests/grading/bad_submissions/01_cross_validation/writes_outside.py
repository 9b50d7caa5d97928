# kind: correct
# about: a correct answer that then tries to write into the gradebook, another submission and the source

# cell: cv_summary
def cv_summary(model, X, y, cv, metrics):
    """Return {metric: (mean, std)} of the test scores of model over the splits of cv."""
    results = cross_validate(model, X, y, cv=cv, scoring=list(metrics))
    return {m: (float(results[f"test_{m}"].mean()), float(results[f"test_{m}"].std())) for m in metrics}


for path in ["@COURSE@/gradebook.db", "@COURSE@/submitted/solution/01_cross_validation/cross_validation.ipynb"]:
    try:
        with open(path, "a") as handle:
            handle.write("HACKED")
        print("WROTE", path)
    except OSError as error:
        print("blocked:", type(error).__name__)
with open("@COURSE@/solutions/01_cross_validation/cross_validation.ipynb", "w") as handle:
    handle.write("HACKED")
