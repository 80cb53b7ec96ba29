"""Mentions in comments: resolved (ignoring case), refused with a message when they name no one or someone who cannot
see the case, in the service, the API and the case room; and the people the room offers to mention."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases import permissions, selectors, services
from cases.markdown import mentioned_usernames
from cases.models import Comment, Team
from cases.services.comments import MENTION_NOT_VISIBLE
from tests.factories import CaseFactory, FindingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_team(db):
    return Team.objects.get(slug="operations")


@pytest.fixture
def ops(ops_team):
    return UserFactory(username="ops", role="partner", teams=[ops_team])


# PARSING
# ------------------------------------------------------------------------------


def test_mentioned_usernames_skips_code_and_email_addresses():
    body = "@ana, see `@property` and\n```\n@decorator\n```\nmail bob@example.com; cc @Pat."

    assert mentioned_usernames(body) == ["ana", "Pat"]


# THE SERVICE
# ------------------------------------------------------------------------------


def test_comment_create_refuses_a_mention_of_no_such_user(quality_lead):
    case = CaseFactory()

    with pytest.raises(ValidationError) as refused:
        services.comment_create(case=case, actor=quality_lead, body="@nobody please look")

    assert refused.value.message_dict == {"body": ["@nobody: no such user."]}
    assert not Comment.objects.exists()


def test_comment_create_refuses_a_mention_of_an_inactive_user(quality_lead):
    UserFactory(username="gone", role="quality_lead", is_active=False)

    with pytest.raises(ValidationError, match="@gone: no such user"):
        services.comment_create(case=CaseFactory(), actor=quality_lead, body="@gone?")


def test_comment_create_refuses_a_partner_who_cannot_see_the_case_naming_their_team(quality_lead, ops, ops_team):
    case = CaseFactory()

    with pytest.raises(ValidationError) as refused:
        services.comment_create(case=case, actor=quality_lead, body="@ops can you check?")

    (error,) = refused.value.error_dict["body"]
    assert error.code == MENTION_NOT_VISIBLE and error.params["team_ids"] == [ops_team.pk]
    assert refused.value.messages == ["@ops: cannot see this case — share it with their team first."]
    assert not Comment.objects.exists()


def test_comment_create_resolves_a_mention_ignoring_case(quality_lead):
    pat = UserFactory(username="pat", role="manager")

    comment = services.comment_create(case=CaseFactory(), actor=quality_lead, body="@Pat FYI")

    assert list(comment.mentions.all()) == [pat]


def test_comment_create_refuses_a_mention_matching_several_users_by_case(quality_lead):
    UserFactory(username="pat", role="manager")
    UserFactory(username="PAT", role="manager")

    with pytest.raises(ValidationError, match="several users match"):
        services.comment_create(case=CaseFactory(), actor=quality_lead, body="@Pat FYI")
    comment = services.comment_create(case=CaseFactory(), actor=quality_lead, body="@PAT FYI")

    assert [user.username for user in comment.mentions.all()] == ["PAT"]


# THE API
# ------------------------------------------------------------------------------


def test_api_comment_with_a_mention_of_an_invisible_user_is_400_naming_them(quality_lead, ops):
    case = CaseFactory()
    client = APIClient()
    client.force_authenticate(quality_lead)

    response = client.post("/api/v1/comments/", {"case": case.pk, "body": "@ops and @nobody"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "body": ["@ops: cannot see this case — share it with their team first.", "@nobody: no such user."]
    }
    assert not Comment.objects.exists()


# WHOM THE ROOM OFFERS TO MENTION
# ------------------------------------------------------------------------------


def test_case_mention_candidates_are_the_people_who_can_see_the_case(quality_lead, manager, ops, ops_team):
    watcher = UserFactory(username="watcher", role="partner")
    UserFactory(username="stranger", role="partner")
    UserFactory(username="norole")
    case = CaseFactory(shared_teams=[ops_team], watchers=[watcher])

    people = selectors.case_mention_candidates(case=case)

    assert [person.username for person in people] == ["boss", "lead", "ops", "watcher"]
    assert all(permissions.can_view_case(person, case) for person in people)


# THE CASE ROOM
# ------------------------------------------------------------------------------


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


def test_room_refuses_a_mention_of_an_invisible_user_keeping_the_text(lead_client, ops):
    case = CaseFactory()
    room = reverse("case-detail", args=[case.pk])

    response = lead_client.post(room, {"action": "comment", "body": "@ops can you check?"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "@ops: cannot see this case — share it with their team first." in page
    assert ">\n@ops can you check?</textarea>" in page and "autofocus" in page
    assert "Share the case with Operations (for @ops)" in page
    assert not Comment.objects.exists()


def test_room_share_button_shares_with_the_team_and_keeps_the_comment_as_a_draft(lead_client, ops, ops_team):
    case = CaseFactory()
    room = reverse("case-detail", args=[case.pk])

    response = lead_client.post(
        room, {"action": "share", "teams": [ops_team.pk], "draft_body": "@ops can you check?", "draft_finding": ""}
    )
    page = lead_client.get(room).content.decode()

    assert response.status_code == 302 and response["Location"] == f"{room}#share-form"
    assert list(case.shared_teams.all()) == [ops_team]
    assert ">\n@ops can you check?</textarea>" in page
    services.comment_create(case=case, actor=ops, body="Seen, thanks.")  # ops sees the case now


def test_room_refused_finding_reply_keeps_its_text_under_its_finding(lead_client):
    finding = FindingFactory()
    room = reverse("case-detail", args=[finding.case_id])

    response = lead_client.post(room, {"action": "comment", "finding": finding.pk, "body": "@nobody look"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "@nobody: no such user." in page
    assert 'autofocus aria-invalid="true">@nobody look</textarea>' in page


def test_room_rejects_a_too_long_comment_with_its_text_and_error(lead_client):
    case = CaseFactory()
    body = "x" * 20_001

    response = lead_client.post(reverse("case-detail", args=[case.pk]), {"action": "comment", "body": body})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value has at most 20000 characters (it has 20001)." in page
    assert f">\n{body}</textarea>" in page
    assert not Comment.objects.exists()


def test_room_posted_comment_redirects_to_it(lead_client):
    case = CaseFactory()
    room = reverse("case-detail", args=[case.pk])

    response = lead_client.post(room, {"action": "comment", "body": "@lead note to self"})

    comment = Comment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{room}#comment-{comment.pk}"


def test_room_lists_the_people_to_mention_for_the_autocomplete(lead_client, ops):
    case = CaseFactory(watchers=[ops])

    response = lead_client.get(reverse("case-detail", args=[case.pk]))

    people = [(p["username"], p["name"]) for p in response.context["mention_people"]]
    assert ("ops", "") in people and ("lead", "") in people
    assert b'id="mention-people"' in response.content and b'class="js-mention"' in response.content


def test_room_rejected_action_item_update_shows_its_error_in_its_row(lead_client, quality_lead):
    from tests.factories import ActionItemFactory

    item = ActionItemFactory()
    room = reverse("case-detail", args=[item.case_id])

    response = lead_client.post(room, {"action": "item", "item": item.pk, "status": "done", "due": "2026-13-45"})

    page = response.content.decode()
    row = page[page.index(f'id="item-{item.pk}"') :]
    assert response.status_code == 400
    assert "Enter a valid date." in row[: row.index("</tr>")]
    assert 'value="2026-13-45"' in row


def test_room_unknown_action_is_400(lead_client):
    case = CaseFactory()

    response = lead_client.post(reverse("case-detail", args=[case.pk]), {"action": "nope"})

    assert response.status_code == 400


def test_room_share_with_an_unknown_team_shows_the_error_next_to_the_sharing(lead_client):
    case = CaseFactory()

    response = lead_client.post(reverse("case-detail", args=[case.pk]), {"action": "share", "teams": [999_999]})

    assert response.status_code == 400
    page = response.content.decode()
    sharing = page[page.index('id="share-form"') :]
    assert "Select a valid choice." in sharing[: sharing.index("</form>")]
