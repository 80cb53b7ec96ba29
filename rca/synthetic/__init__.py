"""A deterministic generator of audits (records of docs/sample-format.md) with planted recurring error patterns.

Traffic is audited decisions over several markets, content types, model versions, human moderators, queues and tags;
about `noise_rate` of it is misclassified at random with generic notes. On top of it, `PLANTED` patterns raise one
error kind inside one slice on every day, with their own note wording (two of them share one slice and differ only
by wording), and `DECOYS` look like patterns but are not: a one-day burst, one stream audited many times, a tiny
slice, and one moderator's bad run. `SyntheticData.truth` tells which planted pattern (or decoy) each error belongs to;
`score_detection` scores a detector's output against it (used by the tests and `bench/bench_detection_quality.py`).

Used by `seed_demo` too: `generate_audits(seed=..., days=..., audits_per_day=...)`.

`catalog` holds the vocabulary and the planted patterns, `generator` the traffic, `scoring` the scoring and the
records as the detection's database reader sees them.
"""

from rca.synthetic.catalog import DECOYS, NO_VIOLATION, PLANTED, PlantedPattern
from rca.synthetic.generator import SyntheticData, generate_audits
from rca.synthetic.scoring import LABEL_AREAS, reader_rows, score_detection

__all__ = [
    "DECOYS",
    "LABEL_AREAS",
    "NO_VIOLATION",
    "PLANTED",
    "PlantedPattern",
    "SyntheticData",
    "generate_audits",
    "reader_rows",
    "score_detection",
]
