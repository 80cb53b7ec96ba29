"""A case opened from every sample matching the explorer's filters starts with the measure of those filters
(`cases.measure.definition.filters_measure`); a case opened from ticked samples measures what they share."""

import pytest
from django.urls import reverse

from cases.measure.definition import case_measure
from cases.models import Case
from tests.factories import ModerationSampleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


def _open_from_filters(client, filters: str) -> Case:
    response = client.post(
        reverse("case-from-samples"), {"scope": "all", "filters": filters, "action": "open", "title": "From filters"}
    )
    assert response.status_code == 302
    return Case.objects.get()


def test_opening_from_filters_stores_their_conditions_label_and_word_as_the_measure(lead_client):
    ModerationSampleFactory.create_batch(2, market="ID", notes="slang insult in a guest battle")
    ModerationSampleFactory(market="BR")

    case = _open_from_filters(
        lead_client,
        "market=id&decision_label=none&audit_label=bullying_harassment&queue=live_id_general&q=Slang&outcome=false_negative",
    )

    assert case.measure["population"] == {"decision_label": "none", "market": "ID", "queue": "live_id_general"}
    assert case.measure["audit_label"] == "bullying_harassment"
    assert case.measure["topic_terms"] == ["slang"]
    assert case_measure(case).population == {"decision_label": "none", "market": "ID", "queue": "live_id_general"}


def test_opening_from_a_phrase_search_leaves_the_words_out_of_the_measure(lead_client):
    ModerationSampleFactory(market="ID", notes="slang insult in a guest battle")

    case = _open_from_filters(lead_client, "market=ID&q=guest+battle")

    assert case.measure["population"] == {"market": "ID"}
    assert case.measure["topic_terms"] == []


def test_opening_from_filters_without_a_condition_derives_the_measure_from_the_samples(lead_client):
    ModerationSampleFactory.create_batch(2, market="ID")

    case = _open_from_filters(lead_client, "audited_after=2020-01-01T00:00:00Z")

    assert not case.measure
    measure = case_measure(case)
    assert measure.population["market"] == "ID" and measure.source == "samples"
