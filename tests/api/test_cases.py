"""The case endpoints as a quality lead uses them: open, edit, assign, share, every workflow move (and its refusals),
link and unlink samples, read the timeline."""

from datetime import timedelta

import pytest

from cases.choices import ActionItemStatus, ActivityVerb, CaseStatus
from cases.models import Case, CaseSample, Team
from cases.workflow import TRANSITIONS
from tests.factories import (
    ActionItemFactory,
    CaseFactory,
    CaseSampleFactory,
    ModerationSampleFactory,
)

pytestmark = pytest.mark.django_db


# OPEN
# ------------------------------------------------------------------------------


def test_case_create_opens_a_case_with_samples_and_owner(lead_client, quality_lead, policy_team):
    ModerationSampleFactory(external_id="qa-a", market="BR")
    ModerationSampleFactory(external_id="qa-b", market="BR")

    response = lead_client.post(
        "/api/v1/cases/",
        {
            "title": "Slang in BR",
            "severity": "S2",
            "owner": quality_lead.pk,
            "shared_teams": [policy_team.pk],
            "external_ids": ["qa-a", "qa-b"],
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["key"] == f"RCA-{body['id']}"
    assert (body["status"], body["severity"], body["owner"], body["sample_count"]) == ("new", "S2", quality_lead.pk, 2)
    assert body["shared_teams"] == [policy_team.pk]
    assert body["market"] == "BR"
    verbs = list(Case.objects.get(pk=body["id"]).activities.values_list("verb", flat=True))
    assert verbs == [ActivityVerb.OPENED, ActivityVerb.ASSIGNED, ActivityVerb.SAMPLES_LINKED]


def test_case_create_lists_unknown_samples_and_opens_nothing(lead_client):
    ModerationSampleFactory(external_id="qa-a")

    response = lead_client.post(
        "/api/v1/cases/", {"title": "X", "external_ids": ["qa-a", "qa-nope", "qa-gone"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "external_ids": ["No sample with external id 'qa-nope'.", "No sample with external id 'qa-gone'."]
    }
    assert not Case.objects.exists()


def test_case_create_refuses_an_owner_who_is_not_a_quality_lead_and_opens_nothing(lead_client, partner):
    response = lead_client.post("/api/v1/cases/", {"title": "X", "owner": partner.pk}, format="json")

    assert response.status_code == 400
    assert "owner" in response.json()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "X", "severity": "S9"}, "severity"),
        ({"title": 12, "owner": "me"}, "owner"),
        ({"title": "X", "shared_teams": "policy"}, "shared_teams"),
        ({"title": "X", "external_ids": "qa-1"}, "external_ids"),
        ({"title": "X", "colour": "red"}, "colour"),
    ],
)
def test_case_create_answers_bad_input_with_field_errors(lead_client, body, field):
    response = lead_client.post("/api/v1/cases/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Case.objects.exists()


@pytest.mark.parametrize("body", ['{"title": ', "[1, 2]", '"just a string"', "null"])
def test_case_create_answers_malformed_json_with_400(lead_client, body):
    response = lead_client.post("/api/v1/cases/", body, content_type="application/json")

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_case_create_refuses_form_encoded_bodies_with_415(lead_client):
    response = lead_client.post("/api/v1/cases/", {"title": "X"}, format="multipart")

    assert response.status_code == 415


# EDIT, ASSIGN, SHARE
# ------------------------------------------------------------------------------


def test_case_patch_edits_assigns_and_shares(lead_client, quality_lead, policy_team):
    case = CaseFactory()

    response = lead_client.patch(
        f"/api/v1/cases/{case.pk}/",
        {
            "title": "Renamed",
            "severity": "S1",
            "root_cause_category": "model_defect",
            "owner": quality_lead.pk,
            "shared_teams": [policy_team.pk],
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["severity"], body["root_cause_category"]) == ("Renamed", "S1", "model_defect")
    assert body["owner"] == quality_lead.pk
    assert body["shared_teams"] == [policy_team.pk]
    case.refresh_from_db()
    assert case.due_at == case.opened_at + timedelta(days=2)
    verbs = set(case.activities.values_list("verb", flat=True))
    assert verbs == {ActivityVerb.UPDATED, ActivityVerb.ASSIGNED, ActivityVerb.SHARED}


def test_case_patch_refuses_status_and_points_at_transition(lead_client):
    case = CaseFactory()

    response = lead_client.patch(f"/api/v1/cases/{case.pk}/", {"status": "closed"}, format="json")

    assert response.status_code == 400
    assert "/transition/" in response.json()["status"][0]
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_case_patch_writes_nothing_when_one_part_fails(lead_client, partner):
    case = CaseFactory(title="Original")

    response = lead_client.patch(f"/api/v1/cases/{case.pk}/", {"title": "Renamed", "owner": partner.pk}, format="json")

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.title == "Original"
    assert not case.activities.exists()


def test_case_patch_answers_404_for_a_missing_case(lead_client):
    response = lead_client.patch("/api/v1/cases/987654/", {"title": "X"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_case_put_is_not_allowed(lead_client):
    case = CaseFactory()

    response = lead_client.put(f"/api/v1/cases/{case.pk}/", {"title": "X"}, format="json")

    assert response.status_code == 405


# WORKFLOW
# ------------------------------------------------------------------------------


def _arrange(source: str, target: str, lead) -> tuple[Case, dict]:
    """A case in `source` with everything the move to `target` needs, and the request body."""
    case = CaseFactory(status=source, owner=lead, root_cause_category="model_defect", root_cause_statement="No data.")
    if source in (CaseStatus.ROOT_CAUSE_IDENTIFIED, CaseStatus.REMEDIATING, CaseStatus.MONITORING):
        ActionItemFactory(case=case, status=ActionItemStatus.DONE)
    body = {"to": target}
    if target == CaseStatus.DUPLICATE:
        body["duplicate_of"] = CaseFactory().pk
    if target in (CaseStatus.WONT_FIX, CaseStatus.INVESTIGATING, CaseStatus.REMEDIATING, CaseStatus.CLOSED):
        body["reason"] = "Because."  # closing: the override reason (no fix verdict here)
    return case, body


MOVES = [
    pytest.param(source, transition.target, id=f"{source}->{transition.target}")
    for transition in TRANSITIONS
    for source in sorted(transition.sources)
]


@pytest.mark.parametrize(("source", "target"), MOVES)
def test_case_transition_makes_every_move_of_the_table(lead_client, quality_lead, source, target):
    case, body = _arrange(source, target, quality_lead)

    response = lead_client.post(f"/api/v1/cases/{case.pk}/transition/", body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == target
    entry = case.activities.filter(verb__in=(ActivityVerb.TRANSITIONED, ActivityVerb.REOPENED)).latest("id")
    assert (entry.data["source"], entry.data["target"]) == (source, target)


@pytest.mark.parametrize(
    ("source", "target", "arrange", "detail"),
    [
        ("new", "investigating", {"owner": None}, "Assign an owner before investigating the case."),
        ("investigating", "root_cause_identified", {}, "Fill in the root-cause category and statement first."),
        ("root_cause_identified", "remediating", {}, "Add at least one action item before remediating."),
        ("remediating", "closed", {"open_item": True}, "1 action item(s) are still open"),
        ("new", "wont_fix", {}, "Give a reason."),
        ("new", "duplicate", {}, "Name the case this one duplicates."),
        ("new", "closed", {}, "A case cannot move from New to Closed."),
    ],
)
def test_case_transition_answers_409_with_the_guards_reason(lead_client, source, target, arrange, detail):
    case = CaseFactory(status=source, owner=arrange.get("owner"))
    if arrange.get("open_item"):
        ActionItemFactory(case=case)

    response = lead_client.post(f"/api/v1/cases/{case.pk}/transition/", {"to": target}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] in ("guard_failed", "not_allowed")
    assert response.json()["detail"].startswith(detail)
    case.refresh_from_db()
    assert case.status == source
    assert not case.activities.exists()


def test_case_transition_to_an_unknown_state_is_400(lead_client):
    case = CaseFactory()

    response = lead_client.post(f"/api/v1/cases/{case.pk}/transition/", {"to": "done"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"to": ['"done" is not a valid choice.']}


def test_case_transition_duplicate_of_an_invisible_case_is_400(make_client, policy_team, quality_lead):
    case = CaseFactory()

    response = make_client(quality_lead).post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "duplicate", "duplicate_of": 987654}, format="json"
    )

    assert response.status_code == 400
    assert "duplicate_of" in response.json()


def test_case_transition_duplicate_moves_samples_to_the_survivor(lead_client):
    case, survivor = CaseFactory(), CaseFactory()
    CaseSampleFactory(case=case)

    response = lead_client.post(
        f"/api/v1/cases/{case.pk}/transition/", {"to": "duplicate", "duplicate_of": survivor.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["duplicate_of"] == survivor.pk
    survivor.refresh_from_db()
    assert survivor.sample_count == 1


def test_case_transitions_lists_the_moves_with_their_guards(lead_client):
    case = CaseFactory()

    response = lead_client.get(f"/api/v1/cases/{case.pk}/transitions/")

    assert response.status_code == 200
    moves = {move["target"]: move for move in response.json()}
    assert set(moves) == {"triage", "investigating", "duplicate", "wont_fix"}
    assert moves["investigating"]["allowed"] is False
    assert moves["investigating"]["reason"] == "Assign an owner before investigating the case."
    assert moves["wont_fix"]["needs"] == ["reason"]


def test_case_transitions_is_empty_for_a_partner(shared_partner_client, shared_case):
    response = shared_partner_client.get(f"/api/v1/cases/{shared_case.pk}/transitions/")

    assert response.status_code == 200
    assert response.json() == []


# SAMPLES AND TIMELINE
# ------------------------------------------------------------------------------


def test_case_samples_post_links_and_skips_already_linked(lead_client, shared_case):
    ModerationSampleFactory(external_id="qa-new")

    response = lead_client.post(
        f"/api/v1/cases/{shared_case.pk}/samples/", {"external_ids": ["qa-new", "qa-shared-1"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"linked": 1, "sample_count": 2}


def test_case_samples_post_lists_unknown_ids_and_links_nothing(lead_client, shared_case):
    ModerationSampleFactory(external_id="qa-new")

    response = lead_client.post(
        f"/api/v1/cases/{shared_case.pk}/samples/", {"external_ids": ["qa-new", "qa-missing"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"external_ids": ["No sample with external id 'qa-missing'."]}
    assert CaseSample.objects.filter(case=shared_case).count() == 1


@pytest.mark.parametrize("body", [{}, {"external_ids": []}, {"external_ids": "qa-1"}, {"external_ids": [None]}])
def test_case_samples_post_answers_bad_bodies_with_400(lead_client, shared_case, body):
    response = lead_client.post(f"/api/v1/cases/{shared_case.pk}/samples/", body, format="json")

    assert response.status_code == 400
    assert "external_ids" in response.json()


def test_case_samples_delete_unlinks(lead_client, shared_case):
    response = lead_client.delete(
        f"/api/v1/cases/{shared_case.pk}/samples/", {"external_ids": ["qa-shared-1"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"unlinked": 1, "sample_count": 0}
    assert shared_case.activities.latest("id").verb == ActivityVerb.SAMPLES_UNLINKED


def test_case_activity_is_the_timeline_oldest_first(lead_client, quality_lead):
    case = CaseFactory(owner=quality_lead)
    for target in ("triage", "investigating"):
        lead_client.post(f"/api/v1/cases/{case.pk}/transition/", {"to": target}, format="json")

    response = lead_client.get(f"/api/v1/cases/{case.pk}/activity/")

    assert response.status_code == 200
    entries = response.json()["results"]
    assert [entry["data"]["target"] for entry in entries] == ["triage", "investigating"]
    assert entries[0]["actor_username"] == "lead"
    assert entries[0]["verb_display"] == "changed the status"


def test_case_detail_of_a_case_of_another_team_is_404_for_a_partner(shared_partner_client):
    other = CaseFactory(shared_teams=[Team.objects.get(slug="legal")])

    response = shared_partner_client.get(f"/api/v1/cases/{other.pk}/")

    assert response.status_code == 404
