from collections import Counter
from datetime import UTC, datetime, timedelta

from rca.outcomes import derive_outcome
from rca.synthetic import PLANTED, generate_audits, generate_slice_audits, score_detection

END = datetime(2026, 11, 20, tzinfo=UTC)


def test_generate_audits_is_deterministic_for_a_seed():
    first = generate_audits(seed=7, days=3, audits_per_day=200, end=END)
    second = generate_audits(seed=7, days=3, audits_per_day=200, end=END)

    assert first.records == second.records
    assert first.truth == second.truth


def test_generate_audits_records_follow_the_spec_format():
    data = generate_audits(seed=1, days=2, audits_per_day=100, end=END)
    record = data.records[0]

    assert isinstance(record["tags"], list)
    assert datetime.fromisoformat(record["audited_at"]).utcoffset() is not None
    assert datetime.fromisoformat(record["decided_at"]) <= datetime.fromisoformat(record["audited_at"])
    assert all(datetime.fromisoformat(r["audited_at"]) < END for r in data.records)
    assert len({r["external_id"] for r in data.records}) == len(data.records)


def test_generate_audits_plants_patterns_and_keeps_noise_near_four_percent():
    data = generate_audits(seed=3, days=7, audits_per_day=1500, end=END, decoys=False, auditors=False)
    errors = [r for r in data.records if derive_outcome(r["decision_label"], r["audit_label"]) != "correct"]
    noise = [r for r in errors if r["external_id"] not in data.truth]

    assert len(PLANTED) >= 10
    assert set(Counter(data.truth.values())) == {p.key for p in PLANTED}
    assert 0.03 < len(noise) / len(data.records) < 0.05


def test_generate_audits_decoys_have_their_shape():
    data = generate_audits(seed=4, days=10, audits_per_day=300, end=END)
    by_key = {}
    for record in data.records:
        by_key.setdefault(data.truth.get(record["external_id"]), []).append(record)

    one_item = by_key["decoy_one_item_burst"]
    one_day = by_key["decoy_one_day_burst"]
    assert len({r["content_id"] for r in one_item}) == 1
    stamps = [datetime.fromisoformat(r["audited_at"]) for r in one_day]
    assert (max(stamps) - min(stamps)).total_seconds() < 86400
    assert len(by_key["decoy_tiny_slice"]) == 8
    assert {r["moderator_id"] for r in by_key["decoy_one_moderator"]} == {"mod-fr-99"}


def test_score_detection_counts_recall_precision_duplicates_and_decoys():
    data = generate_audits(seed=5, days=2, audits_per_day=400, end=END)
    ids_of = {}
    for external_id, key in data.truth.items():
        ids_of.setdefault(key, []).append(external_id)
    first, second = PLANTED[0].key, PLANTED[1].key
    found = [ids_of[first], ids_of[first][:3], ids_of[second], ids_of["decoy_one_day_burst"]]

    score = score_detection(found, data)

    assert score["recall"] == 2 / len(PLANTED)
    assert score["precision"] == 3 / 4
    assert score["duplicates"] == 1
    assert score["decoys_reported"] == ["decoy_one_day_burst"]


def test_generate_slice_audits_stays_in_the_slice_and_keeps_a_residual_of_the_pattern_after_its_fix():
    pattern = next(p for p in PLANTED if p.key == "br_casino_promo_missed")
    fixed = END - timedelta(days=10)
    data = generate_slice_audits(seed=5, pattern=pattern, days=20, audits_per_day=200, end=END, fixed=fixed)
    again = generate_slice_audits(seed=5, pattern=pattern, days=20, audits_per_day=200, end=END, fixed=fixed)

    def rate(records):
        return sum(r["external_id"] in data.truth for r in records) / len(records)

    before = [r for r in data.records if datetime.fromisoformat(r["decided_at"]) < fixed]
    after = [r for r in data.records if datetime.fromisoformat(r["decided_at"]) >= fixed]
    assert data.records == again.records and len(data.records) == 4000
    assert all(r["market"] == "BR" and "shopping" in r["tags"] for r in data.records)
    assert set(data.truth.values()) == {pattern.key}
    assert 0.11 < rate(before) < 0.17 and rate(after) < 0.03


def test_generate_slice_audits_audits_late_decisions_between_two_moments_never_before_the_decision():
    pattern = next(p for p in PLANTED if p.key == "fr_satire_hate_fp")
    window = (END + timedelta(days=3), END + timedelta(days=3, hours=1))
    data = generate_slice_audits(seed=6, pattern=pattern, days=5, audits_per_day=50, end=END, audited_between=window)

    assert all(datetime.fromisoformat(r["decided_at"]) < END for r in data.records)
    assert all(window[0] <= datetime.fromisoformat(r["audited_at"]) <= window[1] for r in data.records)
