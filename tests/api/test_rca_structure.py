"""The structured RCA in the API: contributing factors (list, add, delete), the five whys (read, replace) and the
Markdown write-up; who may do what, 404 for a case the user may not see, and what a partner's write-up leaves out."""

import pytest

from cases import services
from cases.choices import CaseStatus
from cases.models import Activity, ContributingFactor
from tests.factories import ActionItemFactory, CaseFactory, CaseSampleFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db


def _url(case, tail: str) -> str:
    return f"/api/v1/cases/{case.pk}/{tail}"


def test_contributing_factors_lead_adds_lists_and_deletes(lead_client, shared_case):
    created = lead_client.post(
        _url(shared_case, "contributing-factors/"),
        {"category": "guideline_ambiguity", "statement": "The slang guideline has no examples."},
        format="json",
    )
    listed = lead_client.get(_url(shared_case, "contributing-factors/"))
    deleted = lead_client.delete(_url(shared_case, f"contributing-factors/{created.json()['id']}/"))

    assert created.status_code == 201
    assert created.json()["category_label"] == "Guideline ambiguity"
    assert [row["statement"] for row in listed.json()] == ["The slang guideline has no examples."]
    assert deleted.status_code == 204 and not ContributingFactor.objects.exists()


def test_contributing_factors_partner_reads_but_may_not_add(shared_partner_client, shared_case, quality_lead):
    services.contributing_factor_create(case=shared_case, actor=quality_lead, category="process", statement="No QA.")

    listed = shared_partner_client.get(_url(shared_case, "contributing-factors/"))
    refused = shared_partner_client.post(
        _url(shared_case, "contributing-factors/"), {"category": "process", "statement": "Mine."}, format="json"
    )

    assert listed.status_code == 200 and len(listed.json()) == 1
    assert refused.status_code == 403 and ContributingFactor.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"category": "nope", "statement": "x"},
        {"category": "process"},
        {"category": "process", "statement": "x", "z": 1},
    ],
)
def test_contributing_factors_bad_input_is_a_400(lead_client, shared_case, body):
    response = lead_client.post(_url(shared_case, "contributing-factors/"), body, format="json")

    assert response.status_code == 400 and not ContributingFactor.objects.exists()


def test_contributing_factor_of_another_case_is_a_404(lead_client, shared_case, quality_lead):
    other = services.contributing_factor_create(
        case=CaseFactory(), actor=quality_lead, category="process", statement="s"
    )

    response = lead_client.delete(_url(shared_case, f"contributing-factors/{other.pk}/"))

    assert response.status_code == 404 and ContributingFactor.objects.filter(pk=other.pk).exists()


def test_five_whys_lead_replaces_and_everyone_who_sees_reads(lead_client, shared_partner_client, shared_case):
    put = lead_client.put(
        _url(shared_case, "five-whys/"), {"answers": ["Slang missed.", "No slang list."]}, format="json"
    )
    read = shared_partner_client.get(_url(shared_case, "five-whys/"))
    refused = shared_partner_client.put(_url(shared_case, "five-whys/"), {"answers": []}, format="json")

    assert put.status_code == 200 and put.json() == {"answers": ["Slang missed.", "No slang list."]}
    assert read.json() == {"answers": ["Slang missed.", "No slang list."]}
    assert refused.status_code == 403
    assert Activity.objects.filter(case=shared_case, verb="five_whys_updated").count() == 1


def test_five_whys_more_than_five_answers_is_a_400(lead_client, shared_case):
    response = lead_client.put(_url(shared_case, "five-whys/"), {"answers": ["why"] * 6}, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize("tail", ["contributing-factors/", "five-whys/", "writeup/"])
def test_structured_rca_of_an_invisible_case_is_a_404(partner_client, outsider_client, tail):
    case = CaseFactory()  # shared with nobody

    assert partner_client.get(_url(case, tail)).status_code == 404
    assert outsider_client.get(_url(case, tail)).status_code == 404


# WRITE-UP
# ------------------------------------------------------------------------------


@pytest.fixture
def reviewed_case(shared_case, quality_lead):
    """The shared case with a human moderator's error on sensitive content, a factor, five whys and an action item."""
    CaseSampleFactory(
        case=shared_case,
        sample=ModerationSampleFactory(
            human=True,
            moderator_id="mod-4242",
            auditor_id="aud-9191",
            decision_label_id="none",
            audit_label_id="self_harm",
            notes="Graphic description of self-harm",
        ),
    )
    shared_case.root_cause_category = "reviewer_training"
    shared_case.root_cause_statement = "Moderators were never trained on coded self-harm terms."
    shared_case.status = CaseStatus.CLOSED
    shared_case.save()
    services.contributing_factor_create(
        case=shared_case, actor=quality_lead, category="tooling_routing", statement="The queue skips specialists."
    )
    services.five_whys_replace(case=shared_case, actor=quality_lead, answers=["Coded terms missed."])
    ActionItemFactory(case=shared_case, title="Train on coded terms")
    return shared_case


def test_writeup_is_markdown_with_every_section(lead_client, reviewed_case):
    response = lead_client.get(_url(reviewed_case, "writeup/"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    for heading in (
        "## Problem and impact",
        "## Timeline highlights",
        "## Root cause and contributing factors",
        "### Five whys",
        "## Action items",
    ):
        assert heading in text
    assert "The queue skips specialists." in text and "Train on coded terms" in text


def test_writeup_fetched_by_a_partner_holds_no_unmasked_moderator_id_nor_hidden_text(
    shared_partner_client, lead_client, reviewed_case
):
    as_partner = shared_partner_client.get(_url(reviewed_case, "writeup/")).content.decode()
    as_lead = lead_client.get(_url(reviewed_case, "writeup/")).content.decode()

    assert "mod-4242" in as_lead and "aud-9191" in as_lead
    assert "mod-4242" not in as_partner and "aud-9191" not in as_partner and "mod-9" not in as_partner
    assert "moderator ••••••" in as_partner
    assert "Graphic description of self-harm" not in as_partner
    assert "sensitive text not shown" in as_partner


def test_writeup_errors_are_json(outsider_client, reviewed_case):
    response = outsider_client.get(_url(reviewed_case, "writeup/"))

    assert response.status_code == 404 and response.json()["code"] == "not_found"
