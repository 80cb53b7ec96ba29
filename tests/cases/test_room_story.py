"""The case room tells the story on top: the figures header, the trend with its markers, why it is not noise and what
else is unusual; then the linked samples best first, a page of them revealed at once; then the work."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Team
from cases.story.models import CaseStory
from rca.models import SampleReveal
from tests.factories import CaseFactory, CaseSampleFactory, ErrorPatternFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db

TOPIC_MEASURE = {
    "population": {"decision_label": "none", "market": "ID"},
    "audit_label": "bullying_harassment",
    "topic_terms": ["slang", "insult", "battle"],
}


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


def _room(case, query: str = "") -> str:
    return reverse("case-detail", args=[case.pk]) + query


def _link(case, count: int = 1, **fields) -> list:
    samples = []
    for _ in range(count):
        sample = ModerationSampleFactory(**fields)
        CaseSampleFactory(case=case, sample=sample)
        samples.append(sample)
    return samples


def _detected_case():
    now = timezone.now()
    pattern = ErrorPatternFactory(first_seen=now - timedelta(days=6))
    case = CaseFactory(detected=True, pattern=pattern, opened_at=now - timedelta(days=4))
    for day in range(1, 6):
        decided = now - timedelta(days=day)
        _link(case, 3, decided_at=decided, audited_at=decided + timedelta(hours=1))
    ModerationSampleFactory.create_batch(20, market="BR", language="pt-BR", audit_label_id="none")
    return case


# THE STORY ON TOP
# ------------------------------------------------------------------------------


def test_room_shows_the_figures_trend_noise_and_unusual_values_above_the_work(lead_client):
    case = _detected_case()

    body = lead_client.get(_room(case)).content.decode()

    figures = body[body.index('class="facts facts--story"') :]
    assert "Errors / audits" in figures[: figures.index("</dl>")] and "Error rate" in figures[: figures.index("</dl>")]
    assert 'data-kind="opened"' in body and ">Opened</text>" in body
    assert "Why this is a pattern, not noise" in body or "Pattern or noise?" in body
    assert 'id="unusual"' in body and "What else is unusual about it" in body
    positions = [body.index(marker) for marker in ('id="trend"', 'id="samples"', 'id="findings"', 'id="comments"')]
    assert positions == sorted(positions)
    assert body.index('id="timeline-title"') > body.index('class="room__side"')
    assert CaseStory.objects.filter(case=case).exists()


def test_room_queries_do_not_grow_with_the_linked_samples(lead_client):
    case = _detected_case()
    lead_client.get(_room(case))  # stores the story
    with CaptureQueriesContext(connection) as few:
        lead_client.get(_room(case))
    _link(case, 30)

    with CaptureQueriesContext(connection) as many:
        lead_client.get(_room(case))

    assert len(many) == len(few)


# SAMPLES, BEST FIRST
# ------------------------------------------------------------------------------


def test_room_lists_the_samples_naming_most_topic_terms_first_then_the_latest(lead_client):
    case = CaseFactory(measure=TOPIC_MEASURE)
    now = timezone.now()
    recent_off_topic = _link(case, notes="Nothing to do with it", audited_at=now - timedelta(hours=1))[0]
    one_term = _link(case, notes="A slang word", audited_at=now - timedelta(hours=2))[0]
    older_two_terms = _link(case, notes="Slang insult, old", audited_at=now - timedelta(days=3))[0]
    newer_two_terms = _link(case, notes="Insult in a battle", audited_at=now - timedelta(days=2))[0]

    body = lead_client.get(_room(case)).content.decode()

    expected = (newer_two_terms, older_two_terms, one_term, recent_off_topic)
    order = [body.index(sample.external_id) for sample in expected]
    assert order == sorted(order)
    assert "Most typical first: the most of the topic&#x27;s terms (slang, insult, battle)" in body


def test_room_without_a_topic_lists_the_measure_errors_first_and_latest_on_request(lead_client):
    case = CaseFactory(measure={"population": {"decision_label": "none", "market": "ID"}})
    now = timezone.now()
    correct = _link(case, audit_label_id="none", audited_at=now - timedelta(hours=1))[0]
    error = _link(case, audited_at=now - timedelta(days=2))[0]

    typical = lead_client.get(_room(case)).content.decode()
    latest = lead_client.get(_room(case, "?order=latest")).content.decode()

    assert typical.index(error.external_id) < typical.index(correct.external_id)
    assert latest.index(correct.external_id) < latest.index(error.external_id)


# REVEALING A PAGE OF SAMPLES
# ------------------------------------------------------------------------------


def test_room_offers_to_reveal_the_page_sensitive_samples_once(lead_client):
    case = CaseFactory()
    sensitive = _link(case, 2, decision_label_id="none", audit_label_id="minor_safety")
    _link(case, decision_label_id="none", audit_label_id="bullying_harassment")  # not sensitive

    body = lead_client.get(_room(case)).content.decode()

    reveal = body[body.index('class="reveal-page"') :]
    reveal = reveal[: reveal.index("</details>")]
    assert "Reveal 2 samples" in reveal and "Each reveal is recorded under your name" in reveal
    assert sorted(map(int, re.findall(r'name="sample" value="(\d+)"', reveal))) == sorted(s.pk for s in sensitive)


def test_reveal_page_records_one_reveal_a_sensitive_linked_sample_in_one_post(lead_client, quality_lead):
    case = CaseFactory()
    sensitive = _link(case, 3, audit_label_id="minor_safety", notes="hidden note")
    plain = _link(case)[0]
    elsewhere = ModerationSampleFactory(audit_label_id="minor_safety")  # not linked to this case
    ids = [sample.pk for sample in (*sensitive, plain, elsewhere)]

    with CaptureQueriesContext(connection) as queries:
        response = lead_client.post(
            reverse("case-samples-reveal", args=[case.pk]), {"sample": ids}, HTTP_ACCEPT="application/json"
        )

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["revealed"]] == [sample.pk for sample in sensitive]
    assert response.json()["revealed"][0]["notes"] == "hidden note"
    reveals = SampleReveal.objects.filter(user=quality_lead)
    assert sorted(reveals.values_list("sample_id", flat=True)) == sorted(sample.pk for sample in sensitive)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "rca_samplereveal"')]
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "rca_moderationsample"' in q["sql"]]
    assert len(inserts) == 1 and len(reads) == 1


def test_reveal_page_refuses_bad_ids_with_a_message_and_hidden_cases_with_a_404(client, lead_client, partner):
    case = CaseFactory()
    url = reverse("case-samples-reveal", args=[case.pk])

    assert lead_client.post(url, {}).status_code == 400
    bad = lead_client.post(url, {"sample": ["x1"]}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and bad.json() == {"detail": "Sample ids are whole numbers."}
    assert lead_client.post(url, {"sample": [str(n) for n in range(1, 102)]}).status_code == 400
    client.force_login(partner)
    assert client.post(url, {"sample": ["1"]}).status_code == 404
    assert not SampleReveal.objects.exists()


def test_reveal_page_without_javascript_shows_the_texts(lead_client):
    case = CaseFactory()
    sample = _link(case, audit_label_id="self_harm", notes="the note behind the veil")[0]

    response = lead_client.post(reverse("case-samples-reveal", args=[case.pk]), {"sample": [sample.pk]})

    assert response.status_code == 200
    assert "the note behind the veil" in response.content.decode()


def test_reveal_page_is_open_to_a_partner_who_sees_the_case(client, partner):
    team = Team.objects.get(slug="policy")
    partner.teams.add(team)
    case = CaseFactory(shared_teams=[team])
    sample = _link(case, audit_label_id="violent_extremism")[0]
    client.force_login(partner)

    response = client.post(
        reverse("case-samples-reveal", args=[case.pk]), {"sample": [sample.pk]}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200 and [item["id"] for item in response.json()["revealed"]] == [sample.pk]
    assert SampleReveal.objects.filter(user=partner, sample=sample).count() == 1
