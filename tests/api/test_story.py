"""The case and pattern endpoints expose the story the pages show (`StoryView.as_dict()`): the header's figures, the
trend's daily series and markers, why it is not noise, what else is unusual; the lists leave it out."""

from datetime import timedelta

import pytest
import requests
import schemathesis
from django.utils import timezone
from schemathesis.core.transport import Response

from tests.factories import CaseFactory, CaseSampleFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db


def _detected_case():
    now = timezone.now()
    case = CaseFactory(detected=True, opened_at=now - timedelta(days=3), pattern__first_seen=now - timedelta(days=5))
    for day in range(1, 5):
        decided = now - timedelta(days=day)
        for sample in ModerationSampleFactory.create_batch(
            3, decided_at=decided, audited_at=decided + timedelta(hours=1), auditor_id="aud-secret"
        ):
            CaseSampleFactory(case=case, sample=sample)
    ModerationSampleFactory.create_batch(10, market="BR", language="pt-BR", audit_label_id="none")
    return case


def test_case_detail_exposes_the_story_figures_and_the_chart_series(lead_client):
    case = _detected_case()

    story = lead_client.get(f"/api/v1/cases/{case.pk}/").json()["story"]

    header = story["figures"]["header"]
    assert header["slice"] == {"audits": 12, "errors": 12, "rate": 1.0}
    assert header["complement"] == {"audits": 10, "errors": 0, "rate": 0.0}
    assert header["ratio"] is None and header["ratio_over_cap"] is True
    series = story["figures"]["trend"]["series"]
    assert sum(point["errors"] for point in series) == 12 and all(
        set(point) == {"day", "audits", "errors"} for point in series
    )
    assert [marker["kind"] for marker in story["markers"]] == ["opened"]
    assert [fact["key"] for fact in story["facts"]] == ["errors", "rate", "any_rate", "seen", "involved"]
    assert story["texts"]["ratio"] == "over 100\u00d7" and story["noise_sentence"]


def test_pattern_detail_exposes_its_story_and_the_lists_leave_it_out(lead_client):
    case = _detected_case()

    detail = lead_client.get(f"/api/v1/patterns/{case.pattern_id}/").json()
    patterns = lead_client.get("/api/v1/patterns/").json()["results"]
    cases = lead_client.get("/api/v1/cases/").json()["results"]

    assert detail["story"]["figures"]["header"]["slice"]["errors"] == 12
    assert [marker["kind"] for marker in detail["story"]["markers"]] == ["opened"]
    assert "story" not in patterns[0] and "story" not in cases[0]


def test_story_of_a_case_without_a_measure_says_so(lead_client):
    case = CaseFactory()

    story = lead_client.get(f"/api/v1/cases/{case.pk}/").json()["story"]

    assert story["figures"]["measure"] is None and story["facts"] == [] and story["window_label"] == ""


def test_case_story_masks_auditors_for_a_partner(shared_partner_client, lead_client, policy_team):
    now = timezone.now()
    case = CaseFactory(shared_teams=[policy_team], measure={"population": {"decision_label": "none", "market": "ID"}})
    for day in range(1, 5):
        decided = now - timedelta(days=day)
        ModerationSampleFactory.create_batch(3, decided_at=decided, audited_at=decided, auditor_id="aud-secret")
    ModerationSampleFactory.create_batch(20, decided_at=now - timedelta(days=1), audit_label_id="none")

    def auditor(client) -> dict:
        unusual = client.get(f"/api/v1/cases/{case.pk}/").json()["story"]["unusual"]
        return next(item for item in unusual if item["dimension"] == "auditor")

    assert auditor(lead_client)["value"] == "aud-secret"
    partner_view = auditor(shared_partner_client)
    assert partner_view["value"] == "\u2022" * 6 and "aud-secret" not in partner_view["text"]


def _as_schemathesis(url: str, response) -> Response:
    request = requests.Request("GET", f"http://testserver{url}").prepare()
    headers = {name: [value] for name, value in response.headers.items()}
    return Response(response.status_code, headers, response.content, request, elapsed=0.0, verify=True)


def test_case_and_pattern_details_with_their_story_conform_to_the_schema(client, lead_client):
    case = _detected_case()
    schema = schemathesis.openapi.from_dict(client.get("/api/schema/?format=json").json())

    for path, url in (
        ("/api/v1/cases/{id}/", f"/api/v1/cases/{case.pk}/"),
        ("/api/v1/patterns/{id}/", f"/api/v1/patterns/{case.pattern_id}/"),
    ):
        response = lead_client.get(url)
        assert response.status_code == 200
        schema[path]["GET"].validate_response(_as_schemathesis(url, response))
