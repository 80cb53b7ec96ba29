"""The report endpoints: JSON and CSV rows, 400 for bad parameters, managers and quality leads only, bounded queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.choices import CaseStatus
from cases.fixes.models import Fix
from cases.reporting.remediation import REMEDIATION_COLUMNS
from tests.cases.test_reports_selectors import build_closure_dataset
from tests.factories import CaseFactory, ErrorPatternFactory, TeamFactory, UserFactory

CLOSURE_URL = "/api/v1/reports/closure/"
REMEDIATION_URL = "/api/v1/reports/remediation/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
def test_closure_endpoint_returns_a_row_per_team_for_a_manager(manager):
    build_closure_dataset()

    response = _client(manager).get(CLOSURE_URL, {"group_by": "team"})

    assert response.status_code == 200
    rows = response.json()
    assert [row["group"] for row in rows] == ["Team A", "Team B"]
    assert set(rows[0]) == {
        "group",
        "key",
        "opened",
        "closed",
        "closure_rate",
        "median_days_to_close",
        "p90_days_to_close",
        "sla_breach_rate",
        "reopen_rate",
        "open_overdue",
        "action_items_overdue",
        "closed_on_evidence",
        "closed_by_override",
        "fixes_holding",
        "fixes_not_holding",
        "fixes_not_enough_audits",
    }
    assert (rows[0]["opened"], rows[0]["closed"], rows[0]["median_days_to_close"]) == (7, 4, 7.0)


@pytest.mark.django_db
def test_closure_endpoint_filters_by_opened_dates(manager):
    build_closure_dataset()

    response = _client(manager).get(
        CLOSURE_URL, {"group_by": "month", "opened_after": "2026-06-01", "opened_before": "2026-07-01"}
    )

    assert response.status_code == 200
    assert [(row["group"], row["opened"]) for row in response.json()] == [("2026-06", 3)]


@pytest.mark.django_db
def test_closure_endpoint_as_csv_has_the_same_rows(quality_lead):
    build_closure_dataset()
    client = _client(quality_lead)

    as_json = client.get(CLOSURE_URL, {"group_by": "owner"}).json()
    response = client.get(CLOSURE_URL, {"group_by": "owner", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="closure-report-by-owner.csv"'
    rows = _csv_rows(response)
    assert [row["group"] for row in rows] == [row["group"] for row in as_json]
    assert [float(row["closure_rate"]) for row in rows] == [row["closure_rate"] for row in as_json]
    assert [row["p90_days_to_close"] for row in rows] == [str(row["p90_days_to_close"]) for row in as_json]


@pytest.mark.django_db
def test_closure_endpoint_csv_of_an_empty_report_still_has_its_header(manager):
    response = _client(manager).get(CLOSURE_URL, {"format": "csv", "market": "ZZ"})

    assert response.status_code == 200
    assert response.content.decode().splitlines() == [
        "group,key,opened,closed,closure_rate,median_days_to_close,p90_days_to_close,sla_breach_rate,reopen_rate,"
        "open_overdue,action_items_overdue,closed_on_evidence,closed_by_override,fixes_holding,fixes_not_holding,"
        "fixes_not_enough_audits"
    ]


@pytest.mark.django_db
def test_closure_endpoint_csv_neutralises_spreadsheet_formulas(manager):
    team = TeamFactory(name="=HYPERLINK(1)", slug="evil")
    CaseFactory(team=team)

    response = _client(manager).get(CLOSURE_URL, {"format": "csv", "group_by": "team"})

    assert _csv_rows(response)[0]["group"] == "'=HYPERLINK(1)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "planet"}, "group_by"),
        ({"opened_after": "yesterday"}, "opened_after"),
        ({"market": "IDN"}, "market"),
        ({"team": "abc"}, "team"),
        ({"opened_after": "2026-06-01", "opened_before": "2026-05-01"}, "opened_before"),
    ],
)
def test_closure_endpoint_rejects_bad_parameters_with_400(manager, params, field):
    response = _client(manager).get(CLOSURE_URL, params)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_closure_endpoint_answers_a_bad_csv_request_with_json_errors(manager):
    response = _client(manager).get(CLOSURE_URL, {"group_by": "planet", "format": "csv"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "group_by" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [CLOSURE_URL, REMEDIATION_URL])
def test_report_endpoints_refuse_partners_and_users_without_role(partner, outsider, url):
    assert _client(partner).get(url).status_code == 403
    assert _client(outsider).get(url).status_code == 403
    assert APIClient().get(url).status_code in (401, 403)


@pytest.mark.django_db
def test_closure_endpoint_query_count_does_not_grow_with_cases(manager):
    client = _client(manager)
    build_closure_dataset()
    client.get(CLOSURE_URL)  # the user's roles are cached on first use
    with CaptureQueriesContext(connection) as few:
        assert client.get(CLOSURE_URL, {"group_by": "owner"}).status_code == 200
    now = timezone.now()
    for index in range(40):
        CaseFactory(owner=UserFactory(), team=TeamFactory(), opened_at=now - timedelta(days=index), closed=index % 2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(CLOSURE_URL, {"group_by": "owner"})

    assert len(response.json()) == 42
    assert len(many) == len(few)
    assert len(many) <= 5


@pytest.mark.django_db
def test_remediation_endpoint_returns_the_latest_fix_of_each_case_as_json_and_csv(manager):
    now = timezone.now()
    case = CaseFactory(
        status=CaseStatus.MONITORING,
        monitoring_at=now - timedelta(days=5),
        pattern=ErrorPatternFactory(
            definition={"decision_label": "none", "audit_label": "hate_speech", "market": "ID"}
        ),
    )
    fix = Fix.objects.create(case=case, effective_at=now - timedelta(days=5), guideline_version="g-2026.3")
    client = _client(manager)

    rows = client.get(REMEDIATION_URL).json()
    response = client.get(REMEDIATION_URL, {"format": "csv"})

    assert [(row["case_id"], row["fix_id"], row["verdict"], row["measure_population"]) for row in rows] == [
        (case.pk, fix.pk, "not_enough_audits", {"decision_label": "none", "market": "ID"})
    ]
    csv_rows = _csv_rows(response)
    assert list(csv_rows[0]) == list(REMEDIATION_COLUMNS)
    assert [(row["key"], row["what_changed"], row["measure_population"], row["verdict"]) for row in csv_rows] == [
        (case.key, "guideline_version=g-2026.3", "decision_label=none; market=ID", "not_enough_audits")
    ]


@pytest.mark.django_db
def test_remediation_endpoint_lists_closings_without_a_fix_record_on_request(manager):
    case = CaseFactory(status=CaseStatus.CLOSED, closed_at=timezone.now() - timedelta(days=3))
    client = _client(manager)

    fixes = client.get(REMEDIATION_URL).json()
    closings = client.get(REMEDIATION_URL, {"basis": "closing"}).json()

    assert fixes == []
    assert [(row["case_id"], row["basis"], row["fix_id"]) for row in closings] == [(case.pk, "closing", None)]


@pytest.mark.django_db
def test_remediation_endpoint_refuses_unknown_verdicts_bases_and_limits(manager):
    client = _client(manager)

    assert client.get(REMEDIATION_URL, {"verdict": "not_holding"}).json() == []
    for query in ({"verdict": "lowered"}, {"basis": "slice"}, {"limit": "lots"}):
        response = client.get(REMEDIATION_URL, query)
        assert response.status_code == 400
        assert set(response.json()) == set(query)


@pytest.mark.django_db
def test_report_endpoints_are_documented_with_csv_and_400(manager):
    response = _client(manager).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    closure = paths["/api/v1/reports/closure/"]["get"]
    assert {"application/json", "text/csv"} <= set(closure["responses"]["200"]["content"])
    assert "400" in closure["responses"]
    group_by = next(parameter for parameter in closure["parameters"] if parameter["name"] == "group_by")
    assert sorted(group_by["schema"]["enum"]) == ["month", "owner", "policy", "severity", "team"]
    assert "/api/v1/reports/remediation/" in paths
