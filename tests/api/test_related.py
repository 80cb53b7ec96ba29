"""Findings, action items, comments and patterns over HTTP."""

import pytest

from cases.choices import ActionItemStatus, ActivityVerb, FindingStatus
from cases.models import ActionItem, Comment, Finding
from tests.factories import (
    ActionItemFactory,
    CaseFactory,
    ErrorPatternFactory,
    FindingFactory,
    ModerationSampleFactory,
)

pytestmark = pytest.mark.django_db


# FINDINGS
# ------------------------------------------------------------------------------


def test_finding_create_adds_a_finding_with_evidence(lead_client, shared_case):
    response = lead_client.post(
        "/api/v1/findings/",
        {"case": shared_case.pk, "statement": "No slang in training data.", "evidence": ["qa-shared-1"]},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["evidence"], body["author_username"]) == ("hypothesis", ["qa-shared-1"], "lead")
    assert shared_case.activities.latest("id").verb == ActivityVerb.FINDING_ADDED


def test_finding_create_with_unknown_evidence_is_400_and_adds_nothing(lead_client, shared_case):
    response = lead_client.post(
        "/api/v1/findings/", {"case": shared_case.pk, "statement": "X", "evidence": ["qa-nope"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"evidence": ["No sample with external id 'qa-nope'."]}
    assert not Finding.objects.exists()


def test_finding_patch_confirms_a_hypothesis(lead_client, shared_case):
    finding = FindingFactory(case=shared_case)

    response = lead_client.patch(f"/api/v1/findings/{finding.pk}/", {"status": "confirmed"}, format="json")

    assert response.status_code == 200
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CONFIRMED


def test_finding_patch_rejects_moving_it_to_another_case(lead_client, shared_case):
    finding = FindingFactory(case=shared_case)

    response = lead_client.patch(f"/api/v1/findings/{finding.pk}/", {"case": CaseFactory().pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {"case": ["Unknown field."]}


# ACTION ITEMS
# ------------------------------------------------------------------------------


def test_action_item_create_hands_an_item_to_a_partner(lead_client, shared_case, shared_partner, policy_team):
    response = lead_client.post(
        "/api/v1/action-items/",
        {
            "case": shared_case.pk,
            "title": "Clarify guideline",
            "kind": "guideline_clarification",
            "owner": shared_partner.pk,
            "team": policy_team.pk,
            "due_at": "2026-12-24T12:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["owner_username"], body["team_name"], body["status"]) == ("policy_partner", "Policy", "open")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "kind": "magic"}, "kind"),
        ({"title": "X", "kind": "training", "due_at": "next week"}, "due_at"),
        ({"title": "X", "kind": "training", "owner": 987654}, "owner"),
        ({"kind": "training"}, "title"),
    ],
)
def test_action_item_create_answers_bad_input_with_field_errors(lead_client, shared_case, body, field):
    response = lead_client.post("/api/v1/action-items/", {"case": shared_case.pk, **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ActionItem.objects.exists()


def test_action_item_patch_lets_its_partner_move_it_to_done(shared_partner_client, shared_case, shared_partner):
    item = ActionItemFactory(case=shared_case, owner=shared_partner)

    response = shared_partner_client.patch(
        f"/api/v1/action-items/{item.pk}/", {"status": "done", "description": "Shipped."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == ActionItemStatus.DONE
    assert response.json()["completed_at"] is not None


def test_action_item_patch_refuses_an_unknown_status(shared_partner_client, shared_case, shared_partner):
    item = ActionItemFactory(case=shared_case, owner=shared_partner)

    response = shared_partner_client.patch(f"/api/v1/action-items/{item.pk}/", {"status": "finished"}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()


# COMMENTS
# ------------------------------------------------------------------------------


def test_comment_create_renders_sanitised_markdown_and_lists_mentions(shared_partner_client, shared_case, quality_lead):
    response = shared_partner_client.post(
        "/api/v1/comments/",
        {"case": shared_case.pk, "body": "**Agreed**, @lead. <script>alert(1)</script>"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert "<strong>Agreed</strong>" in body["body_html"]
    assert "<script>" not in body["body_html"]
    assert body["mentions"] == ["lead"]
    assert body["author_username"] == "policy_partner"


def test_comment_create_on_a_finding_of_another_case_is_400(lead_client, shared_case):
    finding = FindingFactory(case=CaseFactory())

    response = lead_client.post(
        "/api/v1/comments/", {"case": shared_case.pk, "finding": finding.pk, "body": "Hm."}, format="json"
    )

    assert response.status_code == 400
    assert "finding" in response.json()
    assert not Comment.objects.exists()


def test_comment_create_refuses_an_empty_body(lead_client, shared_case):
    response = lead_client.post("/api/v1/comments/", {"case": shared_case.pk, "body": "   "}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()


def test_comments_cannot_be_edited_or_deleted(lead_client, shared_case):
    comment = lead_client.post("/api/v1/comments/", {"case": shared_case.pk, "body": "Hi"}, format="json").json()

    assert lead_client.patch(f"/api/v1/comments/{comment['id']}/", {"body": "x"}, format="json").status_code == 405
    assert lead_client.delete(f"/api/v1/comments/{comment['id']}/").status_code == 405


# PATTERNS
# ------------------------------------------------------------------------------


def test_pattern_detail_has_its_slice_statistics_and_case(lead_client):
    pattern = ErrorPatternFactory()
    case = CaseFactory(pattern=pattern)

    body = lead_client.get(f"/api/v1/patterns/{pattern.pk}/").json()

    assert body["fingerprint"] == pattern.fingerprint
    assert body["definition"] == {"decision_label": "none", "audit_label": "bullying_harassment", "market": "ID"}
    assert body["top_terms"] == ["slang", "insult", "battle"]
    assert (body["support"], body["error_rate"], body["baseline_rate"]) == (400, 0.3, 0.05)
    assert body["first_seen"] and body["last_seen"]
    assert body["case"] == case.pk


def test_pattern_without_a_case_says_null(lead_client):
    pattern = ErrorPatternFactory()

    assert lead_client.get(f"/api/v1/patterns/{pattern.pk}/").json()["case"] is None


def test_sample_list_filters_by_pattern(lead_client):
    from rca.models import PatternSample

    pattern = ErrorPatternFactory()
    inside = ModerationSampleFactory(external_id="qa-in")
    ModerationSampleFactory(external_id="qa-out")
    PatternSample.objects.create(pattern=pattern, sample=inside)

    body = lead_client.get(f"/api/v1/samples/?pattern={pattern.pk}").json()

    assert [row["external_id"] for row in body["results"]] == ["qa-in"]
