"""A detected case of the demo, as a quality lead opens it: the room tells its story at a glance (a title people write,
the figures, the trend with its markers, what else is unusual) and fits a phone. Screenshots: case-story.png (desktop)
and case-story-phone.png (390 px). And the page of its samples revealed at once."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cases.choices import CaseOrigin
from cases.demo.people import DEMO_PASSWORD
from cases.models import Case
from cases.story.selectors import case_story
from cases.titles import TITLE_MAX
from rca.models import SampleReveal
from tests.factories import CaseFactory, CaseSampleFactory, ModerationSampleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The lightest demo whose detection run opens cases: two weeks of audits at full volume (the detection window), no
# older history, three cases of case work.
DEMO = ("--days", "14", "--audits-per-day", "600", "--history-days", "0", "--history-audits-per-day", "0")
PHONE = {"width": 390, "height": 844}
KEY_VALUE = re.compile(r"\b\w+\s*=\s*\w+")
ZERO_RATE = re.compile(r"(^|[^\d.])0\.0%")  # "0.0%" written for a rate above zero ("10.0%" is fine)


def _detected_case_with_unusual_values() -> Case:
    detected = list(Case.objects.filter(origin=CaseOrigin.DETECTED).select_related("pattern").order_by("id"))
    assert detected, "the demo's detection run opened no case"
    for case in detected:  # the story is stored as the room would store it on its first view
        if case_story(case).unusual:
            return case
    raise AssertionError(f"none of the {len(detected)} detected cases has an unusual value")


def test_detected_case_room_tells_its_story_and_fits_a_phone(page, live_server, login, screenshot):
    call_command("seed_demo", *DEMO, "--cases", "3", stdout=StringIO())
    case = _detected_case_with_unusual_values()
    login(page, "lead", password=DEMO_PASSWORD)

    page.goto(f"{live_server.url}/cases/{case.pk}/")

    title = page.locator("h1.case-head__title").inner_text().strip()
    assert 0 < len(title) <= TITLE_MAX and not KEY_VALUE.search(title), title
    figures = page.locator(".facts--story")
    for label in ("Errors / audits", "Error rate", "All errors", "Seen", "Involved"):
        expect(figures).to_contain_text(label)
    expect(figures).not_to_contain_text(ZERO_RATE)
    opened = page.locator("#trend svg .trend-marker[data-kind=opened]")
    expect(opened).to_have_count(1)
    expect(opened.locator("text")).to_have_text("Opened")
    expect(page.locator("#trend svg .trend-chart__bars rect").first).to_be_attached()
    expect(page.locator("#not-noise")).to_contain_text("errors on")
    expect(page.locator("#unusual .unusual-list li").first).to_contain_text("against")
    screenshot(page, "case-story")

    page.set_viewport_size(PHONE)
    page.reload()

    expect(page.locator(".facts--story")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "case-story-phone")


def test_reveal_this_page_shows_every_hidden_sample_after_one_confirmation(page, live_server, login, quality_lead):
    case = CaseFactory(owner=quality_lead)
    for n in range(3):
        sample = ModerationSampleFactory(audit_label_id="minor_safety", notes=f"hidden note {n}")
        CaseSampleFactory(case=case, sample=sample)
    login(page, "lead")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#samples .sensitive__veil")).to_have_count(3)

    page.get_by_text("Reveal this page…").click()
    page.get_by_role("button", name="Reveal 3 samples").click()

    expect(page.locator("#samples .sensitive__veil")).to_have_count(0)
    expect(page.locator("#samples")).to_contain_text("hidden note 2")
    expect(page.get_by_role("status")).to_have_text("Revealed 3 samples.")
    assert SampleReveal.objects.filter(user=quality_lead).count() == 3
