"""A case opened by hand is owned by whoever opened it unless an owner is named (service and page); the API side is in
`tests/api/test_case_open_owner.py`."""

import pytest
from django.urls import reverse

from cases import services
from cases.choices import ActivityVerb, CaseOrigin
from cases.models import Case
from tests.factories import ModerationSampleFactory, UserFactory


@pytest.mark.django_db
def test_case_open_by_hand_gives_the_opener_the_case(quality_lead):
    case = services.case_open(actor=quality_lead, title="Slang insults")

    assert case.owner == quality_lead
    assigned = case.activities.get(verb=ActivityVerb.ASSIGNED)
    assert assigned.data["owner_id"] == quality_lead.pk


@pytest.mark.django_db
def test_case_open_keeps_a_named_owner(quality_lead):
    other = UserFactory(username="lead2", role="quality_lead")

    case = services.case_open(actor=quality_lead, title="Slang insults", owner=other)

    assert case.owner == other
    assert case.activities.filter(verb=ActivityVerb.ASSIGNED).count() == 1


@pytest.mark.django_db
def test_case_open_by_the_pipeline_stays_unowned_without_a_route():
    case = services.case_open(actor=None, title="Detected", origin=CaseOrigin.DETECTED)

    assert case.owner is None


@pytest.mark.django_db
def test_case_open_by_an_actor_who_may_not_own_stays_unowned(django_user_model):
    # A superuser counts as a quality lead, so may drive; made inactive it may no longer own a case.
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    admin.is_active = False

    case = services.case_open(actor=admin, title="Opened by an admin on the way out")

    assert case.owner is None


@pytest.mark.django_db
def test_case_from_samples_page_gives_the_opener_the_case(client, quality_lead):
    samples = ModerationSampleFactory.create_batch(2)
    client.force_login(quality_lead)

    client.post(
        reverse("case-from-samples"),
        {"scope": "selected", "sample": [s.pk for s in samples], "action": "open", "title": "Slang", "severity": "S2"},
    )

    assert Case.objects.get().owner == quality_lead
