"""A case's audience (`cases.audience`) follows every change of who may see it, and the partner visibility it serves
is exactly the rule of the domain: owned by or shared with one of the partner's teams, watched by the partner, or
holding an action item the partner owns."""

import random
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db.models import Q

from cases import permissions, services
from cases.models import ActionItem, Case, Team
from tests.factories import ActionItemFactory, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sees(user, case) -> bool:
    return permissions.visible_cases(user).filter(pk=case.pk).exists()


@pytest.fixture
def policy_partner():
    partner = UserFactory(role="partner")
    Team.objects.get(slug="policy").members.add(partner)
    return partner


def test_a_case_opened_for_a_team_or_shared_with_it_is_seen_by_its_partners(quality_lead, policy_partner):
    policy, legal = Team.objects.get(slug="policy"), Team.objects.get(slug="legal")
    owned = services.case_open(actor=quality_lead, title="Owned", team=policy)
    shared = services.case_open(actor=quality_lead, title="Shared", shared_teams=[legal, policy])
    other = services.case_open(actor=quality_lead, title="Other", team=legal)

    assert _sees(policy_partner, owned) and _sees(policy_partner, shared)
    assert not _sees(policy_partner, other)


def test_unsharing_and_reassigning_the_team_take_the_case_away(quality_lead, policy_partner):
    policy, legal = Team.objects.get(slug="policy"), Team.objects.get(slug="legal")
    case = services.case_open(actor=quality_lead, title="Shared", shared_teams=[policy])
    services.case_share(case=case, teams=[legal], actor=quality_lead)
    assert not _sees(policy_partner, case)

    services.case_assign(case=case, owner=quality_lead, team=policy, actor=quality_lead)
    assert _sees(policy_partner, case)
    services.case_assign(case=case, owner=quality_lead, team=legal, actor=quality_lead)
    assert not _sees(policy_partner, case)


def test_watching_opens_the_case_and_unwatching_closes_it(quality_lead, partner):
    case = services.case_open(actor=quality_lead, title="Watched")
    services.case_watch(case=case, user=partner, watching=True, actor=quality_lead)
    assert _sees(partner, case)
    services.case_watch(case=case, user=partner, watching=False, actor=partner)
    assert not _sees(partner, case)


def test_the_owner_of_an_action_item_sees_its_case_until_the_item_is_handed_on(quality_lead, partner):
    other = UserFactory(role="partner")
    case = services.case_open(actor=quality_lead, title="Fix")
    item = services.action_item_create(case=case, actor=quality_lead, title="Fix it", kind="model_fix", owner=partner)
    assert _sees(partner, case) and not _sees(other, case)

    services.action_item_update(item=item, actor=quality_lead, owner=other)
    assert _sees(other, case) and not _sees(partner, case)


def test_a_partner_without_a_key_in_the_audience_sees_nothing(quality_lead, partner):
    services.case_open(actor=quality_lead, title="Private")
    assert not permissions.visible_cases(partner).exists()


def _relational_rule(user) -> set[int]:
    """The visibility rule written against the relations themselves (what the audience stands for)."""
    teams = permissions.team_ids(user)
    rule = (
        Q(team_id__in=teams) | Q(shared_teams__in=teams) | Q(watchers=user) | Q(action_items__owner=user)
    )  # fmt: skip
    return set(Case.objects.filter(rule).values_list("pk", flat=True))


def test_audience_visibility_equals_the_relational_rule_on_random_cases(quality_lead):
    rng = random.Random(7)
    teams = list(Team.objects.all())
    partners = [UserFactory(role="partner") for _ in range(4)]
    for index, partner in enumerate(partners):
        teams[index % len(teams)].members.add(partner)
    for _ in range(40):
        case = CaseFactory(
            team=rng.choice([None, *teams]),
            shared_teams=rng.sample(teams, rng.randrange(3)),
            watchers=rng.sample(partners, rng.randrange(2)),
        )
        if rng.random() < 0.4:
            ActionItemFactory(case=case, owner=rng.choice(partners))
    for partner in partners:
        partner = type(partner).objects.get(pk=partner.pk)  # no cached team ids
        assert set(permissions.visible_cases(partner).values_list("pk", flat=True)) == _relational_rule(partner)


def test_the_migration_fills_the_audience_of_existing_cases(policy_partner, partner):
    policy = Team.objects.get(slug="policy")
    case = CaseFactory(shared_teams=[policy])
    ActionItemFactory(case=case, owner=partner)
    Case.objects.filter(pk=case.pk).update(audience={})
    assert not _sees(policy_partner, case)

    import_module("cases.migrations.0008_case_audience").fill(django_apps, None)

    case.refresh_from_db()
    assert case.audience == {f"t{policy.pk}": True, f"u{partner.pk}": True}
    assert _sees(policy_partner, case) and ActionItem.objects.filter(case=case, owner=partner).exists()


def test_handing_an_action_item_on_in_the_admin_moves_the_case_with_it(client, partner):
    from django.urls import reverse

    other = UserFactory(role="partner")
    item = ActionItemFactory(owner=partner, created_by=UserFactory(role="quality_lead"))
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:cases_actionitem_change", args=[item.pk]),
        {
            "case": item.case_id, "title": item.title, "description": "", "kind": item.kind, "owner": other.pk,
            "team": "", "due_at_0": "2026-12-01", "due_at_1": "10:00:00", "status": item.status,
            "created_by": item.created_by_id,
        },
    )  # fmt: skip

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _sees(other, item.case) and not _sees(partner, item.case)
    # Deleting is refused (it would leave no timeline entry): the item stays, and so does its owner's view of the case.
    refused = client.post(reverse("admin:cases_actionitem_delete", args=[item.pk]), {"post": "yes"})
    assert refused.status_code == 403
    assert ActionItem.objects.filter(pk=item.pk).exists() and _sees(other, item.case)
