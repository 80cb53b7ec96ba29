"""A case's measure, fixes and verdict in the API (issue 15): the fix sent with the move to monitoring, closing on
evidence or with an override reason, the fixes under the case, the verdict on demand, and the measure a lead sets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.choices import ActivityVerb, CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.fixes.services import fix_verdict_refresh
from cases.measure.definition import POPULATION_FIELDS
from tests.factories import CaseFactory, ErrorPatternFactory, audits_bulk

pytestmark = pytest.mark.django_db


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _monitoring(case, *, verdict: str = "", days: int = 30, **fix) -> Fix:
    now = timezone.now()
    type(case).objects.filter(pk=case.pk).update(status=CaseStatus.MONITORING, monitoring_at=now - timedelta(days=days))
    case.refresh_from_db()
    return Fix.objects.create(case=case, effective_at=now - timedelta(days=days), verdict=verdict, **fix)


# THE MOVE TO MONITORING AND CLOSING
# ------------------------------------------------------------------------------


def test_transition_to_monitoring_records_the_fix_sent_with_it(lead_client, quality_lead):
    case = CaseFactory(status=CaseStatus.REMEDIATING, owner=quality_lead)
    shipped = timezone.now() - timedelta(days=2)
    fix = {"effective_at": _iso(shipped), "model_version": "live-clf-3.3", "description": "Slang added to training."}

    response = lead_client.post(f"/api/v1/cases/{case.pk}/transition/", {"to": "monitoring", "fix": fix}, format="json")

    assert response.status_code == 200, response.json()
    latest = response.json()["latest_fix"]
    assert (latest["effective_at"], latest["model_version"]) == (fix["effective_at"], "live-clf-3.3")
    assert latest["verdict"] == ""
    assert latest["recorded_by_username"] == quality_lead.username
    assert case.fixes.get().description == "Slang added to training."
    assert case.activities.filter(verb=ActivityVerb.FIX_RECORDED).count() == 1


def test_transition_with_a_fix_in_the_future_is_a_400_under_fix_and_changes_nothing(lead_client, quality_lead):
    case = CaseFactory(status=CaseStatus.REMEDIATING, owner=quality_lead)
    later = _iso(timezone.now() + timedelta(days=1))

    response = lead_client.post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "monitoring", "fix": {"effective_at": later}}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["fix"] and list(response.json()["fix"]) == ["effective_at"]
    case.refresh_from_db()
    assert case.status == CaseStatus.REMEDIATING and not case.fixes.exists()


def test_transition_with_a_fix_to_another_state_is_a_400(lead_client, quality_lead):
    case = CaseFactory(status=CaseStatus.REMEDIATING, owner=quality_lead)

    response = lead_client.post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "closed", "reason": "x", "fix": {}}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"fix": ["A fix is recorded only when moving to `monitoring`."]}


def test_a_refused_close_is_a_409_saying_why_and_an_override_reason_closes(lead_client, quality_lead):
    case = CaseFactory(owner=quality_lead)
    _monitoring(case, verdict=FixVerdict.NOT_HOLDING)
    url = f"/api/v1/cases/{case.pk}/transition/"

    refused = lead_client.post(url, {"to": "closed"}, format="json")
    closed = lead_client.post(url, {"to": "closed", "reason": "Policy retired"}, format="json")

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "The fix verdict is not holding. To close anyway, give an override reason.",
        "code": "guard_failed",
    }
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["closed_by_override"]) == ("closed", True)
    entry = case.activities.filter(verb=ActivityVerb.TRANSITIONED).latest("id")
    assert entry.data["override"] is True


def test_transitions_name_the_inputs_of_monitoring_and_closing(lead_client, quality_lead):
    remediating = CaseFactory(status=CaseStatus.REMEDIATING, owner=quality_lead)

    moves = {move["target"]: move for move in lead_client.get(f"/api/v1/cases/{remediating.pk}/transitions/").json()}

    assert moves["monitoring"]["needs"] == ["fix"]
    assert moves["closed"]["needs"] == ["override_reason"]


# THE FIXES OF A CASE
# ------------------------------------------------------------------------------


def test_fixes_are_listed_latest_first_to_whoever_sees_the_case(shared_partner_client, outsider_client, shared_case):
    older = _monitoring(shared_case, days=20, model_version="live-clf-3.3")
    newer = Fix.objects.create(case=shared_case, effective_at=timezone.now() - timedelta(days=3))

    response = shared_partner_client.get(f"/api/v1/cases/{shared_case.pk}/fixes/")

    assert response.status_code == 200
    assert [fix["id"] for fix in response.json()] == [newer.pk, older.pk]
    assert response.json()[1]["model_version"] == "live-clf-3.3"
    assert response.json()[0]["figures"] is None
    assert outsider_client.get(f"/api/v1/cases/{shared_case.pk}/fixes/").status_code == 404


def test_fixes_post_records_another_fix_while_monitoring(lead_client, shared_case):
    _monitoring(shared_case, days=20)

    response = lead_client.post(
        f"/api/v1/cases/{shared_case.pk}/fixes/", {"guideline_version": "2026.11", "process_change": " "}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["guideline_version"], response.json()["process_change"]) == ("2026.11", "")
    assert shared_case.fixes.count() == 2
    entry = shared_case.activities.get(verb=ActivityVerb.FIX_RECORDED)
    assert entry.data["with_move"] is False and entry.data["changes"] == {"Guideline version": "2026.11"}


@pytest.mark.parametrize("when", [timedelta(days=1), timedelta(days=-400)])
def test_fixes_post_refuses_an_effective_time_in_the_future_or_over_a_year_ago(lead_client, shared_case, when):
    _monitoring(shared_case)

    response = lead_client.post(
        f"/api/v1/cases/{shared_case.pk}/fixes/", {"effective_at": _iso(timezone.now() + when)}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["effective_at"]
    assert shared_case.fixes.count() == 1


def test_fixes_post_is_a_409_outside_monitoring_and_a_403_for_a_partner(
    lead_client, shared_partner_client, shared_case
):
    outside = lead_client.post(f"/api/v1/cases/{shared_case.pk}/fixes/", {}, format="json")
    _monitoring(shared_case)
    partner = shared_partner_client.post(f"/api/v1/cases/{shared_case.pk}/fixes/", {}, format="json")

    assert (outside.status_code, outside.json()["code"]) == (409, "not_monitoring")
    assert partner.status_code == 403
    assert shared_case.fixes.count() == 1


# THE VERDICT ON DEMAND, AND THE CASE'S DETAIL
# ------------------------------------------------------------------------------


def test_verdict_post_computes_the_latest_verdict_now(lead_client, quality_lead):
    now = timezone.now()
    case = CaseFactory(owner=quality_lead, pattern=ErrorPatternFactory())  # none -> bullying_harassment in ID
    audits_bulk(audits=200, errors=40, start=now - timedelta(days=19), end=now - timedelta(days=10), market="ID")
    audits_bulk(audits=200, errors=4, start=now - timedelta(days=10), end=now - timedelta(hours=2), market="ID")
    _monitoring(case, days=10)

    response = lead_client.post(f"/api/v1/cases/{case.pk}/fixes/verdict/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["verdict"] == FixVerdict.HOLDING
    assert (body["figures"]["before"]["errors"], body["figures"]["after"]["errors"]) == (40, 4)
    assert body["figures"]["control"] is None  # no traffic outside the slice
    assert case.fixes.get().verdict == FixVerdict.HOLDING
    assert case.activities.filter(verb=ActivityVerb.FIX_VERDICT).count() == 1


def test_verdict_post_needs_a_fix_and_a_lead(lead_client, shared_partner_client, shared_case):
    no_fix = lead_client.post(f"/api/v1/cases/{shared_case.pk}/fixes/verdict/")
    _monitoring(shared_case)
    partner = shared_partner_client.post(f"/api/v1/cases/{shared_case.pk}/fixes/verdict/")

    assert (no_fix.status_code, no_fix.json()["code"]) == (409, "no_fix")
    assert partner.status_code == 403


def test_case_detail_shows_the_measure_and_the_latest_fix_with_its_verdict(shared_partner_client, shared_case):
    fix = fix_verdict_refresh(_monitoring(shared_case))

    body = shared_partner_client.get(f"/api/v1/cases/{shared_case.pk}/").json()

    # A hand-opened case: the attributes its one sample has (tests/api/conftest.py `shared_case`).
    assert body["measure"]["source"] == "samples"
    assert body["measure"]["population"]["market"] == "ID"
    assert (body["latest_fix"]["id"], body["latest_fix"]["verdict"]) == (fix.pk, FixVerdict.NOT_ENOUGH_AUDITS)
    assert body["latest_fix"]["figures"]["before"]["audits"] == fix.figures["before"]["audits"]
    assert body["latest_fix"]["figures"]["measure"]["source"] == "samples"
    assert body["closed_by_override"] is False


def test_case_detail_queries_do_not_grow_with_the_fixes(lead_client, quality_lead):
    case = CaseFactory(owner=quality_lead, pattern=ErrorPatternFactory(), watchers=[quality_lead])
    _monitoring(case)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert lead_client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
        return len(context.captured_queries)

    queries()  # the first read computes and stores the case's story
    one = queries()
    Fix.objects.bulk_create([Fix(case=case, effective_at=timezone.now() - timedelta(days=n)) for n in range(10)])

    # Token and roles (2), the case with its owner, team and pattern, shared teams, watchers, the latest fix; its
    # stored story and the markers' fixes and moves (3).
    assert (one, queries()) == (9, 9)


# THE MEASURE A LEAD SETS
# ------------------------------------------------------------------------------


def test_patch_measure_sets_it_and_writes_the_timeline(lead_client, shared_case):
    measure = {"population": {"market": ["ID", "TH"], "decision_label": "none"}, "audit_label": "bullying_harassment"}

    response = lead_client.patch(f"/api/v1/cases/{shared_case.pk}/", {"measure": measure}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["measure"] == {
        "population": {"decision_label": "none", "market": ["ID", "TH"]},
        "audit_label": "bullying_harassment",
        "topic_terms": [],
        "source": "case",
    }
    entry = shared_case.activities.get(verb=ActivityVerb.UPDATED)
    assert entry.data["changes"]["measure"]["from"] == {}
    assert entry.data["changes"]["measure"]["to"]["population"]["market"] == ["ID", "TH"]


def test_patch_an_empty_measure_goes_back_to_the_derived_one(lead_client, shared_case):
    shared_case.measure = {"population": {"market": "TH"}, "audit_label": "", "topic_terms": []}
    shared_case.save(update_fields=["measure"])

    response = lead_client.patch(f"/api/v1/cases/{shared_case.pk}/", {"measure": {}}, format="json")

    assert response.status_code == 200
    assert response.json()["measure"]["source"] == "samples"
    shared_case.refresh_from_db()
    assert shared_case.measure == {}


@pytest.mark.parametrize(
    ("measure", "key"),
    [
        ({"population": {"colour": "red"}}, "population"),  # the strict input: an unknown condition
        ({"population": {"market": "  "}}, "population"),  # blank: `measure_from_dict` names the condition
        ({"population": {"market": 3}}, "population"),
        ({"population": {}, "audit_label": " "}, "measure"),  # nothing named
        ({"audit_label": "bulying"}, "audit_label"),  # no such policy label
        ({"population": {"decision_label": ["none", "nope"]}}, "population"),
    ],
)
def test_patch_a_bad_measure_is_a_400_naming_the_key(lead_client, shared_case, measure, key):
    response = lead_client.patch(f"/api/v1/cases/{shared_case.pk}/", {"measure": measure}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["measure"] and list(response.json()["measure"]) == [key]
    shared_case.refresh_from_db()
    assert shared_case.measure == {}


def test_patch_measure_is_for_quality_leads(shared_partner_client, shared_case):
    response = shared_partner_client.patch(
        f"/api/v1/cases/{shared_case.pk}/", {"measure": {"audit_label": "none"}}, format="json"
    )

    assert response.status_code == 403


# THE SCHEMA
# ------------------------------------------------------------------------------


def test_schema_documents_the_fix_endpoints_and_the_measure(client):
    document = client.get("/api/schema/?format=json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    assert set(paths["/api/v1/cases/{id}/fixes/"]["post"]["responses"]) >= {"201", "400", "403", "404", "409"}
    assert set(paths["/api/v1/cases/{id}/fixes/verdict/"]["post"]["responses"]) >= {"200", "403", "404", "409"}
    assert set(schemas["PopulationRequest"]["properties"]) == set(POPULATION_FIELDS)
    assert schemas["PopulationRequest"]["additionalProperties"] is False
    assert {"measure", "latest_fix", "closed_by_override"} <= set(schemas["CaseDetail"]["properties"])
    assert "fix" in schemas["TransitionRequest"]["properties"]
