"""The fix in a real browser: a quality lead moves a remediating case to monitoring with the fix it shipped, then sees
the Fix and verdict panel and recomputes the verdict. Screenshot: test-results/screenshots/room-fix-panel.png."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.choices import ActionItemStatus, CaseOrigin, CaseStatus
from cases.fixes.models import Fix
from tests.factories import ActionItemFactory, CaseFactory, ErrorPatternFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_monitors_the_fix_and_sees_the_panel(page, live_server, login, screenshot, quality_lead):
    case = CaseFactory(
        status=CaseStatus.REMEDIATING, owner=quality_lead, origin=CaseOrigin.DETECTED, pattern=ErrorPatternFactory()
    )
    ActionItemFactory(case=case, status=ActionItemStatus.DONE, completed_at=timezone.now())
    login(page, "lead")
    page.goto(f"{live_server.url}/cases/{case.pk}/")

    page.locator("summary", has_text="Monitor the fix").click()
    page.get_by_label("Model version").fill("live-clf-3.3")
    page.get_by_label("What changed").fill("Retrained with the slang list.")
    page.locator("#transitions").get_by_role("button", name="Monitor the fix").click()

    panel = page.locator("#fix")
    expect(page.get_by_text(f"{case.key} is now monitoring.")).to_be_visible()
    expect(panel.get_by_text("live-clf-3.3")).to_be_visible()
    expect(panel.get_by_text("Retrained with the slang list.")).to_be_visible()
    panel.get_by_role("button", name="Recompute").click()
    expect(page.locator("#fix .badge--verdict-not_enough_audits")).to_be_visible()
    screenshot(page, "room-fix-panel")
    assert Fix.objects.get(case=case).model_version == "live-clf-3.3"
