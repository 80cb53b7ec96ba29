"""The permission matrix: each endpoint x role (anonymous, outsider, partner without and with a team share, manager,
quality lead), what it may see (200 / 404) and do (2xx / 403).

One world: a case shared with the Policy team, with a linked sample, a finding, a comment, an action item owned by the
Policy partner, and a detected pattern with a detection run.
"""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from cases.choices import CaseStatus
from cases.models import ActionItem, Case, Comment, Finding, Team
from config.api.authentication import token_for
from tests.factories import (
    ActionItemFactory,
    CaseFactory,
    CaseSampleFactory,
    CommentFactory,
    DetectionRunFactory,
    ErrorPatternFactory,
    FindingFactory,
    ModerationSampleFactory,
    UserFactory,
)

ROLES = ("anonymous", "outsider", "partner", "shared_partner", "manager", "lead")


@pytest.fixture
def world(db):
    policy = Team.objects.get(slug="policy")
    users = {
        "outsider": UserFactory(username="nobody"),
        "partner": UserFactory(username="partner", role="partner", teams=[Team.objects.get(slug="legal")]),
        "shared_partner": UserFactory(username="policy_partner", role="partner", teams=[policy]),
        "manager": UserFactory(username="boss", role="manager"),
        "lead": UserFactory(username="lead", role="quality_lead"),
    }
    pattern = ErrorPatternFactory(last_run=DetectionRunFactory())
    case = CaseFactory(shared_teams=[policy], pattern=pattern, owner=users["lead"])
    CaseSampleFactory(case=case, sample=ModerationSampleFactory(external_id="qa-linked", moderator_id="mod-1"))
    ModerationSampleFactory(external_id="qa-free")
    Case.objects.filter(pk=case.pk).update(sample_count=1)
    finding = FindingFactory(case=case)
    comment = CommentFactory(case=case)
    item = ActionItemFactory(case=case, owner=users["shared_partner"])
    return {"users": users, "case": case, "finding": finding, "comment": comment, "item": item, "pattern": pattern}


def client_for(world, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        token, _ = token_for(world["users"][role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# READS: 401 anonymous, 404 for what a role may not see
# ------------------------------------------------------------------------------

READS = {
    # name: (url template, expected per role in ROLES order)
    "case": ("/api/v1/cases/{case}/", (401, 404, 404, 200, 200, 200)),
    "case-transitions": ("/api/v1/cases/{case}/transitions/", (401, 404, 404, 200, 200, 200)),
    "case-activity": ("/api/v1/cases/{case}/activity/", (401, 404, 404, 200, 200, 200)),
    "linked-sample": ("/api/v1/samples/qa-linked/", (401, 404, 404, 200, 200, 200)),
    "unlinked-sample": ("/api/v1/samples/qa-free/", (401, 404, 404, 404, 200, 200)),
    "finding": ("/api/v1/findings/{finding}/", (401, 404, 404, 200, 200, 200)),
    "comment": ("/api/v1/comments/{comment}/", (401, 404, 404, 200, 200, 200)),
    "action-item": ("/api/v1/action-items/{item}/", (401, 404, 404, 200, 200, 200)),
    "pattern": ("/api/v1/patterns/{pattern}/", (401, 404, 404, 404, 200, 200)),
    "detection-run": ("/api/v1/detection-runs/{run}/", (401, 404, 404, 404, 200, 200)),
}


@pytest.mark.parametrize(
    ("name", "role", "expected"),
    [
        pytest.param(name, role, expected, id=f"{name}-{role}")
        for name, (_, row) in READS.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_read_endpoint_answers_each_role(world, name, role, expected):
    url = READS[name][0].format(
        case=world["case"].pk,
        finding=world["finding"].pk,
        comment=world["comment"].pk,
        item=world["item"].pk,
        pattern=world["pattern"].pk,
        run=world["pattern"].last_run_id,
    )

    response = client_for(world, role).get(url)

    assert response.status_code == expected, response.content


LISTS = {
    # name: (url, count per role in ROLES order; None = 401)
    "cases": ("/api/v1/cases/", (None, 0, 0, 1, 1, 1)),
    "samples": ("/api/v1/samples/", (None, 0, 0, 1, 2, 2)),
    "findings": ("/api/v1/findings/", (None, 0, 0, 1, 1, 1)),
    "comments": ("/api/v1/comments/", (None, 0, 0, 1, 1, 1)),
    "action-items": ("/api/v1/action-items/", (None, 0, 0, 1, 1, 1)),
    "patterns": ("/api/v1/patterns/", (None, 0, 0, 0, 1, 1)),
    "detection-runs": ("/api/v1/detection-runs/", (None, 0, 0, 0, 1, 1)),
}


@pytest.mark.parametrize(
    ("name", "role", "expected"),
    [
        pytest.param(name, role, expected, id=f"{name}-{role}")
        for name, (_, row) in LISTS.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_list_endpoint_shows_each_role_what_it_may_see(world, name, role, expected):
    response = client_for(world, role).get(LISTS[name][0])

    if expected is None:
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        assert len(response.json()["results"]) == expected


def test_sample_ids_are_masked_for_partners_only(world):
    as_partner = client_for(world, "shared_partner").get("/api/v1/samples/qa-linked/").json()
    as_manager = client_for(world, "manager").get("/api/v1/samples/qa-linked/").json()

    assert as_partner["moderator_id"] == "••••••"
    assert as_partner["auditor_id"] == "••••••"
    assert as_manager["moderator_id"] == "mod-1"
    assert as_manager["auditor_id"] == "aud-17"


# WRITES: 403 for what a role sees but may not change, 404 for what it does not see
# ------------------------------------------------------------------------------


def _write(world, name: str, client: APIClient):
    case, item = world["case"], world["item"]
    calls = {
        "open-case": lambda: client.post("/api/v1/cases/", {"title": "A new case"}, format="json"),
        "edit-case": lambda: client.patch(f"/api/v1/cases/{case.pk}/", {"title": "Renamed"}, format="json"),
        "transition": lambda: client.post(f"/api/v1/cases/{case.pk}/transition/", {"to": "triage"}, format="json"),
        "link-samples": lambda: client.post(
            f"/api/v1/cases/{case.pk}/samples/", {"external_ids": ["qa-free"]}, format="json"
        ),
        "unlink-samples": lambda: client.delete(
            f"/api/v1/cases/{case.pk}/samples/", {"external_ids": ["qa-linked"]}, format="json"
        ),
        "bulk-samples": lambda: client.post("/api/v1/samples/bulk/", [], format="json"),
        "add-finding": lambda: client.post(
            "/api/v1/findings/", {"case": case.pk, "statement": "It is the slang."}, format="json"
        ),
        "edit-finding": lambda: client.patch(
            f"/api/v1/findings/{world['finding'].pk}/", {"status": "confirmed"}, format="json"
        ),
        "add-action-item": lambda: client.post(
            "/api/v1/action-items/", {"case": case.pk, "title": "Retrain", "kind": "model_fix"}, format="json"
        ),
        "update-own-action-item": lambda: client.patch(
            f"/api/v1/action-items/{item.pk}/", {"status": "in_progress"}, format="json"
        ),
        "retitle-action-item": lambda: client.patch(
            f"/api/v1/action-items/{item.pk}/", {"title": "Something else"}, format="json"
        ),
        "comment": lambda: client.post("/api/v1/comments/", {"case": case.pk, "body": "Seen it."}, format="json"),
    }
    return calls[name]()


WRITES = {
    # A case a role does not see is "does not exist" in a body field: 400, as for any unknown id.
    "open-case": (401, 403, 403, 403, 403, 201),
    "edit-case": (401, 404, 404, 403, 403, 200),
    "transition": (401, 404, 404, 403, 403, 200),
    "link-samples": (401, 404, 404, 403, 403, 200),
    "unlink-samples": (401, 404, 404, 403, 403, 200),
    "bulk-samples": (401, 403, 403, 403, 403, 200),
    "add-finding": (401, 400, 400, 403, 403, 201),
    "edit-finding": (401, 404, 404, 403, 403, 200),
    "add-action-item": (401, 400, 400, 403, 403, 201),
    "update-own-action-item": (401, 404, 404, 200, 403, 200),
    "retitle-action-item": (401, 404, 404, 403, 403, 200),
    "comment": (401, 400, 400, 201, 201, 201),
}


@pytest.mark.parametrize(
    ("name", "role", "expected"),
    [
        pytest.param(name, role, expected, id=f"{name}-{role}")
        for name, row in WRITES.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_write_endpoint_answers_each_role(world, name, role, expected):
    before = _snapshot(world)

    response = _write(world, name, client_for(world, role))

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert _snapshot(world) == before, "a refused request changed data"


def _snapshot(world) -> tuple:
    case = Case.objects.get(pk=world["case"].pk)
    item = ActionItem.objects.get(pk=world["item"].pk)
    return (
        Case.objects.count(),
        case.title,
        case.status,
        case.sample_count,
        Finding.objects.count(),
        Finding.objects.get(pk=world["finding"].pk).status,
        ActionItem.objects.count(),
        item.status,
        item.title,
        Comment.objects.count(),
        case.activities.count(),
        User.objects.count(),
    )


def test_partner_may_not_update_an_action_item_of_someone_else(world):
    other = ActionItemFactory(case=world["case"], owner=world["users"]["lead"])

    response = client_for(world, "shared_partner").patch(
        f"/api/v1/action-items/{other.pk}/", {"status": "done"}, format="json"
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.status == "open"


def test_partner_who_owns_an_action_item_sees_its_case_without_a_share(world):
    outsider_case = CaseFactory(status=CaseStatus.REMEDIATING)
    ActionItemFactory(case=outsider_case, owner=world["users"]["partner"])

    response = client_for(world, "partner").get(f"/api/v1/cases/{outsider_case.pk}/")

    assert response.status_code == 200
