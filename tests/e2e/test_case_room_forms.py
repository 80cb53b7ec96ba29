"""The case room's forms in a real browser: a mention of someone who cannot see the case is refused with a message
(and a lead can share the case with them in one click); a rejected comment keeps its text, shows its error in view,
and the URL stays the room's; `@` suggests the people who can see the case."""

import pytest
from playwright.sync_api import expect

from cases.models import Comment, Team
from tests.factories import ActionItemFactory, CaseFactory, FindingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def long_case(db):
    """A case whose room is long enough that its discussion form is far below the fold."""
    case = CaseFactory(title="Slang insults missed in ID")
    for n in range(6):
        FindingFactory(case=case, statement=f"Finding {n}: the model misses slang variant {n}.")
        ActionItemFactory(case=case, title=f"Retrain on variant {n}")
    return case


@pytest.fixture
def ops(db):
    return UserFactory(
        username="ops", first_name="Olu", last_name="Ops", role="partner", teams=[Team.objects.get(slug="operations")]
    )


def test_mention_of_a_partner_who_cannot_see_the_case_is_refused_then_shared(
    page, live_server, login, screenshot, quality_lead, ops, long_case
):
    login(page, "lead")
    room = f"{live_server.url}/cases/{long_case.pk}/"
    page.goto(room)

    page.locator("#comment-form textarea").fill("@ops can you check the queue?")
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()

    error = page.get_by_text("@ops: cannot see this case — share it with their team first.")
    expect(error).to_be_in_viewport()
    expect(page.locator("#comment-form textarea")).to_have_value("@ops can you check the queue?")
    screenshot(page, "room-mention-refused")
    assert not Comment.objects.exists()

    page.get_by_role("button", name="Share the case with Operations (for @ops)").click()
    expect(page.get_by_text("Sharing updated: post the comment now.")).to_be_visible()
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment__body").get_by_text("can you check the queue?")).to_be_visible()
    assert list(Comment.objects.get().mentions.all()) == [ops]


def test_rejected_comment_keeps_its_text_and_shows_its_error_in_view(page, live_server, login, quality_lead, long_case):
    login(page, "lead")
    room = f"{live_server.url}/cases/{long_case.pk}/"
    page.goto(room)
    text = "too long " * 2_300  # 20,700 characters

    page.locator("#comment-form textarea").fill(text)
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()

    expect(page.locator("#comment-form .field__error")).to_contain_text("at most 20000 characters")
    expect(page.locator("#comment-form .field__error")).to_be_in_viewport()
    expect(page.locator("#comment-form textarea")).to_have_value(text)
    expect(page.locator("#comment-form textarea")).to_be_focused()
    assert page.url.split("#")[0] == room
    assert page.evaluate("window.scrollY") > 0


def test_at_sign_suggests_the_people_who_can_see_the_case(page, live_server, login, quality_lead, ops, long_case):
    long_case.watchers.add(ops)
    from cases.audience import refresh_audience

    refresh_audience([long_case.pk])
    login(page, "lead")
    page.goto(f"{live_server.url}/cases/{long_case.pk}/")
    textarea = page.locator("#comment-form textarea")

    textarea.press_sequentially("Thanks @ol")
    expect(page.get_by_role("option", name="@ops · Olu Ops")).to_be_visible()
    textarea.press("Enter")

    expect(textarea).to_have_value("Thanks @ops ")
