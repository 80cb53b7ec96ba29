"""Verified fixes (its own Django app, label `fixes`): the fix a case records on entering monitoring, and the verdict
the audits of decisions made after it give (`verdict`), kept current by a beat task (`tasks`).

- `models`: `Fix`, one row per recorded fix (the latest counts), with its latest verdict and figures.
- `verdict`: the verdict of a fix from its case's measure (`cases.measure`): before/after windows, control, tests.
- `services`: record a fix, refresh verdicts, and what a verdict changes on the case (closure, notifications).
"""
