"""The demo as a newcomer meets it: after `seed_demo`, the manager's dashboard charts months of history, with closure
rates over at least four months and days to close with non-zero medians. Screenshot: demo-dashboard.png."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cases.demo.people import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_VALUE = "\u2013"  # the en dash a figure shows when there is nothing to compute
# A lighter demo than `make run`'s (fewer audits and cases), over the same six months.
DEMO = ("--days", "7", "--audits-per-day", "200", "--history-days", "165", "--history-audits-per-day", "40")


def test_demo_dashboard_shows_months_of_closures_and_days_to_close(page, live_server, login, screenshot):
    call_command("seed_demo", *DEMO, "--cases", "80", "--skip-detection", stdout=StringIO())
    login(page, "manager", password=DEMO_PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()

    months = page.locator("#chart-closure-by-month svg rect title").all_text_contents()
    assert len({title[:7] for title in months if re.match(r"\d{4}-\d{2}: \d+(\.\d+)?%", title)}) >= 4, months
    assert sum(1 for title in months if not title.split(": ")[1].startswith("0%")) >= 4, months
    bars = page.locator("#chart-time-to-close svg rect title").all_text_contents()
    medians = [float(re.search(r"median ([\d.]+) days", title).group(1)) for title in bars]
    assert len(medians) == 4 and all(median >= 0.5 for median in medians), bars
    axis = [text for text in page.locator("#chart-time-to-close svg text").all_text_contents() if text.endswith(" d")]
    assert max(float(text.removesuffix(" d")) for text in axis) >= 10, axis
    expect(page.locator(".report-figure", has_text="median days to close")).not_to_contain_text(NO_VALUE)
    screenshot(page, "demo-dashboard")
