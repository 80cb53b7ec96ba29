"""The sample endpoints: cursor-paginated list, detail by external id, and the bulk upsert with partial success."""

import base64
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from rca.models import ModerationSample
from tests.factories import ModerationSampleFactory

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "samples.jsonl"


def _record(external_id: str, **changes) -> dict:
    record = {
        "external_id": external_id,
        "content_id": "ls-1",
        "content_type": "live_stream",
        "market": "ID",
        "language": "id",
        "decision_source": "model",
        "model_version": "live-clf-3.2",
        "decision_label": "none",
        "audit_label": "bullying_harassment",
        "decided_at": "2026-11-02T10:14:00+07:00",
        "audited_at": "2026-11-03T09:00:00+07:00",
        "notes": "Slang insult missed",
        "tags": ["guest_battle"],
    }
    record.update(changes)
    return record


# LIST AND DETAIL
# ------------------------------------------------------------------------------


def test_sample_list_is_newest_audit_first_with_a_cursor(lead_client):
    now = timezone.now()
    for hours in range(5):
        ModerationSampleFactory(external_id=f"qa-{hours}", audited_at=now - timedelta(hours=hours))

    first = lead_client.get("/api/v1/samples/?page_size=3").json()
    second = lead_client.get(first["next"]).json()

    assert [row["external_id"] for row in first["results"]] == ["qa-0", "qa-1", "qa-2"]
    assert [row["external_id"] for row in second["results"]] == ["qa-3", "qa-4"]
    assert second["next"] is None


def _walk(client, url: str, link: str) -> list[dict]:
    pages = []
    while url:
        page = client.get(url).json()
        pages.append(page)
        url = page[link]
    return pages


def _ids(page: dict) -> list[str]:
    return [row["external_id"] for row in page["results"]]


@pytest.mark.parametrize("page_size", [1, 2, 3, 5])
def test_sample_cursor_walks_both_ways_through_audits_that_share_a_time(lead_client, page_size):
    """Audits sharing a time across page boundaries (more of them than a page holds): forward, every sample once,
    newest first (ties by external id); then back from the last page, the same pages in reverse order."""
    now = timezone.now().replace(microsecond=0)
    hours = [0, 0, 0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 3]
    for index, hour in enumerate(hours):
        ModerationSampleFactory(external_id=f"qa-{index:02d}", audited_at=now - timedelta(hours=hour))
    expected = [f"qa-{index:02d}" for index, hour in sorted(enumerate(hours), key=lambda item: (item[1], -item[0]))]

    forward = _walk(lead_client, f"/api/v1/samples/?page_size={page_size}", "next")
    backward = _walk(lead_client, forward[-1]["previous"], "previous") if len(forward) > 1 else []

    assert [external_id for page in forward for external_id in _ids(page)] == expected
    assert [_ids(page) for page in backward] == [_ids(page) for page in forward[-2::-1]]
    assert forward[0]["previous"] is None and forward[-1]["next"] is None
    if backward:
        assert backward[-1]["previous"] is None
        assert _ids(lead_client.get(backward[-1]["next"]).json()) == _ids(forward[1])


def _cursor_fields(link: str) -> dict:
    token = parse_qs(urlsplit(link).query)["cursor"][0]
    return parse_qs(base64.b64decode(token).decode())


def test_sample_cursor_names_the_external_id_only_at_a_tie(lead_client):
    """A boundary between two audit times is a plain time range (what the planner handles best); only where the next
    row has the same time does the cursor carry the external id to settle the tie."""
    now = timezone.now()
    ModerationSampleFactory(external_id="qa-a", audited_at=now)
    ModerationSampleFactory(external_id="qa-b", audited_at=now - timedelta(hours=1))
    ModerationSampleFactory(external_id="qa-c", audited_at=now - timedelta(hours=1))

    first = lead_client.get("/api/v1/samples/?page_size=1").json()
    second = lead_client.get(first["next"]).json()

    assert "k" not in _cursor_fields(first["next"])
    assert _cursor_fields(second["next"])["k"] == ["qa-c"]
    assert "k" not in _cursor_fields(second["previous"])
    assert _ids(lead_client.get(second["next"]).json()) == ["qa-b"]


@pytest.mark.parametrize(
    "cursor",
    [
        "bz14",  # DRF's format, not ours
        "not base64!",
        base64.b64encode(b"t=2026-11-03T09:00:00&k=qa-1").decode(),  # no time zone
        base64.b64encode(b"t=yesterday&k=qa-1").decode(),
        base64.b64encode(b"t=2026-11-03T09:00:00%2B07:00&t=2026-11-03T09:00:00%2B07:00").decode(),
        base64.b64encode(b"t=2026-11-03T09:00:00%2B07:00&k=qa-1&x=1").decode(),
        base64.b64encode(b"\xff\xfe").decode(),
    ],
)
def test_sample_list_answers_a_forged_cursor_with_404(lead_client, cursor):
    response = lead_client.get("/api/v1/samples/", {"cursor": cursor})

    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def test_sample_cursor_keeps_the_filters(lead_client):
    for index in range(4):
        ModerationSampleFactory(external_id=f"id-{index}", market="ID")
        ModerationSampleFactory(external_id=f"br-{index}", market="BR")

    pages = _walk(lead_client, "/api/v1/samples/?market=BR&page_size=3", "next")

    assert sorted(external_id for page in pages for external_id in _ids(page)) == [f"br-{index}" for index in range(4)]


def test_sample_list_serves_up_to_200_a_page_and_refuses_more_with_400(lead_client):
    ModerationSampleFactory.create_batch(205)

    response = lead_client.get("/api/v1/samples/?page_size=200")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 200
    assert lead_client.get("/api/v1/samples/?page_size=100000").status_code == 400
    assert lead_client.get("/api/v1/samples/?page_size=0").json() == {
        "page_size": ["Enter a whole number from 1 to 200."]
    }


def test_sample_detail_has_the_import_format_fields(lead_client):
    ModerationSampleFactory(external_id="qa-000009", tags=";gaming;minor_present;")

    body = lead_client.get("/api/v1/samples/qa-000009/").json()

    assert body["external_id"] == "qa-000009"
    assert body["tags"] == ["gaming", "minor_present"]
    assert (body["decision_label"], body["audit_label"], body["outcome"]) == (
        "none",
        "bullying_harassment",
        "false_negative",
    )
    for name in ("content_id", "content_type", "market", "language", "decided_at", "audited_at", "model_score"):
        assert name in body


# BULK
# ------------------------------------------------------------------------------


def test_sample_bulk_creates_updates_and_rejects_in_one_request(lead_client):
    ModerationSampleFactory(external_id="qa-existing", notes="old")

    response = lead_client.post(
        "/api/v1/samples/bulk/",
        [
            _record("qa-new"),
            _record("qa-existing", notes="new"),
            _record("qa-bad-market", market="Indonesia"),
            "not a record",
            _record("qa-bad-label", audit_label="no_such_label"),
        ],
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    rejected = {row["index"]: row for row in body["rejected"]}
    assert sorted(rejected) == [2, 3, 4]
    assert rejected[2]["external_id"] == "qa-bad-market"
    assert "market" in rejected[2]["errors"]
    assert "audit_label" in rejected[4]["errors"]
    assert ModerationSample.objects.get(external_id="qa-existing").notes == "new"
    assert not ModerationSample.objects.filter(external_id__in=["qa-bad-market", "qa-bad-label"]).exists()


def test_sample_bulk_imports_the_spec_examples_idempotently(lead_client):
    records = [json.loads(line) for line in EXAMPLES.read_text().splitlines() if line.strip()]

    first = lead_client.post("/api/v1/samples/bulk/", records, format="json").json()
    second = lead_client.post("/api/v1/samples/bulk/", records, format="json").json()

    assert (first["created"], first["updated"], first["rejected"]) == (len(records), 0, [])
    assert (second["created"], second["updated"], second["rejected"]) == (0, len(records), [])
    assert ModerationSample.objects.count() == len(records)


@pytest.mark.parametrize("body", ['{"external_id": "qa-1"}', '"records"', "42", "null"])
def test_sample_bulk_refuses_a_body_that_is_not_a_list(lead_client, body):
    response = lead_client.post("/api/v1/samples/bulk/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Expected a JSON list of sample records."]}


def test_sample_bulk_refuses_more_than_the_maximum_records(lead_client, settings):
    settings.BULK_MAX_RECORDS = 3

    response = lead_client.post("/api/v1/samples/bulk/", [_record(f"qa-{n}") for n in range(4)], format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["At most 3 records per request; got 4."]}
    assert not ModerationSample.objects.exists()


def test_sample_bulk_refuses_a_too_large_body_with_413(lead_client, settings):
    settings.API_BULK_MAX_BYTES = 1000

    response = lead_client.post("/api/v1/samples/bulk/", [_record(f"qa-{n}") for n in range(10)], format="json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "at most 1,000" in response.json()["detail"]
    assert not ModerationSample.objects.exists()


def test_sample_bulk_answers_malformed_json_with_400(lead_client):
    response = lead_client.post("/api/v1/samples/bulk/", '[{"external_id": "qa-1",', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
