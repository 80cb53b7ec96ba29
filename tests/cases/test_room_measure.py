"""The case room's Measure panel and its form (quality leads)."""

import pytest
from django.urls import reverse

from cases.audience import refresh_audience
from cases.choices import ActivityVerb, CaseOrigin
from cases.models import Activity
from tests.factories import CaseFactory, CaseSampleFactory, ErrorPatternFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


def _room(case) -> str:
    return reverse("case-detail", args=[case.pk])


def _detected():
    pattern = ErrorPatternFactory(
        definition={"decision_label": "none", "audit_label": "bullying_harassment", "market": "ID", "queue": "live_q"}
    )
    return CaseFactory(origin=CaseOrigin.DETECTED, pattern=pattern)


def _panel(body: str) -> str:
    return body[body.index('id="measure"') : body.index('id="measure-form"')]


def test_room_measure_panel_words_the_pattern_measure(lead_client):
    case = _detected()

    panel = _panel(lead_client.get(_room(case)).content.decode())

    assert "From the detected pattern" in panel
    assert '<span class="tag">Decision label: none</span>' in panel
    assert '<span class="tag">Market: ID</span>' in panel
    assert '<span class="tag">Queue: live_q</span>' in panel
    assert "Misclassified audits whose audit label is bullying_harassment." in panel


def test_room_measure_panel_of_a_hand_opened_case_is_what_its_samples_share(lead_client):
    case = CaseFactory()
    for _ in range(2):
        CaseSampleFactory(case=case, sample=ModerationSampleFactory(market="BR", language="pt"))

    panel = _panel(lead_client.get(_room(case)).content.decode())

    assert "Shared by its linked samples" in panel
    assert '<span class="tag">Market: BR</span>' in panel


def test_room_measure_form_saves_the_lead_measure(lead_client, quality_lead):
    case = _detected()

    response = lead_client.post(
        _room(case),
        {
            "action": "measure",
            "cond_0": "market",
            "value_0": "ID, MY",
            "cond_1": "decision_label",
            "value_1": "none",
            "cond_2": "",
            "value_2": "",
            "audit_label": "hate_speech",
            "topic_terms": "slang, insult",
        },
        follow=True,
    )

    case.refresh_from_db()
    assert case.measure == {
        "population": {"decision_label": "none", "market": ["ID", "MY"]},
        "audit_label": "hate_speech",
        "topic_terms": ["slang", "insult"],
    }
    panel = _panel(response.content.decode())
    assert "Set by a lead" in panel
    assert '<span class="tag">Market: ID or MY</span>' in panel
    assert "whose audit label is hate_speech and whose notes name “slang” or “insult”" in panel
    entry = Activity.objects.get(case=case, verb=ActivityVerb.UPDATED)
    assert entry.actor == quality_lead and "measure" in entry.data["changes"]
    assert "set the case&#x27;s measure" in response.content.decode()


def test_room_measure_form_error_is_next_to_the_row_and_keeps_the_text(lead_client):
    case = _detected()

    response = lead_client.post(
        _room(case),
        {"action": "measure", "cond_0": "queue", "value_0": "live_q", "cond_1": "market", "value_1": " "},
    )

    body = response.content.decode()
    case.refresh_from_db()
    assert response.status_code == 400
    assert case.measure == {}
    form = body[body.index('id="measure-form"') :]
    form = form[: form.index("</form>")]
    row = form[form.index('name="value_1"') :]
    assert "Give market a value." in row[: row.index("</div>")]
    assert 'value="live_q"' in form
    assert '<details class="editor" open>' in body[body.index('id="measure"') :]


def test_room_measure_form_without_any_condition_says_what_is_missing(lead_client):
    case = _detected()

    response = lead_client.post(_room(case), {"action": "measure", "cond_0": "", "value_0": "", "audit_label": ""})

    assert response.status_code == 400
    assert "Name at least one condition or an audit label." in response.content.decode()


def test_room_measure_reset_goes_back_to_the_pattern_measure(lead_client):
    case = _detected()
    case.measure = {"population": {"market": "BR"}, "audit_label": "", "topic_terms": []}
    case.save(update_fields=["measure"])

    response = lead_client.post(_room(case), {"action": "measure", "reset": "1"}, follow=True)

    case.refresh_from_db()
    assert case.measure == {}
    assert "From the detected pattern" in response.content.decode()


def test_room_measure_form_by_a_partner_changes_nothing(client, partner):
    case = _detected()
    case.watchers.add(partner)
    refresh_audience([case.pk])
    client.force_login(partner)

    response = client.post(_room(case), {"action": "measure", "cond_0": "market", "value_0": "BR"})

    case.refresh_from_db()
    assert response.status_code == 302
    assert case.measure == {}
