"""The detection pipeline's analysis: pure functions over plain arrays (no database), plus the window reader.

`params` (thresholds), `frame` (encoding rows into arrays), `text` (note topics), `slices` (the slice search, the
explain-away cover and the recurrence checks), `analysis` (one partition end to end: `find_patterns`), `results` (what
a partition finds, as typed dataclasses that travel to the write step as JSON), `partitions` (how a run is split),
`cube_store` (the run's traffic cube between its tasks), `reader` (the only module here that touches the database: it
reads the window).
"""
