"""On a phone (390 px wide) the pages fit the screen: no horizontal scroll of the page itself (a wide table may
scroll inside its own box)."""

import pytest

from tests.factories import ActionItemFactory, CaseFactory, FindingFactory, ModerationSampleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def busy_case(db, quality_lead):
    case = CaseFactory(
        title="Model misses bullying in Indonesian guest battles, with a title long enough to wrap (live-clf-3.2)",
        owner=quality_lead,
    )
    for n in range(3):
        FindingFactory(case=case, statement=f"Finding {n}: slang_variant_{n}_without_any_space_to_break_it_at_all.")
        ActionItemFactory(case=case, title=f"Retrain the classifier on slang variant {n}")
    for n in range(3):
        sample = ModerationSampleFactory(external_id=f"qa-narrow-{n}-with-a-long-external-identifier")
        case.samples.add(sample, through_defaults={"linked_by": quality_lead})
    return case


def _page_overflow(page) -> int:
    """How many pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("path", ["/cases/", "/cases/{case}/"], ids=["board", "case-room"])
def test_narrow_screen_has_no_horizontal_scroll(page, live_server, login, screenshot, busy_case, path):
    page.set_viewport_size(PHONE)
    login(page, "lead")

    page.goto(live_server.url + path.format(case=busy_case.pk))

    screenshot(page, f"narrow-{path.strip('/').replace('/', '-').replace('{case}', 'room') or 'home'}")
    assert _page_overflow(page) == 0
