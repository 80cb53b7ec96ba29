"""The object-level rules of the one permissions module."""

import pytest

from cases import permissions
from cases.models import Case
from tests.factories import ActionItemFactory, CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy_team():
    return TeamFactory(name="Policy", slug="policy")


@pytest.fixture
def policy_partner(policy_team):
    return UserFactory(username="pat", role="partner", teams=[policy_team])


def test_visible_cases_quality_leads_and_managers_see_every_case(quality_lead, manager):
    cases = [CaseFactory(), CaseFactory()]

    assert set(permissions.visible_cases(quality_lead)) == set(cases)
    assert set(permissions.visible_cases(manager)) == set(cases)


def test_visible_cases_partner_sees_shared_owned_watched_and_assigned_cases_only(policy_partner, policy_team):
    shared = CaseFactory(shared_teams=[policy_team])
    owned_by_team = CaseFactory(team=policy_team)
    watched = CaseFactory(watchers=[policy_partner])
    assigned = CaseFactory()
    ActionItemFactory(case=assigned, owner=policy_partner)
    other_team = TeamFactory(name="Legal", slug="legal")
    CaseFactory(shared_teams=[other_team])
    CaseFactory()

    visible = permissions.visible_cases(policy_partner)

    assert set(visible) == {shared, owned_by_team, watched, assigned}
    assert visible.count() == 4  # no duplicate rows from the joins


def test_visible_cases_a_case_matching_several_rules_appears_once(policy_partner, policy_team):
    case = CaseFactory(team=policy_team, shared_teams=[policy_team], watchers=[policy_partner])
    ActionItemFactory(case=case, owner=policy_partner)
    ActionItemFactory(case=case, owner=policy_partner)

    assert list(permissions.visible_cases(policy_partner)) == [case]


def test_visible_cases_users_without_a_role_and_anonymous_see_nothing(outsider, policy_team):
    from django.contrib.auth.models import AnonymousUser

    CaseFactory(shared_teams=[policy_team])
    outsider.teams.add(policy_team)

    assert not permissions.visible_cases(outsider).exists()
    assert not permissions.visible_cases(AnonymousUser()).exists()


def test_can_view_case_matches_visible_cases(policy_partner, policy_team):
    shared = CaseFactory(shared_teams=[policy_team])
    hidden = CaseFactory()

    assert permissions.can_view_case(policy_partner, shared) is True
    assert permissions.can_view_case(policy_partner, hidden) is False


def test_can_drive_case_only_quality_leads(quality_lead, manager, partner, outsider):
    assert permissions.can_drive_case(quality_lead)
    assert not any(permissions.can_drive_case(user) for user in (manager, partner, outsider))


def test_can_update_action_item_owner_team_member_and_quality_lead(policy_partner, policy_team, partner, quality_lead):
    mine = ActionItemFactory(owner=policy_partner)
    my_teams = ActionItemFactory(team=policy_team)
    someone_elses = ActionItemFactory(owner=partner)

    assert permissions.can_update_action_item(policy_partner, mine)
    assert permissions.can_update_action_item(policy_partner, my_teams)
    assert not permissions.can_update_action_item(policy_partner, someone_elses)
    assert permissions.can_update_action_item(quality_lead, someone_elses)


def test_visible_samples_partner_sees_only_samples_of_visible_cases(policy_partner, policy_team, quality_lead):
    from tests.factories import CaseSampleFactory, ModerationSampleFactory

    shared = CaseFactory(shared_teams=[policy_team])
    visible_sample = CaseSampleFactory(case=shared).sample
    CaseSampleFactory(case=CaseFactory())
    ModerationSampleFactory()

    assert list(permissions.visible_samples(policy_partner)) == [visible_sample]
    assert permissions.visible_samples(quality_lead).count() == 3


def test_personal_id_for_masks_moderator_ids_for_partners(quality_lead, manager, partner):
    assert permissions.personal_id_for(quality_lead, "mod-311") == "mod-311"
    assert permissions.personal_id_for(manager, "mod-311") == "mod-311"
    assert "mod" not in permissions.personal_id_for(partner, "mod-311")
    assert permissions.personal_id_for(partner, "mod-311") != ""
    assert permissions.personal_id_for(partner, "") == ""


def test_superuser_counts_as_every_role():
    root = UserFactory(username="root", is_superuser=True)
    CaseFactory()

    assert permissions.is_quality_lead(root) and permissions.is_manager(root)
    assert permissions.visible_cases(root).count() == Case.objects.count()


def test_users_with_role_counts_superusers_and_skips_inactive_users(quality_lead, partner, manager):
    root = UserFactory(username="root", is_superuser=True)
    UserFactory(username="retired", role="quality_lead", is_active=False)
    both = UserFactory(username="both", role="quality_lead")
    both.groups.add(*partner.groups.all())

    leads = permissions.users_with_role("quality_lead")
    leads_or_partners = permissions.users_with_role("quality_lead", "partner")

    assert set(leads) == {quality_lead, root, both}
    # One row per user, though "both" is in two of the groups.
    assert sorted(user.username for user in leads_or_partners) == ["both", "lead", "partner", "root"]
    assert set(permissions.case_owner_candidates()) == set(leads)
    assert all(permissions.can_own_case(user) for user in leads) and not permissions.can_own_case(manager)


def test_action_item_fields_refused_leaves_partners_the_partner_editable_fields(quality_lead, partner):
    assert permissions.action_item_fields_refused(quality_lead, ["title", "owner", "status"]) == set()
    assert permissions.action_item_fields_refused(partner, ["title", "status", "description"]) == {"title"}
