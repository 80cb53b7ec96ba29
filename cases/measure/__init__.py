"""A case's measure, defined once: the traffic it watches (the population) and the errors counted in it.

- `definition`: what a measure is, and a case's measure (from its pattern, from the lead's edit, or from the
  attributes its samples share).
- `counts`: audits and errors of a measure, of its comparable traffic outside it (the control), over time windows and
  by day, in one query each.
- `stats`: Wilson intervals, the two-proportion test, the difference-in-differences test and the audits a test needs.

Every page, report and endpoint that shows a case's figures reads them through this package, so the same case shows
the same figures everywhere.
"""
