"""The JSON of a sample and of a case, field by field and in order: date-times in ISO 8601 (UTC as `Z`), related ids
ascending, personal ids masked for those who may not see them; the list endpoints show each row as its detail does.
The sample's rows, built by `config.api.representation`, are compared with DRF's own."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from cases.evidence.api.serializers import SampleSerializer
from cases.models import Team
from config.api.representation import FastRepresentationMixin
from rca.models import ModerationSample
from tests.factories import CaseFactory, CaseSampleFactory, ErrorPatternFactory, ModerationSampleFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDITED = datetime(2026, 3, 8, 23, 30, 5, 120000, tzinfo=UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def sample(shared_case):
    sample = ModerationSampleFactory(
        external_id="qa-repr-1",
        human=True,
        tags=";gaming;minor_present;",
        model_score=None,
        audited_at=AUDITED,
        decided_at=AUDITED.astimezone(ZoneInfo("Asia/Jakarta")) - timedelta(hours=6),
    )
    CaseSampleFactory(case=shared_case, sample=sample)
    sample.refresh_from_db()
    return sample


def _expected_sample(sample, *, moderator_id: str, auditor_id: str) -> dict:
    return {
        "external_id": "qa-repr-1",
        "content_id": sample.content_id,
        "content_type": "live_stream",
        "surface": "live",
        "market": "ID",
        "language": "id",
        "queue": "live_id_general",
        "decision_source": "human",
        "model_version": "",
        "moderator_id": moderator_id,
        "decision_label": "none",
        "audit_label": "bullying_harassment",
        "outcome": "false_negative",
        "model_score": None,
        "decided_at": "2026-03-08T17:30:05.120000Z",
        "audited_at": "2026-03-08T23:30:05.120000Z",
        "auditor_id": auditor_id,
        "notes": "Slang insult missed by the model",
        "transcript": "dasar bego",
        "tags": ["gaming", "minor_present"],
        "weight": 1.0,
        "imported_at": _iso(sample.imported_at),
        "updated_at": _iso(sample.updated_at),
    }


def test_sample_representation_for_a_quality_lead_shows_personal_ids(lead_client, sample):
    expected = _expected_sample(sample, moderator_id="mod-311", auditor_id="aud-17")

    detail = lead_client.get("/api/v1/samples/qa-repr-1/").json()
    listed = lead_client.get("/api/v1/samples/?q=&market=ID").json()["results"]

    assert list(detail.items()) == list(expected.items())  # names, values and order
    assert next(row for row in listed if row["external_id"] == "qa-repr-1") == expected


def test_sample_representation_for_a_partner_masks_personal_ids(shared_partner_client, sample):
    expected = _expected_sample(sample, moderator_id="••••••", auditor_id="••••••")

    detail = shared_partner_client.get("/api/v1/samples/qa-repr-1/").json()
    listed = shared_partner_client.get("/api/v1/samples/").json()["results"]

    assert detail == expected
    assert next(row for row in listed if row["external_id"] == "qa-repr-1") == expected


def test_sample_model_score_is_a_number(lead_client):
    ModerationSampleFactory(external_id="qa-score", model_score=0.25)

    assert lead_client.get("/api/v1/samples/qa-score/").json()["model_score"] == 0.25


def test_case_representation_with_its_relations(lead_client, quality_lead):
    legal, policy = Team.objects.get(slug="legal"), Team.objects.get(slug="policy")
    watcher = UserFactory(role="quality_lead")
    opened = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    case = CaseFactory(
        title="Slang insults missed",
        owner=quality_lead,
        team=legal,
        shared_teams=[policy, legal],
        watchers=[watcher, quality_lead],
        pattern=ErrorPatternFactory(),
        opened_at=opened,
        due_at=opened + timedelta(days=7),
        closed_at=opened + timedelta(days=2, microseconds=5),
        triaged_at=(opened + timedelta(days=1)).astimezone(ZoneInfo("America/Sao_Paulo")),
        root_cause_category="model_defect",
    )
    case.refresh_from_db()

    detail = lead_client.get(f"/api/v1/cases/{case.pk}/").json()
    listed = lead_client.get("/api/v1/cases/").json()["results"]

    expected = {
        "id": case.pk,
        "key": f"RCA-{case.pk}",
        "title": "Slang insults missed",
        "status": case.status,
        "severity": case.severity,
        "owner": quality_lead.pk,
        "owner_username": quality_lead.username,
        "team": legal.pk,
        "team_name": legal.name,
        "origin": case.origin,
        "pattern": case.pattern_id,
        "sample_count": case.sample_count,
        "due_at": "2026-02-10T04:05:06Z",
        "opened_at": "2026-02-03T04:05:06Z",
        "closed_at": "2026-02-05T04:05:06.000005Z",
        "problem_statement": case.problem_statement,
        "policy_label": case.policy_label,
        "market": case.market,
        "root_cause_category": "model_defect",
        "root_cause_statement": case.root_cause_statement,
        "resolution_reason": case.resolution_reason,
        "duplicate_of": None,
        "shared_teams": sorted([legal.pk, policy.pk]),
        "watchers": sorted([watcher.pk, quality_lead.pk]),
        "reopen_count": 0,
        "triaged_at": "2026-02-04T04:05:06Z",
        "investigating_at": None,
        "root_cause_identified_at": None,
        "remediating_at": None,
        "monitoring_at": None,
        "resolved_at": None,
        "reopened_at": None,
        "updated_at": _iso(case.updated_at),
        "closed_by_override": False,
    }
    measure = {
        "population": {"decision_label": "none", "market": "ID"},
        "audit_label": "bullying_harassment",
        "topic_terms": [],
        "source": "pattern",
    }
    story = detail.pop("story")  # its figures: tests/api/test_story.py
    assert list(detail.items()) == list({**expected, "measure": measure, "latest_fix": None}.items())
    assert story["figures"]["measure"] == measure and [marker["kind"] for marker in story["markers"]] == [
        "opened",
        "closed",
    ]
    assert listed == [expected]


def test_case_representation_without_owner_team_or_relations(lead_client):
    case = CaseFactory(owner=None, team=None)

    body = lead_client.get(f"/api/v1/cases/{case.pk}/").json()

    assert (body["owner"], body["owner_username"], body["team"], body["team_name"]) == (None, None, None, None)
    assert (body["shared_teams"], body["watchers"], body["pattern"]) == ([], [], None)


# `config.api.representation`: the sample serializer's faster rows are DRF's own.
# ------------------------------------------------------------------------------


def _drf_rows(serializer_class, instances, context) -> list[dict]:
    serializer = serializer_class(context=context)
    return [serializers.ModelSerializer.to_representation(serializer, instance) for instance in instances]


@pytest.mark.parametrize("role", ["quality_lead", "partner"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Jakarta", "America/Sao_Paulo"])
def test_fast_sample_rows_equal_drfs_in_every_zone(role, zone):
    ModerationSampleFactory(human=True, tags=";a;b;", model_score=None, notes="", auditor_id="")
    ModerationSampleFactory(model_score=0.5, audited_at=AUDITED.astimezone(ZoneInfo("Asia/Tokyo")), tags="")
    samples = list(ModerationSample.objects.order_by("id"))
    request = APIRequestFactory().get("/")
    request.user = UserFactory(role=role)
    context = {"request": request}

    with timezone.override(zone):
        fast = SampleSerializer(samples, many=True, context=context).data
        drf = _drf_rows(SampleSerializer, samples, context)

    assert [list(row.items()) for row in fast] == [list(row.items()) for row in drf]


def test_fast_rows_fall_back_to_drf_for_values_that_are_not_plain():
    """A text field holding a number goes through DRF's conversion, not out as it is."""

    class Row:
        external_id = 42
        audited_at = AUDITED

    class RowSerializer(FastRepresentationMixin, serializers.Serializer):
        external_id = serializers.CharField()
        audited_at = serializers.DateTimeField()

    assert RowSerializer(Row()).data == {"external_id": "42", "audited_at": "2026-03-08T23:30:05.120000Z"}
