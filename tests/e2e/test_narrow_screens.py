"""On a phone (390 px wide) the pages fit the screen: no horizontal scroll of the page itself (a wide table may
scroll inside its own box): the case board, the case room with its story, the pattern page and the reports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.choices import CaseOrigin
from tests.factories import ActionItemFactory, CaseFactory, ErrorPatternFactory, FindingFactory, ModerationSampleFactory

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
    for n in range(3):
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
