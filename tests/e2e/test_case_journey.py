"""The main journey in a real browser: a quality lead opens a case from samples and drives it; a partner sees only
that case, comments with a mention and completes its action item; the lead closes the case. Screenshots of every
page go to test-results/screenshots/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.choices import ActionItemStatus, CaseStatus
from cases.models import Case, Comment
from rca.models import SampleReveal
from tests.factories import CaseFactory, ErrorPatternFactory, ModerationSampleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def evidence(db):
    samples = [
        ModerationSampleFactory(external_id=f"qa-slang-{n}", notes=f"Slang insult {n} missed by the model")
        for n in range(5)
    ]
    sensitive = ModerationSampleFactory(
        external_id="qa-sensitive", audit_label_id="adult_nudity", notes="explicit description"
    )
    hidden = CaseFactory(title="Unrelated hidden case")
    today = timezone.localdate()
    counts = {(today - timedelta(days=d)).isoformat(): (d * 7) % 11 + 2 for d in range(21)}
    pattern = ErrorPatternFactory(name="none → bullying_harassment in ID: slang", daily_counts=counts)
    CaseFactory(title="Model misses bullying and harassment in Indonesia", pattern=pattern, origin="detected")
    return {"samples": samples, "sensitive": sensitive, "hidden": hidden, "pattern": pattern}


def _status(page) -> str:
    return page.locator(".facts .badge[class*=badge--status-]").first.inner_text()


def _move(page, label: str, expected: str) -> None:
    page.locator(".transitions").get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".facts .badge[class*=badge--status-]").first).to_have_text(expected)


def test_case_journey_from_samples_to_closure(page, live_server, login, screenshot, quality_lead, partner, evidence):
    # The login page, then the lead's home.
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "01-login")
    login(page, "lead")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    screenshot(page, "02-home-lead")

    # Samples explorer: a sensitive sample is blurred until revealed, and the reveal is recorded.
    page.goto(f"{live_server.url}/samples/")
    expect(page.get_by_text("explicit description")).to_have_count(0)
    screenshot(page, "03-samples")
    page.locator(".sensitive").get_by_role("button", name="Reveal").click()
    expect(page.get_by_text("explicit description")).to_be_visible()
    assert SampleReveal.objects.filter(user=quality_lead, sample=evidence["sensitive"]).count() == 1

    # Tick three samples and open a case with them.
    for sample in evidence["samples"][:3]:
        page.get_by_label(f"Select {sample.external_id}").check()
    expect(page.locator(".js-selected-count")).to_have_text("(3)")
    page.locator("#selection-form").get_by_label("Title").fill("Slang insults missed in ID live")
    page.get_by_role("button", name="Open case").click()
    expect(page.locator(".case-head__title")).to_have_text("Slang insults missed in ID live")
    case = Case.objects.get(title="Slang insults missed in ID live")
    assert case.sample_count == 3
    screenshot(page, "04-case-room-new")

    # A case opened by hand is owned by its opener, so it can move to investigating at once.
    case.refresh_from_db()
    assert case.owner.username == "lead"
    expect(page.get_by_text("Assign an owner before investigating the case.")).to_have_count(0)
    _move(page, "Investigate", "Investigating")

    # A finding and an action item for the partner.
    page.locator("#findings summary", has_text="Add a finding").click()
    finding_form = page.locator("#finding-form")
    finding_form.get_by_label("Statement").fill("The classifier has no training data for Indonesian slang.")
    finding_form.get_by_role("button", name="Add finding").click()
    expect(page.locator(".finding__statement")).to_contain_text("no training data")

    page.locator("#action-items summary", has_text="Add an action item").click()
    item_form = page.locator("#action-item-form")
    item_form.get_by_label("Title").fill("Clarify the slang guideline")
    item_form.get_by_label("Kind").select_option("guideline_clarification")
    item_form.get_by_label("Owner").select_option(label="partner")
    item_form.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    item_form.get_by_role("button", name="Add action item").click()
    expect(page.locator("#action-items table")).to_contain_text("Clarify the slang guideline")
    screenshot(page, "05-case-room-investigating")

    # The partner sees only that case, comments with a mention and completes its action item.
    login(page, "partner")
    expect(page.get_by_text("Clarify the slang guideline")).to_be_visible()
    screenshot(page, "06-home-partner")
    page.get_by_role("link", name="Cases", exact=True).click()
    rows = page.locator("table.table--board tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Slang insults missed in ID live")
    expect(page.get_by_text("Unrelated hidden case")).to_have_count(0)
    screenshot(page, "07-case-board-partner")
    response = page.goto(f"{live_server.url}/cases/{evidence['hidden'].pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator(".transitions")).to_have_count(0)
    page.locator(".comment-form textarea").fill("@lead I clarified the guideline; **please check**.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comments .comment")).to_contain_text("please check")
    assert [user.username for user in Comment.objects.get().mentions.all()] == ["lead"]
    item_row = page.locator("#action-items tbody tr", has_text="Clarify the slang guideline")
    item_row.get_by_label(re.compile("^Status of")).select_option("done")
    item_row.get_by_role("button", name="Save").click()
    expect(page.locator("#action-items tbody tr", has_text="Clarify the slang guideline")).to_contain_text("Done")
    assert case.action_items.get().status == ActionItemStatus.DONE
    screenshot(page, "08-case-room-partner")

    # The lead states the root cause and moves the case to closed.
    login(page, "lead")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator("#problem summary", has_text="Edit").click()
    edit_form = page.locator("#problem form")
    edit_form.get_by_label("Root cause category").select_option("model_defect")
    edit_form.get_by_label("Root cause statement").fill("The model was never trained on Indonesian slang.")
    edit_form.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Case saved.")
    _move(page, "Root cause identified", "Root cause identified")
    _move(page, "Remediate", "Remediating")
    # Monitoring records the fix; closing before the audits verify it is an override with a reason.
    page.locator(".transitions summary", has_text="Monitor the fix").click()
    monitor = page.locator(".transitions details[open] form")
    monitor.get_by_label("What changed").fill("Slang list added to the live classifier.")
    monitor.get_by_role("button", name="Monitor the fix").click()
    expect(page.locator(".facts .badge[class*=badge--status-]").first).to_have_text("Monitoring")
    page.locator(".transitions summary", has_text="Close").click()
    close = page.locator(".transitions details[open] form")
    expect(close).to_contain_text("Closing now is an override")
    close.get_by_label("Override reason").fill("The partner confirmed the fix; too few audits to verify yet.")
    close.get_by_role("button", name="Close by override").click()
    expect(page.locator(".facts .badge[class*=badge--status-]").first).to_have_text("Closed")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by_override and case.fixes.count() == 1
    expect(page.locator(".timeline")).to_contain_text("Monitoring")
    screenshot(page, "09-case-room-closed")

    # The other pages, for the record.
    page.goto(f"{live_server.url}/cases/")
    screenshot(page, "10-case-board-lead")
    page.goto(f"{live_server.url}/patterns/")
    screenshot(page, "11-patterns")
    page.goto(f"{live_server.url}/patterns/{evidence['pattern'].pk}/")
    expect(page.locator("svg.chart")).to_be_visible()
    screenshot(page, "12-pattern-detail")
    page.goto(f"{live_server.url}/settings/")
    screenshot(page, "13-settings")
    page.set_viewport_size({"width": 420, "height": 860})
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    screenshot(page, "14-case-room-narrow")
    page.goto(f"{live_server.url}/cases/")
    screenshot(page, "15-case-board-narrow")
