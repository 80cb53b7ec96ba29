"""OpenAPI helpers: the error shapes every endpoint documents, and the schema class (a DELETE may carry a body).

The API answers errors in two shapes (`config.api.errors`): field errors `{"field": ["message"]}` for bad input (400),
and `{"detail", "code"}` for everything else (401, 403, 404, 409, 413, 429).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

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
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses=...)` entries for the given error status codes (401 and 403 are always included)."""
    responses = {}
    for code in sorted({401, 403, *codes}):
        schema = FIELD_ERRORS_SCHEMA if code == 400 else ErrorSerializer
        responses[code] = OpenApiResponse(response=schema, description=_DESCRIPTIONS[code])
    return responses


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, except that an action decorated with `request=` for DELETE documents that body
    (`DELETE /api/v1/cases/{id}/samples/` takes the same `{"external_ids"}` body as the POST that links)."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or not getattr(self.view, "delete_takes_body", False):
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
