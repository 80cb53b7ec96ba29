"""`GET /api/v1/initiatives/?format=csv` (or `Accept: text/csv`): one row per initiative with the JSON's figures, the
measure in words and the keys of the cases the user sees; the list's visibility; JSON errors; a fixed number of
queries whatever the rows."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.initiatives import progress
from cases.initiatives.models import Initiative
from cases.initiatives.progress import attach_progress
from cases.initiatives.services import initiative_create
from tests.cases.initiative_data import MEASURE, audits, days_ago
from tests.factories import CaseFactory

URL = "/api/v1/initiatives/"
COLUMNS = [
    "id", "name", "owner", "measure", "baseline_rate", "baseline_audits", "baseline_errors", "baseline_start",
    "baseline_end", "target_rate", "target_date", "status", "recent_rate", "recent_rate_low", "recent_rate_high",
    "recent_audits", "recent_errors", "planned_rate", "window_start", "window_end", "cases",
]  # fmt: skip


def _rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _initiative(lead, *, name="Given", cases=(), measured=False) -> Initiative:
    baseline = {} if measured else {"baseline_rate": 0.08}
    return initiative_create(
        actor=lead,
        name=name,
        measure=MEASURE,
        target_rate=0.03,
        target_date=timezone.localdate() + timedelta(days=90),
        baseline_start=days_ago(30),
        baseline_end=days_ago(10),  # before the recent audits of the tests (day 3)
        cases=cases,
        **baseline,
    )


def _number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def test_csv_rows_carry_the_json_figures(lead_client, quality_lead):
    audits(days_ago(20), total=50, errors=4)  # the measured baseline: 4 of 50
    audits(days_ago(3), total=40, errors=6)  # the recent rate: 6 of 40, after the baseline
    cases = [CaseFactory(), CaseFactory()]
    _initiative(quality_lead, name="Measured", cases=cases, measured=True)
    _initiative(quality_lead, name="=HYPERLINK(1)")

    as_json = lead_client.get(URL).json()["results"]
    response = lead_client.get(URL, {"format": "csv"})
    by_header = lead_client.get(URL, HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="initiatives.csv"'
    assert by_header.content == response.content
    assert response.content.decode().splitlines()[0].split(",") == COLUMNS
    rows = _rows(response)
    assert [int(row["id"]) for row in rows] == [item["id"] for item in as_json]
    for row, item in zip(rows, as_json, strict=True):
        shown = item["progress"]
        assert row["owner"] == item["owner_username"] == quality_lead.username
        assert row["status"] == item["status"] == shown["status"]
        for column in ("baseline_rate", "target_rate"):
            assert _number(row[column]) == item[column]
        assert (_number(row["baseline_audits"]), _number(row["baseline_errors"])) == (
            item["baseline_audits"],
            item["baseline_errors"],
        )
        assert (row["baseline_start"], row["baseline_end"], row["target_date"]) == (
            item["baseline_start"],
            item["baseline_end"],
            item["target_date"],
        )
        assert _number(row["recent_rate"]) == shown["rate"]
        assert [_number(row["recent_rate_low"]), _number(row["recent_rate_high"])] == shown["interval"]
        assert (int(row["recent_audits"]), int(row["recent_errors"])) == (shown["audits"], shown["errors"])
        assert _number(row["planned_rate"]) == shown["planned_rate"]
        assert (row["window_start"], row["window_end"]) == (shown["window_start"], shown["window_end"])
        assert row["cases"] == "|".join(f"RCA-{pk}" for pk in item["cases"])
        assert row["measure"] == (
            "Decision label: none; Market: ID. Misclassified audits whose audit label is bullying_harassment."
        )
    measured, given = rows if rows[0]["name"] == "Measured" else rows[::-1]
    assert (measured["baseline_audits"], measured["baseline_errors"]) == ("50", "4")
    assert (measured["recent_audits"], measured["recent_errors"], _number(measured["recent_rate"])) == ("40", "6", 0.15)
    assert measured["cases"] == f"RCA-{cases[0].pk}|RCA-{cases[1].pk}"
    assert (given["baseline_audits"], given["cases"]) == ("", "")
    assert given["name"] == "'=HYPERLINK(1)"  # a formula to a spreadsheet: quoted


def test_csv_shows_partners_only_what_the_list_shows(
    shared_partner_client, quality_lead, shared_case, outsider_client, anonymous_client
):
    served = _initiative(quality_lead, name="Served", cases=[shared_case, CaseFactory()])
    _initiative(quality_lead, name="Hidden", cases=[CaseFactory()])

    rows = _rows(shared_partner_client.get(URL, {"format": "csv"}))
    nobody = outsider_client.get(URL, {"format": "csv"})
    refused = anonymous_client.get(URL, {"format": "csv"})

    assert [(row["id"], row["cases"]) for row in rows] == [(str(served.pk), shared_case.key)]
    assert nobody.status_code == 200 and _rows(nobody) == []
    assert nobody.content.decode().splitlines() == [",".join(COLUMNS)]  # the header even with no row
    assert refused.status_code == 401 and refused["Content-Type"] == "application/json"


def test_csv_takes_the_list_filters_and_every_row_on_one_sheet(lead_client, quality_lead):
    case = CaseFactory()
    served = _initiative(quality_lead, cases=[case])
    _initiative(quality_lead, name="Other")
    for index in range(3):
        _initiative(quality_lead, name=f"More {index}")

    filtered = _rows(lead_client.get(URL, {"case": case.pk, "format": "csv"}))
    paged = _rows(lead_client.get(URL, {"page_size": 2, "page": 2, "format": "csv"}))

    assert [row["id"] for row in filtered] == [str(served.pk)]
    assert len(paged) == 5  # every row: pages are JSON's


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"format": "xml"}, 400, "format"),
        ({"format": "csv", "case": "abc"}, 400, "case"),
        ({"format": "csv", "page_size": 0}, 400, "page_size"),
        ({"format": "csv", "page": 0}, 404, "detail"),
    ],
)
def test_csv_refuses_bad_parameters_in_json(lead_client, params, status, field):
    response = lead_client.get(URL, params)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


def test_csv_costs_the_same_queries_with_few_or_many(lead_client, quality_lead, django_assert_max_num_queries):
    _initiative(quality_lead, cases=[CaseFactory()])
    with django_assert_max_num_queries(20) as few:
        lead_client.get(URL, {"format": "csv"})
    for index in range(6):
        _initiative(quality_lead, name=f"More {index}", cases=[CaseFactory(), CaseFactory()])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = lead_client.get(URL, {"format": "csv"})

    assert len(_rows(response)) == 7


def test_statuses_counted_in_chunks_equal_those_counted_at_once(quality_lead, monkeypatch):
    audits(days_ago(3), total=40, errors=6)
    for index in range(5):
        _initiative(quality_lead, name=f"Initiative {index}")
    at_once = [item.progress for item in attach_progress(list(Initiative.objects.all()))]

    monkeypatch.setattr(progress, "TALLY_CHUNK", 2)
    in_chunks = [item.progress for item in attach_progress(list(Initiative.objects.all()))]

    assert in_chunks == at_once and at_once[0].audits == 40


def test_csv_on_a_method_the_list_does_not_take_is_a_405(lead_client):
    response = lead_client.delete(f"{URL}?format=csv")

    assert response.status_code == 405 and response["Content-Type"] == "application/json"
