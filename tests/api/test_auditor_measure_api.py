"""An auditor pattern's case as the API and the room show it: a partner never sees the auditor ids of its measure (the
measure, the story's figures, the fix verdict's figures, the room's chips and Measure panel); leads do. Initiatives
refuse an auditor condition with a 400 that says why."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseStatus
from cases.fixes.records import FixInput, fix_record
from cases.fixes.services import fix_verdict_refresh
from cases.initiatives.models import Initiative
from tests.factories import CaseFactory, ErrorPatternFactory

MASK = "\u2022" * 6


@pytest.fixture
def auditor_case(policy_team, quality_lead):
    pattern = ErrorPatternFactory(
        definition={"audit_label": "none", "market": "MX", "auditor_id": ["aud-x1", "aud-x2"]}
    )
    now = timezone.now()
    case = CaseFactory(
        detected=True,
        pattern=pattern,
        shared_teams=[policy_team],
        status=CaseStatus.MONITORING,
        owner=quality_lead,
        monitoring_at=now - timedelta(days=2),
        problem_statement="An auditor group out of line.",
    )
    fix = fix_record(case=case, fix=FixInput(effective_at=now - timedelta(days=2)), actor=quality_lead)
    fix_verdict_refresh(fix, now=now)
    return case


def test_api_masks_the_auditor_condition_for_a_partner(auditor_case, shared_partner_client, lead_client):
    url = f"/api/v1/cases/{auditor_case.pk}/"

    shown = shared_partner_client.get(url).json()
    lead = lead_client.get(url).json()

    assert shown["measure"]["population"] == {"auditor_id": [MASK, MASK], "market": "MX"}
    assert shown["story"]["figures"]["measure"]["population"]["auditor_id"] == [MASK, MASK]
    assert shown["latest_fix"]["figures"]["measure"]["population"]["auditor_id"] == [MASK, MASK]
    assert "aud-x" not in json.dumps(shown)
    fixes = shared_partner_client.get(f"{url}fixes/").json()
    assert fixes[0]["figures"]["measure"]["population"]["auditor_id"] == [MASK, MASK]
    assert lead["measure"]["population"]["auditor_id"] == ["aud-x1", "aud-x2"]
    assert lead["story"]["figures"]["measure"]["population"]["auditor_id"] == ["aud-x1", "aud-x2"]
    assert lead["latest_fix"]["figures"]["measure"]["population"]["auditor_id"] == ["aud-x1", "aud-x2"]


def test_room_masks_the_auditor_chips_and_measure_for_a_partner(auditor_case, client, shared_partner, quality_lead):
    room = reverse("case-detail", args=[auditor_case.pk])
    client.force_login(shared_partner)
    partner_page = client.get(room).content.decode()
    client.force_login(quality_lead)
    lead_page = client.get(room).content.decode()

    assert "aud-x1" not in partner_page and "aud-x2" not in partner_page  # the title names no auditor either
    assert "A group of 2 auditors in Mexico overturns correct removals" in partner_page
    assert '<span class="tag">Auditor: •••••• or ••••••</span>' in partner_page
    assert '<span class="chip__label">Auditor</span> ••••••, ••••••' in partner_page
    assert '<span class="tag">Auditor: aud-x1 or aud-x2</span>' in lead_page
    assert '<span class="chip__label">Auditor</span> aud-x1, aud-x2' in lead_page


def test_api_initiative_refuses_an_auditor_condition(lead_client):
    body = {
        "name": "Calibrate MX auditors",
        "measure": {"population": {"market": "MX", "auditor_id": "aud-x1"}, "audit_label": "none"},
        "target_rate": 0.03,
        "target_date": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "baseline_rate": 0.08,
        "baseline_days": 30,
    }

    response = lead_client.post("/api/v1/initiatives/", body, format="json")

    assert response.status_code == 400
    assert "moderation quality" in json.dumps(response.json())
    assert Initiative.objects.count() == 0
