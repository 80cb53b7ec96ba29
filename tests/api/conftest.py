"""Clients of the API for each role, authenticated with real expiring tokens, and a team-shared case to look at."""

import pytest
from rest_framework.test import APIClient

from cases.models import Team
from config.api.authentication import token_for
from tests.factories import CaseFactory, CaseSampleFactory, ModerationSampleFactory, UserFactory


@pytest.fixture
def make_client():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = token_for(user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def lead_client(make_client, quality_lead):
    return make_client(quality_lead)


@pytest.fixture
def manager_client(make_client, manager):
    return make_client(manager)


@pytest.fixture
def partner_client(make_client, partner):
    return make_client(partner)


@pytest.fixture
def outsider_client(make_client, outsider):
    return make_client(outsider)


@pytest.fixture
def policy_team(db):
    return Team.objects.get(slug="policy")


@pytest.fixture
def shared_partner(db, policy_team):
    """A partner in the Policy team, with which `shared_case` is shared."""
    return UserFactory(username="policy_partner", role="partner", teams=[policy_team])


@pytest.fixture
def shared_partner_client(make_client, shared_partner):
    return make_client(shared_partner)


@pytest.fixture
def shared_case(db, policy_team):
    case = CaseFactory(shared_teams=[policy_team])
    CaseSampleFactory(case=case, sample=ModerationSampleFactory(external_id="qa-shared-1", moderator_id="mod-9"))
    case.sample_count = 1
    case.save(update_fields=["sample_count"])
    return case
