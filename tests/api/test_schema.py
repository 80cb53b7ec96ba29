"""The OpenAPI schema is valid and the API keeps its promises: schemathesis sends generated requests (valid and
invalid) to every operation of the live schema, as a quality lead, and finds no 5xx and no response outside the
schema. Bounded (`EXAMPLES` per operation and mode) so that the whole run stays under a few minutes in CI.

The reports endpoints (`/api/v1/reports/...`) are left to their own tests in tests/cases/reporting.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.api.authentication import token_for
from config.wsgi import application
from tests.factories import ActionItemFactory, CaseFactory, CaseSampleFactory, CommentFactory, FindingFactory

EXAMPLES = 15
PAGING = {"page", "page_size", "cursor"}
OWN_PATHS = r"^/api/v1/(auth|samples|cases|findings|action-items|comments|patterns|detection-runs|reports|webhooks)/"


@pytest.fixture
def in_process_wsgi():
    """Keep the test's database connection across WSGI calls, as Django's test client does: at the end of each
    request Django closes connections whose autocommit differs from the settings', which a test transaction's does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def lead_headers(db, in_process_wsgi, quality_lead):
    """A quality lead's token, and a little data for generated ids to land on."""
    case = CaseFactory(owner=quality_lead)
    CaseSampleFactory(case=case)
    FindingFactory(case=case)
    CommentFactory(case=case)
    ActionItemFactory(case=case)
    token, _ = token_for(quality_lead)
    return {"Authorization": f"Token {token.key}"}


def test_schema_is_served_as_openapi_3_with_every_endpoint(client: Client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    assert {
        "/api/v1/auth/token/",
        "/api/v1/samples/",
        "/api/v1/samples/{external_id}/",
        "/api/v1/samples/bulk/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/transition/",
        "/api/v1/cases/{id}/transitions/",
        "/api/v1/cases/{id}/samples/",
        "/api/v1/cases/{id}/activity/",
        "/api/v1/findings/",
        "/api/v1/action-items/",
        "/api/v1/comments/",
        "/api/v1/patterns/",
        "/api/v1/patterns/{id}/",
        "/api/v1/detection-runs/",
    } <= paths


def test_schema_documents_the_error_responses_of_every_operation(client: Client):
    document = client.get("/api/schema/?format=json").json()

    for path, operations in document["paths"].items():
        if path.startswith("/api/v1/reports/"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path != "/api/v1/auth/token/":
                assert {"401", "403"} <= codes, (method, path)
            filters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"} - PAGING
            if method != "get" or filters:
                assert "400" in codes, (method, path)
            if "{" in path or any(p["name"] in ("page", "cursor") for p in operation.get("parameters", [])):
                assert "404" in codes, (method, path)
    assert "409" in document["paths"]["/api/v1/cases/{id}/transition/"]["post"]["responses"]


def test_schema_documents_every_filter_of_the_list_endpoints(client: Client):
    document = client.get("/api/schema/?format=json").json()

    def query_names(path):
        return {p["name"] for p in document["paths"][path]["get"]["parameters"] if p["in"] == "query"}

    assert query_names("/api/v1/samples/") >= {
        "outcome", "market", "language", "decision_source", "model_version", "decision_label", "audit_label",
        "queue", "content_type", "tag", "audited_after", "audited_before", "case", "pattern", "q", "cursor",
        "page_size",
    }  # fmt: skip
    assert query_names("/api/v1/cases/") >= {
        "status", "severity", "owner", "team", "origin", "policy", "market", "opened_after", "opened_before",
        "overdue", "q", "ordering", "page", "page_size",
    }  # fmt: skip
    assert query_names("/api/v1/action-items/") >= {"case", "owner", "team", "status", "overdue"}
    assert query_names("/api/v1/findings/") >= {"case"}
    assert query_names("/api/v1/comments/") >= {"case", "finding"}
    assert query_names("/api/v1/patterns/") >= {"status", "policy", "market", "case"}


def test_swagger_ui_is_served(client: Client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).include(path_regex=OWN_PATHS)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case, lead_headers):
    case.call_and_validate(
        headers=lead_headers,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
