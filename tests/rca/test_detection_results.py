"""A partition's result survives the JSON trip between Celery workers unchanged."""

import json
from datetime import UTC, datetime, timedelta

from rca.detection.analysis import find_patterns
from rca.detection.params import DetectionParams
from rca.detection.results import HitTopic, PartitionResult, PatternHit
from rca.synthetic import generate_audits, reader_rows

END = datetime(2026, 11, 20, tzinfo=UTC)


def _through_json(result: PartitionResult) -> PartitionResult:
    return PartitionResult.from_dict(json.loads(json.dumps(result.to_dict())))


def _hit(**changes) -> PatternHit:
    values = {
        "decision_label": "none", "audit_label": "spam_scam", "conditions": {"market": "TR", "content_type": "video"},
        "topic": HitTopic(terms={"crypto": 0.8, "giveaway": 0.6}, top_terms=("crypto", "giveaway")),
        "merged_topics": (None, HitTopic(terms={"coin": 1.0}, top_terms=("coin",))),
        "support": 900, "error_count": 45, "error_rate": 0.05, "baseline_rate": 0.004, "lift": 12.5, "score": 3.25,
        "sample_ids": (3, 5, 8), "daily_counts": {"2026-11-18": 20, "2026-11-19": 25},
        "first_seen": END - timedelta(days=2, minutes=7), "last_seen": END - timedelta(hours=3), "days_seen": 2,
        "content_items": 40, "moderators": 6,
    }  # fmt: skip
    return PatternHit(**{**values, **changes})


def test_partition_result_round_trips_through_json():
    result = PartitionResult(
        hits=(_hit(), _hit(topic=None, merged_topics=(), conditions={"market": "ID"})),
        timings={"load_cube": 0.01, "text": 0.2},
        errors=120,
        candidates=7,
        partition="integrity",
        samples=25000,
    )

    assert _through_json(result) == result


def test_partition_result_to_dict_is_plain_json():
    data = PartitionResult(hits=(_hit(),), partition="integrity").to_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["hits"][0]["first_seen"] == (END - timedelta(days=2, minutes=7)).isoformat()
    assert data["hits"][0]["merged_topics"][0] is None


def test_find_patterns_result_round_trips_through_json():
    data = generate_audits(seed=1, days=10, audits_per_day=1200, end=END)

    result = find_patterns(*reader_rows(data.records), DetectionParams(seed=1))

    assert result.hits and _through_json(result) == result


def test_partition_result_placed_puts_the_read_timings_first():
    result = PartitionResult(timings={"encode": 0.5})

    placed = result.placed(partition="integrity", samples=10, timings={"load_cube": 0.1})

    assert (placed.partition, placed.samples) == ("integrity", 10)
    assert list(placed.timings) == ["load_cube", "encode"]
    assert result.partition == ""  # frozen: a new object
