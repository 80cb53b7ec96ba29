"""One case, one set of figures (issue 15): the case room, the API, the remediation report and the dashboard show
the same before/after audits, errors and rates of its fix, all read from the one stored verdict."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.records import FixInput, fix_record
from cases.fixes.services import fix_verdict_refresh
from cases.numbers import format_percent
from tests.factories import CaseFactory, ErrorPatternFactory, audits_bulk

pytestmark = pytest.mark.django_db


def test_room_api_report_and_dashboard_give_the_same_before_and_after_figures(client, quality_lead, manager):
    now = timezone.now()
    fix_at = now - timedelta(days=10)
    # The slice (market ID) keeps its 20% error rate after the fix: a fix that did not hold; the control (TH) is flat.
    for market, before, after in (("ID", 60, 61), ("TH", 6, 6)):
        audits_bulk(audits=300, errors=before, start=fix_at - timedelta(days=10), end=fix_at, market=market)
        audits_bulk(audits=300, errors=after, start=fix_at, end=now - timedelta(hours=2), market=market)
    definition = {"decision_label": "none", "audit_label": "bullying_harassment", "market": "ID"}
    case = CaseFactory(
        detected=True,
        pattern=ErrorPatternFactory(definition=definition),
        status=CaseStatus.MONITORING,
        owner=quality_lead,
        monitoring_at=fix_at,
    )
    fix = fix_record(case=case, fix=FixInput(effective_at=fix_at), actor=quality_lead)
    fix = fix_verdict_refresh(fix, now=now)
    stored = fix.figures
    assert fix.verdict == FixVerdict.NOT_HOLDING
    expected = {
        side: (stored[side]["audits"], stored[side]["errors"], stored[side]["rate"]) for side in ("before", "after")
    }
    assert expected == {"before": (300, 60, 0.2), "after": (300, 61, pytest.approx(61 / 300))}

    client.force_login(quality_lead)
    api = client.get(f"/api/v1/cases/{case.pk}/")
    latest = api.json()["latest_fix"]["figures"]
    assert {side: (latest[side]["audits"], latest[side]["errors"], latest[side]["rate"]) for side in expected} == (
        expected
    )

    room = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    for side in expected.values():
        assert (
            f'<td class="num">{side[0]}</td><td class="num">{side[1]}</td><td class="num">{format_percent(side[2])}'
            in (room)
        )

    report = client.get(reverse("report-remediation"), {"format": "json"}).json()
    rows = report["results"] if isinstance(report, dict) else report
    (row,) = [row for row in rows if row["case_id"] == case.pk]
    assert {side: (row[f"{side}_audits"], row[f"{side}_errors"], row[f"{side}_rate"]) for side in expected} == expected
    assert row["verdict"] == FixVerdict.NOT_HOLDING

    client.force_login(manager)
    dashboard = client.get(reverse("reports")).content.decode()
    for side in expected.values():
        assert f'{format_percent(side[2])} <span class="muted">({side[1]}/{side[0]})</span>' in dashboard
