"""The printable write-up in a real browser: from the room of a closed, detected case (a demo case's shape: a pattern
with daily counts, linked samples, a root cause, contributing factors, five whys and done action items) a quality lead
opens the write-up and finds its sections and the chart; printed, the page drops its toolbar. Screenshot:
test-results/screenshots/case-writeup.png."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.choices import ActionItemStatus, CaseOrigin, CaseStatus
from tests.factories import ActionItemFactory, CaseFactory, CaseSampleFactory, ErrorPatternFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def closed_case(db, quality_lead):
    today = date.today()
    pattern = ErrorPatternFactory(
        name="Slang insults missed in ID live",
        daily_counts={(today - timedelta(days=n)).isoformat(): 3 + n % 4 for n in range(14)},
    )
    now = timezone.now()
    case = CaseFactory(
        title="Slang insults missed in ID live",
        origin=CaseOrigin.DETECTED,
        pattern=pattern,
        status=CaseStatus.CLOSED,
        closed_at=now,
        resolved_at=now,
        owner=quality_lead,
        root_cause_category="model_defect",
        root_cause_statement="The live classifier was never trained on Indonesian slang.",
        sample_count=3,
    )
    for _ in range(3):
        CaseSampleFactory(case=case)
    services.contributing_factor_create(
        case=case, actor=quality_lead, category="localisation", statement="No Indonesian slang list for reviewers."
    )
    services.five_whys_replace(
        case=case, actor=quality_lead, answers=["The model misses slang.", "Slang was absent from training data."]
    )
    ActionItemFactory(case=case, title="Retrain with slang", status=ActionItemStatus.DONE, completed_at=now)
    return case


def test_writeup_page_of_a_closed_case_shows_every_section(
    page, live_server, login, screenshot, quality_lead, closed_case
):
    login(page, quality_lead.username)
    page.goto(f"{live_server.url}/cases/{closed_case.pk}/")

    page.get_by_role("link", name="Write-up").click()

    page.wait_for_url(f"**/cases/{closed_case.pk}/writeup/")
    for heading in ("Problem and impact", "Timeline highlights", "Root cause and contributing factors", "Action items"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Five whys")).to_be_visible()
    expect(page.locator("#problem svg.chart")).to_be_visible()
    expect(page.get_by_text("No Indonesian slang list for reviewers.")).to_be_visible()
    expect(page.locator("#action-items")).to_contain_text("Retrain with slang")
    expect(page.locator("#action-items")).to_contain_text("Done")
    screenshot(page, "case-writeup")

    page.emulate_media(media="print")

    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("heading", name="Action items", exact=True)).to_be_visible()
