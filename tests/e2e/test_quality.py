"""Quality analytics in a real browser, as a manager: the quality page shows human vs model per policy with their
intervals, the change explainer lists the planted slice first, verdicts in doubt can be excluded, and an initiative's
page draws its measure against its target with its case's fix marked. Screenshots go to test-results/screenshots/
(quality*.png)."""

import re
from datetime import datetime, time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.fixes.models import Fix
from rca.models import ModerationSample
from tests.cases.initiative_data import InitiativeFactory
from tests.cases.quality_data import days_ago, plant, planted_change, rebuild
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quality_data(db):
    """Human and model audits of two policies, a jump in ID's error rate (the planted slice), and an initiative on ID
    bullying served by a case with a fix."""
    planted_change()
    plant(days_ago(5), total=80, errors=8, source="human")
    plant(days_ago(5), total=60, errors=3, source="human", policy="hate_speech")
    plant(days_ago(5), total=60, errors=9, source="model", policy="hate_speech")
    human_in_id = ModerationSample.objects.filter(decision_source="human", market="ID").values("pk")[:3]
    ModerationSample.objects.filter(pk__in=human_in_id).update(verdict_in_doubt=True)  # three verdicts disputed
    rebuild()
    case = CaseFactory(title="Slang insults missed in ID")
    Fix.objects.create(case=case, effective_at=timezone.make_aware(datetime.combine(days_ago(20), time(9))))
    return InitiativeFactory(
        name="Cut missed bullying in ID live",
        measure={"population": {"market": "ID"}, "audit_label": "bullying_harassment", "topic_terms": []},
        baseline_start=days_ago(50),
        baseline_end=days_ago(30),
        cases=[case],
    )


def test_manager_reads_quality_the_change_explainer_and_an_initiative(
    page, live_server, login, screenshot, manager, quality_data
):
    login(page, manager.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quality", exact=True).click()

    expect(page.get_by_role("heading", name="Quality", level=1)).to_be_visible()
    table = page.locator("#human-vs-model")
    expect(table.get_by_role("cell", name="bullying_harassment", exact=True)).to_be_visible()
    expect(table.get_by_role("columnheader", name="Human", exact=True)).to_be_visible()
    expect(table.get_by_role("columnheader", name="Model", exact=True)).to_be_visible()
    expect(table.locator(".interval").first).to_be_visible()  # each rate with its interval
    expect(page.locator("#chart-human-vs-model svg .chart-whisker")).to_have_count(4)
    contributors = page.locator("#change-contributors tbody tr")
    expect(contributors.first.locator(".slice")).to_have_text("ID")
    expect(page.locator("#chart-change svg .chart-step").first).to_be_attached()
    screenshot(page, "quality")
    expect(page.locator("#quality-in-doubt")).to_contain_text("All audited verdicts counted (3 in doubt)")

    page.get_by_label("Exclude verdicts in doubt").check()
    page.get_by_role("button", name="Apply").click()

    expect(page.locator("#quality-in-doubt")).to_contain_text("3 verdicts in doubt excluded")
    expect(page.get_by_label("Exclude verdicts in doubt")).to_be_checked()
    csv_link = page.locator("#change-explainer").get_by_role("link", name="Download CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"exclude_in_doubt=true"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Initiatives").click()
    page.get_by_role("link", name="Cut missed bullying in ID live").click()

    expect(page.get_by_role("heading", name="Cut missed bullying in ID live", level=1)).to_be_visible()
    chart = page.locator("#initiative-chart svg")
    expect(chart.locator(".chart-line--reference")).to_have_count(1)  # the plan to the target
    expect(chart.locator(".chart-band").first).to_be_attached()  # the weekly rate's interval
    expect(chart.locator(".chart-marker")).to_have_count(2)  # the fix and today
    expect(page.locator("#initiative-status")).not_to_be_empty()
    screenshot(page, "quality-initiative")
