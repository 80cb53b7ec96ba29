"""`GET /api/v1/quality/agreement/`: kappa and overturn rate against the resolution, on a hand-checked example, for
quality leads and managers only; as CSV, the same rows."""

import csv
import io

import pytest
from django.db import transaction

from rca.verdicts.choices import ReviewKind
from rca.verdicts.services import review_record
from tests.factories import ModerationSampleFactory


def _resolved(*, first: str, final: str, auditor: str = "aud-1", market: str = "ID") -> None:
    sample = ModerationSampleFactory(decision_label_id="none", audit_label_id=first, auditor_id=auditor, market=market)
    with transaction.atomic():
        review_record(sample=sample, kind=ReviewKind.SECOND_REVIEW, label=final, reviewer_auditor_id="aud-lead")


def test_agreement_per_auditor_matches_the_hand_checked_example(lead_client):
    # aud-1's first audits -> final labels: hate/hate, hate/none (overturned), none/none, none/none.
    # p_o = 3/4; auditor: hate 1/2, none 1/2; final: hate 1/4, none 3/4; p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2;
    # kappa = (3/4 - 1/2) / (1 - 1/2) = 0.5; overturn rate 1/4.
    _resolved(first="hate_speech", final="hate_speech")
    _resolved(first="hate_speech", final="none")
    _resolved(first="none", final="none")
    _resolved(first="none", final="none")
    _resolved(first="hate_speech", final="none", auditor="aud-2", market="BR")

    response = lead_client.get("/api/v1/quality/agreement/", {"market": "ID"})

    assert response.status_code == 200
    (row,) = response.json()["rows"]
    assert row["group"] == "aud-1"
    assert (row["reviewed"], row["overturned"], row["agreed"]) == (4, 1, 3)
    assert (row["agreement_rate"], row["kappa"], row["overturn_rate"]) == (0.75, 0.5, 0.25)


def test_agreement_groups_by_market(lead_client):
    _resolved(first="hate_speech", final="none", market="BR")
    _resolved(first="hate_speech", final="hate_speech", market="ID")

    rows = lead_client.get("/api/v1/quality/agreement/", {"group_by": "market"}).json()["rows"]

    assert {row["group"]: row["overturned"] for row in rows} == {"BR": 1, "ID": 0}


def test_agreement_is_refused_to_partners(partner_client, client, partner):
    client.force_login(partner)

    assert partner_client.get("/api/v1/quality/agreement/").status_code == 403
    assert client.get("/quality/agreement/").status_code == 403


# CSV
# ------------------------------------------------------------------------------

URL = "/api/v1/quality/agreement/"


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _cell(value) -> str:
    """A JSON value as its CSV cell."""
    return "" if value is None else str(value)


def _lenient_and_strict() -> None:
    """aud-1 overturned on 1 of 4, aud-2 on 2 of 3; one more market."""
    for first, final in (("hate_speech", "hate_speech"), ("hate_speech", "none"), ("none", "none"), ("none", "none")):
        _resolved(first=first, final=final)
    for first, final in (("hate_speech", "none"), ("none", "hate_speech"), ("none", "none")):
        _resolved(first=first, final=final, auditor="aud-2", market="BR")


@pytest.mark.parametrize("group_by", ["auditor", "market"])
def test_agreement_csv_is_the_overall_row_then_the_json_rows(lead_client, group_by):
    _lenient_and_strict()

    table = lead_client.get(URL, {"group_by": group_by}).json()
    response = lead_client.get(URL, {"group_by": group_by, "format": "csv"})
    by_header = lead_client.get(URL, {"group_by": group_by}, HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="agreement-by-{group_by}.csv"'
    assert by_header.content == response.content
    header = response.content.decode().splitlines()[0].split(",")
    assert header == ["group_by", "scope", *table["overall"]]
    expected = [("overall", table["overall"])] + [("group", row) for row in table["rows"]]
    rows = _csv(response)
    assert len(rows) == len(expected) == 3
    for row, (scope, figures) in zip(rows, expected, strict=True):
        assert (row["group_by"], row["scope"]) == (group_by, scope)
        assert {key: row[key] for key in figures} == {key: _cell(value) for key, value in figures.items()}
    assert rows[1]["group"] == ("aud-1" if group_by == "auditor" else "ID")
    assert (rows[1]["overturned"], rows[1]["kappa"], rows[2]["overturned"]) == ("1", "0.5", "2")


def test_agreement_csv_takes_the_filters(lead_client):
    _lenient_and_strict()

    rows = _csv(lead_client.get(URL, {"market": "ID", "format": "csv"}))

    assert [(row["scope"], row["group"], row["reviewed"]) for row in rows] == [
        ("overall", "all", "4"),
        ("group", "aud-1", "4"),
    ]


def test_agreement_csv_is_refused_to_partners_and_bad_input_in_json(partner_client, anonymous_client, lead_client):
    _lenient_and_strict()

    refused = partner_client.get(URL, {"group_by": "market", "format": "csv"})
    anonymous = anonymous_client.get(URL, {"format": "csv"})
    bad = lead_client.get(URL, {"market": "Indonesia", "format": "csv"})
    unknown = lead_client.get(URL, {"format": "xlsx"})

    assert (refused.status_code, anonymous.status_code, bad.status_code, unknown.status_code) == (403, 401, 400, 400)
    assert all(r["Content-Type"] == "application/json" for r in (refused, anonymous, bad, unknown))
    assert b"aud-" not in refused.content
    assert "market" in bad.json() and "format" in unknown.json()


def test_agreement_csv_costs_the_same_queries_with_few_or_many_auditors(lead_client, django_assert_max_num_queries):
    _resolved(first="none", final="none")
    with django_assert_max_num_queries(20) as few:
        lead_client.get(URL, {"format": "csv"})
    for index in range(6):
        _resolved(first="hate_speech", final="none", auditor=f"aud-{index + 10}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = lead_client.get(URL, {"format": "csv"})

    assert len(_csv(response)) == 8
