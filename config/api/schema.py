"""OpenAPI helpers: the error shapes every endpoint documents, and a schema that declares what the server enforces.

The API answers errors in two shapes (`config.api.errors`): field errors `{"field": ["message"]}` for bad input (400),
and `{"detail", "code"}` for everything else (401, 403, 404, 409, 413, 429).

The schema states every constraint the server checks, so that a client generated from it (and schemathesis, see
tests/api/test_schema.py) can trust it: strict request bodies forbid unknown keys (`additionalProperties: false`),
filters carry their form fields' bounds, lengths and patterns, and integer ids in paths their range.
"""

import copy

from django import forms
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from config.api.strict import StrictFieldsMixin

MAX_ID = 2**63 - 1  # a bigint: database ids are positive and below this
_PYTHON_WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Non-empty: drf-spectacular adds the empty string as the other branch of a `oneOf` for a string that may be blank.
TEXT_PATTERN = r"^[^\x00]+$"
NON_BLANK_TEXT_PATTERN = rf"^[^\x00]*[^\x00{_PYTHON_WHITESPACE}][^\x00]*$"

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="What went wrong, for people."),
        "code": serializers.CharField(help_text="A stable code for programs, e.g. `not_found`, `guard_failed`."),
    },
)

FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Field errors: each key is a field of the request (or `non_field_errors`, or `detail`/`code` when the body "
        "could not be parsed), each value the list of its messages (nested objects for list or nested fields)."
    ),
    "additionalProperties": {},
    "example": {"title": ["This field is required."], "colour": ["Unknown field."]},
}

_DESCRIPTIONS = {
    400: "Bad input: field errors in DRF's shape.",
    401: "No credentials, or a bad or expired token.",
    403: "Authenticated, but this user may not do this (for example a partner trying to change a case).",
    404: "No such object, or one this user may not see.",
    409: "The workflow refused the move: `code` is `not_allowed` or `guard_failed`, `detail` says why.",
    413: "The request body is larger than the endpoint accepts.",
    429: "Too many requests: a token over its rate limit, or sign-ins locked after repeated failures "
    "(`code` `locked_out`).",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses=...)` entries for the given error status codes (401 and 403 are always included)."""
    responses = {}
    for code in sorted({401, 403, *codes}):
        schema = FIELD_ERRORS_SCHEMA if code == 400 else ErrorSerializer
        responses[code] = OpenApiResponse(response=schema, description=_DESCRIPTIONS[code])
    return responses


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, except that a strict serializer's request body forbids unknown keys (as
    `StrictFieldsMixin` does), and an action decorated with `request=` for DELETE documents that body
    (`DELETE /api/v1/cases/{id}/samples/` takes the same `{"external_ids"}` body as the POST that links)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A request string declares what DRF and the services refuse: no NUL character, and (unless it may be
        blank) not only whitespace, in Python's sense (`str.strip`), spelt out as JSON Schema's `\\s` differs."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and type(field) is serializers.CharField and "pattern" not in schema:
            schema["pattern"] = TEXT_PATTERN if field.allow_blank else NON_BLANK_TEXT_PATTERN
        return schema

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, StrictFieldsMixin):
            schema["additionalProperties"] = False
        return schema

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or not getattr(self.view, "delete_takes_body", False):
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


def _form_field_constraints(field: forms.Field) -> dict:
    """The JSON Schema keywords for what a filter's form field checks: its bounds and maximum length (a pattern is
    declared on the filter class, with `extend_schema_field`: see `config.filters.MarketFilter`)."""
    constraints = {}
    if isinstance(field, forms.CharField) and field.max_length is not None:
        constraints["maxLength"] = field.max_length
    if isinstance(field, forms.IntegerField | forms.ModelChoiceField):
        constraints["minimum"] = 1 if isinstance(field, forms.ModelChoiceField) else field.min_value
        constraints["maximum"] = MAX_ID if isinstance(field, forms.ModelChoiceField) else field.max_value
    return {key: value for key, value in constraints.items() if value is not None}


class StrictDjangoFilterExtension(DjangoFilterExtension):
    """django-filter parameters as drf-spectacular builds them, plus what each filter's form field enforces
    (`maxLength`, `minimum`/`maximum`); a model choice given by id is a positive integer."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") not in ("string", "integer", "number"):
                continue
            # On a copy, as a filter set does per request: `.field` caches the form field on the filter.
            form_field = copy.deepcopy(filter_field).field
            constraints = _form_field_constraints(form_field)
            if schema["type"] == "string":
                constraints = {k: v for k, v in constraints.items() if k in ("maxLength", "pattern")}
            elif "minimum" in constraints or "maximum" in constraints:
                schema["type"] = "integer" if isinstance(form_field, forms.IntegerField) else schema["type"]
                constraints = {k: v for k, v in constraints.items() if k in ("minimum", "maximum")}
            schema.update(constraints)
        return parameters


def _is_list(parameter: dict) -> bool:
    return parameter["schema"].get("type") == "array"  # a list filter takes no empty item


def declare_parameter_rules(result, generator, request, public):
    """Postprocessing hook for the rules every operation shares: an integer id in a path is a positive bigint
        (`/cases/0/` and a 30-digit id are 404s), and an empty query value means the parameter was not given (as HTML
        forms send it: `?team=&market=BR`), which OpenAPI says with `allowEmptyValue` (list filters excepted:
    `?status=` is a 400, no form sends it)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"].setdefault("minimum", 1)
                    parameter["schema"].setdefault("maximum", MAX_ID)
                elif parameter["in"] == "query" and not parameter.get("required") and not _is_list(parameter):
                    parameter["allowEmptyValue"] = True
    return result
