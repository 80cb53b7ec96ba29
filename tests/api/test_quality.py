"""The quality endpoints: JSON and CSV rows, 400s naming the parameter, and no auditor-level figure for partners."""

import csv
import io

import pytest

from rca.importing import import_records
from tests.rca.test_quality_metrics import KNOWN, audit

METRICS = "/api/v1/quality/metrics/"
CHANGES = "/api/v1/quality/changes/"
WEEKS = {"start": "2026-11-02", "end": "2026-11-15"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def audits():
    import_records([{**record, "auditor_id": "aud-7"} for record in KNOWN])


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_metrics_by_week_and_policy_for_a_manager(manager_client, audits):
    response = manager_client.get(METRICS, {**WEEKS, "group_by": "policy", "period": "week"})

    assert response.status_code == 200
    rows = {(row["period_start"], row["policy"]): row for row in response.json()}
    hate = rows["2026-11-02", "hate_speech"]
    assert (hate["audits"], hate["errors"], hate["error_rate"]) == (6, 3, 0.5)
    assert hate["error_rate_low"] < 0.5 < hate["error_rate_high"]
    assert hate["precision"] == 3 / 4 and hate["recall"] == 3 / 5
    assert rows["2026-11-09", "hate_speech"]["over_enforcement"] == 1


def test_metrics_as_csv_by_format_or_accept_header(lead_client, audits):
    by_format = lead_client.get(METRICS, {**WEEKS, "group_by": "policy,decision_source", "format": "csv"})
    by_header = lead_client.get(METRICS, {**WEEKS, "group_by": "policy,decision_source"}, HTTP_ACCEPT="text/csv")

    assert by_format.status_code == by_header.status_code == 200
    assert by_format["Content-Type"].startswith("text/csv") and by_format.content == by_header.content
    rows = _csv(by_format)
    assert list(rows[0])[:4] == ["period_start", "policy", "decision_source", "audits"]
    assert {(row["policy"], row["decision_source"]) for row in rows} >= {("hate_speech", "human"), ("none", "model")}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"group_by": "market,language"}, "group_by"),  # two rollup dimensions: the schema's pattern refuses it
        ({"group_by": "language", "market": "ID"}, "market"),  # the second rollup dimension, through a filter
        ({"start": "2026-11-10", "end": "2026-11-01"}, "end"),
        ({"period": "year"}, "period"),
        ({"weighted": "maybe"}, "weighted"),
        ({"start": "11/02/2026"}, "start"),
    ],
)
def test_metrics_bad_parameters_are_400s_naming_them(lead_client, query, field):
    response = lead_client.get(METRICS, query)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_changes_split_the_change_of_the_error_rate_per_slice(manager_client):
    import_records(
        [audit(f"a{i}", "human", "none", "hate_speech" if i < 1 else "none", day=3) for i in range(10)]
        + [audit(f"b{i}", "human", "none", "hate_speech" if i < 6 else "none", day=10) for i in range(10)]
    )
    period = {"a_start": "2026-11-02", "a_end": "2026-11-08", "b_start": "2026-11-09", "b_end": "2026-11-15"}

    response = manager_client.get(CHANGES, {**period, "dimension": "decision_source"})
    as_csv = manager_client.get(CHANGES, {**period, "dimension": "decision_source", "format": "csv"})

    assert response.status_code == 200
    body = response.json()
    assert (body["rate_a"], body["rate_b"]) == (0.1, 0.6)
    assert body["mix"] + body["rate"] == pytest.approx(body["change"])
    assert body["slices"][0]["value"] == "human" and body["slices"][0]["rate"] == pytest.approx(0.5)
    assert [row["value"] for row in _csv(as_csv)] == ["human"]


def test_partners_get_no_auditor_level_figure(partner_client, audits):
    allowed = partner_client.get(METRICS, {**WEEKS, "group_by": "policy"})
    refused = [
        partner_client.get(METRICS, {**WEEKS, "group_by": "auditor"}),
        partner_client.get(METRICS, {**WEEKS, "group_by": "policy,auditor"}),
        partner_client.get(METRICS, {**WEEKS, "auditor": "aud-7"}),
        partner_client.get(CHANGES, {"dimension": "auditor"}),
        partner_client.get(CHANGES, {"auditor": "aud-7"}),
    ]

    assert allowed.status_code == 200
    assert "aud-7" not in allowed.content.decode()
    assert [response.status_code for response in refused] == [403] * len(refused)


def test_leads_see_auditor_level_figures_and_outsiders_nothing(lead_client, outsider_client, audits):
    rows = lead_client.get(METRICS, {**WEEKS, "group_by": "auditor"}).json()

    assert [(row["auditor"], row["audits"]) for row in rows] == [("aud-7", len(KNOWN))]
    assert outsider_client.get(METRICS).status_code == 403
