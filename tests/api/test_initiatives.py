"""The initiatives API: leads define and change initiatives, managers and leads read them all, partners only those a
case shared with them serves; strict input with field messages; a list costs the same queries with few or many."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.initiatives.models import Initiative
from cases.initiatives.services import initiative_create
from tests.cases.initiative_data import MEASURE, audits, days_ago
from tests.factories import CaseFactory

URL = "/api/v1/initiatives/"


def _body(**overrides) -> dict:
    body = {
        "name": "Cut missed bullying in ID live",
        "measure": MEASURE,
        "target_rate": 0.03,
        "target_date": (timezone.localdate() + timedelta(days=90)).isoformat(),
    }
    return {**body, **overrides}


def _initiative(lead, *, name="Given", cases=()) -> Initiative:
    return initiative_create(
        actor=lead,
        name=name,
        measure=MEASURE,
        target_rate=0.03,
        target_date=timezone.localdate() + timedelta(days=90),
        baseline_rate=0.08,
        baseline_start=days_ago(30),
        baseline_end=days_ago(1),
        cases=cases,
    )


def test_api_lead_defines_an_initiative_with_a_measured_baseline(lead_client, quality_lead):
    audits(days_ago(10), total=50, errors=4)
    case = CaseFactory()

    response = lead_client.post(URL, _body(cases=[case.pk]), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["baseline_rate"] == pytest.approx(0.08)
    assert (data["baseline_audits"], data["baseline_errors"]) == (50, 4)
    assert data["measure"]["population"] == {"decision_label": "none", "market": "ID"}
    assert data["owner"] == quality_lead.pk
    assert data["cases"] == [case.pk]
    # The recent 8% sits just above a plan that began falling yesterday, within the audits' noise.
    assert data["status"] == data["progress"]["status"] == "at_risk"
    assert data["progress"]["rate"] == pytest.approx(0.08)
    assert Initiative.objects.get(pk=data["id"]).created_by == quality_lead


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_body(colour="red"), "colour"),
        (_body(target_rate=2), "target_rate"),
        (_body(target_rate="0.03"), "target_rate"),
        (_body(measure="market=ID"), "measure"),
        (_body(measure={"population": {"market": ""}}), "measure"),
        (_body(measure={"population": {"planet": "Mars"}}), "measure"),
        (_body(measure={"population": {}, "audit_label": ""}), "measure"),
        (_body(target_date="next March"), "target_date"),
        (_body(), "baseline_rate"),  # no audit to measure a baseline from
        (_body(baseline_rate=0.02, baseline_start=days_ago(9).isoformat(), baseline_end=days_ago(2).isoformat()),
         "target_rate"),
        (_body(baseline_days=30, baseline_start=days_ago(9).isoformat()), "baseline_days"),
        (_body(cases=[999999]), "cases"),
    ],
)  # fmt: skip
def test_api_refuses_bad_input_with_a_message_on_the_field(lead_client, body, field):
    response = lead_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Initiative.objects.count() == 0


def test_api_lead_changes_target_and_cases(lead_client, quality_lead):
    initiative = _initiative(quality_lead, cases=[CaseFactory()])
    case = CaseFactory()

    response = lead_client.patch(f"{URL}{initiative.pk}/", {"target_rate": 0.02, "cases": [case.pk]}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["target_rate"] == 0.02
    assert response.json()["cases"] == [case.pk]


def test_api_managers_read_all_but_may_not_write(manager_client, quality_lead):
    initiative = _initiative(quality_lead)

    listed = manager_client.get(URL)
    patched = manager_client.patch(f"{URL}{initiative.pk}/", {"name": "Mine now"}, format="json")
    created = manager_client.post(URL, _body(), format="json")

    assert [row["id"] for row in listed.json()["results"]] == [initiative.pk]
    assert (patched.status_code, created.status_code) == (403, 403)


def test_api_partners_read_only_initiatives_of_cases_shared_with_them(
    shared_partner_client, quality_lead, shared_case, outsider_client
):
    served = _initiative(quality_lead, name="Served", cases=[shared_case, CaseFactory()])
    hidden = _initiative(quality_lead, name="Hidden", cases=[CaseFactory()])

    listed = shared_partner_client.get(URL).json()["results"]

    assert [(row["id"], row["cases"]) for row in listed] == [(served.pk, [shared_case.pk])]
    assert shared_partner_client.get(f"{URL}{hidden.pk}/").status_code == 404
    assert shared_partner_client.patch(f"{URL}{served.pk}/", {"name": "x"}, format="json").status_code == 403
    assert outsider_client.get(URL).json()["results"] == []
    assert outsider_client.get(f"{URL}{served.pk}/").status_code == 404


def test_api_filters_initiatives_by_case(lead_client, quality_lead):
    case = CaseFactory()
    served = _initiative(quality_lead, cases=[case])
    _initiative(quality_lead, name="Other")

    response = lead_client.get(URL, {"case": case.pk})

    assert [row["id"] for row in response.json()["results"]] == [served.pk]


def test_api_list_costs_the_same_queries_with_few_or_many(lead_client, quality_lead, django_assert_max_num_queries):
    _initiative(quality_lead, cases=[CaseFactory()])
    with django_assert_max_num_queries(20) as few:
        lead_client.get(URL)
    for index in range(6):
        _initiative(quality_lead, name=f"More {index}", cases=[CaseFactory(), CaseFactory()])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = lead_client.get(URL)

    assert response.json()["count"] == 7
