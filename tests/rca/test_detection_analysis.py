"""The pure analysis (no database): slices, cover, recurrence, text topics, on plain rows and on the generator."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from rca.detection.analysis import analyse_partition
from rca.detection.frame import build_frame
from rca.detection.params import DetectionParams
from rca.detection.partitions import plan_partitions, stake_label
from rca.detection.slices import wilson_lower
from rca.detection.text import cluster_texts, term_similarity
from rca.synthetic import generate_audits, score_detection

END = datetime(2026, 11, 20, tzinfo=UTC)
PARAMS = DetectionParams(min_support=20, min_errors=8, min_items=3)


def _plain(records):
    """The cube and the error rows the database reader would return for `records`."""
    cube, errors = Counter(), []
    for index, r in enumerate(records):
        key = (r["market"], r["language"], r["decision_source"], r["model_version"], r["queue"], r["content_type"])
        cube[(*key, ";".join(r["tags"]))] += 1
        if r["decision_label"] != r["audit_label"]:
            errors.append(
                (index, datetime.fromisoformat(r["audited_at"]), r["content_id"], r["moderator_id"], *key,
                 r["tags"], r["decision_label"], r["audit_label"], r["notes"], r["transcript"])
            )  # fmt: skip
    return [(*key, count) for key, count in cube.items()], errors


def _record(index, *, market="ID", day=0, error=False, content=None, moderator="", source="model", notes=""):
    return {
        "market": market, "language": "id", "decision_source": source,
        "model_version": "m1" if source == "model" else "", "queue": "q", "content_type": "live_stream",
        "tags": ["gaming"], "decision_label": "none", "audit_label": "hate_speech" if error else "none",
        "content_id": content or f"c{index}", "moderator_id": moderator,
        "audited_at": (END - timedelta(days=day, hours=1, minutes=index % 50)).isoformat(),
        "notes": notes or ("hateful chant missed in stream" if error else ""), "transcript": "",
    }  # fmt: skip


def _traffic(n_per_market, markets=("ID", "BR", "US", "MX")):
    return [_record(i, market=m, day=i % 10) for m in markets for i in range(n_per_market)]


def test_wilson_lower_is_below_the_rate_and_tightens_with_support():
    small, large = wilson_lower([5, 500], [10, 1000], 3.29)

    assert 0 < small < large < 0.5


def test_analyse_partition_finds_a_recurring_slice_once():
    records = _traffic(300) + [_record(1000 + i, day=i % 7, error=True) for i in range(40)]

    hits = analyse_partition(*_plain(records), PARAMS)["hits"]

    assert len(hits) == 1
    assert hits[0]["conditions"] == {"market": "ID"}
    assert (hits[0]["decision_label"], hits[0]["audit_label"]) == ("none", "hate_speech")
    assert hits[0]["error_count"] == 40 and hits[0]["days_seen"] == 7


def test_analyse_partition_ignores_a_one_day_burst():
    records = _traffic(300) + [_record(1000 + i, day=2, error=True) for i in range(40)]

    assert analyse_partition(*_plain(records), PARAMS)["hits"] == []


def test_analyse_partition_ignores_one_item_audited_many_times():
    records = _traffic(300) + [_record(1000 + i, day=i % 7, error=True, content="stream-1") for i in range(40)]

    assert analyse_partition(*_plain(records), PARAMS)["hits"] == []


def test_analyse_partition_ignores_one_moderators_human_errors():
    errors = [_record(1000 + i, day=i % 7, error=True, source="human", moderator="mod-1") for i in range(40)]

    assert analyse_partition(*_plain(_traffic(300) + errors), PARAMS)["hits"] == []


def test_analyse_partition_ignores_a_tiny_slice():
    tiny = [_record(1000 + i, market="GB", day=i % 7, error=i < 7) for i in range(9)]

    assert analyse_partition(*_plain(_traffic(300) + tiny), PARAMS)["hits"] == []


def test_analyse_partition_needs_lift_not_only_significance():
    # Errors everywhere at the same rate: large slices are "significant" against zero but never lifted.
    records = [
        _record(i, market=m, day=i % 10, error=i % 10 == 0) for m in ("ID", "BR", "US", "MX") for i in range(400)
    ]

    assert analyse_partition(*_plain(records), PARAMS)["hits"] == []


def test_analyse_partition_splits_two_mistakes_of_one_slice_by_wording():
    first = [
        _record(1000 + i, day=i % 7, error=True, notes=f"coordinated raid insult spam wave {i}") for i in range(40)
    ]
    second = [_record(2000 + i, day=i % 7, error=True, notes=f"doxxing home address posted {i}") for i in range(40)]
    params = DetectionParams(min_support=20, min_errors=8, min_items=3, min_cluster_texts=10)

    hits = analyse_partition(*_plain(_traffic(300) + first + second), params)["hits"]

    assert len(hits) == 2
    terms = sorted(hit["topic"]["top_terms"][0] for hit in hits)
    assert any("raid" in hit["topic"]["top_terms"] for hit in hits)
    assert any("doxxing" in hit["topic"]["top_terms"] for hit in hits), terms


def test_build_frame_encodes_tags_and_kinds():
    records = [_record(0, error=True), _record(1)]
    frame = build_frame(*_plain(records))

    assert frame.total == 2
    assert frame.kinds == [("none", "hate_speech")]
    assert frame.vocab["tag"] == ["gaming"]


def test_cluster_texts_merges_wordings_of_one_problem_and_separates_two():
    background = [
        f"reviewer {word} decision overturned {i}" for i, word in enumerate(["misread", "strict", "late"] * 40)
    ]
    texts = (
        [f"casino betting site promoted {i}" for i in range(30)]
        + [f"casino betting referral code shown {i}" for i in range(30)]
        + [f"rooster fight with blades {i}" for i in range(30)]
        + background
    )
    groups = [0] * 90 + [1] * len(background)

    topics = cluster_texts(
        texts, groups=groups, n_clusters=6, sample_size=1000, min_cluster_texts=10, merge_similarity=0.15, seed=1
    )

    assert topics.labels[0] == topics.labels[30] != topics.labels[60]
    assert term_similarity(topics.terms[topics.labels[0]], topics.terms[topics.labels[60]]) < 0.15


def test_plan_partitions_groups_labels_by_area_without_none():
    plan = plan_partitions(
        [("none", "none"), ("hate_speech", "civility"), ("spam", "integrity"), ("bully", "civility")]
    )

    assert plan == {"civility": ["bully", "hate_speech"], "integrity": ["spam"]}
    assert stake_label("hate_speech", "none") == "hate_speech"
    assert stake_label("none", "spam") == "spam"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_analyse_partition_on_generated_data_finds_every_planted_pattern_once(seed):
    data = generate_audits(seed=seed, days=14, audits_per_day=1500, end=END)
    records = data.records

    hits = analyse_partition(*_plain(records), DetectionParams(seed=seed))["hits"]

    score = score_detection([[records[i]["external_id"] for i in hit["sample_ids"]] for hit in hits], data)
    assert score["recall"] == 1.0, score
    assert score["precision"] == 1.0, score
    assert score["duplicates"] == 0
    assert score["decoys_reported"] == []
