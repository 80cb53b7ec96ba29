"""The detection pipeline's analysis: pure functions over plain arrays (no database), plus the window reader.

`params` (thresholds), `frame` (encoding rows into arrays), `text` (note topics), `slices` (the slice search, the
explain-away cover and the recurrence checks), `analysis` (one partition end to end: `find_patterns`), `auditors` (the
auditor pass: audit-driven patterns, whose errors the partitions then leave out) and `auditor_rows` (its input rows),
`results` (what a partition finds, as typed dataclasses that travel to the write step as JSON), `partitions` (how a
run is split), `cube_store` (the run's traffic cube and auditor result between its tasks), `reader` (the only module
here that touches the database: it reads the window).
"""
