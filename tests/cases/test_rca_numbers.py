"""Rates as the pages write them (`cases.templatetags.rca_numbers`): percentages whose precision follows their size,
the same in the report tables, the tiles, the charts and the pattern pages; the API keeps fractions."""

import re

import pytest
from django.template import Context, Template

from cases.numbers import format_percent, format_points
from cases.reporting import charts
from tests.cases.test_reports_selectors import build_closure_dataset
from tests.factories import ErrorPatternFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (None, "\u2013"),
        ("", "\u2013"),
        ("not a number", "\u2013"),
        (0, "0%"),
        (1, "100%"),
        (0.125, "12.5%"),
        (0.03, "3.0%"),
        (0.5714, "57.1%"),
        (0.0004, "0.04%"),
        (0.00996, "1.00%"),
        (0.000001, "<0.01%"),
        (0.99996, ">99.9%"),
        ("0.25", "25.0%"),
    ],
)
def test_format_percent_adapts_its_precision_to_the_size(fraction, text):
    assert format_percent(fraction) == text


def test_format_percent_never_writes_zero_for_a_rate_above_zero():
    for fraction in (1e-9, 1e-6, 0.00004, 0.0001, 0.00049, 0.005):
        assert not re.fullmatch(r"0(\.0+)?%", format_percent(fraction))


def test_format_points_signs_a_change_of_rate():
    assert format_points(-0.025) == "\u22122.5 pp"
    assert format_points(0.0004) == "+0.04 pp"
    assert format_points(0) == "0 pp"
    assert format_points(None) == "\u2013"


def test_percent_filter_renders_in_a_template():
    html = Template("{% load rca_numbers %}{{ rate|percent }} {{ change|percent_points }}").render(
        Context({"rate": 0.125, "change": -0.1})
    )

    assert html == "12.5% \u221210.0 pp"


def test_dashboard_writes_rates_as_percentages_and_labels_the_reopen_rate(client, manager):
    build_closure_dataset()
    client.force_login(manager)

    html = client.get("/reports/", {"period": "all"}).content.decode()

    assert '<th class="num">Reopen rate</th>' in html
    assert ">Reopened<" not in html
    assert '<td class="num">57.1%</td>' in html  # team A's closure rate, 0.5714
    assert '<td class="num">14.3%</td>' in html  # team A's reopen rate, 0.1429
    assert '<td class="num">0.571</td>' not in html


def test_reports_api_keeps_rates_as_fractions(client, manager):
    build_closure_dataset()
    client.force_login(manager)

    rows = client.get("/api/v1/reports/closure/", {"group_by": "team", "opened_after": "2000-01-01"}).json()

    assert any(row["closure_rate"] == 0.5714 for row in rows)


def test_chart_titles_use_the_same_percentages():
    chart = charts.before_after_chart([("RCA-1", 0.0004, 0.125, "not_holding")])

    assert "RCA-1 0.04% → 12.5%" in chart.summary


def test_pattern_list_writes_error_rates_as_percentages(client, quality_lead):
    ErrorPatternFactory(error_rate=0.0004, baseline_rate=0.00001)
    client.force_login(quality_lead)

    html = client.get("/patterns/").content.decode()

    assert "<b>0.04%</b>" in html
    assert "&lt;0.01%" in html
