"""A deterministic generator of audits (records of docs/sample-format.md) with planted recurring error patterns.

Traffic is audited decisions over several markets, content types, model versions, human moderators, queues and tags;
about `noise_rate` of it is misclassified at random with generic notes. On top of it, `PLANTED` patterns raise one
error kind inside one slice on every day, with their own note wording (two of them share one slice and differ only
by wording), and `DECOYS` look like patterns but are not: a one-day burst, one stream audited many times, a tiny
slice, and one moderator's bad run. `AUDITOR_PLANTED` are auditor-driven patterns (one auditor overturning correct
removals under every policy, a group of auditors doing it in one market) and `AUDITOR_DECOYS` look like them but are
not (a new auditor with a few audits, one auditor's bad day). `SyntheticData.truth` tells which planted pattern (or
decoy) each error belongs to; `score_detection` scores a detector's output against it (used by the tests and
`bench/bench_detection_quality.py`).

Used by `seed_demo` too: `generate_audits(seed=..., days=..., audits_per_day=...)`, and `generate_slice_audits` for more
traffic of one planted pattern's slice (its scenes of a fix met again by detection).

`catalog` holds the vocabulary and the planted patterns, `generator` the traffic, `scoring` the scoring and the
records as the detection's database reader sees them.
"""

from rca.synthetic.catalog import (
    AUDITOR_DECOYS,
    AUDITOR_PLANTED,
    DECOYS,
    NO_VIOLATION,
    PLANTED,
    AuditorPlant,
    PlantedPattern,
)
from rca.synthetic.generator import SyntheticData, generate_audits, generate_slice_audits
from rca.synthetic.scoring import LABEL_AREAS, auditor_rows, reader_rows, score_detection

__all__ = [
    "AUDITOR_DECOYS",
    "AUDITOR_PLANTED",
    "DECOYS",
    "LABEL_AREAS",
    "NO_VIOLATION",
    "PLANTED",
    "AuditorPlant",
    "PlantedPattern",
    "SyntheticData",
    "auditor_rows",
    "generate_audits",
    "generate_slice_audits",
    "reader_rows",
    "score_detection",
]
