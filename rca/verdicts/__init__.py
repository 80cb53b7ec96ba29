"""Second audits of a sample's decision: resolutions (a dispute's review, an imported second review), which decide the
sample's final label and keep the verdict they replaced, and calibration answers, which are only scored against it.

Its own Django app (label `verdicts`), beside `rca`: the history of a verdict is evidence, as the sample is; the
disputes that ask for a review are case work (`cases.disputes`). See docs/audit-quality.md.
"""
