"""Markets and languages as selects (`rca.sample_values`, `cases.templatetags.rca_choices`): the codes seen in the
samples, read by a skip scan (markets) and cached; offered on the samples explorer, the case board and the reports."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from rca.sample_values import known_sample_values, read_sample_values
from tests.factories import ModerationSampleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples():
    ModerationSampleFactory(market="BR", language="pt-BR")
    ModerationSampleFactory(market="ID", language="id")
    ModerationSampleFactory(market="ID", language="en")
    ModerationSampleFactory(market="GB", language="en")


def _select(html: str, name: str) -> str:
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


def test_read_sample_values_lists_each_code_once_sorted(samples):
    assert read_sample_values() == {"market": ["BR", "GB", "ID"], "language": ["en", "id", "pt-BR"]}


def test_read_sample_values_of_an_empty_table_is_empty():
    assert read_sample_values() == {"market": [], "language": []}


def test_known_sample_values_are_cached_until_they_expire(samples, django_assert_num_queries):
    known_sample_values()
    ModerationSampleFactory(market="TH", language="th")

    with django_assert_num_queries(0):
        cached = known_sample_values()

    assert "TH" not in cached["market"]
    cache.clear()
    assert "TH" in known_sample_values()["market"]


def test_samples_explorer_offers_markets_and_languages_as_selects(client, quality_lead, samples):
    client.force_login(quality_lead)

    html = client.get(reverse("sample-list"), {"market": "id", "language": "en"}).content.decode()

    market, language = _select(html, "market"), _select(html, "language")
    assert '<option value="ID" selected>ID</option>' in market
    assert '<option value="BR">BR</option>' in market
    assert '<option value="en" selected>en</option>' in language
    assert '<option value="pt-BR">pt-BR</option>' in language
    assert 'type="text" name="market"' not in html


def test_case_board_and_reports_offer_markets_as_selects(client, manager, samples):
    client.force_login(manager)

    for url in (reverse("case-list"), "/reports/"):
        html = client.get(url, {"market": "GB"}).content.decode()

        market = _select(html, "market")
        assert '<option value="GB" selected>GB</option>' in market
        assert '<option value="BR">BR</option>' in market


def test_select_keeps_a_filtered_value_not_seen_in_the_samples(client, quality_lead, samples):
    client.force_login(quality_lead)

    html = client.get(reverse("case-list"), {"market": "fr"}).content.decode()

    assert '<option value="FR" selected>FR</option>' in _select(html, "market")
