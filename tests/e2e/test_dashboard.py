"""The managers' dashboard in a real browser: a manager sees the four charts and the tables, filters them and downloads
a CSV; a partner is refused. Screenshots go to test-results/screenshots/ (reports-dashboard*.png)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.choices import CaseStatus, Severity
from cases.fixes.models import Fix
from cases.fixes.services import fix_verdict_refresh
from cases.models import Notification
from tests.cases.test_reports_remediation import decisions
from tests.cases.test_reports_selectors import build_closure_dataset
from tests.factories import CaseFactory, ErrorPatternFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report_data(db):
    """The hand-built closure data set, a spread of recent cases, and three cases in monitoring with a fix: one that
    holds, one that changed nothing and one that made things worse (both not holding)."""
    build_closure_dataset()
    now = timezone.now()
    owners = [UserFactory(username=name) for name in ("chen", "dewi", "emre")]
    severities = list(Severity.values)
    statuses = [CaseStatus.NEW, CaseStatus.TRIAGE, CaseStatus.INVESTIGATING, CaseStatus.REMEDIATING]
    for index in range(36):
        opened = now - timedelta(days=5 + index * 4)
        closed = index % 3 != 0
        CaseFactory(
            owner=owners[index % 3],
            severity=severities[index % 4],
            opened_at=opened,
            due_at=opened + timedelta(days=(2, 7, 14, 30)[index % 4]),
            status=CaseStatus.CLOSED if closed else statuses[index % 4],
            closed_at=opened + timedelta(days=1 + index % 9) if closed else None,
            resolved_at=opened + timedelta(days=1 + index % 9) if closed else None,
        )
    fixed = now - timedelta(days=12)
    fixes = []
    for title, label, market, before, after in (
        ("Slang insults in ID", "bullying_harassment", "ID", 30, 6),
        ("Hate symbols in BR", "hate_speech", "BR", 30, 30),
        ("Scam links in US", "spam_scam", "US", 30, 45),
    ):
        case = CaseFactory(
            title=title,
            market=market,
            policy_label=label,
            status=CaseStatus.MONITORING,
            opened_at=now - timedelta(days=50),
            due_at=now - timedelta(days=36),
            remediating_at=fixed - timedelta(days=2),
            monitoring_at=fixed,
            pattern=ErrorPatternFactory(definition={"decision_label": "none", "audit_label": label, "market": market}),
        )
        decisions(60, errors=before, market=market, decided=fixed - timedelta(days=7), label=label)
        decisions(60, errors=after, market=market, decided=fixed + timedelta(days=5), label=label)
        fixes.append(Fix.objects.create(case=case, effective_at=fixed))
    for fix in fixes:  # as the hourly task does, once the audits are in (each slice is the others' control)
        fix_verdict_refresh(fix, now=now)


def test_manager_sees_the_dashboard_charts_and_downloads_a_csv(
    page, live_server, login, screenshot, manager, report_data
):
    login(page, manager.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()

    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    for chart in ("#chart-closure-by-month", "#chart-ageing", "#chart-time-to-close", "#chart-remediation"):
        expect(page.locator(f"{chart} svg")).to_be_visible()
    expect(page.locator("#chart-remediation circle[fill='#2f855a']").first).to_be_attached()
    expect(page.get_by_text("2 fixes did not hold")).to_be_visible()
    expect(page.locator("#remediation-rows tbody tr")).to_have_count(3)
    screenshot(page, "reports-dashboard")

    with page.expect_download() as download:
        page.locator("#closure-table").locator("xpath=..").get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "closure-report-by-team.csv"
    assert download.value.path().read_text().startswith("group,key,opened,closed,closure_rate")


def test_manager_filters_the_dashboard_by_market(page, live_server, login, screenshot, manager, report_data):
    login(page, manager.username)
    page.goto(f"{live_server.url}/reports/")

    page.get_by_label("Market").select_option("BR")
    page.get_by_label("Table by").select_option("owner")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(f"{live_server.url}/reports/?period=365&team=&policy=&market=BR&group_by=owner")
    expect(page.get_by_role("heading", name="Closure by owner")).to_be_visible()
    expect(page.locator("#remediation-rows tbody tr")).to_have_count(1)
    screenshot(page, "reports-dashboard-filtered")


def test_partner_cannot_open_the_dashboard(page, live_server, login, partner):
    login(page, partner.username)

    response = page.goto(f"{live_server.url}/reports/")

    assert response.status == 403
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)


def test_bell_counts_unread_notifications_and_the_list_marks_them_read(page, live_server, login, screenshot, manager):
    case = CaseFactory(title="Slang insults in ID")
    for index, kind in enumerate(("case_state_changed", "mentioned")):
        Notification.objects.create(
            recipient=manager,
            kind=kind,
            case=case,
            message=f"{case.key} update {index}",
            url=f"/cases/{case.pk}/",
            idempotency_key=f"e2e-{index}",
        )
    login(page, manager.username)

    expect(page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications: 2 unread")
    page.locator("#notification-bell").click()
    screenshot(page, "notifications-list")
    page.locator(f"#notification-{Notification.objects.get(idempotency_key='e2e-0').pk}").get_by_role(
        "button", name="Mark read"
    ).click()

    expect(page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications: 1 unread")
