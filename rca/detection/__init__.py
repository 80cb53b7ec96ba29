"""The detection pipeline's analysis: pure functions over plain arrays (no database), plus the window reader.

`params` (thresholds), `frame` (encoding rows into arrays), `text` (note topics), `slices` (the slice search, the
explain-away cover and the recurrence checks), `analysis` (one partition end to end), `partitions` (how a run is
split), `reader` (the only module here that touches the database: it reads the window).
"""
