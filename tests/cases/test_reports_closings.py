"""How cases closed and whether their fixes hold, in the closure report, its API and the dashboard: closings on
evidence and by override (made through the workflow), closings from before verified fixes, and the verdict mix of the
monitoring and closed cases."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.choices import CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.fixes.services import fix_verdict_refresh, fixes_refresh
from cases.reporting.choices import GroupBy
from cases.reporting.closings import fix_verdict_mix
from cases.reporting.filters import ReportFilters
from cases.reporting.selectors import closure_report
from cases.services import case_transition
from tests.cases.test_reports_remediation import BULLYING_ID, decisions, holding_audits
from tests.factories import CaseFactory, ErrorPatternFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _monitored(owner, *, team, fixed, definition=BULLYING_ID):
    """A case in monitoring since `fixed`, with a fix effective then."""
    case = CaseFactory(
        status=CaseStatus.MONITORING,
        owner=owner,
        team=team,
        opened_at=fixed - timedelta(days=20),
        remediating_at=fixed - timedelta(days=1),
        monitoring_at=fixed,
        pattern=ErrorPatternFactory(definition=definition),
    )
    Fix.objects.create(case=case, effective_at=fixed)
    return case


@pytest.fixture
def closings(quality_lead):
    """Team A: one case closed on evidence by the verdict task (its fix holds), one closed by a lead's override (too
    few audits), one closed before verified fixes (no fix record), one in monitoring whose fix does not hold.
    Team B: one case in monitoring with a fix never computed."""
    now = timezone.now()
    fixed = now - timedelta(days=10)
    team_a, team_b = TeamFactory(name="Team A"), TeamFactory(name="Team B")
    holding_audits(fixed=fixed)
    on_evidence = _monitored(quality_lead, team=team_a, fixed=fixed)
    thin = {"decision_label": "none", "audit_label": "spam_scam", "market": "VN"}
    overridden = _monitored(quality_lead, team=team_a, fixed=fixed, definition=thin)
    legacy = CaseFactory(team=team_a, status=CaseStatus.CLOSED, closed_at=now - timedelta(days=40))
    failing = {"decision_label": "none", "audit_label": "hate_speech", "market": "DE"}
    not_holding = _monitored(quality_lead, team=team_a, fixed=fixed, definition=failing)
    decisions(60, errors=30, market="DE", decided=fixed - timedelta(days=3), label="hate_speech")
    decisions(60, errors=30, market="DE", decided=fixed + timedelta(days=3), label="hate_speech")
    pending = _monitored(quality_lead, team=team_b, fixed=fixed, definition={**thin, "market": "TH"})

    fixes_refresh()  # computes the verdicts of the monitoring cases and closes the one whose fix holds
    Fix.objects.filter(case=pending).update(verdict="", figures={}, verdict_at=None)
    overridden.refresh_from_db()
    case_transition(case=overridden, to=CaseStatus.CLOSED, actor=quality_lead, reason="Scam wave is over.")
    return {
        "on_evidence": on_evidence,
        "overridden": overridden,
        "legacy": legacy,
        "not_holding": not_holding,
        "pending": pending,
        "teams": (team_a, team_b),
    }


def test_closure_report_counts_closings_on_evidence_by_override_and_the_fix_verdicts(closings):
    on_evidence, overridden = closings["on_evidence"], closings["overridden"]
    on_evidence.refresh_from_db()
    overridden.refresh_from_db()

    (row,) = closure_report(filters=ReportFilters(), group_by=None)

    assert (on_evidence.status, on_evidence.closed_by_override) == (CaseStatus.CLOSED, False)
    assert (overridden.status, overridden.closed_by_override) == (CaseStatus.CLOSED, True)
    assert (row["closed"], row["closed_on_evidence"], row["closed_by_override"]) == (3, 1, 1)  # + 1 legacy
    assert (row["fixes_holding"], row["fixes_not_holding"], row["fixes_not_enough_audits"]) == (1, 1, 1)


def test_closure_report_splits_the_evidence_columns_by_group(closings):
    team_a, team_b = closings["teams"]

    rows = {row["key"]: row for row in closure_report(filters=ReportFilters(), group_by=GroupBy.TEAM)}

    assert (rows[team_a.pk]["closed_on_evidence"], rows[team_a.pk]["closed_by_override"]) == (1, 1)
    assert (rows[team_b.pk]["closed"], rows[team_b.pk]["fixes_holding"]) == (0, 0)  # its fix is not computed yet


def test_fix_verdict_mix_counts_the_latest_verdict_of_monitoring_and_closed_cases(closings):
    monitoring, closed = fix_verdict_mix(filters=ReportFilters())

    assert (monitoring["status"], monitoring["cases"]) == (CaseStatus.MONITORING, 2)
    assert (monitoring[FixVerdict.NOT_HOLDING], monitoring["not_computed"], monitoring["no_fix"]) == (1, 1, 0)
    assert (closed["status"], closed["cases"]) == (CaseStatus.CLOSED, 3)
    assert (closed[FixVerdict.HOLDING], closed[FixVerdict.NOT_ENOUGH_AUDITS], closed["no_fix"]) == (1, 1, 1)


def test_dashboard_shows_closings_by_override_and_the_verdict_mix(client, manager, closings):
    client.force_login(manager)

    response = client.get("/reports/", {"period": "all"})

    html = response.content.decode()
    assert response.context["headline"]["closed_by_override"] == 1
    assert response.context["closed_before_fixes"] == 1
    assert "<b>1</b> closed on evidence (their fix held)" in html
    assert "<b>1</b> by override" in html
    assert "<b>1</b> before verified fixes (no fix record)" in html
    closed_row = response.context["verdict_mix"][1]
    assert closed_row["counts"] == [1, 0, 1, 0, 1]  # holding, not holding, not enough audits, not computed, no fix
    assert "1 fix did not hold" in html
    assert [row["case_id"] for row in response.context["not_holding"]] == [closings["not_holding"].pk]


def test_closure_endpoint_and_csv_carry_the_evidence_columns(manager, closings):
    client = APIClient()
    client.force_authenticate(manager)

    (row,) = client.get("/api/v1/reports/closure/", {"group_by": "severity"}).json()
    csv_header = client.get("/api/v1/reports/closure/", {"format": "csv"}).content.decode().splitlines()[0]

    assert (row["closed_on_evidence"], row["closed_by_override"], row["fixes_not_holding"]) == (1, 1, 1)
    assert csv_header.endswith(
        "closed_on_evidence,closed_by_override,fixes_holding,fixes_not_holding,fixes_not_enough_audits"
    )


def test_a_reopened_case_no_longer_counts_as_closed_by_override(closings, quality_lead):
    overridden = closings["overridden"]
    case_transition(case=overridden, to=CaseStatus.INVESTIGATING, actor=quality_lead, reason="Scams are back.")

    (row,) = closure_report(filters=ReportFilters(), group_by=None)

    assert (row["closed"], row["closed_by_override"]) == (2, 0)


def test_a_recomputed_verdict_moves_the_mix(quality_lead):
    now = timezone.now()
    case = _monitored(quality_lead, team=None, fixed=now - timedelta(days=10))
    fix = Fix.objects.get(case=case)
    fix_verdict_refresh(fix, now=now)
    before = fix_verdict_mix(filters=ReportFilters())[0]
    holding_audits(fixed=now - timedelta(days=10))

    fix_verdict_refresh(fix, now=now)

    after = fix_verdict_mix(filters=ReportFilters())[0]
    assert (before[FixVerdict.NOT_ENOUGH_AUDITS], before[FixVerdict.HOLDING]) == (1, 0)
    assert (after[FixVerdict.NOT_ENOUGH_AUDITS], after[FixVerdict.HOLDING]) == (0, 1)
