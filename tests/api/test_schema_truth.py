"""The schema declares what the server enforces, and the server refuses what the schema forbids (issue 19): strict
bodies (unknown keys and values of the wrong JSON type are 400s), bounded ids and page sizes, filters' lengths,
ranges and patterns, empty query values meaning "not given". tests/api/test_schema.py checks the same promises with
generated requests; these name them one by one."""

import pytest
from django.test import Client

from config.api.schema import MAX_ID, NON_BLANK_TEXT_PATTERN, TEXT_PATTERN
from tests.factories import CaseFactory, ModerationSampleFactory


@pytest.fixture
def document(client: Client) -> dict:
    return client.get("/api/schema/?format=json").json()


def _parameter(document: dict, path: str, name: str, method: str = "get") -> dict:
    return next(p for p in document["paths"][path][method]["parameters"] if p["name"] == name)


def test_strict_request_bodies_forbid_unknown_keys_in_the_schema(document):
    schemas = document["components"]["schemas"]

    for name in ("CaseCreateRequest", "PatchedCaseUpdateRequest", "TransitionRequest", "FindingCreateRequest",
                 "PatchedActionItemUpdateRequest", "CommentCreateRequest", "ExternalIdsRequest", "TokenRequestRequest",
                 "DetectionRunRequestRequest"):  # fmt: skip
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["Case"]  # responses may grow new keys


def test_ids_page_sizes_and_filters_carry_their_bounds_in_the_schema(document):
    assert _parameter(document, "/api/v1/cases/{id}/", "id")["schema"] == {
        "type": "integer", "minimum": 1, "maximum": MAX_ID,
    }  # fmt: skip
    for path in ("/api/v1/cases/", "/api/v1/samples/", "/api/v1/detection-runs/"):
        page_size = _parameter(document, path, "page_size")["schema"]
        assert (page_size["minimum"], page_size["maximum"], page_size["default"]) == (1, 200, 50), path
    assert _parameter(document, "/api/v1/findings/", "case")["schema"] == {
        "type": "integer", "minimum": 1, "maximum": MAX_ID,
    }  # fmt: skip
    assert _parameter(document, "/api/v1/cases/", "owner")["schema"]["minimum"] == 1
    assert _parameter(document, "/api/v1/cases/", "q")["schema"]["maxLength"] == 200
    assert _parameter(document, "/api/v1/samples/", "market")["schema"]["pattern"] == "^(?:[A-Za-z]{2})?$"
    assert _parameter(document, "/api/v1/reports/closure/", "market")["schema"]["pattern"] == "^(?:[A-Za-z]{2})?$"
    assert _parameter(document, "/api/v1/reports/remediation/", "limit")["schema"]["maximum"] == 2000


def test_empty_query_values_are_declared_as_not_given_except_for_list_filters(document):
    assert _parameter(document, "/api/v1/cases/", "team")["allowEmptyValue"] is True
    assert _parameter(document, "/api/v1/samples/", "cursor")["allowEmptyValue"] is True
    assert "allowEmptyValue" not in _parameter(document, "/api/v1/cases/", "status")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": 0}, "title", "Expected a string."),
        ({"title": "x", "severity": 3}, "severity", "Expected a string."),
        ({"title": "x", "shared_teams": {}}, "shared_teams", "Expected a list of ids (integers)."),
        ({"title": "x", "shared_teams": ["1"]}, "shared_teams", "Expected a list of ids (integers)."),
        ({"title": "x", "team": "1"}, "team", "Expected an integer."),
        ({"title": "x", "owner": True}, "owner", "Expected an integer."),
        ({"title": "x", "external_ids": [1]}, "external_ids", "Expected a string."),
        ({"title": "x", "external_ids": "qa-1"}, "external_ids", "Expected a list."),
    ],
)
def test_a_body_value_of_the_wrong_json_type_is_a_400_naming_it(lead_client, body, field, message):
    response = lead_client.post("/api/v1/cases/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_a_detection_run_request_with_an_integer_as_a_string_is_a_400(lead_client):
    response = lead_client.post("/api/v1/detection-runs/", {"window_days": "7"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"window_days": ["Expected an integer."]}


@pytest.mark.parametrize("query", ["market=00", "market=B", "market=%20BR", "market=BR%0A"])
@pytest.mark.parametrize(
    "path", ["/api/v1/cases/", "/api/v1/samples/", "/api/v1/patterns/", "/api/v1/reports/closure/"]
)
def test_a_market_that_is_not_two_letters_is_a_400(lead_client, path, query):
    response = lead_client.get(f"{path}?{query}")

    assert response.status_code == 400
    assert "market" in response.json()


def test_a_market_in_either_case_filters(lead_client):
    CaseFactory(market="BR")

    assert lead_client.get("/api/v1/cases/?market=br").json()["count"] == 1


def test_empty_query_values_mean_not_given(lead_client):
    ModerationSampleFactory.create_batch(3)
    CaseFactory()

    assert len(lead_client.get("/api/v1/samples/?cursor=&page_size=&market=").json()["results"]) == 3
    assert lead_client.get("/api/v1/cases/?page_size=&page=&owner=&opened_after=").json()["count"] == 1


@pytest.mark.parametrize(("query", "field"), [("format=xml", "format"), ("format=api", "format"),
                                              ("verdict=maybe", "verdict"), ("limit=0", "limit")])  # fmt: skip
def test_the_remediation_report_refuses_what_its_schema_forbids_with_400(lead_client, query, field):
    response = lead_client.get(f"/api/v1/reports/remediation/?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_a_report_as_csv_is_still_served(lead_client):
    response = lead_client.get("/api/v1/reports/closure/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_request_strings_declare_no_nul_and_not_only_whitespace(document):
    properties = document["components"]["schemas"]["CaseCreateRequest"]["properties"]

    assert properties["title"]["pattern"] == NON_BLANK_TEXT_PATTERN
    assert properties["problem_statement"]["oneOf"] == [  # may be blank
        {"type": "string", "default": "", "pattern": TEXT_PATTERN, "maxLength": 20_000},
        {"type": "string", "maxLength": 0},
    ]


@pytest.mark.parametrize("title", ["\t", " \u3000 ", "a\x00b", "x" * 200 + " "])
def test_a_string_is_checked_as_sent(lead_client, title):
    response = lead_client.post("/api/v1/cases/", {"title": title}, format="json")

    assert response.status_code == 400
    assert "title" in response.json()


def test_a_valid_string_is_stored_trimmed(lead_client):
    response = lead_client.post("/api/v1/cases/", {"title": "  Slang missed in ID  "}, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == "Slang missed in ID"
