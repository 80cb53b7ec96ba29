"""`import_records`, the entry point of the bulk API: upserts by external_id, rejects with index, whole batches."""

import json
from pathlib import Path

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.test.utils import CaptureQueriesContext

from rca.importing import ImportResult, import_records
from rca.models import ModerationSample, PolicyLabel

DATA = Path(__file__).resolve().parents[2] / "docs" / "examples"  # the examples of docs/sample-format.md
EXPECTED_OUTCOMES = {
    "qa-000001": "false_negative",
    "qa-000002": "false_negative",
    "qa-000003": "false_positive",
    "qa-000004": "false_positive",
    "qa-000005": "false_positive",
    "qa-000006": "correct",
    "qa-000007": "correct",
    "qa-000008": "false_negative",
    "qa-000009": "wrong_policy",
    "qa-000010": "false_positive",
    "qa-000011": "correct",
    "qa-000012": "correct",
}


def spec_records() -> list[dict]:
    return [json.loads(line) for line in (DATA / "samples.jsonl").read_text().splitlines()]


def record(external_id: str, **overrides) -> dict:
    base = {
        "external_id": external_id,
        "content_id": f"content-{external_id}",
        "content_type": "live_stream",
        "market": "US",
        "language": "en",
        "decision_source": "human",
        "decision_label": "hate_speech",
        "audit_label": "none",
        "decided_at": "2026-11-02T10:00:00-05:00",
        "audited_at": "2026-11-03T10:00:00-05:00",
    }
    return {**base, **overrides}


pytestmark = pytest.mark.django_db


def test_import_records_spec_examples_create_twelve_samples_with_derived_outcomes():
    result = import_records(spec_records())

    assert result == ImportResult(created=12, updated=0, rejected=[])
    assert dict(ModerationSample.objects.values_list("external_id", "outcome")) == EXPECTED_OUTCOMES
    first = ModerationSample.objects.get(external_id="qa-000001")
    assert first.tag_list == ["talk_show", "guest_battle"]
    assert first.decision_label_id == "none" and first.audit_label_id == "bullying_harassment"
    assert first.model_score == 0.31 and first.model_version == "live-clf-3.2"
    assert first.decided_at.isoformat() == "2026-11-02T03:14:00+00:00"


def test_import_records_again_updates_instead_of_duplicating():
    import_records(spec_records())
    before = ModerationSample.objects.get(external_id="qa-000003")
    changed = [{**item, "notes": "re-audited"} for item in spec_records()]

    result = import_records(changed)

    assert (result.created, result.updated, result.rejected) == (0, 12, [])
    assert ModerationSample.objects.count() == 12
    after = ModerationSample.objects.get(external_id="qa-000003")
    assert after.pk == before.pk and after.notes == "re-audited"
    assert after.imported_at == before.imported_at
    assert after.updated_at > before.updated_at


def test_import_records_identical_record_counts_as_updated_without_rewriting_the_sample():
    import_records(spec_records())
    before = ModerationSample.objects.get(external_id="qa-000003")

    result = import_records(spec_records())

    assert (result.created, result.updated, result.rejected) == (0, 12, [])
    after = ModerationSample.objects.get(external_id="qa-000003")
    assert (after.pk, after.updated_at, after.imported_at) == (before.pk, before.updated_at, before.imported_at)


def test_import_records_rejects_bad_records_with_their_index_and_stores_the_rest():
    records = [
        record("ok-1"),
        record("bad-label", audit_label="jaywalking"),
        record("ok-2"),
        record("bad-date", decided_at="2026-11-02T10:00:00"),
        record("bad-order", audited_at="2026-11-01T10:00:00-05:00"),
        {**record("bad-field"), "severity": "S1"},
        record("bad-size", notes="x" * 10_001),
        record(None),
    ]

    result = import_records(records)

    assert (result.created, result.updated) == (2, 0)
    assert [(item["index"], item["external_id"], list(item["errors"])) for item in result.rejected] == [
        (1, "bad-label", ["audit_label"]),
        (3, "bad-date", ["decided_at"]),
        (4, "bad-order", ["audited_at"]),
        (5, "bad-field", ["severity"]),
        (6, "bad-size", ["notes"]),
        (7, None, ["external_id"]),
    ]
    assert result.rejected[0]["errors"] == {"audit_label": ['"jaywalking" is not a known policy label.']}
    assert set(ModerationSample.objects.values_list("external_id", flat=True)) == {"ok-1", "ok-2"}


def test_import_records_json_typed_values_are_checked_like_the_file_import():
    records = [
        record("number-id", content_id=12345),
        record("string-score", decision_source="model", model_version="m-1", model_score="0.5"),
        record("tag-string", tags="a;b"),
        record("null-required", market=None),
        "not an object",
    ]

    result = import_records(records)

    assert result.created == 0
    assert [item["errors"] for item in result.rejected] == [
        {"content_id": ["Expected a string, got number."]},
        {"model_score": ["Expected a number, got string."]},
        {"tags": ["Expected a list of strings, got string."]},
        {"market": ["This field is required."]},
        {"non_field_errors": ["Expected an object with the sample's fields, got string."]},
    ]


def test_import_records_inactive_label_is_rejected():
    PolicyLabel.objects.filter(code="hate_speech").update(is_active=False)

    result = import_records([record("a")])

    assert result.rejected == [
        {"index": 0, "external_id": "a", "errors": {"decision_label": ['"hate_speech" is not a known policy label.']}}
    ]


def test_import_records_duplicate_external_id_last_wins_and_the_earlier_is_reported():
    records = [record("dup", notes="first"), record("other"), record("dup", notes="second")]

    result = import_records(records)

    assert (result.created, result.updated) == (2, 0)
    assert result.rejected == [
        {
            "index": 0,
            "external_id": "dup",
            "errors": {
                "external_id": [
                    "Superseded by a later record with the same external_id (index 2), which was imported instead."
                ]
            },
        }
    ]
    assert ModerationSample.objects.get(external_id="dup").notes == "second"


def test_import_records_duplicate_across_batches_last_wins_and_counts_once():
    records = [record("dup", notes="first"), record("a"), record("b"), record("dup", notes="last"), record("c")]

    result = import_records(records, batch_size=2)

    assert (result.created, result.updated) == (4, 0)
    assert [(item["index"], item["external_id"]) for item in result.rejected] == [(0, "dup")]
    assert "(index 3)" in result.rejected[0]["errors"]["external_id"][0]
    assert ModerationSample.objects.get(external_id="dup").notes == "last"
    assert ModerationSample.objects.count() == 4


def test_import_records_empty_input_does_nothing():
    assert import_records([]) == ImportResult(created=0, updated=0, rejected=[])


def test_import_records_query_count_does_not_grow_with_the_records():
    # PostgreSQL: COPY + one upsert whatever the size. SQLite: bulk_create splits at 999 parameters (45 rows), so
    # compare sizes within one of its statements there.
    many = 100 if connection.vendor == "postgresql" else 40

    with CaptureQueriesContext(connection) as few_queries:
        import_records([record(f"few-{i}") for i in range(5)])
    with CaptureQueriesContext(connection) as many_queries:
        import_records([record(f"many-{i}") for i in range(many)])

    assert len(many_queries) == len(few_queries)
    assert ModerationSample.objects.count() == 5 + many


@pytest.mark.django_db(transaction=True)
def test_import_records_database_error_in_second_batch_keeps_whole_batches_and_rerun_completes(database_refusal):
    records = [record(f"qa-{i:02d}") for i in range(10)]
    database_refusal.refuse("qa-05")  # in the second batch of four

    with pytest.raises(DatabaseError):
        import_records(records, batch_size=4)

    assert sorted(ModerationSample.objects.values_list("external_id", flat=True)) == [f"qa-{i:02d}" for i in range(4)]

    database_refusal.allow()
    result = import_records(records, batch_size=4)

    assert (result.created, result.updated, result.rejected) == (6, 4, [])
    assert sorted(ModerationSample.objects.values_list("external_id", flat=True)) == [f"qa-{i:02d}" for i in range(10)]


def test_a_connection_lost_during_copy_is_a_django_database_error(monkeypatch):
    """The PostgreSQL writer streams rows through psycopg's COPY directly; a failure there (here the server ending the
    connection) reaches the caller as Django's `OperationalError`, which the import command reports without a
    traceback, and nothing of the batch is kept."""
    import psycopg

    from rca.importing import writer

    if connection.vendor != "postgresql":
        pytest.skip("COPY is the PostgreSQL writer")

    def shutdown(record):
        raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")

    monkeypatch.setattr(writer, "_row_values", shutdown)

    with pytest.raises(OperationalError):
        import_records([record("qa-copy-1")])
    assert not ModerationSample.objects.filter(external_id="qa-copy-1").exists()
