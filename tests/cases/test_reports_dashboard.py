"""The managers' dashboard page (`/reports/`): charts as inline SVG, tables, filters, CSV links, roles, bounded queries;
and the chart geometry functions behind it."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.choices import CaseStatus
from cases.fixes.models import Fix
from cases.fixes.services import fix_verdict_refresh
from cases.models import ReportSnapshot
from cases.reporting import charts
from tests.cases.test_reports_remediation import decisions
from tests.cases.test_reports_selectors import build_closure_dataset
from tests.factories import CaseFactory, ErrorPatternFactory, TeamFactory, UserFactory

URL = "/reports/"


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.mark.django_db
def test_dashboard_shows_four_charts_and_their_tables_to_a_manager(manager_client):
    build_closure_dataset()

    response = manager_client.get(URL, {"period": "all"})

    assert response.status_code == 200
    html = response.content.decode()
    for chart_id in ("chart-closure-by-month", "chart-ageing", "chart-time-to-close", "chart-remediation"):
        assert f'id="{chart_id}"' in html
    assert html.count("<svg") >= 3  # the remediation chart has no data here and says so
    assert "No fix with audits before and after it." in html
    assert "Closure by team" in html
    assert "Team A" in html
    assert "2026-05" in html


@pytest.mark.django_db
def test_dashboard_csv_links_carry_the_filters(manager_client):
    team = TeamFactory()

    response = manager_client.get(URL, {"period": "90", "team": team.pk, "market": "id", "group_by": "owner"})

    links = response.context["csv"]
    assert links["group"].startswith("/api/v1/reports/closure/?")
    for expected in (f"team={team.pk}", "market=ID", "group_by=owner", "format=csv", "opened_after="):
        assert expected in links["group"]
    assert links["remediation"].startswith("/api/v1/reports/remediation/?")
    assert f'href="{links["group"].replace("&", "&amp;")}"' in response.content.decode()


@pytest.mark.django_db
def test_dashboard_csv_link_downloads_with_the_session(manager_client):
    build_closure_dataset()
    link = manager_client.get(URL, {"period": "all"}).context["csv"]["month"]

    response = manager_client.get(link)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[1].startswith("2026-05,2026-05,6,4,")


@pytest.mark.django_db
def test_dashboard_is_open_to_quality_leads(client, quality_lead):
    client.force_login(quality_lead)

    assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_dashboard_is_forbidden_to_partners_and_users_without_role(client, partner, outsider):
    client.force_login(partner)
    partner_status = client.get(URL).status_code
    client.force_login(outsider)
    outsider_status = client.get(URL).status_code

    assert (partner_status, outsider_status) == (403, 403)


@pytest.mark.django_db
def test_dashboard_sends_anonymous_users_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_dashboard_answers_bad_filters_with_400_and_the_errors(manager_client):
    response = manager_client.get(URL, {"market": "IDN", "group_by": "planet"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "market" in html
    assert "group_by" in html
    assert "chart-closure-by-month" not in html


@pytest.mark.django_db
def test_dashboard_lists_the_fixes_that_did_not_hold(manager_client):
    now = timezone.now()
    fixed = now - timedelta(days=10)
    case = CaseFactory(
        status=CaseStatus.MONITORING,
        opened_at=now - timedelta(days=40),
        monitoring_at=fixed,
        pattern=ErrorPatternFactory(
            definition={"decision_label": "none", "audit_label": "hate_speech", "market": "DE"}
        ),
    )
    Fix.objects.create(case=case, effective_at=fixed)
    for decided in (fixed - timedelta(days=3), fixed + timedelta(days=3)):  # half missed, before and after
        decisions(60, errors=30, market="DE", decided=decided, label="hate_speech")

    response = manager_client.get(URL)

    assert [row["case_id"] for row in response.context["not_holding"]] == [case.pk]
    assert response.context["remediations"][0]["verdict_label"] == "Not holding"
    assert "1 fix did not hold" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_cases(manager_client):
    build_closure_dataset()
    now = timezone.now()

    def case_with_computed_fix(**extra):
        case = CaseFactory(
            status=CaseStatus.MONITORING, pattern=ErrorPatternFactory(definition={"market": "ID"}), **extra
        )
        fix_verdict_refresh(Fix.objects.create(case=case, effective_at=now - timedelta(days=1)), now=now)

    case_with_computed_fix()
    manager_client.get(URL)
    with CaptureQueriesContext(connection) as few:
        manager_client.get(URL, {"period": "all"})
    for index in range(30):
        case_with_computed_fix(owner=UserFactory(), team=TeamFactory(), opened_at=now - timedelta(days=index * 9))
    with CaptureQueriesContext(connection) as many:
        response = manager_client.get(URL, {"period": "all"})

    assert len(response.context["remediations"]) == 31
    assert len(many) == len(few)


# CHART GEOMETRY
# ------------------------------------------------------------------------------


def test_column_chart_scales_rates_to_the_plot_height():
    chart = charts.column_chart([("2026-05", 0.5, ""), ("2026-06", 1.0, ""), ("2026-07", None, "")], height=220)

    heights = [mark.height for mark in chart.marks]
    plot_height = 220 - 12 - 28
    assert heights == [plot_height / 2, plot_height, 0]
    assert chart.marks[1].y == 12
    assert "2026-05 50.0%" in chart.summary


def test_stacked_bar_chart_segments_add_up_to_each_rows_total():
    chart = charts.stacked_bar_chart([("New", (2, 0, 1, 0, 0)), ("Triage", (0, 0, 0, 0, 3))], ["a", "b", "c", "d", "e"])

    new_segments = [mark for mark in chart.marks if mark.title.startswith("New")]
    triage_segments = [mark for mark in chart.marks if mark.title.startswith("Triage")]
    assert [mark.title for mark in new_segments] == ["New, a: 2", "New, c: 1"]
    assert sum(mark.width for mark in new_segments) == pytest.approx(sum(m.width for m in triage_segments), abs=0.2)
    assert [line["label"] for line in chart.lines] == ["3", "3"]


def test_range_chart_draws_median_bars_and_p90_ticks():
    chart = charts.range_chart([("S1", 1.0, 2.0), ("S2", None, None), ("S3", 7.0, 17.0)])

    assert [mark.title for mark in chart.marks] == [
        "S1: median 1 days, p90 2 days",
        "S3: median 7 days, p90 17 days",
    ]
    assert chart.marks[1].width == pytest.approx(chart.marks[0].width * 7, abs=0.2)
    assert len(chart.lines) == 2


def test_before_after_chart_colours_by_fix_verdict_and_skips_rows_without_rates():
    chart = charts.before_after_chart(
        [
            ("RCA-1", 0.5, 0.1, "holding"),
            ("RCA-2", 0.2, 0.3, "not_holding"),
            ("RCA-3", None, 0.1, "not_enough_audits"),
            ("RCA-4", 0.2, 0.1, "not_enough_audits"),
            ("RCA-5", 0.2, 0.1, None),
        ]
    )

    assert [line["colour"] for line in chart.lines] == [charts.BETTER_COLOUR, charts.WORSE_COLOUR] + [
        charts.NEUTRAL_COLOUR
    ] * 2
    assert "RCA-4: 20.0% before, 10.0% after (not enough audits)" in chart.lines[2]["title"]
    assert chart.lines[3]["title"].endswith("(not computed)")
    assert "RCA-3" not in chart.summary
    assert chart.marks[0].x > chart.marks[1].x  # RCA-1: before (50%) is right of after (10%)


def test_charts_without_data_say_so():
    assert charts.column_chart([]).empty
    assert charts.stacked_bar_chart([("New", (0, 0, 0, 0, 0))], ["a", "b", "c", "d", "e"]).empty
    assert charts.range_chart([("S1", None, None)]).empty
    assert charts.before_after_chart([]).empty


@pytest.mark.django_db
def test_dashboard_shows_the_daily_snapshots(manager_client):
    ReportSnapshot.objects.create(date=date(2026, 11, 24), figures={"opened": 12, "open": 5, "closure_rate": 0.25})

    response = manager_client.get(URL)

    assert [snapshot.date for snapshot in response.context["snapshots"]] == [date(2026, 11, 24)]
    assert "2026-11-24" in response.content.decode()
