"""On a phone (390 px wide) the pages fit the screen: no horizontal scroll of the page itself (a wide table may
scroll inside its own box): the case board, the case room with its story and its samples' second page, the pattern
page, and every report-like page as each role that may open it (the reports dashboard with its closure and
remediation tables, the quality page, the agreement page, the initiatives and an initiative, the samples explorer).
Screenshots go to test-results/screenshots/ (narrow-*.png)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cases.audience import refresh_audience
from cases.choices import CaseOrigin, CaseStatus
from cases.fixes.models import Fix
from rca.verdicts.choices import ReviewKind
from rca.verdicts.services import review_record
from tests.cases.initiative_data import InitiativeFactory
from tests.cases.quality_data import days_ago, plant, planted_change, rebuild
from tests.factories import (
    ActionItemFactory,
    CaseFactory,
    ErrorPatternFactory,
    FindingFactory,
    ModerationSampleFactory,
    TeamFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def busy_case(db, quality_lead):
    now = timezone.now()
    pattern = ErrorPatternFactory(
        definition={
            "decision_label": "none",
            "audit_label": "bullying_harassment",
            "market": "ID",
            "tag": "guest_battle",
        },
        first_seen=now - timedelta(days=8),
    )
    case = CaseFactory(
        title="Model misses bullying in Indonesian guest battles, with a title long enough to wrap (live-clf-3.2)",
        owner=quality_lead,
        origin=CaseOrigin.DETECTED,
        pattern=pattern,
        opened_at=now - timedelta(days=5),
    )
    for day in range(1, 8):  # a story to tell: errors on a week of days, comparable traffic elsewhere
        decided = now - timedelta(days=day)
        ModerationSampleFactory.create_batch(3, decided_at=decided, audited_at=decided, auditor_id=f"aud-{day % 2}")
        ModerationSampleFactory.create_batch(4, market="BR", language="pt-BR", audit_label_id="none")
    for n in range(3):
        FindingFactory(case=case, statement=f"Finding {n}: slang_variant_{n}_without_any_space_to_break_it_at_all.")
        ActionItemFactory(case=case, title=f"Retrain the classifier on slang variant {n}")
    for n in range(13):  # more than a page of the room's samples: the pager shows
        sample = ModerationSampleFactory(external_id=f"qa-narrow-{n}-with-a-long-external-identifier")
        case.samples.add(sample, through_defaults={"linked_by": quality_lead})
    return case


def _page_width(page) -> int:
    """The width of the page's content: the screen's (390) when nothing scrolls sideways."""
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(
    "path",
    ["/cases/", "/cases/{case}/", "/patterns/{pattern}/", "/reports/"],
    ids=["board", "case-room", "pattern", "reports"],
)
def test_narrow_screen_has_no_horizontal_scroll(page, live_server, login, screenshot, busy_case, path):
    page.set_viewport_size(PHONE)
    login(page, "lead")

    page.goto(live_server.url + path.format(case=busy_case.pk, pattern=busy_case.pattern_id))

    name = path.strip("/").split("/")[0]
    screenshot(page, f"narrow-{name if '{' not in path else name + '-detail'}")
    assert page.locator("main h1").count() >= 1  # the page itself, not an error
    assert _page_width(page) <= PHONE["width"]


# THE REPORT-LIKE PAGES
# ------------------------------------------------------------------------------
# Every page that shows figures in tables and charts (and the other pages with a table), as each role that may open
# it. A wide table may scroll inside its own box (`.table-wrap`, the write-up's `.table-scroll`); the page may not.

REPORT_PAGES = {  # name: (address, what must be on it: the wide part)
    "reports-remediation": ("/reports/?group_by=owner&period=all", "#remediation-rows tbody tr"),
    "reports-by-month": ("/reports/?group_by=month&period=all", "#verdict-mix tbody tr"),
    "quality-by-policy": ("/quality/?group_by=policy", "#human-vs-model tbody tr"),  # with precision and recall
    "quality-by-auditor": ("/quality/?group_by=auditor&dimension=auditor", "#change-contributors tbody tr"),
    "agreement-by-auditor": ("/quality/agreement/?group_by=auditor", "main table tbody tr"),
    "initiatives": ("/initiatives/", "#initiative-rows tbody tr"),
    "initiative": ("/initiatives/{initiative}/", "#initiative-weeks tbody tr"),
    "samples": ("/samples/", ".table--samples tbody tr"),
    "samples-filtered": ("/samples/?market=ID&outcome=false_negative", ".table--samples tbody tr"),
    "case-room-samples-page-2": ("/cases/{case}/?page=2#samples", "#samples .table--samples tbody tr"),
    "writeup": ("/cases/{case}/writeup/", "#action-items table tbody tr"),
    "patterns": ("/patterns/", "main table tbody tr"),
    "disputes": ("/disputes/", "main h1"),
    "home": ("/", "main .stat"),
    "notifications": ("/notifications/", "main h1"),
    "settings": ("/settings/", "main form"),
}
ROLE_PAGES = {
    "lead": list(REPORT_PAGES),
    "boss": list(REPORT_PAGES),  # the manager
    "partner": ["initiatives", "initiative", "samples", "case-room-samples-page-2", "writeup", "home"],
    "nobody": ["home", "notifications", "settings"],  # no role at all
}

# The elements that stick out of the screen, outside any box that scrolls sideways on its own: what to fix.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const inScrollBox = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible' && up !== document.documentElement && up !== document.body)
        return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !inScrollBox(el))
    .slice(0, 8)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`
      + ` right=${Math.round(el.getBoundingClientRect().right)}`);
}"""


@pytest.fixture
def report_data(db, busy_case, quality_lead, manager, partner, outsider):
    """Figures for every report: the quality page's planted change, human and model audits of two policies and of
    several auditors, second reviews for the agreement table, a fixed and a closed case for the remediation rows, and
    an initiative on ID bullying served by the busy case (which the partner's team works on)."""
    planted_change()
    plant(days_ago(5), total=60, errors=6, source="human")
    plant(days_ago(5), total=60, errors=9, source="model", policy="hate_speech")
    for n, sample in enumerate(ModerationSampleFactory.create_batch(12, decision_label_id="none")):
        sample.auditor_id = f"auditor-with-a-long-identifier-{n % 4}"
        sample.audit_label_id = "hate_speech" if n % 3 else "none"
        sample.save(update_fields=["auditor_id", "audit_label_id"])
        with transaction.atomic():
            review_record(sample=sample, kind=ReviewKind.SECOND_REVIEW, label="none", reviewer_auditor_id="aud-lead")
    rebuild()
    Fix.objects.create(case=busy_case, effective_at=timezone.now() - timedelta(days=3), model_version="live-clf-3.3")
    CaseFactory(title="Closed before fixes were recorded, with a long title", status=CaseStatus.CLOSED)
    busy_case.team = TeamFactory()
    busy_case.save(update_fields=["team"])
    busy_case.team.members.add(partner)
    refresh_audience([busy_case.pk])
    return InitiativeFactory(
        name="Cut missed bullying in Indonesian live streams before the next quarter",
        measure={"population": {"market": "ID"}, "audit_label": "bullying_harassment", "topic_terms": []},
        baseline_start=days_ago(50),
        baseline_end=days_ago(30),
        cases=[busy_case],
    )


@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_report_pages_have_no_horizontal_scroll(page, live_server, login, screenshot, report_data, username):
    page.set_viewport_size(PHONE)
    login(page, username)
    too_wide = {}

    for name in ROLE_PAGES[username]:
        path, rows = REPORT_PAGES[name]
        response = page.goto(live_server.url + path.format(initiative=report_data.pk, case=report_data.cases.get().pk))

        screenshot(page, f"narrow-{name}-{username}")
        assert response.status == 200, (name, response.status)
        assert page.locator("main h1").count() >= 1, name
        assert page.locator(rows).count() >= 1, (name, rows)  # the wide part is on the page
        if _page_width(page) > PHONE["width"]:
            too_wide[name] = (_page_width(page), page.evaluate(OVERFLOWING))

    assert too_wide == {}
