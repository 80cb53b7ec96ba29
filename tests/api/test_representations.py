"""The hand-written representations of samples and cases (`config.api.fast`) say exactly what DRF's would."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from cases.api.rows import case_page, case_row
from cases.api.serializers import CaseSerializer
from cases.api.views import case_queryset
from cases.evidence.api.serializers import SAMPLE_COLUMNS, SampleSerializer
from cases.models import Case, Team
from cases.permissions import personal_id_for
from config.api.fast import datetime_formatter
from rca.models import ModerationSample
from tests.factories import CaseFactory, ErrorPatternFactory, ModerationSampleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _context(user) -> dict:
    request = APIRequestFactory().get("/")
    request.user = user
    return {"request": request}


@pytest.mark.parametrize("role", ["manager", "partner"])
def test_sample_representation_matches_drf(role):
    user = UserFactory(role=role)
    sample = ModerationSampleFactory(human=True, tags=";a;b;", model_score=None)
    serializer = SampleSerializer(context=_context(user))

    generic = serializers.ModelSerializer.to_representation(serializer, sample)
    generic["moderator_id"] = personal_id_for(user, generic["moderator_id"])
    generic["auditor_id"] = personal_id_for(user, generic["auditor_id"])

    assert serializer.to_representation(sample) == generic
    assert serializer.to_representation(ModerationSample.objects.values_list(*SAMPLE_COLUMNS).get()) == generic


def test_case_representation_matches_drf(quality_lead):
    legal, policy = Team.objects.get(slug="legal"), Team.objects.get(slug="policy")
    now = timezone.now()
    CaseFactory(
        owner=quality_lead,
        team=legal,
        shared_teams=[legal, policy],
        watchers=[quality_lead],
        pattern=ErrorPatternFactory(),
        closed_at=now,
        triaged_at=now - timedelta(days=1),
        root_cause_category="model_defect",
    )
    case = case_queryset(quality_lead).get()
    serializer = CaseSerializer(context=_context(quality_lead))

    generic = serializers.ModelSerializer.to_representation(serializer, case)
    generic["shared_teams"], generic["watchers"] = sorted(generic["shared_teams"]), sorted(generic["watchers"])

    assert serializer.to_representation(case) == generic
    assert serializer.to_representation(case_row(case)) == generic


def test_case_list_rows_represent_like_the_case(quality_lead):
    """The list endpoint's rows (one query on PostgreSQL, two elsewhere) give the same output as the generic
    representation of the case, for a case with and one without owner, team and relations."""
    legal, policy = Team.objects.get(slug="legal"), Team.objects.get(slug="policy")
    CaseFactory(owner=quality_lead, team=legal, shared_teams=[policy, legal], watchers=[quality_lead])
    CaseFactory(owner=None, team=None)
    serializer = CaseSerializer(context=_context(quality_lead))
    rows, _ = case_page(Case.objects.order_by("id"), 0, 10)

    for row, case in zip(rows, case_queryset(quality_lead).order_by("id"), strict=True):
        generic = serializers.ModelSerializer.to_representation(serializer, case)
        generic["shared_teams"], generic["watchers"] = sorted(generic["shared_teams"]), sorted(generic["watchers"])
        assert serializer.to_representation(row) == generic


@pytest.mark.parametrize("zone", ["UTC", "Asia/Jakarta", "America/Sao_Paulo"])
def test_datetime_text_matches_drf_in_every_zone(zone):
    """Values in UTC (as PostgreSQL loads them), in the zone itself and in a third zone, with and without
    microseconds, the same instant given twice in different zones: each is DRF's text in the current zone."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    instant = datetime(2026, 3, 8, 23, 30, 5, 120000, tzinfo=UTC)
    values = [
        instant,
        instant.astimezone(ZoneInfo(zone)),
        instant.astimezone(ZoneInfo("Asia/Tokyo")),
        instant.replace(microsecond=0),
        datetime(2026, 11, 1, 1, 0, tzinfo=ZoneInfo("America/New_York")),
        None,
    ]
    with timezone.override(zone):
        expected = [serializers.DateTimeField().to_representation(value) for value in values]
        text = datetime_formatter()
        assert [text(value) for value in values] == expected
        assert [text(value) for value in values] == expected  # from its memory of each instant, the same
