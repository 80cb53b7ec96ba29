"""The case room's "Shared with" lists the whole audience (`cases.audience.audience_members`): each person who may
see the case through its owning team, a team it is shared with, watching it or owning one of its action items, with
every reason they are there, in two queries."""

import pytest
from django.urls import reverse

from cases.audience import AudienceReason, audience_members
from tests.factories import ActionItemFactory, CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _arrange():
    policy = TeamFactory(name="Policy desk", slug="policy-desk")
    ops = TeamFactory(name="Ops desk", slug="ops-desk")
    pia = UserFactory(username="pia", first_name="Pia", last_name="Policy", role="partner", teams=[policy])
    otto = UserFactory(username="otto", first_name="Otto", last_name="Ops", role="partner", teams=[ops])
    wendy = UserFactory(username="wendy", first_name="Wendy", last_name="Watcher", role="partner")
    UserFactory(username="stranger", first_name="Sam", last_name="Stranger", role="partner")
    case = CaseFactory(team=policy, shared_teams=[ops], watchers=[wendy, pia])
    ActionItemFactory(case=case, owner=otto, title="Retrain the classifier")
    return case, wendy


def test_audience_members_gives_each_person_every_reason(django_assert_num_queries):
    case, _wendy = _arrange()

    with django_assert_num_queries(2):
        members = audience_members(case=case)

    by_user = {member.user.username: sorted(member.reasons) for member in members}
    assert by_user == {
        "otto": [(AudienceReason.ACTION_ITEM, "Retrain the classifier"), (AudienceReason.SHARED_TEAM, "Ops desk")],
        "pia": [(AudienceReason.OWNER_TEAM, "Policy desk"), (AudienceReason.WATCHER, "")],
        "wendy": [(AudienceReason.WATCHER, "")],
    }
    assert [member.user.username for member in members] == ["otto", "pia", "wendy"]  # by display name


def test_case_room_shows_the_audience_with_reasons_to_leads_and_partners(client, quality_lead):
    case, wendy = _arrange()

    for user in (quality_lead, wendy):
        client.force_login(user)
        page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
        html = page[page.index('id="audience"') :].split("</div>", 1)[0]

        assert "Who can see this case" in html
        assert "<b>Otto Ops</b>" in html
        assert "member of Ops desk, shared with" in html
        assert "owns the action item “Retrain the classifier”" in html
        assert "member of Policy desk, the owning team" in html
        assert "<b>Wendy Watcher</b>: watching" in html
        assert "Sam Stranger" not in html
