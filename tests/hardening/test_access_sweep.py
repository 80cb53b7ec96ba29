"""The access-control sweep: every URL pattern of the URLconf and every operation of the OpenAPI schema, requested as
each role (anonymous, no role, partner of another team, partner of the case's team, manager, quality lead), against
the rules of `cases/permissions.py` written out below as one expectation table per surface.

The tables are complete by construction: a URL pattern or an API operation that has no row fails
`test_sweep_every_*_has_a_rule`, so a new page or endpoint cannot ship without someone deciding who may use it.

Page outcomes: `LOGIN` (redirect to the login page), a status code, `DONE` (a redirect or 200 after which the database
changed) and `REFUSED` (a redirect with an error message, and the database unchanged: pages report a refused action
that way). API outcomes: the status code, and for lists the number of rows the role sees.
"""

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from cases.models import Case
from config.api.authentication import token_for
from config.api.errors import api_not_found
from tests.factories import CaseFactory, CaseSampleFactory
from tests.hardening.world import PASSWORD, ROLES, World, build_world, state

LOGIN = "login"
DONE = "done"
REFUSED = "refused"
ADMIN_PREFIX = "admin/"
API_PREFIX = "api/v1/"


# THE URLCONF
# ------------------------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found.extend(_walk(entry, prefix + str(entry.pattern)))
        else:
            found.append((prefix + str(entry.pattern), entry))
    return found


def url_routes() -> list[str]:
    return [route for route, _pattern in _walk(get_resolver())]


def api_operations() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = ("get", "post", "put", "patch", "delete")
    return [f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops if method in methods]


# PAGES: route -> (method, path, body, expected outcome per role in ROLES order)
# ------------------------------------------------------------------------------

Builder = Callable[[World], str]
Body = Callable[[World], dict]


def _case(suffix: str = "") -> Builder:
    return lambda w: f"/cases/{w.case.pk}/{suffix}"


NO_BODY: Body = lambda w: {}  # noqa: E731


def _initiative(suffix: str = "") -> Builder:
    return lambda w: f"/initiatives/{w.initiative.pk}/{suffix}"


def _initiative_body(world: World) -> dict:
    """The initiative form with a given baseline (no audits needed) and a new name."""
    start, end = world.initiative.baseline_start, world.initiative.baseline_end
    return {
        "name": "Swept initiative", "target_percent": "3", "target_date": world.initiative.target_date.isoformat(),
        "market": "ID", "decision_label": "none", "audit_label": "bullying_harassment", "baseline_percent": "8",
        "baseline_start": start.isoformat(), "baseline_end": end.isoformat(),
    }  # fmt: skip


ALL_READ = (LOGIN, 200, 200, 200, 200, 200)
CASE_READ = (LOGIN, 404, 404, 200, 200, 200)
LEADS_AND_MANAGERS = (LOGIN, 403, 403, 403, 200, 200)
LEAD_WRITE = (LOGIN, 404, 404, REFUSED, REFUSED, DONE)

PAGES: dict[str, tuple[str, Builder, Body, tuple]] = {
    "healthz": ("GET", lambda w: "/healthz", NO_BODY, (200,) * 6),
    "accounts/login/": ("GET", lambda w: "/accounts/login/", NO_BODY, (200,) * 6),
    "accounts/logout/": ("POST", lambda w: "/accounts/logout/", NO_BODY, (LOGIN,) * 6),
    # The schema and its docs are public: they describe the API, and every operation in them needs a user.
    "api/schema/": ("GET", lambda w: "/api/schema/", NO_BODY, (200,) * 6),
    "api/docs/": ("GET", lambda w: "/api/docs/", NO_BODY, (200,) * 6),
    "api/redoc/": ("GET", lambda w: "/api/redoc/", NO_BODY, (200,) * 6),
    "api/v1/^[\\s\\S]*$": ("GET", lambda w: "/api/v1/no-such-endpoint/", NO_BODY, (404,) * 6),
    "reports/": ("GET", lambda w: "/reports/", NO_BODY, LEADS_AND_MANAGERS),
    "quality/": ("GET", lambda w: "/quality/", NO_BODY, LEADS_AND_MANAGERS),
    # A case for a slice of the change explainer: quality leads open it.
    "quality/open-case/": (
        "POST",
        lambda w: "/quality/open-case/",
        lambda w: {"dimension": "market", "value": "ID", "title": "Swept slice"},
        (LOGIN, 403, 403, 403, 403, DONE),
    ),
    "notifications/": ("GET", lambda w: "/notifications/", NO_BODY, ALL_READ),
    # The lead's notification: nobody else may open it or mark it read (404, not theirs).
    "notifications/<int:pk>/open/": (
        "GET",
        lambda w: f"/notifications/{w.notification.pk}/open/",
        NO_BODY,
        (LOGIN, 404, 404, 404, 404, 302),
    ),
    "notifications/<int:pk>/read/": (
        "POST",
        lambda w: f"/notifications/{w.notification.pk}/read/",
        NO_BODY,
        (LOGIN, 404, 404, 404, 404, DONE),
    ),
    "notifications/read-all/": (
        "POST",
        lambda w: "/notifications/read-all/",
        NO_BODY,
        (LOGIN, 302, 302, 302, 302, DONE),
    ),
    "samples/": ("GET", lambda w: "/samples/", NO_BODY, ALL_READ),
    "samples/<int:sample_id>/reveal/": ("POST", lambda w: f"/samples/{w.sample.pk}/reveal/", NO_BODY, CASE_READ),
    "patterns/": ("GET", lambda w: "/patterns/", NO_BODY, LEADS_AND_MANAGERS),
    "patterns/<int:pattern_id>/": ("GET", lambda w: f"/patterns/{w.pattern.pk}/", NO_BODY, LEADS_AND_MANAGERS),
    "": ("GET", lambda w: "/", NO_BODY, ALL_READ),
    "cases/": ("GET", lambda w: "/cases/", NO_BODY, ALL_READ),
    "cases/open/": (
        "POST",
        lambda w: "/cases/open/",
        lambda w: {
            "scope": "selected",
            "sample": [w.free_sample.pk],
            "action": "open",
            "title": "Swept",
            "severity": "S3",
        },
        (LOGIN, 403, 403, 403, 403, DONE),
    ),
    # The room's forms post to the room itself: see ROOM_FORMS below.
    "cases/<int:case_id>/": ("GET", _case(), NO_BODY, CASE_READ),
    # Whoever sees a case may watch it.
    "cases/<int:case_id>/watch/": (
        "POST",
        _case("watch/"),
        lambda w: {"watching": "1"},
        (LOGIN, 404, 404, DONE, DONE, DONE),
    ),
    "cases/<int:case_id>/samples/unlink/": (
        "POST",
        _case("samples/unlink/"),
        lambda w: {"sample": [w.sample.pk]},
        LEAD_WRITE,
    ),
    # Whoever sees a case may reveal the sensitive text of its samples (each reveal recorded; this one is not hidden).
    "cases/<int:case_id>/samples/reveal/": (
        "POST",
        _case("samples/reveal/"),
        lambda w: {"sample": [w.sample.pk]},
        CASE_READ,
    ),
    "cases/<int:case_id>/findings/<int:finding_id>/status/": (
        "POST",
        lambda w: f"/cases/{w.case.pk}/findings/{w.finding.pk}/status/",
        lambda w: {"status": "confirmed"},
        LEAD_WRITE,
    ),
    "settings/": ("GET", lambda w: "/settings/", NO_BODY, ALL_READ),
    "cases/<int:case_id>/contributing-factors/": (
        "POST",
        _case("contributing-factors/"),
        lambda w: {"category": "process", "statement": "Swept factor"},
        LEAD_WRITE,
    ),
    "cases/<int:case_id>/contributing-factors/<int:factor_id>/delete/": (
        "POST",
        lambda w: f"/cases/{w.case.pk}/contributing-factors/{w.factor.pk}/delete/",
        NO_BODY,
        LEAD_WRITE,
    ),
    "cases/<int:case_id>/five-whys/": ("POST", _case("five-whys/"), lambda w: {"why_1": "Swept why"}, LEAD_WRITE),
    "cases/<int:case_id>/writeup/": ("GET", _case("writeup/"), NO_BODY, CASE_READ),
    # Audit quality: leads and partners (on what they see) dispute; leads (and mapped auditors) review the dispute,
    # here on the unlinked sample, which partners do not see; managers read.
    "samples/<int:sample_id>/verdict/": ("GET", lambda w: f"/samples/{w.sample.pk}/verdict/", NO_BODY, CASE_READ),
    "samples/<int:sample_id>/disputes/": (
        "POST",
        lambda w: f"/samples/{w.sample.pk}/disputes/",
        lambda w: {"reason": "Swept dispute"},
        (LOGIN, 404, 404, DONE, REFUSED, DONE),
    ),
    "disputes/": ("GET", lambda w: "/disputes/", NO_BODY, LEADS_AND_MANAGERS),
    "disputes/<int:dispute_id>/review/": (
        "POST",
        lambda w: f"/disputes/{w.dispute.pk}/review/",
        lambda w: {"label": "none"},
        (LOGIN, 404, 404, 404, REFUSED, DONE),
    ),
    "quality/agreement/": ("GET", lambda w: "/quality/agreement/", NO_BODY, LEADS_AND_MANAGERS),
    # Initiatives: leads and managers see them all, partners those a case they see serves; leads define and edit.
    "initiatives/": ("GET", lambda w: "/initiatives/", NO_BODY, ALL_READ),
    "initiatives/new/": ("POST", lambda w: "/initiatives/new/", _initiative_body, (LOGIN, 403, 403, 403, 403, DONE)),
    "initiatives/<int:initiative_id>/": ("GET", _initiative(), NO_BODY, CASE_READ),
    "initiatives/<int:initiative_id>/edit/": (
        "POST",
        _initiative("edit/"),
        _initiative_body,
        (LOGIN, 404, 404, 403, 403, DONE),
    ),
    "initiatives/<int:initiative_id>/weekly.csv": ("GET", _initiative("weekly.csv"), NO_BODY, CASE_READ),
}


# The forms of the case room, all posted to `/cases/<id>/` with `action` naming the form: action -> (body, outcome
# per role in ROLES order).
ROOM_FORMS: dict[str, tuple[Body, tuple]] = {
    "transition": (lambda w: {"to": "triage"}, LEAD_WRITE),
    "edit": (lambda w: {"title": "Renamed", "severity": "S2"}, LEAD_WRITE),
    "assign": (lambda w: {"owner": ""}, LEAD_WRITE),
    "share": (lambda w: {"teams": [w.legal.pk]}, LEAD_WRITE),
    "finding": (lambda w: {"statement": "Swept finding", "status": "hypothesis"}, LEAD_WRITE),
    "action_item": (lambda w: {"title": "Swept item", "kind": "model_fix", "team": w.policy.pk}, LEAD_WRITE),
    # The partner owns the item: it may change its status; the manager may not.
    "item": (lambda w: {"item": w.item.pk, "status": "in_progress"}, (LOGIN, 404, 404, DONE, REFUSED, DONE)),
    # Whoever sees a case may comment on it.
    "comment": (lambda w: {"body": "Swept"}, (LOGIN, 404, 404, DONE, DONE, DONE)),
    "measure": (lambda w: {"cond_0": "market", "value_0": "BR"}, LEAD_WRITE),
    # The world's case has a fix: recomputing its verdict writes a `fix_verdict` entry.
    "fix_refresh": (lambda w: {}, LEAD_WRITE),
}


def is_router_route(route: str, pattern: URLPattern) -> bool:
    """Routes that the OpenAPI sweep below covers (the API's routers), rather than this table: all under /api/v1/
    but the catch-all that answers unknown API paths."""
    return route.startswith(API_PREFIX) and pattern.callback is not api_not_found


def _page_client(world: World, role: str) -> Client:
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _check_page(response, expected, before, after, path) -> None:
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302 and location.startswith(reverse("login")), (path, response.status_code)
    elif expected == DONE:
        assert response.status_code in (200, 302) and not location.startswith(reverse("login")), response.status_code
        assert after != before, f"{path}: answered {response.status_code} but nothing was written"
    elif expected == REFUSED:
        assert response.status_code == 302 and not location.startswith(reverse("login")), response.status_code
        assert after == before, f"{path}: a refused action changed the database"
    else:
        assert response.status_code == expected, (path, response.status_code, response.content[:200])
        if expected >= 400:
            assert after == before, f"{path}: answered {expected} yet changed the database"


def test_sweep_every_page_route_has_a_rule():
    routes = {
        route
        for route, pattern in _walk(get_resolver())
        if not route.startswith(ADMIN_PREFIX) and not is_router_route(route, pattern)
    }

    assert routes - PAGES.keys() == set(), "URL patterns without an access rule in PAGES"
    assert PAGES.keys() - routes == set(), "rules in PAGES for URL patterns that no longer exist"


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("route", sorted(PAGES))
def test_sweep_page_answers_each_role_by_the_rules(db, route, role_index, role):
    world = build_world()
    method, build_path, body, expected = PAGES[route]
    path = build_path(world)
    client = _page_client(world, role)
    before = state(world)

    response = client.get(path) if method == "GET" else client.post(path, body(world))

    _check_page(response, expected[role_index], before, state(world), path)


def test_sweep_every_case_room_form_has_a_rule():
    from cases.room_views import ROOM_FORMS as VIEW_FORMS

    assert ROOM_FORMS.keys() == VIEW_FORMS.keys()


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("action", sorted(ROOM_FORMS))
def test_sweep_case_room_form_answers_each_role_by_the_rules(db, action, role_index, role):
    world = build_world()
    body, expected = ROOM_FORMS[action]
    path = f"/cases/{world.case.pk}/"
    client = _page_client(world, role)
    before = state(world)

    response = client.post(path, {"action": action, **body(world)})

    _check_page(response, expected[role_index], before, state(world), f"{path} action={action}")


# ADMIN: Django's own views, for staff only; none of the roles above is staff.
# ------------------------------------------------------------------------------

ADMIN_FILLERS = {"app_label": "cases", "object_id": "1", "id": "1", "content_type_id": "1", "url": "nothing-here"}


def _fill(route: str) -> str:
    """A concrete path for a route: path converters and regex groups replaced with `ADMIN_FILLERS` values."""

    def filler(match: re.Match) -> str:
        assert match.group(1) in ADMIN_FILLERS, f"no filler for URL parameter {match.group(1)!r} of {route}"
        return ADMIN_FILLERS[match.group(1)]

    path = re.sub(r"<(?:\w+:)?(\w+)>", filler, route.replace("^", "").replace("$", ""))
    path = re.sub(r"\(\?:\(\?P<(\w+)>[^)]*\)\)\?", filler, path)
    return "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", filler, path)


def _admin_paths() -> list[str]:
    return [_fill(route) for route in url_routes() if route.startswith(ADMIN_PREFIX)]


@pytest.mark.parametrize("role", ROLES)
def test_sweep_admin_is_closed_to_every_non_staff_role(db, role):
    world = build_world()
    client = _page_client(world, role)
    login = reverse("admin:login")
    paths = _admin_paths()

    responses = {path: client.get(path) for path in paths}
    answers = {
        path: (response.status_code, response.headers.get("Location", "")) for path, response in responses.items()
    }

    assert len(paths) > 100
    for path, (code, location) in answers.items():
        if path == login:
            assert code == 200
        else:
            # Every admin view sends a non-staff user to the admin login (logout: to the index, which does too).
            assert code == 302, (path, code)
            assert location.startswith(f"{login}?next=") or (path == "/admin/logout/" and location == "/admin/"), (
                path,
                location,
            )


# API: "METHOD /api/v1/path" -> (body, expected status per role, expected list size per role or None)
# ------------------------------------------------------------------------------

API_READ = (401, 404, 404, 200, 200, 200)
API_LEAD_WRITE = (401, 404, 404, 403, 403, 200)
API_LISTS_CASE_OBJECTS = (None, 0, 0, 1, 1, 1)
API_STAFF_ONLY = (401, 403, 403, 403, 403, 403)

API: dict[str, tuple[Body | None, tuple, tuple | None]] = {
    "GET /api/v1/action-items/": (None, (401,) + (200,) * 5, API_LISTS_CASE_OBJECTS),
    # A case the user may not see is no valid choice: the body is refused as if it did not exist.
    "POST /api/v1/action-items/": (
        lambda w: {"case": w.case.pk, "title": "API item", "kind": "model_fix"},
        (401, 400, 400, 403, 403, 201),
        None,
    ),
    "GET /api/v1/action-items/{id}/": (None, API_READ, None),
    "PATCH /api/v1/action-items/{id}/": (lambda w: {"status": "in_progress"}, (401, 404, 404, 200, 403, 200), None),
    "POST /api/v1/auth/token/": (None, (400, 200, 200, 200, 200, 200), None),
    "GET /api/v1/cases/": (None, (401,) + (200,) * 5, API_LISTS_CASE_OBJECTS),
    "POST /api/v1/cases/": (lambda w: {"title": "API case", "severity": "S3"}, (401, 403, 403, 403, 403, 201), None),
    "GET /api/v1/cases/{id}/": (None, API_READ, None),
    "PATCH /api/v1/cases/{id}/": (lambda w: {"title": "API rename"}, API_LEAD_WRITE, None),
    "GET /api/v1/cases/{id}/activity/": (None, API_READ, None),
    # The case room's calibration panel as data: whoever sees the case.
    "GET /api/v1/cases/{id}/calibration/": (None, API_READ, None),
    "GET /api/v1/cases/{id}/contributing-factors/": (None, API_READ, None),
    "POST /api/v1/cases/{id}/contributing-factors/": (
        lambda w: {"category": "process", "statement": "API factor"},
        (401, 404, 404, 403, 403, 201),
        None,
    ),
    "DELETE /api/v1/cases/{id}/contributing-factors/{factor_id}/": (None, (401, 404, 404, 403, 403, 204), None),
    "GET /api/v1/cases/{id}/fixes/": (None, API_READ, None),
    # The swept case is not in monitoring: a lead's new fix is refused by the state (409), after the role checks.
    "POST /api/v1/cases/{id}/fixes/": (lambda w: {"description": "API fix"}, (401, 404, 404, 403, 403, 409), None),
    "POST /api/v1/cases/{id}/fixes/verdict/": (lambda w: {}, API_LEAD_WRITE, None),
    "GET /api/v1/cases/{id}/five-whys/": (None, API_READ, None),
    "PUT /api/v1/cases/{id}/five-whys/": (lambda w: {"answers": ["API why"]}, API_LEAD_WRITE, None),
    "GET /api/v1/cases/{id}/writeup/": (None, API_READ, None),
    "POST /api/v1/cases/{id}/samples/": (lambda w: {"external_ids": [w.free_sample.external_id]}, API_LEAD_WRITE, None),
    "DELETE /api/v1/cases/{id}/samples/": (lambda w: {"external_ids": [w.sample.external_id]}, API_LEAD_WRITE, None),
    "POST /api/v1/cases/{id}/transition/": (lambda w: {"to": "triage"}, API_LEAD_WRITE, None),
    "GET /api/v1/cases/{id}/transitions/": (None, API_READ, None),
    "GET /api/v1/comments/": (None, (401,) + (200,) * 5, API_LISTS_CASE_OBJECTS),
    "POST /api/v1/comments/": (
        lambda w: {"case": w.case.pk, "body": "API comment"},
        (401, 400, 400, 201, 201, 201),
        None,
    ),
    "GET /api/v1/comments/{id}/": (None, API_READ, None),
    "GET /api/v1/calibration-set/": (None, (401, 403, 200, 200, 200, 200), None),
    "GET /api/v1/disputes/": (None, (401,) + (200,) * 5, (None, 0, 0, 0, 1, 1)),
    "GET /api/v1/disputes/{id}/": (None, (401, 404, 404, 404, 200, 200), None),
    "POST /api/v1/disputes/{id}/review/": (lambda w: {"label": "none"}, (401, 404, 404, 404, 403, 200), None),
    "GET /api/v1/quality/agreement/": (None, (401, 403, 403, 403, 200, 200), None),
    "POST /api/v1/samples/{external_id}/disputes/": (
        lambda w: {"reason": "Swept dispute"},
        (401, 404, 404, 201, 403, 201),
        None,
    ),
    "GET /api/v1/detection-runs/": (None, (401,) + (200,) * 5, (None, 0, 0, 0, 1, 1)),
    "POST /api/v1/detection-runs/": (lambda w: {}, (401, 403, 403, 403, 403, 202), None),
    "GET /api/v1/detection-runs/{id}/": (None, (401, 404, 404, 404, 200, 200), None),
    "GET /api/v1/findings/": (None, (401,) + (200,) * 5, API_LISTS_CASE_OBJECTS),
    "POST /api/v1/findings/": (
        lambda w: {"case": w.case.pk, "statement": "API finding"},
        (401, 400, 400, 403, 403, 201),
        None,
    ),
    "GET /api/v1/findings/{id}/": (None, API_READ, None),
    # Initiatives: partners read those a case they see serves; leads define and change them.
    "GET /api/v1/initiatives/": (None, (401,) + (200,) * 5, API_LISTS_CASE_OBJECTS),
    "POST /api/v1/initiatives/": (
        lambda w: {
            "name": "API initiative",
            "measure": {"population": {"market": "ID"}},
            "target_rate": 0.03,
            "target_date": w.initiative.target_date.isoformat(),
            "baseline_rate": 0.08,
            "baseline_start": w.initiative.baseline_start.isoformat(),
            "baseline_end": w.initiative.baseline_end.isoformat(),
        },
        (401, 403, 403, 403, 403, 201),
        None,
    ),
    "GET /api/v1/initiatives/{id}/": (None, API_READ, None),
    "PATCH /api/v1/initiatives/{id}/": (lambda w: {"name": "API rename"}, API_LEAD_WRITE, None),
    "PATCH /api/v1/findings/{id}/": (lambda w: {"status": "confirmed"}, API_LEAD_WRITE, None),
    # Import jobs: leads and managers list them (none in the swept world: no job id answers), leads import; the path
    # is checked after the role, so the lead's made-up path is a 400.
    "GET /api/v1/import-jobs/": (None, (401,) + (200,) * 5, (None, 0, 0, 0, 0, 0)),
    "GET /api/v1/import-jobs/{id}/": (None, (401, 404, 404, 404, 404, 404), None),
    "POST /api/v1/import-jobs/": (lambda w: {"path": "/nowhere/samples.jsonl"}, (401, 403, 403, 403, 403, 400), None),
    "GET /api/v1/patterns/": (None, (401,) + (200,) * 5, (None, 0, 0, 0, 1, 1)),
    "GET /api/v1/patterns/{id}/": (None, (401, 404, 404, 404, 200, 200), None),
    # Quality metrics: anyone with a role reads them (figures naming an auditor: leads and managers only).
    "GET /api/v1/quality/metrics/": (None, (401, 403, 200, 200, 200, 200), None),
    "GET /api/v1/quality/changes/": (None, (401, 403, 200, 200, 200, 200), None),
    "GET /api/v1/reports/closure/": (None, (401, 403, 403, 403, 200, 200), None),
    "GET /api/v1/reports/remediation/": (None, (401, 403, 403, 403, 200, 200), None),
    # Partners see the samples of the cases they see; leads and managers all of them.
    "GET /api/v1/samples/": (None, (401,) + (200,) * 5, (None, 0, 0, 1, 2, 2)),
    "GET /api/v1/samples/{external_id}/": (None, API_READ, None),
    "POST /api/v1/samples/bulk/": (lambda w: [], (401, 403, 403, 403, 403, 200), None),
    # Webhook endpoints are for administrators (staff) only; none of the roles here is staff.
    "GET /api/v1/webhooks/": (None, API_STAFF_ONLY, None),
    "POST /api/v1/webhooks/": (
        lambda w: {"name": "Swept", "url": "https://hooks.example.com/", "events": ["case.opened"]},
        API_STAFF_ONLY,
        None,
    ),
    "GET /api/v1/webhooks/{id}/": (None, API_STAFF_ONLY, None),
    "PATCH /api/v1/webhooks/{id}/": (lambda w: {"name": "Renamed"}, API_STAFF_ONLY, None),
    "DELETE /api/v1/webhooks/{id}/": (None, API_STAFF_ONLY, None),
}


def _api_path(operation: str, world: World) -> tuple[str, str]:
    method, template = operation.split(" ", 1)
    collection = template.split("/")[3]
    ids = {
        "action-items": world.item.pk,
        "cases": world.case.pk,
        "comments": world.comment.pk,
        "detection-runs": world.run.pk,
        "disputes": world.dispute.pk,
        "findings": world.finding.pk,
        "import-jobs": 987654,  # the swept world holds no import job
        "initiatives": world.initiative.pk,
        "patterns": world.pattern.pk,
        "webhooks": 1,  # refused before any lookup: no endpoint needed
    }
    path = template.replace("{external_id}", world.sample.external_id).replace("{factor_id}", str(world.factor.pk))
    if "{id}" in path:
        path = path.replace("{id}", str(ids[collection]))
    return method, path


def _api_client(world: World, role: str) -> APIClient:
    client = APIClient()
    if world.users[role] is not None:
        token, _ = token_for(world.users[role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_sweep_every_api_operation_has_a_rule():
    operations = set(api_operations())

    assert operations - API.keys() == set(), "API operations without an access rule in API"
    assert API.keys() - operations == set(), "rules in API for operations that no longer exist"


def test_sweep_every_api_route_is_in_the_schema():
    """A route the schema leaves out would escape the API sweep: each router route must back a schema operation."""
    templates = {operation.split(" ", 1)[1] for operation in api_operations()}
    routes = [route for route, pattern in _walk(get_resolver()) if is_router_route(route, pattern)]

    def as_template(route: str) -> str:
        """A router's regex group or a `path()` converter (`<int:pk>`) as the schema's parameter (`pk`: `{id}`)."""
        path = route.replace("^", "").replace("$", "")
        parameter = lambda m: "{id}" if m.group(1) == "pk" else "{" + m.group(1) + "}"  # noqa: E731
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", parameter, path)
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", parameter, path)

    assert {as_template(route) for route in routes} - templates == set()


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("operation", sorted(API))
def test_sweep_api_operation_answers_each_role_by_the_rules(db, operation, role_index, role):
    world = build_world()
    body, statuses, sizes = API[operation]
    method, path = _api_path(operation, world)
    client = _api_client(world, role)
    if operation == "POST /api/v1/auth/token/":
        user = world.users[role]
        payload = {"username": user.username if user else "nobody-at-all", "password": PASSWORD if user else "x"}
    else:
        payload = body(world) if body else None
    before = state(world)

    response = client.generic(
        method, path, data=None if payload is None else _json(payload), content_type="application/json"
    )

    assert response.status_code == statuses[role_index], (operation, role, response.content[:300])
    if response.status_code >= 400:
        assert state(world) == before, f"{operation} as {role}: refused yet changed the database"
    if sizes is not None and sizes[role_index] is not None:
        assert len(response.json()["results"]) == sizes[role_index], (operation, role)


def _json(value) -> str:
    import json

    return json.dumps(value)


# FILTERS THAT NAME A CASE: the case filter of samples, findings, action items and comments (API and pages), for a
# partner, with an invisible case id, gets the answer an unknown id gets: the same 400, nothing filtered.
# ------------------------------------------------------------------------------

CASE_FILTERED_API = ["/api/v1/samples/", "/api/v1/findings/", "/api/v1/action-items/", "/api/v1/comments/"]


def _legal_case(world: World):
    """A case the Legal partner sees, holding the sample of `world.case` (which it does not see): a filter by
    `world.case` that worked would tell it that this sample belongs to that case."""
    case = CaseFactory(shared_teams=[world.legal])
    CaseSampleFactory(case=case, sample=world.sample)
    return case


def _unknown_case_id() -> int:
    return Case.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000


@pytest.mark.parametrize("path", CASE_FILTERED_API)
def test_sweep_api_case_filter_answers_an_invisible_case_as_an_unknown_one(db, path):
    world = build_world()
    _legal_case(world)
    client = _api_client(world, "other_partner")

    invisible = client.get(path, {"case": world.case.pk})
    unknown = client.get(path, {"case": _unknown_case_id()})

    assert (invisible.status_code, invisible.json()) == (400, {"case": ["No such case."]}), path
    assert (unknown.status_code, unknown.json()) == (invisible.status_code, invisible.json()), path
    # The partner who sees the case still filters by it.
    assert _api_client(world, "partner").get(path, {"case": world.case.pk}).status_code == 200


@pytest.mark.parametrize("page", ["samples", "room"])
def test_sweep_page_case_filter_answers_an_invisible_case_as_an_unknown_one(db, page):
    world = build_world()
    legal_case = _legal_case(world)
    client = _page_client(world, "other_partner")
    path = "/samples/" if page == "samples" else f"/cases/{legal_case.pk}/"

    answers = []
    for case_id in (world.case.pk, _unknown_case_id()):
        response = client.get(path, {"case": case_id})
        if page == "samples":
            explorer = response.context["explorer"]
            answers.append((response.status_code, explorer.rows, explorer.filterset.errors))
        else:
            room = response.context["room"]
            answers.append((response.status_code, list(room.samples.object_list), room.sample_filter.errors))

    status = 400 if page == "samples" else 200  # the room is shown, with no linked sample matching the bad filter
    assert answers[0] == (status, [], {"case": ["No such case."]})
    assert answers[1] == answers[0]
