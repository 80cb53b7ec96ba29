"""The pure analysis (no database): slices, cover, recurrence, text topics, on plain rows and on the generator."""

from datetime import UTC, datetime, timedelta

import pytest

from rca.detection.analysis import find_patterns
from rca.detection.frame import EncodedCube, build_frame, encode_cube
from rca.detection.params import DetectionParams
from rca.detection.partitions import plan_partitions, stake_label
from rca.detection.slices import wilson_lower
from rca.detection.text import cluster_texts, stem, term_similarity
from rca.synthetic import LABEL_AREAS, generate_audits, reader_rows, score_detection

END = datetime(2026, 11, 20, tzinfo=UTC)
# The seeded policy labels and their areas (rca/migrations/0002_seed_policy_labels.py).
PARAMS = DetectionParams(min_support=20, min_errors=8, min_items=3)


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


def test_find_patterns_finds_a_recurring_slice_once():
    records = _traffic(300) + [_record(1000 + i, day=i % 7, error=True) for i in range(40)]

    hits = find_patterns(*reader_rows(records), PARAMS).hits

    assert len(hits) == 1
    assert hits[0].conditions == {"market": "ID"}
    assert (hits[0].decision_label, hits[0].audit_label) == ("none", "hate_speech")
    assert hits[0].error_count == 40 and hits[0].days_seen == 7


def test_find_patterns_ignores_a_one_day_burst():
    records = _traffic(300) + [_record(1000 + i, day=2, error=True) for i in range(40)]

    assert find_patterns(*reader_rows(records), PARAMS).hits == ()


def test_find_patterns_ignores_one_item_audited_many_times():
    records = _traffic(300) + [_record(1000 + i, day=i % 7, error=True, content="stream-1") for i in range(40)]

    assert find_patterns(*reader_rows(records), PARAMS).hits == ()


def test_find_patterns_ignores_one_moderators_human_errors():
    errors = [_record(1000 + i, day=i % 7, error=True, source="human", moderator="mod-1") for i in range(40)]

    assert find_patterns(*reader_rows(_traffic(300) + errors), PARAMS).hits == ()


def test_find_patterns_ignores_a_tiny_slice():
    tiny = [_record(1000 + i, market="GB", day=i % 7, error=i < 7) for i in range(9)]

    assert find_patterns(*reader_rows(_traffic(300) + tiny), PARAMS).hits == ()


def test_find_patterns_needs_lift_not_only_significance():
    # Errors everywhere at the same rate: large slices are "significant" against zero but never lifted.
    records = [
        _record(i, market=m, day=i % 10, error=i % 10 == 0) for m in ("ID", "BR", "US", "MX") for i in range(400)
    ]

    assert find_patterns(*reader_rows(records), PARAMS).hits == ()


def test_find_patterns_splits_two_mistakes_of_one_slice_by_wording():
    first = [
        _record(1000 + i, day=i % 7, error=True, notes=f"coordinated raid insult spam wave {i}") for i in range(40)
    ]
    second = [_record(2000 + i, day=i % 7, error=True, notes=f"doxxing home address posted {i}") for i in range(40)]
    params = DetectionParams(min_support=20, min_errors=8, min_items=3, min_cluster_texts=10)

    hits = find_patterns(*reader_rows(_traffic(300) + first + second), params).hits

    assert len(hits) == 2
    terms = sorted(hit.topic.top_terms[0] for hit in hits)
    assert any("raid" in hit.topic.top_terms for hit in hits)
    assert any("doxxing" in hit.topic.top_terms for hit in hits), terms


def test_build_frame_encodes_tags_and_kinds():
    records = [_record(0, error=True), _record(1)]
    frame = build_frame(*reader_rows(records))

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
def test_find_patterns_on_generated_data_finds_every_planted_pattern_once(seed):
    data = generate_audits(seed=seed, days=14, audits_per_day=1500, end=END)
    records = data.records

    hits = find_patterns(*reader_rows(records), DetectionParams(seed=seed)).hits

    score = score_detection([[records[i]["external_id"] for i in hit.sample_ids] for hit in hits], data)
    assert score["recall"] == 1.0, score
    assert score["precision"] == 1.0, score
    assert score["duplicates"] == 0
    assert score["decoys_reported"] == []


def test_cluster_texts_joins_a_wording_to_its_own_problem_not_to_one_sharing_incidental_words():
    # The doxxing wording shares "streamer", "chat" and "missed" with the raid wordings, but its core words
    # ("address", "doxxing") with the other doxxing wordings: it must join those (seed 5 of the quality bench).
    raid = [
        "coordinated pile-on raid repeating the same insult from many accounts {}",
        "raid accounts brigading chat with identical insult, pile-on missed {}",
        "brigade of new accounts spamming insult at streamer, raid {}",
    ]
    doxxing = ["home address of streamer posted in chat, doxxing missed {}",
               "doxxing: personal phone number and address shared {}",
               "private address and school of creator revealed, doxxing not removed {}"]  # fmt: skip
    # Other error kinds' notes: "missed", "chat" and "streamer" are everyday words of the corpus, as they are in
    # real notes and transcripts; "address" and "doxxing" are not.
    background = [
        f"reviewer {word} the {place}, decision overturned {i}"
        for i, (word, place) in enumerate([("missed", "chat"), ("misread", "streamer"), ("missed", "streamer")] * 70)
    ]
    texts = [wording.format(i) for wording in raid + doxxing for i in range(25)] + background
    groups = [0] * 150 + [1] * len(background)

    topics = cluster_texts(
        texts, groups=groups, n_clusters=12, sample_size=1000, min_cluster_texts=5, merge_similarity=0.15, seed=1
    )

    raid_labels = set(topics.labels[:75].tolist())
    doxxing_labels = set(topics.labels[75:150].tolist())
    assert len(doxxing_labels) == 1, doxxing_labels
    assert raid_labels.isdisjoint(doxxing_labels)
    assert {"doxxing", "address"} <= set(topics.top_terms[doxxing_labels.pop()])


def test_stem_joins_plurals_and_verb_forms_but_keeps_short_words():
    assert stem("roosters") == stem("rooster") == "rooster"
    assert stem("fighting") == "fight" and stem("streamed") == "stream"
    assert stem("address") == "address" and stem("bus") == "bus"


def test_encode_cube_round_trips_and_builds_the_same_frame_as_rows():
    cube, errors = reader_rows(_traffic(30) + [_record(1000 + i, day=i % 7, error=True) for i in range(10)])

    encoded = EncodedCube.from_bytes(encode_cube(cube).to_bytes())

    from_rows, from_encoded = build_frame(cube, errors), build_frame(encoded, errors)
    assert encoded.total == len(_traffic(30)) + 10
    assert from_rows.vocab == from_encoded.vocab
    assert (from_rows.cube_codes == from_encoded.cube_codes).all()
    assert (from_rows.err_codes == from_encoded.err_codes).all()
    assert (from_rows.cube_tag_codes == from_encoded.cube_tag_codes).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_find_patterns_by_partition_at_test_size_find_every_planted_pattern_once(seed):
    # As a run splits it (one partition per policy area), on the pipeline tests' size: 12 days x 1,800 audits.
    data = generate_audits(seed=seed, days=12, audits_per_day=1800, end=END)
    cube, errors = reader_rows(data.records)
    found = []
    for labels in plan_partitions(LABEL_AREAS).values():
        partition = [error for error in errors if stake_label(error[11], error[12]) in labels]
        for hit in find_patterns(cube, partition, DetectionParams(seed=seed)).hits:
            found.append([data.records[i]["external_id"] for i in hit.sample_ids])

    score = score_detection(found, data)

    assert score["recall"] == 1.0, score
    assert score["precision"] == 1.0 and score["duplicates"] == 0, score
    assert score["decoys_reported"] == []
