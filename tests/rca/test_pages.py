"""The evidence pages: the samples explorer, safe viewing of sensitive samples, the patterns list and a pattern."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases.models import UserPreference
from cases.titles import pattern_title
from rca.models import SampleReveal
from tests.factories import CaseFactory, CaseSampleFactory, ErrorPatternFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return len(context.captured_queries), response.status_code


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


# SAMPLES EXPLORER
# ------------------------------------------------------------------------------


def test_sample_list_redirects_anonymous_users_to_login(client):
    response = client.get(reverse("sample-list"))

    assert response.status_code == 302


def test_sample_list_shows_misclassified_samples_by_default(lead_client):
    ModerationSampleFactory(external_id="qa-wrong")
    ModerationSampleFactory(external_id="qa-right", correct=True)

    response = lead_client.get(reverse("sample-list"))

    assert b"qa-wrong" in response.content
    assert b"qa-right" not in response.content


def test_sample_list_filters_by_market_and_text(lead_client):
    ModerationSampleFactory(external_id="qa-br", market="BR", notes="golpe do pix")
    ModerationSampleFactory(external_id="qa-br-other", market="BR", notes="other")
    ModerationSampleFactory(external_id="qa-id", market="ID", notes="golpe")

    response = lead_client.get(reverse("sample-list"), {"market": "br", "q": "golpe"})

    assert b"qa-br<" in response.content or b"qa-br</span>" in response.content
    assert b"qa-br-other" not in response.content
    assert b"qa-id" not in response.content


def test_sample_list_rejects_a_bad_filter_with_400(lead_client):
    response = lead_client.get(reverse("sample-list"), {"audit_label": "no_such_label"})

    assert response.status_code == 400


def test_sample_list_shows_a_partner_only_samples_of_its_cases(client, partner):
    visible = CaseSampleFactory(
        case=CaseFactory(watchers=[partner]), sample=ModerationSampleFactory(external_id="qa-mine")
    )
    ModerationSampleFactory(external_id="qa-hidden")
    client.force_login(partner)

    response = client.get(reverse("sample-list"))

    assert visible.sample.external_id.encode() in response.content
    assert b"qa-hidden" not in response.content
    assert reverse("case-from-samples").encode() not in response.content


def test_sample_list_offers_the_selection_form_to_quality_leads(lead_client):
    ModerationSampleFactory()

    response = lead_client.get(reverse("sample-list"))

    assert reverse("case-from-samples").encode() in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_sample_list_pages_without_counting(lead_client):
    ModerationSampleFactory.create_batch(51)

    first = lead_client.get(reverse("sample-list"))
    second = lead_client.get(reverse("sample-list"), {"page": 2})

    assert first.context["explorer"].has_next is True
    assert len(second.context["explorer"].rows) == 1
    assert second.context["explorer"].has_next is False


def test_sample_list_query_count_does_not_grow_with_rows(lead_client):
    ModerationSampleFactory.create_batch(5, audit_label_id="adult_nudity")
    queries_of(lead_client, reverse("sample-list"))  # warms the cached market/language options
    few, _ = queries_of(lead_client, reverse("sample-list"))
    ModerationSampleFactory.create_batch(95, audit_label_id="hate_speech")
    many, status = queries_of(lead_client, reverse("sample-list"))

    assert status == 200
    assert few == many


def test_sample_list_masks_personal_ids_for_partners(client, partner):
    sample = ModerationSampleFactory(human=True, moderator_id="mod-311", auditor_id="aud-17")
    CaseSampleFactory(case=CaseFactory(watchers=[partner]), sample=sample)
    client.force_login(partner)

    response = client.get(reverse("sample-list"))

    assert b"mod-311" not in response.content
    assert b"aud-17" not in response.content
    assert "••••••".encode() in response.content


def test_sample_list_shows_personal_ids_to_quality_leads(lead_client):
    ModerationSampleFactory(human=True, moderator_id="mod-311")

    response = lead_client.get(reverse("sample-list"))

    assert b"mod-311" in response.content


# SAFE VIEWING
# ------------------------------------------------------------------------------


def test_sensitive_sample_text_is_not_sent_until_revealed(lead_client):
    ModerationSampleFactory(audit_label_id="adult_nudity", decision_label_id="none", notes="explicit detail")

    response = lead_client.get(reverse("sample-list"))

    assert b"explicit detail" not in response.content
    assert b"Sensitive text hidden" in response.content


def test_sensitive_sample_text_is_shown_when_the_user_turned_blurring_off(lead_client, quality_lead):
    ModerationSampleFactory(audit_label_id="adult_nudity", decision_label_id="none", notes="explicit detail")
    UserPreference.objects.create(user=quality_lead, blur_sensitive=False)

    response = lead_client.get(reverse("sample-list"))

    assert b"explicit detail" in response.content


def test_non_sensitive_sample_text_is_shown(lead_client):
    ModerationSampleFactory(notes="plain slang note")

    response = lead_client.get(reverse("sample-list"))

    assert b"plain slang note" in response.content


def test_sample_reveal_records_who_revealed_and_returns_the_text(lead_client, quality_lead):
    sample = ModerationSampleFactory(audit_label_id="adult_nudity", notes="explicit detail", transcript="words")

    response = lead_client.post(reverse("sample-reveal", args=[sample.pk]), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {"id": sample.pk, "notes": "explicit detail", "transcript": "words"}
    reveal = SampleReveal.objects.get()
    assert (reveal.user, reveal.sample) == (quality_lead, sample)


def test_sample_reveal_without_javascript_renders_a_page(lead_client):
    sample = ModerationSampleFactory(audit_label_id="adult_nudity", notes="explicit detail")

    response = lead_client.post(reverse("sample-reveal", args=[sample.pk]))

    assert response.status_code == 200
    assert b"explicit detail" in response.content
    assert SampleReveal.objects.count() == 1


def test_sample_reveal_is_404_for_a_sample_the_partner_may_not_see(client, partner):
    sample = ModerationSampleFactory(audit_label_id="adult_nudity")
    client.force_login(partner)

    response = client.post(reverse("sample-reveal", args=[sample.pk]))

    assert response.status_code == 404
    assert not SampleReveal.objects.exists()


def test_sample_reveal_refuses_get(lead_client):
    sample = ModerationSampleFactory(audit_label_id="adult_nudity")

    response = lead_client.get(reverse("sample-reveal", args=[sample.pk]))

    assert response.status_code == 405
    assert not SampleReveal.objects.exists()


def test_case_room_blurs_sensitive_linked_samples(lead_client):
    link = CaseSampleFactory(sample=ModerationSampleFactory(audit_label_id="adult_nudity", notes="explicit detail"))

    response = lead_client.get(reverse("case-detail", args=[link.case_id]))

    assert b"explicit detail" not in response.content
    assert reverse("sample-reveal", args=[link.sample_id]).encode() in response.content


# PATTERNS
# ------------------------------------------------------------------------------


def test_pattern_list_shows_patterns_by_their_title_with_their_case(lead_client):
    case = CaseFactory(detected=True)

    response = lead_client.get(reverse("pattern-list"))

    assert escape(pattern_title(case.pattern)).encode() in response.content
    assert escape(case.pattern.name).encode() not in response.content  # the machine name
    assert case.key.encode() in response.content


def test_pattern_list_is_forbidden_to_partners(client, partner):
    client.force_login(partner)

    assert client.get(reverse("pattern-list")).status_code == 403


def test_pattern_detail_is_forbidden_to_partners(client, partner):
    pattern = ErrorPatternFactory()
    client.force_login(partner)

    assert client.get(reverse("pattern-detail", args=[pattern.pk])).status_code == 403


def test_pattern_detail_is_404_for_an_unknown_pattern(lead_client):
    assert lead_client.get(reverse("pattern-detail", args=[999999])).status_code == 404


def test_pattern_list_filters_by_market(lead_client):
    brazil = {"decision_label": "none", "audit_label": "hate_speech", "market": "BR"}
    ErrorPatternFactory(market="BR", definition=brazil)
    ErrorPatternFactory(market="ID")

    response = lead_client.get(reverse("pattern-list"), {"market": "br"})

    assert b"in Brazil" in response.content
    assert b"in Indonesia" not in response.content


def test_pattern_detail_draws_the_daily_audits_and_error_rate_as_svg(lead_client, manager, client):
    now = timezone.now()
    pattern = ErrorPatternFactory(
        top_terms=["slang", "insult"], definition={"market": "ID"}, first_seen=now - timedelta(days=3)
    )
    two_days_ago = now - timedelta(days=2)
    ModerationSampleFactory.create_batch(3, decided_at=two_days_ago, audited_at=two_days_ago)
    ModerationSampleFactory(correct=True, decided_at=two_days_ago, audited_at=two_days_ago)
    client.force_login(manager)

    response = client.get(reverse("pattern-detail", args=[pattern.pk]))

    body = response.content.decode()
    day = timezone.localtime(two_days_ago).date().isoformat()
    assert response.status_code == 200
    assert "<svg" in body and "trend-chart__rate" in body
    assert f'<th scope="row">{day}</th><td>4</td><td>3</td><td>75.0%</td>' in body  # the series, as a table
    assert "3 errors on 1 day across 3 items." in body  # why it is (not yet) a pattern
    assert "slang" in body


def test_pattern_list_query_count_does_not_grow_with_rows(lead_client):
    for _ in range(5):
        CaseFactory(detected=True)
    few, _ = queries_of(lead_client, reverse("pattern-list"))
    for _ in range(95):
        CaseFactory(detected=True)
    many, status = queries_of(lead_client, reverse("pattern-list"))

    assert status == 200
    assert few == many


def test_pattern_detail_query_count_does_not_grow_with_samples(lead_client):
    from rca.models import PatternSample

    small, large = ErrorPatternFactory(), ErrorPatternFactory()
    for sample in ModerationSampleFactory.create_batch(5):
        PatternSample.objects.create(pattern=small, sample=sample)
    for sample in ModerationSampleFactory.create_batch(100):
        PatternSample.objects.create(pattern=large, sample=sample)

    few, _ = queries_of(lead_client, reverse("pattern-detail", args=[small.pk]))
    many, status = queries_of(lead_client, reverse("pattern-detail", args=[large.pk]))

    assert status == 200
    assert few == many


def test_sample_list_shows_a_partner_the_samples_of_one_case_at_a_time(client, partner):
    older = CaseFactory(watchers=[partner], title="Older")
    newer = CaseFactory(watchers=[partner], title="Newer")
    CaseSampleFactory(case=older, sample=ModerationSampleFactory(external_id="qa-older"))
    CaseSampleFactory(case=newer, sample=ModerationSampleFactory(external_id="qa-newer"))
    client.force_login(partner)

    default = client.get(reverse("sample-list"))
    picked = client.get(reverse("sample-list"), {"case": older.pk})

    assert b"qa-newer" in default.content and b"qa-older" not in default.content
    assert b"qa-older" in picked.content and b"qa-newer" not in picked.content
