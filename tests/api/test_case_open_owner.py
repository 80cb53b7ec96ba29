"""`POST /api/v1/cases/`: the opener owns the new case unless the request names an owner."""

import pytest

from cases.choices import ActivityVerb
from cases.models import Case
from tests.factories import UserFactory

URL = "/api/v1/cases/"


@pytest.mark.django_db
def test_case_create_without_owner_gives_the_opener_the_case(lead_client, quality_lead):
    response = lead_client.post(URL, {"title": "Slang insults"}, format="json")

    assert response.status_code == 201
    assert response.json()["owner"] == quality_lead.pk
    assert Case.objects.get().owner == quality_lead


@pytest.mark.django_db
def test_case_create_with_an_owner_assigns_them_once(lead_client):
    other = UserFactory(username="lead2", role="quality_lead")

    response = lead_client.post(URL, {"title": "Slang insults", "owner": other.pk}, format="json")

    assert response.status_code == 201
    case = Case.objects.get()
    assert case.owner == other
    assert case.activities.filter(verb=ActivityVerb.ASSIGNED).count() == 1


@pytest.mark.django_db
def test_case_create_with_an_owner_who_may_not_own_is_a_400(lead_client, partner):
    response = lead_client.post(URL, {"title": "Slang insults", "owner": partner.pk}, format="json")

    assert response.status_code == 400
    assert not Case.objects.exists()
